"""vfat_image, squashfs_image and ext_image: filesystems built by fwtool, reproducibly.

Files come from any labels; every entry is sorted, owned by 0:0 and stamped
with one fixed time, so the same inputs always give the same bytes.
"""

load(":fs_entries.bzl", "check_mode", "device_entry", "file_entries")
load(":providers.bzl", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

_SQUASHFS_COMPRESSORS = ["gzip", "lzo", "xz", "lz4", "zstd", "none"]

def _run_fs(ctx, kind, entries, inputs, flags):
    manifest = ctx.actions.declare_file("%s.%s.json" % (ctx.label.name, kind))
    ctx.actions.write(manifest, json.encode({"entries": entries}))
    out = ctx.actions.declare_file(ctx.attr.out or "%s.%s" % (ctx.label.name, kind))
    args = ctx.actions.args()
    args.add(kind)
    args.add("--output", out)
    args.add("--manifest", manifest)
    args.add("--mtime", str(ctx.attr.mtime))
    args.add_all(flags)
    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = [manifest] + inputs,
        outputs = [out],
        mnemonic = kind.capitalize() + "Image",
        progress_message = "Writing %s image %s" % (kind, out.short_path),
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        firmware_image_info(file = out, kind = kind),
        OutputGroupInfo(manifest = depset([manifest])),
    ]

def _tree_entries(ctx):
    """The manifest entries of the files, modes, dirs, symlinks and devices attributes."""
    for path, mode in ctx.attr.modes.items():
        check_mode(ctx, "modes", path, mode)
    modes = {p.strip("/"): m for p, m in ctx.attr.modes.items()}
    entries, inputs = file_entries(ctx, modes)
    for d in ctx.attr.dirs:
        e = {"path": d.strip("/"), "type": "dir"}
        if d.strip("/") in modes:
            e["mode"] = modes[d.strip("/")]
        entries.append(e)
    for path, target in ctx.attr.symlinks.items():
        entries.append({"path": path.strip("/"), "type": "symlink", "target": target})
    for path, spec in ctx.attr.devices.items():
        entries.append(device_entry(ctx, path, spec))
    return entries, inputs

def _vfat_image_impl(ctx):
    if len(ctx.attr.volume_label) > 11:
        fail("%s: attribute 'volume_label': %r is longer than 11 characters" % (ctx.label, ctx.attr.volume_label))
    if ctx.attr.fat not in [0, 12, 16, 32]:
        fail("%s: attribute 'fat': %d is not 12, 16 or 32 (or 0 to choose from the size)" % (ctx.label, ctx.attr.fat))
    if not ctx.attr.image_size:
        fail("%s: attribute 'image_size' is required (e.g. \"64M\")" % ctx.label)
    entries, inputs = file_entries(ctx, {})
    for d in ctx.attr.dirs:
        entries.append({"path": d.strip("/"), "type": "dir"})
    flags = ["--size", ctx.attr.image_size]
    if ctx.attr.volume_label:
        flags += ["--label", ctx.attr.volume_label]
    if ctx.attr.fat:
        flags += ["--fat", str(ctx.attr.fat)]
    return _run_fs(ctx, "vfat", entries, inputs, flags)

vfat_image = rule(
    implementation = _vfat_image_impl,
    doc = "A FAT12/16/32 filesystem image (type chosen from the size as mkfs.fat does), with long names.",
    attrs = {
        "files": attr.label_keyed_string_dict(allow_files = True, doc = "Label -> path in the filesystem (a multi-file label: a directory)."),
        "dirs": attr.string_list(doc = "Empty directories to create."),
        "image_size": attr.string(doc = "Filesystem size: bytes, 0x hex, or with a K/M/G suffix."),
        "volume_label": attr.string(doc = "Volume label, up to 11 characters."),
        "fat": attr.int(default = 0, doc = "Force FAT12, 16 or 32."),
        "mtime": attr.int(default = 315532800, doc = "Timestamp of every entry (seconds; default 1980-01-01, FAT's epoch)."),
        "out": attr.string(doc = "Output file name; default <name>.vfat."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)

# The tree attributes squashfs_image and ext_image share (vfat_image has no
# modes, symlinks or devices: FAT cannot hold them).
_TREE_ATTRS = {
    "files": attr.label_keyed_string_dict(allow_files = True, doc = "Label -> path in the filesystem (a multi-file label: a directory)."),
    "modes": attr.string_dict(doc = "Path -> octal mode for files and dirs (default 0644 / 0755)."),
    "dirs": attr.string_list(doc = "Directories to create (e.g. proc, sys, dev)."),
    "symlinks": attr.string_dict(doc = "Path -> link target."),
    "devices": attr.string_dict(doc = "Path -> \"c|b:MAJOR:MINOR[:MODE]\" device node."),
}

def _squashfs_image_impl(ctx):
    if ctx.attr.compressor not in _SQUASHFS_COMPRESSORS:
        fail("%s: attribute 'compressor': unknown value %r (one of: %s)" % (ctx.label, ctx.attr.compressor, ", ".join(_SQUASHFS_COMPRESSORS)))
    entries, inputs = _tree_entries(ctx)
    flags = ["--comp", ctx.attr.compressor]
    if ctx.attr.block_size:
        flags += ["--block-size", ctx.attr.block_size]
    if ctx.attr.no_fragments:
        flags.append("--no-fragments")
    return _run_fs(ctx, "squashfs", entries, inputs, flags)

squashfs_image = rule(
    implementation = _squashfs_image_impl,
    doc = "A squashfs 4.0 image: files, directories, symlinks and device nodes, owned by 0:0.",
    attrs = dict(_TREE_ATTRS, **{
        "compressor": attr.string(default = "gzip", doc = "gzip, lzo, xz, lz4, zstd or none."),
        "block_size": attr.string(doc = "Data block size (default 128K)."),
        "no_fragments": attr.bool(doc = "Do not pack file tails into fragment blocks."),
        "mtime": attr.int(default = 0, doc = "Timestamp of every inode (seconds since 1970)."),
        "out": attr.string(doc = "Output file name; default <name>.squashfs."),
    }),
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)

_EXT_TYPES = ["ext2", "ext3", "ext4"]

def _ext_image_impl(ctx):
    if ctx.attr.fs_type not in _EXT_TYPES:
        fail("%s: attribute 'fs_type': unknown value %r (one of: %s)" % (ctx.label, ctx.attr.fs_type, ", ".join(_EXT_TYPES)))
    if not ctx.attr.image_size:
        fail("%s: attribute 'image_size' is required (e.g. \"64M\")" % ctx.label)
    if len(ctx.attr.volume_label) > 16:
        fail("%s: attribute 'volume_label': %r is longer than 16 bytes" % (ctx.label, ctx.attr.volume_label))
    entries, inputs = _tree_entries(ctx)
    flags = ["--type", ctx.attr.fs_type, "--size", ctx.attr.image_size, "--reserved-percent", str(ctx.attr.reserved_percent)]
    for flag, value in [("--label", ctx.attr.volume_label), ("--uuid", ctx.attr.uuid), ("--features", ",".join(ctx.attr.fs_features))]:
        if value:
            flags += [flag, value]
    if ctx.attr.inodes:
        flags += ["--inodes", str(ctx.attr.inodes)]
    if ctx.attr.block_size:
        flags += ["--block-size", str(ctx.attr.block_size)]
    return _run_fs(ctx, "ext", entries, inputs, flags)

ext_image = rule(
    implementation = _ext_image_impl,
    doc = """An ext2, ext3 or ext4 filesystem image, as mke2fs -d fills one but reproducibly: mke2fs's geometry for
the size and the type's features (less resize_inode), one timestamp, sorted entries, the UUID derived from the
contents unless given. Checked with e2fsck and debugfs. Output: <name>.ext (set `out` for another name).""",
    attrs = dict(_TREE_ATTRS, **{
        "fs_type": attr.string(default = "ext4", doc = "ext2, ext3 or ext4."),
        "image_size": attr.string(doc = "Filesystem size: bytes, or with a K/M/G suffix (required)."),
        "volume_label": attr.string(doc = "Volume label, up to 16 bytes."),
        "uuid": attr.string(doc = "Filesystem UUID; default derived from the contents."),
        "fs_features": attr.string_list(doc = "Feature changes in mke2fs -O form, e.g. [\"^has_journal\"]."),
        "inodes": attr.int(default = 0, doc = "Inode count (default from the size, as mke2fs)."),
        "block_size": attr.int(default = 0, doc = "1024, 2048 or 4096 (default from the size, as mke2fs)."),
        "reserved_percent": attr.int(default = 5, doc = "Blocks reserved for root, percent (mke2fs -m)."),
        "mtime": attr.int(default = 0, doc = "Timestamp of every inode and the superblock (seconds since 1970)."),
        "out": attr.string(doc = "Output file name; default <name>.ext."),
    }),
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
