package backend

import (
	"context"
	"errors"
	"testing"
	"time"
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
			return &Error{Kind: KindThrottled, Code: "Throttling.User"}
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("throttled twice: %v after %d calls", err, calls)
	}
	calls = 0
	err = p.Do(context.Background(), "x", nil, func() error { calls++; return &Error{Kind: KindForbidden} })
	if KindOf(err) != KindForbidden || calls != 1 {
		t.Errorf("forbidden: %v after %d calls", err, calls)
	}
	calls = 0
	err = p.Do(context.Background(), "x", nil, func() error { calls++; return &Error{Kind: KindUnavailable} })
	if KindOf(err) != KindUnavailable || calls != 4 {
		t.Errorf("always unavailable: %v after %d calls", err, calls)
	}
}

func TestKindForCloudCode(t *testing.T) {
	for _, tc := range []struct {
		code   string
		status int
		want   Kind
	}{
		{"Throttling.User", 400, KindThrottled},
		{"QPS Limit Exceeded", 400, KindThrottled},
		{"ServiceUnavailable", 503, KindUnavailable},
		{"", 502, KindUnavailable},
		{"ErrorClusterNotFound", 404, KindNotFound},
		{"Forbidden.RAM", 403, KindForbidden},
		{"ErrorCheckAcl", 403, KindForbidden},
		{"IncorrectEipStatus", 400, KindConflict},
		{"SomethingNew", 400, KindInternal},
	} {
		if got := KindForCloudCode(tc.code, tc.status); got != tc.want {
			t.Errorf("%q %d: %v, want %v", tc.code, tc.status, got, tc.want)
		}
	}
	e := &Error{Kind: KindNotFound, Msg: "m", Code: "C", RequestID: "R", Hint: "do this"}
	if e.Error() != "m (code C, request ID R)\ndo this" || !errors.Is(e, e) {
		t.Errorf("%q", e.Error())
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
