// Command dist builds the release archives of kubectl ack-expose and writes the
// Krew manifest for them. Archives are deterministic (sorted entries, fixed
// times and owners), so the same source gives the same sha256.
//
//	go run ./hack/dist -version v0.1.0 -out dist -manifest plugins/ack-expose.yaml [-platforms linux/amd64,...|host]
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/template"
	"time"
)

var allPlatforms = "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64"

// completionScript is kubectl's plugin completion hook: kubectl runs
// kubectl_complete-ack_expose from PATH to complete `kubectl ack-expose ...`.
const completionScript = `#!/usr/bin/env sh
# Shell completion for "kubectl ack-expose": kubectl runs this file, found on
# PATH, to complete the plugin's arguments (kubectl 1.26 and later).
exec kubectl ack-expose __complete "$@"
`

type archive struct {
	OS, Arch, URI, SHA256, Bin, File string
}

func main() {
	version := flag.String("version", "", "release version, semver with a leading v (default: the VERSION file)")
	commit := flag.String("commit", "", "commit to record in the binary")
	out := flag.String("out", "dist", "output directory")
	manifest := flag.String("manifest", "plugins/ack-expose.yaml", "Krew manifest to write")
	platforms := flag.String("platforms", allPlatforms, "comma-separated GOOS/GOARCH list, or \"host\"")
	uriBase := flag.String("uri-base", "https://github.com/ack-expose/ack-expose/releases/download", "base of the archive URIs")
	flag.Parse()
	if *version == "" {
		b, err := os.ReadFile("VERSION")
		check(err)
		*version = strings.TrimSpace(string(b))
	}
	if !strings.HasPrefix(*version, "v") {
		check(fmt.Errorf("version %q must look like v1.2.3", *version))
	}
	if *platforms == "host" {
		*platforms = runtime.GOOS + "/" + runtime.GOARCH
	}
	check(os.MkdirAll(*out, 0o755))
	license, err := os.ReadFile("LICENSE")
	check(err)
	readme, err := os.ReadFile("README.md")
	check(err)

	var archives []archive
	for _, p := range strings.Split(*platforms, ",") {
		goos, goarch, ok := strings.Cut(strings.TrimSpace(p), "/")
		if !ok {
			check(fmt.Errorf("bad platform %q", p))
		}
		bin := "kubectl-ack_expose"
		if goos == "windows" {
			bin += ".exe"
		}
		exe := build(goos, goarch, *version, *commit)
		files := map[string][]byte{bin: exe, "LICENSE": license, "README.md": readme}
		if goos != "windows" {
			files["kubectl_complete-ack_expose"] = []byte(completionScript)
		}
		name := fmt.Sprintf("ack-expose_%s_%s_%s", *version, goos, goarch)
		var data []byte
		if goos == "windows" {
			name += ".zip"
			data = zipArchive(files)
		} else {
			name += ".tar.gz"
			data = tarGz(files)
		}
		check(os.WriteFile(filepath.Join(*out, name), data, 0o644))
		sum := sha256.Sum256(data)
		archives = append(archives, archive{OS: goos, Arch: goarch, Bin: bin, File: name,
			URI: *uriBase + "/" + *version + "/" + name, SHA256: hex.EncodeToString(sum[:])})
		fmt.Printf("%s  %s\n", hex.EncodeToString(sum[:]), filepath.Join(*out, name))
	}
	var buf bytes.Buffer
	check(manifestTmpl.Execute(&buf, map[string]any{"Version": *version, "Archives": archives}))
	check(os.MkdirAll(filepath.Dir(*manifest), 0o755))
	check(os.WriteFile(*manifest, buf.Bytes(), 0o644))
	fmt.Printf("wrote %s\n", *manifest)
}

func build(goos, goarch, version, commit string) []byte {
	tmp, err := os.MkdirTemp("", "ack-expose-dist")
	check(err)
	defer os.RemoveAll(tmp)
	exe := filepath.Join(tmp, "bin")
	ldflags := "-s -w -buildid= -X github.com/ack-expose/ack-expose/pkg/cmd.version=" + version
	if commit != "" {
		ldflags += " -X github.com/ack-expose/ack-expose/pkg/cmd.commit=" + commit
	}
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", exe, "./cmd/kubectl-ack_expose")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	check(cmd.Run())
	b, err := os.ReadFile(exe)
	check(err)
	return b
}

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			if names[j] < names[i] {
				names[i], names[j] = names[j], names[i]
			}
		}
	}
	return names
}

func mode(name string) int64 {
	if strings.HasPrefix(name, "kubectl") {
		return 0o755
	}
	return 0o644
}

func tarGz(files map[string][]byte) []byte {
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	gz.ModTime = epoch
	tw := tar.NewWriter(gz)
	for _, n := range sortedNames(files) {
		check(tw.WriteHeader(&tar.Header{Name: n, Mode: mode(n), Size: int64(len(files[n])), ModTime: epoch,
			Typeflag: tar.TypeReg, Uname: "root", Gname: "root", Format: tar.FormatPAX}))
		_, err := tw.Write(files[n])
		check(err)
	}
	check(tw.Close())
	check(gz.Close())
	return buf.Bytes()
}

func zipArchive(files map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range sortedNames(files) {
		h := &zip.FileHeader{Name: n, Method: zip.Deflate, Modified: epoch}
		h.SetMode(os.FileMode(mode(n)))
		w, err := zw.CreateHeader(h)
		check(err)
		_, err = io.Copy(w, bytes.NewReader(files[n]))
		check(err)
	}
	check(zw.Close())
	return buf.Bytes()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "dist:", err)
		os.Exit(1)
	}
}

var manifestTmpl = template.Must(template.New("m").Parse(`# Written by ` + "`make dist`" + ` for the archives it built; do not edit by hand.
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: ack-expose
spec:
  version: {{.Version}}
  homepage: https://github.com/ack-expose/ack-expose
  shortDescription: Control public access to Alibaba Cloud ACK API servers
  description: |
    Shows and controls public access to the API server of an Alibaba Cloud
    Container Service for Kubernetes (ACK) cluster: associates, changes or
    disassociates the elastic IP (EIP) of the API server's CLB, for the
    cluster of the current kubeconfig context. It waits until ACK has rolled
    the change out, is idempotent, refuses to cut off the context you are
    using unless you confirm, and never leaks an EIP it allocated. Includes an
    offline simulator for dry runs.
  caveats: |
    Credentials: any aliyun CLI profile (CloudSSO, OAuth, RamRoleArn, External,
    CredentialsURI, ... picked with --profile or ALIBABA_CLOUD_PROFILE; the
    config is never written), the ALIBABA_CLOUD_ACCESS_KEY_ID /
    ALIBABA_CLOUD_ACCESS_KEY_SECRET variables, RRSA, ~/.alibabacloud/credentials,
    or the ECS RAM role (docs/credentials.md).
    The region comes from --region, ALIBABA_CLOUD_REGION_ID or the CLI profile.

    Try it offline first:
      kubectl ack-expose simulator init
      KUBECONFIG=~/.ack-expose/kubeconfig kubectl ack-expose status --backend simulator

    Shell completion through kubectl (Linux, macOS):
      ln -sf "${KREW_ROOT:-$HOME/.krew}/store/ack-expose/{{.Version}}/kubectl_complete-ack_expose" "${KREW_ROOT:-$HOME/.krew}/bin/"
  platforms:
{{- range .Archives}}
  - selector:
      matchLabels:
        os: {{.OS}}
        arch: {{.Arch}}
    uri: {{.URI}}
    sha256: {{.SHA256}}
    bin: {{.Bin}}
{{- end}}
`))
