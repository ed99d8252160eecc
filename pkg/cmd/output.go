package cmd

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/ack-expose/ack-expose/internal/clusterkind"
	"github.com/ack-expose/ack-expose/internal/plural"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/pkg/expose"
)

// outputFormats lists the -o values, for help and completion: kubectl's,
// where cli-runtime's printers offer them (template= and templatefile= are
// kubectl's other names for go-template= and go-template-file=).
var outputFormats = []string{"table", "wide", "json", "yaml", "jsonpath=", "jsonpath-file=", "jsonpath-as-json=",
	"go-template=", "go-template-file=", "template=", "templatefile="}

// outputFormatList is outputFormats in words, for help and errors.
const outputFormatList = "table, wide, json, yaml, jsonpath=TEMPLATE, jsonpath-file=FILE, jsonpath-as-json=TEMPLATE, go-template=TEMPLATE, go-template-file=FILE"

// addOutputFlag adds -o, the same for every command that prints a result,
// and kubectl's --allow-missing-template-keys.
func addOutputFlag(c *cobra.Command, output *string, allowMissing *bool) {
	c.Flags().StringVarP(output, "output", "o", "table", "Output format: "+outputFormatList+" (wide: the table with more columns where there are more to show)")
	c.Flags().BoolVar(allowMissing, "allow-missing-template-keys", true, "If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to jsonpath and go-template output formats.")
	_ = c.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return outputFormats, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	})
}

// printer prints a result document for -o json|yaml|jsonpath=|go-template=...,
// with kubectl's own printers (cli-runtime's printers package).
type printer func(w io.Writer, doc any) error

// newPrinter returns the printer for -o, or nil for the table. Templates are
// read and parsed here, so a bad one is a usage error before anything
// happens. As kubectl, a template may name a field the result lacks (it
// prints nothing for it) unless allowMissing is false.
func newPrinter(output string, allowMissing bool) (printer, error) {
	format, arg, _ := strings.Cut(output, "=")
	var p printers.ResourcePrinter
	end := ""
	switch format {
	case "", "table", "wide":
		return nil, nil
	case "json":
		p = &printers.JSONPrinter{}
	case "yaml":
		p = &printers.YAMLPrinter{}
	case "jsonpath", "jsonpath-file", "jsonpath-as-json", "go-template", "template", "go-template-file", "templatefile":
		text, err := templateText(format, arg)
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(format, "jsonpath") {
			jp, err := printers.NewJSONPathPrinter(text)
			if err != nil {
				return nil, usageError("bad -o %s template %q: %v", format, text, err)
			}
			jp.AllowMissingKeys(allowMissing)
			p, end = jp, "\n" // kubectl ends JSONPath output without a newline; scripts read lines
			if format == "jsonpath-as-json" {
				jp.EnableJSONOutput(true)
				end = ""
			}
		} else {
			gt, err := printers.NewGoTemplatePrinter([]byte(text))
			if err != nil {
				return nil, usageError("bad -o %s %q: %v", format, text, err)
			}
			gt.AllowMissingKeys(allowMissing)
			p = gt
		}
	default:
		return nil, usageError("unknown output format %q: use one of %s", output, outputFormatList)
	}
	return func(w io.Writer, doc any) error {
		obj, err := newPrintable(doc)
		if err != nil {
			return err
		}
		// Rendered in full first, so that a template that fails prints nothing.
		var b bytes.Buffer
		if err := p.PrintObj(obj, &b); err != nil {
			if format != "json" && format != "yaml" {
				msg, _, _ := strings.Cut(err.Error(), " Printing more information")
				return usageError("-o %s %q: %s", format, arg, strings.TrimSuffix(msg, "."))
			}
			return err
		}
		if b.Len() > 0 { // a missing field prints nothing at all, as in kubectl
			b.WriteString(end)
		}
		_, err = b.WriteTo(w)
		return err
	}, nil
}

// templateText is the template of -o FORMAT=ARG: ARG itself, or the file it
// names for the -file formats (kubectl's TemplatePrintFlags read it so too).
func templateText(format, arg string) (string, error) {
	if arg == "" {
		if strings.HasSuffix(format, "file") {
			return "", usageError("-o %s needs a file, as in -o %s=status.tmpl", format, format)
		}
		example := "'{{.publicEndpoint}}'"
		if strings.HasPrefix(format, "jsonpath") {
			example = "'{.publicEndpoint}'"
		}
		return "", usageError("-o %s needs a template, as in -o %s=%s", format, format, example)
	}
	if !strings.HasSuffix(format, "file") {
		return arg, nil
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		return "", usageError("-o %s: cannot read the template: %v", format, err)
	}
	return string(b), nil
}

// printable is a result document as the runtime.Object cli-runtime's
// printers take: its JSON, and the kind and apiVersion in it.
type printable struct {
	json []byte
	gvk  schema.GroupVersionKind
}

func newPrintable(doc any) (*printable, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var tm expose.TypeMeta
	_ = json.Unmarshal(b, &tm)
	if tm.Kind == "" {
		tm.Kind = "Object"
	}
	return &printable{json: b, gvk: schema.FromAPIVersionAndKind(tm.APIVersion, tm.Kind)}, nil
}

func (p *printable) GetObjectKind() schema.ObjectKind            { return p }
func (p *printable) SetGroupVersionKind(schema.GroupVersionKind) {}
func (p *printable) GroupVersionKind() schema.GroupVersionKind   { return p.gvk }
func (p *printable) DeepCopyObject() runtime.Object              { c := *p; return &c }
func (p *printable) MarshalJSON() ([]byte, error)                { return p.json, nil }

// printObject prints doc with p, or the table when p is nil.
func printObject(w io.Writer, p printer, doc any, table func(io.Writer) error) error {
	if p == nil {
		return table(w)
	}
	return p(w, doc)
}

// printedAfter turns a print error into a warning when the command has
// already done what it reports (done: a change was made, or an audit's gate
// has its own result): a template that fails only at print time (a missing
// key with --allow-missing-template-keys=false; the template itself is
// parsed before any call) must not read as exit 2, "nothing changed", nor
// mask the gate's 8. The command then keeps its own exit code.
func printedAfter(errOut io.Writer, perr error, done string) error {
	if perr == nil || done == "" {
		return perr
	}
	fmt.Fprintf(errOut, "warning: %s, but the output could not be printed: %s\n", done, errdefs.FirstLine(perr))
	return nil
}

// changeMade is printedAfter's done for an operation's result.
func changeMade(x *expose.Exposure) string {
	if x != nil && x.Operation != nil && x.Operation.Changed && !x.Operation.DryRun {
		return "the change was made"
	}
	return ""
}

// kindName is a cluster kind in the words of the ACK console.
func kindName(c expose.ClusterInfo) string {
	return clusterkind.Of(c.ClusterType, c.Profile, c.ClusterSpec).Name
}

// exposureTable prints one exposure as aligned key/value lines.
func exposureTable(w io.Writer, x *expose.Exposure) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	c := x.Cluster
	fmt.Fprintf(tw, "CLUSTER:\t%s (%s)\n", c.Name, c.ID)
	if c.Context != "" {
		fmt.Fprintf(tw, "CONTEXT:\t%s\n", c.Context)
	}
	if x.ContextServer != "" {
		fmt.Fprintf(tw, "CONTEXT SERVER:\t%s\n", x.ContextServer)
	}
	if x.Mismatch != "" {
		fmt.Fprintf(tw, "MISMATCH:\t%s\n", x.Mismatch)
	}
	if x.Unconfirmed != "" {
		// A record written by an older version may carry a comment's
		// control characters: escaped, never sent to the terminal.
		fmt.Fprintf(tw, "UNCONFIRMED:\t%s\n", errdefs.Printable(x.Unconfirmed))
	}
	spec := strings.Trim(strings.Join([]string{c.ClusterType, c.Profile, c.ClusterSpec}, "/"), "/")
	fmt.Fprintf(tw, "KIND:\t%s (%s)\n", kindName(c), spec)
	fmt.Fprintf(tw, "REGION:\t%s\n", c.RegionID)
	fmt.Fprintf(tw, "STATE:\t%s\n", c.State)
	fmt.Fprintf(tw, "INTRANET ENDPOINT:\t%s\n", cmp.Or(x.IntranetEndpoint, "-"))
	fmt.Fprintf(tw, "PUBLIC ENDPOINT:\t%s\n", cmp.Or(x.PublicEndpoint, "-"))
	if x.EIP != nil {
		fmt.Fprintf(tw, "EIP:\t%s (%s, %s, %s Mbps, %s)\n", x.EIP.AllocationID, x.EIP.IPAddress, x.EIP.Status, x.EIP.Bandwidth, x.EIP.InternetChargeType)
	} else if x.PublicEndpoint != "" {
		fmt.Fprintf(tw, "EIP:\tnot found in %s\n", c.RegionID)
	} else {
		fmt.Fprintf(tw, "EIP:\t-\n")
	}
	if x.ExtraSANs != nil {
		fmt.Fprintf(tw, "CERTIFICATE NAMES:\t%s\n", cmp.Or(strings.Join(x.ExtraSANs, ", "), "-"))
	}
	if p := x.InProgress; p != nil && p.Action.IsSANs() {
		fmt.Fprintf(tw, "IN PROGRESS:\t%s", p.Action)
	} else if p != nil {
		fmt.Fprintf(tw, "IN PROGRESS:\t%s of EIP %s", p.Action, p.AllocationID)
	}
	if p := x.InProgress; p != nil {
		if p.TaskID != "" {
			fmt.Fprintf(tw, " (task %s)", p.TaskID)
		}
		fmt.Fprintf(tw, "; wait until the cluster is running again\n")
	}
	if n := len(x.AwaitingRelease); n > 0 {
		fmt.Fprintf(tw, "AWAITS RELEASE:\t%s %s release: %s; run `kubectl ack-expose cleanup`\n", plural.N(n, "EIP", "EIPs"), plural.Word(n, "awaits", "await"), strings.Join(x.AwaitingRelease, ", "))
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
		fmt.Fprintf(tw, "CHECK:\t%s\n", x.Check.Summary())
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

// auditTable prints one row per context; with --check, a CHECK column; wide
// (-o wide) adds the cluster ID, the region, the intranet endpoint and the
// EIP's address.
func auditTable(w io.Writer, l *expose.ExposureList, wide bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	checked := auditChecked(l)
	accounts := severalAccounts(l)
	// cells: ACCOUNT CONTEXT CLUSTER KIND STATE PUBLIC EIP SOURCES SUPPORTED CHECK
	// NOTE, then the wide ones: CLUSTER ID, REGION, INTRANET ENDPOINT, EIP ADDRESS.
	row := func(account string, c ...string) {
		var out []string
		if accounts {
			out = append(out, account)
		}
		out = append(out, c[0], c[1])
		if wide {
			out = append(out, c[10], c[11])
		}
		out = append(out, c[2:8]...)
		if checked {
			out = append(out, c[8])
		}
		if wide {
			out = append(out, c[12], c[13])
		}
		out = append(out, c[9])
		fmt.Fprintln(tw, strings.Join(out, "\t"))
	}
	row("ACCOUNT", "CONTEXT", "CLUSTER", "KIND", "STATE", "PUBLIC ENDPOINT", "EIP", "SOURCES", "SUPPORTED", "CHECK", "NOTE",
		"CLUSTER ID", "REGION", "INTRANET ENDPOINT", "EIP ADDRESS")
	for _, it := range l.Items {
		account := cmp.Or(it.Account, "-")
		if it.Cluster.ID == "" {
			row(account, cmp.Or(it.Context, "-"), "-", "-", "-", "-", "-", "-", "-", "-", it.Error, "-", "-", "-", "-")
			continue
		}
		eip, address := "-", "-"
		if it.EIP != nil {
			eip, address = it.EIP.AllocationID, it.EIP.IPAddress
		}
		supported := "yes"
		if !it.Supported {
			supported = "no"
		}
		note := it.Error
		if a := it.AccessControl; note == "" && a != nil {
			note = a.AclNameError // the row fails the audit: say why
		}
		if note == "" && !it.Supported {
			note = kindName(it.Cluster) + " cannot change its EIP"
		}
		row(account, cmp.Or(it.Context, "-"), it.Cluster.Name, kindName(it.Cluster), it.Cluster.State, cmp.Or(it.PublicEndpoint, "-"), eip,
			accessSummary(it.AccessControl, it.Cluster.ID), supported, auditCheckCell(it.Check), note,
			it.Cluster.ID, cmp.Or(it.Cluster.RegionID, "-"), cmp.Or(it.IntranetEndpoint, "-"), address)
	}
	return tw.Flush()
}

// severalAccounts: the audit's rows come from more than one account (or
// name a profile whose account is unknown), so the table says whose each is.
func severalAccounts(l *expose.ExposureList) bool {
	seen := map[string]bool{}
	for _, it := range l.Items {
		if it.Account == "" && it.CredentialsProfile != "" {
			return true
		}
		if it.Account != "" {
			seen[it.Account] = true
		}
	}
	return len(seen) > 1
}
