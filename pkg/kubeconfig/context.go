package kubeconfig

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// ContextSpec asks for a context that reaches a cluster through Server,
// copying the CA of the context From's cluster entry and its user.
type ContextSpec struct {
	From Context
	// Name is the context to write; empty means From's name (its base, for
	// a context this command made) plus Suffix.
	Name   string
	Suffix string
	Server string
	// Endpoints are every endpoint of the cluster: an existing context
	// reaching one of them reaches this cluster and may be updated.
	Endpoints []string
	Switch    bool
	// TLSServerName, when set, is the name kubectl checks the API server's
	// certificate against (tls-server-name), instead of the server's host.
	TLSServerName string
}

// ContextResult says what AddContext did.
type ContextResult struct {
	File     string
	Context  string
	Cluster  string
	Server   string
	Changed  bool
	Switched bool
}

// derivedSuffixes are the suffixes the kubeconfig command gives the contexts
// it makes.
var derivedSuffixes = []string{"-public", "-private"}

// CheckContextName refuses a context name kubectl could not be given back on
// a command line or in a file as it was meant: empty (kubectl refuses it too),
// with a control character (a newline, a tab), or with spaces around it.
// The error is KindInvalid.
func CheckContextName(name string) error {
	hint := "Pass --name a non-empty name without control characters, such as prod-public."
	switch {
	case name == "":
		return errdefs.Errorf(errdefs.KindInvalid, "--name is empty: a context needs a name").WithHint("%s", hint)
	case strings.TrimSpace(name) != name:
		return errdefs.Errorf(errdefs.KindInvalid, "--name %q starts or ends with a space", name).WithHint("%s", hint)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return errdefs.Errorf(errdefs.KindInvalid, "--name %q contains a control character", name).WithHint("%s", hint)
	case !utf8.ValidString(name):
		return errdefs.Errorf(errdefs.KindInvalid, "--name %q is not valid UTF-8", name).WithHint("%s", hint)
	}
	return nil
}

// contextName is the name of the context to write: --name, else the source's
// base name plus suffix. The base is the source's name without a suffix this
// command gives (-public, -private, the suffix asked for, or -NAME of the
// --server-name the source reaches), so that running the command again, from
// the context it made, names the same context, never one suffixed twice.
func contextName(spec ContextSpec) (name string, explicit bool) {
	if spec.Name != "" {
		return spec.Name, true
	}
	suffixes := append([]string{spec.Suffix}, derivedSuffixes...)
	if h := kubeserver.EndpointHost(spec.From.Server); h != "" && net.ParseIP(h) == nil {
		suffixes = append(suffixes, "-"+h)
	}
	base := spec.From.Name
	for _, s := range suffixes {
		if b, ok := strings.CutSuffix(base, s); ok && s != "" && b != "" {
			base = b
			break
		}
	}
	return base + spec.Suffix, false
}

// AddContext adds or updates the context of spec in the file that holds the
// context it copies from, under kubectl's lock, keeping everything else in
// the file. Its cluster entry is named after the context, so clusters never
// overwrite each other (ACK names every cluster entry "kubernetes"). It never
// overwrites a context that reaches another cluster, nor the source context.
func (s *Source) AddContext(spec ContextSpec) (*ContextResult, error) {
	if spec.Name != "" {
		if err := CheckContextName(spec.Name); err != nil {
			return nil, err
		}
	}
	unlock, err := s.lockForContext(spec)
	if err != nil {
		return nil, err
	}
	var res *ContextResult
	defer func() { unlock(res != nil && (res.Changed || res.Switched)) }()
	merged, err := s.Load()
	if err != nil {
		return nil, err
	}
	from := spec.From.Name
	fromCtx, ok := merged.Contexts[from]
	if !ok {
		return nil, errdefs.Errorf(errdefs.KindNotFound, "context %q not found in the kubeconfig", from)
	}
	srcCluster, ok := merged.Clusters[fromCtx.Cluster]
	if !ok {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "context %q names cluster entry %q, which the kubeconfig does not define", from, fromCtx.Cluster)
	}
	name, explicit := contextName(spec)
	res = &ContextResult{Context: name, Cluster: name, Server: spec.Server, File: fromCtx.LocationOfOrigin}
	if name == from {
		// Re-running on a context this command made: it is already what
		// would be written, or it is the source and must not be rewritten.
		if !explicit && kubeserver.SameEndpoint(spec.From.Server, spec.Server) {
			res.Cluster, res.Server = fromCtx.Cluster, spec.From.Server
			return s.switchTo(res, spec.Switch)
		}
		return nil, errdefs.Errorf(errdefs.KindConflict, "context %q is the context this command copies from; it is not rewritten", name).
			WithHint("Pick another name with --name.")
	}
	if err := notAnotherClusters(merged, name, spec.Endpoints); err != nil {
		return nil, err
	}
	holdsCurrent, err := s.writeContext(spec, res, fromCtx, srcCluster)
	if err != nil {
		return nil, err
	}
	if spec.Switch && holdsCurrent != "" && holdsCurrent != res.File {
		return s.switchIn(res, holdsCurrent)
	}
	return res, nil
}

// writeContext writes res's context and cluster entry into the file that
// defines From (res.File), switching to it there when asked and that file
// holds current-context; an earlier file that defines the new names would
// hide them (kubectl merges first-wins), and is refused. It returns the
// first file that sets current-context.
func (s *Source) writeContext(spec ContextSpec, res *ContextResult, fromCtx *clientcmdapi.Context, srcCluster *clientcmdapi.Cluster) (holdsCurrent string, err error) {
	name := res.Context
	for _, p := range s.files() {
		f, err := readFile(p)
		if err != nil {
			return "", err
		}
		cfg := f.config()
		if holdsCurrent == "" && cfg.CurrentContext != "" {
			holdsCurrent = p
		}
		if p != res.File {
			if cfg.Contexts[name] != nil {
				return "", errdefs.Errorf(errdefs.KindConflict, "context %q is already defined in %s, which comes first in KUBECONFIG and would hide the new one; pick another name with --name", name, p)
			}
			if cfg.Clusters[name] != nil {
				return "", errdefs.Errorf(errdefs.KindConflict, "cluster entry %q is already defined in %s, which comes first in KUBECONFIG and would hide the new one; pick another name with --name", name, p)
			}
			continue
		}
		if user := contextUsing(cfg, name, name); user != "" {
			return "", errdefs.Errorf(errdefs.KindConflict, "cluster entry %q in %s is used by context %q; pick another name with --name", name, p, user)
		}
		res.Changed = f.setCluster(name, newCluster(spec, srcCluster))
		user, ns := spec.From.User, spec.From.Namespace
		if user == "" && ns == "" {
			user, ns = fromCtx.AuthInfo, fromCtx.Namespace
		}
		res.Changed = f.setContext(name, &clientcmdapi.Context{Cluster: name, AuthInfo: user, Namespace: ns}) || res.Changed
		// kubectl keeps current-context in the first file that sets it.
		if spec.Switch && (holdsCurrent == "" || holdsCurrent == p) {
			res.Switched = f.setCurrentContext(name)
		}
		if res.Changed || res.Switched {
			if err := f.save(); err != nil {
				return "", err
			}
		}
		break
	}
	return holdsCurrent, nil
}

// lockForContext takes kubectl's lock on the files AddContext may write:
// the one holding the context, and with --switch the one holding
// current-context.
func (s *Source) lockForContext(spec ContextSpec) (unlock func(changed bool), err error) {
	locked := s.files()
	if spec.From.ContextFile != "" {
		// Say it plainly before taking the lock beside it.
		if err := writableFile(spec.From.ContextFile); err != nil {
			return nil, err
		}
		if !spec.Switch {
			locked = []string{spec.From.ContextFile}
		}
	}
	return lockFiles(locked, s.LockWait)
}

// notAnotherClusters refuses to overwrite a context of that name that
// reaches none of the cluster's endpoints.
func notAnotherClusters(merged *clientcmdapi.Config, name string, endpoints []string) error {
	old := merged.Contexts[name]
	if old == nil {
		return nil
	}
	server := ""
	if c := merged.Clusters[old.Cluster]; c != nil {
		server = c.Server
	}
	if !reachesAny(server, endpoints) {
		return errdefs.Errorf(errdefs.KindConflict, "context %q already exists (in %s) and reaches %s, which is not an endpoint of this cluster; it is not overwritten", name, old.LocationOfOrigin, orNothing(server)).
			WithHint("Pick another name with --name.")
	}
	return nil
}

// newCluster is the new context's cluster entry: the source's, at the
// new server (and the new tls-server-name, if any).
func newCluster(spec ContextSpec, src *clientcmdapi.Cluster) *clientcmdapi.Cluster {
	c := clientcmdapi.NewCluster()
	c.Server = spec.Server
	c.CertificateAuthority, c.CertificateAuthorityData = src.CertificateAuthority, src.CertificateAuthorityData
	c.TLSServerName, c.ProxyURL = src.TLSServerName, src.ProxyURL
	if spec.TLSServerName != "" {
		c.TLSServerName = spec.TLSServerName
	}
	c.InsecureSkipTLSVerify, c.DisableCompression = src.InsecureSkipTLSVerify, src.DisableCompression
	return c
}

// switchTo makes res.Context current (with --switch), in the first file that
// sets current-context, else in the file of the context.
func (s *Source) switchTo(res *ContextResult, on bool) (*ContextResult, error) {
	if !on {
		return res, nil
	}
	target := res.File
	for _, p := range s.files() {
		f, err := readFile(p)
		if err != nil {
			return nil, err
		}
		if f.config().CurrentContext != "" {
			target = p
			break
		}
	}
	return s.switchIn(res, target)
}

func (s *Source) switchIn(res *ContextResult, path string) (*ContextResult, error) {
	f, err := readFile(path)
	if err != nil {
		return nil, err
	}
	if res.Switched = f.setCurrentContext(res.Context); res.Switched {
		if err := f.save(); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func reachesAny(server string, endpoints []string) bool {
	for _, e := range endpoints {
		if kubeserver.SameEndpoint(server, e) {
			return true
		}
	}
	return false
}

func orNothing(server string) string {
	if server == "" {
		return "no server"
	}
	return server
}

// EndpointUse is a cluster entry whose server is a given endpoint (the
// type pkg/expose's Kubeconfig.Repoint returns).
type EndpointUse = kubeserver.EndpointUse

// ClustersAt lists the cluster entries, in every kubeconfig file, whose server
// is endpoint.
func (s *Source) ClustersAt(endpoint string) ([]EndpointUse, error) {
	var out []EndpointUse
	for _, p := range s.files() {
		f, err := readFile(p)
		if err != nil {
			return nil, err
		}
		cfg := f.config()
		names := make([]string, 0, len(cfg.Clusters))
		for name := range cfg.Clusters {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if server := cfg.Clusters[name].Server; kubeserver.SameEndpoint(server, endpoint) {
				out = append(out, EndpointUse{File: p, Cluster: name, Server: server})
			}
		}
	}
	return out, nil
}

// CheckWritable makes sure every file with a cluster entry on endpoint can be
// rewritten (see writableFile) and that kubectl's lock beside it is free
// (waiting for it as the edit would), before anything else changes: a change
// whose repointing then fails leaves the context on a released address. Its
// errors say nothing was changed.
func (s *Source) CheckWritable(endpoint string) error {
	uses, err := s.ClustersAt(endpoint)
	if err != nil {
		return nothingChanged(err)
	}
	var files []string
	for _, u := range uses {
		if err := writableFile(u.File); err != nil {
			return nothingChanged(err)
		}
		files = append(files, u.File)
	}
	unlock, err := lockFiles(files, s.LockWait)
	if err != nil {
		return nothingChanged(err)
	}
	unlock(false)
	return nil
}

// nothingChanged adds to an error of the checks made before a change that
// nothing was changed.
func nothingChanged(err error) error {
	var e *errdefs.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("%w; nothing was changed", err)
	}
	c := *e
	c.Hint = strings.TrimSpace("Nothing was changed. " + c.Hint)
	return &c
}

// Repoint points every cluster entry whose server is from at to instead, file
// by file, under kubectl's lock, atomically. It returns the entries it changed.
// When it fails, its error says, for each entry left on from, the kubectl
// command that finishes the job.
func (s *Source) Repoint(from, to string) ([]EndpointUse, error) {
	// Lock the files to write only: another file of KUBECONFIG may well sit
	// in a directory this user cannot write (kubectl would lock them all,
	// and fail there).
	uses, err := s.ClustersAt(from)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, u := range uses {
		files = append(files, u.File)
	}
	unlock, err := lockFiles(files, s.LockWait)
	if err != nil {
		return nil, finishWith(err, uses, to)
	}
	defer func() { unlock(len(files) > 0) }()
	if uses, err = s.ClustersAt(from); err != nil { // again, under the lock
		return nil, err
	}
	for i, p := range s.files() {
		var f *editFile
		for _, u := range uses {
			if u.File != p || !slices.Contains(files, p) {
				continue
			}
			if f == nil {
				if f, err = readFile(p); err != nil {
					return nil, finishWith(err, left(uses, s.files()[i:]), to)
				}
			}
			f.setServer(u.Cluster, to)
		}
		if f != nil {
			if err := f.save(); err != nil {
				return nil, finishWith(err, left(uses, s.files()[i:]), to)
			}
		}
	}
	return uses, nil
}

// left is the entries of uses in files.
func left(uses []EndpointUse, files []string) []EndpointUse {
	var out []EndpointUse
	for _, u := range uses {
		if slices.Contains(files, u.File) {
			out = append(out, u)
		}
	}
	return out
}

// finishWith adds to err the kubectl commands that point the entries of uses
// at to (kubectl takes the same lock).
func finishWith(err error, uses []EndpointUse, to string) error {
	if len(uses) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString("Once it can be written, point the entries at the new endpoint with:")
	for _, u := range uses {
		fmt.Fprintf(&b, "\n  kubectl config set-cluster %s --server=%s --kubeconfig %s", shellQuote(u.Cluster), shellQuote(to), shellQuote(u.File))
	}
	var e *errdefs.Error
	if !errors.As(err, &e) {
		return &errdefs.Error{Kind: errdefs.KindInvalid, Err: err, Hint: b.String()}
	}
	c := *e
	if c.Hint != "" {
		// Not "try again": the change is made, a re-run has nothing to do.
		b.WriteString("\n" + strings.Replace(c.Hint, "; try again.", ".", 1))
	}
	c.Hint = b.String()
	return &c
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,/:=@+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// contextUsing returns a context of cfg, other than except, whose cluster is
// cluster (the first by name), or "".
func contextUsing(cfg *clientcmdapi.Config, cluster, except string) string {
	var names []string
	for name, c := range cfg.Contexts {
		if c.Cluster == cluster && name != except {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}
