"""uimage: a U-Boot legacy image (mkimage's 64-byte header + payload)."""

load(":providers.bzl", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

# Names fwtool accepts; checked here too so a typo fails at analysis time,
# naming the target and attribute. //tools/uimage tests keep them in step.
UIMAGE_ARCHES = ["alpha", "arc", "arm", "arm64", "avr32", "blackfin", "ia64", "m68k", "microblaze", "mips", "mips64", "nds32", "nios2", "or1k", "powerpc", "ppc", "riscv", "s390", "sandbox", "sh", "sparc", "sparc64", "x86", "x86_64", "xtensa"]
UIMAGE_OSES = ["arm-trusted-firmware", "efi", "freebsd", "integrity", "linux", "netbsd", "opensbi", "openbsd", "ose", "plan9", "qnx", "rtems", "tee", "u-boot", "vxworks"]
UIMAGE_TYPES = ["filesystem", "firmware", "kernel", "kernel_noload", "multi", "ramdisk", "script", "standalone"]
UIMAGE_COMPRESSIONS = ["none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd"]

# Algorithms fwtool can apply itself (`compress`); lzo has no Go library.
UIMAGE_IN_PROCESS = ["gzip", "bzip2", "lzma", "lz4", "zstd"]

def _check(ctx, attr, value, allowed):
    if value not in allowed:
        fail("%s: attribute '%s': unknown value %r (one of: %s)" % (ctx.label, attr, value, ", ".join(allowed)))

def _check_address(ctx, attr, value):
    if not value:
        return
    digits = value[2:] if value.lower().startswith("0x") else value
    if not digits or [c for c in digits.lower().elems() if c not in "0123456789abcdef"]:
        fail("%s: attribute '%s': %r is not a hex address" % (ctx.label, attr, value))

def _uimage_impl(ctx):
    _check(ctx, "arch", ctx.attr.arch, UIMAGE_ARCHES)
    _check(ctx, "os", ctx.attr.os, UIMAGE_OSES)
    _check(ctx, "image_type", ctx.attr.image_type, UIMAGE_TYPES)
    _check(ctx, "compression", ctx.attr.compression, UIMAGE_COMPRESSIONS)
    if ctx.attr.compress:
        _check(ctx, "compress", ctx.attr.compress, UIMAGE_IN_PROCESS)
        if ctx.attr.compression != "none":
            fail("%s: attributes 'compress' and 'compression' both set: 'compress' compresses the data and records it, 'compression' only records that the data is already compressed" % ctx.label)
    _check_address(ctx, "load_address", ctx.attr.load_address)
    _check_address(ctx, "entry_point", ctx.attr.entry_point)
    if not ctx.files.srcs:
        fail("%s: attribute 'srcs': no input files" % ctx.label)
    if len(ctx.files.srcs) > 1 and ctx.attr.image_type not in ["multi", "script"]:
        fail("%s: attribute 'srcs': %d files given, but only image_type 'multi' takes more than one" % (ctx.label, len(ctx.files.srcs)))
    if ctx.attr.timestamp < 0:
        fail("%s: attribute 'timestamp': %d is negative" % (ctx.label, ctx.attr.timestamp))

    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".uimage")
    image_name = ctx.attr.image_name or ctx.label.name
    args = ctx.actions.args()
    args.add("mkimage")
    args.add("-q")  # no header listing in the build log
    args.add("-A", ctx.attr.arch)
    args.add("-O", ctx.attr.os)
    args.add("-T", ctx.attr.image_type)
    if ctx.attr.compress:
        args.add("--compress", ctx.attr.compress)
    else:
        args.add("-C", ctx.attr.compression)
    args.add("-a", ctx.attr.load_address or "0")
    args.add("-e", ctx.attr.entry_point or ctx.attr.load_address or "0")
    args.add("-n", image_name)
    args.add_joined("-d", ctx.files.srcs, join_with = ":")
    args.add(out)

    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = ctx.files.srcs,
        outputs = [out],
        # mkimage's clock: fwtool writes 0 unless SOURCE_DATE_EPOCH is set.
        env = {"SOURCE_DATE_EPOCH": str(ctx.attr.timestamp)} if ctx.attr.timestamp else {},
        mnemonic = "UImage",
        progress_message = "Writing uImage %s" % out.short_path,
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        firmware_image_info(
            file = out,
            kind = "uimage",
            arch = ctx.attr.arch,
            os = ctx.attr.os,
            image_type = ctx.attr.image_type,
            compression = ctx.attr.compress or ctx.attr.compression,
            load_address = ctx.attr.load_address or None,
            entry_point = ctx.attr.entry_point or ctx.attr.load_address or None,
            payload = ctx.files.srcs[0] if len(ctx.files.srcs) == 1 and not ctx.attr.compress else None,
            metadata = {"name": image_name},
        ),
    ]

uimage = rule(
    implementation = _uimage_impl,
    doc = """A U-Boot legacy image, byte-identical to `mkimage -A -O -T -C -a -e -n -d`.

The header's time field is 0 unless `timestamp` is given, so the output is
reproducible.""",
    attrs = {
        "srcs": attr.label_list(allow_files = True, mandatory = True, doc = "Payload file(s); several only for image_type 'multi'."),
        "arch": attr.string(default = "arm", doc = "CPU architecture (mkimage -A)."),
        "os": attr.string(default = "linux", doc = "Operating system (mkimage -O)."),
        "image_type": attr.string(default = "kernel", doc = "Image type (mkimage -T)."),
        "compression": attr.string(default = "none", doc = "Compression the payload already has (mkimage -C)."),
        "compress": attr.string(doc = "Compress the payload in the action with this algorithm and record it."),
        "load_address": attr.string(doc = "Load address, hex (mkimage -a)."),
        "entry_point": attr.string(doc = "Entry point, hex (mkimage -e); defaults to load."),
        "image_name": attr.string(doc = "Image name (mkimage -n), at most 32 bytes; defaults to the target name."),
        "timestamp": attr.int(default = 0, doc = "Header time field, seconds since the epoch; 0 keeps outputs reproducible."),
        "out": attr.string(doc = "Output file name; defaults to <name>.uimage."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
