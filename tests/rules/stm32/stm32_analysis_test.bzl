"""Analysis tests for the stm32_image rule: its action, its provider, its errors."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "FirmwareImageInfo", "stm32_image")
load("//tests/rules:analysis.bzl", "failure_test")

def _action_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "Stm32Image"]
    asserts.equals(env, 1, len(actions), "one Stm32Image action")
    argv = actions[0].argv
    for flag, value in [("-v", "2"), ("-a", "0x2ffe0000"), ("-e", "0x2ffe0000"), ("-binary-type", "0x10"), ("-image-version", "5"), ("-d", "tests/rules/stm32/spl.bin")]:
        i = argv.index(flag) if flag in argv else -1
        asserts.true(env, i >= 0, "flag %s missing from %s" % (flag, argv))
        if i >= 0:
            asserts.equals(env, value, argv[i + 1])
    asserts.true(env, argv[-1].endswith("/at_bl2.stm32"), "output last: %s" % argv)

    info = analysistest.target_under_test(env)[FirmwareImageInfo]
    asserts.equals(env, "stm32", info.kind)
    asserts.equals(env, "0x2ffe0000", info.load_address)
    asserts.equals(env, "0x2ffe0000", info.entry_point, "entry defaults to load")
    asserts.equals(env, "spl.bin", info.payload.basename)
    asserts.equals(env, "2", info.metadata["header_version"])
    asserts.equals(env, "0x10", info.metadata["binary_type"])
    return analysistest.end(env)

action_test = analysistest.make(_action_test_impl)

def stm32_analysis_test_suite(name):
    """Declares the stm32_image analysis tests and a test_suite of them.

    Args:
      name: name of the test_suite.
    """
    stm32_image(
        name = "at_bl2",
        src = "spl.bin",
        binary_type = "tf-a-bl2",
        header_version = 2,
        image_version = 5,
        load_address = "0x2ffe0000",
        tags = ["manual"],
    )
    action_test(name = name + "_action", target_under_test = ":at_bl2")

    failures = [
        ("bad_load", dict(load_address = "0x2ffg"), "attribute 'load_address': \"0x2ffg\" is not a hex address"),
        ("empty_load", dict(load_address = ""), "attribute 'load_address': required"),
        ("wide_load", dict(load_address = "0x100000000"), "attribute 'load_address': 0x100000000 does not fit the 32-bit header field"),
        ("bad_entry", dict(entry_point = "entry"), "attribute 'entry_point': \"entry\" is not a hex address"),
        ("bad_version", dict(header_version = 3), "attribute 'header_version': 3 is not 1 (STM32MP15) or 2 (STM32MP13)"),
        ("bad_type", dict(binary_type = "linux"), "attribute 'binary_type': \"linux\" is not a number"),
        ("wide_type", dict(binary_type = "0x100"), "attribute 'binary_type': 0x100 does not fit a byte"),
        ("negative_version", dict(image_version = -1), "attribute 'image_version': -1 is negative"),
    ]
    tests = [name + "_action"]
    for suffix, attrs, expected in failures:
        kwargs = dict(src = "spl.bin", load_address = "0x2ffc2500")
        kwargs.update(attrs)
        stm32_image(name = "at_" + suffix, tags = ["manual"], **kwargs)
        failure_test(name = name + "_" + suffix, target_under_test = ":at_" + suffix, expected = expected)
        tests.append(name + "_" + suffix)

    native.test_suite(name = name, tests = tests)
