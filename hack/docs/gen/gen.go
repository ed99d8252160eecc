// Package gen renders the command reference from the cobra command tree.
package gen

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/pkg/cmd"
)

// manDate is the date every man page carries: a fixed one, so the pages
// change only when the commands' help does (cobra would put today's date).
var manDate = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Write writes the reference into dir: dir/*.md and dir/man/*.1. It removes
// the pages of commands that no longer exist.
func Write(dir string) error {
	pages, err := Render()
	if err != nil {
		return err
	}
	for _, sub := range []string{dir, filepath.Join(dir, "man")} {
		old, _ := filepath.Glob(filepath.Join(sub, "kubectl_ack-expose*"))
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	for name, data := range pages {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Render returns every page by its path relative to the reference directory.
func Render() (map[string][]byte, error) {
	root := newRoot()
	pages := map[string][]byte{}
	var walk func(c *cobra.Command) error
	walk = func(c *cobra.Command) error {
		if !c.IsAvailableCommand() && c != root || c.IsAdditionalHelpTopicCommand() {
			return nil
		}
		base := strings.ReplaceAll(c.CommandPath(), " ", "_")
		var md bytes.Buffer
		if err := doc.GenMarkdownCustom(c, &md, func(s string) string { return s }); err != nil {
			return err
		}
		pages[base+".md"] = md.Bytes()
		var man bytes.Buffer
		hdr := &doc.GenManHeader{Title: strings.ToUpper(base), Section: "1", Date: &manDate,
			Source: "ack-expose", Manual: "kubectl ack-expose"}
		if err := doc.GenMan(c, hdr, &man); err != nil {
			return err
		}
		pages[filepath.Join("man", base+".1")] = man.Bytes()
		for _, sub := range c.Commands() {
			if err := walk(sub); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root); err != nil {
		return nil, err
	}
	if len(pages) < 4 {
		return nil, fmt.Errorf("only %d pages: the command tree did not build", len(pages))
	}
	return pages, nil
}

// newRoot is the command tree as users see it, with the defaults that do
// not depend on this machine.
func newRoot() *cobra.Command {
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}
	root, _ := cmd.NewRootCommand(streams)
	root.DisableAutoGenTag = true
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	return root
}
