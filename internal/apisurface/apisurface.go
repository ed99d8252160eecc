// Package apisurface lists the exported API of Go packages, one line per
// exported identifier with its signature, in the format of the Go
// project's own API check (cmd/api: "pkg P, func F(int) error"), so that a
// golden file of it makes every change to the public surface a visible diff.
//
// It reads source with go/parser and go/doc and prints types with
// go/printer: no type checking, hence no build of the packages' imports.
// cmd/api itself is not importable (it lives in the Go tree, not a module),
// and `go doc -all` prints prose and formatting that change between Go
// releases, which would make the golden file churn for nothing.
package apisurface

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Walk lists the exported API of every package under dir (skipping testdata
// and test files), whose import path is importPath. The lines are sorted.
func Walk(dir, importPath string) ([]string, error) {
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if d.Name() == "testdata" {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		pkgLines, err := Package(p, path.Join(importPath, filepath.ToSlash(rel)))
		lines = append(lines, pkgLines...)
		return err
	})
	slices.Sort(lines)
	return lines, err
}

// Package lists the exported API of the package in dir (none if dir holds
// no non-test Go file).
func Package(dir, importPath string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, nil
	}
	p, err := doc.NewFromFiles(fset, files, importPath)
	if err != nil {
		return nil, err
	}
	l := lister{fset: fset, prefix: "pkg " + importPath + ", "}
	l.decls(p.Consts, p.Vars, p.Funcs)
	for _, t := range p.Types {
		l.typ(t)
	}
	return l.lines, nil
}

type lister struct {
	fset   *token.FileSet
	prefix string
	lines  []string
}

func (l *lister) add(format string, args ...any) {
	l.lines = append(l.lines, l.prefix+fmt.Sprintf(format, args...))
}

func (l *lister) expr(e ast.Node) string {
	var b bytes.Buffer
	if err := printer.Fprint(&b, l.fset, e); err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	// One line per identifier: a multi-line literal (a struct type in a
	// signature) is folded.
	return strings.Join(strings.Fields(b.String()), " ")
}

// values lists consts or vars with their type, else their value (a const of
// an iota group repeats the type of the spec before it).
func (l *lister) values(vs []*doc.Value, kind string) {
	for _, v := range vs {
		var typ ast.Expr
		for _, s := range v.Decl.Specs {
			spec := s.(*ast.ValueSpec)
			if spec.Type != nil || len(spec.Values) > 0 {
				typ = spec.Type
			}
			for i, name := range spec.Names {
				if !name.IsExported() {
					continue
				}
				switch {
				case spec.Type == nil && i < len(spec.Values) && kind == "const":
					l.add("const %s = %s", name.Name, l.expr(spec.Values[i]))
				case typ != nil:
					l.add("%s %s %s", kind, name.Name, l.expr(typ))
				case i < len(spec.Values):
					l.add("var %s = %s", name.Name, l.expr(spec.Values[i]))
				default:
					l.add("%s %s", kind, name.Name)
				}
			}
		}
	}
}

// signature prints a func type without parameter names: renaming a
// parameter does not change the API.
func (l *lister) signature(ft *ast.FuncType) string {
	list := func(fl *ast.FieldList) []string {
		var out []string
		if fl == nil {
			return out
		}
		for _, f := range fl.List {
			n := max(len(f.Names), 1)
			for range n {
				out = append(out, l.expr(f.Type))
			}
		}
		return out
	}
	s := "(" + strings.Join(list(ft.Params), ", ") + ")"
	switch res := list(ft.Results); len(res) {
	case 0:
	case 1:
		s += " " + res[0]
	default:
		s += " (" + strings.Join(res, ", ") + ")"
	}
	return s
}

func (l *lister) fn(f *doc.Func) {
	d := f.Decl
	if d.Recv == nil {
		tp := ""
		if d.Type.TypeParams != nil {
			tp = "[" + l.fieldList(d.Type.TypeParams) + "]"
		}
		l.add("func %s%s%s", f.Name, tp, l.signature(&ast.FuncType{Params: d.Type.Params, Results: d.Type.Results}))
		return
	}
	l.add("method (%s) %s%s", l.expr(d.Recv.List[0].Type), f.Name, l.signature(d.Type))
}

func (l *lister) fieldList(fl *ast.FieldList) string {
	var parts []string
	for _, f := range fl.List {
		var names []string
		for _, n := range f.Names {
			names = append(names, n.Name)
		}
		parts = append(parts, strings.TrimSpace(strings.Join(names, ", ")+" "+l.expr(f.Type)))
	}
	return strings.Join(parts, ", ")
}

func (l *lister) typ(t *doc.Type) {
	for _, s := range t.Decl.Specs {
		spec := s.(*ast.TypeSpec)
		if spec.Name.Name != t.Name {
			continue
		}
		name := t.Name
		if spec.TypeParams != nil {
			name += "[" + l.fieldList(spec.TypeParams) + "]"
		}
		switch st := spec.Type.(type) {
		case *ast.StructType:
			l.add("type %s struct", name)
			for _, f := range st.Fields.List {
				if len(f.Names) == 0 {
					l.add("type %s struct, embedded %s", t.Name, l.expr(f.Type))
				}
				for _, n := range f.Names {
					if n.IsExported() {
						l.add("type %s struct, %s %s", t.Name, n.Name, l.expr(f.Type))
					}
				}
			}
		case *ast.InterfaceType:
			if st.Incomplete { // go/doc dropped unexported methods: no one outside can implement it
				l.add("type %s interface, unexported methods", t.Name)
			}
			l.add("type %s interface", name)
			for _, m := range st.Methods.List {
				if ft, ok := m.Type.(*ast.FuncType); ok {
					for _, n := range m.Names {
						if n.IsExported() {
							l.add("type %s interface, %s%s", t.Name, n.Name, l.signature(ft))
						}
					}
				} else {
					l.add("type %s interface, embedded %s", t.Name, l.expr(m.Type))
				}
			}
		default:
			if spec.Assign.IsValid() {
				l.add("type %s = %s", name, l.expr(spec.Type))
			} else {
				l.add("type %s %s", name, l.expr(spec.Type))
			}
		}
	}
	l.decls(t.Consts, t.Vars, append(t.Funcs, t.Methods...))
}

// decls lists the consts, vars and funcs of a package, or those go/doc
// groups under a type (its constructors and methods).
func (l *lister) decls(consts, vars []*doc.Value, funcs []*doc.Func) {
	l.values(consts, "const")
	l.values(vars, "var")
	for _, f := range funcs {
		l.fn(f)
	}
}
