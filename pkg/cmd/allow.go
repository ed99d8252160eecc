package cmd

import (
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/internal/plural"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/pkg/expose"
)

type accessOptions struct {
	*clusterOptions
	revoke bool

	only    bool
	anyone  bool
	comment string
	forD    time.Duration
	expired bool
	force   bool
	dryRun  bool
	yes     bool
	prompt  prompt // the lockout guard's question (prompt.go)
	request expose.AccessRequest

	commit confirmFlags // commit confirmed (confirm.go)
}

func newAllowCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &accessOptions{clusterOptions: newClusterOptions(streams)}
	o.mutates = true
	c := &cobra.Command{
		Use:   "allow (CIDR... [--comment TEXT] [--for DURATION] | --only CIDR... | --anyone)",
		Short: "Choose who may reach the API server: add sources to its allow list",
		Long: `Add sources (IPv4 addresses or CIDR blocks; a bare address means /32) to the
allow list of the cluster's API server: the access control list on listener
6443 of the API server's CLB. One list governs both the public and the intranet
endpoint. The first allow creates the list (named ack-expose-<clusterId>) and
turns it on; the entries ACK and the nodes need (100.104.0.0/16 and the VPC's
CIDR blocks) are always added and kept.

Turning the list on, or --only, may cut off this machine: include the address
you connect from. The command asks first (or needs --yes).

Commit confirmed: when such a change could cut off the context in use, the
endpoint that context uses (public or intranet) is checked from this machine
before and after the change. If it answered before and does not answer within
--confirm-timeout after, the change is reverted (the list and the listener
exactly as they were) and the command exits 7. --yes does not skip this;
--no-confirm does.

The endpoint is reached as kubectl reaches it (a DNS name resolved, a tunnel
followed, the context's proxy); the change is recorded first, so that an
interrupted confirm shows as UNCONFIRMED in status, with the command that
undoes it. --confirm-timeout is at least 5s.

--for makes an entry temporary: its expiry goes into the entry's comment, and
expired entries are removed by the next allow or revoke (or revoke --expired).
--comment is plain text (no control characters, at most 256 characters with
the expiry; "ack-expose until" is reserved for --for).
--only makes the list exactly the sources given (plus the required entries).
--anyone turns access control off, so every source may connect (asks first).
Sources that together admit every address (0.0.0.0/0) restrict nothing: allow
asks first, as --anyone does. Allowing sources that are already allowed does
nothing and succeeds.`,
		Example: `  # Allow an office network and one address
  kubectl ack-expose allow 203.0.113.0/24 198.51.100.7 --comment office --yes

  # Allow a contractor for two hours
  kubectl ack-expose allow 192.0.2.10 --for 2h --comment contractor

  # Make the list exactly this (plus the entries ACK needs); reverted if this
  # machine stops reaching the API server within 10s
  kubectl ack-expose allow --only 203.0.113.0/24 --yes --confirm-timeout 10s

  # The same without the check (this machine may lose access)
  kubectl ack-expose allow --only 203.0.113.0/24 --yes --no-confirm

  # Let every source connect again
  kubectl ack-expose allow --anyone`,
		RunE: o.runE,
	}
	o.addFlags(c)
	f := c.Flags()
	f.BoolVar(&o.only, "only", false, "The list becomes exactly the sources given, plus the required entries")
	f.BoolVar(&o.anyone, "anyone", false, "Turn access control off: every source may connect (asks first)")
	f.StringVar(&o.comment, "comment", "", "Comment stored with the entries added")
	f.DurationVar(&o.forD, "for", 0, "Make the entries temporary, as in --for 2h: they expire after this long")
	o.addAccessFlags(c)
	return c
}

func newRevokeCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &accessOptions{clusterOptions: newClusterOptions(streams), revoke: true}
	o.mutates = true
	c := &cobra.Command{
		Use:   "revoke (CIDR... | --expired)",
		Short: "Remove sources from the API server's allow list",
		Long: `Remove sources from the allow list of the cluster's API server, and every
expired temporary entry with them (--expired removes only those). The
required entries (100.104.0.0/16, the VPC's CIDR blocks) are refused without
--force, which says what breaks. The list governs both endpoints, so removing
the address you connect from cuts this machine off: the command asks first (or
needs --yes). Revoking sources that are not in the list does nothing and succeeds.

Commit confirmed: the endpoint the context in use reaches (public or intranet)
is checked from this machine before and after the revoke; if it answered before
and does not answer within --confirm-timeout after, the revoke is reverted (the
entries exactly as they were) and the command exits 7. --yes does not skip
this; --no-confirm does.`,
		Example: `  # Remove an address
  kubectl ack-expose revoke 198.51.100.7 --yes

  # Remove the temporary entries that have expired
  kubectl ack-expose revoke --expired

  # Remove the address in use anyway (no check, no revert: this machine loses access)
  kubectl ack-expose revoke 203.0.113.10 --yes --no-confirm`,
		RunE: o.runE,
	}
	o.addFlags(c)
	f := c.Flags()
	f.BoolVar(&o.expired, "expired", false, "Remove the temporary entries that have expired")
	f.BoolVar(&o.force, "force", false, "Allow removing a required entry (ACK control plane or VPC block); warns what breaks")
	o.addAccessFlags(c)
	return c
}

func (o *accessOptions) addAccessFlags(c *cobra.Command) {
	f := c.Flags()
	addDryRunFlag(c, &o.dryRun, "print what would change")
	f.BoolVarP(&o.yes, "yes", "y", false, "Do not ask before a change that could cut off the context in use (the change is still confirmed: see --no-confirm)")
	o.commit.addFlags(f)
}

// runE is allow's and revoke's: request, target, then the one call.
func (o *accessOptions) runE(c *cobra.Command, args []string) error {
	// Ctrl-C while a change is confirmed says where it stands.
	defer catchInterrupts(c)()
	if err := o.toOptions(c, args); err != nil {
		return flagError(err)
	}
	if err := o.complete(c.Context()); err != nil {
		return err
	}
	o.prompt.ctx = c.Context()
	return afterPrompt(&o.prompt, o.run(c))
}

// toOptions turns the arguments and flags into the request (kubectl's
// ToOptions), refusing bad input before any call.
func (o *accessOptions) toOptions(c *cobra.Command, args []string) error {
	if err := o.clusterOptions.toOptions(); err != nil {
		return err
	}
	if err := o.commit.toOptions(); err != nil {
		return err
	}
	sources, err := expose.ParseSources(args)
	if err != nil {
		return err
	}
	if err := expose.CheckComment(o.comment, o.forD > 0); err != nil {
		return err
	}
	r := expose.AccessRequest{Comment: o.comment, For: o.forD, Force: o.force}
	if o.revoke {
		if len(sources) == 0 && !o.expired {
			return usageError("revoke needs the sources to remove (addresses or CIDR blocks), or --expired")
		}
		r.Revoke, r.Expired = sources, o.expired
		o.request = r
		return nil
	}
	switch {
	case o.anyone && (len(sources) > 0 || o.only):
		return usageError("--anyone turns access control off: it takes no sources and no --only")
	case o.anyone && (o.comment != "" || o.forD != 0):
		return usageError("--comment and --for apply to sources added, not to --anyone")
	case !o.anyone && len(sources) == 0:
		return usageError("allow needs sources (addresses or CIDR blocks, as in 203.0.113.0/24), or --anyone")
	case c.Flags().Changed("for") && o.forD <= 0:
		return usageError("--for must be positive, as in --for 2h; got %s", o.forD)
	}
	r.Allow, r.Only, r.Anyone = sources, o.only, o.anyone
	o.request = r
	return nil
}

func (o *accessOptions) run(c *cobra.Command) error {
	commit, err := o.commit.commit(o.clusterOptions, o.dryRun)
	if err != nil {
		return err
	}
	if !o.dryRun {
		unlock, err := lockAccess(c.Context(), o.clusterOptions, o.target.ClusterID)
		if err != nil {
			return err
		}
		defer unlock()
	}
	x, err := o.service().RunAccess(c.Context(), o.target, o.request, expose.ApplyOptions{
		DryRun: o.dryRun, Commit: commit, Confirm: o.confirm})
	if err != nil {
		return err
	}
	return printedAfter(o.streams.ErrOut, printObject(o.streams.Out, o.printer, x, func(w io.Writer) error {
		if err := operationTable(w, x); err != nil {
			return err
		}
		return accessTable(w, x.AccessControl)
	}), changeMade(x))
}

// accessTable prints the allow list under the exposure table.
func accessTable(w io.Writer, a *expose.AccessControl) error {
	if a == nil {
		return nil
	}
	// Aligned with the exposure table's longest key, "INTRANET ENDPOINT:".
	const key = "%-20s"
	switch {
	case a.Error != "":
		fmt.Fprintf(w, key+"unknown: %s\n", "ALLOWED SOURCES:", a.Error)
	case !a.Enabled:
		fmt.Fprintf(w, key+"anyone (access control is off; restrict with `kubectl ack-expose allow CIDR...`)\n", "ALLOWED SOURCES:")
	case a.Type == cloudenum.ACLBlack:
		fmt.Fprintf(w, key+"anyone but the blacklist %s (%s)\n", "ALLOWED SOURCES:", a.AclID, a.AclName)
	case len(a.Entries) == 0:
		fmt.Fprintf(w, key+"anyone (the allow list %s is empty)\n", "ALLOWED SOURCES:", a.AclID)
	case a.Anyone():
		fmt.Fprintf(w, key+"anyone (%s; restrict with `kubectl ack-expose allow --only CIDR...`)\n", "ALLOWED SOURCES:", a.OpenReason())
	default:
		fmt.Fprintf(w, key+"%s in %s (%s)\n", "ALLOWED SOURCES:", plural.N(len(a.Entries), "entry", "entries"), a.AclName, a.AclID)
	}
	if len(a.SharedWithListeners) > 0 {
		fmt.Fprintf(w, key+"%s\n", "LIST SHARED WITH:", strings.Join(a.SharedWithListeners, ", "))
	}
	if !a.Enabled || a.Type == cloudenum.ACLBlack || len(a.Entries) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, e := range a.Entries {
		var notes []string
		if e.Required {
			notes = append(notes, "required")
		}
		if e.Expired {
			notes = append(notes, "EXPIRED "+e.ExpiresAt)
		} else if e.ExpiresAt != "" {
			notes = append(notes, "until "+e.ExpiresAt)
		}
		note := ""
		if len(notes) > 0 {
			note = "[" + strings.Join(notes, ", ") + "]"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", e.CIDR, note, tableCell(e.Comment))
	}
	return tw.Flush()
}

// tableCell is s as a table cell: as it is when it is plain text, else
// quoted with its control characters escaped (a comment written in the
// console, or by another tool, must not break the table or drive the
// terminal).
func tableCell(s string) string {
	if errdefs.Printable(s) == s {
		return s
	}
	return strconv.QuoteToGraphic(s)
}

// accessSummary is the audit's SOURCES column.
func accessSummary(a *expose.AccessControl, clusterID string) string {
	switch {
	case a == nil:
		return "-"
	case a.Error != "":
		return "unknown"
	case !a.Enabled:
		return "anyone"
	case a.Type == cloudenum.ACLBlack:
		return "anyone (blacklist " + cmp.Or(a.AclName, a.AclID) + ")"
	case a.Entries == nil && a.OpenToInternet != nil && *a.OpenToInternet:
		return "anyone (its entries admit every address)"
	case a.Entries == nil && (a.AclName == expose.ACLName(clusterID) || a.AclName == ""):
		return "allow list"
	case a.Entries == nil:
		return "allow list " + a.AclName
	case len(a.Entries) == 0:
		return "anyone (empty list)"
	case a.Anyone():
		return "anyone"
	}
	return plural.N(len(a.Entries), "entry", "entries")
}
