package expose

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Commit confirmed, as network engineers have long done it: a change of the
// allow list that could cut off the context in use is checked from this
// machine once it is made, and undone if the endpoint the context reaches
// stopped answering.
//
// The guarded endpoint is the one the context's server is: the public one,
// or the intranet one (the list governs both; a machine in the VPC, or on a
// VPN into it, reaches the intranet endpoint, and the list can cut it off
// too). The endpoint is checked once before the change: only an endpoint
// that answered then is guarded, so a change made from a machine that could
// not reach the cluster anyway is not undone for a failure it did not cause.
// "Answers" means the API server answered (Reachable): a certificate that
// does not verify is another problem, which the list does not change.
//
// After the change the endpoint is checked with short backoff until it has
// answered for a moment (settle: the cloud applies a list change within
// seconds, so one early answer is not proof), or until the confirm timeout
// has passed; if it still did not answer then, the listener and its list are
// put back exactly as they were, and the command fails with exit 7.

// DefaultConfirmTimeout is how long a change may take to prove it left the
// context in use working (--confirm-timeout).
const DefaultConfirmTimeout = 30 * time.Second

// MinConfirmTimeout is the least --confirm-timeout: the cloud takes seconds
// to apply a list change, so a shorter wait would confirm a change whose
// effect has not arrived yet.
const MinConfirmTimeout = 5 * time.Second

// forgetUnconfirmed drops the record of an unconfirmed change of cluster c
// left by a process that is gone: a later change of the list replaces it
// (its restore command would undo that change too).
func (s *Service) forgetUnconfirmed(c *backend.Cluster) {
	for _, r := range s.journalList() {
		if r.Kind == RecordUnconfirmed && r.ClusterID == c.ID && !s.Journal.Owned(r) {
			s.journalForget(r)
		}
	}
}

// unconfirmed says, from the journal, that a change of cluster c's list was
// not confirmed by a process that is gone, and how to undo it.
func (s *Service) unconfirmed(c *backend.Cluster, records []Record) string {
	for _, r := range records {
		if r.Kind != RecordUnconfirmed || r.ClusterID != c.ID || (s.Journal != nil && s.Journal.Owned(r)) {
			continue
		}
		when := r.Since.UTC().Format(time.RFC3339)
		if r.RevertFailed {
			return fmt.Sprintf("the %s of %s was not confirmed and could not be undone; to restore: %s", r.Change, when, r.Restore)
		}
		return fmt.Sprintf("the %s of %s was not confirmed (interrupted or killed); if this machine cannot reach the API server, run: %s",
			r.Change, when, r.Restore)
	}
	return ""
}

// ConfirmPoll paces the checks of commit confirmed.
var ConfirmPoll = PollPolicy{Initial: 200 * time.Millisecond, Factor: 1.5, Max: 2 * time.Second, Jitter: 0.1}

// maxSettle caps how long the endpoint must keep answering to confirm.
const maxSettle = 3 * time.Second

// CommitOptions control commit confirmed.
type CommitOptions struct {
	// Checker checks the endpoint from this machine; nil confirms nothing.
	Checker Checker
	// Skip is --no-confirm: nothing is checked, and a change that could cut
	// off the context in use warns what it risks.
	Skip bool
	// Timeout is how long the endpoint may take to answer after the change
	// (zero: DefaultConfirmTimeout).
	Timeout time.Duration
	// Poll paces the checks (zero: ConfirmPoll).
	Poll PollPolicy
}

func (c CommitOptions) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultConfirmTimeout
}

func (c CommitOptions) poll() PollPolicy {
	if c.Poll.Initial > 0 {
		return c.Poll
	}
	return ConfirmPoll
}

// settle is how long the endpoint must keep answering after the change.
func (c CommitOptions) settle() time.Duration {
	return min(c.timeout()/10, maxSettle)
}

// GuardedEndpoint is the endpoint of the cluster that the context in use
// reaches (public or intranet), when the plan could cut that context off;
// "" when commit confirmed does not apply: nothing changes, the change only
// adds sources or turns the list off, or the context reaches the cluster
// some other way (or there is no context).
func (p *AccessPlan) GuardedEndpoint() string {
	if p.NothingToDo || p.Lockout == "" || p.Cluster == nil {
		return ""
	}
	switch c := p.Cluster; {
	case kubeserver.SameEndpoint(c.PublicEndpoint, p.Target.Server) || p.Target.Kube.Reaches(c.PublicEndpoint):
		return c.PublicEndpoint
	case kubeserver.SameEndpoint(c.IntranetEndpoint, p.Target.Server) || p.Target.Kube.Reaches(c.IntranetEndpoint):
		return c.IntranetEndpoint
	}
	return ""
}

// checkedServer is the URL commit confirmed checks for the guarded endpoint:
// the context's server when it leads to the endpoint (a DNS name, a tunnel
// of ACK_EXPOSE_CONNECT_TO), as kubectl requests it: the name resolved by
// this machine, SNI, and the proxy chosen for that URL (NO_PROXY matched
// against the name; HTTPS_PROXY never applies to a loopback tunnel, a
// proxy-url always does); else the endpoint itself. "" when there is
// nothing to check.
func (p *AccessPlan) checkedServer() string {
	endpoint := p.GuardedEndpoint()
	if endpoint == "" {
		return ""
	}
	server := p.Target.Kube.Server
	if _, _, ok := kubeserver.HostPort(server); ok && !kubeserver.SameEndpoint(server, endpoint) {
		return server // as written: its case and a trailing dot decide NO_PROXY, as for kubectl
	}
	return endpoint
}

// announceCommit says, before a change that could cut off the context in use,
// how it is guarded: with Skip (--no-confirm), what it risks; on a dry run,
// that it would be confirmed.
func (s *Service) announceCommit(p *AccessPlan, o ApplyOptions) {
	endpoint := p.checkedServer()
	switch {
	case endpoint == "":
	case o.Commit.Skip:
		if !o.DryRun {
			s.warn("--no-confirm: the %s is not checked from this machine, nor reverted if it cuts this machine off; if the list no longer admits the address this machine connects from, context %q (%s) stops working, and only the cloud API can let it back in (`kubectl ack-expose allow <your address>`, from here or elsewhere).",
				p.Request.action(), p.Target.Context, endpoint)
		}
	case o.DryRun:
		s.note("After the change, %s (context %q) would be checked from this machine, and the change reverted if it stopped answering within %s (commit confirmed; --no-confirm skips it).",
			endpoint, p.Target.Context, o.Commit.timeout())
	}
}

// applyAccessConfirmed is applyAccess with commit confirmed (o.Commit): when
// the plan could cut off the context in use (GuardedEndpoint), the endpoint
// is checked before and after the change, and the change reverted if it
// stopped answering. The lockout guard asks first, so a refused change costs
// no check.
func (s *Service) applyAccessConfirmed(ctx context.Context, p *AccessPlan, o ApplyOptions) (*Operation, error) {
	c := o.Commit
	endpoint := p.checkedServer()
	if o.DryRun || c.Skip || c.Checker == nil || endpoint == "" {
		return s.applyAccessUnguarded(ctx, p, o)
	}
	if err := p.ask(o); err != nil {
		return nil, err
	}
	asked := o
	asked.Confirm = func(string) bool { return true }
	before := c.Checker.CheckEndpoint(ctx, endpoint, p.Target.Path())
	s.logCheck("before the change", &before)
	if !before.Reachable {
		return s.applyAccessUnverifiable(ctx, p, asked, endpoint, &before)
	}
	// The journal records the change before it is made: however this
	// process ends (Ctrl-C, kill -9, a lost machine), status then says that
	// it was not confirmed and how to undo it. Confirmed or reverted, the
	// record goes; a revert that fails marks it.
	pending := Record{Kind: RecordUnconfirmed, ClusterID: p.Cluster.ID, RegionID: p.Cluster.RegionID,
		Change: p.Request.action(), Restore: strings.Trim(restoreCommand(p), "`"), Since: time.Now().UTC()}
	if err := s.journalPut(ctx, pending); err != nil {
		return nil, fmt.Errorf("recording the %s before making it (nothing was changed): %w", p.Request.action(), err)
	}
	// A change that failed part way is checked too (and reverted if what
	// was made of it cut this machine off): a later batch of entries may
	// fail after an earlier one was made.
	op, applyErr := s.applyAccess(ctx, p, asked)
	if op == nil || !op.Changed {
		s.journalForget(pending)
		if applyErr != nil {
			return nil, applyErr
		}
		return op, nil
	}
	after, ok := s.watchEndpoint(ctx, c, endpoint, p.Target, c.settle(), "confirming the "+p.Request.action())
	if ok {
		s.journalForget(pending)
		if applyErr != nil {
			return s.partly(ctx, p, op, applyErr, fmt.Sprintf("%s still answers from this machine, so what was made of it stays", endpoint))
		}
		s.step(op, "confirmed: %s still answers from this machine", endpoint)
		return op, nil
	}
	if ctx.Err() != nil {
		return nil, &errdefs.Error{Kind: errdefs.KindInterrupted,
			Msg:  fmt.Sprintf("interrupted while confirming the %s: the change is made and stays, unconfirmed", p.Request.action()),
			Hint: fmt.Sprintf("Check that context %q still works (`kubectl ack-expose status --check`); to undo the change: %s", p.Target.Context, restoreCommand(p)),
			Err:  ctx.Err()}
	}
	return nil, s.revertUnconfirmed(ctx, p, c, endpoint, &after, applyErr, pending)
}

// applyAccessUnguarded applies a plan that commit confirmed does not guard
// (a dry run, --no-confirm, no checker, or no context it could cut off).
func (s *Service) applyAccessUnguarded(ctx context.Context, p *AccessPlan, o ApplyOptions) (*Operation, error) {
	op, err := s.applyAccess(ctx, p, o)
	if err == nil && op != nil && op.Changed {
		s.forgetUnconfirmed(p.Cluster)
	}
	return s.partly(ctx, p, op, err, "")
}

// applyAccessUnverifiable applies a plan whose guarded endpoint did not
// answer even before the change: a check after it could prove nothing, so
// the change is made unconfirmed, and the user told so.
func (s *Service) applyAccessUnverifiable(ctx context.Context, p *AccessPlan, asked ApplyOptions, endpoint string, before *backend.CheckResult) (*Operation, error) {
	msg := fmt.Sprintf("not confirming the %s: %s does not answer from this machine even before it (%s), so a check after it could not tell whether it cut this machine off",
		p.Request.action(), endpoint, checkFailure(before))
	s.note("%s", msg)
	op, err := s.applyAccess(ctx, p, asked)
	if op != nil {
		op.Warnings = append(op.Warnings, msg)
	}
	return s.partly(ctx, p, op, err, "")
}

// revertUnconfirmed puts back a change after which the guarded endpoint
// stopped answering, and says so: the change refused (exit 7), or the
// change's own error when it failed part way. A revert that fails leaves the
// journal record, marked, so that status says the change could not be
// undone and how to restore the list.
func (s *Service) revertUnconfirmed(ctx context.Context, p *AccessPlan, c CommitOptions, endpoint string, after *backend.CheckResult, applyErr error, pending Record) error {
	t := p.Target
	why := fmt.Sprintf("%s stopped answering from this machine after it (%s)", endpoint, checkFailure(after))
	if err := s.revertAccess(ctx, p); err != nil {
		pending.RevertFailed = true
		if jerr := s.journalPut(ctx, pending); jerr != nil && s.Log != nil {
			s.Log("journal: %v", jerr)
		}
		return revertFailed(ctx, s, p, why, err)
	}
	s.journalForget(pending)
	hint := fmt.Sprintf("The allow list is back as it was (%s), so context %q works again.", describeList(p.Listener, p.ACL), t.Context)
	if again, ok := s.watchEndpoint(ctx, c, endpoint, t, 0, "checking "+endpoint+" again"); !ok {
		hint = fmt.Sprintf("The allow list is back as it was (%s), but %s does not answer from this machine yet (%s): the cloud may take a moment to apply it; check with `kubectl ack-expose status --check`.",
			describeList(p.Listener, p.ACL), endpoint, checkFailure(&again))
	}
	if applyErr != nil {
		// The original error decides the exit code; the revert is told.
		return &errdefs.Error{Kind: errdefs.KindOf(applyErr),
			Msg:  fmt.Sprintf("the %s failed part way, and what was made of it was reverted, as %s", p.Request.action(), why),
			Hint: hint, Err: applyErr}
	}
	hint += "\nAllow the address this machine connects from in the same command, or, to make this change anyway (context " +
		quote(t.Context) + " then stops working from here), run it again with --no-confirm."
	return &errdefs.Error{Kind: errdefs.KindRefused,
		Msg:  fmt.Sprintf("reverted the %s: %s", p.Request.action(), why),
		Hint: hint}
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// watchEndpoint checks endpoint with backoff until it has answered for
// settle without a miss, or the confirm timeout has passed; ok says whether
// it answers. The last check is returned.
func (s *Service) watchEndpoint(ctx context.Context, c CommitOptions, endpoint string, t Target, settle time.Duration, what string) (last backend.CheckResult, ok bool) {
	start := time.Now()
	poll := c.poll()
	wctx, cancel := context.WithTimeout(ctx, poll.deadline(c.timeout()))
	defer cancel()
	settle = poll.deadline(settle)
	var since time.Time // when the endpoint began answering without a miss
	_ = poll.pollNow(wctx, func() (bool, error) {
		// The check runs under ctx, not wctx: a check cut short by the
		// deadline would read as a failure of the endpoint.
		last = c.Checker.CheckEndpoint(ctx, endpoint, t.Path())
		s.logCheck(what, &last)
		if !last.Reachable {
			since = time.Time{}
			s.waiting("%s: %s does not answer from this machine (%s); waiting up to %s", start, what, endpoint, checkFailure(&last), c.timeout())
			return false, nil
		}
		if since.IsZero() {
			since = time.Now()
		}
		ok = time.Since(since) >= settle
		if !ok {
			s.waiting("%s: %s answers; checking it keeps answering", start, what, endpoint)
		}
		return ok, nil
	})
	// An endpoint that answered at the last check answers, if not for long.
	return last, ok || (last.Reachable && ctx.Err() == nil)
}

// checkFailure says in words which step of a check failed, and why.
func checkFailure(r *backend.CheckResult) string {
	if r.OK() {
		return "it answers"
	}
	step := map[string]string{backend.CheckStepConnect: "TCP connect", backend.CheckStepTLS: "TLS handshake",
		backend.CheckStepSAN: "certificate name", backend.CheckStepHTTP: "GET /version", backend.CheckStepEndpoint: "endpoint"}[r.Step]
	if step == "" {
		step = r.Step
	}
	return fmt.Sprintf("the check failed at the %s: %s", step, r.Error)
}

func (s *Service) logCheck(what string, r *backend.CheckResult) {
	if s.Log == nil {
		return
	}
	if r.Reachable {
		s.Log("commit confirmed, %s: %s answers (%d ms)", what, r.Endpoint, r.LatencyMs)
	} else {
		s.Log("commit confirmed, %s: %s does not answer: %s", what, r.Endpoint, checkFailure(r))
	}
}
