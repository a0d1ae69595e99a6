"""rauc_bundle: a signed RAUC update bundle (plain or verity format)."""

load(":bootup.bzl", "image_file")
load(":providers.bzl", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

RAUC_FORMATS = ["plain", "verity"]

def _rauc_bundle_impl(ctx):
    if ctx.attr.format not in RAUC_FORMATS:
        fail("%s: attribute 'format': unknown value %r (one of: %s)" % (ctx.label, ctx.attr.format, ", ".join(RAUC_FORMATS)))
    if not ctx.attr.compatible:
        fail("%s: attribute 'compatible': required (RAUC installs only bundles whose compatible matches the system's)" % ctx.label)
    if not ctx.attr.images:
        fail("%s: attribute 'images': no slot images" % ctx.label)
    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".raucb")
    args = ctx.actions.args()
    args.add("rauc")
    args.add("bundle")
    args.add("--label=%s" % ctx.label)
    args.add("-o", out)
    args.add("--format", ctx.attr.format)
    args.add("--compatible", ctx.attr.compatible)
    for attr in ["version", "description", "build"]:
        if getattr(ctx.attr, attr):
            args.add("--" + attr, getattr(ctx.attr, attr))
    args.add("--cert", ctx.file.cert)
    args.add("--key", ctx.file.key)
    inputs = [ctx.file.cert, ctx.file.key]
    slots = {}
    for target, spec in ctx.attr.images.items():
        slot, _, name = spec.partition(":")
        if not slot or slot in slots:
            fail("%s: attribute 'images': slot class %r empty or given twice" % (ctx.label, slot))
        slots[slot] = True
        f = image_file(target)
        inputs.append(f)
        args.add("--image", "%s=%s%s" % (slot, f.path, ":" + name if name else ""))
    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = inputs,
        outputs = [out],
        mnemonic = "RaucBundle",
        progress_message = "Writing RAUC bundle %s" % out.short_path,
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        firmware_image_info(
            file = out,
            kind = "rauc_bundle",
            compression = "none",
            metadata = {"compatible": ctx.attr.compatible, "version": ctx.attr.version, "format": ctx.attr.format},
        ),
    ]

rauc_bundle = rule(
    implementation = _rauc_bundle_impl,
    doc = """A signed RAUC bundle: a squashfs holding the slot images (and, in the
plain format, the manifest), signed with CMS. The verity format appends the
payload's dm-verity hash tree and puts the manifest inside the signature.
Same inputs, same bytes (no signing time; the verity salt is derived from
the payload).""",
    attrs = {
        "images": attr.label_keyed_string_dict(allow_files = True, mandatory = True, doc = "Image file or target -> \"SLOTCLASS\" or \"SLOTCLASS:FILENAME\" ([image.SLOTCLASS] in the manifest)."),
        "compatible": attr.string(doc = "Required: [update] compatible, matched against the system's."),
        "version": attr.string(doc = "[update] version."),
        "description": attr.string(doc = "[update] description."),
        "build": attr.string(doc = "[update] build."),
        "format": attr.string(default = "verity", doc = "plain or verity."),
        "cert": attr.label(allow_single_file = True, mandatory = True, doc = "Signing certificate (PEM); intermediates may follow it."),
        "key": attr.label(allow_single_file = True, mandatory = True, doc = "Signing key (PEM)."),
        "out": attr.string(doc = "Output file name; defaults to <name>.raucb."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
