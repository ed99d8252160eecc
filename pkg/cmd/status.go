package cmd

import (
	"fmt"
	"io"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/pkg/expose"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

type statusOptions struct {
	*clusterOptions
	allContexts bool
	chk         checkOptions
}

func newStatusCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &statusOptions{clusterOptions: newClusterOptions(streams)}
	c := &cobra.Command{
		Use:   "status",
		Short: "Show the exposure of the cluster's API server: endpoints, EIP, whether it can change",
		Long: `Show the exposure of the cluster's API server: its intranet and public
endpoints, the EIP behind the public endpoint, and whether this cluster can
associate, change or disassociate an EIP (ACK standard, ACK Pro, ACK
Serverless and ACK Edge clusters can, when running), and who may connect: the
source allow list of the API server's CLB (ALLOWED SOURCES). Makes at most six
API calls.

A context whose server is a DNS name, or a tunnel (ACK_EXPOSE_CONNECT_TO) in
front of an endpoint, reaches that endpoint: CONTEXT SERVER says where it
leads. An allow list that could not be read is unknown, and exits 1.

--check also checks the public endpoint (--private: the intranet one) from
this machine, the way kubectl reaches it (client-go's transport: the context's
proxy-url, else HTTPS_PROXY/NO_PROXY, and its tls-server-name), step by step:
TCP connect, TLS handshake verified against the CA of the kubeconfig context
(not the system roots), the endpoint's address (or tls-server-name) in the
certificate, and GET /version without credentials (any HTTP answer proves the
API server answers). A check through a proxy or a tunnel says so. A failed
check exits 1. ACK_EXPOSE_CONNECT_TO=HOST:PORT=HOST2:PORT2,... connects
elsewhere, like curl's --connect-to.`,
		Example: `  # The cluster of the current context
  kubectl ack-expose status

  # Another context, as JSON
  kubectl ack-expose status --context 1234567890123456-c0123456789abcdef0123456789abcdef -o json

  # Just the public endpoint, for scripts
  kubectl ack-expose status -o jsonpath='{.publicEndpoint}'

  # Audit every context of the kubeconfig: which clusters are exposed?
  kubectl ack-expose status --all-contexts

  # Can this machine reach the API server through the public endpoint?
  kubectl ack-expose status --check

  # ... through an SSH tunnel to the endpoint (like curl's --connect-to)
  ACK_EXPOSE_CONNECT_TO=47.96.1.10:6443=127.0.0.1:16443 kubectl ack-expose status --check

  # ... through the corporate proxy, as kubectl would go
  HTTPS_PROXY=http://proxy.corp:3128 kubectl ack-expose status --check`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := o.toOptions(); err != nil {
				return flagError(err)
			}
			if err := o.chk.toOptions(); err != nil {
				return flagError(err)
			}
			if o.allContexts {
				ov := o.source.Overrides
				if o.clusterID != "" || ov.CurrentContext != "" || ov.Context.Cluster != "" || ov.ClusterInfo.Server != "" {
					return usageError("--all-contexts audits every context: it cannot be combined with --cluster-id, --context, --cluster or --server")
				}
				return o.runAudit(c)
			}
			if err := o.complete(c.Context()); err != nil {
				return err
			}
			return o.run(c)
		},
	}
	o.addFlags(c)
	c.Flags().BoolVar(&o.allContexts, "all-contexts", false, "Audit every context of the kubeconfig: one row per context, in a handful of API calls")
	o.chk.addFlags(c.Flags(), true)
	return c
}

func (o *statusOptions) runAudit(c *cobra.Command) error {
	if err := o.connect(); err != nil {
		return err
	}
	contexts, err := o.source.All()
	if err != nil {
		return err
	}
	ptrs := make([]*expose.KubeContext, len(contexts))
	for i := range contexts {
		ptrs[i] = &contexts[i]
	}
	if err := o.reach(c.Context(), ptrs); err != nil {
		return err
	}
	svc := o.service()
	list, failed, err := svc.Audit(c.Context(), contexts)
	if err != nil {
		return err
	}
	warnJournal(o.streams.ErrOut, svc)
	if o.chk.check {
		chk, err := o.chk.checker(o.clusterOptions)
		if err != nil {
			return err
		}
		expose.CheckAudit(c.Context(), chk, list, contexts, o.chk.private, o.chk.parallel)
	}
	if err := printObject(o.streams.Out, o.printer, list, func(w io.Writer) error { return auditTable(w, list, o.output == "wide") }); err != nil {
		return err
	}
	if failed > 0 {
		return errdefs.Errorf(errdefs.KindInternal, "%d of %d contexts could not be audited in full because of cloud errors (see their rows: what could not be read is unknown)", failed, len(list.Items))
	}
	return nil
}

func (o *statusOptions) run(c *cobra.Command) error {
	svc := o.service()
	x, err := svc.Status(c.Context(), o.target)
	if err != nil {
		return err
	}
	warnJournal(o.streams.ErrOut, svc)
	table := func(w io.Writer) error {
		if err := exposureTable(w, x); err != nil {
			return err
		}
		return accessTable(w, x.AccessControl)
	}
	if !o.chk.check {
		if err := printObject(o.streams.Out, o.printer, x, table); err != nil {
			return err
		}
		return unknownAccess(x)
	}
	chk, err := o.chk.checker(o.clusterOptions)
	if err != nil {
		return err
	}
	r := expose.CheckExposure(c.Context(), chk, x, o.target, o.chk.private)
	if err := printObject(o.streams.Out, o.printer, x, table); err != nil {
		return err
	}
	if r.Step == backend.CheckStepEndpoint {
		return errdefs.Errorf(errdefs.KindUnavailable, "%s", r.Error)
	}
	if !r.OK() {
		return errdefs.Errorf(errdefs.KindUnavailable, "the check of %s failed: %s", r.Endpoint, r.Error)
	}
	return unknownAccess(x)
}

// unknownAccess is the error (exit 1) of a status whose allow list could not
// be read: printed as unknown, it must not pass for a known answer.
func unknownAccess(x *expose.Exposure) error {
	if a := x.AccessControl; a != nil && a.Error != "" {
		return errdefs.Errorf(errdefs.KindInternal, "who may reach the API server is unknown: the allow list could not be read: %s", a.Error).
			WithHint("Try again; with -v 1 each API call is logged.")
	}
	return nil
}

// warnJournal says when the journal cannot be read: status then cannot list
// the EIPs that await release (AWAITS RELEASE), and must not look as if there
// were none.
func warnJournal(w io.Writer, svc *expose.Service) {
	if svc.Journal == nil {
		return
	}
	if _, err := svc.Journal.List(); err != nil {
		fmt.Fprintf(w, "Warning: EIPs awaiting release cannot be listed: %v\n", err)
	}
}
