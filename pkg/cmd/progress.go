package cmd

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// progress writes the lifecycle's progress to stderr: on a terminal, a live
// line redrawn four times a second (spinner and elapsed time) between polls;
// otherwise plain lines, one each time the state changes.
type progress struct {
	w   io.Writer
	tty bool

	mu    sync.Mutex
	last  string // plain mode: the last message written
	msg   string // live mode: the message on the live line
	start time.Time
	live  bool
	stop  chan struct{}
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: liveLine(ok && term.IsTerminal(int(f.Fd())), os.Getenv("TERM"))}
}

// liveLine reports whether progress redraws a live line: only on a terminal
// that can move the cursor back (TERM=dumb cannot, as in Emacs' shell).
func liveLine(terminal bool, termEnv string) bool { return terminal && termEnv != "dumb" }

var spinner = []string{"|", "/", "-", "\\"}

func (p *progress) Step(msg string) { p.line(msg) }

// Warn writes a warning on a line of its own.
func (p *progress) Warn(msg string) { p.line("Warning: " + msg) }

// line ends the live line, if any, and writes text on a line of its own.
func (p *progress) line(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopTicker()
	p.clear()
	fmt.Fprintf(p.w, "%s\n", text)
	p.last = ""
}

func (p *progress) Waiting(msg string, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tty {
		if msg != p.last {
			fmt.Fprintf(p.w, "%s (%s elapsed)\n", msg, elapsed.Round(time.Second))
			p.last = msg
		}
		return
	}
	p.msg, p.start = msg, time.Now().Add(-elapsed)
	p.draw()
	if p.stop == nil {
		p.stop = make(chan struct{})
		go p.tick(p.stop)
	}
}

func (p *progress) tick(stop chan struct{}) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.live {
				p.draw()
			}
			p.mu.Unlock()
		}
	}
}

func (p *progress) draw() {
	elapsed := time.Since(p.start)
	fmt.Fprintf(p.w, "\r\x1b[K%s %s, %s elapsed", spinner[int(elapsed/(250*time.Millisecond))%len(spinner)], p.msg, elapsed.Round(time.Second))
	p.live = true
}

func (p *progress) clear() {
	if p.live {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.live = false
	}
}

func (p *progress) stopTicker() {
	if p.stop != nil {
		close(p.stop)
		p.stop = nil
	}
}

// Done ends the live line, if any.
func (p *progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopTicker()
	p.clear()
}
