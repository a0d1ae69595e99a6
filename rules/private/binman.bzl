"""binman_image: build the images a U-Boot binman description describes.

The description is the /binman node of a compiled device tree (a `dtb`
target or a prebuilt .dtb); the blobs it names are staged in one input
directory, and `fwtool build -d` builds every image, byte-identical to
`binman build -d DTB -I DIR -O OUT -m [-u] [-M]`.
"""

load("@bazel_skylib//rules:common_settings.bzl", "BuildSettingInfo")
load(":providers.bzl", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

def _stem(path):
    base = path.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base else base

def _check_relative(ctx, attr, path):
    if not path or path.startswith("/") or ".." in path.split("/"):
        fail("%s: attribute '%s': %r must be a relative path inside the directory" % (ctx.label, attr, path))

def _binman_image_impl(ctx):
    if not ctx.attr.images:
        fail("%s: attribute 'images': at least one image must be declared" % ctx.label)

    # binman names a map after the image node, which a custom filename
    # hides; by default it is guessed from the file name.
    maps = []
    if ctx.attr.write_maps:
        maps = ctx.attr.maps or [_stem(i) + ".map" for i in ctx.attr.images]
    elif ctx.attr.maps:
        fail("%s: attribute 'maps' given with write_maps = False" % ctx.label)
    for img in ctx.attr.images:
        _check_relative(ctx, "images", img)
    for m in maps:
        _check_relative(ctx, "maps", m)

    # Stage every input under <name>.binman_in/, where binman's file names
    # (u-boot.bin, spl/u-boot-spl.bin, spl/u-boot-spl ...) find them.
    staged = {}
    for target, path in ctx.attr.inputs.items():
        files = target.files.to_list()
        if not files:
            fail("%s: attribute 'inputs': %s has no files" % (ctx.label, target.label))
        if path and not path.endswith("/") and len(files) > 1:
            fail("%s: attribute 'inputs': %s has %d files; give a directory ending in '/' or none" % (ctx.label, target.label, len(files)))
        for f in files:
            dest = f.basename if not path else (path + f.basename if path.endswith("/") else path)
            _check_relative(ctx, "inputs", dest)
            if dest in staged:
                fail("%s: attribute 'inputs': two files staged as '%s': %s and %s" % (ctx.label, dest, staged[dest].short_path, f.short_path))
            staged[dest] = f
    in_dir = ctx.label.name + ".binman_in"
    links = []
    in_path = None
    for dest in sorted(staged):
        link = ctx.actions.declare_file(in_dir + "/" + dest)
        ctx.actions.symlink(output = link, target_file = staged[dest])
        links.append(link)
        in_path = link.path[:-(len(dest) + 1)]

    out_dir = ctx.label.name
    outs = [ctx.actions.declare_file(out_dir + "/" + i) for i in ctx.attr.images]
    map_files = [ctx.actions.declare_file(out_dir + "/" + m) for m in maps]
    out_path = outs[0].path[:-(len(ctx.attr.images[0]) + 1)]

    dtb = ctx.file.dtb
    args = ctx.actions.args()
    args.add("build")
    args.add("-d", dtb)
    if in_path:
        args.add("-I", in_path)
    args.add("-O", out_path)
    if map_files:
        args.add("-m")
    if ctx.attr.update_fdt:
        args.add("-u")
    if ctx.attr._allow_missing[BuildSettingInfo].value:
        args.add("-M")

    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = [dtb] + links,
        outputs = outs + map_files,
        mnemonic = "BinmanImage",
        progress_message = "Building binman images of %s" % dtb.short_path,
    )
    return [
        DefaultInfo(files = depset(outs), runfiles = ctx.runfiles(outs)),
        OutputGroupInfo(binman_map = depset(map_files)),
        firmware_image_info(
            file = outs[0],
            kind = "layout",
            map = map_files[0] if map_files else None,
            metadata = {"description": dtb.short_path},
        ),
    ]

binman_image = rule(
    implementation = _binman_image_impl,
    doc = """The images described by the binman node of a compiled U-Boot device tree.

Like `binman build -d DTB -I DIR -O OUT -m -u`: every image of the
description is built (one per subnode with `multiple-images`, else
`image.bin` or the node's `filename`), blobs come from `inputs`, and
U-Boot's SPL/TPL get their binman symbols from their ELF files (stage
`spl/u-boot-spl` next to `spl/u-boot-spl.bin`). Declare each output file in
`images`; maps (one per image, named after the image node) are in the
output group 'binman_map'. Missing external blobs are errors unless
--@rules_firmware//rules:allow_missing is set.

    binman_image(
        name = "flash",
        dtb = ":u-boot-dtb",
        inputs = {
            ":spl": "spl/u-boot-spl.bin",
            ":spl_elf": "spl/u-boot-spl",
            ":u-boot-nodtb": "u-boot-nodtb.bin",
        },
    )""",
    attrs = {
        "dtb": attr.label(allow_single_file = True, mandatory = True, doc = "The compiled device tree holding /binman (a `dtb` target or a .dtb file)."),
        "inputs": attr.label_keyed_string_dict(allow_files = True, doc = "Files for the input directory: label -> path inside it (\"\" for the file's basename, \"dir/\" for the basename under dir/)."),
        "images": attr.string_list(default = ["image.bin"], doc = "Output image files, as binman names them: image.bin, <node>.bin with multiple-images, or the node's filename."),
        "maps": attr.string_list(doc = "Map files binman writes (<image node>.map); default: each image's file name with .map."),
        "write_maps": attr.bool(default = True, doc = "Write the map files (binman -m)."),
        "update_fdt": attr.bool(default = True, doc = "Record offsets and sizes in the fdtmap and in u-boot-dtb entries (binman -u)."),
        "_allow_missing": attr.label(default = "//rules:allow_missing"),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
