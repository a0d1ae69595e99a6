"""uboot_env: a U-Boot environment image, as mkenvimage writes it."""

load(":numbers.bzl", "parse_c_number")
load(":providers.bzl", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

# CRC (4) + the flag byte of a redundant environment + at least "\0\0".
_HEADER = 4
_REDUNDANT_HEADER = 5

def _uboot_env_impl(ctx):
    if not ctx.attr.vars and not ctx.file.src:
        fail("%s: attributes 'vars' and 'src': give one of them" % ctx.label)
    if ctx.attr.vars and ctx.file.src:
        fail("%s: attributes 'vars' and 'src' both set: give the variables either as a dict or as a text file" % ctx.label)
    for name in ctx.attr.vars:
        if not name or "=" in name:
            fail("%s: attribute 'vars': invalid variable name %r (empty or containing '=')" % (ctx.label, name))
    size = parse_c_number(ctx.label, "env_size", ctx.attr.env_size)
    header = _REDUNDANT_HEADER if ctx.attr.redundant else _HEADER
    if size <= header + 1:
        fail("%s: attribute 'env_size': %s is too small for the %d-byte header and an empty environment" % (ctx.label, ctx.attr.env_size, header))
    if ctx.attr.vars:
        # name=value\0 per variable and the final \0, as mkenvimage packs them.
        data = 1
        for k, v in ctx.attr.vars.items():
            data += len(k) + len(v) + 2
        if data > size - header:
            fail("%s: attribute 'vars': %d bytes of variables do not fit the %d bytes 'env_size' %s leaves after the %d-byte header" % (ctx.label, data, size - header, ctx.attr.env_size, header))
    pad_byte = parse_c_number(ctx.label, "pad_byte", ctx.attr.pad_byte)
    if pad_byte > 255:
        fail("%s: attribute 'pad_byte': %s does not fit a byte" % (ctx.label, ctx.attr.pad_byte))

    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".env")
    args = ctx.actions.args()
    args.add("mkenvimage")
    args.add("-s", ctx.attr.env_size)
    if ctx.attr.redundant:
        args.add("-r")
    if ctx.attr.big_endian:
        args.add("-b")
    args.add("-p", ctx.attr.pad_byte)
    args.add("-o", out)
    if ctx.attr.vars:
        # A dict keeps its order; fwtool writes the variables in that order.
        vars_json = ctx.actions.declare_file(ctx.label.name + ".env.json")
        ctx.actions.write(vars_json, json.encode([[k, v] for k, v in ctx.attr.vars.items()]))
        args.add("--vars-json", vars_json)
        inputs = [vars_json]
    else:
        args.add(ctx.file.src)
        inputs = [ctx.file.src]

    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = inputs,
        outputs = [out],
        mnemonic = "UBootEnv",
        progress_message = "Writing U-Boot environment %s" % out.short_path,
    )
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        firmware_image_info(
            file = out,
            kind = "env",
            metadata = {
                "size": ctx.attr.env_size,
                "redundant": "true" if ctx.attr.redundant else "false",
                "big_endian": "true" if ctx.attr.big_endian else "false",
            },
        ),
    ]

uboot_env = rule(
    implementation = _uboot_env_impl,
    doc = """A U-Boot environment image, byte-identical to `mkenvimage -s [-r] [-b] [-p]`.

Variables come from `vars` (a dict, written in its order) or from `src`, a
text file in mkenvimage's syntax: name=value lines, '#' comments and empty
lines skipped, a backslash at the end of a line continues the value.""",
    attrs = {
        "vars": attr.string_dict(doc = "Variables, name -> value, written in this order."),
        "src": attr.label(allow_single_file = True, doc = "A text file of name=value lines (mkenvimage's input)."),
        "env_size": attr.string(mandatory = True, doc = "Size of the environment storage: decimal, 0x hex or 0 octal (mkenvimage -s)."),
        "redundant": attr.bool(doc = "Redundant environment: a flag byte follows the CRC (mkenvimage -r)."),
        "big_endian": attr.bool(doc = "Store the CRC big-endian (mkenvimage -b)."),
        "pad_byte": attr.string(default = "0xff", doc = "Fill byte for the unused area (mkenvimage -p)."),
        "out": attr.string(doc = "Output file name; defaults to <name>.env."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
