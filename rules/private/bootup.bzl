"""bootup_app_image, bootup_bundle: BootUp-style application images and bundles.

The formats are specified in tools/bootup/FORMAT.md.
"""

load(":numbers.bzl", "parse_c_number")
load(":providers.bzl", "FirmwareImageInfo", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

BUNDLE_COMPRESSIONS = ["none", "lz4"]

def _number(ctx, attr, value, limit):
    n = parse_c_number(ctx.label, attr, value)
    if n > limit:
        fail("%s: attribute '%s': %s does not fit the header's %d-bit field" % (ctx.label, attr, value, 32 if limit == 0xffffffff else 64))
    return n

def _signature(ctx):
    if not ctx.attr.signature:
        fail("%s: attribute 'signature': required (the image's version or time stamp; an update is an image whose signature differs)" % ctx.label)
    n = _number(ctx, "signature", ctx.attr.signature, 0xffffffffffffffff)
    if n == 0 or n == 0xffffffffffffffff:
        fail("%s: attribute 'signature': %s is reserved (0 marks an invalidated image, all ones erased NVM)" % (ctx.label, ctx.attr.signature))

def image_file(target):
    """The file of an image target (FirmwareImageInfo) or a single-file target.

    Args:
      target: the dependency.

    Returns:
      The File.
    """
    if FirmwareImageInfo in target:
        return target[FirmwareImageInfo].file
    files = target.files.to_list()
    if len(files) != 1:
        fail("%s: expected exactly one file, got %d" % (target.label, len(files)))
    return files[0]

def _bootup_app_image_impl(ctx):
    _signature(ctx)
    src = image_file(ctx.attr.src)
    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".bootup")
    args = ctx.actions.args()
    args.add("bootup")
    args.add("--label=%s" % ctx.label)
    args.add("create")
    args.add("-o", out)
    args.add("--signature", ctx.attr.signature)
    for attr, flag in [("load_address", "--load"), ("entry_point", "--entry")]:
        value = getattr(ctx.attr, attr)
        if value:
            _number(ctx, attr, value, 0xffffffffffffffff)
            args.add(flag, value)
    if ctx.attr.preamble:
        if ctx.attr.header_offset:
            fail("%s: attributes 'preamble' and 'header_offset' both set: a preamble header sits at offset 0" % ctx.label)
        args.add("--preamble")
    else:
        if not ctx.attr.header_offset:
            fail("%s: attribute 'header_offset': required unless 'preamble' is set (e.g. \"0x200\" behind a Cortex-M vector table)" % ctx.label)
        _number(ctx, "header_offset", ctx.attr.header_offset, 0xffffffff)
        args.add("--header-offset", ctx.attr.header_offset)
    if not ctx.attr.crc:
        args.add("--no-crc")
    if ctx.attr.copy_to_ram:
        args.add("--copy-to-ram")
    if ctx.attr.region_size:
        _number(ctx, "region_size", ctx.attr.region_size, 0xffffffff)
        args.add("--max-size", ctx.attr.region_size)
    inputs = [src]
    if ctx.file.key:
        args.add("--key", ctx.file.key)
        inputs.append(ctx.file.key)
    args.add(src)
    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = inputs,
        outputs = [out],
        mnemonic = "BootUpImage",
        progress_message = "Writing BootUp image %s" % out.short_path,
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        firmware_image_info(
            file = out,
            kind = "bootup_app",
            compression = "none",
            load_address = ctx.attr.load_address or None,
            entry_point = ctx.attr.entry_point or ctx.attr.load_address or None,
            metadata = {
                "signature": ctx.attr.signature,
                "header": "preamble" if ctx.attr.preamble else ctx.attr.header_offset,
            },
        ),
    ]

bootup_app_image = rule(
    implementation = _bootup_app_image_impl,
    doc = """A BootUp application image (tools/bootup/FORMAT.md): the application
with a 64-byte header at `header_offset` (e.g. behind a Cortex-M vector
table) or in front of it (`preamble`), optionally with an Ed25519 or RSA
authenticity tag. From an ELF file the loadable segments are laid out from
the lowest physical address and load/entry addresses come from the ELF.""",
    attrs = {
        "src": attr.label(allow_single_file = True, mandatory = True, doc = "The application: raw binary, ELF, or any image target."),
        "signature": attr.string(doc = "Required: the 64-bit version or time stamp (decimal or 0x hex); BootUp installs an image whose signature differs."),
        "load_address": attr.string(doc = "Load address (decimal or 0x hex); from the ELF when not given."),
        "entry_point": attr.string(doc = "Entry address; defaults to the ELF entry or the load address."),
        "preamble": attr.bool(default = False, doc = "Put the header in front of the application instead of at header_offset."),
        "header_offset": attr.string(doc = "Offset of the embedded header inside the application (the application reserves 64 bytes plus tag there)."),
        "crc": attr.bool(default = True, doc = "Record the body CRC32."),
        "copy_to_ram": attr.bool(default = False, doc = "BootUp copies the body to the load address before starting it."),
        "key": attr.label(allow_single_file = [".pem", ".key"], doc = "Ed25519 or RSA private key (PEM) for an authenticity tag."),
        "region_size": attr.string(doc = "Size of the NVM region the image must fit; a larger image fails the build."),
        "out": attr.string(doc = "Output file name; defaults to <name>.bootup."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)

def _bootup_bundle_impl(ctx):
    _signature(ctx)
    if not ctx.attr.files:
        fail("%s: attribute 'files': no files" % ctx.label)
    args = ctx.actions.args()
    args.add("bundle")
    args.add("--label=%s" % ctx.label)
    args.add("create")
    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".bundle")
    args.add("-o", out)
    args.add("--signature", ctx.attr.signature)
    inputs = []
    names = {}
    for target, spec in ctx.attr.files.items():
        name, _, compression = spec.partition(":")
        compression = compression or "none"
        if compression not in BUNDLE_COMPRESSIONS:
            fail("%s: attribute 'files': %s: unknown compression %r (one of: %s)" % (ctx.label, target.label, compression, ", ".join(BUNDLE_COMPRESSIONS)))
        if name in names:
            fail("%s: attribute 'files': name %r given to %s and %s" % (ctx.label, name, names[name], target.label))
        names[name] = target.label
        f = image_file(target)
        inputs.append(f)
        args.add("%s=%s:%s" % (name, f.path, compression))
    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = inputs,
        outputs = [out],
        mnemonic = "BootUpBundle",
        progress_message = "Writing BootUp bundle %s" % out.short_path,
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        firmware_image_info(
            file = out,
            kind = "bootup_bundle",
            compression = "none",
            metadata = {"signature": ctx.attr.signature, "files": ",".join(names.keys())},
        ),
    ]

bootup_bundle = rule(
    implementation = _bootup_bundle_impl,
    doc = """A BootUp bundle (tools/bootup/FORMAT.md): named files, each stored raw
or LZ4-compressed, with CRC32 of stored and decompressed bytes.""",
    attrs = {
        "files": attr.label_keyed_string_dict(allow_files = True, mandatory = True, doc = "File or image target -> \"NAME\" or \"NAME:lz4\"; directory order is this dict's order."),
        "signature": attr.string(doc = "Required: the bundle's 64-bit version or time stamp."),
        "out": attr.string(doc = "Output file name; defaults to <name>.bundle."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
