"""dtb: a device tree blob compiled from (preprocessed) DTS source."""

load(":numbers.bzl", "parse_c_number")
load(":providers.bzl", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

def _include_dirs(ctx):
    """The -i directories: where /include/ and /incbin/ look after the including file's own directory.

    Each include file's directory comes first (in the order given), so
    `/include/ "board.dtsi"` finds a dtsi from any package or a generated
    one; then each of include_dirs, in the source tree and in the output
    tree, so generated files under them are found too.
    """
    dirs = []
    for f in ctx.files.includes:
        if f.dirname not in dirs:
            dirs.append(f.dirname)
    package = ctx.label.package
    for d in ctx.attr.include_dirs:
        if d.startswith("/") or d == ".." or d.startswith("../") or "/../" in d or d.endswith("/.."):
            fail("%s: attribute 'include_dirs': %r must be a relative path inside the package" % (ctx.label, d))
        rel = (package + "/" + d) if package else d
        if ctx.label.workspace_root:
            rel = ctx.label.workspace_root + "/" + rel
        for root in [rel, ctx.bin_dir.path + "/" + rel]:
            if root not in dirs:
                dirs.append(root)
    return dirs

def _dtb_impl(ctx):
    src = ctx.file.src
    if not src.basename.endswith((".dts", ".dtsi", ".its")):
        fail("%s: attribute 'src': %s is not DTS source (.dts)" % (ctx.label, src.short_path))
    if ctx.attr.padding and ctx.attr.min_size:
        fail("%s: attributes 'padding' and 'min_size' both set: dtc takes one of -p and -S" % ctx.label)
    for attr in ["padding", "min_size"]:
        value = getattr(ctx.attr, attr)
        if value:
            parse_c_number(ctx.label, attr, value)
    if ctx.attr.align:
        align = parse_c_number(ctx.label, "align", ctx.attr.align)
        if align == 0 or (align & (align - 1)) != 0:
            fail("%s: attribute 'align': %s is not a power of two" % (ctx.label, ctx.attr.align))
    if ctx.attr.boot_cpu:
        parse_c_number(ctx.label, "boot_cpu", ctx.attr.boot_cpu)
    if ctx.attr.reserve_slots < 0:
        fail("%s: attribute 'reserve_slots': %d is negative" % (ctx.label, ctx.attr.reserve_slots))

    if ctx.attr.defines and not ctx.attr.preprocess:
        fail("%s: attribute 'defines' needs preprocess = True" % ctx.label)
    dirs = _include_dirs(ctx)
    if ctx.attr.preprocess:
        # As the kernel does for .dts files: the source's own directory is
        # searched too, since dtc then reads the preprocessed copy.
        dirs = [src.dirname] + [d for d in dirs if d != src.dirname]
        src = _preprocess(ctx, src, dirs)

    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".dtb")
    args = ctx.actions.args()
    args.add("dtc")
    args.add("-I", "dts")
    args.add("-O", "dtb")
    if ctx.attr.padding:
        args.add("-p", ctx.attr.padding)
    if ctx.attr.min_size:
        args.add("-S", ctx.attr.min_size)
    if ctx.attr.align:
        args.add("-a", ctx.attr.align)
    if ctx.attr.boot_cpu:
        args.add("-b", ctx.attr.boot_cpu)
    if ctx.attr.reserve_slots:
        args.add("-R", str(ctx.attr.reserve_slots))
    if ctx.attr.symbols:
        args.add("-@")
    for d in dirs:
        args.add("-i", d)
    args.add("-o", out)
    args.add(src)

    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = [src] + ctx.files.includes,
        outputs = [out],
        mnemonic = "Dtc",
        progress_message = "Compiling device tree %s" % out.short_path,
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        firmware_image_info(
            file = out,
            kind = "dtb",
            metadata = {"source": src.short_path},
        ),
    ]

def _preprocess(ctx, src, dirs):
    """Runs fwtool cpp over src as the kernel's Makefile runs cpp over .dts files."""
    out = ctx.actions.declare_file(ctx.label.name + ".pp.dts")
    args = ctx.actions.args()
    args.add_all(["cpp", "-nostdinc", "-undef", "-x", "assembler-with-cpp", "-D__DTS__"])
    for d in dirs:
        args.add("-I", d)
    for d in ctx.attr.defines:
        if not d or d.startswith("=") or " " in d.partition("=")[0]:
            fail("%s: attribute 'defines': %r is not NAME or NAME=VALUE" % (ctx.label, d))
        args.add("-D", d)
    args.add("-o", out)
    args.add(src)
    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = [src] + ctx.files.includes,
        outputs = [out],
        mnemonic = "DtsCpp",
        progress_message = "Preprocessing device tree %s" % src.short_path,
    )
    return out

dtb = rule(
    implementation = _dtb_impl,
    doc = """A device tree blob, byte-identical to `dtc -I dts -O dtb` on the same source.

`#include`, `#define` and `#if` are the C preprocessor's, not dtc's: with
`preprocess = True` the source first goes through `fwtool cpp` the way the
kernel's Makefile runs cpp over .dts files (`-nostdinc -undef -x
assembler-with-cpp -D__DTS__`, plus `defines`), so no host cpp is needed.
Headers and dtc's own `/include/` and `/incbin/` files are listed in
`includes`; they are looked up next to the source, then in each include
file's directory, then in `include_dirs`.""",
    attrs = {
        "src": attr.label(allow_single_file = True, mandatory = True, doc = "The .dts source."),
        "preprocess": attr.bool(default = False, doc = "Run the C preprocessor (fwtool cpp) over src first, for #include/#define/#if."),
        "defines": attr.string_list(doc = "NAME or NAME=VALUE macros for the preprocessor (needs preprocess = True)."),
        "includes": attr.label_list(allow_files = True, doc = "Files /include/ and /incbin/ name: .dtsi, binary blobs, other rules' outputs."),
        "include_dirs": attr.string_list(doc = "Extra search directories (dtc -i), relative to the package."),
        "padding": attr.string(doc = "Bytes of free space after the blob (dtc -p)."),
        "min_size": attr.string(doc = "Make the blob at least this big (dtc -S)."),
        "align": attr.string(doc = "Align the blob size to this power of two (dtc -a)."),
        "boot_cpu": attr.string(doc = "Boot CPU id in the header (dtc -b); default: as dtc guesses it."),
        "reserve_slots": attr.int(default = 0, doc = "Empty memory reservation entries to add (dtc -R)."),
        "symbols": attr.bool(doc = "Add /__symbols__ for every label, for overlays (dtc -@)."),
        "out": attr.string(doc = "Output file name; defaults to <name>.dtb."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
