package cmd

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// The lockout guard's question: a change that could cut off the context in
// use goes ahead with --yes, or when the user answers y on a terminal.

// isTerminal tells whether stdin is a terminal; tests replace it.
var isTerminal = func(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// askConfirm accepts with yes, or asks on an interactive terminal. A "no"
// sets *declined, so that the refusal that follows is a short "aborted": the
// user has just read the warning.
func askConfirm(streams genericiooptions.IOStreams, yes bool, declined *bool, msg string) bool {
	if yes {
		return true
	}
	f, ok := streams.In.(*os.File)
	if !ok || !isTerminal(f) {
		return false
	}
	fmt.Fprintf(streams.ErrOut, "Warning: %s.\nProceed? [y/N]: ", msg)
	line, _ := bufio.NewReader(f).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	if answer == "y" || answer == "yes" {
		return true
	}
	*declined = true
	return false
}

// abortedIfDeclined turns the refusal that follows a "no" into "aborted" (exit 7).
func abortedIfDeclined(declined bool, err error) error {
	if declined && errdefs.KindOf(err) == errdefs.KindRefused {
		return errdefs.Errorf(errdefs.KindRefused, "aborted")
	}
	return err
}

func (o *mutateOptions) confirm(lockout string) bool {
	return askConfirm(o.streams, o.yes, &o.declined, lockout)
}

func (o *accessOptions) confirm(msg string) bool {
	return askConfirm(o.streams, o.yes, &o.declined, msg)
}
