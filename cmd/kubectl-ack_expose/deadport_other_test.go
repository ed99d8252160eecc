//go:build !unix

package main

import (
	"net"

	"github.com/rogpeppe/go-internal/testscript"
)

// deadAddress is a loopback port nothing listens on (one freed just now).
func deadAddress(ts *testscript.TestScript) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	addr := ln.Addr().String()
	ts.Check(ln.Close())
	return addr
}
