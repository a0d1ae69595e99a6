"""emmc_variant: targets of //boards/stm32mp157 built with want_boot_image = true.

The board's update bundle and system.conf follow that flag (the eMMC
variant adds the boot-emmc slot); a test needs both variants in one build.
"""

# A Label: under Bzlmod a plain string would resolve elsewhere.
_FLAG = str(Label("//boards/stm32mp157:want_boot_image"))

def _emmc_transition_impl(_settings, _attr):
    return {_FLAG: True}

_emmc_transition = transition(
    implementation = _emmc_transition_impl,
    inputs = [],
    outputs = [_FLAG],
)

def _emmc_variant_impl(ctx):
    files = depset(transitive = [t[DefaultInfo].files for t in ctx.attr.srcs])
    return [DefaultInfo(files = files, runfiles = ctx.runfiles(transitive_files = files))]

emmc_variant = rule(
    implementation = _emmc_variant_impl,
    doc = "The files of srcs, built with //boards/stm32mp157:want_boot_image = true.",
    attrs = {
        "srcs": attr.label_list(cfg = _emmc_transition),
        "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
    },
)
