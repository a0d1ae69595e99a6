// Command crosscheck type-checks packages and their tests for the GOOS and
// GOARCH in its environment, the way the compiler front end and `go vet`
// do, without compiling anything: the standard library and other
// dependencies are checked from source without function bodies, the named
// packages in full, with the target's int and pointer sizes (so a constant
// that overflows a 32-bit int fails on 386 and arm). A cold `go vet` for
// another target compiles the whole standard library first (about a
// minute of CPU each); this takes seconds, so CI can cover every target.
//
// Usage (from the module root): GOOS=darwin GOARCH=arm64 go run ./.ci/crosscheck ./tools/...
// The `go` on PATH (or $GO) lists the packages; use the Go whose release
// the code must build with.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// listed is what `go list -json` says about one package.
type listed struct {
	ImportPath   string
	Dir          string
	GoFiles      []string
	CgoFiles     []string
	TestGoFiles  []string
	XTestGoFiles []string
	ImportMap    map[string]string
	DepOnly      bool
	Error        *struct{ Err string }
}

type checker struct {
	fset  *token.FileSet
	pkgs  map[string]*listed
	done  map[string]*types.Package
	sizes types.Sizes
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "crosscheck:", err)
		os.Exit(1)
	}
}

func run(patterns []string) error {
	goos, goarch := envOr("GOOS", build.Default.GOOS), envOr("GOARCH", build.Default.GOARCH)
	sizes := types.SizesFor("gc", goarch)
	if sizes == nil {
		return fmt.Errorf("unknown GOARCH %q", goarch)
	}
	pkgs, err := list(patterns)
	if err != nil {
		return err
	}
	c := &checker{fset: token.NewFileSet(), pkgs: map[string]*listed{}, done: map[string]*types.Package{"unsafe": types.Unsafe}, sizes: sizes}
	var roots []string
	for _, p := range pkgs {
		c.pkgs[p.ImportPath] = p
		if !p.DepOnly {
			roots = append(roots, p.ImportPath)
		}
	}
	sort.Strings(roots)
	var failed []string
	for _, path := range roots {
		p := c.pkgs[path]
		if p.Error != nil {
			failed = append(failed, p.Error.Err)
			continue
		}
		if len(p.XTestGoFiles) > 0 {
			failed = append(failed, path+": external test packages (package x_test) are not supported")
		}
		// The package with its in-package tests, as `go vet` checks it.
		files := append(append([]string(nil), p.GoFiles...), p.TestGoFiles...)
		if _, err := c.check(p, files, false); err != nil {
			failed = append(failed, err.Error())
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s/%s:\n%s", goos, goarch, strings.Join(failed, "\n"))
	}
	fmt.Printf("%s/%s: %d packages and their tests type-check\n", goos, goarch, len(roots))
	return nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// list runs `go list -e -deps -test -json`; test variants ("p [p.test]")
// and test mains are dropped: a package's test files come from its own
// entry.
func list(patterns []string) ([]*listed, error) {
	goCmd := envOr("GO", "go")
	cmd := exec.Command(goCmd, append([]string{"list", "-e", "-deps", "-test", "-json"}, patterns...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var pkgs []*listed
	dec := json.NewDecoder(out)
	for {
		p := new(listed)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
		if strings.Contains(p.ImportPath, " ") || strings.HasSuffix(p.ImportPath, ".test") {
			continue
		}
		pkgs = append(pkgs, p)
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("go list: %v", err)
	}
	return pkgs, nil
}

// importer resolves one package's imports through its ImportMap (the
// standard library's vendored packages).
type importer struct {
	c    *checker
	from *listed
}

func (im importer) Import(path string) (*types.Package, error) {
	if m, ok := im.from.ImportMap[path]; ok {
		path = m
	}
	return im.c.dep(path)
}

// dep type-checks a dependency once, without function bodies.
func (c *checker) dep(path string) (*types.Package, error) {
	if t, ok := c.done[path]; ok {
		return t, nil
	}
	p, ok := c.pkgs[path]
	if !ok {
		return nil, fmt.Errorf("package %s is not in go list's output", path)
	}
	if p.Error != nil {
		return nil, errors.New(p.Error.Err)
	}
	t, err := c.check(p, p.GoFiles, true)
	if err != nil {
		return nil, err
	}
	c.done[path] = t
	return t, nil
}

func (c *checker) check(p *listed, names []string, depOnly bool) (*types.Package, error) {
	if len(p.CgoFiles) > 0 {
		return nil, fmt.Errorf("%s: cgo files (set CGO_ENABLED=0)", p.ImportPath)
	}
	mode := parser.SkipObjectResolution
	if !depOnly {
		mode |= parser.ParseComments
	}
	var files []*ast.File
	for _, n := range names {
		f, err := parser.ParseFile(c.fset, filepath.Join(p.Dir, n), nil, mode)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	var errs []string
	conf := types.Config{
		Importer:         importer{c, p},
		Sizes:            c.sizes,
		IgnoreFuncBodies: depOnly,
		Error: func(err error) {
			if len(errs) < 10 {
				errs = append(errs, err.Error())
			}
		},
	}
	t, _ := conf.Check(p.ImportPath, c.fset, files, nil)
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return t, nil
}
