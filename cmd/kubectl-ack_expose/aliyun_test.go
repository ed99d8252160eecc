package main

import (
	"net"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ack-expose/ack-expose/pkg/cmd"
	"github.com/ack-expose/ack-expose/simulator"
	"github.com/ack-expose/ack-expose/simulator/openapi"
)

// The AccessKey the aliyun runs sign with. The secret is a sentinel: no output
// of any script may contain it (see secrets.txtar).
const (
	testAccessKeyID     = "LTAI5tSimulatorTestKey"
	testAccessKeySecret = "SENTINEL-SECRET-7f3a9c1e-do-not-print"
)

func init() {
	// Each script gets its own OpenAPI server over its own state file, on
	// loopback, as `simulator serve` would serve it.
	backendSetup["aliyun"] = func(env *testscript.Env, state string) error {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: openapi.New(simulator.New(state))}
		go func() { _ = openapi.Serve(srv, ln, simulator.New(state)) }()
		env.Defer(func() { _ = srv.Close() })
		// The API server endpoints of the demo world, on loopback too, and
		// every other address on 6443 dropped: a check never leaves the machine.
		apis := openapi.NewAPIServers(simulator.New(state))
		env.Defer(apis.Close)
		for _, addr := range simulator.EndpointAddresses(simulator.DemoWorld()) {
			if _, err := apis.Listen(addr); err != nil {
				return err
			}
		}
		if err := apis.ListenFallback(); err != nil {
			return err
		}
		env.Setenv("ACK_EXPOSE_CONNECT_TO", apis.ConnectTo())
		url := "http://" + ln.Addr().String()
		env.Setenv("ACK_EXPOSE_CS_ENDPOINT", url)
		env.Setenv("ACK_EXPOSE_VPC_ENDPOINT", url)
		env.Setenv("ACK_EXPOSE_SLB_ENDPOINT", url)
		env.Setenv("ACK_EXPOSE_STS_ENDPOINT", url)
		env.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", testAccessKeyID)
		env.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", testAccessKeySecret)
		env.Setenv("SECRET_SENTINEL", testAccessKeySecret)
		return nil
	}
}

// TestScriptsAliyun runs the same stories with the aliyun backend, through
// alibaba-cloud-sdk-go and HTTP, against the simulator's OpenAPI server.
func TestScriptsAliyun(t *testing.T) {
	runStories(t, scriptParams(t, "aliyun"))
}

func init() { scriptCmds["accounts"] = cmdAccounts }

// accounts AK=STATEFILE...: serve the OpenAPI again with more accounts (as
// `simulator serve --account` does): requests signed with AccessKey ID AK
// see STATEFILE's world; the others the script's. Points the endpoints at it,
// STS at its https side (role assumption is https only), trusted through the
// simulator CA in SSL_CERT_FILE; the simulator backend gets the same accounts
// through ACK_EXPOSE_SIMULATOR_ACCOUNTS.
func cmdAccounts(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: accounts AK=STATEFILE...")
	}
	state := ts.Getenv("ACK_EXPOSE_SIMULATOR_STATE")
	srv := openapi.New(simulator.New(state))
	srv.Accounts = map[string]*simulator.Engine{}
	var env []string
	for _, a := range args {
		ak, file, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("accounts: %q is not AK=STATEFILE", a)
		}
		srv.Accounts[ak] = simulator.New(ts.MkAbs(file))
		env = append(env, ak+"="+ts.MkAbs(file))
	}
	ts.Setenv(cmd.EnvSimulatorAccounts, strings.Join(env, ","))
	var ca *simulator.CA
	ts.Check(simulator.New(state).View(func(s *simulator.State) error { ca = s.CA; return nil }))
	if ca == nil {
		ts.Fatalf("accounts: %s has no CA", state)
	}
	caFile := ts.MkAbs("simulator-ca.pem")
	ts.Check(os.WriteFile(caFile, []byte(ca.Cert), 0o600))
	ts.Setenv("SSL_CERT_FILE", caFile)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	hs := &http.Server{Handler: srv}
	go func() { _ = openapi.Serve(hs, ln, simulator.New(state)) }()
	ts.Defer(func() { _ = hs.Close() })
	url := "http://" + ln.Addr().String()
	for _, k := range []string{"ACK_EXPOSE_CS_ENDPOINT", "ACK_EXPOSE_VPC_ENDPOINT", "ACK_EXPOSE_SLB_ENDPOINT"} {
		ts.Setenv(k, url)
	}
	ts.Setenv("ACK_EXPOSE_STS_ENDPOINT", "https://"+ln.Addr().String())
}
