package kubeconfig

import (
	"os"
	"sort"
	"strconv"

	"github.com/ack-expose/ack-expose/pkg/backend"
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
			kc.Server = c.Server
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
	merged, err := s.Load()
	if err != nil {
		return nil, err
	}
	from, ok := merged.Contexts[spec.From]
	if !ok {
		return nil, backend.Errorf(backend.KindNotFound, "context %q not found in the kubeconfig", spec.From)
	}
	srcCluster, ok := merged.Clusters[from.Cluster]
	if !ok {
		return nil, backend.Errorf(backend.KindInvalid, "context %q names cluster entry %q, which the kubeconfig does not define", spec.From, from.Cluster)
	}
	// The file that defines From gets the new entries; an earlier file that
	// defines the new names would hide them (kubectl merges first-wins).
	files := s.Files()
	target, targetIdx := "", -1
	for i, p := range files {
		cfg, exists, err := readFile(p)
		if err != nil {
			return nil, err
		}
		if !exists {
			continue
		}
		if cfg.Contexts[spec.From] != nil {
			target, targetIdx = p, i
			break
		}
		if cfg.Contexts[spec.Name] != nil {
			return nil, backend.Errorf(backend.KindConflict, "context %q is already defined in %s, which comes first in KUBECONFIG and would hide the new one; pick another name with --name", spec.Name, p)
		}
		if cfg.Clusters[spec.Name] != nil {
			return nil, backend.Errorf(backend.KindConflict, "cluster entry %q is already defined in %s, which comes first in KUBECONFIG and would hide the new one; pick another name with --name", spec.Name, p)
		}
	}
	if target == "" {
		return nil, backend.Errorf(backend.KindNotFound, "no kubeconfig file defines context %q", spec.From)
	}
	f, err := LoadFile(target)
	if err != nil {
		return nil, &backend.Error{Kind: backend.KindInvalid, Msg: "reading kubeconfig", Err: err}
	}
	for _, user := range f.ContextsUsingCluster(spec.Name) {
		if user != spec.Name {
			return nil, backend.Errorf(backend.KindConflict, "cluster entry %q in %s is used by context %q; pick another name with --name", spec.Name, target, user)
		}
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
	res := &ContextResult{File: target, Context: spec.Name, Cluster: spec.Name, Server: spec.Server}
	res.Changed = f.UpsertCluster(spec.Name, fields)
	res.Changed = f.UpsertContext(spec.Name, spec.Name, from.AuthInfo, from.Namespace) || res.Changed
	// kubectl keeps current-context in the first file that sets it.
	currentFile := f
	if spec.Switch {
		for _, p := range files[:targetIdx] {
			if cfg, exists, _ := readFile(p); exists && cfg.CurrentContext != "" {
				if currentFile, err = LoadFile(p); err != nil {
					return nil, &backend.Error{Kind: backend.KindInvalid, Msg: "reading kubeconfig", Err: err}
				}
				break
			}
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
	var out []EndpointUse
	for _, p := range s.Files() {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		f, err := LoadFile(p)
		if err != nil {
			return nil, &backend.Error{Kind: backend.KindInvalid, Msg: "reading kubeconfig", Err: err}
		}
		for _, kv := range f.ClusterServers() {
			if expose.SameEndpoint(kv.Value, endpoint) {
				out = append(out, EndpointUse{File: p, Cluster: kv.Key, Server: kv.Value})
			}
		}
	}
	return out, nil
}

// Repoint points every cluster entry whose server is from at to instead, file
// by file, atomically. It returns the entries it changed.
func (s *Source) Repoint(from, to string) ([]EndpointUse, error) {
	uses, err := s.ClustersAt(from)
	if err != nil {
		return nil, err
	}
	byFile := map[string][]EndpointUse{}
	var order []string
	for _, u := range uses {
		if _, ok := byFile[u.File]; !ok {
			order = append(order, u.File)
		}
		byFile[u.File] = append(byFile[u.File], u)
	}
	for _, p := range order {
		f, err := LoadFile(p)
		if err != nil {
			return nil, err
		}
		for _, u := range byFile[p] {
			f.SetServer(u.Cluster, to)
		}
		if err := f.Save(); err != nil {
			return nil, err
		}
	}
	return uses, nil
}
