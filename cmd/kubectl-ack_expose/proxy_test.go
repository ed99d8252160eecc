package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ack-expose/ack-expose/internal/probe"
	"github.com/ack-expose/ack-expose/simulator"
)

func init() {
	scriptCmds["startproxy"] = cmdStartProxy
}

// connectProxy serves an HTTP CONNECT proxy on loopback until the script
// ends, as a corporate proxy is: each CONNECT host:port is tunnelled to
// route(host, port); every request is logged as "METHOD host:port" to
// logPath when it is set. It returns the proxy's URL.
func connectProxy(ts *testscript.TestScript, route func(host, port string) string, logPath string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	var mu sync.Mutex
	var wg sync.WaitGroup
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if logPath != "" {
			mu.Lock()
			if f, err := os.OpenFile(logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
				fmt.Fprintf(f, "%s %s\n", r.Method, r.Host)
				_ = f.Close()
			}
			mu.Unlock()
		}
		if r.Method != http.MethodConnect {
			http.Error(w, "this proxy only tunnels (CONNECT)", http.StatusMethodNotAllowed)
			return
		}
		host, port, err := net.SplitHostPort(r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		up, err := net.DialTimeout("tcp", route(host, port), 5*time.Second)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			_ = up.Close()
			return
		}
		_, _ = conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		wg.Add(2)
		go func() { defer wg.Done(); _, _ = io.Copy(up, buf); _ = up.Close() }()
		go func() { defer wg.Done(); _, _ = io.Copy(conn, up); _ = conn.Close() }()
	})}
	go func() { _ = srv.Serve(ln) }()
	ts.Defer(func() { _ = srv.Close(); wg.Wait() })
	return "http://" + ln.Addr().String()
}

// worldRoute is where a name or address of the simulated world leads from
// this machine: a name through the script's ACK_EXPOSE_HOSTS file, else the
// simulated world's DNS records; then the address through the script's
// ACK_EXPOSE_CONNECT_TO (the simulated API servers; run startserve first).
func worldRoute(ts *testscript.TestScript) func(host, port string) string {
	ct, err := probe.ParseConnectTo(ts.Getenv(probe.EnvConnectTo))
	ts.Check(err)
	hostsFile := ts.Getenv(probe.EnvHosts)
	engine := simulator.New(ts.Getenv("ACK_EXPOSE_SIMULATOR_STATE"))
	return func(host, port string) string {
		name := strings.ToLower(host)
		var hosts map[string][]string
		if hostsFile != "" { // read at each connection: `resolve` rewrites it
			hosts, _ = probe.ReadHosts(hostsFile)
		}
		if a := hosts[name]; len(a) > 0 {
			host = a[0]
		} else {
			_ = engine.View(func(s *simulator.State) error {
				if ip, ok := s.DNS[name]; ok {
					host = ip
				}
				return nil
			})
		}
		return ct.Target(net.JoinHostPort(host, port))
	}
}

// startproxy [-dead]: a CONNECT proxy to the simulated world (worldRoute);
// sets PROXY_URL. With -dead it sets DEAD_PROXY to the URL of a loopback
// port nothing listens on: a proxy that is down.
func cmdStartProxy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 || len(args) == 1 && args[0] != "-dead" {
		ts.Fatalf("usage: startproxy [-dead]")
	}
	if len(args) == 1 {
		ts.Setenv("DEAD_PROXY", "http://"+deadAddress(ts))
		return
	}
	ts.Setenv("PROXY_URL", connectProxy(ts, worldRoute(ts), filepath.Join(ts.Getenv("WORK"), "proxy.log")))
}
