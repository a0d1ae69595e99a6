"""fit_image: a U-Boot Flattened Image Tree (.itb), byte-identical to mkimage -f.

    fit_component(name = "kernel", src = "Image", image_type = "kernel", arch = "arm64",
                  load_address = "0x80080000", hashes = ["sha256"])
    fit_component(name = "fdt-1", src = ":board_dtb", image_type = "flat_dt", arch = "arm64")
    fit_image(
        name = "boot",
        images = [":kernel", ":fdt-1"],
        configurations = {"conf-1": ["kernel=kernel", "fdt=fdt-1", "compatible=vendor,board"]},
        signatures = {"conf-1": ["sha256,rsa2048:dev"]},
        keys = {":dev.pem": "dev"},
        control_dtb = ":u-boot.dtb",
    )
"""

load(":providers.bzl", "FirmwareImageInfo", "firmware_image_info")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

FitComponentInfo = provider(
    doc = "One /images node of a FIT.",
    fields = {
        "node": "string: node name under /images.",
        "file": "File: the data.",
        "spec": "dict: the node's fields for fwtool fit's JSON description (without data_file).",
    },
)

# fwtool validates names against U-Boot's tables; these catch typos at
# analysis time with the target and attribute in the message.
FIT_TYPES = ["standalone", "kernel", "kernel_noload", "ramdisk", "firmware", "script", "filesystem", "flat_dt", "fpga", "tee"]
FIT_HASHES = ["crc16-ccitt", "crc32", "md5", "sha1", "sha256", "sha384", "sha512"]
FIT_SIG_ALGOS = [c + ",rsa" + b for c in ["sha1", "sha256", "sha384", "sha512"] for b in ["2048", "3072", "4096"]]
FIT_COMPRESSIONS = ["none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd"]
_CONF_KEYS = ["description", "kernel", "firmware", "ramdisk", "fdt", "loadables", "compatible"]

def _hex(ctx, attr, value):
    if not value:
        return None
    digits = value[2:] if value.lower().startswith("0x") else value
    if not digits or [c for c in digits.lower().elems() if c not in "0123456789abcdef"]:
        fail("%s: attribute '%s': %r is not a hex number" % (ctx.label, attr, value))
    if len(digits.lstrip("0")) > 16:
        fail("%s: attribute '%s': %r does not fit in 64 bits" % (ctx.label, attr, value))
    return "0x" + digits.lower()

def _fit_component_impl(ctx):
    if ctx.attr.image_type not in FIT_TYPES:
        fail("%s: attribute 'image_type': unknown value %r (one of: %s)" % (ctx.label, ctx.attr.image_type, ", ".join(FIT_TYPES)))
    if ctx.attr.compression not in FIT_COMPRESSIONS:
        fail("%s: attribute 'compression': unknown value %r (one of: %s)" % (ctx.label, ctx.attr.compression, ", ".join(FIT_COMPRESSIONS)))
    for h in ctx.attr.hashes:
        if h not in FIT_HASHES:
            fail("%s: attribute 'hashes': unknown algorithm %r (one of: %s)" % (ctx.label, h, ", ".join(FIT_HASHES)))
    src = ctx.file.src
    if FirmwareImageInfo in ctx.attr.src:
        src = ctx.attr.src[FirmwareImageInfo].file
    spec = {
        "name": ctx.attr.node_name or ctx.label.name,
        "description": ctx.attr.description,
        "type": ctx.attr.image_type,
        "arch": ctx.attr.arch,
        "os": ctx.attr.os,
        "compression": ctx.attr.compression,
        "hashes": ctx.attr.hashes,
    }

    # Addresses travel as hex text (Starlark ints may be 32-bit); fwtool's
    # JSON reader accepts hex strings.
    load_addr = _hex(ctx, "load_address", ctx.attr.load_address)
    entry = _hex(ctx, "entry_point", ctx.attr.entry_point)
    if load_addr:
        spec["load"] = load_addr
    if entry:
        spec["entry"] = entry
    return [
        DefaultInfo(files = depset([src])),
        FitComponentInfo(node = spec["name"], file = src, spec = spec),
    ]

fit_component = rule(
    implementation = _fit_component_impl,
    doc = "One image of a fit_image (an /images node): data plus type, arch, os, compression, addresses and hash nodes.",
    attrs = {
        "src": attr.label(allow_single_file = True, mandatory = True, doc = "The data (a file, or any rule returning FirmwareImageInfo)."),
        "node_name": attr.string(doc = "Node name under /images; defaults to the target name."),
        "description": attr.string(doc = "The image node's description property."),
        "image_type": attr.string(default = "kernel", doc = "kernel, ramdisk, flat_dt, firmware, script, standalone, tee, fpga, ..."),
        "arch": attr.string(default = "", doc = "arm, arm64, riscv, x86_64, ... (empty: no arch property)."),
        "os": attr.string(default = "", doc = "linux, u-boot, arm-trusted-firmware, tee, opensbi, ... (empty: none)."),
        "compression": attr.string(default = "none", doc = "Compression the data already has: none, gzip, bzip2, lzma, lzo, lz4, zstd."),
        "load_address": attr.string(doc = "Load address, hex; above 32 bits it is written as two cells."),
        "entry_point": attr.string(doc = "Entry point, hex."),
        "hashes": attr.string_list(default = ["sha256"], doc = "Hash nodes hash-1, hash-2, ...: crc16-ccitt, crc32, md5, sha1, sha256, sha384, sha512 (what mkimage accepts)."),
    },
)

def _fit_image_impl(ctx):
    if not ctx.attr.description:
        fail("%s: attribute 'description': empty (U-Boot and mkimage require the FIT root's description)" % ctx.label)
    images = []
    nodes = {}
    inputs = []
    for dep in ctx.attr.images:
        c = dep[FitComponentInfo]
        if c.node in nodes:
            fail("%s: attribute 'images': two images named %r" % (ctx.label, c.node))
        nodes[c.node] = True
        spec = dict(c.spec)
        spec["data_file"] = c.file.path
        images.append(spec)
        inputs.append(c.file)
    if not images:
        fail("%s: attribute 'images': no images" % ctx.label)

    configs = []
    for conf, items in ctx.attr.configurations.items():
        entry = {"name": conf}
        for item in items:
            key, sep, value = item.partition("=")
            if not sep or key not in _CONF_KEYS:
                fail("%s: attribute 'configurations': %r in %r is not KEY=VALUE with KEY one of %s" % (ctx.label, item, conf, ", ".join(_CONF_KEYS)))
            if key in ["fdt", "loadables"]:
                entry[key] = value.split(",")
            else:
                entry[key] = value
            if key not in ["description", "compatible"]:
                for ref in value.split(","):
                    if ref not in nodes:
                        fail("%s: attribute 'configurations': %r names image %r, which is not in 'images'" % (ctx.label, conf, ref))
        sigs = []
        for sig in ctx.attr.signatures.get(conf, []):
            parts = sig.split(":")
            if len(parts) not in [2, 3] or parts[0] not in FIT_SIG_ALGOS or (len(parts) == 3 and parts[2] not in ["pss", "pkcs-1.5"]):
                fail("%s: attribute 'signatures': %r is not ALGO:KEYNAME[:pss] with ALGO one of %s" % (ctx.label, sig, ", ".join(FIT_SIG_ALGOS)))
            s = {"algo": parts[0], "key_name": parts[1]}
            if len(parts) == 3:
                s["padding"] = parts[2]
            if ctx.attr.sign_images:
                s["sign_images"] = ctx.attr.sign_images
            sigs.append(s)
        if sigs:
            entry["signatures"] = sigs
        configs.append(entry)
    for conf in ctx.attr.signatures:
        if conf not in ctx.attr.configurations:
            fail("%s: attribute 'signatures': %r is not a configuration" % (ctx.label, conf))
    default = ctx.attr.default_configuration
    if not default and configs:
        default = configs[0]["name"]
    if default and default not in ctx.attr.configurations:
        fail("%s: attribute 'default_configuration': %r is not a configuration" % (ctx.label, default))

    spec = {
        "description": ctx.attr.description,
        "default": default,
        "images": images,
        "configurations": configs,
    }

    spec_file = ctx.actions.declare_file(ctx.label.name + ".fit.json")
    ctx.actions.write(spec_file, json.encode(spec))

    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".itb")
    its = ctx.actions.declare_file(ctx.label.name + ".its")
    outputs = [out, its]
    args = ctx.actions.args()
    args.add("fit")
    args.add("--spec", spec_file)
    args.add("-o", out)
    args.add("--its", its)
    if ctx.attr.external_data:
        args.add("-E")
    alignment = _hex(ctx, "external_alignment", ctx.attr.external_alignment)
    position = _hex(ctx, "external_position", ctx.attr.external_position)
    if (alignment or position) and not ctx.attr.external_data:
        fail("%s: 'external_alignment'/'external_position' need external_data = True" % ctx.label)
    if alignment:
        args.add("-B", alignment)
    if position:
        args.add("-p", position)
    names = {}
    for key, name in ctx.attr.keys.items():
        if name in names:
            fail("%s: attribute 'keys': two files for key %r" % (ctx.label, name))
        names[name] = True
        f = key.files.to_list()
        if len(f) != 1:
            fail("%s: attribute 'keys': %s must be one PEM file" % (ctx.label, key.label))
        args.add("--key", "%s=%s" % (name, f[0].path))
        inputs.append(f[0])
    for conf in ctx.attr.signatures.values():
        for sig in conf:
            if sig.split(":")[1] not in names:
                fail("%s: attribute 'signatures': key %r has no file in 'keys'" % (ctx.label, sig.split(":")[1]))
    control = None
    if ctx.file.control_dtb:
        control = ctx.actions.declare_file(ctx.label.name + ".control.dtb")
        outputs.append(control)
        args.add("--control-in", ctx.file.control_dtb)
        args.add("--control-out", control)
        inputs.append(ctx.file.control_dtb)
    if ctx.attr.require_keys:
        args.add("-r")
    if ctx.attr.timestamp < 0:
        fail("%s: attribute 'timestamp': %d is negative" % (ctx.label, ctx.attr.timestamp))

    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = [args],
        inputs = inputs + [spec_file],
        outputs = outputs,
        env = {"SOURCE_DATE_EPOCH": str(ctx.attr.timestamp)},
        mnemonic = "FitImage",
        progress_message = "Writing FIT %s" % out.short_path,
    )
    groups = {"its": depset([its]), "spec": depset([spec_file])}
    if control:
        groups["control_dtb"] = depset([control])
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out])),
        OutputGroupInfo(**groups),
        firmware_image_info(
            file = out,
            kind = "fit",
            metadata = {"default": default or "", "external": "1" if ctx.attr.external_data else "0"},
        ),
    ]

fit_image = rule(
    implementation = _fit_image_impl,
    doc = """A FIT image, byte-identical to `mkimage -f` on the equivalent .its
(written as the 'its' output group), optionally signed with
signature-N nodes and with the public keys written into a copy of a U-Boot
control DTB (output group 'control_dtb'). Keys are PEM files given as labels;
their contents never reach the command line, outputs or logs.""",
    attrs = {
        "images": attr.label_list(providers = [FitComponentInfo], mandatory = True, doc = "fit_component targets, in node order."),
        "description": attr.string(mandatory = True, doc = "Root description (mkimage and U-Boot require one)."),
        "configurations": attr.string_list_dict(doc = "Configuration name -> [\"kernel=NODE\", \"fdt=NODE[,NODE]\", \"ramdisk=NODE\", \"firmware=NODE\", \"loadables=NODE[,NODE]\", \"compatible=...\", \"description=...\"]."),
        "default_configuration": attr.string(doc = "Default configuration; the first one when empty."),
        "signatures": attr.string_list_dict(doc = "Configuration name -> [\"sha256,rsa2048:KEYNAME\" or \"...:KEYNAME:pss\"], one signature-N node each."),
        "sign_images": attr.string_list(doc = "sign-images of every signature (default: U-Boot's kernel, fdt)."),
        "keys": attr.label_keyed_string_dict(allow_files = True, doc = "PEM private key file -> key name (key-name-hint)."),
        "control_dtb": attr.label(allow_single_file = True, doc = "U-Boot control DTB to copy and add /signature/key-NAME nodes to."),
        "require_keys": attr.bool(default = False, doc = "Mark keys required = \"conf\" (mkimage -r)."),
        "external_data": attr.bool(default = False, doc = "Data after the FDT (mkimage -E)."),
        "external_alignment": attr.string(doc = "External data alignment, hex (mkimage -B)."),
        "external_position": attr.string(doc = "Absolute external data position, hex (mkimage -p)."),
        "timestamp": attr.int(default = 0, doc = "timestamp properties, seconds since the epoch."),
        "out": attr.string(doc = "Output name; defaults to <name>.itb."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
