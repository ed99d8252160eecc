package openapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ack-expose/ack-expose/simulator"
)

// APIServers plays the simulated clusters' API server endpoints on loopback:
// one listener per address at which an API server may answer (every EIP and
// every intranet endpoint of the state), opened as those addresses appear.
// What a connection finds is decided when it arrives, from the state: the
// cluster the address belongs to now, its certificate (from the simulator
// CA, SANs = the cluster's addresses), and whether it admits the client
// address; an address no cluster answers at, or a refused client, has its
// connection dropped. ConnectTo is the ACK_EXPOSE_CONNECT_TO value that maps
// the addresses to the listeners.
type APIServers struct {
	Engine *simulator.Engine
	// Logf, when set, logs one line per connection.
	Logf func(format string, args ...any)

	mu        sync.Mutex
	listeners map[string]net.Listener // endpoint address -> loopback listener
	fallback  net.Listener            // drops every connection (ListenFallback)
	certs     map[string]*tls.Certificate
	closed    bool
}

// NewAPIServers returns the endpoints over an engine; Sync opens them.
func NewAPIServers(e *simulator.Engine) *APIServers {
	return &APIServers{Engine: e, listeners: map[string]net.Listener{}, certs: map[string]*tls.Certificate{}}
}

// Listen serves the endpoint address addr (host:port) on a new loopback
// port, unless it is served already. It reports whether it opened one.
func (a *APIServers) Listen(addr string) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false, net.ErrClosed
	}
	if _, ok := a.listeners[addr]; ok {
		return false, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return false, err
	}
	a.listeners[addr] = ln
	go a.accept(addr, ln)
	return true, nil
}

// ListenFallback opens the listener that ConnectTo maps every other address
// on port 6443 to: it drops each connection, so that an address the map does
// not know (an EIP allocated after it was printed) is unreachable instead of
// reached on the Internet.
func (a *APIServers) ListenFallback() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fallback != nil {
		return nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	a.fallback = ln
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			a.logf("apiserver %s: dropped: an address the map does not know", c.LocalAddr())
			_ = c.Close()
		}
	}()
	return nil
}

// Sync serves every endpoint address of the state not served yet, and
// returns the ones it added.
func (a *APIServers) Sync() ([]string, error) {
	var addrs []string
	if err := a.Engine.View(func(s *simulator.State) error {
		addrs = simulator.EndpointAddresses(s)
		return nil
	}); err != nil {
		return nil, err
	}
	var added []string
	for _, addr := range addrs {
		ok, err := a.Listen(addr)
		if err != nil {
			return added, err
		}
		if ok {
			added = append(added, addr)
		}
	}
	return added, nil
}

// Watch syncs whenever the state file changes (an EIP allocated while
// serving gets its endpoint), until ctx ends; onAdded hears of new addresses.
func (a *APIServers) Watch(ctx context.Context, every time.Duration, onAdded func([]string)) {
	var last time.Time
	var size int64 = -1
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fi, err := os.Stat(a.Engine.Path)
		if err != nil || (fi.ModTime().Equal(last) && fi.Size() == size) {
			continue
		}
		last, size = fi.ModTime(), fi.Size()
		if added, err := a.Sync(); err == nil && len(added) > 0 && onAdded != nil {
			onAdded(added)
		}
	}
}

// ConnectTo is the ACK_EXPOSE_CONNECT_TO value mapping every served address
// to its listener, sorted.
func (a *APIServers) ConnectTo() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.listeners))
	for addr, ln := range a.listeners {
		out = append(out, addr+"="+ln.Addr().String())
	}
	sort.Strings(out)
	if a.fallback != nil { // a catch-all: the more specific entries win
		out = append(out, ":6443="+a.fallback.Addr().String())
	}
	return strings.Join(out, ",")
}

// Close stops every listener.
func (a *APIServers) Close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	for _, ln := range a.listeners {
		_ = ln.Close()
	}
	if a.fallback != nil {
		_ = a.fallback.Close()
	}
}

func (a *APIServers) accept(addr string, ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go a.serve(addr, c)
	}
}

func (a *APIServers) logf(format string, args ...any) {
	if a.Logf != nil {
		a.Logf(format, args...)
	}
}

// serve answers one connection as the API server at addr, or drops it.
func (a *APIServers) serve(addr string, c net.Conn) {
	defer c.Close()
	nv, err := a.Engine.Network(addr)
	if nv.Latency > 0 {
		time.Sleep(nv.Latency) // the network's round trip, as the API's
	}
	switch {
	case err != nil:
		a.logf("apiserver %s: dropped: %v", addr, err)
		return
	case nv.Endpoint == nil:
		a.logf("apiserver %s: dropped: no API server answers at this address", addr)
		return
	case !nv.Endpoint.Admitted:
		a.logf("apiserver %s (%s): dropped: the client address is not admitted", addr, nv.Endpoint.ClusterName)
		return
	case nv.Endpoint.Restarting:
		// Reset, as a port nothing listens on answers (this listener stays
		// open: the API server comes back at the same address).
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		a.logf("apiserver %s (%s): reset: the API server is restarting (new certificate names)", addr, nv.Endpoint.ClusterName)
		return
	case nv.CA == nil:
		a.logf("apiserver %s: dropped: the state has no CA", addr)
		return
	}
	cert, err := a.cert(nv.CA, nv.Endpoint.SANs)
	if err != nil {
		a.logf("apiserver %s: dropped: issuing the certificate: %v", addr, err)
		return
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12})
	if err := tc.Handshake(); err != nil {
		a.logf("apiserver %s (%s): TLS handshake: %v", addr, nv.Endpoint.ClusterName, err)
		return
	}
	req, err := http.ReadRequest(bufio.NewReader(tc))
	if err != nil {
		return
	}
	status, body := answer(req, nv.Endpoint)
	a.logf("apiserver %s (%s): %s %s -> %d", addr, nv.Endpoint.ClusterName, req.Method, req.URL.Path, status)
	resp := &http.Response{StatusCode: status, ProtoMajor: 1, ProtoMinor: 1, Close: true,
		Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: int64(len(body)),
		Body: io.NopCloser(bytes.NewReader(body))}
	_ = resp.Write(tc)
	_ = tc.Close()
}

// answer is the API server's answer to an anonymous request: /version, as
// kube-apiserver's system:public-info-viewer allows; 401 for anything else.
func answer(req *http.Request, ep *simulator.Endpoint) (int, []byte) {
	if req.Method == http.MethodGet && req.URL.Path == "/version" {
		b, _ := json.Marshal(map[string]string{
			"major": "1", "minor": "31", "gitVersion": ep.Version, "platform": "linux/amd64",
		})
		return http.StatusOK, b
	}
	b, _ := json.Marshal(map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure",
		"message": "Unauthorized", "reason": "Unauthorized", "code": 401})
	return http.StatusUnauthorized, b
}

// cert issues (once per set of names) the API server certificate.
func (a *APIServers) cert(ca *simulator.CA, sans []string) (*tls.Certificate, error) {
	key := ca.Cert + "\x00" + strings.Join(sans, ",")
	a.mu.Lock()
	c := a.certs[key]
	a.mu.Unlock()
	if c != nil {
		return c, nil
	}
	issued, err := ca.IssueServer(sans)
	if err != nil {
		return nil, fmt.Errorf("issuing a certificate for %s: %w", strings.Join(sans, ", "), err)
	}
	a.mu.Lock()
	a.certs[key] = &issued
	a.mu.Unlock()
	return &issued, nil
}
