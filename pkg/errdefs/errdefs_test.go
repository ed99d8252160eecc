package errdefs

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ack-expose/ack-expose/internal/errkind"
)

func TestKindForCloudCode(t *testing.T) {
	for _, tc := range []struct {
		code   string
		status int
		want   Kind
	}{
		{"Throttling.User", 400, KindThrottled},
		{"QPS Limit Exceeded", 400, KindThrottled},
		{"ServiceUnavailable", 503, KindUnavailable},
		{"", 502, KindUnavailable},
		{"ErrorClusterNotFound", 404, KindNotFound},
		{"Forbidden.RAM", 403, KindForbidden},
		{"ErrorCheckAcl", 403, KindForbidden},
		{"IncorrectEipStatus", 400, KindConflict},
		{"Throttling.Api", 400, KindThrottled},
		{"Rejected.Throttling", 400, KindThrottled},
		{"ErrorNotSupported", 400, KindUnsupported},
		{"Forbidden.ChargeTypeIsPrepaid", 400, KindConflict},
		{"InvalidBandwidth.Malformed", 400, KindInvalid},
		{"InvalidRegion.NotSupport", 400, KindInvalid},
		{"SomethingNew", 400, KindInternal},
		{"Throttling.ConcurrentLimitExceeded", 400, KindThrottled},
		{"Throttling.Resource", 400, KindThrottled},
		{"ServiceUnavailable.Busy", 400, KindUnavailable},
		{"QPS Limit Exceeded.Api", 429, KindThrottled},
		{"InvalidDescription.Malformed", 400, KindInvalid},
	} {
		if got := KindForCloudCode(tc.code, tc.status); got != tc.want {
			t.Errorf("%q %d: %v, want %v", tc.code, tc.status, got, tc.want)
		}
	}
	e := &Error{Kind: KindNotFound, Msg: "m", Code: "C", RequestID: "R", Hint: "do this"}
	if e.Error() != "m (code C, request ID R)\ndo this" || !errors.Is(e, e) {
		t.Errorf("%q", e.Error())
	}
}

func TestAmbiguous(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("connection reset by peer"), true},
		{&Error{Kind: KindUnavailable, Msg: "SDK.TimeoutError"}, true},
		{&Error{Kind: KindUnavailable, HTTPStatus: 503}, true},
		{&Error{Kind: KindUnavailable, HTTPStatus: 500, Code: "InternalError"}, true},
		{&Error{Kind: KindUnavailable, HTTPStatus: 502}, true},
		{&Error{Kind: KindThrottled, HTTPStatus: 400, Code: "Throttling.User"}, false},
		{&Error{Kind: KindConflict, HTTPStatus: 400}, false},
		{&Error{Kind: KindInvalid, Msg: "bad flag"}, false},
	} {
		if got := Ambiguous(tc.err); got != tc.want {
			t.Errorf("Ambiguous(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// The errors of internal/ and the simulator carry their kind by name.
func TestKindOfNamedKinds(t *testing.T) {
	for name, want := range map[string]Kind{errkind.Invalid: KindInvalid, errkind.Conflict: KindConflict, errkind.Interrupted: KindInterrupted, "no such kind": KindInternal} {
		err := fmt.Errorf("wrapped: %w", &errkind.Error{Kind: name, Msg: "m"})
		if got := KindOf(err); got != want {
			t.Errorf("KindOf(kind %q) = %v, want %v", name, got, want)
		}
	}
}
