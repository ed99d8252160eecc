package expose

import (
	"context"
	"fmt"
	"time"

	"github.com/ack-expose/ack-expose/internal/backoff"
	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/pkg/backend"
)

// PollPolicy is how waiting polls: a first poll soon, then growing intervals
// up to a cap, each with jitter, so a quick operation is seen finishing at once
// and a slow one costs few calls.
type PollPolicy struct {
	Initial time.Duration
	Factor  float64
	Max     time.Duration
	Jitter  float64 // fraction added at random to each interval
	// DeadlineScale, between 0 and 1, shortens the deadlines waited with
	// this policy (commit confirmed's window and settle time): a test knob,
	// set only by the story harness, so a story sits through a tenth of a
	// 5 s window. What is said about a deadline keeps its real duration.
	// Zero (or anything else outside (0, 1)) waits the real deadline.
	DeadlineScale float64
}

// deadline is d as waited under the policy's DeadlineScale.
func (p PollPolicy) deadline(d time.Duration) time.Duration {
	if p.DeadlineScale > 0 && p.DeadlineScale < 1 {
		return time.Duration(float64(d) * p.DeadlineScale)
	}
	return d
}

// DefaultPoll: with a 3 s operation it polls at ~0.5, 1.2, 2.0, 3.1 s.
// At the 5 s cap a long ACK rolling update costs one DescribeTaskInfo call
// each 5 s, far below the API's quota.
var DefaultPoll = PollPolicy{Initial: 500 * time.Millisecond, Factor: 1.3, Max: 5 * time.Second, Jitter: 0.1}

func (p PollPolicy) orDefault() PollPolicy {
	if p.Initial <= 0 {
		return DefaultPoll
	}
	return p
}

func (p PollPolicy) backoff() backoff.Backoff {
	return backoff.Backoff{Initial: p.Initial, Factor: p.Factor, Max: p.Max, Jitter: p.Jitter}
}

// poll calls check after each interval until it reports done or fails, or ctx ends.
func (p PollPolicy) poll(ctx context.Context, check func() (bool, error)) error {
	steps := p.orDefault().backoff().Steps()
	for {
		t := time.NewTimer(steps.Step())
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		done, err := check()
		if err != nil || done {
			return err
		}
	}
}

// pollNow is poll with a first check right away, for states that are
// usually already reached.
func (p PollPolicy) pollNow(ctx context.Context, check func() (bool, error)) error {
	if done, err := check(); err != nil || done {
		return err
	}
	return p.poll(ctx, check)
}

func (s *Service) waiting(format string, start time.Time, args ...any) {
	if s.Progress != nil {
		s.Progress.Waiting(fmt.Sprintf(format, args...), time.Since(start))
	}
}

// waitTask polls DescribeTaskInfo until the task is final.
func (s *Service) waitTask(ctx context.Context, id string) (*backend.Task, error) {
	start := time.Now()
	var task *backend.Task
	s.waiting("waiting for task %s (accepted)", start, id)
	err := s.Poll.poll(ctx, func() (bool, error) {
		t, err := s.Backend.DescribeTask(ctx, id)
		if err != nil {
			return s.transient(err, start, "task "+id)
		}
		task = t
		done, ok := backend.TaskDone(t.State)
		if done && !ok {
			msg := fmt.Sprintf("task %s ended %s", id, t.State)
			if t.ErrorCode != "" || t.ErrorMsg != "" {
				msg += fmt.Sprintf(": %s: %s", t.ErrorCode, t.ErrorMsg)
			}
			return true, &taskFailedError{msg: msg}
		}
		stage := t.State
		if t.Stage != "" {
			stage += ", " + t.Stage
		}
		if !done {
			s.waiting("waiting for task %s (%s)", start, id, stage)
		}
		return done, nil
	})
	return task, err
}

// waitCluster polls the cluster until it is running again.
func (s *Service) waitCluster(ctx context.Context, id string) (*backend.Cluster, error) {
	start := time.Now()
	var out *backend.Cluster
	check := func() (bool, error) {
		c, err := s.Backend.DescribeCluster(ctx, id)
		if err != nil {
			return s.transient(err, start, "cluster "+id)
		}
		out = c
		if backend.IsTerminal(c.State) {
			return true, &taskFailedError{msg: fmt.Sprintf("cluster %s (%s) is %s: the change did not complete", c.Name, c.ID, c.State)}
		}
		if c.State != backend.StateRunning {
			s.waiting("waiting for cluster %s to be running (now %s)", start, c.Name, c.State)
		}
		return c.State == backend.StateRunning, nil
	}
	err := s.Poll.pollNow(ctx, check)
	return out, err
}

// waitEIP polls an EIP until it has the wanted status.
func (s *Service) waitEIP(ctx context.Context, region, id, status string) (*backend.EIP, error) {
	start := time.Now()
	var out *backend.EIP
	check := func() (bool, error) {
		list, err := s.lookupEIPs(ctx, region, backend.EIPQuery{AllocationIDs: []string{id}})
		if err != nil {
			return s.transient(err, start, "EIP "+id)
		}
		if len(list) == 0 {
			return false, errdefs.Errorf(errdefs.KindNotFound, "EIP %s disappeared from region %s", id, region)
		}
		out = &list[0]
		if out.Status != status {
			s.waiting("waiting for EIP %s to be %s (now %s)", start, id, status, out.Status)
		}
		return out.Status == status, nil
	}
	err := s.Poll.pollNow(ctx, check)
	return out, err
}

// transient decides what a failed poll means: the cloud's temporary trouble
// (throttling, 5xx, a refused or reset connection) is waited out, until the
// wait's own deadline; anything else ends the wait.
func (s *Service) transient(err error, start time.Time, what string) (bool, error) {
	if errdefs.Retryable(err) {
		s.waiting("waiting for %s (the cloud answered %s; trying again)", start, what, errdefs.FirstLine(err))
		return false, nil
	}
	return false, err
}

// settledEIP reads an EIP, waiting while it is Associating or Unassociating;
// nil when it no longer exists.
func (s *Service) settledEIP(ctx context.Context, region, id string) (*backend.EIP, error) {
	return s.pollEIP(ctx, region, id, "settle", func(status string) bool {
		return status != backend.EIPAssociating && status != backend.EIPUnassociating
	})
}

// waitEIPFree waits until an EIP is Available, or gone or Releasing (the
// cloud released it: nil or that EIP is returned).
func (s *Service) waitEIPFree(ctx context.Context, region, id string) (*backend.EIP, error) {
	return s.pollEIP(ctx, region, id, "be Available", func(status string) bool {
		return status == backend.EIPAvailable || status == backend.EIPReleasing
	})
}

// pollEIP reads an EIP until done accepts its status, or it no longer exists
// (nil), waiting out the cloud's temporary trouble.
func (s *Service) pollEIP(ctx context.Context, region, id, what string, done func(status string) bool) (*backend.EIP, error) {
	start := time.Now()
	var out *backend.EIP
	err := s.Poll.pollNow(ctx, func() (bool, error) {
		list, err := s.lookupEIPs(ctx, region, backend.EIPQuery{AllocationIDs: []string{id}})
		if err != nil {
			return s.transient(err, start, "EIP "+id)
		}
		if len(list) == 0 {
			out = nil
			return true, nil
		}
		out = &list[0]
		if done(out.Status) {
			return true, nil
		}
		s.waiting("waiting for EIP %s to %s (now %s)", start, id, what, out.Status)
		return false, nil
	})
	return out, err
}

// eipGone reports whether an EIP is released or being released.
func (s *Service) eipGone(ctx context.Context, region, id string) (bool, error) {
	list, err := s.lookupEIPs(ctx, region, backend.EIPQuery{AllocationIDs: []string{id}})
	if err != nil {
		return false, err
	}
	return len(list) == 0 || list[0].Status == backend.EIPReleasing, nil
}
