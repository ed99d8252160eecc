package clusterlock

import (
	"context"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

func TestLockWaitsThenGivesUp(t *testing.T) {
	dir := t.TempDir()
	unlock, err := Lock(context.Background(), dir, "c1", "the allow list", time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Another cluster is not blocked.
	u2, err := Lock(context.Background(), dir, "c2", "the allow list", time.Millisecond, func(string) { t.Error("c2 waited") })
	if err != nil {
		t.Fatal(err)
	}
	u2()
	waited := false
	_, err = Lock(context.Background(), dir, "c1", "the allow list", 10*time.Millisecond, func(string) { waited = true })
	if errdefs.KindOf(err) != errdefs.KindConflict || !waited {
		t.Fatalf("second lock: waited %v, err %v; want a conflict after waiting", waited, err)
	}
	unlock()
	u3, err := Lock(context.Background(), dir, "c1", "the allow list", 10*time.Millisecond, func(string) { t.Error("waited for a released lock") })
	if err != nil {
		t.Fatal(err)
	}
	u3()
}

func TestPathRejectsSeparators(t *testing.T) {
	for _, id := range []string{"", "..", "a/b", `a\b`, "a b"} {
		if _, err := Path("/x", id); err == nil {
			t.Errorf("Path(%q) accepted", id)
		}
	}
}
