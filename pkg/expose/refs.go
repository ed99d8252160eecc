package expose

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/pkg/backend"
)

// The shapes below are checked by hand rather than with regexp: compiling
// patterns at start-up costs every invocation (BENCH.md).

// isClusterID reports whether id is c + 32 lowercase hex digits.
func isClusterID(id string) bool {
	return len(id) == 33 && id[0] == 'c' && all(id[1:], func(b byte) bool { return '0' <= b && b <= '9' || 'a' <= b && b <= 'f' })
}

// isAllocationID reports whether s is eip- + 6 to 64 digits or lowercase letters.
func isAllocationID(s string) bool {
	rest, ok := strings.CutPrefix(s, "eip-")
	return ok && len(rest) >= 6 && len(rest) <= 64 && all(rest, func(b byte) bool { return '0' <= b && b <= '9' || 'a' <= b && b <= 'z' })
}

func isDigits(s string) bool {
	return s != "" && all(s, func(b byte) bool { return '0' <= b && b <= '9' })
}

func all(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// ValidClusterID checks the shape of an ACK cluster ID: c + 32 lowercase hex.
func ValidClusterID(id string) error {
	if isClusterID(id) {
		return nil
	}
	return errdefs.Errorf(errdefs.KindInvalid, "invalid cluster ID %q: an ACK cluster ID is \"c\" followed by 32 lowercase hex digits, as in the ACK console or `aliyun cs DescribeClustersV1`", id)
}

// EIPRef names an EIP by allocation ID or by address.
type EIPRef struct {
	AllocationID string
	IPAddress    string
}

func (r EIPRef) String() string {
	if r.AllocationID != "" {
		return r.AllocationID
	}
	return r.IPAddress
}

func (r EIPRef) query() backend.EIPQuery {
	if r.AllocationID != "" {
		return backend.EIPQuery{AllocationIDs: []string{r.AllocationID}}
	}
	return backend.EIPQuery{IPAddresses: []string{r.IPAddress}}
}

// ParseEIPRef accepts an allocation ID (eip-...) or an IPv4 address.
func ParseEIPRef(s string) (EIPRef, error) {
	s = strings.TrimSpace(s)
	if isAllocationID(s) {
		return EIPRef{AllocationID: s}, nil
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
		return EIPRef{IPAddress: a.String()}, nil
	}
	return EIPRef{}, errdefs.Errorf(errdefs.KindInvalid,
		"invalid EIP %q: give its allocation ID (eip-..., lowercase) or its IPv4 address; list them with `aliyun vpc DescribeEipAddresses`", s)
}

func describeEIP(e *backend.EIP) string {
	return fmt.Sprintf("%s (%s)", e.AllocationID, e.IPAddress)
}
