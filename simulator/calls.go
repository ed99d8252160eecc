package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/ack-expose/ack-expose/internal/errkind"
)

// A call that changes nothing in the world (a read, with no fault consumed
// and nothing finished by the clock) is not worth rewriting the world for:
// its count goes on a line of the calls file beside the state file
// (<state>.calls), appended under the lock. Every reader of the counts
// (View, and every write of the state) adds the lines to the state's calls
// and callLog; every write of the state folds them in and removes the file.
//
// A line names the state it counts against by the state's callsEpoch, which
// every write of the state renews: lines written against an older state (a
// write killed between its rename and the removal of the calls file) are
// ignored, never counted twice. An edit by hand keeps the epoch, and the
// calls counted before it.

// pendingCallsMax is the size the calls file may reach before the read that
// passes it folds it into the state (a long `simulator serve` session,
// mostly reads).
const pendingCallsMax = 64 << 10

// pendingCall is one line of the calls file.
type pendingCall struct {
	Epoch  string    `json:"epoch"`
	Action string    `json:"action"`
	At     time.Time `json:"at"`
}

// callsPath is the calls file of the state file at target.
func callsPath(target string) string { return target + ".calls" }

// appendCall counts a call against the state of the given epoch, in one
// write, and returns the size of the calls file then; a write that fails
// (a full disk) is taken back, so that the file never holds half a line
// before a whole one.
func appendCall(target, epoch, action string, at time.Time) (int64, error) {
	line, err := json.Marshal(pendingCall{Epoch: epoch, Action: action, At: at})
	if err != nil {
		return 0, err
	}
	line = append(line, '\n')
	f, err := os.OpenFile(callsPath(target), os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return 0, err
	}
	size, err := wholeLines(f)
	if err == nil {
		if _, err = f.Write(line); err != nil {
			_ = f.Truncate(size)
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return size + int64(len(line)), err
}

// wholeLines cuts a last line left without its newline (a write cut short
// by a crash), which the next line would otherwise join, and returns the
// size of the file.
func wholeLines(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return 0, err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, fi.Size()-1); err != nil || last[0] == '\n' {
		return fi.Size(), err
	}
	data := make([]byte, fi.Size())
	if _, err := f.ReadAt(data, 0); err != nil {
		return 0, err
	}
	size := int64(bytes.LastIndexByte(data, '\n') + 1)
	return size, f.Truncate(size)
}

// CallsFileError is a calls file with a line that is not a call: the
// world is intact, the counts beside it are not.
type CallsFileError struct {
	Path string
	Line int
}

func (e *CallsFileError) Error() string {
	return fmt.Sprintf("simulator calls file %s: line %d is not a call record; remove that file (the call counts it holds are lost; the simulated world is not touched)", e.Path, e.Line)
}

// ErrorKind makes it bad input (exit 2), as a damaged state file is.
func (e *CallsFileError) ErrorKind() string { return errkind.Invalid }

// readPending returns the calls counted against the state of the given
// epoch, in order. A last line without its newline (a write cut short) is
// not a call yet; any other line that does not parse makes the file unusable.
func readPending(target, epoch string) ([]pendingCall, error) {
	data, err := os.ReadFile(callsPath(target))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []pendingCall
	for n := 1; len(data) > 0; n++ {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		var p pendingCall
		if err := json.Unmarshal(data[:i], &p); err != nil || p.Action == "" {
			return nil, &CallsFileError{Path: callsPath(target), Line: n}
		}
		if p.Epoch == epoch {
			out = append(out, p)
		}
		data = data[i+1:]
	}
	return out, nil
}

// fold adds calls to the counts and the log.
func (s *State) fold(calls []pendingCall) {
	for _, p := range calls {
		s.Calls[p.Action]++
		s.logCall(p.Action, p.At)
	}
}

// dropPending removes the calls file once the state holds its calls. A file
// that cannot be removed is harmless: its lines name the older state.
func dropPending(target string) {
	_ = os.Remove(callsPath(target))
}
