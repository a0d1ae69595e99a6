"""sh_binary from Bazel's native rules (offline shim; see ../MODULE.bazel)."""

def sh_binary(**kwargs):
    native.sh_binary(**kwargs)
