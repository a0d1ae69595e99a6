"""stm32_image: a payload wrapped in the STM32MP1 boot ROM header."""

load(":numbers.bzl", "check_hex_address", "parse_c_number")
load(":providers.bzl", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

# Binary types the boot ROM knows; any byte is accepted, these read better.
STM32_BINARY_TYPES = {
    "u-boot": "0x00",
    "tf-a-bl2": "0x10",
}

def _check_address32(ctx, attr, value):
    check_hex_address(ctx.label, attr, value)
    if value and parse_c_number(ctx.label, attr, value if value.lower().startswith("0x") else "0x" + value) > 0xffffffff:
        fail("%s: attribute '%s': %s does not fit the 32-bit header field" % (ctx.label, attr, value))

def _stm32_image_impl(ctx):
    if not ctx.attr.load_address:
        fail("%s: attribute 'load_address': required" % ctx.label)
    _check_address32(ctx, "load_address", ctx.attr.load_address)
    _check_address32(ctx, "entry_point", ctx.attr.entry_point)
    if ctx.attr.header_version not in [1, 2]:
        fail("%s: attribute 'header_version': %d is not 1 (STM32MP15) or 2 (STM32MP13)" % (ctx.label, ctx.attr.header_version))
    binary_type = STM32_BINARY_TYPES.get(ctx.attr.binary_type, ctx.attr.binary_type)
    if parse_c_number(ctx.label, "binary_type", binary_type) > 0xff:
        fail("%s: attribute 'binary_type': %s does not fit a byte (or use one of: %s)" % (ctx.label, ctx.attr.binary_type, ", ".join(STM32_BINARY_TYPES)))
    if ctx.attr.image_version < 0:
        fail("%s: attribute 'image_version': %d is negative" % (ctx.label, ctx.attr.image_version))

    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".stm32")
    entry = ctx.attr.entry_point or ctx.attr.load_address
    args = ctx.actions.args()
    args.add("stm32image")
    args.add("-q")
    args.add("-v", str(ctx.attr.header_version))
    args.add("-a", ctx.attr.load_address)
    args.add("-e", entry)
    args.add("-binary-type", binary_type)
    args.add("-image-version", str(ctx.attr.image_version))
    args.add("-d", ctx.file.src)
    args.add(out)

    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = [ctx.file.src],
        outputs = [out],
        mnemonic = "Stm32Image",
        progress_message = "Writing STM32 image %s" % out.short_path,
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        firmware_image_info(
            file = out,
            kind = "stm32",
            load_address = ctx.attr.load_address,
            entry_point = entry,
            payload = ctx.file.src,
            metadata = {
                "header_version": str(ctx.attr.header_version),
                "binary_type": binary_type,
                "image_version": str(ctx.attr.image_version),
            },
        ),
    ]

stm32_image = rule(
    implementation = _stm32_image_impl,
    doc = """A payload (U-Boot SPL, TF-A BL2) in the STM32MP1 boot ROM header.

Header version 1 (STM32MP15, 256 bytes) with the default binary type and
image version is byte-identical to `mkimage -T stm32image -a -e -d`;
version 2 is the STM32MP13 512-byte header with the padding extension.""",
    attrs = {
        "src": attr.label(allow_single_file = True, mandatory = True, doc = "The payload."),
        "load_address": attr.string(mandatory = True, doc = "Load address, hex (mkimage -a)."),
        "entry_point": attr.string(doc = "Entry point, hex (mkimage -e); defaults to load_address."),
        "header_version": attr.int(default = 1, doc = "1 (STM32MP15, 256-byte header) or 2 (STM32MP13, 512 bytes)."),
        "binary_type": attr.string(default = "0x00", doc = "Binary type byte: 'u-boot' (0x00), 'tf-a-bl2' (0x10) or a number."),
        "image_version": attr.int(default = 0, doc = "Anti-rollback version number."),
        "out": attr.string(doc = "Output file name; defaults to <name>.stm32."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
