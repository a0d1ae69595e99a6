"""missing_input: stands in for an external blob that is not there.

Without --@rules_firmware//rules:allow_missing, any build that needs it
fails naming what is missing. With it, the target yields fake contents (so
the rest of an image can still be laid out and inspected) and warns.
"""

load("@bazel_skylib//rules:common_settings.bzl", "BuildSettingInfo")

def _missing_input_impl(ctx):
    if not ctx.attr._allow_missing[BuildSettingInfo].value:
        fail("%s: missing input '%s': %s" % (ctx.label, ctx.attr.path, ctx.attr.hint))

    # buildifier: disable=print
    print("WARNING: %s: missing input '%s' replaced by fake contents (allow_missing is set); the image will not boot" % (ctx.label, ctx.attr.path))
    out = ctx.actions.declare_file(ctx.label.name + ".fake")
    ctx.actions.write(out, "FAKE CONTENTS for missing '%s'\n" % ctx.attr.path)
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out]))]

missing_input = rule(
    implementation = _missing_input_impl,
    attrs = {
        "path": attr.string(mandatory = True),
        "hint": attr.string(mandatory = True),
        "_allow_missing": attr.label(default = "//rules:allow_missing"),
    },
)
