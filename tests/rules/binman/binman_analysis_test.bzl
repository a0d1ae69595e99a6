"""Analysis tests for binman_image."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "FirmwareImageInfo", "binman_image")
load("//tests/rules:analysis.bzl", "failure_test")

def _action_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "BinmanImage"]
    asserts.equals(env, 1, len(actions), "one BinmanImage action")
    argv = actions[0].argv
    for flag in ["build", "-d", "-I", "-O", "-m", "-u"]:
        asserts.true(env, flag in argv, "%s missing from %s" % (flag, argv))
    asserts.false(env, "-M" in argv, "-M without --@rules_firmware//rules:allow_missing")
    in_dir = argv[argv.index("-I") + 1]
    asserts.true(env, in_dir.endswith("/at_image.binman_in"), in_dir)
    out_dir = argv[argv.index("-O") + 1]
    asserts.true(env, out_dir.endswith("/at_image"), out_dir)
    outs = sorted([f.path[len(out_dir) + 1:] for f in actions[0].outputs.to_list()])
    asserts.equals(env, ["a.bin", "a.map", "sub/b.rom", "x.map"], outs)
    staged = sorted([f.path[len(in_dir) + 1:] for f in actions[0].inputs.to_list() if f.path.startswith(in_dir + "/")])
    asserts.equals(env, ["board.dts", "env/board.env", "spl/u-boot-spl.bin"], staged)

    target = analysistest.target_under_test(env)
    asserts.equals(env, "layout", target[FirmwareImageInfo].kind)
    asserts.equals(env, "a.bin", target[FirmwareImageInfo].file.basename)
    asserts.equals(env, "a.map", target[FirmwareImageInfo].map.basename)
    asserts.equals(env, ["a.map", "x.map"], [f.basename for f in target[OutputGroupInfo].binman_map.to_list()])
    return analysistest.end(env)

action_test = analysistest.make(_action_test_impl)

def _no_maps_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "BinmanImage"]
    argv = actions[0].argv
    asserts.false(env, "-m" in argv, "-m with write_maps = False")
    asserts.false(env, "-u" in argv, "-u with update_fdt = False")
    asserts.false(env, "-I" in argv, "-I without inputs")
    asserts.equals(env, ["image.bin"], [f.basename for f in actions[0].outputs.to_list()])
    return analysistest.end(env)

no_maps_test = analysistest.make(_no_maps_test_impl)

def binman_analysis_test_suite(name):
    """Declares the binman_image analysis tests and a test_suite of them.

    Args:
      name: name of the test_suite.
    """
    binman_image(
        name = "at_image",
        dtb = "board.dts",  # any file: analysis only
        images = ["a.bin", "sub/b.rom"],
        maps = ["a.map", "x.map"],
        inputs = {"board.dts": "", "spl.bin": "spl/u-boot-spl.bin", "env.bin": "env/board.env"},
        tags = ["manual"],
    )
    action_test(name = name + "_action", target_under_test = ":at_image")
    binman_image(name = "at_plain", dtb = "board.dts", write_maps = False, update_fdt = False, tags = ["manual"])
    no_maps_test(name = name + "_no_maps", target_under_test = ":at_plain")
    tests = [name + "_action", name + "_no_maps"]
    for fname, kwargs, expected in [
        ("dup", {"inputs": {"env.bin": "x", "spl.bin": "x"}}, "two files staged as 'x'"),
        ("abs", {"inputs": {"env.bin": "/etc/x"}}, "must be a relative path"),
        ("up", {"images": ["../x.bin"]}, "must be a relative path"),
        ("none", {"images": []}, "at least one image"),
        ("maps_off", {"write_maps": False, "maps": ["a.map"]}, "'maps' given with write_maps = False"),
    ]:
        binman_image(name = "at_" + fname, dtb = "board.dts", tags = ["manual"], **kwargs)
        failure_test(name = name + "_" + fname, target_under_test = ":at_" + fname, expected = expected)
        tests.append(name + "_" + fname)
    native.test_suite(name = name, tests = tests)
