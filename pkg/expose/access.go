package expose

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Who may reach the API server: the access control list on the port 6443
// listener of the API server's CLB. One list governs both the public and the
// intranet endpoint; an enabled whitelist without entries lets every source
// through, so a whitelist is never enabled empty, and it always keeps the
// entries ACK and the nodes need (RequiredControlPlaneCIDR and the VPC's CIDR blocks).

// APIServerPort is the API server listener of the CLB.
const APIServerPort = 6443

// RequiredControlPlaneCIDR is where ACK's control-plane components connect from.
const RequiredControlPlaneCIDR = "100.104.0.0/16"

// expiryPrefix starts the comment part that carries a temporary entry's expiry.
const expiryPrefix = "ack-expose until "

// ACLName is the name of the ACL ack-expose creates for a cluster.
func ACLName(clusterID string) string { return "ack-expose-" + clusterID }

// AccessControl is the source allow list of the API server, as printed.
type AccessControl struct {
	Enabled bool   `json:"enabled"`
	Type    string `json:"type"`
	AclID   string `json:"aclId"`
	AclName string `json:"aclName"`
	// Entries is null when the entries were not read (the audit).
	Entries             []AccessEntry `json:"entries"`
	SharedWithListeners []string      `json:"sharedWithListeners"`
	// LoadBalancerID is the API server's CLB.
	LoadBalancerID string `json:"loadBalancerId"`
	// OpenToInternet says whether every IPv4 address may connect: access
	// control off, a blacklist, an empty list, or entries that together
	// cover every address (0.0.0.0/0, or 0.0.0.0/1 and 128.0.0.0/1...).
	// null when not known: the list could not be read (Error says why), or
	// the audit, which does not read each list's entries, found a whitelist.
	OpenToInternet *bool `json:"openToInternet"`
	// Error says why the list could not be read (status goes on without it).
	Error string `json:"error,omitempty"`
}

// AccessEntry is one allowed source.
type AccessEntry struct {
	CIDR      string `json:"cidr"`
	Comment   string `json:"comment"`
	Required  bool   `json:"required"`
	ExpiresAt string `json:"expiresAt,omitempty"`
	Expired   bool   `json:"expired"`
}

// MarshalJSON writes a list that could not be read as null fields beside
// its error: "enabled": false would read as "open", which nobody knows.
func (a AccessControl) MarshalJSON() ([]byte, error) {
	type plain AccessControl
	if a.Error == "" {
		return json.Marshal(plain(a))
	}
	return json.Marshal(struct {
		Enabled             *bool         `json:"enabled"`
		Type                *string       `json:"type"`
		AclID               *string       `json:"aclId"`
		AclName             *string       `json:"aclName"`
		Entries             []AccessEntry `json:"entries"`
		SharedWithListeners []string      `json:"sharedWithListeners"`
		LoadBalancerID      string        `json:"loadBalancerId"`
		OpenToInternet      *bool         `json:"openToInternet"`
		Error               string        `json:"error"`
	}{LoadBalancerID: a.LoadBalancerID, Error: a.Error})
}

// Anyone reports whether every source may connect (see OpenToInternet).
func (a *AccessControl) Anyone() bool {
	if a == nil {
		return true
	}
	if a.OpenToInternet != nil {
		return *a.OpenToInternet
	}
	return !a.Enabled || a.Type == cloudenum.ACLBlack
}

// setOpen fills OpenToInternet from what is known of the list: entries nil
// means they were not read.
func (a *AccessControl) setOpen() {
	var open *bool
	switch {
	case a.Error != "":
	case !a.Enabled, a.Type == cloudenum.ACLBlack:
		open = ptr(true)
	case a.Entries == nil:
	default:
		cidrs := make([]string, len(a.Entries))
		for i, e := range a.Entries {
			cidrs[i] = e.CIDR
		}
		open = ptr(len(cidrs) == 0 || CoversEveryone(cidrs))
	}
	a.OpenToInternet = open
}

func ptr[T any](v T) *T { return &v }

// CoversEveryone reports whether the IPv4 blocks together admit every IPv4
// address: 0.0.0.0/0, or any set whose union is the whole space. Entries
// that do not parse cover nothing.
func CoversEveryone(cidrs []string) bool {
	type span struct{ lo, hi uint64 }
	var spans []span
	for _, c := range cidrs {
		p, err := netip.ParsePrefix(c)
		if err != nil || !p.Addr().Is4() {
			continue
		}
		p = p.Masked()
		b := p.Addr().As4()
		lo := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
		spans = append(spans, span{lo, lo + 1<<(32-p.Bits()) - 1})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	var next uint64 // the lowest address not covered yet
	for _, s := range spans {
		if s.lo > next {
			return false
		}
		next = max(next, s.hi+1)
	}
	return next > 0xFFFFFFFF
}

// OpenReason says why every address may connect, for a list that is open
// (Anyone): "access control is off", "a blacklist", "0.0.0.0/0 in the list"...
func (a *AccessControl) OpenReason() string {
	switch {
	case a == nil || !a.Enabled:
		return "access control is off"
	case a.Type == cloudenum.ACLBlack:
		return "the listener's list " + a.AclID + " is a blacklist: every address it does not name may connect"
	case len(a.Entries) == 0:
		return "the allow list is empty"
	}
	cidrs := make([]string, len(a.Entries))
	for i, e := range a.Entries {
		cidrs[i] = e.CIDR
	}
	return EveryoneNote(cidrs)
}

// EveryoneNote names what opens a list to every address, for people:
// "0.0.0.0/0 in the list", or the entries that together cover it.
func EveryoneNote(cidrs []string) string {
	if slices.Contains(cidrs, "0.0.0.0/0") {
		return "0.0.0.0/0 in the list"
	}
	return "its entries together cover every address"
}

// ParseSources checks sources given on the command line: IPv4 addresses (a
// bare address means /32) or canonical IPv4 CIDR blocks. It makes no call.
func ParseSources(args []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, a := range args {
		s := strings.TrimSpace(a)
		var p netip.Prefix
		if addr, err := netip.ParseAddr(s); err == nil {
			p = netip.PrefixFrom(addr, addr.BitLen())
		} else if p, err = netip.ParsePrefix(s); err != nil {
			return nil, errdefs.Errorf(errdefs.KindInvalid, "%q is not an IPv4 address or CIDR block: give an address such as 203.0.113.7 or a block such as 203.0.113.0/24", a)
		}
		if p.Addr().Is4In6() || p.Addr().Is6() {
			return nil, errdefs.Errorf(errdefs.KindInvalid, "%q is an IPv6 source, but the API server's CLB is IPv4 and takes IPv4 access control lists only: give IPv4 addresses or blocks", a)
		}
		if p.Masked() != p {
			return nil, errdefs.Errorf(errdefs.KindInvalid, "%q is not a canonical CIDR block (its host bits are set): use %s for the whole block, or %s for that address alone",
				a, p.Masked(), netip.PrefixFrom(p.Addr(), 32))
		}
		c := p.String()
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	if len(out) > backend.ACLEntriesMax {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "%d sources given: a CLB access control list holds at most %d entries; merge addresses into wider CIDR blocks", len(out), backend.ACLEntriesMax)
	}
	return out, nil
}

// ExpiryComment is the comment of a temporary entry: the user's text, if
// any, and the expiry in RFC 3339 UTC.
func ExpiryComment(comment string, until time.Time) string {
	e := expiryPrefix + until.UTC().Format(time.RFC3339)
	if comment == "" {
		return e
	}
	return comment + " (" + e + ")"
}

// ParseExpiry finds the expiry in an entry's comment, in the form
// ExpiryComment writes it (the whole comment, or its end in parentheses);
// ok is false when it has none. Only --for writes it: a comment that merely
// mentions the words is no expiry.
func ParseExpiry(comment string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(comment, expiryPrefix)
	if !ok {
		i := strings.LastIndex(comment, " ("+expiryPrefix)
		if i < 0 || !strings.HasSuffix(comment, ")") {
			return time.Time{}, false
		}
		rest = strings.TrimSuffix(comment[i+2+len(expiryPrefix):], ")")
	}
	t, err := time.Parse(time.RFC3339, rest)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// CommentMax is the longest comment an entry may have, the expiry of --for
// included (the simulator's limit: the SLB API reference documents none).
const CommentMax = 256

// CheckComment refuses, before any call, a --comment that is not plain
// text: control characters (a newline would break every table, an escape
// sequence would drive the terminal of whoever lists the entries), invalid
// UTF-8, more than CommentMax characters with the expiry of --for, or the
// words "ack-expose until", which only --for writes (an entry would read as
// expiring, and the next allow would remove it). The error is KindInvalid.
func CheckComment(comment string, temporary bool) error {
	hint := "Use plain text, such as --comment 'office VPN'."
	n := utf8.RuneCountInString(comment)
	if temporary {
		n = utf8.RuneCountInString(ExpiryComment(comment, time.Now()))
	}
	switch {
	case !utf8.ValidString(comment):
		return errdefs.Errorf(errdefs.KindInvalid, "--comment %q is not valid UTF-8", comment).WithHint("%s", hint)
	case strings.IndexFunc(comment, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0:
		return errdefs.Errorf(errdefs.KindInvalid, "--comment %q contains a control character (a newline, a tab, a terminal escape, a bidirectional override)", comment).WithHint("%s", hint)
	case n > CommentMax:
		return errdefs.Errorf(errdefs.KindInvalid, "--comment is %d characters long (with the expiry --for adds): an entry's comment holds at most %d", n, CommentMax).WithHint("Shorten it.")
	case strings.Contains(strings.ToLower(comment), strings.TrimSpace(expiryPrefix)):
		return errdefs.Errorf(errdefs.KindInvalid, "--comment %q contains %q, which ack-expose reserves for the expiry that --for writes", comment, strings.TrimSpace(expiryPrefix)).
			WithHint("Use --for DURATION for a temporary entry, as in --for 2h.")
	}
	return nil
}

// AccessRequest is what allow or revoke asks for.
type AccessRequest struct {
	// Allow adds sources (canonical CIDR blocks, as ParseSources returns them);
	// with Only the list becomes exactly these (and the required entries).
	Allow []string
	Only  bool
	// Anyone turns access control off.
	Anyone bool
	// Revoke removes sources; Expired removes the expired ones.
	Revoke  []string
	Expired bool
	// Comment and For (a temporary entry) apply to the sources allowed.
	Comment string
	For     time.Duration
	// Force lets Revoke remove required entries.
	Force bool
}

// action names the request as the command that makes it: "allow --only", "revoke"...
func (r AccessRequest) action() string {
	switch {
	case r.Anyone:
		return "allow --anyone"
	case r.Only:
		return "allow --only"
	case len(r.Allow) > 0:
		return "allow"
	case r.Expired && len(r.Revoke) == 0:
		return "revoke --expired"
	}
	return "revoke"
}

// AccessPlan is a checked access request.
type AccessPlan struct {
	Request  AccessRequest
	Target   Target
	Cluster  *backend.Cluster
	Listener *backend.ListenerACL
	ACL      *backend.ACL // nil when the listener has none
	Required []string
	// CreateACL is set when a new ACL must be created.
	CreateACL bool
	Add       []backend.ACLEntry
	Remove    []backend.ACLEntry
	// SetListener is the listener change, if any.
	SetListener *backend.ListenerACL
	// After is the list as it will be.
	After       *AccessControl
	NothingToDo bool
	Steps       []string
	Warnings    []string
	// Lockout says how the change could cut off the context in use; Confirm
	// says why --anyone asks first.
	Lockout string
	Confirm string
	now     time.Time
}

// readAccess reads the API server listener's access control: the CLB, the
// listener and its ACL (three calls at most).
func (s *Service) readAccess(ctx context.Context, c *backend.Cluster) (*backend.ListenerACL, *backend.ACL, error) {
	lb, err := s.Backend.APIServerLoadBalancer(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	l, err := s.Backend.DescribeListenerACL(ctx, c.RegionID, lb, APIServerPort)
	if err != nil {
		return nil, nil, err
	}
	l.LoadBalancerID = lb
	if l.ACLID == "" {
		return l, nil, nil
	}
	a, err := s.Backend.DescribeACL(ctx, c.RegionID, l.ACLID)
	if err != nil {
		return nil, nil, err
	}
	return l, a, nil
}

// hasAccessControl reports whether a cluster kind has an ACK API server CLB.
func hasAccessControl(c *backend.Cluster) bool { return c.ClusterType != "ExternalKubernetes" }

// AccessStatus reads the source allow list of a cluster's API server. When
// the list has entries, the VPC is read too, to mark the required ones.
func (s *Service) AccessStatus(ctx context.Context, c *backend.Cluster, now time.Time) *AccessControl {
	if !hasAccessControl(c) {
		return nil
	}
	l, a, err := s.readAccess(ctx, c)
	if err != nil {
		return &AccessControl{Error: errdefs.FirstLine(err)}
	}
	var required []string
	if a != nil && len(a.Entries) > 0 {
		if required, err = s.required(ctx, c); err != nil {
			return &AccessControl{Error: errdefs.FirstLine(err)}
		}
	}
	return accessView(l, a, required, now)
}

func (s *Service) required(ctx context.Context, c *backend.Cluster) ([]string, error) {
	out := []string{RequiredControlPlaneCIDR}
	if c.VPCID == "" {
		return out, nil
	}
	cidrs, err := s.Backend.DescribeVPCCIDRs(ctx, c.RegionID, c.VPCID)
	if err != nil {
		return nil, err
	}
	for _, x := range cidrs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out, nil
}

func accessView(l *backend.ListenerACL, a *backend.ACL, required []string, now time.Time) *AccessControl {
	v := &AccessControl{Enabled: l.Status == cloudenum.ACLOn, Type: l.Type, AclID: l.ACLID, LoadBalancerID: l.LoadBalancerID,
		Entries: []AccessEntry{}, SharedWithListeners: []string{}}
	if a == nil {
		v.setOpen()
		return v
	}
	v.AclName = a.Name
	for _, e := range a.Entries {
		v.Entries = append(v.Entries, entryView(e, required, now))
	}
	v.SharedWithListeners = shared(a, l)
	v.setOpen()
	return v
}

func entryView(e backend.ACLEntry, required []string, now time.Time) AccessEntry {
	x := AccessEntry{CIDR: e.CIDR, Comment: e.Comment, Required: slices.Contains(required, e.CIDR)}
	if t, ok := ParseExpiry(e.Comment); ok {
		x.ExpiresAt = t.UTC().Format(time.RFC3339)
		x.Expired = !now.Before(t)
	}
	return x
}

// shared lists the other listeners that use the ACL, as lb-...:PORT/PROTOCOL.
func shared(a *backend.ACL, l *backend.ListenerACL) []string {
	out := []string{}
	for _, r := range a.RelatedListeners {
		if r.LoadBalancerID == l.LoadBalancerID && r.Port == l.Port {
			continue
		}
		out = append(out, fmt.Sprintf("%s:%d/%s", r.LoadBalancerID, r.Port, strings.ToLower(r.Protocol)))
	}
	sort.Strings(out)
	return out
}

// PlanAccess reads the cluster and its list and checks the request: conflicts
// (an ACL shared with other listeners, a blacklist), required entries, the
// size limit, idempotency and the lockout guard. It makes no mutating call.
func (s *Service) PlanAccess(ctx context.Context, t Target, r AccessRequest, now time.Time) (*AccessPlan, error) {
	c, err := s.Backend.DescribeCluster(ctx, t.ClusterID)
	if err != nil {
		return nil, err
	}
	// A context named after this cluster that reaches another would change
	// one cluster's list while its user works on the other: refused, as
	// every command that changes things refuses it.
	if t, err = s.mustReach(ctx, t, c); err != nil {
		return nil, err
	}
	return s.planAccess(ctx, t, c, r, now)
}

func (s *Service) planAccess(ctx context.Context, t Target, c *backend.Cluster, r AccessRequest, now time.Time) (*AccessPlan, error) {
	name := fmt.Sprintf("%s (%s)", c.Name, c.ID)
	if !hasAccessControl(c) {
		return nil, errdefs.Errorf(errdefs.KindUnsupported, "cluster %s is a registered cluster: its API server is not behind an ACK CLB, so its sources are controlled in its own infrastructure", name)
	}
	l, a, err := s.readAccess(ctx, c)
	if err != nil {
		return nil, err
	}
	p := &AccessPlan{Request: r, Target: t, Cluster: c, Listener: l, ACL: a, now: now}
	enabled := l.Status == cloudenum.ACLOn
	if a != nil {
		others := shared(a, l)
		if len(others) > 0 && !r.Anyone { // turning the listener's list off changes no other listener
			return nil, errdefs.Errorf(errdefs.KindConflict, "the API server listener of cluster %s uses ACL %s (%s), which listeners %s use too: changing it would change who may reach them as well",
				name, a.ID, a.Name, strings.Join(others, ", ")).
				WithHint("Unbind that ACL from the API server listener, or from the other listeners, in the CLB console, then run this again: ack-expose then creates its own list %s.", ACLName(c.ID))
		}
	}
	if l.Type == cloudenum.ACLBlack && l.ACLID != "" && !r.Anyone {
		return nil, errdefs.Errorf(errdefs.KindConflict, "the API server listener of cluster %s uses ACL %s as a blacklist (AclType black): ack-expose manages an allow list (whitelist) and will not turn a deny list into one", name, l.ACLID).
			WithHint("Turn access control of listener %d on CLB %s off, or switch it to a whitelist, in the CLB console, then run this again.", APIServerPort, l.LoadBalancerID)
	}

	if r.Anyone {
		if !enabled {
			p.NothingToDo = true
			p.Steps = []string{fmt.Sprintf("nothing to do: access control of the API server of cluster %s is already off; every source may connect", name)}
		} else {
			p.SetListener = &backend.ListenerACL{LoadBalancerID: l.LoadBalancerID, Port: l.Port, Status: cloudenum.ACLOff}
			p.Steps = []string{fmt.Sprintf("turn access control off on listener %d of CLB %s: every source may connect", APIServerPort, l.LoadBalancerID)}
			p.Confirm = fmt.Sprintf("the API server of cluster %s will accept connections from any address%s", name, publicNote(c))
		}
		p.After = accessView(afterListener(l, p.SetListener), a, nil, now)
		return p, nil
	}

	if p.Required, err = s.required(ctx, c); err != nil {
		return nil, err
	}
	current := []backend.ACLEntry{}
	if a != nil {
		current = a.Entries
	}
	has := map[string]backend.ACLEntry{}
	for _, e := range current {
		has[e.CIDR] = e
	}
	expired := map[string]bool{}
	for _, e := range current {
		if t, ok := ParseExpiry(e.Comment); ok && !now.Before(t) && !slices.Contains(p.Required, e.CIDR) {
			expired[e.CIDR] = true
		}
	}
	comment := r.Comment
	if r.For > 0 {
		comment = ExpiryComment(r.Comment, now.Add(r.For))
	}
	var desired []backend.ACLEntry
	keep := func(e backend.ACLEntry) { desired = append(desired, e) }
	in := func(cidr string) bool {
		for _, e := range desired {
			if e.CIDR == cidr {
				return true
			}
		}
		return false
	}
	addRequired := func() {
		for _, x := range p.Required {
			if in(x) {
				continue
			}
			if e, ok := has[x]; ok {
				keep(e)
			} else {
				keep(backend.ACLEntry{CIDR: x, Comment: requiredComment(x, c)})
			}
		}
	}
	switch {
	case len(r.Allow) > 0:
		if !r.Only {
			for _, e := range current {
				if !expired[e.CIDR] {
					keep(e)
				}
			}
		}
		addRequired()
		for _, x := range r.Allow {
			if in(x) {
				continue
			}
			if e, ok := has[x]; ok && !expired[x] {
				keep(e)
			} else {
				keep(backend.ACLEntry{CIDR: x, Comment: comment})
			}
		}
	default: // revoke
		for _, x := range r.Revoke {
			if slices.Contains(p.Required, x) && !r.Force {
				return nil, errdefs.Errorf(errdefs.KindInvalid, "%s is a required entry of the API server's allow list (%s): without it %s",
					x, requiredComment(x, c), requiredLoss(x)).
					WithHint("Keep it; or, if you are sure, run again with --force.")
			}
		}
		for _, e := range current {
			if expired[e.CIDR] || slices.Contains(r.Revoke, e.CIDR) {
				continue
			}
			keep(e)
		}
		for _, x := range r.Revoke {
			if slices.Contains(p.Required, x) && has[x].CIDR != "" {
				p.Warnings = append(p.Warnings, fmt.Sprintf("removing required entry %s: %s", x, requiredLoss(x)))
			}
		}
	}
	if len(desired) > backend.ACLEntriesMax {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "the list would hold %d entries (with the %d required ones): a CLB access control list holds at most %d; merge addresses into wider CIDR blocks, or use --only",
			len(desired), len(p.Required), backend.ACLEntriesMax)
	}
	want := map[string]bool{}
	for _, e := range desired {
		want[e.CIDR] = true
		if _, ok := has[e.CIDR]; !ok {
			p.Add = append(p.Add, e)
		}
	}
	for _, e := range current {
		if !want[e.CIDR] {
			p.Remove = append(p.Remove, e)
		}
	}
	allowing := len(r.Allow) > 0
	if allowing {
		if a == nil {
			p.CreateACL = true
		}
		if !enabled || l.Type != cloudenum.ACLWhite {
			p.SetListener = &backend.ListenerACL{LoadBalancerID: l.LoadBalancerID, Port: l.Port, Status: cloudenum.ACLOn, Type: cloudenum.ACLWhite, ACLID: l.ACLID}
		}
	} else if enabled && len(desired) == 0 {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "this would leave the enabled allow list empty, and an empty list lets every source through").
			WithHint("To let every source connect, say so: `kubectl ack-expose allow --anyone`.")
	}

	aclName := ACLName(c.ID)
	if a != nil {
		aclName = a.Name
	}
	if p.CreateACL {
		p.Steps = append(p.Steps, fmt.Sprintf("create access control list %s", aclName))
	}
	for _, e := range p.Add {
		p.Steps = append(p.Steps, "allow "+describeEntry(e, p.Required))
	}
	for _, e := range p.Remove {
		why := ""
		if expired[e.CIDR] {
			why = " (expired)"
		}
		p.Steps = append(p.Steps, "remove "+e.CIDR+why)
	}
	if p.SetListener != nil {
		p.Steps = append(p.Steps, fmt.Sprintf("turn the allow list on for listener %d of CLB %s: only the listed sources may connect, to the public and the intranet endpoint", APIServerPort, l.LoadBalancerID))
	}
	if len(p.Steps) == 0 {
		p.NothingToDo = true
		p.Steps = []string{fmt.Sprintf("nothing to do: the allow list of cluster %s already is as requested", name)}
	}
	afterACL := &backend.ACL{ID: l.ACLID, Name: aclName, Entries: desired}
	if a != nil {
		afterACL.RelatedListeners = a.RelatedListeners
	}
	after := afterListener(l, p.SetListener)
	if p.CreateACL {
		after.ACLID = "(new)"
	}
	p.After = accessView(after, afterACL, p.Required, now)
	if allowing && !p.NothingToDo && p.After.Enabled && p.After.Anyone() {
		// An allow list that admits every address is no restriction: say
		// so, and ask, as --anyone does.
		var cidrs []string
		for _, e := range desired {
			cidrs = append(cidrs, e.CIDR)
		}
		p.Confirm = fmt.Sprintf("the allow list would admit every IPv4 address (%s): the API server of cluster %s would accept connections from any address%s, as `kubectl ack-expose allow --anyone` (the honest spelling) does",
			EveryoneNote(cidrs), name, publicNote(c))
	}
	cutting := p.SetListener != nil || len(p.Remove) > 0
	if !p.NothingToDo && cutting && (enabled || p.SetListener != nil) && !p.After.Anyone() {
		p.Lockout = accessLockout(p)
	}
	return p, nil
}

func afterListener(l *backend.ListenerACL, set *backend.ListenerACL) *backend.ListenerACL {
	out := *l
	if set != nil {
		if set.Status != "" {
			out.Status = set.Status
		}
		if set.Type != "" {
			out.Type = set.Type
		}
		if set.ACLID != "" {
			out.ACLID = set.ACLID
		}
	}
	return &out
}

func publicNote(c *backend.Cluster) string {
	if c.PublicEndpoint != "" {
		return ", including every address on the Internet through " + c.PublicEndpoint
	}
	return ""
}

func requiredComment(cidr string, c *backend.Cluster) string {
	if cidr == RequiredControlPlaneCIDR {
		return "required: ACK control plane"
	}
	return "required: VPC " + c.VPCID
}

func requiredLoss(cidr string) string {
	if cidr == RequiredControlPlaneCIDR {
		return "ACK's control-plane components can no longer reach the API server, and the cluster stops being managed"
	}
	return "nodes and pods in that VPC block can no longer reach the API server"
}

func describeEntry(e backend.ACLEntry, required []string) string {
	s := e.CIDR
	if slices.Contains(required, e.CIDR) {
		s += " (required)"
	}
	if e.Comment != "" && !slices.Contains(required, e.CIDR) {
		s += fmt.Sprintf(" %q", e.Comment)
	}
	return s
}

// accessLockout says how a change of the list could cut off the context in use.
func accessLockout(p *AccessPlan) string {
	if p.Target.Server == "" {
		return ""
	}
	ctxName := p.Target.Context
	if ctxName == "" {
		ctxName = "in use"
	}
	return fmt.Sprintf("this %s limits who may reach the API server of cluster %s, through both endpoints: context %q (server %s) stops working if this machine connects from an address the list does not allow; include the address you connect from (for example `kubectl ack-expose allow <your public IP>`)",
		p.Request.action(), p.Cluster.Name, ctxName, p.Target.Server)
}

// ApplyAccess carries out an access plan: entries are added before the list
// is turned on, so it is never on with fewer entries than planned. A step
// that fails returns the operation with the error: op.Changed says whether
// an earlier step changed the list (a batch of entries, say).
func (s *Service) ApplyAccess(ctx context.Context, p *AccessPlan, o ApplyOptions) (_ *Operation, err error) {
	op := &Operation{Action: p.Request.action(), DryRun: o.DryRun, Steps: p.Steps}
	op.Warnings = append(op.Warnings, p.Warnings...)
	if p.Lockout != "" {
		op.Warnings = append(op.Warnings, p.Lockout)
	}
	if p.NothingToDo || o.DryRun {
		return op, nil
	}
	if err := p.ask(o); err != nil {
		return nil, err
	}
	op.Steps = nil
	c, l := p.Cluster, p.Listener
	aclID := l.ACLID
	if p.CreateACL {
		var id string
		var created bool
		if id, created, err = s.clusterACL(ctx, p, op); err != nil {
			return op, err
		}
		aclID = id
		if created {
			// A list this run created and could not attach is deleted, not
			// left behind (50 lists per region).
			defer func() {
				if err != nil {
					s.dropACL(ctx, c, id, op)
				}
			}()
		}
	}
	add := func() error {
		for lo := 0; lo < len(p.Add); lo += backend.ACLEntriesPerCall {
			batch := p.Add[lo:min(lo+backend.ACLEntriesPerCall, len(p.Add))]
			if err := s.Backend.AddACLEntries(ctx, c.RegionID, aclID, batch); err != nil {
				return err
			}
			op.Changed = true
			for _, e := range batch {
				s.step(op, "allowed %s", describeEntry(e, p.Required))
			}
		}
		return nil
	}
	remove := func() error {
		for lo := 0; lo < len(p.Remove); lo += backend.ACLEntriesPerCall {
			batch := p.Remove[lo:min(lo+backend.ACLEntriesPerCall, len(p.Remove))]
			if err := s.Backend.RemoveACLEntries(ctx, c.RegionID, aclID, batch); err != nil {
				return err
			}
			op.Changed = true
			for _, e := range batch {
				s.step(op, "removed %s", e.CIDR)
			}
		}
		return nil
	}
	// Add first, so the list never holds less than planned; unless adding
	// first would pass the entry limit.
	first, second := add, remove
	if p.ACL != nil && len(p.ACL.Entries)+len(p.Add) > backend.ACLEntriesMax {
		first, second = remove, add
	}
	if err := first(); err != nil {
		return op, err
	}
	if err := second(); err != nil {
		return op, err
	}
	if set := p.SetListener; set != nil {
		req := *set
		if req.Status == cloudenum.ACLOn {
			req.ACLID = aclID
		}
		if p.CreateACL {
			if err := s.checkListenerUnchanged(ctx, p, aclID); err != nil {
				return op, err
			}
		}
		if err := s.Backend.SetListenerACL(ctx, c.RegionID, req); err != nil {
			return op, err
		}
		op.Changed = true
		if req.Status == cloudenum.ACLOff {
			s.step(op, "turned access control off on listener %d of CLB %s: every source may connect", APIServerPort, l.LoadBalancerID)
		} else {
			s.step(op, "turned the allow list %s on for listener %d of CLB %s", aclID, APIServerPort, l.LoadBalancerID)
		}
	}
	if p.After != nil && p.CreateACL {
		p.After.AclID = aclID
	}
	return op, nil
}

// ask puts the lockout guard's question, and the plan's own, to o.Confirm.
func (p *AccessPlan) ask(o ApplyOptions) error {
	for _, ask := range []string{p.Lockout, p.Confirm} {
		if ask != "" && (o.Confirm == nil || !o.Confirm(ask)) {
			return &errdefs.Error{Kind: errdefs.KindRefused, Msg: "refused: " + ask,
				Hint: "Run again with --yes to go ahead anyway, or use --dry-run to review the plan."}
		}
	}
	return nil
}

// AccessResult is the result of allow and revoke.
func (s *Service) AccessResult(ctx context.Context, p *AccessPlan, op *Operation) (*Exposure, error) {
	e, err := s.currentEIP(ctx, p.Cluster)
	if err != nil {
		return nil, err
	}
	x := newExposure(p.Cluster, p.Target.Context, e)
	x.AccessControl = p.After
	if op.DryRun || !op.Changed {
		x.AccessControl = accessView(p.Listener, p.ACL, p.Required, p.now)
	}
	x.Operation = op
	return x, nil
}
