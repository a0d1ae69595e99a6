"""The fwtool toolchain: lets a user bring a prebuilt fwtool.

By default fwtool is built from source (//tools/fwtool). A product that
wants a prebuilt binary declares its own fwtool_toolchain with that binary
and registers it before rules_firmware's default.
"""

FWTOOL_TOOLCHAIN_TYPE = str(Label("//rules:toolchain_type"))

def _fwtool_toolchain_impl(ctx):
    return [platform_common.ToolchainInfo(fwtool = ctx.attr.fwtool[DefaultInfo].files_to_run)]

fwtool_toolchain = rule(
    implementation = _fwtool_toolchain_impl,
    doc = "Declares an fwtool binary for rules_firmware's actions.",
    attrs = {
        "fwtool": attr.label(
            mandatory = True,
            executable = True,
            cfg = "exec",
            doc = "The fwtool binary (built from source, or a prebuilt file).",
        ),
    },
)

def fwtool_of(ctx):
    """The FilesToRunProvider of the resolved fwtool."""
    return ctx.toolchains[FWTOOL_TOOLCHAIN_TYPE].fwtool
