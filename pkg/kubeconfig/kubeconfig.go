// Package kubeconfig reads the kubeconfig the way kubectl does (KUBECONFIG,
// --kubeconfig, --context and the other override flags) and tells the
// lifecycle which context is in use and which server it reaches.
//
// It reads only the fields this plugin needs, from go.yaml.in/yaml/v3 nodes
// (parse.go), instead of using client-go's clientcmd: clientcmd's API
// machinery costs more start-up time than the whole of `status` is allowed
// (BENCH.md). The loading rules are kubectl's: --kubeconfig alone (it must
// exist), else every file of KUBECONFIG (missing ones skipped), else
// ~/.kube/config; merged first-wins per name, the first non-empty
// current-context wins.
package kubeconfig

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/pkg/expose"
)

// Config is the merged kubeconfig, reduced to what the plugin reads.
type Config struct {
	CurrentContext string
	Clusters       map[string]*Cluster
	Contexts       map[string]*Context
}

// Cluster is a kubeconfig cluster entry, the fields the plugin reads or copies.
type Cluster struct {
	Server                   string
	CertificateAuthority     string
	CertificateAuthorityData string
	TLSServerName            string
	ProxyURL                 string
	InsecureSkipTLSVerify    bool
}

// Context is a kubeconfig context entry.
type Context struct {
	Cluster   string
	AuthInfo  string
	Namespace string
}

// Overrides are kubectl's connection flags that change which context, cluster
// and server are used. kubectl's other connection flags (credentials,
// impersonation, TLS) are accepted by the commands but change nothing here.
type Overrides struct {
	CurrentContext string // --context
	ClusterName    string // --cluster
	Server         string // --server
}

// Source is where the kubeconfig comes from: kubectl's loading rules and overrides.
type Source struct {
	// ExplicitPath is --kubeconfig: the only file read when set.
	ExplicitPath string
	// Precedence is the list of files otherwise; nil means KUBECONFIG, else ~/.kube/config.
	Precedence []string
	Overrides  Overrides
}

// NewSource returns kubectl's default loading rules with empty overrides.
func NewSource() *Source { return &Source{} }

// Files lists the kubeconfig files in kubectl's precedence: --kubeconfig alone,
// else each file of KUBECONFIG (duplicates and empty entries dropped), else
// ~/.kube/config.
func (s *Source) Files() []string {
	if s.ExplicitPath != "" {
		return []string{s.ExplicitPath}
	}
	if s.Precedence != nil {
		return s.Precedence
	}
	if env := os.Getenv("KUBECONFIG"); env != "" {
		var files []string
		seen := map[string]bool{}
		for _, p := range filepath.SplitList(env) {
			if p != "" && !seen[p] {
				seen[p] = true
				files = append(files, p)
			}
		}
		return files
	}
	return []string{filepath.Join(homeDir(), ".kube", "config")}
}

// homeDir is kubectl's: HOME when set (on every OS), else the OS's home.
func homeDir() string {
	if h := os.Getenv("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

// invalid is the error for a kubeconfig file that cannot be read.
func invalid(path string, err error) error {
	return &errdefs.Error{Kind: errdefs.KindInvalid, Msg: "reading kubeconfig " + path, Err: err,
		Hint: "Fix the file, or point --kubeconfig / KUBECONFIG at a valid one."}
}

// loaded is one existing kubeconfig file: loaded for editing, and as read.
type loaded struct {
	file *File
	cfg  *Config
}

// loadAll reads every existing kubeconfig file, in precedence order, each
// once. A file that does not parse is KindInvalid, and so is --kubeconfig
// naming a missing file.
func (s *Source) loadAll() ([]loaded, error) {
	if s.ExplicitPath != "" {
		if _, err := os.Stat(s.ExplicitPath); err != nil {
			return nil, &errdefs.Error{Kind: errdefs.KindInvalid, Msg: "reading kubeconfig", Err: err,
				Hint: "Fix the --kubeconfig path."}
		}
	}
	var out []loaded
	for _, p := range s.Files() {
		f, exists, err := loadFile(p)
		if err != nil {
			return nil, err
		}
		if !exists {
			continue
		}
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		// Relative certificate paths are relative to the file, as kubectl reads them.
		for _, c := range cfg.Clusters {
			if c.CertificateAuthority != "" && !filepath.IsAbs(c.CertificateAuthority) {
				c.CertificateAuthority = filepath.Join(filepath.Dir(p), c.CertificateAuthority)
			}
		}
		out = append(out, loaded{f, cfg})
	}
	return out, nil
}

// Load reads and merges the kubeconfig files (see loadAll).
func (s *Source) Load() (*Config, error) {
	files, err := s.loadAll()
	if err != nil {
		return nil, err
	}
	return merge(files), nil
}

// merge is kubectl's merge: the first file to define a name wins, and the
// first non-empty current-context.
func merge(files []loaded) *Config {
	merged := &Config{Clusters: map[string]*Cluster{}, Contexts: map[string]*Context{}}
	for _, l := range files {
		if merged.CurrentContext == "" {
			merged.CurrentContext = l.cfg.CurrentContext
		}
		for name, c := range l.cfg.Clusters {
			if _, ok := merged.Clusters[name]; !ok {
				merged.Clusters[name] = c
			}
		}
		for name, c := range l.cfg.Contexts {
			if _, ok := merged.Contexts[name]; !ok {
				merged.Contexts[name] = c
			}
		}
	}
	return merged
}

// Current returns the context in use and its server. A missing kubeconfig or
// current context is not an error here: it is reported in KubeContext.Err so
// that --cluster-id still works without any kubeconfig.
func (s *Source) Current() (expose.KubeContext, error) {
	cfg, err := s.Load()
	if err != nil {
		return expose.KubeContext{}, err
	}
	name := cfg.CurrentContext
	if s.Overrides.CurrentContext != "" {
		name = s.Overrides.CurrentContext
	}
	if name == "" {
		where := strings.Join(s.Files(), string(os.PathListSeparator))
		if len(cfg.Contexts) == 0 {
			return expose.KubeContext{Err: errdefs.Errorf(errdefs.KindNotFound, "no kubeconfig contexts in %s and no --cluster-id given", where).
				WithHint("Pass --cluster-id c..., or --kubeconfig FILE with an ACK context.")}, nil
		}
		return expose.KubeContext{Err: errdefs.Errorf(errdefs.KindNotFound, "no current context in %s and no --cluster-id given", where).
			WithHint("Pick one with --context NAME (see `kubectl config get-contexts`), or pass --cluster-id c....")}, nil
	}
	kctx, ok := cfg.Contexts[name]
	if !ok {
		err := errdefs.Errorf(errdefs.KindNotFound, "context %q not found in the kubeconfig", name).
			WithHint("List contexts with `kubectl config get-contexts`.")
		if s.Overrides.CurrentContext != "" {
			return expose.KubeContext{}, err
		}
		return expose.KubeContext{Name: name, Err: err}, nil
	}
	clusterName := kctx.Cluster
	if s.Overrides.ClusterName != "" {
		clusterName = s.Overrides.ClusterName
	}
	server := ""
	if c, ok := cfg.Clusters[clusterName]; ok {
		server = c.Server
	}
	if s.Overrides.Server != "" {
		server = s.Overrides.Server
	}
	return expose.KubeContext{Name: name, Server: server, CA: caPEM(cfg.Clusters[clusterName])}, nil
}
