package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/pkg/expose"
)

// Parallel writers never lose a record; the file is private.
func TestParallelUpdates(t *testing.T) {
	f := &File{Path: filepath.Join(t.TempDir(), "sub", "journal.json")}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f.Update(func(l []expose.Record) []expose.Record {
				return append(l, expose.Record{Kind: expose.RecordRelease, AllocationID: fmt.Sprintf("eip-%d", i)})
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	list, err := f.List()
	if err != nil || len(list) != 20 {
		t.Fatalf("%d records, %v", len(list), err)
	}
	st, err := os.Stat(f.Path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v", st.Mode(), err)
	}
	// Emptied, the file goes away.
	if err := f.Update(func([]expose.Record) []expose.Record { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.Path); !os.IsNotExist(err) {
		t.Errorf("an empty journal is left: %v", err)
	}
}

// A journal that does not parse is an error naming it, and is never overwritten.
func TestBadJournalIsKept(t *testing.T) {
	f := &File{Path: filepath.Join(t.TempDir(), "journal.json")}
	if err := os.WriteFile(f.Path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := f.Update(func(l []expose.Record) []expose.Record { return append(l, expose.Record{Kind: "release"}) })
	if err == nil || !strings.Contains(err.Error(), f.Path) || !strings.Contains(err.Error(), "cleanup") {
		t.Errorf("got %v", err)
	}
	if b, _ := os.ReadFile(f.Path); string(b) != "{not json" {
		t.Errorf("the bad journal was overwritten: %q", b)
	}
}

func TestOwned(t *testing.T) {
	f := &File{}
	if f.Owned(expose.Record{PID: os.Getpid()}) {
		t.Error("this process's own records are not another's")
	}
	if f.Owned(expose.Record{PID: 0}) || f.Owned(expose.Record{PID: 1 << 30}) {
		t.Error("a record of no running process is owned")
	}
	ppid := os.Getppid()
	st, known := startTime(ppid)
	now := time.Now()
	if known {
		if !f.Owned(expose.Record{PID: ppid, PIDStart: st, Since: now}) {
			t.Error("the parent process is running, and started when its record says")
		}
		// A PID reused after a crash or a reboot: another process.
		if f.Owned(expose.Record{PID: ppid, PIDStart: st + 1, Since: now}) {
			t.Error("a live process that started at another time owns the record")
		}
		if f.Owned(expose.Record{PID: ppid, Since: now}) {
			t.Error("a record without a start time is owned where start times can be read")
		}
	} else {
		if !f.Owned(expose.Record{PID: ppid, Since: now}) {
			t.Error("the parent process is running")
		}
		if f.Owned(expose.Record{PID: ppid, Since: now.Add(-MaxOwned - time.Minute)}) {
			t.Error("a record older than MaxOwned is owned")
		}
	}
}

// Records written by this process carry its start time, so that Owned
// recognizes them in another process.
func TestUpdateStampsStartTime(t *testing.T) {
	st, known := startTime(os.Getpid())
	if !known {
		t.Skip("process start times are not readable here")
	}
	j := &File{Path: filepath.Join(t.TempDir(), "journal.json")}
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
}

// FuzzList: whatever the file holds, reading it never panics, and what it
// lists can be written back.
func FuzzList(f *testing.F) {
	f.Add([]byte(`{"version":1,"records":[{"kind":"release","clusterId":"c1","regionId":"cn-hangzhou","allocationId":"eip-1","pid":0,"since":"2026-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{"version":1,"records":null}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		j := &File{Path: filepath.Join(t.TempDir(), "journal.json")}
		if err := os.WriteFile(j.Path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		list, err := j.List()
		if err != nil {
			return
		}
		if err := j.Update(func([]expose.Record) []expose.Record { return list }); err != nil {
			t.Fatal(err)
		}
	})
}
