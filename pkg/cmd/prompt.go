package cmd

import (
	"bufio"
	"context"
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

// prompt is how a command asked, and what it was told.
type prompt struct {
	// ctx ends on Ctrl-C (catchInterrupts): the question is then abandoned.
	ctx context.Context
	// declined: the user answered no; interrupted: Ctrl-C at the question.
	declined, interrupted bool
}

// askConfirm accepts with yes, or asks on an interactive terminal. A "no"
// marks the prompt declined, so that the refusal that follows is a short
// "aborted": the user has just read the warning. Ctrl-C while it waits for
// the answer abandons the question (interrupted), as Ctrl-C does everywhere.
func askConfirm(streams genericiooptions.IOStreams, yes bool, p *prompt, msg string) bool {
	if yes {
		return true
	}
	f, ok := streams.In.(*os.File)
	if !ok || !isTerminal(f) {
		return false
	}
	fmt.Fprintf(streams.ErrOut, "Warning: %s.\nProceed? [y/N]: ", msg)
	answer := make(chan string, 1)
	go func() { // a read of a terminal cannot be cancelled: it is left behind on Ctrl-C
		line, _ := bufio.NewReader(f).ReadString('\n')
		answer <- strings.ToLower(strings.TrimSpace(line))
	}()
	ctx := p.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	select {
	case a := <-answer:
		if a == "y" || a == "yes" {
			return true
		}
		p.declined = true
	case <-ctx.Done():
		fmt.Fprintln(streams.ErrOut)
		p.interrupted = true
	}
	return false
}

// afterPrompt turns the refusal that follows a "no" into "aborted" (exit 7),
// and the one that follows Ctrl-C at the question into an interruption (130).
func afterPrompt(p *prompt, err error) error {
	switch {
	case errdefs.KindOf(err) != errdefs.KindRefused:
		return err
	case p.interrupted:
		return errdefs.Errorf(errdefs.KindInterrupted, "interrupted at the question: nothing was changed")
	case p.declined:
		return errdefs.Errorf(errdefs.KindRefused, "aborted")
	}
	return err
}

func (o *mutateOptions) confirm(lockout string) bool {
	return askConfirm(o.streams, o.yes, &o.prompt, lockout)
}

func (o *accessOptions) confirm(msg string) bool {
	return askConfirm(o.streams, o.yes, &o.prompt, msg)
}
