"""Shared pieces of the rules' analysis tests."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")

def _failure_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.expect_failure(env, ctx.attr.expected)
    return analysistest.end(env)

# failure_test(name, target_under_test, expected): the target must fail
# analysis with an error containing `expected`.
failure_test = analysistest.make(
    _failure_test_impl,
    expect_failure = True,
    attrs = {"expected": attr.string(doc = "Text the analysis error must contain.")},
)
