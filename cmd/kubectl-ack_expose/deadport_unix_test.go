//go:build unix

package main

import (
	"fmt"
	"syscall"

	"github.com/rogpeppe/go-internal/testscript"
)

// deadAddress is a loopback address nothing listens on, for as long as the
// script runs: a socket bound to the port and never listening keeps it, so a
// connection is refused there (no listener of a parallel story can take the
// port, as one could after a Listen and Close).
func deadAddress(ts *testscript.TestScript) string {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	ts.Check(err)
	ts.Defer(func() { _ = syscall.Close(fd) })
	ts.Check(syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	sa, err := syscall.Getsockname(fd)
	ts.Check(err)
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}
