package backoff

import (
	"testing"
	"time"
)

func TestInterval(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Factor: 2, Max: time.Second}
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 64: time.Second, 999: time.Second} {
		if got := b.Interval(n); got != want {
			t.Errorf("Interval(%d) = %s, want %s", n, got, want)
		}
	}
	// The jittered steps stay within [d, d*(1+Jitter)] and follow Interval.
	b.Jitter = 0.1
	s := b.Steps()
	for n := 1; n <= 8; n++ {
		d, want := s.Step(), b.Interval(n)
		if d < want || d > want+want/10 {
			t.Errorf("step %d = %s, want within [%s, %s]", n, d, want, want+want/10)
		}
	}
}
