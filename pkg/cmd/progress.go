package cmd

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// progress writes the lifecycle's progress to stderr: a live, rewritten line
// on a terminal; plain lines otherwise, one each time the state changes.
type progress struct {
	w    io.Writer
	tty  bool
	last string
	live bool
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

var spinner = []string{"|", "/", "-", "\\"}

func (p *progress) clear() {
	if p.live {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.live = false
	}
}

func (p *progress) Step(msg string) {
	p.clear()
	fmt.Fprintf(p.w, "%s\n", msg)
	p.last = ""
}

func (p *progress) Waiting(msg string, elapsed time.Duration) {
	secs := elapsed.Round(time.Second)
	if p.tty {
		p.clear()
		fmt.Fprintf(p.w, "%s %s, %s elapsed", spinner[int(elapsed/(250*time.Millisecond))%len(spinner)], msg, secs)
		p.live = true
		return
	}
	if msg != p.last {
		fmt.Fprintf(p.w, "%s (%s elapsed)\n", msg, secs)
		p.last = msg
	}
}

// Done ends a live line, if any.
func (p *progress) Done() { p.clear() }
