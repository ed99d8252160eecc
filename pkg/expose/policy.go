package expose

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// The rules of the policy gate (status --fail-if), each broken by a row:
const (
	// RuleOpen: a public endpoint that admits every source address (no
	// allow list, a list that is off, a blacklist, or an empty whitelist).
	RuleOpen = "open"
	// RuleExpired: a public endpoint whose allow list still admits entries
	// whose --for expiry has passed (`revoke --expired` removes them).
	RuleExpired = "expired"
	// RuleUnchecked: a public endpoint whose allow list could not be read.
	RuleUnchecked = "unchecked"
	// RulePublic: any public endpoint at all.
	RulePublic = "public"
	// RuleError: a row the audit could not read because of a cloud error.
	RuleError = "error"
)

// Rules are the rules --fail-if takes, in the order they are documented.
var Rules = []string{RuleOpen, RuleExpired, RuleUnchecked, RulePublic, RuleError}

// PolicyResult is the gate's outcome in the audit's JSON: how many rows
// break a rule, and how many the gate could not judge (unknown).
type PolicyResult struct {
	FailIf     []string `json:"failIf"`
	Violations int      `json:"violations"`
	Unjudged   int      `json:"unjudged"`
}

// ParseRules checks the --fail-if values (comma lists allowed). Values that
// name no rule at all ("", ",") are an error: an empty CI variable must not
// silently turn the gate off.
func ParseRules(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, r := range strings.Split(v, ",") {
			r = strings.TrimSpace(r)
			if r == "" {
				continue
			}
			if !slices.Contains(Rules, r) {
				return nil, errdefs.Errorf(errdefs.KindInvalid, "--fail-if %q is not a rule: use one or more of %s", r, strings.Join(Rules, ", "))
			}
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	if values != nil && len(out) == 0 {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "--fail-if names no rule: use one or more of %s (or leave the flag out)", strings.Join(Rules, ", "))
	}
	return out, nil
}

// Enforce marks the rows that break rules and returns how many rows do; the
// rows it could not judge (a rule needed an allow list that could not be
// read) it marks Unjudged, counted in list.Policy.Unjudged. The audit has
// read the whitelists of public endpoints already (openToInternet); only
// RuleExpired costs more calls: it judges every enabled whitelist, since a
// list guards the intranet endpoint too, and reads those the audit did not
// (one call each, with the credentials of the row's account).
func (s *Service) Enforce(ctx context.Context, list *ExposureList, rules []string, now time.Time) int {
	if slices.Contains(rules, RuleExpired) || slices.Contains(rules, RuleOpen) || slices.Contains(rules, RuleUnchecked) {
		s.readWhitelists(ctx, list, slices.Contains(rules, RuleExpired))
	}
	n, unknown := 0, 0
	for i := range list.Items {
		it := &list.Items[i]
		it.Violations, it.Unjudged = nil, nil
		exposed := it.PublicEndpoint != ""
		a := it.AccessControl
		unread := a != nil && a.Error != ""
		for _, r := range rules {
			switch {
			case r == RulePublic && exposed:
				it.Violations = append(it.Violations, fmt.Sprintf("%s: public endpoint %s", r, it.PublicEndpoint))
			case r == RuleOpen && exposed && unread:
				it.Unjudged = append(it.Unjudged, fmt.Sprintf("%s: %s", r, a.Error))
			case r == RuleOpen && exposed && a != nil && (!a.Enabled || a.Type != cloudenum.ACLWhite || a.OpenToInternet != nil && *a.OpenToInternet):
				it.Violations = append(it.Violations, fmt.Sprintf("%s: public endpoint %s admits every source address", r, it.PublicEndpoint))
			case r == RuleUnchecked && exposed && (a == nil || unread):
				why := "no allow list is known"
				if a != nil {
					why = a.Error
				}
				it.Violations = append(it.Violations, fmt.Sprintf("%s: who may reach public endpoint %s is unknown: %s", r, it.PublicEndpoint, why))
			case r == RuleExpired && unread:
				it.Unjudged = append(it.Unjudged, fmt.Sprintf("%s: %s", r, a.Error))
			case r == RuleExpired && a != nil:
				if old := s.expiredEntries(list, it, now); len(old) > 0 {
					it.Violations = append(it.Violations, fmt.Sprintf("%s: the allow list still admits expired entries %s", r, strings.Join(old, ", ")))
				}
			case r == RuleError && it.CloudError:
				it.Violations = append(it.Violations, fmt.Sprintf("%s: %s", r, it.Error))
			}
		}
		if len(it.Violations) > 0 {
			n++
		}
		if len(it.Unjudged) > 0 {
			unknown++
		}
	}
	list.Policy = &PolicyResult{FailIf: rules, Violations: n, Unjudged: unknown}
	return n
}

// aclKey names an allow list read by the audit: its ID within the region and
// account (the service) it was read with.
type aclKey struct {
	svc           *Service
	region, aclID string
}

// aclRead is what reading one allow list found.
type aclRead struct {
	acl *backend.ACL
	err error
}

// whitelistOf is the enabled whitelist of a row whose access control is
// known, and the key to read it with; ok is false for any other row, and for
// a private row unless all is set.
func (s *Service) whitelistOf(it *AuditItem, all bool) (aclKey, bool) {
	a := it.AccessControl
	if (!all && it.PublicEndpoint == "") || a == nil || !a.Enabled || a.Type != cloudenum.ACLWhite || a.AclID == "" || a.Error != "" {
		return aclKey{}, false
	}
	return aclKey{cmp.Or(it.svc, s), it.Cluster.RegionID, a.AclID}, true
}

// readWhitelists reads the entries of the enabled whitelists that guard
// public endpoints, or of every enabled whitelist when all is set: one call
// per list not read yet (the cloud has no batch read of entries), at most
// auditParallel at a time, each with the service of its row's account. Each
// public row then says whether its entries admit every address
// (openToInternet); a list that cannot be read makes its rows' access
// control unknown (Error), never open or closed.
func (s *Service) readWhitelists(ctx context.Context, list *ExposureList, all bool) {
	if list.acls == nil {
		list.acls = map[aclKey]aclRead{}
	}
	var keys []aclKey
	for i := range list.Items {
		if k, ok := s.whitelistOf(&list.Items[i], all); ok && !slices.Contains(keys, k) {
			if _, read := list.acls[k]; !read {
				keys = append(keys, k)
			}
		}
	}
	reads := make([]aclRead, len(keys))
	var wg sync.WaitGroup
	sem := make(chan struct{}, auditParallel)
	for i, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			acl, err := k.svc.Backend.DescribeACL(ctx, k.region, k.aclID)
			if err == nil && acl == nil {
				err = fmt.Errorf("allow list %s not found", k.aclID)
			}
			reads[i] = aclRead{acl, err}
		}()
	}
	wg.Wait()
	for i, k := range keys {
		list.acls[k] = reads[i]
	}
	for i := range list.Items {
		it := &list.Items[i]
		k, ok := s.whitelistOf(it, all)
		if !ok {
			continue
		}
		a, r := it.AccessControl, list.acls[k]
		switch {
		case r.err != nil:
			a.Error = fmt.Sprintf("cannot read the allow list %s: %s", k.aclID, errdefs.FirstLine(r.err))
			a.OpenToInternet = nil
		case it.PublicEndpoint != "":
			cidrs := make([]string, len(r.acl.Entries))
			for j, e := range r.acl.Entries {
				cidrs[j] = e.CIDR
			}
			a.OpenToInternet = ptr(len(cidrs) == 0 || CoversEveryone(cidrs))
		}
	}
}

// expiredEntries lists the entries of the row's allow list, as read by
// readWhitelists, whose --for expiry has passed at now.
func (s *Service) expiredEntries(list *ExposureList, it *AuditItem, now time.Time) []string {
	k, ok := s.whitelistOf(it, true)
	if !ok {
		return nil
	}
	r, ok := list.acls[k]
	if !ok || r.err != nil {
		return nil
	}
	var old []string
	for _, e := range r.acl.Entries {
		if t, ok := ParseExpiry(e.Comment); ok && !now.Before(t) {
			old = append(old, fmt.Sprintf("%s (expired %s)", e.CIDR, t.UTC().Format(time.RFC3339)))
		}
	}
	return old
}
