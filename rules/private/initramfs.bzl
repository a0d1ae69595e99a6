"""initramfs and kernel_modules: what Linux unpacks into its first root.

initramfs writes a newc cpio archive (compressed the way Linux's initramfs
decompressors want: lz4 is the legacy LZ4 format, xz has a CRC32 check)
from any mix of

  * Bazel files placed by path (`files`, `modes`, `dirs`, `symlinks`,
    `devices`, `hardlinks`), as squashfs_image takes them;
  * directory outputs merged at the root (`trees`), e.g. a kernel_modules
    target, whose tree is lib/modules/<version>/...;
  * a file list in the kernel's usr/gen_init_cpio format (`cpio_list`, with
    the files its LOCATIONs name in `list_srcs`), written first and in the
    list's order, byte-identical with gen_init_cpio for the same list.

Every entry is owned by 0:0 (unless `owners` or the list says otherwise) and stamped
with `mtime`; tree entries are sorted, parents first; the same inputs always
give the same bytes. The result carries FirmwareImageInfo(kind = "ramdisk",
image_type = "ramdisk", os = "linux", compression = "none": U-Boot must hand
the bytes to the kernel untouched; the kernel decompresses them), so it can
go into a uimage, a fit_component or a vfat_image.

    initramfs(
        name = "initramfs",
        files = {":init": "init", "@deb//:busybox": "bin/busybox"},
        modes = {"init": "0755", "bin/busybox": "0755"},
        dirs = ["dev", "proc", "sys", "mnt/root"],
        symlinks = {"bin/sh": "busybox"},
        devices = {"dev/console": "c:5:1:0600"},
        trees = [":modules"],         # kernel_modules(...)
        compression = "gzip",
    )

kernel_modules takes a kernel package's module tree (its files, e.g. a
filegroup of lib/modules/<version>/**) and module names, resolves the
closure of each module's `depends=` (read from the .ko's .modinfo section)
and writes a directory lib/modules/<version>/ holding exactly those modules
at their package paths plus modules.dep, .alias, .softdep, .devname and the
dep/alias/symbols/builtin .bin indexes (as `depmod -b` writes them for that
set), modules.order, modules.builtin and modules.load (every module,
dependencies first, one path a line, for an init that loads them in order).

    kernel_modules(
        name = "modules",
        srcs = "@stm32mp157_dk2_binaries//:modules",   # the package's lib/modules/<version> files
        modules = ["armmmci", "squashfs"],
    )
"""

load(":fs_entries.bzl", "check_mode", "device_entry", "file_entries")
load(":labels.bzl", "label_text")
load(":providers.bzl", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

INITRAMFS_COMPRESSIONS = ["none", "gzip", "bzip2", "lzma", "xz", "lz4", "zstd"]

_SUFFIX = {"none": "", "gzip": ".gz", "bzip2": ".bz2", "lzma": ".lzma", "xz": ".xz", "lz4": ".lz4", "zstd": ".zst"}

KernelModulesInfo = provider(
    doc = "Kernel modules staged by kernel_modules.",
    fields = {
        "tree": "File (directory): holds lib/modules/<version>/...",
        "version": "string: the kernel version directory name, or '' when it is taken from the modules' vermagic at build time.",
        "modules": "list of string: the module names asked for (the closure is in the tree's modules.load).",
    },
)

def _check_path(ctx, attr, path):
    if not path.strip("/") or ".." in path.split("/"):
        fail("%s: attribute '%s': path %r is empty or has '..'" % (ctx.label, attr, path))

def _tree_manifest(ctx):
    """Manifest entries (fstree JSON) and input files for the path attributes."""
    for path, mode in ctx.attr.modes.items():
        check_mode(ctx, "modes", path, mode)
    modes = {p.strip("/"): m for p, m in ctx.attr.modes.items()}
    for dest in ctx.attr.files.values():
        _check_path(ctx, "files", dest)
    entries, inputs = file_entries(ctx, modes)
    for d in ctx.attr.dirs:
        _check_path(ctx, "dirs", d)
        e = {"path": d.strip("/"), "type": "dir"}
        if d.strip("/") in modes:
            e["mode"] = modes[d.strip("/")]
        entries.append(e)
    for path, target in ctx.attr.symlinks.items():
        _check_path(ctx, "symlinks", path)
        if not target:
            fail("%s: attribute 'symlinks': '%s' has an empty target" % (ctx.label, path))
        entries.append({"path": path.strip("/"), "type": "symlink", "target": target})
    for path, spec in ctx.attr.devices.items():
        _check_path(ctx, "devices", path)
        entries.append(device_entry(ctx, path, spec))
    used = {e["path"]: True for e in entries if e["type"] in ["file", "dir"]}
    tree_modes = {}
    for path, mode in modes.items():
        if path in used:
            continue
        if not ctx.attr.trees:
            fail("%s: attribute 'modes': '%s' is not a path given in 'files' or 'dirs'" % (ctx.label, path))
        tree_modes[path] = mode  # a file of a tree: fwtool checks it is there
    owners = {}
    for path, owner in ctx.attr.owners.items():
        uid, sep, gid = owner.partition(":")
        if not sep or not uid.isdigit() or not gid.isdigit():
            fail("%s: attribute 'owners': %r for '%s' is not UID:GID (numbers)" % (ctx.label, owner, path))
        owners[path.strip("/")] = (int(uid), int(gid))
    for e in entries:
        if e["path"] in owners:
            e["uid"], e["gid"] = owners.pop(e["path"])
    if owners:
        fail("%s: attribute 'owners': '%s' is not a path given in 'files', 'dirs', 'symlinks' or 'devices'" % (ctx.label, sorted(owners.keys())[0]))
    return entries, inputs, tree_modes

def _list_args(ctx, args):
    """--list/--map flags for cpio_list; returns the input files."""
    if not ctx.file.cpio_list:
        if ctx.files.list_srcs:
            fail("%s: attribute 'list_srcs' needs 'cpio_list'" % ctx.label)
        return []
    lst = ctx.file.cpio_list
    base = lst.short_path.rpartition("/")[0]
    args.add("--list", lst)
    args.add("--map-only")
    seen = {}
    for f in ctx.files.list_srcs:
        keys = [f.short_path]
        if base and f.short_path.startswith(base + "/"):
            keys.append(f.short_path[len(base) + 1:])
        elif not base:
            keys.append(f.short_path)
        for k in keys:
            if k in seen:
                continue
            seen[k] = True
            args.add("--map", "%s=%s" % (k, f.path))
    return [lst] + ctx.files.list_srcs

def _initramfs_impl(ctx):
    comp = ctx.attr.compression
    if comp not in INITRAMFS_COMPRESSIONS:
        fail("%s: attribute 'compression': unknown value %r (one of: %s)" % (ctx.label, comp, ", ".join(INITRAMFS_COMPRESSIONS)))
    if ctx.attr.mtime < 0:
        fail("%s: attribute 'mtime': %d is negative" % (ctx.label, ctx.attr.mtime))
    out = ctx.actions.declare_file(ctx.attr.out or "%s.cpio%s" % (ctx.label.name, _SUFFIX[comp]))
    args = ctx.actions.args()
    args.add("cpio")
    args.add("--output", out)
    args.add("--compress", comp)
    args.add("--mtime", str(ctx.attr.mtime))
    inputs = _list_args(ctx, args)
    entries, files, tree_modes = _tree_manifest(ctx)
    for path, mode in sorted(tree_modes.items()):
        args.add("--mode", "%s=%s" % (path, mode))
    inputs += files
    manifest = ctx.actions.declare_file("%s.cpio.json" % ctx.label.name)
    ctx.actions.write(manifest, json.encode({"entries": entries}))
    args.add("--manifest", manifest)
    inputs.append(manifest)
    for path, existing in ctx.attr.hardlinks.items():
        _check_path(ctx, "hardlinks", path)
        args.add("--hardlink", "%s=%s" % (path.strip("/"), existing.strip("/")))
    for t in ctx.attr.trees:
        dirs = [f for f in t[DefaultInfo].files.to_list()]
        if KernelModulesInfo in t:
            dirs = [t[KernelModulesInfo].tree]
        for d in dirs:
            if not d.is_directory:
                fail("%s: attribute 'trees': %s gives %s, which is not a directory output (put plain files in 'files')" % (ctx.label, label_text(t.label), d.short_path))
            args.add("--tree", "=" + d.path)
            inputs.append(d)
    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = inputs,
        outputs = [out],
        mnemonic = "Initramfs",
        progress_message = "Writing initramfs %s" % out.short_path,
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        firmware_image_info(
            file = out,
            kind = "ramdisk",
            os = "linux",
            image_type = "ramdisk",
            metadata = {"cpio_compression": comp},
        ),
        OutputGroupInfo(manifest = depset([manifest])),
    ]

initramfs = rule(
    implementation = _initramfs_impl,
    doc = "A newc cpio archive for Linux's initramfs (see the module doc).",
    attrs = {
        "files": attr.label_keyed_string_dict(allow_files = True, doc = "Label -> path in the archive (a multi-file label: a directory holding each file by basename)."),
        "modes": attr.string_dict(doc = "Path -> octal mode for entries of 'files' and 'dirs', or files of 'trees' (default 0644 / 0755; tree files are 0644 whatever their mode in Bazel, which marks every output executable)."),
        "dirs": attr.string_list(doc = "Directories to create (e.g. dev, proc, sys, mnt/root)."),
        "symlinks": attr.string_dict(doc = "Path -> link target (stored verbatim)."),
        "devices": attr.string_dict(doc = "Path -> \"c|b:MAJOR:MINOR[:MODE]\" device node (mode default 0600)."),
        "owners": attr.string_dict(doc = "Path -> \"UID:GID\" for entries of 'files', 'dirs', 'symlinks' and 'devices' (default 0:0)."),
        "hardlinks": attr.string_dict(doc = "Path -> path of a regular file in the archive it is another name for."),
        "trees": attr.label_list(allow_files = True, doc = "Directory outputs (e.g. kernel_modules targets) whose contents go at the archive root: files 0644 (see 'modes'), directories 0755; symlinks in them are followed."),
        "cpio_list": attr.label(allow_single_file = True, doc = "A usr/gen_init_cpio file list; its entries come first, in its order."),
        "list_srcs": attr.label_list(allow_files = True, doc = "Files the list's LOCATIONs name, by path relative to the list's directory or by workspace-relative path (short_path). ${VAR} is not expanded."),
        "compression": attr.string(default = "gzip", doc = "none, gzip, bzip2, lzma, xz (CRC32), lz4 (legacy format) or zstd: what the kernel must be configured to decompress."),
        "mtime": attr.int(default = 0, doc = "Timestamp of every entry (seconds since 1970)."),
        "out": attr.string(doc = "Output file name; default <name>.cpio plus .gz/.xz/.lz4/.zst/.bz2/.lzma."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)

def _module_dir(ctx, files):
    """The lib/modules/<version> directory the module files live in."""
    if len(files) == 1 and not files[0].path.endswith(".ko"):
        return files[0].path
    for f in files:
        head, sep, tail = f.path.partition("/lib/modules/")
        if sep and "/" in tail:
            return head + sep + tail.partition("/")[0]
        if f.path.startswith("lib/modules/") and f.path.count("/") > 2:
            return "lib/modules/" + f.path.split("/")[2]
    fail("%s: attribute 'srcs': give the package's lib/modules/<version> directory, or files below it (none of the %d files is under lib/modules/<version>/)" % (ctx.label, len(files)))

def _kernel_modules_impl(ctx):
    if not ctx.attr.modules:
        fail("%s: attribute 'modules' is empty: name at least one module (e.g. \"squashfs\")" % ctx.label)
    for m in ctx.attr.modules:
        if not m or "/" in m or m.endswith(".ko") or " " in m:
            fail("%s: attribute 'modules': %r is not a module name (give \"mmci\", not a path or file name)" % (ctx.label, m))
    if ctx.attr.version and ("/" in ctx.attr.version or ctx.attr.version in [".", ".."]):
        fail("%s: attribute 'version': %r is not a directory name" % (ctx.label, ctx.attr.version))
    files = ctx.files.srcs
    if not files:
        fail("%s: attribute 'srcs' gives no files" % ctx.label)
    moddir = _module_dir(ctx, files)
    out = ctx.actions.declare_directory(ctx.label.name)
    args = ctx.actions.args()
    args.add("kmod")
    args.add("--moddir", moddir)
    args.add("--output", out.path)
    if ctx.attr.version:
        args.add("--version", ctx.attr.version)
    args.add_all(ctx.attr.modules)
    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = files,
        outputs = [out],
        mnemonic = "KernelModules",
        progress_message = "Staging kernel modules %s" % ctx.label,
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        KernelModulesInfo(tree = out, version = ctx.attr.version, modules = ctx.attr.modules),
    ]

kernel_modules = rule(
    implementation = _kernel_modules_impl,
    doc = "Kernel modules and their depends= closure, staged as lib/modules/<version>/ with a depmod-equal modules.dep (see the module doc). Goes into initramfs(trees = [...]).",
    attrs = {
        "srcs": attr.label_list(allow_files = True, mandatory = True, doc = "The kernel package's module tree: its lib/modules/<version> directory, or the files below it (modules.order and modules.builtin are used when present). Bazel does not look inside a source directory for changes; give files (a glob) where the tree changes under the same path."),
        "modules": attr.string_list(mandatory = True, doc = "Module names (as modprobe takes them; '-' and '_' are the same). Their dependencies come along."),
        "version": attr.string(doc = "Kernel version directory to write (default: the first word of the modules' vermagic, e.g. 6.1.0-50-armmp)."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
