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

// PolicyResult is the gate's outcome in the audit's JSON.
type PolicyResult struct {
	FailIf     []string `json:"failIf"`
	Violations int      `json:"violations"`
}

// ParseRules checks the --fail-if values (comma lists allowed).
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
	return out, nil
}

// Enforce marks the rows that break rules and returns how many rows do.
// Only RuleOpen and RuleExpired cost calls: one read of each allow list that
// is on and guards a public endpoint (the audit reads no entries
// otherwise), so that a whitelist whose entries admit every address counts
// as open, and its row says so (openToInternet).
func (s *Service) Enforce(ctx context.Context, list *ExposureList, rules []string, now time.Time) int {
	var expired map[string][]string
	if slices.Contains(rules, RuleExpired) || slices.Contains(rules, RuleOpen) {
		expired = s.readWhitelists(ctx, list, now)
	}
	n := 0
	for i := range list.Items {
		it := &list.Items[i]
		it.Violations = nil
		exposed := it.PublicEndpoint != ""
		a := it.AccessControl
		for _, r := range rules {
			switch {
			case r == RulePublic && exposed:
				it.Violations = append(it.Violations, fmt.Sprintf("%s: public endpoint %s", r, it.PublicEndpoint))
			case r == RuleOpen && exposed && a != nil && a.Error == "" && (!a.Enabled || a.Type != cloudenum.ACLWhite || a.OpenToInternet != nil && *a.OpenToInternet):
				it.Violations = append(it.Violations, fmt.Sprintf("%s: public endpoint %s admits every source address", r, it.PublicEndpoint))
			case r == RuleUnchecked && exposed && (a == nil || a.Error != ""):
				why := "no allow list is known"
				if a != nil {
					why = a.Error
				}
				it.Violations = append(it.Violations, fmt.Sprintf("%s: who may reach public endpoint %s is unknown: %s", r, it.PublicEndpoint, why))
			case r == RuleExpired && exposed && a != nil && len(expired[it.Cluster.RegionID+"/"+a.AclID]) > 0:
				it.Violations = append(it.Violations, fmt.Sprintf("%s: the allow list still admits expired entries %s", r, strings.Join(expired[it.Cluster.RegionID+"/"+a.AclID], ", ")))
			case r == RuleError && it.CloudError:
				it.Violations = append(it.Violations, fmt.Sprintf("%s: %s", r, it.Error))
			}
		}
		if len(it.Violations) > 0 {
			n++
		}
	}
	list.Policy = &PolicyResult{FailIf: rules, Violations: n}
	return n
}

// readWhitelists reads the whitelists that guard public endpoints (one
// call each, at most auditParallel at a time), records in each row whether
// its entries admit every address (openToInternet), and returns, by
// region/ACL, the entries whose expiry has passed. A list that cannot be read
// makes its rows' access control unknown (RuleUnchecked's business).
func (s *Service) readWhitelists(ctx context.Context, list *ExposureList, now time.Time) map[string][]string {
	type key struct{ region, acl string }
	var keys []key
	seen := map[key]bool{}
	for _, it := range list.Items {
		a := it.AccessControl
		if it.PublicEndpoint == "" || a == nil || !a.Enabled || a.Type != cloudenum.ACLWhite || a.AclID == "" {
			continue
		}
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
				if a := it.AccessControl; a != nil && it.PublicEndpoint != "" && it.Cluster.RegionID == k.region && a.AclID == k.acl {
					if err != nil {
						a.Error = fmt.Sprintf("cannot read the allow list %s: %s", k.acl, errdefs.FirstLine(err))
						a.OpenToInternet = nil
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
