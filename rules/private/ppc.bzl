"""ppc_boot_wrapper: Linux PowerPC boot-wrapper images without binutils.

One rule for every image arch/powerpc/boot/wrapper makes; `kind` and
`board` name it the way the kernel's make targets do (cuImage.hotfoot is
kind "cuimage", board "hotfoot"). The action is `fwtool ppcwrap`: it strips
and compresses vmlinux, links the wrapper objects with it in Go
(tools/ppclink) and post-processes as the wrapper does (raw binary, gzip +
uImage, OpenBIOS tree header, CHRP notes); no ld, objcopy, gzip, mkimage,
mktree or addnote runs.
"""

load(":providers.bzl", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

# kind -> (wrapper platform prefix, kernel make target prefix, FirmwareImageInfo kind)
_KINDS = {
    "zimage": ("", "zImage", "ppc_zimage"),
    "cuimage": ("cuboot-", "cuImage", "uimage"),
    "dtbimage": ("", "dtbImage", "ppc_dtbimage"),
    "simpleimage": ("simpleboot-", "simpleImage", "ppc_simpleimage"),
    "treeimage": ("treeboot-", "treeImage", "ppc_treeimage"),
    "uimage": ("", "uImage", "uimage"),
}

# Kinds whose image is derived from a linked ELF the rule also offers
# (output group "elf"): raw binaries, cuImage's payload, treeImage's body.
_HAS_ELF = ["cuimage", "dtbimage", "simpleimage", "treeimage"]

def _platform(ctx):
    if ctx.attr.platform:
        return ctx.attr.platform
    kind = ctx.attr.kind
    if kind == "uimage":
        return "uboot"
    if kind == "zimage":
        return ctx.attr.board or "of"
    if not ctx.attr.board:
        fail("%s: attribute 'board': kind '%s' needs the board (e.g. cuImage.hotfoot: kind 'cuimage', board 'hotfoot')" % (ctx.label, kind))
    return _KINDS[kind][0] + ctx.attr.board

def _ppc_boot_wrapper_impl(ctx):
    kind = ctx.attr.kind
    if kind not in _KINDS:
        fail("%s: attribute 'kind': unknown value %r (one of: %s)" % (ctx.label, kind, ", ".join(sorted(_KINDS.keys()))))
    if ctx.attr.compression not in ["gzip", "none"]:
        fail("%s: attribute 'compression': %r is not gzip or none" % (ctx.label, ctx.attr.compression))
    if ctx.file.dtb and ctx.file.dts:
        fail("%s: attributes 'dtb' and 'dts' both set; give one device tree" % ctx.label)
    if kind in ["cuimage", "dtbimage", "simpleimage", "treeimage"] and not (ctx.file.dtb or ctx.file.dts):
        fail("%s: kind '%s' embeds a device tree: set 'dtb' or 'dts'" % (ctx.label, kind))
    if ctx.attr.timestamp < 0:
        fail("%s: attribute 'timestamp': %d is negative" % (ctx.label, ctx.attr.timestamp))
    platform = _platform(ctx)
    default_out = _KINDS[kind][1] + ("." + ctx.attr.board if ctx.attr.board else "")
    out = ctx.actions.declare_file(ctx.attr.out or default_out)
    outputs = [out]

    args = ctx.actions.args()
    args.add("ppcwrap")
    args.add("-p", platform)
    args.add("-Z", "gz" if ctx.attr.compression == "gzip" else "none")
    args.add("-o", out)
    args.add("--time", str(ctx.attr.timestamp))
    inputs = [ctx.file.vmlinux]
    for f in ctx.files.wrapper_objects:
        if f.is_directory:
            args.add("-D", f.path)
        else:
            args.add("--obj", f)
    inputs += ctx.files.wrapper_objects
    if ctx.file.dtb:
        args.add("-d", ctx.file.dtb)
        inputs.append(ctx.file.dtb)
    if ctx.file.dts:
        args.add("-s", ctx.file.dts)
        inputs.append(ctx.file.dts)
    if ctx.file.initrd:
        args.add("-i", ctx.file.initrd)
        inputs.append(ctx.file.initrd)
    elf = None
    if kind in _HAS_ELF:
        elf = ctx.actions.declare_file(out.basename + ".elf", sibling = out)
        args.add("--elf", elf)
        outputs.append(elf)
    args.add(ctx.file.vmlinux)

    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = inputs,
        outputs = outputs,
        mnemonic = "PpcBootWrapper",
        progress_message = "Wrapping %s for PowerPC platform %s" % (out.short_path, platform),
    )
    is_uimage = kind in ["cuimage", "uimage"]
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        OutputGroupInfo(elf = depset([elf] if elf else [])),
        firmware_image_info(
            file = out,
            kind = _KINDS[kind][2],
            arch = "powerpc",
            os = "linux",
            image_type = "kernel" if is_uimage else None,
            compression = "gzip" if kind == "cuimage" or (is_uimage and ctx.attr.compression == "gzip") else "none",
            metadata = {"platform": platform, "wrapper": kind},
        ),
    ]

ppc_boot_wrapper = rule(
    implementation = _ppc_boot_wrapper_impl,
    doc = """A Linux PowerPC boot-wrapper image, as arch/powerpc/boot/wrapper makes it.

| kind | make target | output | for |
|---|---|---|---|
| `zimage` | zImage.BOARD (of, pmac, chrp, pseries, maple, epapr, gamecube, wii, holly, ...) | ELF (chrp/pseries/maple with CHRP+RPA notes; epapr a -pie link) | Open Firmware / OpenBIOS, ePAPR loaders, firmware that loads an ELF |
| `cuimage` | cuImage.BOARD | gzipped raw wrapper in a legacy uImage (load `_start`, entry = ELF entry) | old U-Boot that passes a `bd_t`, not a device tree |
| `dtbimage` | dtbImage.BOARD (ep88xc, mvme5100, microwatt, ...) | raw binary with the DTB inside (ELF kinds per the wrapper's table) | boot loaders with no DT support |
| `simpleimage` | simpleImage.BOARD | raw binary, link address 0x400000, DTB inside | no firmware at all: jump to the link address |
| `treeimage` | treeImage.BOARD | OpenBIOS boot block + ELF body | IBM OpenBIOS (Ebony, Bamboo, ...) |
| `uimage` | uImage | vmlinux's loadable bytes in a uImage (no wrapper) | U-Boot that passes a device tree |

`platform` overrides the wrapper platform derived from `kind` and `board`.
Kinds that derive the image from a linked ELF also write `OUT.elf`
(output group `elf`), as the wrapper does.

The kernel inside (and a cuImage's whole payload) is gzipped byte for byte
as the wrapper's `gzip -n -9` (GNU gzip 1.12) does it, so images equal the
kernel wrapper's byte for byte with either compression.""",
    attrs = {
        "vmlinux": attr.label(allow_single_file = True, mandatory = True, doc = "The kernel ELF (vmlinux) of a PowerPC kernel build."),
        "wrapper_objects": attr.label_list(
            allow_files = True,
            mandatory = True,
            doc = "The kernel build's arch/powerpc/boot objects: crt0.o, empty.o, wrapper.a and the platform objects (files, a filegroup, or a directory).",
        ),
        "kind": attr.string(mandatory = True, doc = "zimage, cuimage, dtbimage, simpleimage, treeimage or uimage."),
        "board": attr.string(doc = "Board part of the make target (cuImage.<board>): 'hotfoot', 'virtex440-ml507', 'ebony', ..."),
        "platform": attr.string(doc = "Wrapper platform (-p) if not derived from kind and board."),
        "dtb": attr.label(allow_single_file = True, doc = "Device tree blob to embed (a dtb rule or a file)."),
        "dts": attr.label(allow_single_file = [".dts"], doc = "Device tree source to embed, compiled by fwtool's own compiler (no includes; use the dtb rule for those)."),
        "initrd": attr.label(allow_single_file = True, doc = "Initial ramdisk to embed (.kernel:initrd)."),
        "compression": attr.string(default = "gzip", doc = "Kernel compression inside the wrapper: gzip or none (cuimage always stores it uncompressed and gzips the whole image)."),
        "timestamp": attr.int(default = 0, doc = "uImage header time (cuimage, uimage); 0 keeps outputs reproducible."),
        "out": attr.string(doc = "Output file name; defaults to the make target name (cuImage.hotfoot)."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
