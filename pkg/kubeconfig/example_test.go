package kubeconfig_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/ack-expose/ack-expose/pkg/kubeconfig"
)

// The context kubectl would use, read with kubectl's rules, then a second
// context to the same cluster through another endpoint, added to the file
// that holds the first.
func Example() {
	dir, err := os.MkdirTemp("", "ack-expose-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "config")
	if err := os.WriteFile(file, []byte(`apiVersion: v1
kind: Config
clusters:
- name: kubernetes
  cluster: {server: "https://192.168.0.10:6443"}
users:
- name: admin
  user: {token: example}
contexts:
- name: prod
  context: {cluster: kubernetes, user: admin}
current-context: prod
`), 0o600); err != nil {
		log.Fatal(err)
	}

	src := kubeconfig.NewSource()
	src.Rules.ExplicitPath = file // as --kubeconfig; by default KUBECONFIG, else ~/.kube/config
	cur, err := src.Current()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cur.Name, cur.Server)
	res, err := src.AddContext(kubeconfig.ContextSpec{From: cur, Server: "https://47.96.1.10:6443", Suffix: "-public"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Context, res.Server, res.Changed)
	// Output:
	// prod https://192.168.0.10:6443
	// prod-public https://47.96.1.10:6443 true
}
