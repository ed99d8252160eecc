package kubeconfig

import (
	"errors"
	"strings"
	"testing"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// A repointing that fails after the change names, per entry left, the kubectl
// command that finishes it, quoted for a shell, keeping the error's kind and
// dropping "try again" (a re-run has nothing to do).
func TestFinishWith(t *testing.T) {
	lockErr := errdefs.Errorf(errdefs.KindConflict, "kubeconfig /k is being edited: its lock /k.lock exists").
		WithHint("kubectl or another ack-expose holds it; try again. If none is running, remove /k.lock.")
	uses := []EndpointUse{{File: "/home/me/my kube", Cluster: "demo-pro", Server: "https://47.96.1.20:6443"}, {File: "/k", Cluster: "it's", Server: "https://47.96.1.20:6443"}}
	err := finishWith(lockErr, uses, "https://47.96.1.10:6443")
	msg := err.Error()
	for _, want := range []string{
		"kubectl config set-cluster demo-pro --server=https://47.96.1.10:6443 --kubeconfig '/home/me/my kube'",
		`kubectl config set-cluster 'it'\''s' --server=https://47.96.1.10:6443 --kubeconfig /k`,
		"remove /k.lock",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "try again") || errdefs.KindOf(err) != errdefs.KindConflict {
		t.Errorf("kind %v, message:\n%s", errdefs.KindOf(err), msg)
	}
	if got := finishWith(lockErr, nil, "x"); got != error(lockErr) {
		t.Errorf("no entry left: %v", got)
	}
	plain := finishWith(errors.New("disk full"), uses[:1], "https://x:6443")
	if !strings.Contains(plain.Error(), "disk full") || !strings.Contains(plain.Error(), "set-cluster demo-pro") {
		t.Errorf("plain error: %v", plain)
	}
}
