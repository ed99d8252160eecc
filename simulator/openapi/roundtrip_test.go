package openapi

import (
	"net/http/httptest"
	"testing"
	"unicode/utf8"

	"github.com/ack-expose/ack-expose/pkg/backend/aliyun"
	"github.com/ack-expose/ack-expose/simulator"
)

// The simulator writes the cloud's wire formats and the aliyun backend reads
// them, each with its own types on purpose (see pkg/backend/aliyun/wire.go).
// These round trips catch a field name that drifts on one side only.

func FuzzErrorRoundTrip(f *testing.F) {
	f.Add("ErrorClusterNotFound", "cluster c1 not found", 404)
	f.Add("Throttling.User", "Request was denied due to user flow control.", 400)
	f.Add("ServiceUnavailable", "", 503)
	f.Add("Forbidden.ChargeTypeIsPrepaid", "a \"quoted\" <message>\n", 400)
	f.Fuzz(func(t *testing.T, code, msg string, status int) {
		if code == "" || !utf8.ValidString(code) || !utf8.ValidString(msg) {
			t.Skip("the cloud's error codes and messages are non-empty UTF-8")
		}
		status = 400 + (status%200+200)%200
		for _, front := range []struct {
			name   string
			write  func(*httptest.ResponseRecorder, *simulator.APIError)
			decode func([]byte) (aliyun.CloudError, bool)
			status bool // the body carries the HTTP status
		}{
			{"CS", func(w *httptest.ResponseRecorder, e *simulator.APIError) { writeCSError(w, e) }, aliyun.DecodeCSError, true},
			{"RPC", func(w *httptest.ResponseRecorder, e *simulator.APIError) { writeRPCError(w, e) }, aliyun.DecodeRPCError, false},
		} {
			w := httptest.NewRecorder()
			front.write(w, &simulator.APIError{Code: code, Message: msg, HTTPStatus: status, RequestID: "req-1"})
			got, ok := front.decode(w.Body.Bytes())
			if !ok || got.Code != code || got.Message != msg || got.RequestID != "req-1" {
				t.Fatalf("%s: wrote code %q message %q, decoded %+v (ok %v) from %s", front.name, code, msg, got, ok, w.Body)
			}
			if w.Code != status || (front.status && got.Status != status) {
				t.Fatalf("%s: HTTP %d, body status %d, want %d", front.name, w.Code, got.Status, status)
			}
		}
	})
}

func FuzzMasterURLRoundTrip(f *testing.F) {
	f.Add("https://47.96.1.10:6443", "https://192.168.0.10:6443")
	f.Add("", "https://192.168.0.10:6443")
	f.Add("https://[2408::1]:6443", "")
	f.Fuzz(func(t *testing.T, public, intranet string) {
		if !utf8.ValidString(public) || !utf8.ValidString(intranet) {
			t.Skip("endpoints are UTF-8")
		}
		c := toCS(simulator.ClusterView{Cluster: simulator.Cluster{IntranetEndpoint: intranet}, PublicEndpoint: public})
		m, err := aliyun.ParseMasterURL(c.MasterURL)
		if err != nil || m.APIServerEndpoint != public || m.IntranetAPIServerEndpoint != intranet {
			t.Fatalf("served %q, decoded %+v (%v)", c.MasterURL, m, err)
		}
	})
}
