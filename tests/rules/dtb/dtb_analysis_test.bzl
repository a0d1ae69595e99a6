"""Analysis tests for the dtb rule: its action, its provider, its errors."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "FirmwareImageInfo", "dtb")
load("//tests/rules:analysis.bzl", "failure_test")

def _action_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "Dtc"]
    asserts.equals(env, 1, len(actions), "one Dtc action")
    argv = actions[0].argv
    i = argv.index("dtc")
    asserts.equals(env, ["-I", "dts", "-O", "dtb", "-S", "0x800", "-a", "0x10", "-b", "0", "-R", "1", "-@"], argv[i + 1:i + 14])
    dirs = [argv[j + 1] for j in range(len(argv)) if argv[j] == "-i"]
    asserts.equals(env, 4, len(dirs), "-i dirs: %s" % dirs)
    asserts.equals(env, "tests/rules/dtb", dirs[0], "the dtsi's own directory first")
    asserts.equals(env, "tests/rules/dtb/inc", dirs[1])
    asserts.equals(env, "tests/rules/dtb/more", dirs[2], "include_dirs in the source tree")
    asserts.true(env, dirs[3].startswith("bazel-out/") and dirs[3].endswith("/bin/tests/rules/dtb/more"), "and in the output tree: %s" % dirs[3])
    asserts.equals(env, "tests/rules/dtb/board.dts", argv[-1])
    inputs = [f.short_path for f in actions[0].inputs.to_list()]
    for f in ["tests/rules/dtb/board.dts", "tests/rules/dtb/common.dtsi", "tests/rules/dtb/inc/extra.dtsi"]:
        asserts.true(env, f in inputs, "%s in the action's inputs %s" % (f, inputs))

    info = analysistest.target_under_test(env)[FirmwareImageInfo]
    asserts.equals(env, "dtb", info.kind)
    asserts.equals(env, "board.dtb", info.file.basename)
    asserts.equals(env, "tests/rules/dtb/board.dts", info.metadata["source"])
    return analysistest.end(env)

action_test = analysistest.make(_action_test_impl)

def dtb_analysis_test_suite(name):
    """Declares the dtb analysis tests and a test_suite of them.

    Args:
      name: name of the test_suite.
    """
    dtb(
        name = "at_dtb",
        src = "board.dts",
        align = "0x10",
        boot_cpu = "0",
        include_dirs = ["more"],
        includes = ["common.dtsi", "inc/extra.dtsi"],
        min_size = "0x800",
        out = "board.dtb",
        reserve_slots = 1,
        symbols = True,
        tags = ["manual"],
    )
    action_test(name = name + "_action", target_under_test = ":at_dtb")

    failures = [
        ("not_dts", dict(src = "oracle_test.sh"), "attribute 'src': tests/rules/dtb/oracle_test.sh is not DTS source (.dts)"),
        ("pad_and_size", dict(padding = "16", min_size = "0x1000"), "attributes 'padding' and 'min_size' both set"),
        ("bad_padding", dict(padding = "lots"), "attribute 'padding': \"lots\" is not a number"),
        ("bad_align", dict(align = "12"), "attribute 'align': 12 is not a power of two"),
        ("bad_cpu", dict(boot_cpu = "cpu0"), "attribute 'boot_cpu': \"cpu0\" is not a number"),
        ("negative_reserve", dict(reserve_slots = -1), "attribute 'reserve_slots': -1 is negative"),
        ("escaping_dir", dict(include_dirs = ["../uboot_env"]), "attribute 'include_dirs': \"../uboot_env\" must be a relative path inside the package"),
    ]
    tests = [name + "_action"]
    for suffix, attrs, expected in failures:
        kwargs = dict(src = "board.dts")
        kwargs.update(attrs)
        dtb(name = "at_" + suffix, tags = ["manual"], **kwargs)
        failure_test(name = name + "_" + suffix, target_under_test = ":at_" + suffix, expected = expected)
        tests.append(name + "_" + suffix)

    native.test_suite(name = name, tests = tests)
