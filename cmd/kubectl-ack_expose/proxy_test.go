package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ack-expose/ack-expose/internal/probe"
)

func init() {
	scriptCmds["startproxy"] = cmdStartProxy
}

// startproxy [-dead]: an HTTP CONNECT proxy on loopback, as a corporate
// proxy is: it opens the tunnel each CONNECT asks for, names resolved
// through the script's ACK_EXPOSE_HOSTS, to the address the script's
// ACK_EXPOSE_CONNECT_TO maps it to (the simulated API servers; run
// startserve first). It sets PROXY_URL. With -dead it sets DEAD_PROXY to
// the URL of a loopback port nothing listens on: a proxy that is down.
func cmdStartProxy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: startproxy [-dead]")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	if len(args) == 1 {
		if args[0] != "-dead" {
			ts.Fatalf("usage: startproxy [-dead]")
		}
		ts.Setenv("DEAD_PROXY", "http://"+ln.Addr().String())
		ts.Check(ln.Close())
		return
	}
	ct, err := probe.ParseConnectTo(ts.Getenv(probe.EnvConnectTo))
	ts.Check(err)
	var hosts map[string][]string
	if p := ts.Getenv(probe.EnvHosts); p != "" {
		hosts, err = probe.ReadHosts(p)
		ts.Check(err)
	}
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				tunnel(c, ct, hosts)
			}()
		}
	}()
	ts.Setenv("PROXY_URL", "http://"+ln.Addr().String())
	ts.Defer(func() { _ = ln.Close(); wg.Wait() })
}

// tunnel serves one CONNECT: 200 and the bytes both ways, or 502.
func tunnel(c net.Conn, ct probe.ConnectTo, hosts map[string][]string) {
	defer c.Close()
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if req.Method != http.MethodConnect {
		_, _ = io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
		return
	}
	addr := req.Host
	if host, port, err := net.SplitHostPort(addr); err == nil && len(hosts[host]) > 0 {
		addr = net.JoinHostPort(hosts[host][0], port)
	}
	up, err := net.Dial("tcp", ct.Target(addr))
	if err != nil {
		_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer up.Close()
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, br); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
}
