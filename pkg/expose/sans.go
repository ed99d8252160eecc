package expose

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ack-expose/ack-expose/internal/certsan"
	"github.com/ack-expose/ack-expose/internal/clusterkind"
	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// The actions of `sans`: the extra names of the API server's certificate
// (ModifyCluster api_server_custom_cert_sans). They go through Plan, Apply
// and Run like the EIP's: one plan, one lockout guard, one wait.
const (
	SANsAdd    Action = "sans add"
	SANsRemove Action = "sans remove"
	SANsSet    Action = "sans set"
)

// IsSANs reports whether an action changes the certificate's names.
func (a Action) IsSANs() bool { return a == SANsAdd || a == SANsRemove || a == SANsSet }

// ParseSANs checks the names of a sans command, before any call: DNS names
// or IP addresses (internal/certsan), returned canonical, each once.
func ParseSANs(names []string) ([]string, error) {
	out, err := certsan.Parse(names)
	if err != nil {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "%v", err).
			WithHint("A certificate name is a DNS name (api.example.com, *.example.com) or an IP address, without scheme or port.")
	}
	if len(out) == 0 {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "no certificate name given: name at least one, as in `kubectl ack-expose sans add api.example.com`")
	}
	return out, nil
}

// planSANs fills a plan of a sans action: the change to send (append the
// names missing, or overwrite with the list the action leaves), nothing to do
// when the certificate already is as asked, and the lockout: the API server
// restarts, and a removed name may be the one the context in use reaches it by.
func (s *Service) planSANs(ctx context.Context, p *Plan) error {
	c, r := p.Cluster, p.Request
	if ok, why := clusterkind.CertSANs(c.ClusterType, c.Profile, c.ClusterSpec); !ok {
		return errdefs.Errorf(errdefs.KindUnsupported, "cluster %s (%s): %s", c.Name, c.ID, why)
	}
	if c.State != backend.StateRunning {
		return errdefs.Errorf(errdefs.KindConflict, "cluster %s (%s): %s", c.Name, c.ID, stateReason(c))
	}
	var err error
	if p.Current, err = s.currentEIP(ctx, c); err != nil {
		return err
	}
	name := fmt.Sprintf("%s (%s)", c.Name, c.ID)
	cur := c.ExtraSANs
	var after []string
	switch r.Action {
	case SANsAdd:
		var missing, byDefault []string
		defaults := defaultSANs(c)
		for _, n := range r.SANs {
			switch {
			case slices.Contains(cur, n):
			case slices.Contains(defaults, n):
				byDefault = append(byDefault, n)
			default:
				missing = append(missing, n)
			}
		}
		if len(missing) == 0 {
			p.NothingToDo = true
			msg := fmt.Sprintf("nothing to do: the API server certificate of cluster %s already names %s", name, strings.Join(r.SANs, ", "))
			if len(byDefault) > 0 {
				msg += fmt.Sprintf(" (%s by default: ACK issues every certificate with the intranet address and the in-cluster names)", strings.Join(byDefault, ", "))
			}
			p.Steps = []string{msg}
			return nil
		}
		after = append(append([]string{}, cur...), missing...)
		p.SANChange = &backend.SANChange{Action: backend.SANsAppend, Names: missing}
		p.Steps = []string{fmt.Sprintf("add %s to the API server certificate of cluster %s (the API server restarts)", strings.Join(missing, ", "), name)}
	case SANsRemove:
		var present []string
		for _, n := range cur {
			if slices.Contains(r.SANs, n) {
				present = append(present, n)
			} else {
				after = append(after, n)
			}
		}
		if len(present) == 0 {
			p.NothingToDo = true
			p.Steps = []string{fmt.Sprintf("nothing to do: the API server certificate of cluster %s names none of %s (its extra names: %s)", name, strings.Join(r.SANs, ", "), joinNames(cur))}
			return nil
		}
		p.SANChange = &backend.SANChange{Action: backend.SANsOverwrite, Names: after}
		p.Steps = []string{fmt.Sprintf("remove %s from the API server certificate of cluster %s, leaving %s (the API server restarts)", strings.Join(present, ", "), name, joinNames(after))}
	case SANsSet:
		after = r.SANs
		if sameSet(cur, after) {
			p.NothingToDo = true
			p.Steps = []string{fmt.Sprintf("nothing to do: the extra names of the API server certificate of cluster %s already are %s", name, joinNames(cur))}
			return nil
		}
		p.SANChange = &backend.SANChange{Action: backend.SANsOverwrite, Names: after}
		p.Steps = []string{fmt.Sprintf("set the extra names of the API server certificate of cluster %s to %s, from %s (the API server restarts)", name, joinNames(after), joinNames(cur))}
	}
	p.SANsAfter = after
	p.Lockout = sansLockout(p)
	return nil
}

// sansLockout is what the restart costs, for the confirmation: every client
// of the API server is interrupted during the rollout, and a context that
// reaches it by a name the change removes stops working for good.
func sansLockout(p *Plan) string {
	c := p.Cluster
	msg := fmt.Sprintf("changing the certificate's names restarts the API server of cluster %s: kubectl and every client reaching it, through any endpoint, are interrupted until the rollout is done (ACK advises off-peak hours)", c.Name)
	if host := kubeserver.EndpointHost(p.Target.Server); host != "" && slices.Contains(p.Cluster.ExtraSANs, host) && !certsan.Covers(p.SANsAfter, host) {
		ctxName := cmp.Or(p.Target.Context, "in use")
		msg += fmt.Sprintf("; context %q reaches the API server as %s, which this removes from the certificate: kubectl with this context will refuse the API server afterwards", ctxName, host)
	}
	return msg
}

// defaultSANs are the names ACK puts in every API server certificate, beside
// the extra ones: the CLB's intranet address and the in-cluster names of the
// kubernetes Service. Adding one of them would restart the API server for
// nothing. The bound EIP is not one: some certificates are issued without it,
// and `status --check` then advises `sans add <EIP>`.
func defaultSANs(c *backend.Cluster) []string {
	out := []string{"kubernetes", "kubernetes.default", "kubernetes.default.svc"}
	if h := kubeserver.EndpointHost(c.IntranetEndpoint); h != "" {
		out = append(out, h)
	}
	return out
}

func joinNames(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// sansVerdict tells whether a SAN change whose answer was lost was taken:
// the cluster rolling out, or running with the names asked for.
func sansVerdict(p *Plan, now *backend.Cluster) verdict {
	switch {
	case now.State == backend.StateRunning && sameSet(now.ExtraSANs, p.SANsAfter):
		return wasAccepted
	case backend.IsBusy(now.State):
		return wasAccepted
	case now.State == backend.StateRunning && sameSet(now.ExtraSANs, p.Cluster.ExtraSANs):
		return wasRejected
	}
	return undecided
}
