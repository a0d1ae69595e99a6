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

RAUC_BOOTLOADERS = ["barebox", "custom", "efi", "grub", "noop", "uboot"]

def _rauc_system_conf_impl(ctx):
    if not ctx.attr.compatible:
        fail("%s: attribute 'compatible': required" % ctx.label)
    if ctx.attr.bootloader not in RAUC_BOOTLOADERS:
        fail("%s: attribute 'bootloader': unknown value %r (one of: %s)" % (ctx.label, ctx.attr.bootloader, ", ".join(RAUC_BOOTLOADERS)))
    if not ctx.attr.slots:
        fail("%s: attribute 'slots': no slots" % ctx.label)
    lines = ["[system]", "compatible=" + ctx.attr.compatible, "bootloader=" + ctx.attr.bootloader]
    lines += [kv for kv in ctx.attr.system]
    lines += ["", "[keyring]", "path=" + ctx.attr.keyring_path]
    for slot in sorted(ctx.attr.slots.keys()):
        parts = slot.split(".")
        if len(parts) != 2 or not parts[0] or not parts[1].isdigit():
            fail("%s: attribute 'slots': %r is not CLASS.INDEX (e.g. rootfs.0)" % (ctx.label, slot))
        lines += ["", "[slot.%s]" % slot]
        for kv in ctx.attr.slots[slot]:
            if "=" not in kv or "\n" in kv:
                fail("%s: attribute 'slots': %s: %r is not KEY=VALUE" % (ctx.label, slot, kv))
            lines.append(kv)
    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".conf")
    ctx.actions.write(out, "\n".join(lines) + "\n")
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out]))]

rauc_system_conf = rule(
    implementation = _rauc_system_conf_impl,
    doc = """RAUC's system.conf for a target's root filesystem: [system], [keyring]
and one [slot.CLASS.INDEX] section per slot, e.g. A/B root filesystems and
the eMMC boot partitions (`type=boot-emmc`, RAUC's A/B boot-partition swap).""",
    attrs = {
        "compatible": attr.string(doc = "Required: [system] compatible; bundles must match it."),
        "bootloader": attr.string(default = "uboot", doc = "[system] bootloader: barebox, custom, efi, grub, noop or uboot."),
        "system": attr.string_list(doc = "More [system] KEY=VALUE lines (e.g. \"data-directory=/data/rauc\")."),
        "keyring_path": attr.string(default = "/etc/rauc/keyring.pem", doc = "[keyring] path on the target; relative paths are relative to system.conf."),
        "slots": attr.string_list_dict(doc = "\"CLASS.INDEX\" -> [\"KEY=VALUE\", ...], e.g. {\"rootfs.0\": [\"device=/dev/mmcblk1p5\", \"type=ext4\", \"bootname=A\"]}."),
        "out": attr.string(doc = "Output file name; defaults to <name>.conf."),
    },
)
