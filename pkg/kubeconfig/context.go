package kubeconfig

import (
	"sort"
	"strconv"

	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/pkg/expose"
)

// All returns every context of the merged kubeconfig with its server, by name.
func (s *Source) All() ([]expose.KubeContext, error) {
	cfg, err := s.Load()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(cfg.Contexts))
	for n := range cfg.Contexts {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]expose.KubeContext, 0, len(names))
	for _, n := range names {
		kc := expose.KubeContext{Name: n}
		if c, ok := cfg.Clusters[cfg.Contexts[n].Cluster]; ok {
			kc.Server, kc.CA = c.Server, caPEM(c)
		}
		out = append(out, kc)
	}
	return out, nil
}

// ContextSpec asks for a context that reaches a cluster through server,
// copying the CA and user of the context From.
type ContextSpec struct {
	From   string
	Name   string
	Server string
	Switch bool
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

// AddContext adds or updates the context of spec, in the file that holds the
// context it copies from, atomically, keeping everything else in the file.
// Its cluster entry is named after the context, so clusters never overwrite
// each other (ACK names every cluster entry "kubernetes").
func (s *Source) AddContext(spec ContextSpec) (*ContextResult, error) {
	files, err := s.loadAll()
	if err != nil {
		return nil, err
	}
	merged := merge(files)
	from, ok := merged.Contexts[spec.From]
	if !ok {
		return nil, errdefs.Errorf(errdefs.KindNotFound, "context %q not found in the kubeconfig", spec.From)
	}
	srcCluster, ok := merged.Clusters[from.Cluster]
	if !ok {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "context %q names cluster entry %q, which the kubeconfig does not define", spec.From, from.Cluster)
	}
	// The file that defines From gets the new entries; an earlier file that
	// defines the new names would hide them (kubectl merges first-wins).
	var f, holdsCurrent *File // the target file; the first earlier file with a current-context
	for _, l := range files {
		file, cfg, p := l.file, l.cfg, l.file.Path
		if cfg.Contexts[spec.From] != nil {
			if user := contextUsing(cfg, spec.Name, spec.Name); user != "" {
				return nil, errdefs.Errorf(errdefs.KindConflict, "cluster entry %q in %s is used by context %q; pick another name with --name", spec.Name, p, user)
			}
			f = file
			break
		}
		if cfg.Contexts[spec.Name] != nil {
			return nil, errdefs.Errorf(errdefs.KindConflict, "context %q is already defined in %s, which comes first in KUBECONFIG and would hide the new one; pick another name with --name", spec.Name, p)
		}
		if cfg.Clusters[spec.Name] != nil {
			return nil, errdefs.Errorf(errdefs.KindConflict, "cluster entry %q is already defined in %s, which comes first in KUBECONFIG and would hide the new one; pick another name with --name", spec.Name, p)
		}
		if holdsCurrent == nil && cfg.CurrentContext != "" {
			holdsCurrent = file
		}
	}
	if f == nil {
		return nil, errdefs.Errorf(errdefs.KindNotFound, "no kubeconfig file defines context %q", spec.From)
	}
	fields := []KV{{"server", spec.Server}}
	if srcCluster.CertificateAuthorityData != "" {
		fields = append(fields, KV{"certificate-authority-data", srcCluster.CertificateAuthorityData})
	}
	fields = append(fields, KV{"certificate-authority", srcCluster.CertificateAuthority}, KV{"tls-server-name", srcCluster.TLSServerName},
		KV{"proxy-url", srcCluster.ProxyURL})
	if srcCluster.InsecureSkipTLSVerify {
		fields = append(fields, KV{"insecure-skip-tls-verify", strconv.FormatBool(true)})
	}
	res := &ContextResult{File: f.Path, Context: spec.Name, Cluster: spec.Name, Server: spec.Server}
	res.Changed = f.UpsertCluster(spec.Name, fields)
	res.Changed = f.UpsertContext(spec.Name, spec.Name, from.AuthInfo, from.Namespace) || res.Changed
	// kubectl keeps current-context in the first file that sets it.
	currentFile := f
	if spec.Switch {
		if holdsCurrent != nil {
			currentFile = holdsCurrent
		}
		res.Switched = currentFile.SetCurrentContext(spec.Name)
	}
	if res.Changed || (res.Switched && currentFile == f) {
		if err := f.Save(); err != nil {
			return nil, err
		}
	}
	if res.Switched && currentFile != f {
		if err := currentFile.Save(); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// EndpointUse is a cluster entry whose server is a given endpoint.
type EndpointUse struct {
	File, Cluster, Server string
}

// ClustersAt lists the cluster entries, in every kubeconfig file, whose server
// is endpoint.
func (s *Source) ClustersAt(endpoint string) ([]EndpointUse, error) {
	uses, _, err := s.clustersAt(endpoint)
	return uses, err
}

// clustersAt is ClustersAt, with the files that hold the entries (in order),
// loaded for editing.
func (s *Source) clustersAt(endpoint string) ([]EndpointUse, []*File, error) {
	all, err := s.loadAll()
	if err != nil {
		return nil, nil, err
	}
	var out []EndpointUse
	var files []*File
	for _, l := range all {
		f, cfg, p := l.file, l.cfg, l.file.Path
		names := make([]string, 0, len(cfg.Clusters))
		for name := range cfg.Clusters {
			names = append(names, name)
		}
		sort.Strings(names)
		n := len(out)
		for _, name := range names {
			if server := cfg.Clusters[name].Server; expose.SameEndpoint(server, endpoint) {
				out = append(out, EndpointUse{File: p, Cluster: name, Server: server})
			}
		}
		if len(out) > n {
			files = append(files, f)
		}
	}
	return out, files, nil
}

// Repoint points every cluster entry whose server is from at to instead, file
// by file, atomically. It returns the entries it changed.
func (s *Source) Repoint(from, to string) ([]EndpointUse, error) {
	uses, files, err := s.clustersAt(from)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		for _, u := range uses {
			if u.File == f.Path {
				f.SetServer(u.Cluster, to)
			}
		}
		if err := f.Save(); err != nil {
			return nil, err
		}
	}
	return uses, nil
}

// contextUsing returns a context of cfg, other than except, whose cluster is
// cluster (the first by name), or "".
func contextUsing(cfg *Config, cluster, except string) string {
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
