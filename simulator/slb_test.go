package simulator

import (
	"testing"
	"time"
)

func TestAdmitsSource(t *testing.T) {
	s := DemoWorld()
	basic, serverless := ClusterIDFor("demo-basic"), ClusterIDFor("demo-serverless")
	// Off: everyone.
	if !s.AdmitsSource(basic, "198.51.100.1") {
		t.Error("list off: refused")
	}
	// demo-serverless: whitelist on with entries; only matching sources.
	if !s.AdmitsSource(serverless, "203.0.113.9") || s.AdmitsSource(serverless, "198.51.100.1") || s.AdmitsSource(serverless, "not-an-ip") {
		t.Error("whitelist: wrong answers")
	}
	// An enabled whitelist without entries lets everyone through.
	s.ACLs[0].Entries = nil
	if !s.AdmitsSource(serverless, "198.51.100.1") {
		t.Error("empty whitelist: refused")
	}
	// A blacklist refuses the matching sources only.
	s.ACLs[0].Entries = []ACLEntry{{Entry: "198.51.100.0/24"}}
	s.LoadBalancers[2].Listeners[0].AclType = "black"
	if s.AdmitsSource(serverless, "198.51.100.1") || !s.AdmitsSource(serverless, "203.0.113.9") {
		t.Error("blacklist: wrong answers")
	}
	if !s.AdmitsSource("c-unknown", "198.51.100.1") {
		t.Error("unknown cluster: refused")
	}
}

func TestCallLogIsBounded(t *testing.T) {
	s := &State{}
	for range CallLogSize + 5 {
		s.logCall("A", time.Now())
	}
	if len(s.CallLog) != CallLogSize {
		t.Errorf("%d entries", len(s.CallLog))
	}
}
