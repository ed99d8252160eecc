package expose

import (
	"context"
	"fmt"
	"strings"

	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/pkg/backend"
)

// KubeContext is what the kubeconfig says about the context in use.
type KubeContext struct {
	Name   string // context name; empty when there is no usable context
	Server string // server URL of the context's cluster entry
	// CA is the PEM certificate authority of the context's cluster entry (nil if none).
	CA []byte
	// Err is why no context could be read (no kubeconfig, no current context...).
	Err error
}

// Target is the cluster a command acts on, and how the user reaches it.
type Target struct {
	ClusterID string
	Context   string // the kubeconfig context, if one was in use
	Server    string // the API server URL that context uses (for the lockout guard)
	CA        []byte // the context's certificate authority, PEM (for the endpoint check)
	// How says which resolution step found the cluster.
	How string
}

// ParseContextName splits an ACK context name, "<account-uid>-<clusterId>".
func ParseContextName(name string) (accountID, clusterID string, ok bool) {
	accountID, clusterID, ok = strings.Cut(name, "-")
	if !ok || !isDigits(accountID) || !isClusterID(clusterID) {
		return "", "", false
	}
	return accountID, clusterID, true
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

// Resolve finds the cluster: --cluster-id; else the ACK context name; else the
// cluster whose intranet or public endpoint is the context's server (one list
// call). A failure names every step tried.
func Resolve(ctx context.Context, b backend.Backend, clusterID string, kc KubeContext) (Target, error) {
	t := Target{Context: kc.Name, Server: kc.Server, CA: kc.CA}
	if clusterID != "" {
		if err := ValidClusterID(clusterID); err != nil {
			return t, err
		}
		t.ClusterID, t.How = clusterID, "--cluster-id"
		return t, nil
	}
	if kc.Err != nil {
		return t, kc.Err
	}
	var tried []string
	tried = append(tried, "--cluster-id: not given")
	if _, id, ok := ParseContextName(kc.Name); ok {
		t.ClusterID, t.How = id, "context name"
		return t, nil
	}
	tried = append(tried, fmt.Sprintf("context name %q: not of the ACK form <account-uid>-<clusterId>", kc.Name))
	if kc.Server == "" {
		tried = append(tried, "server URL: the context's cluster entry has no server")
	} else {
		clusters, err := b.ListClusters(ctx, "")
		if err != nil {
			return t, err
		}
		var hits []backend.Cluster
		for _, c := range clusters {
			if SameEndpoint(c.IntranetEndpoint, kc.Server) || SameEndpoint(c.PublicEndpoint, kc.Server) {
				hits = append(hits, c)
			}
		}
		switch len(hits) {
		case 1:
			t.ClusterID, t.How = hits[0].ID, "server URL"
			return t, nil
		case 0:
			tried = append(tried, fmt.Sprintf("server URL %s: no cluster of the account has this endpoint", kc.Server))
		default:
			var ids []string
			for _, c := range hits {
				ids = append(ids, c.ID+" ("+c.Name+")")
			}
			tried = append(tried, fmt.Sprintf("server URL %s: %d clusters have this endpoint: %s", kc.Server, len(hits), strings.Join(ids, ", ")))
		}
	}
	return t, errdefs.Errorf(errdefs.KindNotFound, "cannot tell which ACK cluster context %q is:\n  %s", kc.Name, strings.Join(tried, "\n  ")).
		WithHint("Pass --cluster-id c..., or pick an ACK context with --context.")
}
