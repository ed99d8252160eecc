// Command docs writes the command reference, docs/reference/, from the
// commands themselves: one Markdown page and one man page (section 1) per
// command, with cobra's doc package. `make docs` runs it; the test beside it
// fails when the committed pages differ from what the commands say.
//
//	go run ./hack/docs -out docs/reference
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ack-expose/ack-expose/hack/docs/gen"
)

func main() {
	out := flag.String("out", "docs/reference", "directory to write (Markdown in it, man pages in its man/)")
	flag.Parse()
	if err := gen.Write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "docs:", err)
		os.Exit(1)
	}
}
