package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/internal/errkind"
	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/simulator"
)

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("boom"), 1},
		{errdefs.Errorf(errdefs.KindForbidden, "x"), 1},
		{errdefs.Errorf(errdefs.KindThrottled, "x"), 1},
		{errdefs.Errorf(errdefs.KindInvalid, "x"), 2},
		{errdefs.Errorf(errdefs.KindUnsupported, "x"), 3},
		{errdefs.Errorf(errdefs.KindConflict, "x"), 4},
		{errdefs.Errorf(errdefs.KindNotFound, "x"), 5},
		{errdefs.Errorf(errdefs.KindTimeout, "x"), 6},
		{errdefs.Errorf(errdefs.KindRefused, "x"), 7},
		{errdefs.Errorf(errdefs.KindInterrupted, "x"), 130},
		{fmt.Errorf("wrapped: %w", errdefs.Errorf(errdefs.KindConflict, "x")), 4},
		{context.Canceled, 130},
		{&simulator.StateError{Path: "f", Missing: true}, 2},
		// internal/ and the simulator name their kinds (internal/errkind).
		{fmt.Errorf("wrapped: %w", &errkind.Error{Kind: errkind.Conflict, Msg: "lock held"}), 4},
		{&errkind.Error{Kind: errkind.Invalid, Msg: "journal unwritable"}, 2},
		{&errkind.Error{Kind: errkind.Interrupted, Msg: "stopped waiting"}, 130},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// Off a terminal, progress is plain lines, one per change of state.
// A live line only on a terminal that can redraw it: TERM=dumb gets plain lines.
func TestLiveLineNeedsACapableTerminal(t *testing.T) {
	for _, tc := range []struct {
		terminal bool
		term     string
		want     bool
	}{{true, "xterm-256color", true}, {true, "", true}, {true, "dumb", false}, {false, "xterm", false}} {
		if got := liveLine(tc.terminal, tc.term); got != tc.want {
			t.Errorf("terminal %v, TERM=%q: live line %v, want %v", tc.terminal, tc.term, got, tc.want)
		}
	}
}

func TestProgressPlainLines(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b)
	p.Waiting("waiting for task T (running)", 0)
	p.Waiting("waiting for task T (running)", time.Second)
	p.Waiting("waiting for cluster c (updating)", 2*time.Second)
	p.Step("done")
	p.Done()
	want := "waiting for task T (running) (0s elapsed)\nwaiting for cluster c (updating) (2s elapsed)\ndone\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestAllocateSpec(t *testing.T) {
	s, err := allocateSpec(200, "paybytraffic", "bgp")
	if err != nil || s.InternetChargeType != "PayByTraffic" || s.ISP != "BGP" || s.Bandwidth != 200 {
		t.Errorf("%+v %v", s, err)
	}
	if _, err := allocateSpec(201, "PayByTraffic", "BGP"); exitCode(err) != exitUsage {
		t.Errorf("201 Mbps by traffic: %v", err)
	}
	if _, err := allocateSpec(500, "PayByBandwidth", "BGP_PRO"); err != nil {
		t.Errorf("500 Mbps by bandwidth: %v", err)
	}
}
