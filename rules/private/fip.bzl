"""fip_image: a TF-A Firmware Image Package, as fiptool create writes it."""

load(":numbers.bzl", "parse_c_number")
load(":providers.bzl", "FirmwareImageInfo", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

# fiptool's image names (its --NAME options), in TF-A's table order, which is
# also the order of the entries in the package. //tools/fip keeps the table.
FIP_IMAGE_NAMES = [
    "scp-fwu-cfg",
    "ap-fwu-cfg",
    "fwu",
    "fwu-cert",
    "tb-fw",
    "scp-fw",
    "soc-fw",
    "tos-fw",
    "tos-fw-extra1",
    "tos-fw-extra2",
    "nt-fw",
    "rmm-fw",
    "fw-config",
    "hw-config",
    "tb-fw-config",
    "soc-fw-config",
    "tos-fw-config",
    "nt-fw-config",
    "rot-cert",
    "trusted-key-cert",
    "scp-fw-key-cert",
    "soc-fw-key-cert",
    "tos-fw-key-cert",
    "nt-fw-key-cert",
    "tb-fw-cert",
    "scp-fw-cert",
    "soc-fw-cert",
    "tos-fw-cert",
    "nt-fw-cert",
    "sip-sp-cert",
    "plat-sp-cert",
    "cca-cert",
    "core-swd-cert",
    "plat-key-cert",
]

_HEX = "0123456789abcdef"

def _is_uuid(text):
    groups = text.lower().split("-")
    if [len(g) for g in groups] != [8, 4, 4, 4, 12]:
        return False
    return not [c for c in "".join(groups).elems() if c not in _HEX]

def _single_file(ctx, attr, target):
    """The one file a label stands for: an image rule's image, or a lone file."""
    if FirmwareImageInfo in target:
        return target[FirmwareImageInfo].file
    files = target.files.to_list()
    if len(files) != 1:
        fail("%s: attribute '%s': %s gives %d files, want exactly one" % (ctx.label, attr, target.label, len(files)))
    return files[0]

def _fip_image_impl(ctx):
    if not ctx.attr.images and not ctx.attr.blobs:
        fail("%s: attributes 'images' and 'blobs': no images given" % ctx.label)
    by_name = {}
    for target, name in ctx.attr.images.items():
        if name not in FIP_IMAGE_NAMES:
            fail("%s: attribute 'images': %s: unknown image name %r (one of: %s)" % (ctx.label, target.label, name, ", ".join(FIP_IMAGE_NAMES)))
        if name in by_name:
            fail("%s: attribute 'images': image %r given twice (%s and %s)" % (ctx.label, name, by_name[name][0].label, target.label))
        by_name[name] = (target, _single_file(ctx, "images", target))
    by_uuid = {}
    for target, uuid in ctx.attr.blobs.items():
        if not _is_uuid(uuid):
            fail("%s: attribute 'blobs': %s: %r is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)" % (ctx.label, target.label, uuid))
        if uuid.lower() in by_uuid:
            fail("%s: attribute 'blobs': UUID %s given twice (%s and %s)" % (ctx.label, uuid, by_uuid[uuid.lower()][0].label, target.label))
        by_uuid[uuid.lower()] = (target, _single_file(ctx, "blobs", target))
    if ctx.attr.align:
        align = parse_c_number(ctx.label, "align", ctx.attr.align)
        if align == 0 or (align & (align - 1)) != 0:
            fail("%s: attribute 'align': %s is not a power of two" % (ctx.label, ctx.attr.align))
    if ctx.attr.plat_toc_flags:
        if parse_c_number(ctx.label, "plat_toc_flags", ctx.attr.plat_toc_flags) > 0xffff:
            fail("%s: attribute 'plat_toc_flags': %s does not fit 16 bits" % (ctx.label, ctx.attr.plat_toc_flags))

    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".fip")
    args = ctx.actions.args()
    args.add("fiptool")
    args.add("create")
    if ctx.attr.align:
        args.add("--align", ctx.attr.align)
    if ctx.attr.plat_toc_flags:
        args.add("--plat-toc-flags", ctx.attr.plat_toc_flags)
    inputs = []

    # Table order, so the command line reads like the package; fwtool would
    # reorder anyway.
    names = [n for n in FIP_IMAGE_NAMES if n in by_name]
    for name in names:
        args.add("--" + name, by_name[name][1])
        inputs.append(by_name[name][1])
    for uuid in sorted(by_uuid):
        file = by_uuid[uuid][1]
        args.add("--blob", "uuid=%s,file=%s" % (uuid, file.path))
        inputs.append(file)
    args.add(out)

    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = inputs,
        outputs = [out],
        mnemonic = "FipImage",
        progress_message = "Writing FIP %s" % out.short_path,
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        firmware_image_info(
            file = out,
            kind = "fip",
            metadata = {
                "images": ",".join(names + sorted(by_uuid)),
                "align": ctx.attr.align,
                "plat_toc_flags": ctx.attr.plat_toc_flags,
            },
        ),
    ]

fip_image = rule(
    implementation = _fip_image_impl,
    doc = """A TF-A Firmware Image Package, byte-identical to `fiptool create`.

    fip_image(
        name = "fip",
        images = {
            ":bl31": "soc-fw",
            ":optee": "tos-fw",
            ":u-boot": "nt-fw",
            ":board_dtb": "hw-config",
        },
        align = "0x10",
    )

Entries are packed in TF-A's table order whatever the order given.""",
    attrs = {
        "images": attr.label_keyed_string_dict(allow_files = True, doc = "Image file (or image rule) -> fiptool image name ('tb-fw', 'soc-fw', 'tos-fw', 'nt-fw', 'hw-config', ...)."),
        "blobs": attr.label_keyed_string_dict(allow_files = True, doc = "Image file -> UUID, for images fiptool has no name for (fiptool --blob)."),
        "align": attr.string(doc = "Align each image to this power of two (fiptool --align)."),
        "plat_toc_flags": attr.string(doc = "16-bit platform flags, stored in bits 32-47 of the ToC flags (fiptool --plat-toc-flags)."),
        "out": attr.string(doc = "Output file name; defaults to <name>.fip."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
