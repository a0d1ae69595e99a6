"""Analysis tests for the fit_image_from_its rule: staging, action, provider, errors."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "FirmwareImageInfo", "fit_image_from_its")
load("//tests/rules:analysis.bzl", "failure_test")

def _action_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = analysistest.target_actions(env)
    runs = [a for a in actions if a.mnemonic == "FitImage"]
    asserts.equals(env, 1, len(runs), "one FitImage action")
    argv = runs[0].argv
    i = argv.index("mkimage")
    asserts.equals(env, "-f", argv[i + 1])
    asserts.true(env, argv[i + 2].endswith("/tests/rules/fit_its/at_fit.fit_inputs/boot.its"), "the staged .its: %s" % argv[i + 2])
    for flag, value in [("-B", "0x100"), ("-p", "0x4000")]:
        asserts.true(env, flag in argv, "%s in %s" % (flag, argv))
        if flag in argv:
            asserts.equals(env, value, argv[argv.index(flag) + 1])
    asserts.true(env, "-E" in argv)
    asserts.true(env, "-k" in argv, "-k KEYDIR: %s" % argv)
    if "-k" in argv:
        asserts.true(env, argv[argv.index("-k") + 1].endswith("/tests/rules/fit_its/at_fit.fit_keys"))

    # The key is a file in the key directory, never an argument.
    for arg in argv:
        asserts.false(env, arg.endswith(".pem") or arg.endswith(".key"), "key file on the command line: %s" % arg)
    asserts.equals(env, "1234", runs[0].env.get("SOURCE_DATE_EPOCH"))

    # Data sits beside the .its at its path below the .its's directory, or
    # at its basename when it comes from another package.
    links = sorted([a.outputs.to_list()[0].short_path for a in actions if a.mnemonic == "Symlink"])
    asserts.equals(env, sorted([
        "tests/rules/fit_its/at_fit.fit_inputs/boot.its",
        "tests/rules/fit_its/at_fit.fit_inputs/kernel.bin",
        "tests/rules/fit_its/at_fit.fit_inputs/sub/boot.cmd",
        "tests/rules/fit_its/at_fit.fit_inputs/plain.dtb",
        "tests/rules/fit_its/at_fit.fit_keys/dev.key",
    ]), links)

    target = analysistest.target_under_test(env)
    info = target[FirmwareImageInfo]
    asserts.equals(env, "fit", info.kind)
    asserts.equals(env, "1", info.metadata["external"])
    asserts.equals(env, "tests/rules/fit_its/boot.its", info.metadata["its"])
    asserts.equals(env, 4, len(target[OutputGroupInfo].fit_inputs.to_list()))
    return analysistest.end(env)

action_test = analysistest.make(_action_test_impl)

def fit_its_analysis_test_suite(name):
    """Declares the fit_image_from_its analysis tests and a test_suite of them.

    Args:
      name: name of the test_suite.
    """
    fit_image_from_its(
        name = "at_fit",
        testonly = True,
        data = ["kernel.bin", "sub/boot.cmd", "//tests/rules/dtb:plain"],
        external_alignment = "0x100",
        external_data = True,
        external_position = "0x4000",
        its = "boot.its",
        keys = {":dev_key": "dev"},
        timestamp = 1234,
        tags = ["manual"],
    )
    action_test(name = name + "_action", target_under_test = ":at_fit")

    failures = [
        ("not_its", dict(its = "kernel.bin"), "attribute 'its': tests/rules/fit_its/kernel.bin is not an .its source"),
        ("bad_align", dict(external_data = True, external_alignment = "0x1g"), "attribute 'external_alignment': \"0x1g\" is not a hex address"),
        ("position_alone", dict(external_position = "0x1000"), "attributes 'external_alignment' and 'external_position' need external_data = True"),
        ("clash", dict(data = ["kernel.bin", "sub/kernel.bin"], its = "sub/boot.its"), "would both be /incbin/(\"kernel.bin\")"),
        ("bad_key_name", dict(keys = {":dev_key": "dev/key"}), "attribute 'keys': \"dev/key\" is not a key name"),
        ("negative_time", dict(timestamp = -1), "attribute 'timestamp': -1 is negative"),
    ]
    tests = [name + "_action"]
    for suffix, attrs, expected in failures:
        kwargs = dict(its = "boot.its", data = ["kernel.bin"])
        kwargs.update(attrs)
        fit_image_from_its(name = "at_" + suffix, testonly = True, tags = ["manual"], **kwargs)
        failure_test(name = name + "_" + suffix, target_under_test = ":at_" + suffix, expected = expected)
        tests.append(name + "_" + suffix)

    native.test_suite(name = name, tests = tests)
