"""Analysis tests for bootup_app_image and bootup_bundle."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "FirmwareImageInfo", "bootup_app_image", "bootup_bundle")
load("//tests/rules:analysis.bzl", "failure_test")

def _action_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "BootUpImage"]
    asserts.equals(env, 1, len(actions), "one BootUpImage action")
    argv = actions[0].argv
    for flag in ["--preamble", "--copy-to-ram", "--no-crc"]:
        asserts.true(env, flag in argv, "%s missing from %s" % (flag, argv))
    i = argv.index("--max-size")
    asserts.equals(env, "65536", argv[i + 1])
    info = analysistest.target_under_test(env)[FirmwareImageInfo]
    asserts.equals(env, "bootup_app", info.kind)
    asserts.equals(env, "0x20000000", info.load_address)
    asserts.equals(env, "preamble", info.metadata["header"])
    return analysistest.end(env)

action_test = analysistest.make(_action_test_impl)

def bootup_analysis_test_suite(name):
    """Declares the analysis tests.

    Args:
      name: name prefix of the tests.
    """
    bootup_app_image(name = "at_ram", src = "app.bin", preamble = True, copy_to_ram = True, crc = False, load_address = "0x20000000", region_size = "65536", signature = "1", tags = ["manual"])
    action_test(name = name + "_action", target_under_test = ":at_ram")

    for suffix, kwargs, expected in [
        ("no_signature", {"preamble": True}, "attribute 'signature': required"),
        ("zero_signature", {"preamble": True, "signature": "0"}, "is reserved (0 marks an invalidated image"),
        ("erased_signature", {"preamble": True, "signature": "0xffffffffffffffff"}, "is reserved"),
        ("both_placements", {"preamble": True, "header_offset": "0x200", "signature": "1"}, "'preamble' and 'header_offset' both set"),
        ("no_placement", {"signature": "1"}, "attribute 'header_offset': required"),
        ("bad_region", {"preamble": True, "signature": "1", "region_size": "64k"}, "attribute 'region_size'"),
    ]:
        bootup_app_image(name = "at_" + suffix, src = "app.bin", tags = ["manual"], **kwargs)
        failure_test(name = name + "_" + suffix, target_under_test = ":at_" + suffix, expected = expected)

    bootup_bundle(name = "at_zstd", files = {"dsp.bin": "dsp:zstd"}, signature = "1", tags = ["manual"])
    failure_test(name = name + "_unknown_compression", target_under_test = ":at_zstd", expected = "unknown compression \"zstd\"")
