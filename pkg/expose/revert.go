package expose

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/internal/plural"
	"github.com/ack-expose/ack-expose/internal/shellquote"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Reverting an access change that commit confirmed found locking this machine
// out: the list put back as it was, or the command that restores it.

// revertAccess puts the API server listener's access control back as the
// plan found it: its AclStatus and AclType, and the entries of its list, with
// their comments. It reads the list as it is now and changes only what
// differs, so it also undoes a change that was carried out in part. When the
// change created the list, "as it was" is access control off and the new
// list empty: the listener keeps naming it (SetLoadBalancerTCPListenerAttribute
// cannot unset AclId), and the next allow uses it again. Access comes back
// first: a list turned on is turned off before the entries are restored, and
// entries removed are added back before the ones added are removed.
func (s *Service) revertAccess(ctx context.Context, p *AccessPlan) error {
	c, prev := p.Cluster, p.Listener
	l, a, err := s.readAccess(ctx, c)
	if err != nil {
		return &revertError{step: "reading the list as it is now", err: err}
	}
	want := []backend.ACLEntry{}
	if p.ACL != nil && a != nil && a.ID == p.ACL.ID {
		want = p.ACL.Entries
	}
	var add, remove []backend.ACLEntry
	if a != nil {
		add, remove = entryDiff(a.Entries, want)
	}
	var set *backend.ListenerACL
	if l.Status != prev.Status || (prev.Type != "" && l.Type != prev.Type) || (prev.ACLID != "" && l.ACLID != prev.ACLID) {
		set = &backend.ListenerACL{LoadBalancerID: l.LoadBalancerID, Port: l.Port, Status: prev.Status, Type: prev.Type}
		if prev.ACLID != l.ACLID {
			set.ACLID = prev.ACLID
		}
	}
	setListener := func() error {
		if set == nil {
			return nil
		}
		if err := s.Backend.SetListenerACL(ctx, c.RegionID, *set); err != nil {
			return &revertError{step: fmt.Sprintf("setting listener %d of CLB %s back to AclStatus %s", APIServerPort, l.LoadBalancerID, prev.Status), err: err}
		}
		s.note("reverted: access control of listener %d of CLB %s is %s again", APIServerPort, l.LoadBalancerID, prev.Status)
		return nil
	}
	entries := func(verb string, list []backend.ACLEntry, call func(context.Context, string, string, []backend.ACLEntry) error) func() error {
		return func() error {
			for lo := 0; lo < len(list); lo += backend.ACLEntriesPerCall {
				batch := list[lo:min(lo+backend.ACLEntriesPerCall, len(list))]
				if err := call(ctx, c.RegionID, a.ID, batch); err != nil {
					return &revertError{step: fmt.Sprintf("%s %s", verb, cidrs(batch)), err: err}
				}
				s.note("reverted: %s %s", pastTense(verb), cidrs(batch))
			}
			return nil
		}
	}
	addBack, removeNew := entries("adding back", add, s.Backend.AddACLEntries), entries("removing", remove, s.Backend.RemoveACLEntries)
	order := []func() error{addBack, removeNew}
	if a != nil && len(a.Entries)+len(add) > backend.ACLEntriesMax {
		order = []func() error{removeNew, addBack}
	}
	if set != nil && set.Status == cloudenum.ACLOff {
		order = append([]func() error{setListener}, order...)
	} else {
		order = append(order, setListener)
	}
	for _, f := range order {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

func pastTense(verb string) string {
	if verb == "adding back" {
		return "added back"
	}
	return "removed"
}

// entryDiff is what to add to have and what to remove from it to get want.
func entryDiff(have, want []backend.ACLEntry) (add, remove []backend.ACLEntry) {
	in := func(list []backend.ACLEntry, cidr string) bool {
		for _, e := range list {
			if e.CIDR == cidr {
				return true
			}
		}
		return false
	}
	for _, e := range want {
		if !in(have, e.CIDR) {
			add = append(add, e)
		}
	}
	for _, e := range have {
		if !in(want, e.CIDR) {
			remove = append(remove, e)
		}
	}
	return add, remove
}

func cidrs(list []backend.ACLEntry) string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.CIDR
	}
	return strings.Join(out, ", ")
}

// describeList says what a listener's access control is: off, or on with
// the entries of its list.
func describeList(l *backend.ListenerACL, a *backend.ACL) string {
	if l == nil {
		return "unknown"
	}
	if l.Status != cloudenum.ACLOn {
		return "access control off: every source may connect"
	}
	if a == nil || len(a.Entries) == 0 {
		return fmt.Sprintf("%s list %s on, empty: every source may connect", l.Type, l.ACLID)
	}
	return fmt.Sprintf("%s list %s on, %s: %s", l.Type, l.ACLID, plural.N(len(a.Entries), "entry", "entries"), cidrs(a.Entries))
}

// partly returns op and err as they are, unless err cut the change short
// after some of it was made (op.Changed): then the error says so, with said
// (what became of the part made, if known), and what the list is now and was.
// It keeps err's kind, so the exit code is the failed step's.
func (s *Service) partly(ctx context.Context, p *AccessPlan, op *Operation, err error, said string) (*Operation, error) {
	if err == nil {
		return op, nil
	}
	if op == nil || !op.Changed {
		return nil, err
	}
	now := "unknown"
	if l, a, rerr := s.readAccess(context.WithoutCancel(ctx), p.Cluster); rerr == nil {
		now = describeList(l, a)
	} else {
		now = "unknown (reading it failed too: " + errdefs.FirstLine(rerr) + ")"
	}
	hint := fmt.Sprintf("The allow list now: %s.\nIt was: %s.\nRun the command again to finish the change, or put the list back: %s",
		now, describeList(p.Listener, p.ACL), restoreCommand(p))
	if said != "" {
		hint = said + ".\n" + hint
	}
	return nil, &errdefs.Error{Kind: errdefs.KindOf(err),
		Msg:  fmt.Sprintf("the %s was carried out in part, then failed", p.Request.action()),
		Hint: hint, Err: err}
}

// restoreCommand is the command that puts back who may connect as the plan
// found it. A list that was on but empty (or a listener on without a list)
// admitted every source: its restore is --anyone (access control off admits
// the same sources), never an --only of the required entries, which would
// shut out the user who runs it. Entries keep their comments and, temporary
// ones, the time they had left when the plan was made (--for): one allow per
// comment and time left, the first with --only, joined with &&, every word
// shell-quoted so that the command can be copied as printed.
func restoreCommand(p *AccessPlan) string {
	id := p.Cluster.ID
	if p.Listener.Status != cloudenum.ACLOn || p.ACL == nil || len(p.ACL.Entries) == 0 {
		return "`" + shellquote.Join("kubectl", "ack-expose", "allow", "--anyone", "--cluster-id", id, "--yes") + "`"
	}
	now := p.now
	if now.IsZero() {
		now = time.Now()
	}
	groups := restoreGroups(p, now)
	if len(groups) == 0 { // only required entries: put them back alone
		groups = []restoreGroup{{cidrs: p.Required}}
	}
	cmds := make([]string, len(groups))
	for i, g := range groups {
		w := []string{"kubectl", "ack-expose", "allow"}
		if i == 0 {
			w = append(w, "--only")
		}
		w = append(w, g.cidrs...)
		if g.comment != "" {
			w = append(w, "--comment", g.comment)
		}
		if g.left > 0 {
			w = append(w, "--for", g.left.String())
		}
		cmds[i] = shellquote.Join(append(w, "--cluster-id", id, "--yes")...)
	}
	return "`" + strings.Join(cmds, " && ") + "`"
}

// restoreGroup is the entries one restore command adds: those with the same
// comment and, for temporary ones, the same time left.
type restoreGroup struct {
	cidrs   []string
	comment string        // the comment the user gave (without the expiry)
	left    time.Duration // a temporary entry's time left at now, whole seconds
}

// restoreGroups groups the entries of the list the plan found, but the
// required ones (allow puts them back with their own comments) and the
// expired ones (any change removes them), by comment and time left, in the
// list's order.
func restoreGroups(p *AccessPlan, now time.Time) []restoreGroup {
	var groups []restoreGroup
	for _, e := range p.ACL.Entries {
		if slices.Contains(p.Required, e.CIDR) {
			continue
		}
		g := restoreGroup{comment: e.Comment}
		if until, ok := ParseExpiry(e.Comment); ok {
			if !now.Before(until) {
				continue
			}
			g.comment = userComment(e.Comment)
			g.left = max(until.Sub(now).Round(time.Second), time.Second)
		}
		g.comment = restorableComment(g.comment, g.left > 0)
		i := slices.IndexFunc(groups, func(x restoreGroup) bool { return x.comment == g.comment && x.left == g.left })
		if i < 0 {
			groups = append(groups, g)
			i = len(groups) - 1
		}
		groups[i].cidrs = append(groups[i].cidrs, e.CIDR)
	}
	return groups
}

// restorableComment is comment as --comment takes it, so that the restore
// command works when run as printed: a comment written elsewhere (the
// console, another tool) may hold what --comment refuses (CheckComment).
// Control characters become spaces, invalid UTF-8 the replacement
// character, a comment too long is cut; one holding the words only --for
// writes is dropped (the entry comes back without it).
func restorableComment(comment string, temporary bool) string {
	if CheckComment(comment, temporary) == nil {
		return comment
	}
	c := strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(comment, "\uFFFD"))
	if CheckComment(c, temporary) != nil && utf8.RuneCountInString(c) > 0 {
		limit := CommentMax
		if temporary {
			limit -= utf8.RuneCountInString(ExpiryComment("x", time.Now())) - 1
		}
		if r := []rune(c); len(r) > limit {
			c = string(r[:limit])
		}
	}
	if CheckComment(c, temporary) != nil {
		return ""
	}
	return c
}

// userComment is the part of a temporary entry's comment the user gave:
// what ExpiryComment wrote before the expiry ("" when the expiry is all).
func userComment(comment string) string {
	if strings.HasPrefix(comment, expiryPrefix) {
		return ""
	}
	return comment[:strings.LastIndex(comment, " ("+expiryPrefix)]
}

// revertError is a revert that stopped at a step.
type revertError struct {
	step string
	err  error
}

func (e *revertError) Error() string { return e.step + ": " + e.err.Error() }

func (e *revertError) Unwrap() error { return e.err }

// revertFailed says what state the list is in after a failed revert, what
// it was, and the command that restores it.
func revertFailed(ctx context.Context, s *Service, p *AccessPlan, why string, err error) error {
	now := "unknown"
	if l, a, rerr := s.readAccess(ctx, p.Cluster); rerr == nil {
		now = describeList(l, a)
	} else {
		now = "unknown (reading it failed too: " + errdefs.FirstLine(rerr) + ")"
	}
	step := "reverting"
	var re *revertError
	if errors.As(err, &re) {
		step, err = re.step, re.err
	}
	return &errdefs.Error{Kind: errdefs.KindInternal,
		Msg: fmt.Sprintf("the %s cut this machine off: %s.\nReverting it failed at %s: %s\nThe allow list now: %s.\nIt was: %s.",
			p.Request.action(), why, step, errdefs.FirstLine(err), now, describeList(p.Listener, p.ACL)),
		Hint: "Restore it from here (this uses the cloud API, not the API server): " + restoreCommand(p)}
}
