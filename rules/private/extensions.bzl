"""Module extension for Bzlmod: the same pinned Go modules as WORKSPACE."""

load("//rules:repositories.bzl", "rules_firmware_go_dependencies")

def _go_modules_impl(_ctx):
    rules_firmware_go_dependencies()

go_modules = module_extension(implementation = _go_modules_impl)
