package cmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
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
	return renderMissing(t, output, true, doc)
}

func renderMissing(t *testing.T, output string, allowMissing bool, doc any) (string, error) {
	t.Helper()
	p, err := newPrinter(output, allowMissing)
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

// As kubectl: a template naming a field the result lacks prints nothing for
// it (jsonpath) or "<no value>" (go-template) and succeeds, unless
// --allow-missing-template-keys=false, which fails (exit 2) printing nothing.
func TestTemplatesOnMissingFields(t *testing.T) {
	x := sampleExposure()
	for output, want := range map[string]string{"jsonpath={.nosuchfield}": "", "go-template={{.nosuchfield}}": "<no value>", "jsonpath={.cluster.name}{.nosuchfield}": "demo-pro\n"} {
		if got, err := render(t, output, x); got != want || err != nil {
			t.Errorf("-o %s: printed %q, err %v; want %q and no error", output, got, err, want)
		}
	}
	for _, output := range []string{"jsonpath={.nosuchfield}", "go-template={{.nosuchfield}}", "go-template={{base64decode .cluster.name}}"} {
		got, err := renderMissing(t, output, false, x)
		if exitCode(err) != exitUsage || got != "" {
			t.Errorf("-o %s --allow-missing-template-keys=false: printed %q, err %v (exit %d); want nothing printed and exit 2", output, got, err, exitCode(err))
		}
	}
	for _, output := range []string{"jsonpath={.cluster", "go-template={{.cluster", "jsonpath=", "go-template=", "template=", "jsonpath-file=", "go-template-file=/no/such/file", "xml"} {
		if _, err := newPrinter(output, true); exitCode(err) != exitUsage {
			t.Errorf("-o %s: %v, want a usage error", output, err)
		}
	}
}

// The file and alias formats of kubectl that cli-runtime's printers offer.
func TestTemplateFilesAndAliases(t *testing.T) {
	x := sampleExposure()
	dir := t.TempDir()
	jp, gt := filepath.Join(dir, "a.jsonpath"), filepath.Join(dir, "a.tmpl")
	if err := os.WriteFile(jp, []byte("{.cluster.name}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gt, []byte("{{.cluster.name}}"), 0o600); err != nil {
		t.Fatal(err)
	}
	for output, want := range map[string]string{"jsonpath-file=" + jp: "demo-pro\n", "go-template-file=" + gt: "demo-pro", "templatefile=" + gt: "demo-pro",
		"template={{.cluster.name}}": "demo-pro", "jsonpath-as-json={.cluster.name}": "[\n    \"demo-pro\"\n]\n"} {
		if got, err := render(t, output, x); got != want || err != nil {
			t.Errorf("-o %s: %q, %v; want %q", output, got, err, want)
		}
	}
}

// The UNCONFIRMED line (a journal record's restore command, maybe written by
// an older version with a comment's terminal escape) reaches the terminal
// escaped.
func TestUnconfirmedLineEscaped(t *testing.T) {
	var b strings.Builder
	x := &expose.Exposure{Unconfirmed: "run: kubectl ack-expose allow --only 1.2.3.4 --comment 'a\x1b[31mRED\nb'"}
	if err := exposureTable(&b, x); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b") || !strings.Contains(out, `a\x1b[31mRED\nb`) {
		t.Errorf("UNCONFIRMED line not escaped:\n%q", out)
	}
}
