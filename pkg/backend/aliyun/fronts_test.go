package aliyun_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/backend/aliyun"
	"github.com/ack-expose/ack-expose/pkg/backend/simulated"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/simulator"
	"github.com/ack-expose/ack-expose/simulator/openapi"
)

// fronts returns the same fresh demo world behind both fronts: the in-process
// simulated backend, and the aliyun backend (SDK over HTTP) against the
// simulator's OpenAPI server. edit, when set, changes the world first.
func fronts(t *testing.T, edit func(*simulator.State)) map[string]backend.Backend {
	t.Helper()
	out := map[string]backend.Backend{}
	for _, name := range []string{"simulated", "aliyun"} {
		path := filepath.Join(t.TempDir(), "state.json")
		e := simulator.New(path)
		w := simulator.DemoWorld()
		w.Timing = simulator.Timing{}
		if edit != nil {
			edit(w)
		}
		if err := e.Write(w, false); err != nil {
			t.Fatal(err)
		}
		if name == "simulated" {
			out[name] = simulated.New(path)
			continue
		}
		srv := httptest.NewServer(openapi.New(e))
		t.Cleanup(srv.Close)
		b, err := aliyun.New(aliyun.Options{Region: simulator.DemoRegion, CSEndpoint: srv.URL, VPCEndpoint: srv.URL,
			Credentials: credentials.NewStaticAKCredentialsProvider("LTAItest", "secret")})
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

// TestEveryErrorSameKindOnBothFronts sends every error the simulator answers
// through both fronts and requires the same code and the same kind (so the
// same exit code), the kind errdefs.KindForCloudCode gives that code.
func TestEveryErrorSameKindOnBothFronts(t *testing.T) {
	ctx := context.Background()
	id := simulator.ClusterIDFor
	const region = simulator.DemoRegion
	many := make([]string, 51)
	for i := range many {
		many[i] = "eip-abcdef" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	prepaid := func(s *simulator.State) { s.EIPs[0].ChargeType = "PrePaid" }
	type call func(backend.Backend) error
	for _, tc := range []struct {
		name string
		edit func(*simulator.State)
		call call
		code string
		kind errdefs.Kind
	}{
		{"cluster not found", nil, func(b backend.Backend) error { _, err := b.DescribeCluster(ctx, id("nope")); return err },
			"ErrorClusterNotFound", errdefs.KindNotFound},
		{"EIPs without region", nil, func(b backend.Backend) error { _, err := b.DescribeEIPs(ctx, "", backend.EIPQuery{}); return err },
			"MissingRegionId", errdefs.KindInvalid},
		{"more than 50 IDs", nil, func(b backend.Backend) error {
			_, err := b.DescribeEIPs(ctx, region, backend.EIPQuery{AllocationIDs: many})
			return err
		}, "InvalidParameter", errdefs.KindInvalid},
		{"PayByTraffic 201 Mbps", nil, func(b backend.Backend) error {
			_, err := b.AllocateEIP(ctx, region, backend.AllocateSpec{Bandwidth: 201, InternetChargeType: "PayByTraffic", ISP: "BGP"})
			return err
		}, "InvalidBandwidth.Malformed", errdefs.KindInvalid},
		{"PayByBandwidth 501 Mbps", nil, func(b backend.Backend) error {
			_, err := b.AllocateEIP(ctx, region, backend.AllocateSpec{Bandwidth: 501, InternetChargeType: "PayByBandwidth", ISP: "BGP"})
			return err
		}, "InvalidBandwidth.Malformed", errdefs.KindInvalid},
		{"bad charge type", nil, func(b backend.Backend) error {
			_, err := b.AllocateEIP(ctx, region, backend.AllocateSpec{Bandwidth: 5, InternetChargeType: "PayByMood", ISP: "BGP"})
			return err
		}, "InvalidParameter", errdefs.KindInvalid},
		{"bad ISP", nil, func(b backend.Backend) error {
			_, err := b.AllocateEIP(ctx, region, backend.AllocateSpec{Bandwidth: 5, InternetChargeType: "PayByTraffic", ISP: "Pigeon"})
			return err
		}, "InvalidParameter", errdefs.KindInvalid},
		{"BGP_PRO in cn-hangzhou", nil, func(b backend.Backend) error {
			_, err := b.AllocateEIP(ctx, region, backend.AllocateSpec{Bandwidth: 5, InternetChargeType: "PayByTraffic", ISP: "BGP_PRO"})
			return err
		}, simulator.AssumeBGPProRegion.Code, errdefs.KindInvalid},
		{"release unknown EIP", nil, func(b backend.Backend) error { return b.ReleaseEIP(ctx, region, "eip-bp1nope000000000000") },
			"InvalidAllocationId.NotFound", errdefs.KindNotFound},
		{"release InUse EIP", nil, func(b backend.Backend) error { return b.ReleaseEIP(ctx, region, "eip-bp1demoecs000000000") },
			"IncorrectEipStatus", errdefs.KindConflict},
		{"release PrePaid EIP", prepaid, func(b backend.Backend) error { return b.ReleaseEIP(ctx, region, "eip-bp1demo0000000000001") },
			"Forbidden.ChargeTypeIsPrepaid", errdefs.KindConflict},
		{"modify unknown cluster", nil, func(b backend.Backend) error { _, err := b.ModifyAPIServerEIP(ctx, id("nope"), ""); return err },
			"ErrorClusterNotFound", errdefs.KindNotFound},
		{"modify dedicated", nil, func(b backend.Backend) error {
			_, err := b.ModifyAPIServerEIP(ctx, id("demo-dedicated"), "eip-bp1demo0000000000001")
			return err
		}, simulator.AssumeUnsupportedKind.Code, errdefs.KindUnsupported},
		{"modify busy", nil, func(b backend.Backend) error {
			_, err := b.ModifyAPIServerEIP(ctx, id("demo-busy"), "eip-bp1demo0000000000001")
			return err
		}, simulator.AssumeBusyCluster.Code, errdefs.KindConflict},
		{"modify with unknown EIP", nil, func(b backend.Backend) error {
			_, err := b.ModifyAPIServerEIP(ctx, id("demo-basic"), "eip-bp1nope000000000000")
			return err
		}, simulator.AssumeCSEIPNotFound.Code, errdefs.KindNotFound},
		{"modify with EIP of another region", nil, func(b backend.Backend) error {
			_, err := b.ModifyAPIServerEIP(ctx, id("demo-basic"), "eip-2zedemobj0000000000")
			return err
		}, simulator.AssumeCSEIPRegion.Code, errdefs.KindConflict},
		{"modify with EIP in use", nil, func(b backend.Backend) error {
			_, err := b.ModifyAPIServerEIP(ctx, id("demo-basic"), "eip-bp1demoecs000000000")
			return err
		}, simulator.AssumeCSEIPStatus.Code, errdefs.KindConflict},
		{"names on an Edge cluster", nil, func(b backend.Backend) error {
			_, err := b.ModifyAPIServerSANs(ctx, id("demo-edge"), backend.SANChange{Action: backend.SANsAppend, Names: []string{"a.example"}})
			return err
		}, simulator.AssumeSANsUnsupportedKind.Code, errdefs.KindUnsupported},
		{"names with an unknown action", nil, func(b backend.Backend) error {
			_, err := b.ModifyAPIServerSANs(ctx, id("demo-pro"), backend.SANChange{Action: "replace", Names: []string{"a.example"}})
			return err
		}, simulator.AssumeSANsInvalid.Code, errdefs.KindInvalid},
		{"names that are not names", nil, func(b backend.Backend) error {
			_, err := b.ModifyAPIServerSANs(ctx, id("demo-pro"), backend.SANChange{Action: backend.SANsAppend, Names: []string{"https://a.example"}})
			return err
		}, simulator.AssumeSANsInvalid.Code, errdefs.KindInvalid},
		{"unknown task", nil, func(b backend.Backend) error { _, err := b.DescribeTask(ctx, "T-nope"); return err },
			simulator.AssumeTaskNotFound.Code, errdefs.KindNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, b := range fronts(t, tc.edit) {
				err := tc.call(b)
				var e *errdefs.Error
				if !errorsAs(err, &e) || e.Code != tc.code || e.Kind != tc.kind {
					t.Errorf("%s: %v (kind %v), want code %s, kind %v", name, err, errdefs.KindOf(err), tc.code, tc.kind)
				}
				if want := errdefs.KindForCloudCode(tc.code, e.HTTPStatus); e != nil && e.Kind != want {
					t.Errorf("%s: kind %v is not errdefs' kind %v for %s", name, e.Kind, want, tc.code)
				}
			}
		})
	}
}

// TestFaultsSameKindOnBothFronts injects each fault code (the codes both
// APIs are documented or seen to answer, and every code of the simulator's
// assumptions) and requires the same kind through both fronts.
func TestFaultsSameKindOnBothFronts(t *testing.T) {
	ctx := context.Background()
	type fault struct {
		code   string
		status int
	}
	faults := []fault{{"Throttling", 400}, {"Throttling.User", 400}, {"Throttling.Api", 400}, {"Rejected.Throttling", 400},
		{"QPS Limit Exceeded", 400}, {"ServiceUnavailable", 503}, {"SystemBusy", 400}, {"InternalError", 500},
		{"ErrorCheckAcl", 403}, {"Forbidden.RAM", 403}, {"OperationConflict", 400}, {"TaskConflict", 400},
		{"IncorrectEipStatus", 400}, {"InvalidAllocationId.NotFound", 404}, {"Forbidden.ChargeTypeIsPrepaid", 400},
		{"ErrorClusterNotFound", 404}, {"SomethingNew", 400}}
	for _, a := range simulator.Assumptions {
		if a.Code != "" {
			faults = append(faults, fault{a.Code, a.HTTPStatus})
		}
	}
	for _, f := range faults {
		t.Run(f.code, func(t *testing.T) {
			kinds := map[string]errdefs.Kind{}
			for _, action := range []string{"DescribeClusterDetail", "DescribeEipAddresses"} {
				for name, b := range fronts(t, func(s *simulator.State) {
					s.Faults = []simulator.Fault{{Action: action, Code: f.code, HTTPStatus: f.status, Message: "injected", Remaining: 1}}
				}) {
					var err error
					if action == "DescribeClusterDetail" {
						_, err = b.DescribeCluster(ctx, simulator.ClusterIDFor("demo-basic"))
					} else {
						_, err = b.DescribeEIPs(ctx, simulator.DemoRegion, backend.EIPQuery{})
					}
					var e *errdefs.Error
					if !errorsAs(err, &e) || e.Code != f.code || e.HTTPStatus != f.status {
						t.Fatalf("%s %s: %v, want code %s, HTTP %d", name, action, err, f.code, f.status)
					}
					kinds[name+" "+action] = e.Kind
				}
			}
			want := errdefs.KindForCloudCode(f.code, f.status)
			for k, got := range kinds {
				if got != want {
					t.Errorf("%s: kind %v, want %v", k, got, want)
				}
			}
		})
	}
}

func errorsAs(err error, target **errdefs.Error) bool { return errors.As(err, target) }

// A change of the certificate's names reads back the same on both fronts:
// append, then overwrite with none (an empty list on the wire, not null).
func TestSANsSameOnBothFronts(t *testing.T) {
	ctx := context.Background()
	id := simulator.ClusterIDFor("demo-pro")
	instant := func(s *simulator.State) { s.Timing.ModifyCluster = 0 }
	for name, b := range fronts(t, instant) {
		for _, step := range []struct {
			change backend.SANChange
			want   string
		}{
			{backend.SANChange{Action: backend.SANsAppend, Names: []string{"api.example.com", "203.0.113.7"}}, "api.example.com,203.0.113.7"},
			{backend.SANChange{Action: backend.SANsOverwrite}, ""},
		} {
			if _, err := b.ModifyAPIServerSANs(ctx, id, step.change); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			c, err := b.DescribeCluster(ctx, id)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got := strings.Join(c.ExtraSANs, ","); got != step.want || c.ExtraSANs == nil {
				t.Errorf("%s after %s: extra names %q (nil %t), want %q", name, step.change.Action, got, c.ExtraSANs == nil, step.want)
			}
		}
	}
}
