package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const privateBzl = `
_COMMON = {
    "offset": attr.string(doc = "Where it starts."),
    "size": attr.string(doc = "How long."),
}
_EXTRA = {"align": attr.int(default = 4, doc = "Alignment.")}
Info = provider(doc = "What it " + "carries.", fields = {"file": "The file."})
def helper(x):
    """Does a thing."""
    return x
blob = rule(
    implementation = _impl,
    doc = "A blob.",
    attrs = dict([(k, v) for k, v in _COMMON.items() if k != "size"], **dict(_EXTRA, **{
        "src": attr.label(mandatory = True, doc = "The data."),
        "_tool": attr.label(default = "//x"),
    })),
)
`

func TestGenerate(t *testing.T) {
	root := writeTree(t, map[string]string{
		"rules/defs.bzl": "\"\"\"The API.\"\"\"\n" +
			"load(\"//rules/private:p.bzl\", _Info = \"Info\", _blob = \"blob\", _helper = \"helper\")\n" +
			"Info = _Info\nblob = _blob\nhelper = _helper\n",
		"rules/private/p.bzl": privateBzl,
	})
	out, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(out)
	for _, want := range []string{
		"### blob\n\nA blob.",
		"| `src` | label | **mandatory** | The data. |",
		"| `align` | int | `4` | Alignment. |",
		"| `offset` | string | `\"\"` | Where it starts. |",
		"### helper\n\nDoes a thing.",
		"### Info\n\nWhat it carries.",
		"| `file` | The file. |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("missing %q in:\n%s", want, doc)
		}
	}
	for _, unwanted := range []string{"`size`", "_tool"} {
		if strings.Contains(doc, unwanted) {
			t.Errorf("%s should not be documented:\n%s", unwanted, doc)
		}
	}
}

func TestUndocumentedAttributeFails(t *testing.T) {
	root := writeTree(t, map[string]string{
		"rules/defs.bzl":      "load(\"//rules/private:p.bzl\", _blob = \"blob\")\nblob = _blob\n",
		"rules/private/p.bzl": "blob = rule(implementation = _i, doc = \"d\", attrs = {\"x\": attr.string()})\n",
	})
	_, err := generate(root)
	if err == nil || !strings.Contains(err.Error(), "rules/private/p.bzl: blob.x") {
		t.Fatalf("got %v, want an error naming rules/private/p.bzl: blob.x", err)
	}
}

// The committed page must be what the generator writes today.
func TestRepositoryDocsFresh(t *testing.T) {
	root := filepath.Join("..", "..")
	want, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatal("docs/rules.md is stale; regenerate: (cd tools/docgen && go run . -root ../.. -o ../../docs/rules.md)")
	}
}
