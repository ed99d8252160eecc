package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/internal/errkind"
)

// rec stands for the lifecycle's records, which the journal only stores.
type rec struct {
	Kind         string `json:"kind"`
	AllocationID string `json:"allocationId,omitempty"`
}

// Parallel writers never lose a record; the file is private.
func TestParallelUpdates(t *testing.T) {
	f := &File[rec]{Path: filepath.Join(t.TempDir(), "sub", "journal.json")}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f.Update(func(l []rec) []rec {
				return append(l, rec{Kind: "release", AllocationID: fmt.Sprintf("eip-%d", i)})
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
	if err := f.Update(func([]rec) []rec { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.Path); !os.IsNotExist(err) {
		t.Errorf("an empty journal is left: %v", err)
	}
}

// A journal that does not parse is an error naming it, and is never overwritten.
func TestBadJournalIsKept(t *testing.T) {
	f := &File[rec]{Path: filepath.Join(t.TempDir(), "journal.json")}
	if err := os.WriteFile(f.Path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := f.Update(func(l []rec) []rec { return append(l, rec{Kind: "release"}) })
	var k *errkind.Error
	if err == nil || !strings.Contains(err.Error(), f.Path) || !strings.Contains(err.Error(), "cleanup") || !errors.As(err, &k) || k.Kind != errkind.Invalid {
		t.Errorf("got %v; want an invalid-input error naming the file", err)
	}
	if b, _ := os.ReadFile(f.Path); string(b) != "{not json" {
		t.Errorf("the bad journal was overwritten: %q", b)
	}
}

func TestOwned(t *testing.T) {
	if Owned(os.Getpid(), 0, time.Time{}) {
		t.Error("this process's own records are not another's")
	}
	if Owned(0, 0, time.Time{}) || Owned(1<<30, 0, time.Time{}) {
		t.Error("a record of no running process is owned")
	}
	ppid := os.Getppid()
	st, known := startTime(ppid)
	now := time.Now()
	if known {
		if !Owned(ppid, st, now) {
			t.Error("the parent process is running, and started when its record says")
		}
		// A PID reused after a crash or a reboot: another process.
		if Owned(ppid, st+1, now) {
			t.Error("a live process that started at another time owns the record")
		}
		if Owned(ppid, 0, now) {
			t.Error("a record without a start time is owned where start times can be read")
		}
		if SelfStart() == 0 {
			t.Error("this process's start time is readable here, but SelfStart says 0")
		}
	} else {
		if !Owned(ppid, 0, now) {
			t.Error("the parent process is running")
		}
		if Owned(ppid, 0, now.Add(-MaxOwned-time.Minute)) {
			t.Error("a record older than MaxOwned is owned")
		}
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
		j := &File[rec]{Path: filepath.Join(t.TempDir(), "journal.json")}
		if err := os.WriteFile(j.Path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		list, err := j.List()
		if err != nil {
			return
		}
		if err := j.Update(func([]rec) []rec { return list }); err != nil {
			t.Fatal(err)
		}
	})
}
