"""go_module: a Go module as a Bazel repository, fetched with `go mod download`.

Why not gazelle's go_repository: it builds its helper in GOPATH mode and
fetches that helper's dependencies over plain HTTP, which fails where only a
Go module proxy is reachable. `go mod download` goes through whatever proxy
the user's Go is configured for, and checks the module against the pinned
h1: sum before a single file is used.

BUILD files are generated one per package directory: a go_library named for
the last element of the import path (a major-version suffix such as /v4 is
skipped, as gazelle does), with deps read from the import blocks of the
non-test .go files. Imports inside the module become local labels; imports of
other modules become labels in their go_module repositories.
"""

def go_repository_name(importpath):
    """Maps an import path to a repository name the way gazelle does.

    Args:
      importpath: a Go module or package path, e.g. github.com/pierrec/lz4/v4.

    Returns:
      The repository name, e.g. com_github_pierrec_lz4_v4.
    """
    parts = importpath.split("/")
    host = parts[0].split(".")
    host = [h for h in reversed(host)]
    name = "_".join(host + parts[1:])
    for c in [".", "-", "~"]:
        name = name.replace(c, "_")
    return name.lower()

def _is_major_suffix(elem):
    return len(elem) > 1 and elem[0] == "v" and elem[1:].isdigit()

def _target_name(importpath):
    elems = importpath.split("/")
    last = elems[-1]
    if _is_major_suffix(last) and len(elems) > 1:
        last = elems[-2]
    return last.replace(".", "_").replace("-", "_")

def _parse_imports(content):
    """Returns the import paths of one Go file (stops at the first declaration)."""
    imports = []
    in_block = False
    for raw in content.split("\n"):
        line = raw.strip()
        if in_block:
            if line.startswith(")"):
                in_block = False
                continue
            q = line.find("\"")
            if q >= 0:
                imports.append(line[q + 1:line.find("\"", q + 1)])
            continue
        if line.startswith("import ("):
            in_block = True
        elif line.startswith("import "):
            q = line.find("\"")
            if q >= 0:
                imports.append(line[q + 1:line.find("\"", q + 1)])
        elif line.startswith("func ") or line.startswith("type ") or line.startswith("var ") or line.startswith("const "):
            break
    return imports

def _excluded_file(content):
    # Files only for `go generate` and friends: rules_go would drop them by
    # build constraint, but their imports must not become deps.
    for line in content.split("\n"):
        line = line.strip()
        if line.startswith("package "):
            break
        if line.startswith("//"):
            words = line[2:].strip().split(" ")
            if words[0] in ["go:build", "+build"] and "ignore" in words:
                return True
    return False

def _walk(ctx, root):
    """Lists every file under root as paths relative to it.

    Uses find(1): Bazel 4's path objects cannot tell files from directories.
    """
    res = ctx.execute(["find", ".", "-type", "f"], working_directory = root, quiet = True)
    if res.return_code != 0:
        fail("go_module %s: cannot list %s: %s" % (ctx.name, root, res.stderr))
    files = []
    for line in sorted(res.stdout.splitlines()):
        rel = line[2:] if line.startswith("./") else line
        parts = rel.split("/")
        if [p for p in parts[:-1] if p == "testdata" or p.startswith(".") or p.startswith("_")]:
            continue
        files.append(rel)
    return files

def _go_module_impl(ctx):
    # WORKSPACE names the SDK @go_sdk; under Bzlmod the module extension
    # passes the ROOT of rules_go's host-compatible SDK.
    sdk_root = ctx.attr.go_sdk_root or Label("@go_sdk//:ROOT")
    go = ctx.path(sdk_root).dirname.get_child("bin").get_child("go")
    env = {"GOFLAGS": "-mod=mod", "GO111MODULE": "on", "GOTOOLCHAIN": "local"}
    res = ctx.execute(
        [go, "mod", "download", "-json", ctx.attr.path + "@" + ctx.attr.version],
        environment = env,
        quiet = True,
    )
    if res.return_code != 0:
        fail("go_module %s: `go mod download %s@%s` failed:\n%s%s" % (ctx.name, ctx.attr.path, ctx.attr.version, res.stdout, res.stderr))
    info = json.decode(res.stdout) if hasattr(json, "decode") else _decode_download_json(res.stdout)
    if info.get("Error"):
        fail("go_module %s: %s" % (ctx.name, info["Error"]))
    if info["Sum"] != ctx.attr.sum:
        fail("go_module %s: %s@%s has sum %s, but %s is pinned" % (ctx.name, ctx.attr.path, ctx.attr.version, info["Sum"], ctx.attr.sum))
    moddir = info["Dir"]

    by_dir = {}
    files = _walk(ctx, moddir)
    for rel in files:
        ctx.symlink(moddir + "/" + rel, rel)
        if not rel.endswith(".go") or rel.endswith("_test.go"):
            continue
        d = rel.rpartition("/")[0]
        by_dir.setdefault(d, []).append(rel)

    for d, gofiles in by_dir.items():
        srcs = []
        deps = {}
        unpinned = []
        is_main = False
        for rel in gofiles:
            content = ctx.read(moddir + "/" + rel)
            if _excluded_file(content):
                continue
            if "\npackage main" in content or content.startswith("package main"):
                is_main = True
            srcs.append(rel.rpartition("/")[2])
            for imp in _parse_imports(content):
                label = _dep_label(ctx, imp)
                if label == _UNPINNED:
                    unpinned.append(imp)
                elif label:
                    deps[label] = True
        if is_main or not srcs:
            continue
        if unpinned:
            # Typically a benchmark or tool package of the module; no target,
            # so depending on it fails naming the package.
            ctx.file((d + "/" if d else "") + "BUILD.bazel", "# Not buildable here: imports modules that are not pinned: %s\n" % ", ".join(sorted(unpinned)))
            continue
        importpath = ctx.attr.path + ("/" + d if d else "")
        others = [f.rpartition("/")[2] for f in files if f.rpartition("/")[0] == d and (f.endswith(".s") or f.endswith(".h"))]
        ctx.file(
            (d + "/" if d else "") + "BUILD.bazel",
            _BUILD_TEMPLATE.format(
                name = _target_name(importpath),
                srcs = repr(sorted(srcs + others)),
                importpath = importpath,
                deps = repr(sorted(deps.keys())),
            ),
        )
    ctx.file("WORKSPACE", "workspace(name = %r)\n" % ctx.name)

def _decode_download_json(text):
    # Bazel before 4.? has no json module; `go mod download -json` prints flat
    # string fields one per line, which is all we read.
    out = {}
    for line in text.split("\n"):
        line = line.strip().rstrip(",")
        if not line.startswith("\""):
            continue
        k, _, v = line.partition(": ")
        out[k.strip("\"")] = v.strip("\"")
    return out

def _dep_label(ctx, imp):
    first = imp.split("/")[0]
    if "." not in first:
        return None  # standard library
    if imp == ctx.attr.path or imp.startswith(ctx.attr.path + "/"):
        rel = imp[len(ctx.attr.path) + 1:] if imp != ctx.attr.path else ""
        return "//%s:%s" % (rel, _target_name(imp))
    for mod in ctx.attr.module_deps:
        if imp == mod or imp.startswith(mod + "/"):
            rel = imp[len(mod) + 1:] if imp != mod else ""
            return "@%s//%s:%s" % (go_repository_name(mod), rel, _target_name(imp))
    return _UNPINNED

_UNPINNED = "unpinned"

_BUILD_TEMPLATE = """\
# Generated by rules_firmware's go_module rule.
load("@io_bazel_rules_go//go:def.bzl", "go_library")

go_library(
    name = "{name}",
    srcs = {srcs},
    importpath = "{importpath}",
    visibility = ["//visibility:public"],
    deps = {deps},
)
"""

go_module = repository_rule(
    implementation = _go_module_impl,
    doc = "A Go module fetched with `go mod download`, checked against a pinned h1: sum.",
    attrs = {
        "path": attr.string(mandatory = True, doc = "Module path, e.g. github.com/pierrec/lz4/v4."),
        "version": attr.string(mandatory = True),
        "sum": attr.string(mandatory = True, doc = "The module's h1: sum, as in go.sum."),
        "module_deps": attr.string_list(doc = "Paths of other pinned modules this one imports."),
        "go_sdk_root": attr.label(doc = "ROOT file of the Go SDK whose go runs `go mod download` (default @go_sdk//:ROOT)."),
    },
    environ = ["GOPROXY", "GOPRIVATE", "GONOSUMDB", "GOFLAGS", "GOMODCACHE"],
)
