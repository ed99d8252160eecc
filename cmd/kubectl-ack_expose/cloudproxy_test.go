package main

import (
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ack-expose/ack-expose/simulator"
	"github.com/ack-expose/ack-expose/simulator/openapi"
)

func init() { scriptCmds["cloudproxy"] = cmdCloudProxy }

// cloudproxy: serve the script's simulator OpenAPI over TLS as
// https://example.com:PORT (its CA in $WORK/cloud-ca.pem, for SSL_CERT_FILE),
// and an HTTP proxy on loopback that tunnels every CONNECT to it and logs
// "CONNECT host:port" to $WORK/proxy.log. Sets CLOUD_TLS_URL and PROXY_URL.
// A cloud call then succeeds only through the proxy: example.com is never
// resolved here.
func cmdCloudProxy(ts *testscript.TestScript, neg bool, _ []string) {
	if neg {
		ts.Fatalf("unsupported: ! cloudproxy")
	}
	cloud := httptest.NewUnstartedServer(openapi.New(simulator.New(ts.Getenv("ACK_EXPOSE_SIMULATOR_STATE"))))
	cloud.StartTLS()
	ts.Defer(cloud.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cloud.Certificate().Raw})
	ts.Check(os.WriteFile(filepath.Join(ts.Getenv("WORK"), "cloud-ca.pem"), ca, 0o644))
	_, port, _ := net.SplitHostPort(cloud.Listener.Addr().String())

	logPath := filepath.Join(ts.Getenv("WORK"), "proxy.log")
	var mu sync.Mutex
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		f, err := os.OpenFile(logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%s %s\n", r.Method, r.Host)
			_ = f.Close()
		}
		mu.Unlock()
		if r.Method != http.MethodConnect {
			http.Error(w, "this proxy only tunnels", http.StatusMethodNotAllowed)
			return
		}
		upstream, err := net.Dial("tcp", cloud.Listener.Addr().String())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			_ = upstream.Close()
			return
		}
		_, _ = conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() {
			_, _ = io.Copy(upstream, buf)
			_ = upstream.Close()
		}()
		_, _ = io.Copy(conn, upstream)
		_ = conn.Close()
	}))
	ts.Defer(proxy.Close)
	ts.Setenv("CLOUD_TLS_URL", "https://example.com:"+port)
	ts.Setenv("PROXY_URL", proxy.URL)
}
