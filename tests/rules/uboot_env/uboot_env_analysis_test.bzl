"""Analysis tests for the uboot_env rule: its action, its provider, its errors."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "FirmwareImageInfo", "uboot_env")
load("//tests/rules:analysis.bzl", "failure_test")

def _flag_value(argv, flag):
    return argv[argv.index(flag) + 1] if flag in argv else None

def _dict_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = analysistest.target_actions(env)
    runs = [a for a in actions if a.mnemonic == "UBootEnv"]
    asserts.equals(env, 1, len(runs), "one UBootEnv action")
    argv = runs[0].argv
    asserts.equals(env, "0x4000", _flag_value(argv, "-s"))
    asserts.equals(env, "0", _flag_value(argv, "-p"))
    asserts.true(env, "-r" in argv, "-r for redundant: %s" % argv)
    asserts.true(env, "-b" in argv, "-b for big_endian: %s" % argv)
    asserts.true(env, "--vars-json" in argv, "--vars-json for a dict: %s" % argv)

    # The JSON keeps the dict's order (not sorted) and its values verbatim.
    writes = [a for a in actions if a.mnemonic == "FileWrite"]
    asserts.equals(env, 1, len(writes), "one JSON file written")
    asserts.equals(env, json.encode([["zeta", "1"], ["alpha", "a=b c"], ["nl", "x\ny"]]), writes[0].content)

    info = analysistest.target_under_test(env)[FirmwareImageInfo]
    asserts.equals(env, "env", info.kind)
    asserts.equals(env, "0x4000", info.metadata["size"])
    asserts.equals(env, "true", info.metadata["redundant"])
    asserts.equals(env, "at_dict.env", info.file.basename)
    return analysistest.end(env)

dict_test = analysistest.make(_dict_test_impl)

def _src_test_impl(ctx):
    env = analysistest.begin(ctx)
    run = [a for a in analysistest.target_actions(env) if a.mnemonic == "UBootEnv"][0]
    asserts.equals(env, "tests/rules/uboot_env/env.txt", run.argv[-1])
    asserts.false(env, "--vars-json" in run.argv, "no --vars-json for a text file")
    asserts.false(env, "-r" in run.argv)
    asserts.false(env, "-b" in run.argv)
    asserts.equals(env, "0xff", _flag_value(run.argv, "-p"))
    asserts.equals(env, "u-boot.env", analysistest.target_under_test(env)[FirmwareImageInfo].file.basename)
    return analysistest.end(env)

src_test = analysistest.make(_src_test_impl)

def uboot_env_analysis_test_suite(name):
    """Declares the uboot_env analysis tests and a test_suite of them.

    Args:
      name: name of the test_suite.
    """
    uboot_env(
        name = "at_dict",
        env_size = "0x4000",
        vars = {"zeta": "1", "alpha": "a=b c", "nl": "x\ny"},
        redundant = True,
        big_endian = True,
        pad_byte = "0",
        tags = ["manual"],
    )
    dict_test(name = name + "_dict", target_under_test = ":at_dict")

    uboot_env(name = "at_src", src = "env.txt", env_size = "4096", out = "u-boot.env", tags = ["manual"])
    src_test(name = name + "_src", target_under_test = ":at_src")

    failures = [
        ("no_vars", dict(), "attributes 'vars' and 'src': give one of them"),
        ("both", dict(src = "env.txt", vars = {"a": "1"}), "attributes 'vars' and 'src' both set"),
        ("bad_name", dict(vars = {"a=b": "1"}), "attribute 'vars': invalid variable name \"a=b\""),
        ("empty_name", dict(vars = {"": "1"}), "attribute 'vars': invalid variable name \"\""),
        ("bad_size", dict(vars = {"a": "1"}, env_size = "0x1g"), "attribute 'env_size': \"0x1g\" is not a number"),
        ("octal_size", dict(vars = {"a": "1"}, env_size = "0999"), "attribute 'env_size': \"0999\" is not a number"),
        ("tiny_size", dict(vars = {"a": "1"}, env_size = "5", redundant = True), "attribute 'env_size': 5 is too small"),
        # "abcd=e\0" and the final "\0" are 8 bytes; 13 is the least size mkenvimage takes.
        ("too_big", dict(vars = {"abcd": "e"}, env_size = "12", redundant = True), "attribute 'vars': 8 bytes of variables do not fit the 7 bytes 'env_size' 12 leaves after the 5-byte header"),
        ("bad_pad", dict(vars = {"a": "1"}, pad_byte = "0x100"), "attribute 'pad_byte': 0x100 does not fit a byte"),
    ]
    tests = [name + "_dict", name + "_src"]
    for suffix, attrs, expected in failures:
        kwargs = dict(env_size = "0x100")
        kwargs.update(attrs)
        uboot_env(name = "at_" + suffix, tags = ["manual"], **kwargs)
        failure_test(name = name + "_" + suffix, target_under_test = ":at_" + suffix, expected = expected)
        tests.append(name + "_" + suffix)

    native.test_suite(name = name, tests = tests)
