package cmd

import (
	"os"

	"github.com/ack-expose/ack-expose/internal/journal"
	"github.com/ack-expose/ack-expose/pkg/expose"
)

// fileJournal is the lifecycle's Journal kept in a file: the adapter between
// expose.Record and the plumbing of internal/journal, which knows nothing of
// the lifecycle.
type fileJournal struct{ f journal.File[expose.Record] }

var _ expose.Journal = (*fileJournal)(nil)

// openJournal is the journal at ~/.ack-expose/journal.json, nil when there is
// no home directory.
func openJournal() *fileJournal {
	path, err := journal.DefaultPath()
	if err != nil {
		return nil
	}
	return &fileJournal{journal.File[expose.Record]{Path: path}}
}

func (j *fileJournal) List() ([]expose.Record, error) { return j.f.List() }

// Update also stamps this process's start time on its records, so that
// Owned recognizes them in another process.
func (j *fileJournal) Update(fn func([]expose.Record) []expose.Record) error {
	return j.f.Update(func(l []expose.Record) []expose.Record {
		l = fn(l)
		var st uint64
		for i := range l {
			if l[i].PID == os.Getpid() && l[i].PIDStart == 0 {
				if st == 0 {
					st = journal.SelfStart()
				}
				l[i].PIDStart = st
			}
		}
		return l
	})
}

func (j *fileJournal) Owned(r expose.Record) bool { return journal.Owned(r.PID, r.PIDStart, r.Since) }
