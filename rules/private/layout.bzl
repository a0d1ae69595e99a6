"""firmware_image and layout entries: binman-class image packing.

Entries are targets carrying LayoutEntryInfo (layout_blob, layout_fill,
layout_text, layout_section, layout_fdtmap, layout_image_header); a
firmware_image packs them with binman's semantics through `fwtool build`
(manifest format: tools/layout/MANIFEST.md). Any file or image rule of
ours can also be listed directly as an entry: it becomes a blob named
after the target.

Outputs: the image (default output), binman's .map file and an SVG picture
of the layout, in output groups "layout_map", "layout_svg" and "layout".
"""

load("@bazel_skylib//rules:common_settings.bzl", "BuildSettingInfo")
load(":labels.bzl", "label_text")
load(":providers.bzl", "FirmwareImageInfo", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

LayoutEntryInfo = provider(
    doc = "One entry of a firmware_image or layout_section.",
    fields = {
        "node": "dict: the entry's manifest node (tools/layout/MANIFEST.md), input paths as exec paths.",
        "files": "depset of File: inputs the node names (blobs, nested entries' blobs).",
    },
)

LAYOUT_COMPRESSIONS = ["none", "lz4", "gzip", "lzma", "xz", "zstd", "bzip2"]
LAYOUT_HASHES = ["", "sha256", "sha1", "sha512", "crc32"]

# Integer properties of every entry: strings so hex works and values above
# 2^31 (end-at-4gb offsets) survive Starlark's 32-bit ints.
# Bazel reserves "size" (test size), so the attribute is entry_size
# (image_size on firmware_image); the manifest field is "size".
_NUM_ATTRS = ["offset", "size", "min_size", "align", "align_size", "align_end", "pad_before", "pad_after"]
_BOOL_ATTRS = ["extend_size", "overlap", "optional"]

def _num_ok(v):
    if v.lower().startswith("0x"):
        return len(v) > 2 and not [c for c in v[2:].lower().elems() if c not in "0123456789abcdef"]
    return v.isdigit()

def _is_pow2(v):
    n = int(v, 16) if v.lower().startswith("0x") else int(v)
    return n == 0 or (n & (n - 1)) == 0

def _check_num(ctx, attr, value):
    if value and not _num_ok(value):
        fail("%s: attribute '%s': %r is not a number (decimal or 0x hex)" % (ctx.label, attr, value))

def _attr_name(ctx, field):
    if field != "size":
        return field
    return "image_size" if hasattr(ctx.attr, "image_size") else "entry_size"

def _size(ctx):
    return getattr(ctx.attr, _attr_name(ctx, "size"))

def _common_node(ctx, etype):
    """The manifest node fields every entry kind shares."""
    node = {"name": ctx.attr.entry_name or ctx.label.name, "type": etype, "label": label_text(ctx.label)}
    for a in _NUM_ATTRS:
        v = getattr(ctx.attr, _attr_name(ctx, a))
        _check_num(ctx, _attr_name(ctx, a), v)
        if v:
            node[a] = v
    for a in ["align", "align_size", "align_end"]:
        v = getattr(ctx.attr, a)
        if v and not _is_pow2(v):
            fail("%s: attribute '%s': %s must be a power of two" % (ctx.label, a, v))
    for a in _BOOL_ATTRS:
        if getattr(ctx.attr, a):
            node[a] = True
    if ctx.attr.compress not in LAYOUT_COMPRESSIONS:
        fail("%s: attribute 'compress': unknown value %r (one of: %s)" % (ctx.label, ctx.attr.compress, ", ".join(LAYOUT_COMPRESSIONS)))
    if ctx.attr.compress != "none":
        node["compress"] = ctx.attr.compress
    if ctx.attr.hash not in LAYOUT_HASHES:
        fail("%s: attribute 'hash': unknown value %r (one of: %s)" % (ctx.label, ctx.attr.hash, ", ".join(LAYOUT_HASHES[1:])))
    if ctx.attr.hash:
        node["hash"] = ctx.attr.hash
    if ctx.attr.overlap and not (ctx.attr.offset and _size(ctx)):
        fail("%s: an 'overlap' entry needs 'offset' and 'entry_size'" % ctx.label)
    return node

_COMMON_ATTRS = {
    "entry_name": attr.string(doc = "Entry (node) name; defaults to the target name."),
    "offset": attr.string(doc = "Offset in the parent section; default: after the previous entry."),
    "entry_size": attr.string(doc = "Entry size (binman's size); default: from contents and padding."),
    "min_size": attr.string(doc = "Minimum size."),
    "align": attr.string(doc = "Alignment of the offset (power of two)."),
    "align_size": attr.string(doc = "Alignment of the size (power of two)."),
    "align_end": attr.string(doc = "Alignment of the end (power of two)."),
    "pad_before": attr.string(doc = "Bytes of the parent's pad byte before the contents."),
    "pad_after": attr.string(doc = "Bytes of the parent's pad byte after the contents."),
    "extend_size": attr.bool(doc = "Grow to the next entry or the section end."),
    "overlap": attr.bool(doc = "Written over earlier entries; needs offset and size."),
    "optional": attr.bool(doc = "Dropped when its (external) file is missing."),
    "compress": attr.string(default = "none", doc = "none, lz4, gzip, lzma, xz, zstd or bzip2."),
    "hash": attr.string(doc = "sha256 (binman's), sha1, sha512 or crc32: digest recorded in the fdtmap."),
}

def _file_of(ctx, target, attr):
    if FirmwareImageInfo in target:
        return target[FirmwareImageInfo].file
    files = target[DefaultInfo].files.to_list()
    if len(files) != 1:
        fail("%s: attribute '%s': %s gives %d files, want exactly one" % (ctx.label, attr, target.label, len(files)))
    return files[0]

def _layout_blob_impl(ctx):
    node = _common_node(ctx, "blob")
    _check_num(ctx, "assume_size", ctx.attr.assume_size)
    files = []
    if ctx.attr.src:
        f = _file_of(ctx, ctx.attr.src, "src")
        node["path"] = f.path
        files.append(f)
    elif ctx.attr.external_path:
        node["path"] = ctx.attr.external_path
    else:
        fail("%s: give 'src' (a file or image target) or 'external_path'" % ctx.label)
    if ctx.attr.external_path or ctx.attr.external:
        node["external"] = True
    if ctx.attr.missing_msg:
        node["missing_msg"] = ctx.attr.missing_msg
    if ctx.attr.assume_size:
        node["assume_size"] = ctx.attr.assume_size
    if ctx.attr.elf:
        # binman_sym: patch this entry's _binman_<entry>_prop_<field> symbols.
        elf = _file_of(ctx, ctx.attr.elf, "elf")
        symbols = {"elf": elf.path}
        if ctx.attr.base_symbol:
            symbols["base_symbol"] = ctx.attr.base_symbol
        if ctx.attr.symbols_base:
            _check_num(ctx, "symbols_base", ctx.attr.symbols_base)
            symbols["symbols_base"] = ctx.attr.symbols_base
        node["symbols"] = symbols
        files.append(elf)
    elif ctx.attr.base_symbol or ctx.attr.symbols_base:
        fail("%s: attributes 'base_symbol'/'symbols_base' need 'elf'" % ctx.label)
    return [LayoutEntryInfo(node = node, files = depset(files))]

layout_blob = rule(
    implementation = _layout_blob_impl,
    doc = "A blob entry: the bytes of a file or of any image rule of ours (binman's blob / blob-ext).",
    attrs = dict(_COMMON_ATTRS, **{
        "src": attr.label(allow_files = True, doc = "The file or image target."),
        "external": attr.bool(doc = "An external blob (binman blob-ext): may be missing with --@rules_firmware//rules:allow_missing."),
        "external_path": attr.string(doc = "Path of an external blob outside Bazel (not an input); implies external."),
        "missing_msg": attr.string(doc = "Shown when the external blob is missing."),
        "assume_size": attr.string(doc = "Size of the zero contents used when the external blob is missing."),
        "elf": attr.label(allow_files = True, doc = "The ELF the blob was made from (e.g. u-boot-spl for u-boot-spl.bin): its _binman_<entry>_prop_<offset|image_pos|size> symbols are patched with the packed values, as binman does."),
        "base_symbol": attr.string(doc = "Symbol whose address image_pos values are relative to; default __image_copy_start."),
        "symbols_base": attr.string(doc = "Base address to use instead of a base symbol."),
    }),
)

def _layout_fill_impl(ctx):
    node = _common_node(ctx, "fill")
    if not _size(ctx):
        fail("%s: a fill entry needs 'entry_size'" % ctx.label)
    if ctx.attr.fill_byte < 0 or ctx.attr.fill_byte > 255:
        fail("%s: attribute 'fill_byte': %d is not a byte" % (ctx.label, ctx.attr.fill_byte))
    node["fill_byte"] = ctx.attr.fill_byte
    return [LayoutEntryInfo(node = node, files = depset())]

layout_fill = rule(
    implementation = _layout_fill_impl,
    doc = "A run of one byte (binman's fill).",
    attrs = dict(_COMMON_ATTRS, **{"fill_byte": attr.int(default = 0, doc = "The byte, 0-255.")}),
)

def _layout_text_impl(ctx):
    node = _common_node(ctx, "text")
    if not ctx.attr.text:
        fail("%s: attribute 'text' is empty" % ctx.label)
    node["text"] = ctx.attr.text
    return [LayoutEntryInfo(node = node, files = depset())]

layout_text = rule(
    implementation = _layout_text_impl,
    doc = "A string without terminating NUL, zero-padded to 'entry_size' if given (binman's text).",
    attrs = dict(_COMMON_ATTRS, **{"text": attr.string(mandatory = True, doc = "The text, written as UTF-8 bytes (binman's text entry).")}),
)

def _entries_of(ctx):
    nodes = []
    files = []
    seen = {}
    for t in ctx.attr.entries:
        if LayoutEntryInfo in t:
            node = t[LayoutEntryInfo].node
            files.append(t[LayoutEntryInfo].files)
        else:
            f = _file_of(ctx, t, "entries")
            node = {"name": t.label.name, "type": "blob", "path": f.path, "label": str(t.label)}
            files.append(depset([f]))
        if node["name"] in seen:
            fail("%s: attribute 'entries': two entries named '%s'" % (ctx.label, node["name"]))
        seen[node["name"]] = True
        nodes.append(node)
    return nodes, files

def _section_node(ctx, etype):
    node = _common_node(ctx, etype)
    nodes, files = _entries_of(ctx)
    node["entries"] = nodes
    for a in ["skip_at_start", "align_default"]:
        v = getattr(ctx.attr, a)
        _check_num(ctx, a, v)
        if v:
            node[a] = v
    if ctx.attr.pad_byte < 0 or ctx.attr.pad_byte > 255:
        fail("%s: attribute 'pad_byte': %d is not a byte" % (ctx.label, ctx.attr.pad_byte))
    if ctx.attr.pad_byte:
        node["pad_byte"] = ctx.attr.pad_byte
    if ctx.attr.end_at_4gb:
        if not _size(ctx):
            fail("%s: 'end_at_4gb' needs a size" % ctx.label)
        if ctx.attr.skip_at_start:
            fail("%s: give either 'end_at_4gb' or 'skip_at_start'" % ctx.label)
        node["end_at_4gb"] = True
    for a in ["sort_by_offset", "read_only"]:
        if getattr(ctx.attr, a):
            node[a] = True
    if ctx.attr.name_prefix:
        node["name_prefix"] = ctx.attr.name_prefix
    return node, depset(transitive = files)

_SECTION_ATTRS = {
    "entries": attr.label_list(allow_files = True, doc = "Entries in order: layout_* targets, files or image targets (blobs)."),
    "pad_byte": attr.int(default = 0, doc = "Byte for gaps and the section's tail."),
    "sort_by_offset": attr.bool(doc = "Sort entries by offset after packing."),
    "skip_at_start": attr.string(doc = "Offset of the section's first byte (not written)."),
    "end_at_4gb": attr.bool(doc = "Place the section to end at 4 GiB (needs size)."),
    "align_default": attr.string(doc = "Default 'align' of direct children."),
    "name_prefix": attr.string(doc = "Prefix added to child entry names."),
    "read_only": attr.bool(doc = "Recorded in the fdtmap."),
}

def _layout_section_impl(ctx):
    node, files = _section_node(ctx, "section")
    return [LayoutEntryInfo(node = node, files = files)]

layout_section = rule(
    implementation = _layout_section_impl,
    doc = "A section: nested entries packed as one entry (binman's section).",
    attrs = dict(_COMMON_ATTRS, **_SECTION_ATTRS),
)

def _layout_fdtmap_impl(ctx):
    return [LayoutEntryInfo(node = _common_node(ctx, "fdtmap"), files = depset())]

layout_fdtmap = rule(
    implementation = _layout_fdtmap_impl,
    doc = "An fdtmap: a device tree describing the image, so `fwtool ls/extract/replace` (and binman's) can read it.",
    attrs = dict(_COMMON_ATTRS),
)

def _layout_image_header_impl(ctx):
    node = _common_node(ctx, "image-header")
    if ctx.attr.location not in ["start", "end", ""]:
        fail("%s: attribute 'location': unknown value %r (start or end)" % (ctx.label, ctx.attr.location))
    if not ctx.attr.location and not ctx.attr.offset:
        fail("%s: give 'location' or 'offset'" % ctx.label)
    if ctx.attr.location:
        node["location"] = ctx.attr.location
    return [LayoutEntryInfo(node = node, files = depset())]

layout_image_header = rule(
    implementation = _layout_image_header_impl,
    doc = "binman's 8-byte image header pointing at the fdtmap (needs a layout_fdtmap sibling).",
    attrs = dict(_COMMON_ATTRS, **{"location": attr.string(doc = "start or end of the image.")}),
)

def _firmware_image_impl(ctx):
    image, files = _section_node(ctx, "section")
    image.pop("type")
    image["name"] = ctx.attr.image_name or "image"
    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".bin")
    image["filename"] = out.basename
    if ctx.attr.allow_repack:
        image["allow_repack"] = True
    manifest = {"version": 1, "image": image}
    if ctx.attr._allow_missing[BuildSettingInfo].value:
        manifest["allow_missing"] = True
    manifest_file = ctx.actions.declare_file(ctx.label.name + ".layout.json")
    ctx.actions.write(manifest_file, json.encode(manifest))
    map_file = ctx.actions.declare_file(ctx.label.name + ".map")
    svg_file = ctx.actions.declare_file(ctx.label.name + ".svg")
    args = ctx.actions.args()
    args.add("build")
    args.add("--manifest", manifest_file)
    args.add("--output", out)
    args.add("--map", map_file)
    args.add("--svg", svg_file)
    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = depset([manifest_file], transitive = [files]),
        outputs = [out, map_file, svg_file],
        mnemonic = "FirmwareLayout",
        progress_message = "Packing firmware image %s" % out.short_path,
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        OutputGroupInfo(
            layout_map = depset([map_file]),
            layout_svg = depset([svg_file]),
            layout = depset([map_file, svg_file]),
            layout_manifest = depset([manifest_file]),
        ),
        firmware_image_info(file = out, kind = "layout", map = map_file, metadata = {"name": image["name"]}),
        LayoutEntryInfo(node = dict(image, type = "section", name = ctx.label.name), files = files),
    ]

firmware_image = rule(
    implementation = _firmware_image_impl,
    doc = """A firmware image packed from entries with U-Boot binman's semantics.

The image is the default output; binman's .map file and an SVG picture of
the layout are in output groups 'layout_map', 'layout_svg' (both:
'layout'). Missing external blobs are errors unless
--@rules_firmware//rules:allow_missing is set. A firmware_image is itself
usable as an entry (a section) or as a blob of any other image rule.""",
    attrs = dict([(k, v) for k, v in _COMMON_ATTRS.items() if k != "entry_size"], **dict(_SECTION_ATTRS, **{
        "image_size": attr.string(doc = "Image size (binman's size); default: from contents."),
        "image_name": attr.string(doc = "Image name in the map and messages (binman's image node name); default 'image'."),
        "allow_repack": attr.bool(doc = "Let `fwtool replace` repack the image when new data does not fit."),
        "out": attr.string(doc = "Output file name; default <name>.bin."),
        "_allow_missing": attr.label(default = "//rules:allow_missing"),
    })),
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
