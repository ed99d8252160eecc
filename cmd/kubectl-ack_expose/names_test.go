package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ack-expose/ack-expose/internal/probe"
	"github.com/ack-expose/ack-expose/simulator"
)

// The fixtures of the stories about reaching the API server by a DNS name.
// A test machine has no DNS of its own to change, so a name is resolved as
// the simulated world's DNS says (`simulator dns`), by each client its way:
//
//   - the simulator backend's check reads the record from the state;
//   - the network probe (aliyun backend) dials through ACK_EXPOSE_CONNECT_TO,
//     which `resolve` extends with NAME:PORT -> where the address is served;
//   - kubectl connects through an HTTP CONNECT proxy (`kubectlproxy`, its
//     HTTPS_PROXY) that resolves the name with the state's DNS, then reaches
//     the address where `simulator serve` serves it. kubectl still asks for
//     the name and checks the certificate against it: only the route is the
//     test's.

// resolve NAME ADDRESS: NAME's DNS record points at ADDRESS (on every port).
func cmdResolve(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: resolve NAME ADDRESS")
	}
	name, addr := args[0], args[1]
	ts.Check(simulator.New(ts.Getenv("ACK_EXPOSE_SIMULATOR_STATE")).Update(func(s *simulator.State) error {
		if s.DNS == nil {
			s.DNS = map[string]string{}
		}
		s.DNS[name] = addr
		return nil
	}))
	cur := ts.Getenv("ACK_EXPOSE_CONNECT_TO")
	if cur == "" {
		return
	}
	ct, err := probe.ParseConnectTo(cur)
	ts.Check(err)
	ts.Setenv("ACK_EXPOSE_CONNECT_TO", name+":6443="+ct.Target(net.JoinHostPort(addr, "6443"))+","+cur)
}

// kubectlproxy: start the CONNECT proxy kubectl reaches named API servers
// through, and point HTTPS_PROXY at it. It needs ACK_EXPOSE_CONNECT_TO (the
// harness's on the aliyun backend, or startserve's).
func cmdKubectlProxy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: kubectlproxy")
	}
	ct, err := probe.ParseConnectTo(ts.Getenv("ACK_EXPOSE_CONNECT_TO"))
	ts.Check(err)
	if ct.Len() == 0 {
		ts.Fatalf("kubectlproxy: ACK_EXPOSE_CONNECT_TO is empty: run startserve first")
	}
	engine := simulator.New(ts.Getenv("ACK_EXPOSE_SIMULATOR_STATE"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	var wg sync.WaitGroup
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		host, port, err := net.SplitHostPort(r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		_ = engine.View(func(s *simulator.State) error {
			if ip, ok := s.DNS[strings.ToLower(host)]; ok {
				host = ip
			}
			return nil
		})
		up, err := net.DialTimeout("tcp", ct.Target(net.JoinHostPort(host, port)), 5*time.Second)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			_ = up.Close()
			return
		}
		_, _ = conn.Write([]byte("HTTP/1.1 200 Connection Established\r\n\r\n"))
		wg.Add(2)
		pipe := func(dst, src net.Conn) {
			defer wg.Done()
			_, _ = io.Copy(dst, src)
			_ = dst.Close()
		}
		go pipe(up, conn)
		go pipe(conn, up)
	})}
	go func() { _ = srv.Serve(ln) }()
	ts.Defer(func() { _ = srv.Close(); wg.Wait() })
	url := "http://" + ln.Addr().String()
	for _, k := range []string{"HTTPS_PROXY", "https_proxy"} {
		ts.Setenv(k, url)
	}
	for _, k := range []string{"NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy"} {
		ts.Setenv(k, "")
	}
}
