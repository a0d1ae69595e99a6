"""Analysis tests of ppc_boot_wrapper: one action, fwtool only, the right platform."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "FirmwareImageInfo")

def _action_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "PpcBootWrapper"]
    asserts.equals(env, 1, len(actions), "one PpcBootWrapper action")
    argv = actions[0].argv

    # The action's executable is fwtool: no ld, objcopy, gzip, mkimage, mktree or addnote.
    asserts.true(env, argv[0].endswith("/fwtool"), "executable is fwtool: %s" % argv[0])
    for tool in ["ld", "objcopy", "gzip", "mkimage", "mktree", "addnote", "/bin/sh", "bash"]:
        asserts.false(env, [a for a in argv if a.endswith("/" + tool) or a == tool], "%s in argv %s" % (tool, argv))
    asserts.equals(env, "ppcwrap", argv[1])
    asserts.true(env, ctx.attr.platform in argv, "platform %s in %s" % (ctx.attr.platform, argv))
    outs = sorted([f.basename for f in actions[0].outputs.to_list()])
    asserts.equals(env, sorted(ctx.attr.outputs), outs)
    info = target[FirmwareImageInfo]
    asserts.equals(env, ctx.attr.kind, info.kind)
    asserts.equals(env, "powerpc", info.arch)
    return analysistest.end(env)

action_test = analysistest.make(
    _action_test_impl,
    attrs = {
        "platform": attr.string(),
        "outputs": attr.string_list(),
        "kind": attr.string(),
    },
)
