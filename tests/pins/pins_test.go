// Package pins checks that the Go module pins Bazel fetches
// (rules/repositories.bzl) are the versions and sums go.mod and go.sum
// record, so `go build` and `bazel build` compile the same code.
package pins

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// repoFile finds a file of the repository both under `go test` (run in this
// directory) and under `bazel test` (data dependency in the runfiles).
func repoFile(t *testing.T, name string) string {
	t.Helper()
	for _, p := range []string{filepath.Join("..", "..", name), name} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("cannot find %s", name)
	return ""
}

func read(t *testing.T, name string) string {
	b, err := os.ReadFile(repoFile(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var pinRE = regexp.MustCompile(`\("([^"]+)", "([^"]+)", "(h1:[^"]+)",`)

func TestPinsMatchGoModAndGoSum(t *testing.T) {
	pins := map[string]string{}
	for _, m := range pinRE.FindAllStringSubmatch(read(t, "rules/repositories.bzl"), -1) {
		pins[m[1]] = m[2] + " " + m[3]
	}
	if len(pins) == 0 {
		t.Fatal("no pins found in rules/repositories.bzl")
	}

	required := map[string]string{}
	inBlock := false
	for _, line := range strings.Split(read(t, "go.mod"), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "require (":
			inBlock = true
		case line == ")":
			inBlock = false
		case inBlock || strings.HasPrefix(line, "require "):
			f := strings.Fields(strings.TrimPrefix(line, "require "))
			if len(f) >= 2 {
				required[f[0]] = f[1]
			}
		}
	}
	sums := map[string]string{}
	for _, line := range strings.Split(read(t, "go.sum"), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && !strings.HasSuffix(f[1], "/go.mod") {
			sums[f[0]+" "+f[1]] = f[2]
		}
	}
	want := map[string]string{}
	for mod, ver := range required {
		want[mod] = ver + " " + sums[mod+" "+ver]
	}
	if diff := cmp.Diff(want, pins); diff != "" {
		t.Errorf("rules/repositories.bzl GO_MODULES differ from go.mod/go.sum (-go.mod +bzl):\n%s", diff)
	}
}
