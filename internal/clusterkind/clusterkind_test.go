package clusterkind

import (
	"strings"
	"testing"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		ctype, profile, spec string
		name                 string
		supported            bool
		reason               string
	}{
		{"ManagedKubernetes", "Default", "ack.standard", "ACK standard", true, ""},
		{"ManagedKubernetes", "", "", "ACK standard", true, ""},
		{"ManagedKubernetes", "Default", "ack.pro.small", "ACK Pro", true, ""},
		{"ManagedKubernetes", "Default", "ack.pro.xlarge", "ACK Pro", true, ""},
		{"ManagedKubernetes", "Serverless", "ack.pro.small", "ACK Serverless", true, ""},
		{"Ask", "", "", "ACK Serverless", true, ""},
		{"ManagedKubernetes", "Edge", "ack.pro.small", "ACK Edge", true, ""},
		{"ManagedKubernetes", "Edge", "ack.standard", "ACK Edge", true, ""},
		{"ManagedKubernetes", "Lingjun", "ack.pro.small", "ACK Lingjun", false, "ACK Lingjun clusters cannot"},
		{"ManagedKubernetes", "Default", "ack.weird", "ACK managed (ack.weird)", false, `spec "ack.weird"`},
		{"ManagedKubernetes", "Acs", "", "ACK Acs", false, `profile "Acs"`},
		{"Kubernetes", "Default", "", "ACK dedicated", false, "migrate the cluster to ACK Pro first"},
		{"ExternalKubernetes", "Default", "", "registered", false, "registered clusters"},
		{"Other", "", "", "Other", false, `cluster type "Other"`},
	} {
		k := Of(tc.ctype, tc.profile, tc.spec)
		if k.Name != tc.name || k.Supported != tc.supported || !strings.Contains(k.Reason, tc.reason) || (tc.supported != (k.Reason == "")) {
			t.Errorf("Of(%q, %q, %q) = %+v, want %s supported=%v reason ~ %q", tc.ctype, tc.profile, tc.spec, k, tc.name, tc.supported, tc.reason)
		}
	}
}
