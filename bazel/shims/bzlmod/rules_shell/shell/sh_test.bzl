"""sh_test from Bazel's native rules (offline shim; see ../MODULE.bazel)."""

def sh_test(**kwargs):
    native.sh_test(**kwargs)
