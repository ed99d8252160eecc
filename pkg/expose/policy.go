package expose

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
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
// read) it marks Unjudged, counted in list.Policy.Unjudged. Only RuleOpen,
// RuleExpired and RuleUnchecked cost calls: one read of each allow list they
// judge (the audit reads no entries otherwise), so that a whitelist whose
// entries admit every address counts as open, and its row says so
// (openToInternet). Expired judges every enabled whitelist, since a list
// guards the intranet endpoint too; open and unchecked judge public ones.
func (s *Service) Enforce(ctx context.Context, list *ExposureList, rules []string, now time.Time) int {
	var expired map[string][]string
	if slices.Contains(rules, RuleExpired) || slices.Contains(rules, RuleOpen) || slices.Contains(rules, RuleUnchecked) {
		expired = s.readWhitelists(ctx, list, now, slices.Contains(rules, RuleExpired))
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
			case r == RuleExpired && a != nil && len(expired[it.Cluster.RegionID+"/"+a.AclID]) > 0:
				it.Violations = append(it.Violations, fmt.Sprintf("%s: the allow list still admits expired entries %s", r, strings.Join(expired[it.Cluster.RegionID+"/"+a.AclID], ", ")))
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

// readWhitelists reads the enabled whitelists that guard public endpoints,
// or every enabled whitelist when all is set (one call each, at most
// auditParallel at a time), records in each public row whether its entries
// admit every address (openToInternet), and returns, by region/ACL, the
// entries whose expiry has passed. A list that cannot be read makes its rows'
// access control unknown (a.Error).
func (s *Service) readWhitelists(ctx context.Context, list *ExposureList, now time.Time, all bool) map[string][]string {
	type key struct{ region, acl string }
	judged := func(it *AuditItem) bool {
		a := it.AccessControl
		return (all || it.PublicEndpoint != "") && a != nil && a.Enabled && a.Type == cloudenum.ACLWhite && a.AclID != "" && a.Error == ""
	}
	var keys []key
	seen := map[key]bool{}
	for i := range list.Items {
		it := &list.Items[i]
		if !judged(it) {
			continue
		}
		a := it.AccessControl
		k := key{it.Cluster.RegionID, a.AclID}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].region+keys[i].acl < keys[j].region+keys[j].acl })
	out := map[string][]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, auditParallel)
	for _, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			acl, err := s.Backend.DescribeACL(ctx, k.region, k.acl)
			if err == nil && acl == nil {
				err = fmt.Errorf("allow list %s not found", k.acl)
			}
			var old, cidrs []string
			if err == nil {
				for _, e := range acl.Entries {
					cidrs = append(cidrs, e.CIDR)
					if t, ok := ParseExpiry(e.Comment); ok && !now.Before(t) {
						old = append(old, fmt.Sprintf("%s (expired %s)", e.CIDR, t.UTC().Format(time.RFC3339)))
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			out[k.region+"/"+k.acl] = old
			for i := range list.Items {
				it := &list.Items[i]
				if a := it.AccessControl; judged(it) && it.Cluster.RegionID == k.region && a.AclID == k.acl {
					if err != nil {
						a.Error = fmt.Sprintf("cannot read the allow list %s: %s", k.acl, errdefs.FirstLine(err))
						a.OpenToInternet = nil
						continue
					}
					if it.PublicEndpoint == "" {
						continue
					}
					a.OpenToInternet = ptr(len(cidrs) == 0 || CoversEveryone(cidrs))
				}
			}
		}()
	}
	wg.Wait()
	return out
}
