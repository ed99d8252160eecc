package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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
	if !f.Owned(expose.Record{PID: os.Getppid()}) {
		t.Error("the parent process is running")
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
