"""extlinux_conf: the extlinux.conf U-Boot's distro boot reads from bootfs."""

def _extlinux_conf_impl(ctx):
    if not ctx.attr.labels:
        fail("%s: attribute 'labels': give at least one boot entry" % ctx.label)
    lines = []
    if ctx.attr.menu_title:
        lines.append("menu title " + ctx.attr.menu_title)
    lines.append("timeout %d" % ctx.attr.timeout)
    default = ctx.attr.default or ctx.attr.labels.keys()[0]
    if default not in ctx.attr.labels:
        fail("%s: attribute 'default': %r is not one of the labels (%s)" % (ctx.label, default, ", ".join(ctx.attr.labels.keys())))
    lines.append("default " + default)
    for label, kernel in ctx.attr.labels.items():
        if not kernel.startswith("/"):
            fail("%s: attribute 'labels': kernel path %r of '%s' must be absolute in bootfs" % (ctx.label, kernel, label))
        lines.append("label " + label)
        lines.append("\tkernel " + kernel)
        if ctx.attr.fdt:
            lines.append("\tfdt " + ctx.attr.fdt)
        if ctx.attr.initrd:
            lines.append("\tinitrd " + ctx.attr.initrd)
        if ctx.attr.append:
            lines.append("\tappend " + ctx.attr.append)
    out = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".conf")
    ctx.actions.write(out, "\n".join(lines) + "\n")
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out]))]

extlinux_conf = rule(
    implementation = _extlinux_conf_impl,
    doc = "An extlinux.conf (U-Boot distro boot / syslinux format); put it at extlinux/extlinux.conf in a boot filesystem.",
    attrs = {
        "labels": attr.string_dict(mandatory = True, doc = "Boot entry label -> kernel path in bootfs (e.g. {\"linux\": \"/zImage\"})."),
        "default": attr.string(doc = "Default label; the first one when empty."),
        "fdt": attr.string(doc = "Device tree path in bootfs."),
        "initrd": attr.string(doc = "Initial ramdisk path in bootfs."),
        "append": attr.string(doc = "Kernel command line."),
        "menu_title": attr.string(doc = "MENU TITLE line shown above the boot entries."),
        "timeout": attr.int(default = 10, doc = "Tenths of a second U-Boot waits for a choice."),
        "out": attr.string(doc = "Output file name; default <name>.conf."),
    },
)
