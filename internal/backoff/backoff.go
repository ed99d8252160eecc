// Package backoff is the one backoff schedule of ack-expose, on
// apimachinery's wait.Backoff: the retries of throttled calls
// (backend.RetryPolicy), the polls of a wait (expose.PollPolicy) and the
// wait for kubectl's kubeconfig lock all grow their pauses through it.
package backoff

import (
	"math"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// Backoff grows an interval from Initial by Factor per step up to Max, with
// up to Jitter (a fraction) added at random to each.
type Backoff struct {
	Initial time.Duration
	Factor  float64
	Max     time.Duration
	Jitter  float64
}

// Steps returns the schedule as a wait.Backoff whose Step gives the next
// interval (jittered), for ever. The cap is also what keeps the growth from
// overflowing into a negative or zero pause: without a Max, the interval
// stays at Initial.
func (b Backoff) Steps() *wait.Backoff {
	return &wait.Backoff{Duration: b.Initial, Factor: b.Factor, Jitter: b.Jitter, Cap: max(b.Max, b.Initial), Steps: math.MaxInt32}
}

// Interval returns interval n (from 1) before jitter: Initial*Factor^(n-1),
// at most Max.
func (b Backoff) Interval(n int) time.Duration {
	s := b.Steps()
	s.Jitter = 0
	d := s.Step()
	for i := 1; i < n && d < s.Cap; i++ {
		d = s.Step()
	}
	return d
}
