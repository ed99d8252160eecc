package main

import (
	"net"
	"os"
	"slices"
	"strings"

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
	resolveInHosts(ts, name, addr)
	cur := ts.Getenv("ACK_EXPOSE_CONNECT_TO")
	if cur == "" {
		return
	}
	ct, err := probe.ParseConnectTo(cur)
	ts.Check(err)
	ts.Setenv("ACK_EXPOSE_CONNECT_TO", name+":6443="+ct.Target(net.JoinHostPort(addr, "6443"))+","+cur)
}

// resolveInHosts makes NAME resolve to ADDRESS for the plugin outside the
// simulated world too (the aliyun backend's view of a context's server): its
// line in the ACK_EXPOSE_HOSTS file (the story's, else one the harness
// starts) is written or replaced.
func resolveInHosts(ts *testscript.TestScript, name, addr string) {
	path := ts.Getenv(probe.EnvHosts)
	if path == "" {
		path = ts.MkAbs(".resolve-hosts")
		ts.Setenv(probe.EnvHosts, path)
	}
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		ts.Fatalf("resolve: %v", err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimRight(string(old), "\n"), "\n") {
		if f := strings.Fields(line); line != "" && (len(f) < 2 || !slices.Contains(f[1:], name)) {
			out = append(out, line)
		}
	}
	out = append(out, addr+" "+name)
	ts.Check(os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o600))
}

// kubectlproxy: start the CONNECT proxy kubectl reaches named API servers
// through (worldRoute: the name resolved with the simulated world's DNS),
// and point HTTPS_PROXY at it. It needs ACK_EXPOSE_CONNECT_TO (the
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
	url := connectProxy(ts, worldRoute(ts), "")
	for _, k := range []string{"HTTPS_PROXY", "https_proxy"} {
		ts.Setenv(k, url)
	}
	for _, k := range []string{"NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy"} {
		ts.Setenv(k, "")
	}
}

// tunnelof ADDR VAR: set VAR to where ACK_EXPOSE_CONNECT_TO sends ADDR
// (host:port): the local end of a tunnel to ADDR, for a context whose server
// is that tunnel (startserve's listener of an endpoint plays one).
func cmdTunnelOf(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tunnelof ADDR VAR")
	}
	ct, err := probe.ParseConnectTo(ts.Getenv("ACK_EXPOSE_CONNECT_TO"))
	ts.Check(err)
	to := ct.Target(args[0])
	if to == args[0] {
		ts.Fatalf("ACK_EXPOSE_CONNECT_TO has no tunnel to %s", args[0])
	}
	ts.Setenv(args[1], to)
}
