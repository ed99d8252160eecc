package probe

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
)

// EnvHosts names a hosts-format file ("ADDRESS NAME..." per line, # comments)
// that replaces the system resolver for the names of API servers: a knob for
// tests and the simulator, where the names of a story must resolve to the
// simulated endpoints without touching the machine's DNS. Set, it is the
// only source: a name it does not list does not resolve.
const EnvHosts = "ACK_EXPOSE_HOSTS"

// DefaultLookupTimeout bounds one name lookup: a guard that waits on a slow
// DNS server would make every command slow.
const DefaultLookupTimeout = 300 * time.Millisecond

// Resolver resolves the host names of API servers with the system resolver
// (or the EnvHosts file), each name at most once per run, each lookup
// bounded in time. The zero value uses the system resolver.
type Resolver struct {
	// Hosts, when not nil, replaces the system resolver (EnvHosts).
	Hosts map[string][]string
	// Records, when set, gives names known before any resolver is asked:
	// the simulated world's DNS records (`simulator dns`), for the
	// simulator backend. It is called once, at the first name looked up.
	Records func() map[string][]string
	// Timeout bounds a lookup (zero: DefaultLookupTimeout).
	Timeout time.Duration

	mu      sync.Mutex
	cache   map[string]lookup
	records map[string][]string
}

type lookup struct {
	addrs []string
	err   error
}

// NewResolver reads the EnvHosts file when the variable is set. A file that
// cannot be read is an error naming it.
func NewResolver() (*Resolver, error) {
	path := os.Getenv(EnvHosts)
	if path == "" {
		return &Resolver{}, nil
	}
	hosts, err := ReadHosts(path)
	if err != nil {
		return nil, err
	}
	return &Resolver{Hosts: hosts}, nil
}

// ReadHosts reads a hosts-format file: "ADDRESS NAME..." per line, #
// comments. Names are lower case, without a trailing dot.
func ReadHosts(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", EnvHosts, err)
	}
	defer f.Close()
	hosts := map[string][]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		a, err := netip.ParseAddr(fields[0])
		if err != nil || len(fields) < 2 {
			return nil, fmt.Errorf("%s %s line %d %q: write ADDRESS NAME..., as in 47.96.1.20 api.pro.example", EnvHosts, path, n, sc.Text())
		}
		for _, name := range fields[1:] {
			name = strings.TrimSuffix(strings.ToLower(name), ".")
			hosts[name] = append(hosts[name], a.Unmap().String())
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s %s: %v", EnvHosts, path, err)
	}
	return hosts, nil
}

// Lookup returns the addresses of host (an address is itself).
func (r *Resolver) Lookup(ctx context.Context, host string) ([]string, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []string{a.Unmap().String()}, nil
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	r.mu.Lock()
	defer r.mu.Unlock()
	if l, ok := r.cache[host]; ok {
		return l.addrs, l.err
	}
	if r.Records != nil && r.records == nil {
		r.records = r.Records()
		if r.records == nil {
			r.records = map[string][]string{}
		}
	}
	var l lookup
	if addrs := r.records[host]; len(addrs) > 0 {
		l.addrs = addrs
	} else if r.Hosts != nil {
		if l.addrs = r.Hosts[host]; len(l.addrs) == 0 {
			l.err = fmt.Errorf("%s is not in the %s file", host, EnvHosts)
		}
	} else {
		timeout := r.Timeout
		if timeout <= 0 {
			timeout = DefaultLookupTimeout
		}
		lctx, cancel := context.WithTimeout(ctx, timeout)
		var addrs []string
		addrs, l.err = net.DefaultResolver.LookupHost(lctx, host)
		cancel()
		for _, s := range addrs {
			if a, err := netip.ParseAddr(s); err == nil {
				l.addrs = append(l.addrs, a.Unmap().String())
			}
		}
		if l.err != nil && lctx.Err() != nil {
			l.err = fmt.Errorf("no answer from the resolver within %s", timeout)
		}
	}
	if r.cache == nil {
		r.cache = map[string]lookup{}
	}
	r.cache[host] = l
	return l.addrs, l.err
}

// Network is how this machine reaches API servers: the resolver, and the
// tunnels of ACK_EXPOSE_CONNECT_TO.
type Network struct {
	Resolver  *Resolver
	ConnectTo ConnectTo
}

// Reach says where kubectl with server ends up: the server itself; behind a
// tunnel (the server is where an ACK_EXPOSE_CONNECT_TO entry leads), the
// endpoint the tunnel fronts; for a host name, the addresses it resolves to.
// A name that does not resolve is reported in Err, never guessed.
func (n *Network) Reach(ctx context.Context, server string) kubeserver.Reach {
	r := kubeserver.Reach{}
	host, port, ok := kubeserver.HostPort(server)
	if !ok {
		return r
	}
	if from := n.ConnectTo.Sources(net.JoinHostPort(host, port)); len(from) > 0 {
		for _, f := range from {
			r.Endpoints = append(r.Endpoints, "https://"+f)
		}
		r.Note = "a tunnel to " + strings.Join(from, ", ") + " by " + EnvConnectTo
		return r
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return r
	}
	res := n.Resolver
	if res == nil {
		res = &Resolver{}
	}
	addrs, err := res.Lookup(ctx, host)
	if err != nil {
		r.Err = fmt.Sprintf("%s does not resolve from this machine (%v)", host, unwrapDNS(err))
		return r
	}
	for _, a := range addrs {
		r.Endpoints = append(r.Endpoints, "https://"+net.JoinHostPort(a, port))
	}
	r.Note = "resolves to " + strings.Join(addrs, ", ")
	return r
}

func unwrapDNS(err error) error {
	if de, ok := err.(*net.DNSError); ok {
		return fmt.Errorf("%s", de.Err)
	}
	return err
}
