package cmd

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ack-expose/ack-expose/pkg/expose"
)

func sampleExposure() *expose.Exposure {
	return &expose.Exposure{
		TypeMeta: expose.TypeMeta{APIVersion: expose.APIVersion, Kind: "APIServerExposure"},
		Cluster: expose.ClusterInfo{ID: "cceb0fe4eaa272d7f9b2fef31b0dafdde", Name: "demo-pro", RegionID: "cn-hangzhou",
			ClusterType: "ManagedKubernetes", ClusterSpec: "ack.pro.small", State: "running", Context: "yes"},
		Supported: true, IntranetEndpoint: "https://192.168.1.10:6443", PublicEndpoint: "https://47.96.1.20:6443",
		EIP: &expose.EIPInfo{AllocationID: "eip-bp1demo0000000000003", IPAddress: "47.96.1.20", Status: "InUse",
			Bandwidth: "5", InternetChargeType: "PayByTraffic"},
		Operation: &expose.Operation{Action: "associate", Steps: []string{"associate", "wait: 12s\nthen done", "1:20", "true", "0x1F"}},
	}
}

func render(t *testing.T, output string, doc any) (string, error) {
	t.Helper()
	p, err := newPrinter(output)
	if err != nil {
		t.Fatalf("-o %s: %v", output, err)
	}
	var b bytes.Buffer
	err = printObject(&b, p, doc, nil)
	return b.String(), err
}

func TestPrintersAreKubectls(t *testing.T) {
	x := sampleExposure()
	got, _ := render(t, "json", x)
	if !strings.HasPrefix(got, "{\n    \"kind\": \"APIServerExposure\",\n    \"apiVersion\": \"ack-expose.kubectl.io/v1alpha1\",\n") {
		t.Errorf("-o json, not kubectl's 4-space JSON:\n%s", got)
	}
	var back expose.Exposure
	if err := json.Unmarshal([]byte(got), &back); err != nil || !reflect.DeepEqual(&back, x) {
		t.Errorf("-o json does not read back: %v", err)
	}
	got, _ = render(t, "yaml", x)
	var ours any
	if err := yaml.Unmarshal([]byte(got), &ours); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"apiVersion: ack-expose.kubectl.io/v1alpha1\n", "kind: APIServerExposure\n", "  context: \"yes\"\n", "  bandwidth: \"5\"\n", "  - associate\n", "  - \"1:20\"\n", "  - \"true\"\n"} {
		if !strings.Contains(got, line) {
			t.Errorf("-o yaml lacks %q:\n%s", line, got)
		}
	}
	for tmpl, want := range map[string]string{"jsonpath={.publicEndpoint}": "https://47.96.1.20:6443\n", "jsonpath={range .operation.steps[*]}[{@}]{end}": "[associate][wait: 12s\nthen done][1:20][true][0x1F]\n",
		"go-template={{.cluster.name}} {{.supported}}": "demo-pro true", `go-template={{if exists . "eip" "ipAddress"}}{{.eip.ipAddress}}{{end}}`: "47.96.1.20",
		`go-template={{base64decode "aGVsbG8="}}`: "hello"} {
		if got, err := render(t, tmpl, x); got != want || err != nil {
			t.Errorf("-o %s: %q, %v; want %q", tmpl, got, err, want)
		}
	}
}

func TestTemplatesFailOnMissingFields(t *testing.T) {
	x := sampleExposure()
	for _, output := range []string{"jsonpath={.nosuchfield}", "go-template={{.nosuchfield}}", "go-template={{base64decode .cluster.name}}"} {
		got, err := render(t, output, x)
		if ExitCode(err) != ExitUsage || got != "" {
			t.Errorf("-o %s: printed %q, err %v (exit %d); want nothing printed and exit 2", output, got, err, ExitCode(err))
		}
	}
	for _, output := range []string{"jsonpath={.cluster", "go-template={{.cluster", "jsonpath=", "go-template=", "xml"} {
		if _, err := newPrinter(output); ExitCode(err) != ExitUsage {
			t.Errorf("-o %s: %v, want a usage error", output, err)
		}
	}
}
