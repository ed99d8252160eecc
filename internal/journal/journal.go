// Package journal is the local record of what ack-expose left unfinished in
// the cloud: EIPs it allocated whose association is not confirmed, EIPs it was
// asked to release that are not released yet, and operations still running.
// It is one JSON file (~/.ack-expose/journal.json), changed under an exclusive
// file lock and replaced atomically (0600), so parallel processes never lose
// a record and a crash never leaves half a file.
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
	"github.com/ack-expose/ack-expose/pkg/expose"
)

// File is a journal stored in one file.
type File struct{ Path string }

var _ expose.Journal = (*File)(nil)

// DefaultPath is ~/.ack-expose/journal.json.
func DefaultPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".ack-expose", "journal.json"), nil
}

type document struct {
	Version int             `json:"version"`
	Records []expose.Record `json:"records"`
}

// List returns the records. It takes no lock and creates nothing: the file
// is only ever replaced whole, so a reader sees one version or the next.
func (f *File) List() ([]expose.Record, error) {
	d, err := f.read()
	return d.Records, err
}

// Update replaces the records with what fn makes of them.
func (f *File) Update(fn func([]expose.Record) []expose.Record) error {
	return f.locked(func() error {
		d, err := f.read()
		if err != nil {
			return err
		}
		d.Records = fn(d.Records)
		stamp(d.Records)
		if len(d.Records) == 0 {
			if err := os.Remove(f.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			return nil
		}
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return err
		}
		return atomicfile.WriteFile(f.Path, append(b, '\n'), 0o600)
	})
}

func (f *File) locked(fn func() error) error {
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return fmt.Errorf("journal %s: %w", f.Path, err)
	}
	l := flock.New(f.Path+".lock", flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	if err := l.Lock(); err != nil {
		return fmt.Errorf("locking the journal %s: %w", f.Path+".lock", err)
	}
	defer func() { _ = l.Unlock() }()
	return fn()
}

func (f *File) read() (document, error) {
	d := document{Version: 1}
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("reading the journal: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&d); err != nil || d.Version != 1 {
		if err == nil {
			err = fmt.Errorf("unknown version %d", d.Version)
		}
		return d, fmt.Errorf("the journal %s does not parse (%v); it lists EIPs that may need releasing: fix or move it, then run `kubectl ack-expose cleanup` again", f.Path, err)
	}
	return d, nil
}

// MaxOwned is how long a record can be owned at most where a process's
// start time cannot be read (outside Linux): longer than any plausible
// --timeout, so a PID reused later does not hold a record forever.
const MaxOwned = 24 * time.Hour

// Owned reports whether another running ack-expose process is at work on a
// record: its PID is alive and, where the start time of a process can be
// read (Linux), started when the record's did (a PID reused after a crash
// or a reboot is another process); elsewhere, the record is younger than
// MaxOwned.
func (f *File) Owned(r expose.Record) bool {
	if r.PID == os.Getpid() || !Alive(r.PID) {
		return false
	}
	if st, ok := startTime(r.PID); ok {
		return r.PIDStart != 0 && r.PIDStart == st
	}
	return time.Since(r.Since) < MaxOwned
}

// stamp sets the start time of this process on its records.
func stamp(recs []expose.Record) {
	st, ok := startTime(os.Getpid())
	if !ok {
		return
	}
	for i := range recs {
		if recs[i].PID == os.Getpid() && recs[i].PIDStart == 0 {
			recs[i].PIDStart = st
		}
	}
}
