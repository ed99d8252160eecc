package expose

// Reading the access list: the listener's ACL as status and audit show it.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

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
	// the audit, which reads the entries of public endpoints' whitelists
	// only, found a whitelist on a private endpoint.
	OpenToInternet *bool `json:"openToInternet"`
	// Error says why the list could not be read (status goes on without it).
	Error string `json:"error,omitempty"`
	// AclNameError says why the list's name could not be read (the audit
	// reads the names apart): aclName is then null, not "".
	AclNameError string `json:"aclNameError,omitempty"`
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
	if a.Error == "" && a.AclNameError != "" {
		return json.Marshal(struct {
			plain
			AclName *string `json:"aclName"`
		}{plain: plain(a)})
	}
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
