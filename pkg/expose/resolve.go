package expose

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ack-expose/ack-expose/internal/certsan"
	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/pkg/backend"
)

// Target is the cluster a command acts on, and how the user reaches it.
type Target struct {
	ClusterID string
	// Context and Server are the kubeconfig context in use and its server,
	// once the context is known to reach the cluster (see Service.reach);
	// empty when it does not.
	Context string
	Server  string
	// CA is the context's certificate authority, PEM (for the endpoint check).
	CA []byte
	// How says which resolution step found the cluster.
	How How
	// Kube is the context as the kubeconfig has it.
	Kube kubeserver.Context
	// Mismatch is set when the context's name says this cluster but its
	// server is not an endpoint of it.
	Mismatch *Mismatch
}

// How is the resolution step that found the cluster.
type How string

const (
	// HowClusterID: --cluster-id named it.
	HowClusterID How = "--cluster-id"
	// HowContextName: the context is named <account-uid>-<clusterId>.
	HowContextName How = "context name"
	// HowServerURL: the context's server is an endpoint of one cluster only.
	HowServerURL How = "server URL"
	// HowServerName: a context named after a cluster (<account>-<cluster>-
	// suffix, as the kubeconfig command names them) whose server is a DNS
	// name: no endpoint of any cluster, a name in front of one.
	HowServerName How = "server name"
)

// Mismatch is a context whose name says one cluster while its server is not
// an endpoint of that cluster: kubectl with it reaches something else.
type Mismatch struct {
	Kube    kubeserver.Context
	Named   *backend.Cluster // the cluster the context's name says
	Reached *backend.Cluster // the cluster the server is an endpoint of, if any
}

func (m *Mismatch) Error() string {
	k := m.Kube
	var b strings.Builder
	if m.Reached == nil && k.Reach.Err != "" {
		// A name that does not resolve: where it leads is not guessed.
		fmt.Fprintf(&b, "context %q is named after cluster %s (%s), but its server %s leads nowhere known: %s, so whether kubectl with this context reaches %s (%s) is not known",
			k.Name, m.Named.Name, m.Named.ID, k.Server, k.Reach.Err, m.Named.Name, endpointsOf(m.Named))
		return b.String()
	}
	fmt.Fprintf(&b, "context %q is named after cluster %s (%s), but its server %s%s is ", k.Name, m.Named.Name, m.Named.ID, k.Server, reachSuffix(k))
	if m.Reached != nil {
		fmt.Fprintf(&b, "an endpoint of cluster %s (%s): kubectl with this context reaches %s, not %s", m.Reached.Name, m.Reached.ID, m.Reached.Name, m.Named.Name)
	} else {
		fmt.Fprintf(&b, "not an endpoint of %s (%s), nor of any cluster of the account: kubectl with this context does not reach %s", m.Named.Name, endpointsOf(m.Named), m.Named.Name)
	}
	return b.String()
}

// Fix says which kubeconfig entry to fix.
func (m *Mismatch) Fix() string {
	k := m.Kube
	if m.Reached == nil && k.Reach.Err != "" {
		return "Make " + kubeserver.EndpointHost(k.Server) + " resolve from this machine (DNS, or the ACK_EXPOSE_HOSTS file). " + m.fixEntry()
	}
	return m.fixEntry()
}

// fixEntry says which kubeconfig entry to fix.
func (m *Mismatch) fixEntry() string {
	k := m.Kube
	switch {
	case k.ServerFromFlag:
		return "The server comes from --server: drop it, or pass --cluster-id."
	case k.ClusterFile != "" && k.ContextFile != "" && k.ClusterFile != k.ContextFile:
		return fmt.Sprintf("The server comes from cluster entry %q in %s, which hides the entry of that name in %s (the context's file; kubectl merges KUBECONFIG first-wins): "+
			"rename the cluster entry in %s and its reference in the context, or pass --cluster-id.", k.Cluster, k.ClusterFile, k.ContextFile, k.ContextFile)
	case k.ClusterFile != "":
		return fmt.Sprintf("Fix the server of cluster entry %q in %s, or pass --cluster-id.", k.Cluster, k.ClusterFile)
	}
	return "Fix the context's cluster entry, or pass --cluster-id."
}

// Dangerous says kubectl with the context reaches another cluster of the
// account: commands refuse it. Otherwise the server reaches no cluster of the
// account (an endpoint that went away, or a tunnel): it is reported only.
func (m *Mismatch) Dangerous() bool { return m.Reached != nil }

// Conflict is the mismatch as the error that stops a change (exit 4).
func (m *Mismatch) Conflict() error {
	return errdefs.Errorf(errdefs.KindConflict, "%s", m.Error()).WithHint("%s", m.Fix())
}

// parseContextName splits an ACK context name, "<account-uid>-<clusterId>".
func parseContextName(name string) (accountID, clusterID string, ok bool) {
	accountID, clusterID, ok = strings.Cut(name, "-")
	if !ok || !isDigits(accountID) || !isClusterID(clusterID) {
		return "", "", false
	}
	return accountID, clusterID, true
}

// ContextAccount is the account UID an ACK context name carries
// ("<account-uid>-<clusterId>", or one derived from it with a suffix).
func ContextAccount(name string) (string, bool) {
	if uid, _, ok := parseContextName(name); ok {
		return uid, true
	}
	if _, ok := derivedContextCluster(name); ok {
		uid, _, _ := strings.Cut(name, "-")
		return uid, true
	}
	return "", false
}

// contextClusterID is the cluster ID a context's name carries (an ACK
// context's, or one derived from it), "" when it names none.
func contextClusterID(name string) string {
	if _, id, ok := parseContextName(name); ok {
		return id
	}
	id, _ := derivedContextCluster(name)
	return id
}

// derivedContextCluster returns the cluster ID of a context named after an ACK
// one, "<account-uid>-<clusterId>-<suffix>" (as the kubeconfig command names them).
func derivedContextCluster(name string) (clusterID string, ok bool) {
	accountID, rest, ok := strings.Cut(name, "-")
	if !ok || !isDigits(accountID) || len(rest) < 34 || rest[33] != '-' || !isClusterID(rest[:33]) {
		return "", false
	}
	return rest[:33], true
}

// clusterList lists the account's clusters, indexed: one call for a single
// command, the listing already made for the audit.
type clusterList func(ctx context.Context) (*clusterIndex, error)

// clusterIndex is the account's clusters by endpoint.
type clusterIndex struct {
	byID       map[string]*backend.Cluster
	byEndpoint map[string][]*backend.Cluster
}

func newClusterIndex(clusters []backend.Cluster) *clusterIndex {
	x := &clusterIndex{byID: map[string]*backend.Cluster{}, byEndpoint: map[string][]*backend.Cluster{}}
	for i := range clusters {
		c := &clusters[i]
		x.byID[c.ID] = c
		for _, ep := range []string{c.IntranetEndpoint, c.PublicEndpoint} {
			if ep != "" {
				x.byEndpoint[kubeserver.EndpointKey(ep)] = append(x.byEndpoint[kubeserver.EndpointKey(ep)], c)
			}
		}
	}
	return x
}

// reachedBy lists the clusters that kubectl with kc reaches: those with the
// context's server as an endpoint, or the endpoint it leads to (a name
// resolved, a tunnel).
func (x *clusterIndex) reachedBy(kc kubeserver.Context) []*backend.Cluster {
	var out []*backend.Cluster
	for _, key := range kc.Keys() {
		for _, c := range x.byEndpoint[key] {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// listClusters is a clusterList over the backend: one call.
func listClusters(b backend.Backend) clusterList {
	return func(ctx context.Context) (*clusterIndex, error) {
		clusters, err := b.ListClusters(ctx, "")
		if err != nil {
			return nil, err
		}
		return newClusterIndex(clusters), nil
	}
}

// resolveError is a failed resolution: Short for an audit row, Error for a command.
type resolveError struct {
	context string
	tried   []string
	short   string
}

func (e *resolveError) Error() string {
	return fmt.Sprintf("cannot tell which ACK cluster context %q is:\n  %s", e.context, strings.Join(e.tried, "\n  "))
}

// Resolve finds the cluster: --cluster-id; else the ACK context name; else the
// cluster whose intranet or public endpoint is the context's server (one list
// call). A failure names every step tried.
func Resolve(ctx context.Context, b backend.Backend, clusterID string, kc kubeserver.Context) (Target, error) {
	t, err := resolve(ctx, clusterID, kc, listClusters(b))
	if re, ok := err.(*resolveError); ok {
		return t, errdefs.Errorf(errdefs.KindNotFound, "%s", re.Error()).WithHint("Pass --cluster-id c..., or pick an ACK context with --context.")
	}
	return t, err
}

// resolve is the one set of resolution rules, for single commands and the
// audit alike. The context's server is the one kubectl would reach.
func resolve(ctx context.Context, clusterID string, kc kubeserver.Context, list clusterList) (Target, error) {
	t := Target{Context: kc.Name, Server: kc.Server, CA: kc.CA, Kube: kc}
	if clusterID != "" {
		if err := ValidClusterID(clusterID); err != nil {
			return t, err
		}
		t.ClusterID, t.How = clusterID, HowClusterID
		return t, nil
	}
	if kc.Err != nil {
		return t, kc.Err
	}
	fail := &resolveError{context: kc.Name, tried: []string{"--cluster-id: not given"}}
	if _, id, ok := parseContextName(kc.Name); ok {
		t.ClusterID, t.How = id, HowContextName
		return t, nil
	}
	fail.tried = append(fail.tried, fmt.Sprintf("context name %q: not of the ACK form <account-uid>-<clusterId>", kc.Name))
	if kc.Server == "" {
		fail.tried = append(fail.tried, "server URL: the context's cluster entry has no server")
		fail.short = "not an ACK cluster: the context has no server"
		return t, fail
	}
	clusters, err := list(ctx)
	if err != nil {
		return t, err
	}
	hits := clusters.reachedBy(kc)
	switch len(hits) {
	case 1:
		if id, ok := derivedContextCluster(kc.Name); ok && id != hits[0].ID && clusters.byID[id] != nil {
			// A context made for one cluster (<uid>-<clusterId>-SUFFIX)
			// whose server now reaches another: its name is taken at its
			// word, as an ACK context's is, so reach reports the Mismatch.
			t.ClusterID, t.How = id, HowContextName
			return t, nil
		}
		t.ClusterID, t.How = hits[0].ID, HowServerURL
		return t, nil
	case 0:
		if id, ok := derivedContextCluster(kc.Name); ok && clusters.byID[id] != nil && isDNSName(kubeserver.EndpointHost(kc.Server)) {
			// A name in front of the cluster's endpoint (kubeconfig
			// --server-name) that leads to no cluster from here (not
			// resolved, or its DNS record not yet moved to a new EIP):
			// the context's name says which cluster it is.
			t.ClusterID, t.How = id, HowServerName
			return t, nil
		}
		fail.tried = append(fail.tried, fmt.Sprintf("server URL %s: no cluster of the account has this endpoint%s", kc.Server, reachSuffix(kc)))
		fail.short = fmt.Sprintf("not an ACK cluster of this account: the context name is not <account-uid>-<clusterId> and no cluster has endpoint %s%s", kc.Server, reachSuffix(kc))
		// A context derived from an ACK one (<uid>-<clusterId>-public) whose
		// endpoint went away: say so, it is the useful part.
		if id, ok := derivedContextCluster(kc.Name); ok && clusters.byID[id] != nil {
			c := clusters.byID[id]
			fail.short = fmt.Sprintf("stale: %s is no longer an endpoint of cluster %s (%s); its endpoints are now %s", kc.Server, c.Name, c.ID, endpointsOf(c))
			fail.tried[len(fail.tried)-1] += "; " + fail.short
		}
	default:
		var ids []string
		for _, c := range hits {
			ids = append(ids, c.ID+" ("+c.Name+")")
		}
		fail.tried = append(fail.tried, fmt.Sprintf("server URL %s: %d clusters have this endpoint: %s", kc.Server, len(hits), strings.Join(ids, ", ")))
		fail.short = fmt.Sprintf("endpoint %s is shared by clusters %s; use a context named <account-uid>-<clusterId>", kc.Server, strings.Join(ids, ", "))
	}
	return t, fail
}

// isEndpointOf reports whether kubectl with kc reaches cluster c: its server
// is an endpoint of c, leads to one (a name resolved, a tunnel followed), or
// is one of the certificate's extra names on the public endpoint's port.
func isEndpointOf(kc kubeserver.Context, c *backend.Cluster) bool {
	return kc.Reaches(c.IntranetEndpoint) || kc.Reaches(c.PublicEndpoint) || NamesEndpoint(kc.Server, c)
}

// NamesEndpoint reports whether server reaches the cluster by one of the
// certificate's extra DNS names, on the port of its public endpoint (a name
// in front of the EIP, as `sans add` and `kubeconfig --server-name` set up).
func NamesEndpoint(server string, c *backend.Cluster) bool {
	host := kubeserver.EndpointHost(server)
	if c.PublicEndpoint == "" || !isDNSName(host) || !certsan.Covers(c.ExtraSANs, host) {
		return false
	}
	return kubeserver.SameEndpoint(server, kubeserver.WithHost(c.PublicEndpoint, host))
}

// isDNSName reports whether host is a DNS name, not an IP address.
func isDNSName(host string) bool {
	return host != "" && !certsan.IsIP(host)
}

// reachSuffix says where the context's server leads, when that is not the
// server itself: " (resolves to 47.96.1.20)", " (api.x does not resolve ...)".
func reachSuffix(kc kubeserver.Context) string {
	switch r := kc.Reach; {
	case r.Err != "":
		return " (" + r.Err + ")"
	case r.Note != "":
		return " (" + r.Note + ")"
	}
	return ""
}

// reach checks the resolved target against its cluster c: the context counts
// only if kubectl with it reaches c. With --cluster-id, a context reaching
// another cluster is simply not this cluster's (Context and Server empty).
// A context whose name says c but whose server is not an endpoint of c is a
// Mismatch, with the cluster it does reach when there is one (list is then
// called). The same rules serve single commands and the audit.
func reach(ctx context.Context, t Target, c *backend.Cluster, list clusterList) (Target, error) {
	if t.Kube.Server == "" || isEndpointOf(t.Kube, c) {
		if t.How == HowClusterID && t.Kube.Server == "" {
			t.Context, t.Server, t.CA = "", "", nil
		}
		return t, nil
	}
	if t.How == HowServerName {
		// Which address the name resolves to is DNS's: the context is kept,
		// and the check says whether the certificate names it.
		return t, nil
	}
	t.Context, t.Server, t.CA = "", "", nil
	if t.How != HowContextName {
		return t, nil
	}
	m := &Mismatch{Kube: t.Kube, Named: c}
	clusters, err := list(ctx)
	if err != nil {
		return t, err
	}
	if hits := clusters.reachedBy(t.Kube); len(hits) == 1 {
		m.Reached = hits[0]
	}
	t.Mismatch = m
	return t, nil
}

// reach is reach with the backend's list.
func (s *Service) reach(ctx context.Context, t Target, c *backend.Cluster) (Target, error) {
	return reach(ctx, t, c, listClusters(s.Backend))
}

// mustMatch is mustReach without the refusal of a name that does not
// resolve: for a command that changes no access (kubeconfig), a context
// whose name may not resolve yet is fine.
func (s *Service) mustMatch(ctx context.Context, t Target, c *backend.Cluster) (Target, error) {
	t, err := s.reach(ctx, t, c)
	if err == nil && t.Mismatch != nil && t.Mismatch.Dangerous() {
		return t, t.Mismatch.Conflict()
	}
	return t, err
}

// mustReach checks that the context in use reaches cluster c (see reach); a
// context named after c that reaches another cluster is an error (exit 4)
// naming the kubeconfig entry to fix.
//
// A context whose server is a name that does not resolve from this machine
// is refused too (exit 4): which endpoint kubectl reaches with it is not
// known, so neither the lockout guard nor commit confirmed could tell
// whether the change cuts this machine off, and a name is not guessed.
// With --cluster-id the command acts without the context's guard, and says
// so.
func (s *Service) mustReach(ctx context.Context, t Target, c *backend.Cluster) (Target, error) {
	t, err := s.mustMatch(ctx, t, c)
	if err != nil {
		return t, err
	}
	// A certificate name (NamesEndpoint) does not count: where it leads
	// from here is what is not known.
	if k := t.Kube; k.Reach.Err != "" && !k.Reaches(c.IntranetEndpoint) && !k.Reaches(c.PublicEndpoint) {
		if t.How == HowClusterID {
			// Said only of a context that may be this cluster's: one
			// named after another cluster is none of this command's.
			if named := contextClusterID(k.Name); named == "" || named == c.ID {
				s.warn("context %q: %s, so where it leads is not known, and this change of --cluster-id %s is made without its guard", k.Name, k.Reach.Err, c.ID)
			}
			return t, nil
		}
		host := kubeserver.EndpointHost(k.Server)
		return t, errdefs.Errorf(errdefs.KindConflict, "context %q: %s, so which endpoint of cluster %s (%s) kubectl reaches with it is not known, "+
			"and the lockout guard and commit confirmed cannot tell whether this change cuts this machine off; nothing was changed",
			k.Name, k.Reach.Err, c.Name, c.ID).
			WithHint("Make %s resolve (fix DNS, or the %s file), or pass --cluster-id %s to act without the context's guard.", host, "ACK_EXPOSE_HOSTS", c.ID)
	}
	return t, nil
}
