// Command krewcompare renders .krew.yaml for a tag the way krew-release-bot
// does (text/template with .TagName, addURIAndSha and indent; the sha256 of
// each archive from checksums.txt instead of a download) and checks that the
// result is the manifest GoReleaser wrote for the same archives: the same
// fields, the same platforms, URIs and checksums. It also holds the manifest
// to krew-index's rules that Krew's validator does not check.
//
//	go run ./hack/krewcompare -template .krew.yaml -tag v0.1.0 -checksums dist/checksums.txt -manifest dist/krew/ack-expose.yaml
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path"
	"reflect"
	"sort"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"
)

func main() {
	tmplPath := flag.String("template", ".krew.yaml", "krew-release-bot template")
	tag := flag.String("tag", "", "release tag, e.g. v0.1.0")
	sums := flag.String("checksums", "dist/checksums.txt", "GoReleaser's checksums.txt")
	manifest := flag.String("manifest", "dist/krew/ack-expose.yaml", "GoReleaser's Krew manifest")
	flag.Parse()
	if err := run(*tmplPath, *tag, *sums, *manifest); err != nil {
		fmt.Fprintln(os.Stderr, "krewcompare:", err)
		os.Exit(1)
	}
	fmt.Printf("krewcompare: %s for %s is %s\n", *tmplPath, *tag, *manifest)
}

func run(tmplPath, tag, sumsPath, manifestPath string) error {
	if !strings.HasPrefix(tag, "v") {
		return fmt.Errorf("-tag %q: want a tag such as v0.1.0", tag)
	}
	sums, err := readChecksums(sumsPath)
	if err != nil {
		return err
	}
	rendered, err := render(tmplPath, tag, sums)
	if err != nil {
		return err
	}
	want, err := os.ReadFile(manifestPath)
	if err != nil {
		return err
	}
	var got, exp map[string]any
	if err := yaml.Unmarshal(rendered, &got); err != nil {
		return fmt.Errorf("%s rendered for %s is not YAML: %v\n%s", tmplPath, tag, err, rendered)
	}
	if err := yaml.Unmarshal(want, &exp); err != nil {
		return fmt.Errorf("%s: %v", manifestPath, err)
	}
	sortPlatforms(got)
	sortPlatforms(exp)
	if diffs := diff("", got, exp); len(diffs) > 0 {
		return fmt.Errorf("%s rendered for %s differs from %s (keep .krew.yaml and .goreleaser.yaml's krews in step):\n  %s",
			tmplPath, tag, manifestPath, strings.Join(diffs, "\n  "))
	}
	return krewIndexRules(got, tag)
}

// render is krew-release-bot's RenderTemplate (pkg/source/template.go), with
// the checksums read from checksums.txt.
func render(tmplPath, tag string, sums map[string]string) ([]byte, error) {
	var missing []string
	t, err := template.New(path.Base(tmplPath)).Funcs(template.FuncMap{
		"indent": func(spaces int, v string) string {
			v = strings.ReplaceAll(v, "    sha256:", "sha256:")
			pad := strings.Repeat(" ", spaces)
			return strings.TrimSpace(pad + strings.ReplaceAll(v, "\n", "\n"+pad))
		},
		"addURIAndSha": func(url, tag string) (string, error) {
			var b bytes.Buffer
			u, err := template.New("url").Parse(url)
			if err != nil {
				return "", err
			}
			if err := u.Execute(&b, struct{ TagName string }{tag}); err != nil {
				return "", err
			}
			sum, ok := sums[path.Base(b.String())]
			if !ok {
				missing = append(missing, path.Base(b.String()))
			}
			return fmt.Sprintf("uri: %s\n    sha256: %s", b.String(), sum), nil
		},
	}).ParseFiles(tmplPath)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := t.Execute(&out, struct{ TagName string }{tag}); err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s names archives the release does not have (the bot would get 404): %v", tmplPath, missing)
	}
	return out.Bytes(), nil
}

func readChecksums(p string) (map[string]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		if sum, name, ok := strings.Cut(s.Text(), "  "); ok {
			sums[name] = sum
		}
	}
	return sums, s.Err()
}

func sortPlatforms(m map[string]any) {
	spec, _ := m["spec"].(map[string]any)
	ps, _ := spec["platforms"].([]any)
	key := func(p any) string {
		b, _ := yaml.Marshal(p)
		return string(b)
	}
	sort.Slice(ps, func(i, j int) bool { return key(ps[i]) < key(ps[j]) })
}

func diff(at string, got, want any) []string {
	gm, ok1 := got.(map[string]any)
	wm, ok2 := want.(map[string]any)
	if ok1 && ok2 {
		keys := map[string]bool{}
		for k := range gm {
			keys[k] = true
		}
		for k := range wm {
			keys[k] = true
		}
		var names []string
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		var out []string
		for _, k := range names {
			out = append(out, diff(at+"."+k, gm[k], wm[k])...)
		}
		return out
	}
	gl, ok1 := got.([]any)
	wl, ok2 := want.([]any)
	if ok1 && ok2 && len(gl) == len(wl) {
		var out []string
		for i := range gl {
			out = append(out, diff(fmt.Sprintf("%s[%d]", at, i), gl[i], wl[i])...)
		}
		return out
	}
	if !reflect.DeepEqual(got, want) {
		return []string{fmt.Sprintf("%s: .krew.yaml gives %q, GoReleaser %q", at, fmt.Sprint(got), fmt.Sprint(want))}
	}
	return nil
}

// krewIndexRules are krew-index's review rules that validate-krew-manifest
// leaves out: `krew search` cuts shortDescription at 50 characters, and the
// version is the tag.
func krewIndexRules(m map[string]any, tag string) error {
	spec, _ := m["spec"].(map[string]any)
	if sd, _ := spec["shortDescription"].(string); len(sd) > 50 {
		return fmt.Errorf("shortDescription %q is %d characters; krew-index allows 50", sd, len(sd))
	}
	if v, _ := spec["version"].(string); v != tag {
		return fmt.Errorf("spec.version is %q, want the tag %s", v, tag)
	}
	return nil
}
