"""disk_partition and disk_image: partitioned disk images, genimage's hdimage semantics.

A disk_image packs disk_partition targets (each names its content, which may
be any file or any image rule of ours) into an MBR, GPT, hybrid or table-less
image. Every GUID is derived from the image's label and the partition name
unless given, so outputs are reproducible.
"""

load(":labels.bzl", "label_text")
load(":providers.bzl", "FirmwareImageInfo", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

DiskPartitionInfo = provider(
    doc = "One region of a disk image.",
    fields = {
        "name": "string: partition name (GPT name; label in errors).",
        "image": "File or None: the partition's content.",
        "image_kind": "string or None: FirmwareImageInfo.kind of the content ('vfat', 'squashfs', 'stm32', ...), 'blob' for plain files.",
        "settings": "dict: the partition's fields for fwtool's disk manifest (sizes as strings).",
    },
)

DiskImageInfo = provider(
    doc = "A partitioned disk image and what went into it.",
    fields = {
        "file": "File: the image.",
        "partition_table": "string: none, mbr, gpt or hybrid.",
        "partitions": "list of DiskPartitionInfo, in the order given.",
    },
)

_TABLES = ["none", "mbr", "gpt", "hybrid"]

def _size_ok(value):
    """genimage's size syntax: C integer with an optional k/K/M/G/s suffix."""
    v = value
    if v and v[-1] in "kKMGs":
        v = v[:-1]
    if v.lower().startswith("0x"):
        return len(v) > 2 and not [c for c in v[2:].lower().elems() if c not in "0123456789abcdef"]
    return v.isdigit()

def _check_size(ctx, attr):
    value = getattr(ctx.attr, attr)
    if value and not _size_ok(value):
        fail("%s: attribute '%s': %r is not a size (an integer, 0x hex, with an optional k, K, M, G or s suffix)" % (ctx.label, attr, value))

def _disk_partition_impl(ctx):
    for a in ["offset", "partition_size", "align"]:
        _check_size(ctx, a)
    name = ctx.attr.partition_name or ctx.label.name
    if ctx.attr.partition_type and ctx.attr.partition_type_uuid:
        fail("%s: attributes 'partition_type' and 'partition_type_uuid' both set; give one" % ctx.label)
    if ctx.attr.partition_type and not _size_ok(ctx.attr.partition_type):
        fail("%s: attribute 'partition_type': %r is not a byte such as 0x83" % (ctx.label, ctx.attr.partition_type))
    holes = []
    for h in ctx.attr.holes:
        start, sep, end = h.partition(":")
        if not sep or not _size_ok(start) or not _size_ok(end):
            fail("%s: attribute 'holes': %r is not START:END" % (ctx.label, h))
        holes.append([start, end])

    image = None
    kind = None
    if ctx.attr.image:
        files = ctx.attr.image[DefaultInfo].files.to_list()
        if FirmwareImageInfo in ctx.attr.image:
            image = ctx.attr.image[FirmwareImageInfo].file
            kind = ctx.attr.image[FirmwareImageInfo].kind
        elif len(files) == 1:
            image = files[0]
            kind = "blob"
        else:
            fail("%s: attribute 'image': %s gives %d files, want exactly one" % (ctx.label, ctx.attr.image.label, len(files)))
    elif not ctx.attr.partition_size:
        fail("%s: a partition without 'image' needs a 'partition_size'" % ctx.label)

    # Labels only name things in fwtool's errors (see disk.Manifest.InUserTerms).
    settings = {"name": name, "label": label_text(ctx.label)}
    if ctx.attr.image:
        settings["image_label"] = label_text(ctx.attr.image.label)
    for a in ["offset", "align", "partition_type_uuid", "partition_uuid"]:
        if getattr(ctx.attr, a):
            settings[a] = getattr(ctx.attr, a)
    if ctx.attr.partition_size:
        settings["size"] = ctx.attr.partition_size
    if ctx.attr.partition_type:
        settings["partition_type"] = ctx.attr.partition_type
    if not ctx.attr.in_partition_table:
        settings["in_partition_table"] = False
    for a in ["bootable", "legacy_bios_bootable", "read_only", "hidden", "no_automount", "autoresize"]:
        if getattr(ctx.attr, a):
            settings[a] = True
    if holes:
        settings["holes"] = holes
    return [DiskPartitionInfo(name = name, image = image, image_kind = kind, settings = settings)]

disk_partition = rule(
    implementation = _disk_partition_impl,
    doc = "One partition (or raw region) of a disk_image; options as genimage's.",
    attrs = {
        "partition_name": attr.string(doc = "Partition name; defaults to the target name."),
        "image": attr.label(allow_files = True, doc = "Content: any file or image rule."),
        "offset": attr.string(doc = "Start in the image (\"17K\", \"0x4400\", \"34s\")."),
        # Not "size": Bazel reserves that name (test size).
        "partition_size": attr.string(doc = "Size; defaults to the content's size rounded to the alignment."),
        "align": attr.string(doc = "Alignment of the start; defaults to the image's."),
        "in_partition_table": attr.bool(default = True, doc = "False for a raw region outside the table."),
        "partition_type": attr.string(doc = "MBR type byte (\"0x83\"); on GPT it selects the matching type GUID."),
        "partition_type_uuid": attr.string(doc = "GPT type GUID, or a genimage shortcut (L, S, H, U, R, V, F, linux, esp, ...)."),
        "partition_uuid": attr.string(doc = "GPT partition GUID; derived from the image label and name when empty."),
        "bootable": attr.bool(doc = "MBR active flag (and GPT legacy BIOS bootable, as genimage)."),
        "legacy_bios_bootable": attr.bool(doc = "GPT legacy BIOS bootable attribute (U-Boot distro boot looks for it)."),
        "read_only": attr.bool(doc = "GPT attribute bit 60, read-only (genimage's read-only)."),
        "hidden": attr.bool(doc = "GPT attribute bit 62, hidden (genimage's hidden)."),
        "no_automount": attr.bool(doc = "GPT attribute bit 63, do not automount (genimage's no-automount)."),
        "autoresize": attr.bool(doc = "Grow the last partition to the end of the image."),
        "holes": attr.string_list(doc = "\"START:END\" byte ranges of the content that hold no data."),
    },
)

def _disk_image_impl(ctx):
    if ctx.attr.partition_table not in _TABLES:
        fail("%s: attribute 'partition_table': unknown value %r (one of: %s)" % (ctx.label, ctx.attr.partition_table, ", ".join(_TABLES)))
    for a in ["image_size", "align", "gpt_location"]:
        _check_size(ctx, a)
    parts = [p[DiskPartitionInfo] for p in ctx.attr.partitions]
    seen = {}
    for p in parts:
        if p.name in seen:
            fail("%s: attribute 'partitions': two partitions named '%s'" % (ctx.label, p.name))
        seen[p.name] = True

    manifest = {
        "version": 1,
        "seed": label_text(ctx.label),
        "label": label_text(ctx.label),
        "partition_table": ctx.attr.partition_table,
        "partitions": [],
    }
    for a in ["align", "gpt_location", "disk_uuid"]:
        if getattr(ctx.attr, a):
            manifest[a] = getattr(ctx.attr, a)
    if ctx.attr.image_size:
        manifest["size"] = ctx.attr.image_size
    if ctx.attr.disk_signature:
        manifest["disk_signature"] = ctx.attr.disk_signature
    if ctx.attr.gpt_no_backup:
        manifest["gpt_no_backup"] = True
    if ctx.attr.fill:
        manifest["fill"] = True
    inputs = []
    for p in parts:
        entry = dict(p.settings)
        if p.image:
            entry["image"] = p.image.path
            inputs.append(p.image)
        manifest["partitions"].append(entry)

    manifest_file = ctx.actions.declare_file(ctx.label.name + ".disk.json")
    ctx.actions.write(manifest_file, json.encode(manifest))
    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".img")
    args = ctx.actions.args()
    args.add("disk")
    args.add("--manifest", manifest_file)
    args.add("--output", out)
    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = depset([manifest_file] + inputs),
        outputs = [out],
        mnemonic = "DiskImage",
        progress_message = "Writing disk image %s" % out.short_path,
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        firmware_image_info(file = out, kind = "disk", metadata = {"partition_table": ctx.attr.partition_table}),
        DiskImageInfo(file = out, partition_table = ctx.attr.partition_table, partitions = parts),
        OutputGroupInfo(manifest = depset([manifest_file])),
    ]

disk_image = rule(
    implementation = _disk_image_impl,
    doc = "A partitioned disk image (genimage's hdimage), checked for overlaps; sparse where its inputs are.",
    attrs = {
        "partitions": attr.label_list(providers = [DiskPartitionInfo], doc = "disk_partition targets, in order."),
        "partition_table": attr.string(default = "gpt", doc = "none, mbr, gpt or hybrid."),
        "image_size": attr.string(doc = "Image size; default: end of the last partition (plus backup GPT)."),
        "align": attr.string(doc = "Default partition alignment."),
        "disk_uuid": attr.string(doc = "GPT disk GUID; derived from the label when empty."),
        "disk_signature": attr.string(doc = "MBR disk signature (\"0x12345678\"); derived from the label when empty."),
        "gpt_location": attr.string(doc = "Where the primary partition entries start."),
        "gpt_no_backup": attr.bool(doc = "Omit the backup GPT."),
        "fill": attr.bool(doc = "Write the whole image size even past the last partition."),
        "out": attr.string(doc = "Output file name; default <name>.img."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
