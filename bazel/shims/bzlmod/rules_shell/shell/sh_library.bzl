"""sh_library from Bazel's native rules (offline shim; see ../MODULE.bazel)."""

def sh_library(**kwargs):
    native.sh_library(**kwargs)  # buildifier: disable=native-sh-library
