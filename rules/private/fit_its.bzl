"""fit_image_from_its: a FIT image from an .its source, as `mkimage -f x.its` makes it."""

load(":numbers.bzl", "check_hex_address")
load(":providers.bzl", "FirmwareImageInfo", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

_KEY_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._+-@"

def _data_files(ctx):
    files = []
    for target in ctx.attr.data:
        if FirmwareImageInfo in target:
            files.append(target[FirmwareImageInfo].file)
        else:
            files.extend(target.files.to_list())
    return files

def _staged_name(its, f):
    """Where /incbin/ in the .its finds f: its path below the .its's directory, else its basename."""
    its_dir = its.short_path.rpartition("/")[0]
    prefix = its_dir + "/" if its_dir else ""
    if prefix and f.short_path.startswith(prefix):
        return f.short_path[len(prefix):]
    if not prefix and not f.short_path.startswith("../"):
        return f.short_path
    return f.basename

def _stage(ctx, its, data):
    """Symlinks the .its and its data side by side.

    Then /incbin/("name") resolves next to the .its for both fwtool and dtc,
    whether a file is a source or an output of another rule, in any package.
    """
    root = ctx.label.name + ".fit_inputs/"
    staged_its = ctx.actions.declare_file(root + its.basename)
    ctx.actions.symlink(output = staged_its, target_file = its)
    staged = [staged_its]
    seen = {its.basename: its}
    for f in data:
        name = _staged_name(its, f)
        if name in seen:
            if seen[name] == f:
                continue
            fail("%s: attribute 'data': %s and %s would both be /incbin/(\"%s\") next to %s" % (ctx.label, seen[name].short_path, f.short_path, name, its.basename))
        seen[name] = f
        link = ctx.actions.declare_file(root + name)
        ctx.actions.symlink(output = link, target_file = f)
        staged.append(link)
    return staged_its, staged

def _stage_keys(ctx):
    """Symlinks each key as KEYDIR/NAME.key, mkimage -k's layout.

    Only the directory goes on the command line, never a key file.
    """
    keys = []
    names = {}
    for target, name in ctx.attr.keys.items():
        if not name or [c for c in name.elems() if c not in _KEY_NAME_CHARS]:
            fail("%s: attribute 'keys': %r is not a key name (letters, digits and ,._+-@)" % (ctx.label, name))
        if name in names:
            fail("%s: attribute 'keys': key %r given twice (%s and %s)" % (ctx.label, name, names[name], target.label))
        names[name] = target.label
        files = target.files.to_list()
        if len(files) != 1:
            fail("%s: attribute 'keys': %s gives %d files, want one PEM private key" % (ctx.label, target.label, len(files)))
        link = ctx.actions.declare_file(ctx.label.name + ".fit_keys/" + name + ".key")
        ctx.actions.symlink(output = link, target_file = files[0])
        keys.append(link)
    return keys

def _fit_image_from_its_impl(ctx):
    its = ctx.file.its
    if not its.basename.endswith((".its", ".dts")):
        fail("%s: attribute 'its': %s is not an .its source" % (ctx.label, its.short_path))
    check_hex_address(ctx.label, "external_alignment", ctx.attr.external_alignment)
    check_hex_address(ctx.label, "external_position", ctx.attr.external_position)
    if (ctx.attr.external_alignment or ctx.attr.external_position) and not ctx.attr.external_data:
        fail("%s: attributes 'external_alignment' and 'external_position' need external_data = True (mkimage -B/-p go with -E)" % ctx.label)
    if ctx.attr.timestamp < 0:
        fail("%s: attribute 'timestamp': %d is negative" % (ctx.label, ctx.attr.timestamp))

    staged_its, staged = _stage(ctx, its, _data_files(ctx))
    keys = _stage_keys(ctx)
    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".itb")
    args = ctx.actions.args()
    args.add("mkimage")
    args.add("-f", staged_its)
    if ctx.attr.external_data:
        args.add("-E")
    if ctx.attr.external_alignment:
        args.add("-B", ctx.attr.external_alignment)
    if ctx.attr.external_position:
        args.add("-p", ctx.attr.external_position)
    if keys:
        args.add("-k", keys[0].dirname)
    args.add("-q")
    args.add(out)

    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = staged + keys,
        outputs = [out],
        # mkimage's clock for the timestamp properties: fwtool writes 0
        # unless SOURCE_DATE_EPOCH is set.
        env = {"SOURCE_DATE_EPOCH": str(ctx.attr.timestamp)} if ctx.attr.timestamp else {},
        mnemonic = "FitImage",
        progress_message = "Writing FIT %s" % out.short_path,
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        # The .its with its data beside it, as mkimage -f would want them.
        OutputGroupInfo(fit_inputs = depset(staged)),
        firmware_image_info(
            file = out,
            kind = "fit",
            metadata = {
                "its": its.short_path,
                "external": "1" if ctx.attr.external_data else "0",
            },
        ),
    ]

fit_image_from_its = rule(
    implementation = _fit_image_from_its_impl,
    doc = """A FIT image from an .its source, byte-identical to `mkimage -f x.its [-E] [-B] [-p] [-k]`.

The .its is compiled by fwtool's DTS compiler (no dtc). Every file its
`/incbin/` names must be in `data`; they are placed next to the .its, at
their path below the .its's directory (or, for files from elsewhere, e.g.
another package's dtb rule, at their basename), so write
`/incbin/("kernel.bin")` or `/incbin/("board.dtb")`.

Signature nodes in the .its (`signature-1 { algo = "sha256,rsa2048";
key-name-hint = "dev"; }`) are signed with the PEM private key given in
`keys` for that name; the key reaches fwtool as a file in a key directory
(mkimage -k), never on the command line. Writing public keys into a U-Boot
control DTB (mkimage -K) is fit_image's `control_dtb`.""",
    attrs = {
        "its": attr.label(allow_single_file = True, mandatory = True, doc = "The .its source."),
        "data": attr.label_list(allow_files = True, doc = "Files the .its /incbin/s: sources or other rules' images."),
        "keys": attr.label_keyed_string_dict(allow_files = True, doc = "PEM private key file -> key name (key-name-hint in the .its)."),
        "external_data": attr.bool(doc = "Place image data after the FDT (mkimage -E)."),
        "external_alignment": attr.string(doc = "External data alignment, hex (mkimage -B); default 4."),
        "external_position": attr.string(doc = "Absolute file offset of the external data, hex (mkimage -p)."),
        "timestamp": attr.int(default = 0, doc = "timestamp property, seconds since the epoch; 0 keeps outputs reproducible."),
        "out": attr.string(doc = "Output file name; defaults to <name>.itb."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
