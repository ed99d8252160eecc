package cmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ack-expose/ack-expose/internal/journal"
	"github.com/ack-expose/ack-expose/pkg/expose"
)

// Records written by this process carry its start time, so that Owned
// recognizes them in another process; another process's are left alone.
func TestJournalStampsStartTime(t *testing.T) {
	st := journal.SelfStart()
	if st == 0 {
		t.Skip("process start times are not readable here")
	}
	j := &fileJournal{journal.File[expose.Record]{Path: filepath.Join(t.TempDir(), "journal.json")}}
	if err := j.Update(func(l []expose.Record) []expose.Record {
		return append(l, expose.Record{Kind: expose.RecordRelease, AllocationID: "eip-1", PID: os.Getpid()}, expose.Record{Kind: expose.RecordRelease, AllocationID: "eip-2", PID: 1})
	}); err != nil {
		t.Fatal(err)
	}
	list, err := j.List()
	if err != nil {
		t.Fatal(err)
	}
	if list[0].PIDStart != st || list[1].PIDStart != 0 {
		t.Errorf("start times %d and %d, want %d (this process's) and 0 (another's)", list[0].PIDStart, list[1].PIDStart, st)
	}
	if j.Owned(list[0]) {
		t.Error("this process's own record is owned by another")
	}
}
