package cmd

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/internal/plural"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/backend/aliyun"
	"github.com/ack-expose/ack-expose/pkg/backend/simulated"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/pkg/expose"
	"github.com/ack-expose/ack-expose/pkg/kubeconfig"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

type statusOptions struct {
	*clusterOptions
	allContexts bool
	allClusters bool
	failIf      []string
	rules       []string
	profiles    []string
	assumeRole  string
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
source allow list of the API server's CLB (ALLOWED SOURCES), and the extra
names of the API server's certificate (CERTIFICATE NAMES, JSON extraSans; see
` + "`kubectl ack-expose sans`" + `). Makes at most six API calls, and
with -o other than table or wide, one more (STS: whose view it is, asked meanwhile).

A context whose server is a DNS name, or a tunnel (ACK_EXPOSE_CONNECT_TO) in
front of an endpoint, reaches that endpoint: CONTEXT SERVER says where it
leads. An allow list that could not be read is unknown, and exits 1.

--check also checks the public endpoint (--private: the intranet one) from
this machine, the way kubectl reaches it (client-go's transport: the context's
proxy-url, else HTTPS_PROXY/NO_PROXY, and its tls-server-name), step by step:
TCP connect, TLS handshake verified against the CA of the kubeconfig context
(not the system roots), the endpoint's address (or tls-server-name) in the
certificate, and GET /version without credentials (any HTTP answer proves the
API server answers). A check through a proxy or a tunnel says so. A context
that reaches the API server by a DNS name (kubeconfig --server-name) has that
name checked, and when the certificate does not hold it, the check says which
names it holds. A failed check exits 1. ACK_EXPOSE_CONNECT_TO=
HOST:PORT=HOST2:PORT2,... connects elsewhere, like curl's --connect-to.`,
		Example: `  # The cluster of the current context
  kubectl ack-expose status

  # Another context, as JSON
  kubectl ack-expose status --context 1234567890123456-c0123456789abcdef0123456789abcdef -o json

  # Just the public endpoint, for scripts
  kubectl ack-expose status -o jsonpath='{.publicEndpoint}'

  # Audit every context of the kubeconfig: which clusters are exposed?
  kubectl ack-expose status --all-contexts

  # Audit every cluster of the account, in every region, context or not
  kubectl ack-expose status --all-clusters

  # A gate for CI or cron: exit 8 when a cluster is open to every address
  # or admits expired entries; -o json names each violation
  kubectl ack-expose status --all-clusters --fail-if open,expired -o json

  # Can this machine reach the API server through the public endpoint?
  kubectl ack-expose status --check

  # ... through an SSH tunnel to the endpoint (like curl's --connect-to)
  ACK_EXPOSE_CONNECT_TO=47.96.1.10:6443=127.0.0.1:16443 kubectl ack-expose status --check

  # ... through the corporate proxy, as kubectl would go
  HTTPS_PROXY=http://proxy.corp:3128 kubectl ack-expose status --check`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			if o.allContexts || o.allClusters {
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
	c.Flags().BoolVar(&o.allClusters, "all-clusters", false, "Audit every cluster of the account, in every region, whether or not a context reaches it: one row per cluster")
	c.Flags().StringSliceVar(&o.profiles, "profiles", nil, "With an audit: read every account these aliyun CLI profiles sign as (comma list, or all: every profile of the CLI config); each profile's account comes from STS GetCallerIdentity")
	c.Flags().StringVar(&o.assumeRole, "assume-role", "", "With an audit: from one set of credentials (--profile or the chain), assume acs:ram::<uid>:role/NAME in each account the kubeconfig's contexts name (Resource Directory: ResourceDirectoryAccountAccessRole)")
	c.Flags().StringSliceVar(&o.failIf, "fail-if", nil, "With an audit: exit "+fmt.Sprint(exitPolicy)+" when a row breaks one of these rules (comma list): "+strings.Join(expose.Rules, ", ")+"; -o json names each violation")
	o.chk.addFlags(c.Flags(), true)
	return c
}

// validate checks the flags and how they combine, before any I/O: a
// usage error (exit 2) names the flags and the fix.
func (o *statusOptions) validate() error {
	if err := o.toOptions(); err != nil {
		return flagError(err)
	}
	if err := o.chk.toOptions(); err != nil {
		return flagError(err)
	}
	rules, err := expose.ParseRules(o.failIf)
	if err != nil {
		return flagError(err)
	}
	o.rules = rules
	audit := o.allContexts || o.allClusters
	switch {
	case len(o.profiles) > 0 && !audit:
		return usageError("--profiles reads several accounts for an audit: add --all-clusters or --all-contexts")
	case o.assumeRole != "" && (len(o.profiles) > 0 || !audit):
		return usageError("--assume-role reads the kubeconfig's accounts from one set of credentials in an audit: use it with --all-contexts or --all-clusters, without --profiles")
	case len(o.profiles) > 0 && o.profile != "":
		return usageError("--profile and --profiles: pick one (--profiles reads each account with its own profile)")
	case o.allContexts && o.allClusters:
		return usageError("--all-contexts and --all-clusters are two audits: pick one")
	case len(rules) > 0 && !audit:
		return usageError("--fail-if gates an audit: add --all-clusters or --all-contexts")
	}
	if ov := o.source.Overrides; audit && (o.clusterID != "" || ov.CurrentContext != "" || ov.Context.Cluster != "" || ov.ClusterInfo.Server != "") {
		return usageError("--all-contexts and --all-clusters audit many clusters: they cannot be combined with --cluster-id, --context, --cluster or --server")
	}
	return nil
}

func (o *statusOptions) runAudit(c *cobra.Command) error {
	contexts, err := o.source.All()
	if err != nil {
		return err
	}
	ptrs := make([]*kubeconfig.Context, len(contexts))
	for i := range contexts {
		ptrs[i] = &contexts[i]
	}
	if err := o.reach(c.Context(), ptrs); err != nil {
		return err
	}
	var list *expose.ExposureList
	var failed int
	var svc *expose.Service
	if len(o.profiles) > 0 || o.assumeRole != "" {
		if list, failed, svc, err = o.auditAccounts(c.Context(), contexts); err != nil {
			return err
		}
	} else {
		if err := o.connect(c.Context()); err != nil {
			return err
		}
		svc = o.service()
		audit := svc.Audit
		if o.allClusters {
			audit = svc.AuditClusters
		}
		if list, failed, err = audit(c.Context(), contexts); err != nil {
			return err
		}
	}
	violations := 0
	if len(o.rules) > 0 {
		violations = svc.Enforce(c.Context(), list, o.rules, time.Now())
	}
	warnJournal(o.streams.ErrOut, svc)
	if o.chk.check {
		chk, err := o.chk.checker(o.clusterOptions)
		if err != nil {
			return err
		}
		expose.CheckAudit(c.Context(), chk, list, contexts, o.chk.private, o.chk.parallel)
	}
	perr := printObject(o.streams.Out, o.printer, list, func(w io.Writer) error { return auditTable(w, list, o.output == "wide") })
	if perr != nil && (violations > 0 || failed > 0 || list.Policy != nil && list.Policy.Unjudged > 0) {
		perr = printedAfter(o.streams.ErrOut, perr, "the audit has a result")
	}
	if perr != nil {
		return perr
	}
	if violations > 0 {
		return errdefs.Errorf(errdefs.KindPolicy, "%s %s the policy (--fail-if %s)%s", plural.Of(violations, len(list.Items), "cluster", "clusters"), plural.Word(violations, "breaks", "break"), strings.Join(o.rules, ","), violationSummary(list))
	}
	if list.Policy != nil && list.Policy.Unjudged > 0 {
		// Unknown is unknown: a list the gate needed but could not read is
		// never a pass (a violation elsewhere wins: 8 above).
		return errdefs.Errorf(errdefs.KindInternal, "%s could not be judged (--fail-if %s): what the gate had to read could not be read%s", plural.Of(list.Policy.Unjudged, len(list.Items), "cluster", "clusters"), strings.Join(o.rules, ","), unjudgedSummary(list))
	}
	if failed > 0 {
		rows := plural.Of(failed, len(list.Items), "context", "contexts")
		if o.allClusters {
			rows = plural.Of(failed, len(list.Items), "cluster", "clusters")
		}
		return errdefs.Errorf(errdefs.KindInternal, "%s could not be audited in full because of cloud errors (see their rows: what could not be read is unknown)", rows)
	}
	return nil
}

// accounts connects with each profile of --profiles and asks STS whose
// account it reads (one call per profile). A profile that cannot be used is
// an account with an error (a row of the audit), not the end of the audit.
func (o *statusOptions) accounts(ctx context.Context, contexts []kubeconfig.Context) ([]expose.Account, error) {
	if o.assumeRole != "" {
		return o.roleAccounts(ctx, contexts)
	}
	names := o.profiles
	if len(names) == 1 && names[0] == "all" {
		cfg, err := aliyun.LoadCLIConfig()
		if err != nil {
			return nil, err
		}
		if names = cfg.Names(); len(names) == 0 {
			return nil, usageError("--profiles all: the aliyun CLI config %s has no profile", aliyun.CLIConfigPath())
		}
	}
	o.signAs = true
	var out []expose.Account
	for _, p := range names {
		o.profile, o.who, o.whoErr = p, nil, nil
		if err := o.connect(ctx); err != nil {
			out = append(out, expose.Account{Profile: p, Err: err})
			continue
		}
		who, err := o.caller(ctx)
		if err != nil {
			out = append(out, expose.Account{Profile: p, Err: fmt.Errorf("whose credentials these are is unknown: GetCallerIdentity: %w", err)})
			continue
		}
		out = append(out, expose.Account{ID: who.AccountID, Profile: p, Service: o.service()})
	}
	o.profile = ""
	return out, nil
}

// auditAccounts is the audit over the accounts of --profiles or
// --assume-role, and the service for what follows it (the journal's
// warning, the gate's reads): the first readable account's.
func (o *statusOptions) auditAccounts(ctx context.Context, contexts []kubeconfig.Context) (*expose.ExposureList, int, *expose.Service, error) {
	accounts, err := o.accounts(ctx, contexts)
	if err != nil {
		return nil, 0, nil, err
	}
	svc := o.service()
	for _, a := range accounts {
		if a.Service != nil {
			svc = a.Service
			break
		}
	}
	list, failed, err := expose.AuditAccounts(ctx, accounts, contexts, o.allClusters)
	return list, failed, svc, err
}

// roleAccounts assumes --assume-role in each account the contexts' names
// carry, from the credentials of --profile or the chain. A role that cannot
// be assumed is an account with an error: its contexts' rows say why.
func (o *statusOptions) roleAccounts(ctx context.Context, contexts []kubeconfig.Context) ([]expose.Account, error) {
	var uids []string
	for _, kc := range contexts {
		if uid, ok := expose.ContextAccount(kc.Name); ok && !slices.Contains(uids, uid) {
			uids = append(uids, uid)
		}
	}
	if len(uids) == 0 {
		return nil, usageError("--assume-role: no context of the kubeconfig is named <account-uid>-<clusterId>, so no account to assume the role in")
	}
	assume, err := o.roleAssumer()
	if err != nil {
		return nil, err
	}
	var out []expose.Account
	for _, uid := range uids {
		arn := "acs:ram::" + uid + ":role/" + o.assumeRole
		a := expose.Account{ID: uid, Profile: "role " + o.assumeRole}
		be, err := assume(ctx, uid)
		if err == nil {
			o.be, o.who, o.whoErr = backend.Wrap(be, backend.DefaultRetry, o.logf()), nil, nil
			// Whose the credentials are: the role is assumed here, once.
			_, err = o.caller(ctx)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "role "+arn) {
			err = fmt.Errorf("role %s: %w", arn, err)
		}
		if err != nil {
			a.Err = err
		} else {
			a.Service = o.service()
		}
		out = append(out, a)
	}
	return out, nil
}

// roleAssumer gives, for an account, the backend signing as --assume-role
// in it: through STS (credentials-go, lazily) on the aliyun backend, the
// simulated cloud's AssumeRole on the simulator backend.
func (o *statusOptions) roleAssumer() (func(ctx context.Context, uid string) (backend.Backend, error), error) {
	if o.backendName() == "simulator" {
		path, err := simulatorStatePath(o.simState)
		if err != nil {
			return nil, err
		}
		accts, err := simulatorAccounts(path)
		if err != nil {
			return nil, err
		}
		key, err := o.simulatorKey()
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, uid string) (backend.Backend, error) {
			return simulated.AssumeRole(ctx, accts, key, "acs:ram::"+uid+":role/"+o.assumeRole, "ack-expose-audit")
		}, nil
	}
	base, _, err := aliyun.ResolveCredentials(o.profile)
	if err != nil {
		return nil, err
	}
	region, _ := aliyun.ResolveRegion(o.region, o.profile)
	return func(_ context.Context, uid string) (backend.Backend, error) {
		p, src, err := aliyun.AssumeRoleIn(base, uid, o.assumeRole)
		if err != nil {
			return nil, err
		}
		return aliyun.New(aliyun.Options{Region: region, CSEndpoint: os.Getenv(aliyun.EnvCSEndpoint), VPCEndpoint: os.Getenv(aliyun.EnvVPCEndpoint),
			SLBEndpoint: os.Getenv(aliyun.EnvSLBEndpoint), Credentials: aliyun.NewSDKProvider(p, src), Source: src, Log: o.logf()})
	}, nil
}

// violationSummary lists the rows that break the policy, one per line.
func violationSummary(l *expose.ExposureList) string {
	return rowSummary(l, func(it *expose.AuditItem) []string { return it.Violations })
}

// unjudgedSummary names, one a line, the rules the gate could not judge.
func unjudgedSummary(l *expose.ExposureList) string {
	return rowSummary(l, func(it *expose.AuditItem) []string { return it.Unjudged })
}

func rowSummary(l *expose.ExposureList, lines func(*expose.AuditItem) []string) string {
	var b strings.Builder
	for i := range l.Items {
		it := &l.Items[i]
		// A cluster nobody has a context for may have no name: its ID then.
		name := cmp.Or(it.Cluster.Name, it.Context)
		switch {
		case name == "":
			name = cmp.Or(it.Cluster.ID, "a cluster without name, context or ID")
		case it.Cluster.ID != "":
			name += " (" + it.Cluster.ID + ")"
		}
		for _, v := range lines(it) {
			fmt.Fprintf(&b, "\n  %s: %s", name, v)
		}
	}
	return b.String()
}

func (o *statusOptions) run(c *cobra.Command) error {
	svc := o.service()
	// Machine output says whose view it is (the table does not need it):
	// STS is asked meanwhile. A failed read is reported at once: STS is
	// then given up on, not waited for.
	type answer struct {
		c   *backend.Caller
		err error
	}
	var who func() answer
	if o.output != "" && o.output != "table" && o.output != "wide" {
		ctx, cancel := context.WithCancel(c.Context())
		ch := make(chan answer, 1)
		go func() {
			w, err := o.caller(ctx)
			ch <- answer{w, err}
		}()
		var got answer
		done := false
		who = func() answer {
			if !done {
				got, done = <-ch, true
			}
			return got
		}
		defer func() {
			cancel()
			who() // o.caller is done with o before run returns
		}()
	}
	x, err := svc.Status(c.Context(), o.target)
	if err != nil {
		return err
	}
	if who != nil {
		// Unknown, not absent: null with the reason beside it.
		if w := who(); w.err != nil {
			x.CallerError = "whose credentials these are is unknown: GetCallerIdentity: " + errdefs.FirstLine(w.err)
		} else {
			x.Caller = w.c
		}
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
