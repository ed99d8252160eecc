package cmd

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime/schema"

	// kubectl's printers, as the reference: test-only, they are not linked
	// into the plugin (see output.go).
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/ack-expose/ack-expose/pkg/expose"
)

// printed wraps a document as the runtime.Object cli-runtime's printers take.
type printed struct{ *expose.Exposure }

func (p printed) GetObjectKind() schema.ObjectKind            { return p }
func (p printed) SetGroupVersionKind(schema.GroupVersionKind) {}
func (p printed) GroupVersionKind() schema.GroupVersionKind {
	return schema.FromAPIVersionAndKind(p.APIVersion, p.Kind)
}
func (p printed) DeepCopyObject() runtime.Object { return p }
func (p printed) MarshalJSON() ([]byte, error)   { return json.Marshal(p.Exposure) }

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

func TestPrintersMatchKubectl(t *testing.T) {
	x := sampleExposure()
	ref := func(p printers.ResourcePrinter) string {
		var b bytes.Buffer
		if err := p.PrintObj(printed{x}, &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if got, _ := render(t, "json", x); got != ref(&printers.JSONPrinter{}) {
		t.Errorf("-o json:\n%s\nkubectl:\n%s", got, ref(&printers.JSONPrinter{}))
	}
	for _, tmpl := range []string{"{.publicEndpoint}", "{.eip.ipAddress} {.cluster.name}", "{range .operation.steps}[{@}]{end}", "{.supported}"} {
		jp, err := printers.NewJSONPathPrinter(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := render(t, "jsonpath="+tmpl, x); got != ref(jp)+"\n" {
			t.Errorf("-o jsonpath=%s: %q, kubectl %q", tmpl, got, ref(jp))
		}
	}
	for _, tmpl := range []string{"{{.cluster.name}} {{.supported}}", `{{if exists . "eip" "ipAddress"}}{{.eip.ipAddress}}{{end}}`,
		`{{exists . "operation" "steps" 1}} {{exists . "operation" "steps" 2}} {{exists . "nope"}}`, `{{base64decode "aGVsbG8="}}`} {
		gt, err := printers.NewGoTemplatePrinter([]byte(tmpl))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := render(t, "go-template="+tmpl, x); got != ref(gt) {
			t.Errorf("-o go-template=%s: %q, kubectl %q", tmpl, got, ref(gt))
		}
	}
	// YAML: the same document as kubectl's (which sorts the keys; ours keep
	// the JSON's order), and strings that would read as another type quoted.
	got, _ := render(t, "yaml", x)
	var ours, theirs any
	if err := yaml.Unmarshal([]byte(got), &ours); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(ref(&printers.YAMLPrinter{})), &theirs); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ours, theirs) {
		t.Errorf("-o yaml:\n%s\nkubectl:\n%s", got, ref(&printers.YAMLPrinter{}))
	}
	for _, line := range []string{"kind: APIServerExposure\n", "  context: \"yes\"\n", "  bandwidth: \"5\"\n", "eip:\n  allocationId:", "  - associate\n", "  - |-\n    wait: 12s\n    then done\n", "  - \"1:20\"\n", "  - \"true\"\n", "  - \"0x1F\"\n"} {
		if !strings.Contains(got, line) {
			t.Errorf("-o yaml lacks %q:\n%s", line, got)
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
