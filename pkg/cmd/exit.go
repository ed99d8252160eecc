package cmd

import (
	"context"
	"errors"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/simulator"
)

// Exit codes: the contract scripts rely on (README "Exit codes").
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitUnsupported = 3
	ExitConflict    = 4
	ExitNotFound    = 5
	ExitTimeout     = 6
	ExitRefused     = 7
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
	var stateErr *simulator.StateError
	if errors.As(err, &stateErr) {
		// A missing or unusable simulator file is bad input.
		return ExitUsage
	}
	switch backend.KindOf(err) {
	case backend.KindInvalid:
		return ExitUsage
	case backend.KindUnsupported:
		return ExitUnsupported
	case backend.KindConflict:
		return ExitConflict
	case backend.KindNotFound:
		return ExitNotFound
	case backend.KindTimeout:
		return ExitTimeout
	case backend.KindRefused:
		return ExitRefused
	case backend.KindInterrupted:
		return ExitInterrupted
	}
	return ExitError
}

// usageError marks bad usage: exit 2.
func usageError(format string, args ...any) error {
	return backend.Errorf(backend.KindInvalid, format, args...)
}
