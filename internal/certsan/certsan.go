// Package certsan is the one rule for the extra names of an ACK API server
// certificate (ModifyCluster api_server_custom_cert_sans): what a name may be,
// its canonical spelling, and which cluster kinds take them. The command
// layer validates with it before any call, and the simulator refuses with it,
// so the two cannot disagree.
package certsan

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Canonical returns the canonical spelling of one name: an IP address in its
// standard form, or a DNS name (RFC 1123, a leading "*." wildcard allowed) in
// lower case. The CS model documents the names as "IP addresses or domain
// names"; the DNS rule is Kubernetes' own (apimachinery's validation), which
// is what the API server's certificate names are checked against.
func Canonical(name string) (string, error) {
	n := name
	if n == "" {
		return "", fmt.Errorf("an empty name: give a DNS name (api.example.com) or an IP address")
	}
	if strings.IndexFunc(n, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		// Refused, not trimmed: a name pasted with a newline or a space is
		// most likely not the name meant, and the certificate would hold it.
		return "", fmt.Errorf("%q has a space or a control character (a newline, a tab): give the name alone, without quotes or spaces around it", name)
	}
	if strings.Contains(n, "://") || strings.ContainsAny(n, "/") {
		return "", fmt.Errorf("%q is a URL, not a name: give only its host, as in api.example.com", name)
	}
	if a, err := netip.ParseAddr(strings.Trim(n, "[]")); err == nil {
		if a.Zone() != "" {
			return "", fmt.Errorf("%q: an IP address with a zone cannot be in a certificate", name)
		}
		return a.String(), nil
	}
	if h, p, ok := strings.Cut(n, ":"); ok && p != "" && !strings.Contains(p, ":") {
		return "", fmt.Errorf("%q has a port: a certificate names hosts only; give %s", name, h)
	}
	lower := strings.ToLower(n)
	check := validation.IsDNS1123Subdomain
	if strings.HasPrefix(lower, "*.") {
		check = validation.IsWildcardDNS1123Subdomain
	}
	errs := check(lower)
	for _, label := range strings.Split(strings.TrimPrefix(lower, "*."), ".") {
		if len(label) > validation.DNS1123LabelMaxLength {
			// apimachinery checks a subdomain's length, not its labels'.
			errs = append(errs, fmt.Sprintf("the label %q is longer than %d characters", label, validation.DNS1123LabelMaxLength))
		}
	}
	labels := strings.Split(lower, ".")
	if last := labels[len(labels)-1]; last != "" && strings.Trim(last, "0123456789") == "" {
		// RFC 1123 section 2.1 and RFC 3696 section 2: a top-level domain
		// is never all digits, so 1.2.3 or 300.1.1.1 is a mistyped
		// address, not a name.
		errs = append(errs, fmt.Sprintf("not an IP address, and a DNS name's last label (%q) is not all digits", last))
	}
	if len(errs) > 0 {
		return "", fmt.Errorf("%q is neither an IP address nor a DNS name: %s", name, strings.Join(errs, "; "))
	}
	return lower, nil
}

// Parse checks every name and returns them canonical, in order, each once.
// The error names every bad name.
func Parse(names []string) ([]string, error) {
	var out []string
	var bad []string
	for _, n := range names {
		c, err := Canonical(n)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("invalid certificate name: %s", strings.Join(bad, "; "))
	}
	return out, nil
}

// IsIP reports whether a canonical name is an IP address.
func IsIP(name string) bool {
	_, err := netip.ParseAddr(name)
	return err == nil
}

// Covers reports whether one of names makes a certificate valid for host, as
// a TLS client checks it: the same name, or a wildcard covering exactly one
// more label of a DNS name.
func Covers(names []string, host string) bool {
	h, err := Canonical(host)
	if err != nil {
		return false
	}
	for _, n := range names {
		if n == h {
			return true
		}
		if rest, ok := strings.CutPrefix(n, "*."); ok && !IsIP(h) {
			if _, parent, ok := strings.Cut(h, "."); ok && parent == rest {
				return true
			}
		}
	}
	return false
}
