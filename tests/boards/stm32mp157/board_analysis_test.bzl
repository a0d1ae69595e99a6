"""want_boot_image switches what //boards/stm32mp157:image ships."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")

def _shipped(env):
    return sorted([f.basename for f in analysistest.target_under_test(env)[DefaultInfo].files.to_list()])

def _combined_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.equals(env, ["sdcard.img"], _shipped(env))
    return analysistest.end(env)

combined_test = analysistest.make(_combined_test_impl)

def _separate_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.equals(env, ["bootimage.bin", "osimage.img"], _shipped(env))
    return analysistest.end(env)

separate_test = analysistest.make(
    _separate_test_impl,
    # A Label: a plain string key would resolve in bazel_skylib's repository
    # under Bzlmod (where analysistest's transition is defined).
    config_settings = {str(Label("//boards/stm32mp157:want_boot_image")): True},
)

def board_analysis_test_suite(name):
    """Both settings of want_boot_image.

    Args:
      name: name of the test_suite.
    """
    combined_test(name = name + "_combined", target_under_test = "//boards/stm32mp157:image")
    separate_test(name = name + "_separate", target_under_test = "//boards/stm32mp157:image")
    native.test_suite(name = name, tests = [name + "_combined", name + "_separate"])
