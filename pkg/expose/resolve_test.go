package expose

import (
	"context"
	"strings"
	"testing"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/simulator"
)

// The commands and the audit resolve a context with the same rules: the
// cluster, the context that reaches it, and the mismatch agree.
func TestCommandsAndAuditResolveAlike(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	basic, pro := simulator.ClusterIDFor("demo-basic"), simulator.ClusterIDFor("demo-pro")
	const proPublic, basicIntranet = "https://47.96.1.20:6443", "https://192.168.0.10:6443"
	for _, tc := range []struct {
		name      string
		kc        kubeserver.Context
		cluster   string // the cluster resolved
		reaches   bool   // cluster.context is the context
		mismatch  string // in status
		refused   bool   // by the commands that change things
		auditNote string
	}{
		{"ACK name, its own server", kubeserver.Context{Name: "1-" + basic, Server: basicIntranet}, "demo-basic", true, "", false, ""},
		{"ACK name, another cluster's server", kubeserver.Context{Name: "1-" + basic, Server: proPublic, Cluster: "kubernetes", ClusterFile: "a", ContextFile: "b"},
			"demo-basic", false, "is an endpoint of cluster demo-pro", true, "is an endpoint of cluster demo-pro"},
		{"ACK name, a server that went away", kubeserver.Context{Name: "1-" + pro, Server: "https://47.96.9.9:6443"}, "demo-pro", false, "nor of any cluster of the account", false, "nor of any cluster"},
		{"renamed context, by server", kubeserver.Context{Name: "mine", Server: proPublic}, "demo-pro", true, "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := Resolve(ctx, svc.Backend, "", tc.kc)
			if err != nil {
				t.Fatal(err)
			}
			x, err := svc.Status(ctx, tg)
			if err != nil {
				t.Fatal(err)
			}
			if x.Cluster.Name != tc.cluster || (x.Cluster.Context == tc.kc.Name) != tc.reaches || !strings.Contains(x.Mismatch, tc.mismatch) || (tc.mismatch == "") != (x.Mismatch == "") {
				t.Errorf("status: cluster %s, context %q, mismatch %q", x.Cluster.Name, x.Cluster.Context, x.Mismatch)
			}
			_, err = svc.plan(ctx, tg, Request{Action: Disassociate})
			if refused := errdefs.KindOf(err) == errdefs.KindConflict && strings.Contains(err.Error(), "is named after"); refused != tc.refused {
				t.Errorf("plan: %v, refused %v", err, tc.refused)
			}
			if tc.refused && !strings.Contains(err.Error(), `cluster entry "kubernetes" in a, which hides the entry of that name in b`) {
				t.Errorf("the refusal does not say which file to fix: %q", err)
			}
			list, _, err := svc.Audit(ctx, []kubeserver.Context{tc.kc})
			if err != nil {
				t.Fatal(err)
			}
			it := list.Items[0]
			if it.Cluster.Name != x.Cluster.Name || it.Cluster.Context != x.Cluster.Context || !strings.Contains(it.Error, tc.auditNote) || (tc.auditNote == "") != (it.Error == "") {
				t.Errorf("audit: cluster %s, context %q, error %q; status said %s, %q", it.Cluster.Name, it.Cluster.Context, it.Error, x.Cluster.Name, x.Cluster.Context)
			}
		})
	}
}

// --cluster-id: cluster.context is the current context only if it reaches
// that cluster.
func TestClusterIDKeepsOnlyAContextThatReachesIt(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	basic := kubeserver.Context{Name: "1-" + simulator.ClusterIDFor("demo-basic"), Server: "https://192.168.0.10:6443"}
	for name, want := range map[string]string{"demo-pro": "", "demo-basic": basic.Name} {
		tg, err := Resolve(ctx, svc.Backend, simulator.ClusterIDFor(name), basic)
		if err != nil {
			t.Fatal(err)
		}
		x, err := svc.Status(ctx, tg)
		if err != nil || x.Cluster.Context != want || x.Mismatch != "" {
			t.Errorf("--cluster-id %s: context %q, mismatch %q, %v; want context %q", name, x.Cluster.Context, x.Mismatch, err, want)
		}
	}
}
