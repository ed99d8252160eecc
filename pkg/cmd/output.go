package cmd

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"

	"go.yaml.in/yaml/v3"
	"k8s.io/client-go/util/jsonpath"

	"github.com/ack-expose/ack-expose/internal/yamlfmt"
	"github.com/ack-expose/ack-expose/pkg/clusterkind"
	"github.com/ack-expose/ack-expose/pkg/expose"
)

// outputFormats lists the -o values, for help and completion.
var outputFormats = []string{"table", "json", "yaml", "jsonpath=", "go-template="}

// printer prints a result document for -o json|yaml|jsonpath=|go-template=.
// These are kubectl's formats with kubectl's output: JSON indented by four
// spaces, YAML with two, JSONPath and Go templates over the JSON document.
// (cli-runtime's printers would do the same, at the price of the API
// machinery's start-up time: BENCH.md.)
type printer func(w io.Writer, doc any) error

// newPrinter returns the printer for -o, or nil for the table. Templates are
// parsed here, so a bad one is a usage error before anything happens.
func newPrinter(output string) (printer, error) {
	format, arg, _ := strings.Cut(output, "=")
	switch format {
	case "", "table", "wide":
		return nil, nil
	case "json":
		return printJSON, nil
	case "yaml":
		return printYAML, nil
	case "jsonpath", "go-template":
		if arg == "" {
			return nil, usageError("-o %s needs a template, as in -o %s=%s", format, format, map[string]string{"jsonpath": "'{.publicEndpoint}'", "go-template": "'{{.publicEndpoint}}'"}[format])
		}
		if format == "jsonpath" {
			return jsonPathPrinter(arg)
		}
		return goTemplatePrinter(arg)
	}
	return nil, usageError("unknown output format %q: use one of table, json, yaml, jsonpath=TEMPLATE, go-template=TEMPLATE", output)
}

func printJSON(w io.Writer, doc any) error {
	b, err := json.MarshalIndent(doc, "", "    ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func printYAML(w io.Writer, doc any) error {
	b, err := toYAML(doc)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// toYAML renders doc's JSON form as block YAML, keeping the JSON's field order
// and quoting only strings that would otherwise read as another type.
func toYAML(doc any) ([]byte, error) {
	j, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return jsonToYAML(j)
}

// jsonToYAML renders a JSON document as block YAML.
func jsonToYAML(j []byte) ([]byte, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(j, &n); err != nil {
		return nil, err
	}
	plain(&n)
	return yamlfmt.Marshal(&n)
}

// plain drops the JSON styles (flow collections, double-quoted strings): the
// encoder then picks block style and quotes the strings that YAML 1.2 would
// read as another type. Strings that only YAML 1.1 readers (kubectl, PyYAML)
// would misread, such as yes, off or 1:20, stay quoted.
func plain(n *yaml.Node) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" || !yaml11Special(n.Value) {
		n.Style = 0
	}
	for _, c := range n.Content {
		plain(c)
	}
}

// yaml11Special reports strings a YAML 1.1 reader takes for a boolean or a
// base-60 number.
func yaml11Special(s string) bool {
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off":
		return true
	}
	return strings.Contains(s, ":") && strings.Trim(s, "0123456789_:.+-") == "" && strings.ContainsAny(s, "0123456789")
}

// templatePrinter runs a parsed template over doc's JSON document (maps,
// lists, strings, float64s, as kubectl's printers do). The output is rendered
// in full first, so a template that fails prints nothing.
func templatePrinter(format, tmpl, end string, execute func(io.Writer, any) error) printer {
	return func(w io.Writer, doc any) error {
		j, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		var g any
		if err := json.Unmarshal(j, &g); err != nil {
			return err
		}
		var b bytes.Buffer
		if err := execute(&b, g); err != nil {
			return usageError("-o %s %q: %v", format, tmpl, err)
		}
		b.WriteString(end)
		_, err = b.WriteTo(w)
		return err
	}
}

func jsonPathPrinter(tmpl string) (printer, error) {
	jp := jsonpath.New("out")
	if err := jp.Parse(tmpl); err != nil {
		return nil, usageError("bad -o jsonpath template %q: %v", tmpl, err)
	}
	jp.AllowMissingKeys(false)
	// kubectl ends JSONPath output without a newline; scripts read lines.
	return templatePrinter("jsonpath", tmpl, "\n", jp.Execute), nil
}

func goTemplatePrinter(tmpl string) (printer, error) {
	t, err := template.New("output").Funcs(template.FuncMap{
		"exists":       templateExists,
		"base64decode": templateBase64Decode,
	}).Option("missingkey=error").Parse(tmpl)
	if err != nil {
		return nil, usageError("bad -o go-template %q: %v", tmpl, err)
	}
	return templatePrinter("go-template", tmpl, "", t.Execute), nil
}

// templateExists is kubectl's go-template "exists" over a JSON document:
// whether the keys or indexes lead to a non-null value, as in
// {{if exists . "eip" "ipAddress"}}.
func templateExists(item any, indices ...any) bool {
	for _, idx := range indices {
		switch v := item.(type) {
		case map[string]any:
			key, ok := idx.(string)
			if !ok {
				return false
			}
			if item, ok = v[key]; !ok {
				return false
			}
		case []any:
			i, ok := idx.(int)
			if !ok || i < 0 || i >= len(v) {
				return false
			}
			item = v[i]
		case string:
			i, ok := idx.(int)
			if !ok || i < 0 || i >= len(v) {
				return false
			}
			item = v[i]
		default:
			return false
		}
	}
	return item != nil
}

// templateBase64Decode is kubectl's go-template "base64decode".
func templateBase64Decode(v string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return "", fmt.Errorf("base64 decode failed: %v", err)
	}
	return string(b), nil
}

// printObject prints doc with p, or the table when p is nil.
func printObject(w io.Writer, p printer, doc any, table func(io.Writer) error) error {
	if p == nil {
		return table(w)
	}
	return p(w, doc)
}

// kindName is a cluster kind in the words of the ACK console.
func kindName(c expose.ClusterInfo) string {
	return clusterkind.Of(c.ClusterType, c.Profile, c.ClusterSpec).Name
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// exposureTable prints one exposure as aligned key/value lines.
func exposureTable(w io.Writer, x *expose.Exposure) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	c := x.Cluster
	fmt.Fprintf(tw, "CLUSTER:\t%s (%s)\n", c.Name, c.ID)
	if c.Context != "" {
		fmt.Fprintf(tw, "CONTEXT:\t%s\n", c.Context)
	}
	spec := strings.Trim(strings.Join([]string{c.ClusterType, c.Profile, c.ClusterSpec}, "/"), "/")
	fmt.Fprintf(tw, "KIND:\t%s (%s)\n", kindName(c), spec)
	fmt.Fprintf(tw, "REGION:\t%s\n", c.RegionID)
	fmt.Fprintf(tw, "STATE:\t%s\n", c.State)
	fmt.Fprintf(tw, "INTRANET ENDPOINT:\t%s\n", dash(x.IntranetEndpoint))
	fmt.Fprintf(tw, "PUBLIC ENDPOINT:\t%s\n", dash(x.PublicEndpoint))
	if x.EIP != nil {
		fmt.Fprintf(tw, "EIP:\t%s (%s, %s, %s Mbps, %s)\n", x.EIP.AllocationID, x.EIP.IPAddress, x.EIP.Status, x.EIP.Bandwidth, x.EIP.InternetChargeType)
	} else if x.PublicEndpoint != "" {
		fmt.Fprintf(tw, "EIP:\tnot found in %s\n", c.RegionID)
	} else {
		fmt.Fprintf(tw, "EIP:\t-\n")
	}
	if p := x.InProgress; p != nil {
		fmt.Fprintf(tw, "IN PROGRESS:\t%s of EIP %s", p.Action, p.AllocationID)
		if p.TaskID != "" {
			fmt.Fprintf(tw, " (task %s)", p.TaskID)
		}
		fmt.Fprintf(tw, "; wait until the cluster is running again\n")
	}
	if n := len(x.AwaitingRelease); n > 0 {
		fmt.Fprintf(tw, "AWAITS RELEASE:\t%d EIP%s await%s release: %s; run `kubectl ack-expose cleanup`\n", n, plural(n), map[bool]string{true: "s", false: ""}[n == 1], strings.Join(x.AwaitingRelease, ", "))
	}
	switch {
	case !x.Supported:
		fmt.Fprintf(tw, "CAN CHANGE EIP:\tno: %s\n", x.Reason)
	case x.Reason != "":
		fmt.Fprintf(tw, "CAN CHANGE EIP:\tnot now: %s\n", x.Reason)
	default:
		fmt.Fprintf(tw, "CAN CHANGE EIP:\tyes\n")
	}
	if x.Check != nil {
		fmt.Fprintf(tw, "CHECK:\t%s\n", checkLine(x.Check))
	}
	return tw.Flush()
}

// operationTable prints what a mutating command did, then the exposure.
func operationTable(w io.Writer, x *expose.Exposure) error {
	op := x.Operation
	switch {
	case op.DryRun && !op.Changed && len(op.Steps) > 0 && strings.HasPrefix(op.Steps[0], "nothing to do"):
		fmt.Fprintf(w, "%s\n", op.Steps[0])
	case op.DryRun:
		fmt.Fprintln(w, "Dry run: nothing was changed. The plan:")
		for i, s := range op.Steps {
			fmt.Fprintf(w, "  %d. %s\n", i+1, s)
		}
	case !op.Changed:
		for _, s := range op.Steps {
			fmt.Fprintln(w, s)
		}
	default:
		switch op.Phase {
		case expose.PhaseAccepted:
			fmt.Fprintf(w, "Accepted: %s, in progress", op.Action)
		case expose.PhaseFailed:
			fmt.Fprintf(w, "Failed: %s", op.Action)
		default:
			fmt.Fprintf(w, "Done: %s", op.Action)
		}
		if op.TaskID != "" {
			fmt.Fprintf(w, " (task %s)", op.TaskID)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	return exposureTable(w, x)
}

// auditTable prints one row per context; with --check, a CHECK column.
func auditTable(w io.Writer, l *expose.ExposureList) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	checked := auditChecked(l)
	row := func(cells ...string) {
		if !checked {
			cells = append(cells[:8], cells[9:]...)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	row("CONTEXT", "CLUSTER", "KIND", "STATE", "PUBLIC ENDPOINT", "EIP", "SOURCES", "SUPPORTED", "CHECK", "NOTE")
	for _, it := range l.Items {
		if it.Cluster.ID == "" {
			row(it.Context, "-", "-", "-", "-", "-", "-", "-", "-", it.Error)
			continue
		}
		eip := "-"
		if it.EIP != nil {
			eip = it.EIP.AllocationID
		}
		supported := "yes"
		if !it.Supported {
			supported = "no"
		}
		note := it.Error
		if note == "" && !it.Supported {
			note = kindName(it.Cluster) + " cannot change its EIP"
		}
		row(it.Context, it.Cluster.Name, kindName(it.Cluster), it.Cluster.State, dash(it.PublicEndpoint), eip,
			accessSummary(it.AccessControl, it.Cluster.ID), supported, auditCheckCell(it.Check), note)
	}
	return tw.Flush()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
