package expose

// What a user types about access (sources, expiry comments), parsed and checked
// before anything is read from the cloud.

import (
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// expiryPrefix starts the comment part that carries a temporary entry's expiry.
const expiryPrefix = "ack-expose until "

// CoversEveryone reports whether the IPv4 blocks together admit every IPv4
// address: 0.0.0.0/0, or any set whose union is the whole space. Entries
// that do not parse cover nothing.
func CoversEveryone(cidrs []string) bool {
	type span struct{ lo, hi uint64 }
	var spans []span
	for _, c := range cidrs {
		p, err := netip.ParsePrefix(c)
		if err != nil || !p.Addr().Is4() {
			continue
		}
		p = p.Masked()
		b := p.Addr().As4()
		lo := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
		spans = append(spans, span{lo, lo + 1<<(32-p.Bits()) - 1})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	var next uint64 // the lowest address not covered yet
	for _, s := range spans {
		if s.lo > next {
			return false
		}
		next = max(next, s.hi+1)
	}
	return next > 0xFFFFFFFF
}

// EveryoneNote names what opens a list to every address, for people:
// "0.0.0.0/0 in the list", or the entries that together cover it.
func EveryoneNote(cidrs []string) string {
	if slices.Contains(cidrs, "0.0.0.0/0") {
		return "0.0.0.0/0 in the list"
	}
	return "its entries together cover every address"
}

// ParseSources checks sources given on the command line: IPv4 addresses (a
// bare address means /32) or canonical IPv4 CIDR blocks. It makes no call.
func ParseSources(args []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, a := range args {
		s := strings.TrimSpace(a)
		var p netip.Prefix
		if addr, err := netip.ParseAddr(s); err == nil {
			p = netip.PrefixFrom(addr, addr.BitLen())
		} else if p, err = netip.ParsePrefix(s); err != nil {
			return nil, errdefs.Errorf(errdefs.KindInvalid, "%q is not an IPv4 address or CIDR block: give an address such as 203.0.113.7 or a block such as 203.0.113.0/24", a)
		}
		if p.Addr().Is4In6() || p.Addr().Is6() {
			return nil, errdefs.Errorf(errdefs.KindInvalid, "%q is an IPv6 source, but the API server's CLB is IPv4 and takes IPv4 access control lists only: give IPv4 addresses or blocks", a)
		}
		if p.Masked() != p {
			return nil, errdefs.Errorf(errdefs.KindInvalid, "%q is not a canonical CIDR block (its host bits are set): use %s for the whole block, or %s for that address alone",
				a, p.Masked(), netip.PrefixFrom(p.Addr(), 32))
		}
		c := p.String()
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	if len(out) > backend.ACLEntriesMax {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "%d sources given: a CLB access control list holds at most %d entries; merge addresses into wider CIDR blocks", len(out), backend.ACLEntriesMax)
	}
	return out, nil
}

// ExpiryComment is the comment of a temporary entry: the user's text, if
// any, and the expiry in RFC 3339 UTC.
func ExpiryComment(comment string, until time.Time) string {
	e := expiryPrefix + until.UTC().Format(time.RFC3339)
	if comment == "" {
		return e
	}
	return comment + " (" + e + ")"
}

// ParseExpiry finds the expiry in an entry's comment, in the form
// ExpiryComment writes it (the whole comment, or its end in parentheses);
// ok is false when it has none. Only --for writes it: a comment that merely
// mentions the words is no expiry.
func ParseExpiry(comment string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(comment, expiryPrefix)
	if !ok {
		i := strings.LastIndex(comment, " ("+expiryPrefix)
		if i < 0 || !strings.HasSuffix(comment, ")") {
			return time.Time{}, false
		}
		rest = strings.TrimSuffix(comment[i+2+len(expiryPrefix):], ")")
	}
	t, err := time.Parse(time.RFC3339, rest)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// CommentMax is the longest comment an entry may have, the expiry of --for
// included (the simulator's limit: the SLB API reference documents none).
const CommentMax = 256

// isControl reports whether r is a character --comment refuses: a control
// character, a format character (a bidirectional override) or a line or
// paragraph separator.
func isControl(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// CheckComment refuses, before any call, a --comment that is not plain
// text: control characters (a newline would break every table, an escape
// sequence would drive the terminal of whoever lists the entries), invalid
// UTF-8, more than CommentMax characters with the expiry of --for, or the
// words "ack-expose until", which only --for writes (an entry would read as
// expiring, and the next allow would remove it). The error is KindInvalid.
func CheckComment(comment string, temporary bool) error {
	hint := "Use plain text, such as --comment 'office VPN'."
	n := utf8.RuneCountInString(comment)
	if temporary {
		n = utf8.RuneCountInString(ExpiryComment(comment, time.Now()))
	}
	switch {
	case !utf8.ValidString(comment):
		return errdefs.Errorf(errdefs.KindInvalid, "--comment %q is not valid UTF-8", comment).WithHint("%s", hint)
	case strings.IndexFunc(comment, isControl) >= 0:
		return errdefs.Errorf(errdefs.KindInvalid, "--comment %q contains a control character (a newline, a line or paragraph separator, a tab, a terminal escape, a bidirectional override)", comment).WithHint("%s", hint)
	case n > CommentMax:
		return errdefs.Errorf(errdefs.KindInvalid, "--comment is %d characters long (with the expiry --for adds): an entry's comment holds at most %d", n, CommentMax).WithHint("Shorten it.")
	case strings.Contains(strings.ToLower(comment), strings.TrimSpace(expiryPrefix)):
		return errdefs.Errorf(errdefs.KindInvalid, "--comment %q contains %q, which ack-expose reserves for the expiry that --for writes", comment, strings.TrimSpace(expiryPrefix)).
			WithHint("Use --for DURATION for a temporary entry, as in --for 2h.")
	}
	return nil
}
