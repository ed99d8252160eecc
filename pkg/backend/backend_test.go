package backend

import (
	"context"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

func TestRetryPolicyPause(t *testing.T) {
	p := RetryPolicy{Attempts: 10, Initial: 100 * time.Millisecond, Max: time.Second}
	for n := 1; n <= 8; n++ {
		want := min(p.Initial<<(n-1), p.Max)
		for range 50 {
			if d := p.Pause(n); d < want/2 || d > want {
				t.Fatalf("pause %d = %s, want within [%s, %s]", n, d, want/2, want)
			}
		}
	}
}

func TestRetryDoRetriesOnlyRetryable(t *testing.T) {
	p := RetryPolicy{Attempts: 4, Initial: time.Millisecond, Max: 2 * time.Millisecond}
	calls := 0
	err := p.Do(context.Background(), "x", nil, func() error {
		calls++
		if calls < 3 {
			return &errdefs.Error{Kind: errdefs.KindThrottled, Code: "Throttling.User"}
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("throttled twice: %v after %d calls", err, calls)
	}
	calls = 0
	err = p.Do(context.Background(), "x", nil, func() error { calls++; return &errdefs.Error{Kind: errdefs.KindForbidden} })
	if errdefs.KindOf(err) != errdefs.KindForbidden || calls != 1 {
		t.Errorf("forbidden: %v after %d calls", err, calls)
	}
	calls = 0
	err = p.Do(context.Background(), "x", nil, func() error { calls++; return &errdefs.Error{Kind: errdefs.KindUnavailable} })
	if errdefs.KindOf(err) != errdefs.KindUnavailable || calls != 4 {
		t.Errorf("always unavailable: %v after %d calls", err, calls)
	}
}

func TestTaskDone(t *testing.T) {
	for state, want := range map[string][2]bool{
		"running": {false, false}, "success": {true, true}, "fail": {true, false}, "failed": {true, false},
		"timeout": {true, false}, "canceled": {true, false}, "": {false, false},
	} {
		done, ok := TaskDone(state)
		if done != want[0] || ok != want[1] {
			t.Errorf("TaskDone(%q) = %v, %v", state, done, ok)
		}
	}
}

// The doubling overflows after 63 attempts: the pause stays at the cap,
// never negative (which would panic) or zero (a retry storm).
func TestRetryPolicyPauseOverflow(t *testing.T) {
	p := RetryPolicy{Attempts: 1000, Initial: 100 * time.Millisecond, Max: time.Second}
	for _, n := range []int{30, 37, 38, 40, 64, 65, 200, 999} {
		if d := p.Pause(n); d < p.Max/2 || d > p.Max {
			t.Errorf("pause %d = %s, want within [%s, %s]", n, d, p.Max/2, p.Max)
		}
	}
}
