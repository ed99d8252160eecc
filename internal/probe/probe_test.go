package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/simulator"
)

// apiServer serves TLS with a certificate for sans from ca on loopback,
// answering /version with status; it returns the address.
func apiServer(t *testing.T, ca *simulator.CA, sans []string, status int) string {
	t.Helper()
	cert, err := ca.IssueServer(sans)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("the check sent credentials: %q", r.Header.Get("Authorization"))
		}
		w.WriteHeader(status)
		if status == 200 {
			_, _ = w.Write([]byte(`{"gitVersion":"v1.31.1"}`))
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

func newCA(t *testing.T) *simulator.CA {
	t.Helper()
	ca, err := simulator.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func TestProbe(t *testing.T) {
	ca, other := newCA(t), newCA(t)
	ok := apiServer(t, ca, []string{"47.96.1.10", "kubernetes"}, 200)
	noSAN := apiServer(t, ca, []string{"192.168.0.10"}, 200)
	unauth := apiServer(t, ca, []string{"47.96.1.10"}, 401)
	// A listener that drops every connection, as an allow list does.
	drop, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer drop.Close()
	go func() {
		for {
			c, err := drop.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	// A port nothing listens on.
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := closed.Addr().String()
	_ = closed.Close()

	const ep = "https://47.96.1.10:6443"
	for _, tc := range []struct {
		name, to  string
		ca        *simulator.CA
		reachable bool
		verified  bool
		san       bool
		version   string
		step      string
		err       string
	}{
		{"ok", ok, ca, true, true, true, "v1.31.1", "", ""},
		{"401 proves reachability", unauth, ca, true, true, true, "", "", ""},
		{"another CA", ok, other, true, false, true, "v1.31.1", CheckStepTLS, "not signed by the CA of context ctx"},
		{"no CA", ok, nil, true, false, true, "v1.31.1", CheckStepTLS, "has no certificate-authority"},
		{"EIP not in SANs", noSAN, ca, true, true, false, "v1.31.1", CheckStepSAN, "does not include 47.96.1.10 (it names 192.168.0.10)"},
		{"dropped", drop.Addr().String(), ca, false, false, false, "", CheckStepTLS, "was dropped before the TLS handshake"},
		{"refused", refused, ca, false, false, false, "", CheckStepConnect, "connection refused; nothing serves the API server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, err := ParseConnectTo("47.96.1.10:6443=" + tc.to)
			if err != nil {
				t.Fatal(err)
			}
			var pem []byte
			if tc.ca != nil {
				pem = []byte(tc.ca.Cert)
			}
			r := Probe(context.Background(), ep, Path{Context: "ctx", CA: pem}, Options{ConnectTo: ct, ConnectTimeout: time.Second})
			if r.Endpoint != ep || r.Reachable != tc.reachable || r.TLS.Verified != tc.verified || r.TLS.SANIncludesAddress != tc.san ||
				r.Version != tc.version || r.Step != tc.step || !strings.Contains(r.Error, tc.err) || (tc.err == "") != r.OK() {
				t.Errorf("got %+v", r)
			}
			if tc.reachable && r.TLS.NotAfter == nil {
				t.Errorf("no notAfter")
			}
		})
	}
	// insecure-skip-tls-verify: the CHECK line says the context skips
	// verification, not that it lacks a certificate-authority.
	if ct, err := ParseConnectTo("47.96.1.10:6443=" + ok); err != nil {
		t.Fatal(err)
	} else if r := Probe(context.Background(), ep, Path{Context: "ctx", Insecure: true}, Options{ConnectTo: ct, ConnectTimeout: time.Second}); r.Step != CheckStepTLS ||
		!strings.Contains(r.Error, "context ctx skips verification (insecure-skip-tls-verify: true)") || strings.Contains(r.Error, "no certificate-authority") {
		t.Errorf("insecure-skip-tls-verify: %+v", r)
	}
	if r := Probe(context.Background(), "http://47.96.1.10:6443", Path{}, Options{}); r.Step != CheckStepEndpoint {
		t.Errorf("plain http endpoint: %+v", r)
	}
}

// Any userinfo of a proxy URL is hidden wherever it is printed: a username
// alone is often a token, which url.URL.Redacted would keep.
func TestProxyUserinfoNeverPrinted(t *testing.T) {
	for _, proxy := range []string{"http://ghp_TOKENabc123@127.0.0.1:9", "http://user:ghp_TOKENabc123@127.0.0.1:9", "ftp://ghp_TOKENabc123@127.0.0.1:9"} {
		p := Path{Context: "demo", ProxyURL: proxy}
		via := Options{}.Via("https://47.96.1.20:6443", p)
		if strings.Contains(via, "TOKEN") || !strings.Contains(via, "REDACTED@127.0.0.1:9") && !strings.HasPrefix(proxy, "ftp") {
			t.Errorf("Via with proxy %s = %q, want the userinfo redacted", proxy, via)
		}
		if _, err := Proxy("https://47.96.1.20:6443", p); err != nil && strings.Contains(err.Error(), "TOKEN") {
			t.Errorf("Proxy error for %s prints the token: %v", proxy, err)
		}
		r := Probe(context.Background(), "https://127.0.0.1:9", p, Options{ConnectTimeout: time.Second, TLSTimeout: time.Second, HTTPTimeout: time.Second})
		if s := fmt.Sprintf("%+v", r); strings.Contains(s, "TOKEN") {
			t.Errorf("check through proxy %s prints the token: %s", proxy, s)
		}
	}
}

// With Hosts (ACK_EXPOSE_HOSTS), the API server's name is dialed at the
// address the file gives it (and a tunnel of that address followed), while
// TLS keeps the name, as kubectl's dial does with the system resolver; a name
// the file does not list does not resolve. A tunnel naming the name itself wins.
func TestProbeHosts(t *testing.T) {
	ca := newCA(t)
	srv := apiServer(t, ca, []string{"api.pro.example"}, 200)
	ct, err := ParseConnectTo("47.96.1.20:6443=" + srv)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{ConnectTo: ct, ConnectTimeout: time.Second, Hosts: map[string][]string{"api.pro.example": {"47.96.1.20"}}}
	path := Path{Context: "ctx", CA: []byte(ca.Cert)}
	r := Probe(context.Background(), "https://api.pro.example:6443", path, o)
	if !r.OK() || !r.TLS.SANIncludesAddress {
		t.Fatalf("check of the name: %+v", r)
	}
	if want := EnvConnectTo + " tunnel " + srv; r.Via != want {
		t.Errorf("via %q, want %q", r.Via, want)
	}
	r = Probe(context.Background(), "https://api.nowhere.example:6443", path, o)
	if r.Reachable || !strings.Contains(r.Error, "api.nowhere.example is not in the "+EnvHosts+" file") {
		t.Errorf("check of a name not in the file: %+v", r)
	}
	if via := o.Via("https://api.nowhere.example:6443", path); via != "" {
		t.Errorf("via of a name not in the file %q, want none", via)
	}
	// A tunnel of the name itself is taken before the file.
	named, err := ParseConnectTo("api.pro.example:6443=127.0.0.1:1,47.96.1.20:6443=" + srv)
	if err != nil {
		t.Fatal(err)
	}
	o.ConnectTo = named
	if via := o.Via("https://api.pro.example:6443", path); via != EnvConnectTo+" tunnel 127.0.0.1:1" {
		t.Errorf("via with a tunnel of the name: %q", via)
	}
}
