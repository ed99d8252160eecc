// Package journal is the local record of what ack-expose left unfinished in
// the cloud: EIPs it allocated whose association is not confirmed, EIPs it was
// asked to release that are not released yet, and operations still running.
// It is one JSON file (~/.ack-expose/journal.json), changed under an exclusive
// file lock and replaced atomically (0600), so parallel processes never lose
// a record and a crash never leaves half a file.
//
// It is plumbing: the records are the lifecycle's (expose.Record), and the
// adapter that gives the lifecycle its Journal is in the command layer.
package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/ack-expose/ack-expose/internal/atomicfile"
	"github.com/ack-expose/ack-expose/internal/errkind"
)

// File is a journal of records of type R stored in one file.
type File[R any] struct{ Path string }

// DefaultPath is ~/.ack-expose/journal.json.
func DefaultPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".ack-expose", "journal.json"), nil
}

type document[R any] struct {
	Version int `json:"version"`
	Records []R `json:"records"`
}

// List returns the records. It takes no lock and creates nothing: the file
// is only ever replaced whole, so a reader sees one version or the next.
func (f *File[R]) List() ([]R, error) {
	d, err := f.read()
	return d.Records, err
}

// Update replaces the records with what fn makes of them.
func (f *File[R]) Update(fn func([]R) []R) error {
	return f.locked(func() error {
		d, err := f.read()
		if err != nil {
			return err
		}
		d.Records = fn(d.Records)
		if len(d.Records) == 0 {
			if err := os.Remove(f.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return f.unwritable("removing", err)
			}
			return nil
		}
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return err
		}
		if err := atomicfile.WriteFile(f.Path, append(b, '\n'), 0o600); err != nil {
			return f.unwritable("writing", err)
		}
		return nil
	})
}

// unwritable is a journal this process cannot change: the user fixes the
// file's directory (exit 2, not a cloud failure).
func (f *File[R]) unwritable(doing string, err error) error {
	return &errkind.Error{Kind: errkind.Invalid, Msg: doing + " the journal " + f.Path, Err: err,
		Hint: "Make " + filepath.Dir(f.Path) + " writable: the journal lists EIPs that may need releasing."}
}

func (f *File[R]) locked(fn func() error) error {
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return f.unwritable("creating the directory of", err)
	}
	l := flock.New(f.Path+".lock", flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	if err := l.Lock(); err != nil {
		return f.unwritable("locking", err)
	}
	defer func() { _ = l.Unlock() }()
	return fn()
}

func (f *File[R]) read() (document[R], error) {
	d := document[R]{Version: 1}
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return d, &errkind.Error{Kind: errkind.Invalid, Msg: "reading the journal " + f.Path, Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&d); err != nil || d.Version != 1 {
		if err == nil {
			err = fmt.Errorf("unknown version %d", d.Version)
		}
		return d, &errkind.Error{Kind: errkind.Invalid, Msg: fmt.Sprintf("the journal %s does not parse (%v); it lists EIPs that may need releasing: fix or move it, then run `kubectl ack-expose cleanup` again", f.Path, err)}
	}
	return d, nil
}

// MaxOwned is how long a record can be owned at most where a process's
// start time cannot be read (outside Linux): longer than any plausible
// --timeout, so a PID reused later does not hold a record forever.
const MaxOwned = 24 * time.Hour

// Owned reports whether another running ack-expose process is at work on a
// record written by process pid (started at pidStart, 0 if unknown) at
// since: the PID is alive and, where the start time of a process can be
// read (Linux), started when the record's did (a PID reused after a crash
// or a reboot is another process); elsewhere, the record is younger than
// MaxOwned.
func Owned(pid int, pidStart uint64, since time.Time) bool {
	if pid == os.Getpid() || !Alive(pid) {
		return false
	}
	if st, ok := startTime(pid); ok {
		return pidStart != 0 && pidStart == st
	}
	return time.Since(since) < MaxOwned
}

// SelfStart is when this process started (0 where that cannot be read), for
// the records it writes, so that Owned recognizes them in another process.
func SelfStart() uint64 {
	st, _ := startTime(os.Getpid())
	return st
}
