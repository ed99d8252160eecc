package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// unprivileged CODE prog args...: run prog as a user that file permissions
// apply to, and require exit status CODE. Run as root (CI containers), it
// drops the capabilities that bypass permissions (setpriv); otherwise it just
// runs prog.
func cmdUnprivileged(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: unprivileged CODE program [args...]")
	}
	if os.Geteuid() == 0 {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			ts.Fatalf("unprivileged: running as root and setpriv is missing: %v", err)
		}
		args = append([]string{args[0], setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"}, args[1:]...)
	}
	cmdExits(ts, false, args)
}

// parallel N prog args... [-- prog2 args...]: start N copies of prog at once,
// with {i} in its arguments replaced by the copy's number (1 to N), and one
// of prog2 beside them; every one must exit 0. kubectl does not wait for a
// kubeconfig lock that is held (it fails at once, as a user would see it):
// prog2 is run again until it gets through, up to 200 times.
func cmdParallel(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: parallel N program [args...] [-- program2 args...]")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 {
		ts.Fatalf("parallel: bad count %q", args[0])
	}
	first, second := args[1:], []string(nil)
	for i, a := range first {
		if a == "--" {
			first, second = first[:i], first[i+1:]
			break
		}
	}
	type result struct {
		cmd    string
		err    error
		stderr string
	}
	results := make(chan result, n+1)
	// Look the programs up before starting: Fatalf belongs to this goroutine.
	programPath(ts, first[0])
	if len(second) > 0 {
		programPath(ts, second[0])
	}
	var wg sync.WaitGroup
	run := func(argv []string, retry bool) {
		defer wg.Done()
		for attempt := 0; ; attempt++ {
			c := scriptCommand(ts, programPath(ts, argv[0]), argv[1:]...)
			var stderr bytes.Buffer
			c.Stderr = &stderr
			err := c.Run()
			if err != nil && retry && attempt < 200 && strings.Contains(stderr.String(), ".lock") {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			results <- result{strings.Join(argv, " "), err, stderr.String()}
			return
		}
	}
	for i := 1; i <= n; i++ {
		argv := make([]string, len(first))
		for j, a := range first {
			argv[j] = strings.ReplaceAll(a, "{i}", strconv.Itoa(i))
		}
		wg.Add(1)
		go run(argv, false)
	}
	if len(second) > 0 {
		wg.Add(1)
		go run(second, true)
	}
	wg.Wait()
	close(results)
	var failed []string
	for r := range results {
		var exitErr *exec.ExitError
		if errors.As(r.err, &exitErr) || r.err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v\n%s", r.cmd, r.err, r.stderr))
		}
	}
	if len(failed) > 0 {
		ts.Fatalf("parallel: %d of %d failed:\n%s", len(failed), n+min(len(second), 1), strings.Join(failed, "\n"))
	}
}

// programPath finds a program: the plugin on the script's PATH, others
// (kubectl) on the test's.
func programPath(ts *testscript.TestScript, name string) string {
	if name == "kubectl-ack_expose" {
		return lookScriptPath(ts, name)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		ts.Fatalf("%s not found: %v", name, err)
	}
	return p
}
