package cmd

import (
	"context"
	"errors"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Exit codes: the contract scripts rely on (docs/output.md, "Exit codes"; checked by TestExitCodesDocumented).
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitUnsupported = 3
	ExitConflict    = 4
	ExitNotFound    = 5
	ExitTimeout     = 6
	ExitRefused     = 7
	// ExitPolicy: status --fail-if found clusters that break the policy.
	ExitPolicy      = 8
	ExitInterrupted = 130
)

// ExitCode is the one place that maps an error to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	switch errdefs.KindOf(err) {
	case errdefs.KindInvalid:
		return ExitUsage
	case errdefs.KindUnsupported:
		return ExitUnsupported
	case errdefs.KindConflict:
		return ExitConflict
	case errdefs.KindNotFound:
		return ExitNotFound
	case errdefs.KindTimeout:
		return ExitTimeout
	case errdefs.KindRefused:
		return ExitRefused
	case errdefs.KindInterrupted:
		return ExitInterrupted
	case errdefs.KindPolicy:
		return ExitPolicy
	}
	return ExitError
}

// usageError marks bad usage of a command's flags or arguments: exit 2, and
// the message points at the command's help.
func usageError(format string, args ...any) error {
	return usageErr{errdefs.Errorf(errdefs.KindInvalid, format, args...)}
}

type usageErr struct{ error }

func (e usageErr) Unwrap() error { return e.error }

// flagError marks the invalid-input errors of a command's validation (a
// flag's value that does not parse, as --eip or a CIDR) as usage errors.
func flagError(err error) error {
	if errdefs.KindOf(err) == errdefs.KindInvalid && !isUsageError(err) {
		return usageErr{err}
	}
	return err
}

func isUsageError(err error) bool {
	var u usageErr
	return errors.As(err, &u)
}
