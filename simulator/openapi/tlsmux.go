package openapi

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ack-expose/ack-expose/simulator"
)

// Serve serves hs on ln in plain HTTP and, on the same port, in HTTPS with a
// certificate the simulator CA issues for loopback: the cloud's STS is
// https only, and credentials-go assumes roles over https whatever the
// endpoint says. A client trusts it through the CA of the state
// (`simulator show -o jsonpath='{.ca.cert}'`, e.g. in SSL_CERT_FILE).
// It returns when hs is shut down or closed.
func Serve(hs *http.Server, ln net.Listener, e *simulator.Engine) error {
	plain, secure := splitTLS(ln)
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(plain) }()
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: loopbackCert(e)}
	go func() { errc <- hs.Serve(tls.NewListener(secure, cfg)) }()
	err := <-errc
	_ = ln.Close()
	if e2 := <-errc; err == nil || errors.Is(err, http.ErrServerClosed) {
		err = e2
	}
	return err
}

// loopbackCert issues, on the first handshake (the state file may not
// exist before), the server's certificate from the state's CA.
func loopbackCert(e *simulator.Engine) func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	var mu sync.Mutex
	var cert *tls.Certificate
	return func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		mu.Lock()
		defer mu.Unlock()
		if cert != nil {
			return cert, nil
		}
		var ca *simulator.CA
		if err := e.View(func(s *simulator.State) error { ca = s.CA; return nil }); err != nil {
			return nil, err
		}
		if ca == nil {
			return nil, errors.New("the simulator state has no CA (run simulator serve once to add one)")
		}
		c, err := ca.IssueServer([]string{"127.0.0.1", "::1", "localhost"})
		if err != nil {
			return nil, err
		}
		cert = &c
		return cert, nil
	}
}

// splitTLS splits the connections of ln by their first byte: a TLS
// handshake record (0x16) goes to secure, the rest to plain.
func splitTLS(ln net.Listener) (plain, secure net.Listener) {
	p := &subListener{base: ln, conns: make(chan net.Conn), done: make(chan struct{})}
	s := &subListener{base: ln, conns: make(chan net.Conn), done: p.done, once: &p.closeOnce}
	p.once = &p.closeOnce
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				p.close()
				return
			}
			go func() {
				_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(c)
				b, err := br.Peek(1)
				_ = c.SetReadDeadline(time.Time{})
				if err != nil {
					_ = c.Close()
					return
				}
				to := p
				if b[0] == 0x16 {
					to = s
				}
				select {
				case to.conns <- &peekedConn{Conn: c, r: br}:
				case <-p.done:
					_ = c.Close()
				}
			}()
		}
	}()
	return p, s
}

type subListener struct {
	base      net.Listener
	conns     chan net.Conn
	done      chan struct{}
	closeOnce sync.Once
	once      *sync.Once
}

func (l *subListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *subListener) close() { l.once.Do(func() { close(l.done) }) }

func (l *subListener) Close() error {
	l.close()
	return l.base.Close()
}

func (l *subListener) Addr() net.Addr { return l.base.Addr() }

// peekedConn reads first what was peeked.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(b []byte) (int, error) { return c.r.Read(b) }
