"""stm32_flashlayout: the .tsv STM32CubeProgrammer factory-flashes from.

The output directory holds the layout and a real copy of every binary it
names (holes kept), so it can be copied to the flashing PC and
`STM32_Programmer_CLI -c port=usb1 -w <dir>/FlashLayout.tsv` works as is;
output group 'archive' packs the same into one reproducible .tar.gz.
"""

load(":disk.bzl", "DiskImageInfo")
load(":providers.bzl", "FirmwareImageInfo")
load(":toolchain.bzl", "FWTOOL_TOOLCHAIN_TYPE", "fwtool_of")

_FILESYSTEM_KINDS = ["vfat", "squashfs", "ext2", "ext3", "ext4"]

def _one_file(ctx, attr):
    target = getattr(ctx.attr, attr)
    if not target:
        return None
    if FirmwareImageInfo in target:
        return target[FirmwareImageInfo].file
    files = target[DefaultInfo].files.to_list()
    if len(files) != 1:
        fail("%s: attribute '%s': %s gives %d files, want exactly one" % (ctx.label, attr, target.label, len(files)))
    return files[0]

def _flashlayout_impl(ctx):
    if ctx.attr.form not in ["raw", "partitions"]:
        fail("%s: attribute 'form': unknown value %r (raw or partitions)" % (ctx.label, ctx.attr.form))
    disk = ctx.attr.disk[DiskImageInfo]
    if ctx.attr.form == "raw" and (ctx.attr.emmc_boot1 or ctx.attr.emmc_boot2):
        fail("%s: attributes 'emmc_boot1'/'emmc_boot2' need form = \"partitions\"" % ctx.label)

    staged = {}  # basename -> File staged beside the layout
    entries = [
        _entry("-", "0x01", "fsbl-boot", "Binary", "none", "0x0", _stage(staged, _one_file(ctx, "fsbl_boot"))),
        _entry("-", "0x03", "ssbl-boot", "Binary", "none", "0x0", _stage(staged, _one_file(ctx, "ssbl_boot"))),
    ]
    if ctx.attr.form == "raw":
        entries.append(_entry("P", "0x10", ctx.attr.disk_name, "RawImage", ctx.attr.device, "0x0", _stage(staged, disk.file)))
    else:
        next_id = 4
        for attr, where, name in [("emmc_boot1", "boot1", "fsbl1"), ("emmc_boot2", "boot2", "fsbl2")]:
            f = _one_file(ctx, attr)
            if f:
                entries.append(_entry("P", _hex_id(next_id), name + "-" + where, "Binary", ctx.attr.device, where, _stage(staged, f)))
                next_id += 1
        next_id = 16
        for p in disk.partitions:
            if not p.image or p.settings.get("in_partition_table", True) == False:
                continue
            if p.settings.get("legacy_bios_bootable") or p.settings.get("bootable"):
                kind = "System"
            elif p.image_kind in _FILESYSTEM_KINDS:
                kind = "FileSystem"
            else:
                kind = "Binary"
            entries.append(_entry("P", _hex_id(next_id), p.name, kind, ctx.attr.device, "auto", _stage(staged, p.image)))
            next_id += 1

    manifest = {
        "version": 1,
        "entries": entries,
        "disk": {"image": disk.file.path, "device": ctx.attr.device},
    }
    manifest_file = ctx.actions.declare_file(ctx.label.name + ".flashlayout.json")
    ctx.actions.write(manifest_file, json.encode(manifest))
    out = ctx.actions.declare_file("%s/FlashLayout_%s.tsv" % (ctx.label.name, ctx.label.name))

    # Real copies beside the .tsv (holes kept), not symlinks into the build
    # tree: the directory is what gets copied to the flashing PC.
    copies = [ctx.actions.declare_file("%s/%s" % (ctx.label.name, name)) for name in staged]
    stage_args = ["--stage=%s=%s" % (name, f.path) for name, f in staged.items()]
    inputs = [manifest_file, disk.file] + staged.values()
    _run_flashlayout(ctx, ["--manifest", manifest_file.path, "--output", out.path] + stage_args, inputs, [out] + copies, "Writing flash layout %s" % out.short_path)

    # The same, as one archive for the flashing PC; built on request only
    # (output group 'archive'): it holds a copy of the whole disk image.
    archive = ctx.actions.declare_file("%s.flashlayout.tar.gz" % ctx.label.name)
    _run_flashlayout(ctx, ["--manifest", manifest_file.path, "--archive", archive.path, "--name", out.basename] + stage_args, inputs, [archive], "Archiving flash layout %s" % archive.short_path)
    return [
        DefaultInfo(files = depset([out] + copies), runfiles = ctx.runfiles([out] + copies)),
        OutputGroupInfo(layout = depset([out]), archive = depset([archive])),
    ]

def _run_flashlayout(ctx, arguments, inputs, outputs, message):
    ctx.actions.run(
        executable = fwtool_of(ctx),
        arguments = ["flashlayout"] + arguments,
        inputs = inputs,
        outputs = outputs,
        mnemonic = "FlashLayout",
        progress_message = message,
    )

def _hex_id(n):
    """0x-prefixed two-digit hex (Starlark's % has no width flags)."""
    digits = "0123456789abcdef"
    return "0x" + digits[n // 16] + digits[n % 16]

def _stage(staged, f):
    """Stages f beside the layout; returns the name the layout uses for it."""
    name = f.basename
    if name in staged and staged[name] != f:
        name = f.short_path.replace("/", "_")
    if name not in staged:
        staged[name] = f
    return name

def _entry(option, id, name, type, device, offset, binary):
    return {"option": option, "id": id, "name": name, "type": type, "device": device, "offset": offset, "binary": binary}

stm32_flashlayout = rule(
    implementation = _flashlayout_impl,
    doc = """An STM32CubeProgrammer flash layout for a disk image, checked against it.

form = "raw": the whole-disk form of ST's factory-flashing article (FSBL and
SSBL for the USB session, then the disk image as one RawImage).
form = "partitions": one line per partition of the disk (offsets read from
the built image), plus the eMMC boot partitions when given.""",
    attrs = {
        "disk": attr.label(mandatory = True, providers = [DiskImageInfo], doc = "The disk_image to flash."),
        "fsbl_boot": attr.label(mandatory = True, allow_files = True, doc = "FSBL for the USB programming session (e.g. TF-A or u-boot-spl.stm32)."),
        "ssbl_boot": attr.label(mandatory = True, allow_files = True, doc = "SSBL for the USB programming session (e.g. u-boot.stm32 / u-boot.img)."),
        "device": attr.string(default = "mmc0", doc = "Target device (IP column): mmc0 for SD, mmc1 for eMMC, ..."),
        "form": attr.string(default = "raw", doc = "raw or partitions."),
        "disk_name": attr.string(default = "sdcard", doc = "Name of the RawImage line."),
        "emmc_boot1": attr.label(allow_files = True, doc = "Image for eMMC boot partition 1 (partitions form)."),
        "emmc_boot2": attr.label(allow_files = True, doc = "Image for eMMC boot partition 2 (partitions form)."),
    },
    toolchains = [FWTOOL_TOOLCHAIN_TYPE],
)
