package probe

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// EnvConnectTo is the environment variable of the address override.
const EnvConnectTo = "ACK_EXPOSE_CONNECT_TO"

// ConnectTo maps the addresses of API server endpoints to the addresses to
// dial instead, like curl's --connect-to: the check still verifies the
// certificate for the endpoint's own address. It is how the check reaches
// endpoints through an SSH tunnel, or the ones `simulator serve` plays on
// loopback. The zero value maps nothing.
type ConnectTo struct {
	entries []connectEntry
}

type connectEntry struct {
	host, port string // "" matches any host / any port
	to         string // host:port to dial
}

// ParseConnectTo parses "HOST:PORT=HOST2:PORT2,..." (IPv6 hosts in brackets).
// An empty HOST or PORT on the left matches any, as in curl; unlike curl,
// the most specific match wins (Target), not the first. It never panics,
// whatever the input: it is the parser FuzzParseConnectTo feeds.
func ParseConnectTo(s string) (ConnectTo, error) {
	var c ConnectTo
	if strings.TrimSpace(s) == "" {
		return c, nil
	}
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		from, to, ok := strings.Cut(item, "=")
		if !ok {
			return ConnectTo{}, fmt.Errorf("%s entry %d %q has no '=': write HOST:PORT=HOST2:PORT2, as in 47.96.1.10:6443=127.0.0.1:16443", EnvConnectTo, i+1, item)
		}
		host, port, err := net.SplitHostPort(from)
		if err != nil {
			return ConnectTo{}, fmt.Errorf("%s entry %d %q: %q is not HOST:PORT (%v); an IPv6 host goes in brackets, as in [fd00::1]:6443", EnvConnectTo, i+1, item, from, err)
		}
		if port != "" && !validPort(port) {
			return ConnectTo{}, fmt.Errorf("%s entry %d %q: port %q is not a number from 1 to 65535", EnvConnectTo, i+1, item, port)
		}
		toHost, toPort, err := net.SplitHostPort(to)
		if err != nil || toHost == "" {
			return ConnectTo{}, fmt.Errorf("%s entry %d %q: %q is not the HOST:PORT to connect to instead, as in 127.0.0.1:16443", EnvConnectTo, i+1, item, to)
		}
		if !validPort(toPort) {
			return ConnectTo{}, fmt.Errorf("%s entry %d %q: port %q is not a number from 1 to 65535", EnvConnectTo, i+1, item, toPort)
		}
		c.entries = append(c.entries, connectEntry{host: strings.ToLower(host), port: port, to: net.JoinHostPort(toHost, toPort)})
	}
	return c, nil
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == p
}

// Target is the address to dial for addr (host:port): the most specific
// entry that matches it (host and port, then host, then port, then any;
// the first of equals), else addr itself. So an entry appended after a
// catch-all (`simulator serve` prints one last) still counts.
func (c ConnectTo) Target(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	host = strings.ToLower(host)
	best, rank := addr, -1
	for _, e := range c.entries {
		if (e.host != "" && e.host != host) || (e.port != "" && e.port != port) {
			continue
		}
		r := 0
		if e.host != "" {
			r += 2
		}
		if e.port != "" {
			r++
		}
		if r > rank {
			best, rank = e.to, r
		}
	}
	return best
}

// namesHost reports whether an entry names host itself (its tunnel wins
// over any resolution of the name).
func (c ConnectTo) namesHost(host string) bool {
	host = strings.ToLower(host)
	for _, e := range c.entries {
		if e.host == host {
			return true
		}
	}
	return false
}

// Len is the number of entries.
func (c ConnectTo) Len() int { return len(c.entries) }

// Sources lists the addresses (host:port) whose dial leads to addr: the
// entries naming both a host and a port whose target is addr. A server
// that is such a target is a tunnel in front of those addresses.
func (c ConnectTo) Sources(addr string) []string {
	var out []string
	for _, e := range c.entries {
		if e.host != "" && e.port != "" && strings.EqualFold(e.to, addr) {
			out = append(out, net.JoinHostPort(e.host, e.port))
		}
	}
	return out
}
