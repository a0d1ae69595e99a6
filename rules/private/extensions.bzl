"""Module extensions for Bzlmod: the same repositories as WORKSPACE.

go_modules: the pinned Go modules fwtool is built from, downloaded with the
Go of rules_go's first host-compatible SDK (go_sdk.host() or download in the
root module; rules_go's default otherwise). Nothing is fetched unless fwtool
is built from source.

board_binaries: the stm32mp157 board's default inputs from Debian packages
(see rules_firmware_board_binaries) and the PowerPC boot-wrapper objects
(ppc_boot_files), both from the bootstrap's cache.
"""

load("@go_host_compatible_sdk_label//:defs.bzl", "HOST_COMPATIBLE_SDK")
load("//rules:repositories.bzl", "GO_MODULES", "STM32MP157_DK2_FILES")
load(":debian_files.bzl", "debian_files")
load(":go_module.bzl", "go_module", "go_repository_name")
load(":ppc_boot_files.bzl", "ppc_boot_files")

def _go_modules_impl(_ctx):
    # Direct calls: maybe() needs native.existing_rule, which a module
    # extension does not have.
    for path, version, sum, deps in GO_MODULES:
        go_module(
            name = go_repository_name(path),
            path = path,
            version = version,
            sum = sum,
            module_deps = deps,
            go_sdk_root = HOST_COMPATIBLE_SDK,
        )

go_modules = module_extension(
    implementation = _go_modules_impl,
    doc = "The Go modules fwtool is built from, pinned with their h1: sums.",
)

def _board_binaries_impl(_ctx):
    debian_files(name = "stm32mp157_dk2_binaries", files = STM32MP157_DK2_FILES)
    ppc_boot_files(name = "ppc_boot_wrapper_objects")

board_binaries = module_extension(
    implementation = _board_binaries_impl,
    doc = "Default stm32mp157 board inputs, from Debian packages the bootstrap unpacks.",
)
