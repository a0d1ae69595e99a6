"""Analysis tests for the fip_image rule: its action, its provider, its errors."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "FirmwareImageInfo", "fip_image")
load("//tests/rules:analysis.bzl", "failure_test")

def _action_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "FipImage"]
    asserts.equals(env, 1, len(actions), "one FipImage action")
    argv = actions[0].argv
    i = argv.index("create")
    asserts.equals(env, [
        "--align",
        "0x20",
        "--plat-toc-flags",
        "0x1",
        "--tb-fw",
        "tests/rules/fip/bl2.bin",
        "--soc-fw",
        "tests/rules/fip/bl31.bin",
        "--nt-fw",
        "tests/rules/fip/bl33.bin",
        "--blob",
        "uuid=01234567-89ab-cdef-0123-456789abcdef,file=tests/rules/fip/vendor.bin",
    ], argv[i + 1:-1], "options in table order, whatever the dict order")
    asserts.true(env, argv[-1].endswith("/at_fip.fip"))

    info = analysistest.target_under_test(env)[FirmwareImageInfo]
    asserts.equals(env, "fip", info.kind)
    asserts.equals(env, "tb-fw,soc-fw,nt-fw,01234567-89ab-cdef-0123-456789abcdef", info.metadata["images"])
    return analysistest.end(env)

action_test = analysistest.make(_action_test_impl)

def fip_analysis_test_suite(name):
    """Declares the fip_image analysis tests and a test_suite of them.

    Args:
      name: name of the test_suite.
    """
    fip_image(
        name = "at_fip",
        align = "0x20",
        blobs = {"vendor.bin": "01234567-89AB-cdef-0123-456789abcdef"},
        images = {
            "bl33.bin": "nt-fw",
            "bl2.bin": "tb-fw",
            "bl31.bin": "soc-fw",
        },
        plat_toc_flags = "0x1",
        tags = ["manual"],
    )
    action_test(name = name + "_action", target_under_test = ":at_fip")

    failures = [
        ("empty", dict(images = {}), "attributes 'images' and 'blobs': no images given"),
        ("bad_name", dict(images = {"bl2.bin": "bl2"}), "tests/rules/fip:bl2.bin: unknown image name \"bl2\""),
        ("twice", dict(images = {"bl2.bin": "tb-fw", "bl31.bin": "tb-fw"}), "attribute 'images': image \"tb-fw\" given twice"),
        ("bad_uuid", dict(blobs = {"vendor.bin": "0123-4567"}), "tests/rules/fip:vendor.bin: \"0123-4567\" is not a UUID"),
        ("same_uuid", dict(blobs = {"vendor.bin": "01234567-89ab-cdef-0123-456789abcdef", "bl2.bin": "01234567-89AB-CDEF-0123-456789ABCDEF"}), "attribute 'blobs': UUID 01234567-89AB-CDEF-0123-456789ABCDEF given twice"),
        ("bad_align", dict(align = "24"), "attribute 'align': 24 is not a power of two"),
        ("zero_align", dict(align = "0"), "attribute 'align': 0 is not a power of two"),
        ("text_align", dict(align = "page"), "attribute 'align': \"page\" is not a number"),
        ("wide_flags", dict(plat_toc_flags = "0x10000"), "attribute 'plat_toc_flags': 0x10000 does not fit 16 bits"),
    ]
    tests = [name + "_action"]
    for suffix, attrs, expected in failures:
        kwargs = dict(images = {"bl33.bin": "nt-fw"})
        kwargs.update(attrs)
        fip_image(name = "at_" + suffix, tags = ["manual"], **kwargs)
        failure_test(name = name + "_" + suffix, target_under_test = ":at_" + suffix, expected = expected)
        tests.append(name + "_" + suffix)

    native.test_suite(name = name, tests = tests)
