package expose

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/backend"
)

// fakeChecker records the CA each endpoint was checked with and how many
// checks ran at once.
type fakeChecker struct {
	mu      sync.Mutex
	cas     map[string]string
	running atomic.Int32
	peak    atomic.Int32
}

func (f *fakeChecker) CheckEndpoint(_ context.Context, endpoint string, path kubeserver.Path) backend.CheckResult {
	n := f.running.Add(1)
	defer f.running.Add(-1)
	for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
	}
	time.Sleep(time.Millisecond)
	f.mu.Lock()
	f.cas[endpoint] = string(path.CA) + "/" + path.Context
	f.mu.Unlock()
	return backend.CheckResult{Endpoint: endpoint, Reachable: true}
}

func TestCheckAudit(t *testing.T) {
	f := &fakeChecker{cas: map[string]string{}}
	l := &ExposureList{}
	var contexts []kubeserver.Context
	for i := range 40 {
		name := fmt.Sprintf("ctx-%d", i)
		it := AuditItem{Context: name}
		switch {
		case i == 0: // not a cluster: no check
		case i%2 == 0:
			it.Cluster.ID, it.Cluster.Name, it.PublicEndpoint, it.IntranetEndpoint = "c", "x", fmt.Sprintf("https://47.0.0.%d:6443", i), "https://10.0.0.1:6443"
		default:
			it.Cluster.ID, it.Cluster.Name = "c", "x"
		}
		l.Items = append(l.Items, it)
		contexts = append(contexts, kubeserver.Context{Name: name, CA: []byte("ca-" + name)})
	}
	CheckAudit(context.Background(), f, l, contexts, false, 4)
	if p := f.peak.Load(); p > 4 || p < 1 {
		t.Errorf("%d checks at once, want at most 4", p)
	}
	if l.Items[0].Check != nil {
		t.Errorf("a row without a cluster was checked")
	}
	if got := f.cas["https://47.0.0.2:6443"]; got != "ca-ctx-2/ctx-2" {
		t.Errorf("row 2 checked with %q, want its own context's CA", got)
	}
	if c := l.Items[3].Check; c == nil || c.Step != backend.CheckStepEndpoint || !strings.Contains(c.Error, "no public endpoint") {
		t.Errorf("a cluster without a public endpoint: %+v", c)
	}
	if len(f.cas) != 19 {
		t.Errorf("%d endpoints checked, want 19", len(f.cas))
	}
}
