"""Analysis tests for the uimage rule: its action, its provider, its errors."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "FirmwareImageInfo", "uimage")
load("//tests/rules:analysis.bzl", "failure_test")

def _action_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "UImage"]
    asserts.equals(env, 1, len(actions), "one UImage action")
    argv = actions[0].argv
    for flag, value in [("-A", "arm64"), ("-O", "u-boot"), ("-T", "firmware"), ("--compress", "lz4"), ("-a", "0x40200000"), ("-e", "0x40200000"), ("-n", "fw")]:
        i = argv.index(flag) if flag in argv else -1
        asserts.true(env, i >= 0, "flag %s missing from %s" % (flag, argv))
        if i >= 0:
            asserts.equals(env, value, argv[i + 1])
    asserts.false(env, "-C" in argv, "-C must not be passed with --compress")
    asserts.equals(env, {}, actions[0].env, "no SOURCE_DATE_EPOCH without timestamp")

    info = analysistest.target_under_test(env)[FirmwareImageInfo]
    asserts.equals(env, "uimage", info.kind)
    asserts.equals(env, "arm64", info.arch)
    asserts.equals(env, "lz4", info.compression)
    asserts.equals(env, "0x40200000", info.load_address)
    asserts.equals(env, "fw", info.metadata["name"])
    asserts.equals(env, None, info.payload, "compressed output has no plain payload")
    return analysistest.end(env)

action_test = analysistest.make(_action_test_impl)

def _timestamp_test_impl(ctx):
    env = analysistest.begin(ctx)
    action = [a for a in analysistest.target_actions(env) if a.mnemonic == "UImage"][0]
    asserts.equals(env, "1234", action.env.get("SOURCE_DATE_EPOCH"))
    return analysistest.end(env)

timestamp_test = analysistest.make(_timestamp_test_impl)

def uimage_analysis_test_suite(name):
    """Declares the uimage analysis tests and a test_suite of them.

    Args:
      name: name of the test_suite.
    """
    uimage(
        name = "at_lz4_firmware",
        srcs = ["payload.bin"],
        arch = "arm64",
        compress = "lz4",
        image_name = "fw",
        image_type = "firmware",
        load_address = "0x40200000",
        os = "u-boot",
        tags = ["manual"],
    )
    action_test(name = name + "_action", target_under_test = ":at_lz4_firmware")

    uimage(name = "at_stamped", srcs = ["payload.bin"], timestamp = 1234, tags = ["manual"])
    timestamp_test(name = name + "_timestamp", target_under_test = ":at_stamped")

    failures = [
        ("bad_arch", dict(arch = "arm65"), "attribute 'arch': unknown value \"arm65\""),
        ("bad_os", dict(os = "windows"), "attribute 'os': unknown value \"windows\""),
        ("bad_type", dict(image_type = "kernal"), "attribute 'image_type': unknown value \"kernal\""),
        ("bad_comp", dict(compression = "rar"), "attribute 'compression': unknown value \"rar\""),
        ("bad_compress", dict(compress = "lzo"), "attribute 'compress': unknown value \"lzo\""),
        ("both_comp", dict(compress = "gzip", compression = "gzip"), "attributes 'compress' and 'compression' both set"),
        ("bad_load", dict(load_address = "0xZZ"), "attribute 'load_address': \"0xZZ\" is not a hex address"),
        ("bad_entry", dict(entry_point = "0x"), "attribute 'entry_point': \"0x\" is not a hex address"),
        ("two_kernels", dict(srcs = ["payload.bin", "second.bin"]), "2 files given, but only image_type 'multi' takes more than one"),
        ("negative_time", dict(timestamp = -1), "attribute 'timestamp': -1 is negative"),
    ]
    tests = [name + "_action", name + "_timestamp"]
    for suffix, attrs, expected in failures:
        kwargs = dict(srcs = ["payload.bin"])
        kwargs.update(attrs)
        uimage(name = "at_" + suffix, tags = ["manual"], **kwargs)
        failure_test(name = name + "_" + suffix, target_under_test = ":at_" + suffix, expected = expected)
        tests.append(name + "_" + suffix)

    native.test_suite(name = name, tests = tests)
