"""Analysis tests for fit_component / fit_image: action, provider, errors."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "FirmwareImageInfo", "fit_component", "fit_image")
load("//tests/rules:analysis.bzl", "failure_test")

def _action_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "FitImage"]
    asserts.equals(env, 1, len(actions), "one FitImage action")
    argv = actions[0].argv
    for flag in ["fit", "--spec", "-o", "--its", "-E", "-B", "--control-in", "--control-out", "-r"]:
        asserts.true(env, flag in argv, "flag %s missing from %s" % (flag, argv))
    asserts.equals(env, "0x1000", argv[argv.index("-B") + 1])
    keys = [a for a in argv if a.startswith("dev=")]
    asserts.equals(env, 1, len(keys), "one --key dev=FILE in %s" % argv)
    asserts.true(env, keys[0].endswith("kernel.bin"), "key passed as a path, not contents")
    asserts.equals(env, "42", actions[0].env.get("SOURCE_DATE_EPOCH"))
    info = analysistest.target_under_test(env)[FirmwareImageInfo]
    asserts.equals(env, "fit", info.kind)
    asserts.equals(env, "b", info.metadata["default"])
    return analysistest.end(env)

action_test = analysistest.make(_action_test_impl)

def fit_analysis_test_suite(name):
    """Declares the fit analysis tests and a test_suite of them.

    Args:
      name: name of the test_suite.
    """
    fit_component(name = "at_k", src = "kernel.bin", load_address = "0x80000", tags = ["manual"])
    fit_component(name = "at_f", src = "board.dtb.bin", image_type = "flat_dt", tags = ["manual"])
    fit_image(
        name = "at_signed",
        images = [":at_k", ":at_f"],
        description = "d",
        configurations = {"a": ["kernel=at_k"], "b": ["kernel=at_k", "fdt=at_f"]},
        default_configuration = "b",
        signatures = {"b": ["sha256,rsa2048:dev"]},
        keys = {"kernel.bin": "dev"},
        control_dtb = "control.dts",
        require_keys = True,
        external_data = True,
        external_alignment = "1000",
        timestamp = 42,
        tags = ["manual"],
    )
    action_test(name = name + "_action", target_under_test = ":at_signed")
    tests = [name + "_action"]

    component_failures = [
        ("bad_type", dict(image_type = "kernal"), "attribute 'image_type': unknown value \"kernal\""),
        ("bad_hash", dict(hashes = ["md4"]), "attribute 'hashes': unknown algorithm \"md4\""),
        ("bad_compression", dict(compression = "gzp"), "attribute 'compression': unknown value \"gzp\" (one of: none, gzip"),
        ("bad_load", dict(load_address = "0xZZ"), "attribute 'load_address': \"0xZZ\" is not a hex number"),
    ]
    for suffix, attrs, expected in component_failures:
        fit_component(name = "at_" + suffix, src = "kernel.bin", tags = ["manual"], **attrs)
        failure_test(name = name + "_" + suffix, target_under_test = ":at_" + suffix, expected = expected)
        tests.append(name + "_" + suffix)

    image_failures = [
        ("unknown_ref", dict(configurations = {"c": ["kernel=nope"]}), "\"c\" names image \"nope\", which is not in 'images'"),
        ("bad_conf_key", dict(configurations = {"c": ["kernal=at_k"]}), "\"kernal=at_k\" in \"c\" is not KEY=VALUE"),
        ("bad_sig", dict(configurations = {"c": ["kernel=at_k"]}, signatures = {"c": ["md5,rsa2048:dev"]}), "attribute 'signatures': \"md5,rsa2048:dev\" is not ALGO:KEYNAME"),
        ("no_key", dict(configurations = {"c": ["kernel=at_k"]}, signatures = {"c": ["sha256,rsa2048:dev"]}), "key \"dev\" has no file in 'keys'"),
        ("bad_default", dict(configurations = {"c": ["kernel=at_k"]}, default_configuration = "d"), "'default_configuration': \"d\" is not a configuration"),
        ("empty_description", dict(configurations = {"c": ["kernel=at_k"]}, description = ""), "attribute 'description': empty"),
        ("align_no_ext", dict(configurations = {"c": ["kernel=at_k"]}, external_alignment = "0x100"), "need external_data = True"),
    ]
    for suffix, attrs, expected in image_failures:
        attrs = dict({"description": "d"}, **attrs)
        fit_image(name = "at_" + suffix, images = [":at_k"], tags = ["manual"], **attrs)
        failure_test(name = name + "_" + suffix, target_under_test = ":at_" + suffix, expected = expected)
        tests.append(name + "_" + suffix)

    native.test_suite(name = name, tests = tests)
