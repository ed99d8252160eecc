package cmd

import (
	"context"
	"errors"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Exit codes: the contract scripts rely on (docs/output.md, "Exit codes"; checked by TestExitCodesDocumented).
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitUnsupported = 3
	exitConflict    = 4
	exitNotFound    = 5
	exitTimeout     = 6
	exitRefused     = 7
	// exitPolicy: status --fail-if found clusters that break the policy.
	exitPolicy      = 8
	exitInterrupted = 130
)

// exitCode is the one place that maps an error to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, context.Canceled) {
		return exitInterrupted
	}
	switch errdefs.KindOf(err) {
	case errdefs.KindInvalid:
		return exitUsage
	case errdefs.KindUnsupported:
		return exitUnsupported
	case errdefs.KindConflict:
		return exitConflict
	case errdefs.KindNotFound:
		return exitNotFound
	case errdefs.KindTimeout:
		return exitTimeout
	case errdefs.KindRefused:
		return exitRefused
	case errdefs.KindInterrupted:
		return exitInterrupted
	case errdefs.KindPolicy:
		return exitPolicy
	}
	return exitError
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
