package main

import (
	"encoding/pem"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"

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

	addr := cloud.Listener.Addr().String()
	url := connectProxy(ts, func(string, string) string { return addr }, filepath.Join(ts.Getenv("WORK"), "proxy.log"))
	ts.Setenv("CLOUD_TLS_URL", "https://example.com:"+port)
	ts.Setenv("PROXY_URL", url)
}
