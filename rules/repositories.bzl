"""Repositories rules_firmware needs, for a WORKSPACE that loads rules_firmware.

    load("@rules_firmware//rules:repositories.bzl", "rules_firmware_dependencies", "rules_firmware_go_dependencies")
    rules_firmware_dependencies()
    ... go_rules_dependencies() / go_register_toolchains() ...
    rules_firmware_go_dependencies()

The Go module pins below must match go.mod and go.sum: //tests/pins checks
that they do.
"""

load("@bazel_tools//tools/build_defs/repo:http.bzl", "http_archive")
load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")
load("//rules/private:debian_files.bzl", "debian_files")
load("//rules/private:go_module.bzl", "go_module", "go_repository_name")
load("//rules/private:ppc_boot_files.bzl", "ppc_boot_files")
load("//rules/private:toolchain.bzl", "fwtool_prebuilt")

# Go modules fwtool links, as (path, version, h1 sum, modules it imports).
GO_MODULES = [
    ("github.com/pierrec/lz4/v4", "v4.1.21", "h1:yOVMLb6qSIDP67pl/5F7RepeKYu/VmTyEXvuMI5d9mQ=", []),
    ("github.com/google/go-cmp", "v0.6.0", "h1:ofyhxvXcZhMsU5ulbFiLKl/XBFqE1GSq7atu8tAmTRI=", []),
    ("github.com/ulikunitz/xz", "v0.5.15", "h1:9DNdB5s+SgV3bQ2ApL10xRc35ck0DuIX/isZvIk+ubY=", []),
    ("github.com/klauspost/compress", "v1.17.4", "h1:Ej5ixsIri7BrIjBkRZLTo6ghwrEtHFk7ijlczPW4fZ4=", []),
    ("github.com/smallstep/pkcs7", "v0.2.3", "h1:bhoQ3TeZmdoXTatcwxCbk+FMcdsyr0gYrrW2Xq2qr+s=", []),
]

# Default inputs of //boards/stm32mp157: target name -> file in an unpacked
# Debian package (see debian_files).
STM32MP157_DK2_FILES = {
    "busybox": "busybox-static/bin/busybox",
    "dtb": "linux-image-armmp/usr/lib/linux-image-*-armmp/stm32mp157c-dk2.dtb",
    "fsbl": "u-boot-stm32/usr/lib/u-boot/stm32mp157c-dk2/u-boot-spl.stm32",
    "kernel": "linux-image-armmp/boot/vmlinuz-*-armmp",
    # The kernel's module tree (lib/modules/<version>), for kernel_modules.
    "modules": "linux-image-armmp/lib/modules/*-armmp",
    # //boards/qemu_arm_virt's firmware: U-Boot for QEMU's 32-bit Arm virt machine.
    "qemu_arm_uboot": "u-boot-qemu/usr/lib/u-boot/qemu_arm/u-boot.bin",
    "ssbl": "u-boot-stm32/usr/lib/u-boot/stm32mp157c-dk2/u-boot.img",
    "uboot_elf": "u-boot-stm32/usr/lib/u-boot/stm32mp157c-dk2/uboot.elf",
}

def rules_firmware_dependencies():
    """Bazel rule sets rules_firmware is built with (rules_go and what it needs)."""
    maybe(
        http_archive,
        name = "io_bazel_rules_go",
        sha256 = "16e9fca53ed6bd4ff4ad76facc9b7b651a89db1689a2877d6fd7b82aa824e366",
        urls = ["https://github.com/bazelbuild/rules_go/releases/download/v0.34.0/rules_go-v0.34.0.zip"],
    )
    maybe(
        http_archive,
        name = "bazel_skylib",
        sha256 = "1c531376ac7e5a180e0237938a2536de0c54d93f5c278634818e0efc952dd56c",
        urls = ["https://github.com/bazelbuild/bazel-skylib/releases/download/1.0.3/bazel-skylib-1.0.3.tar.gz"],
    )

def rules_firmware_go_dependencies(go_sdk_root = None):
    """The Go modules fwtool is built from.

    Args:
      go_sdk_root: the ROOT file of the Go SDK that downloads them (default
        @go_sdk//:ROOT, the SDK go_register_toolchains declares).
    """
    for path, version, sum, deps in GO_MODULES:
        maybe(
            go_module,
            name = go_repository_name(path),
            path = path,
            version = version,
            sum = sum,
            module_deps = deps,
            go_sdk_root = go_sdk_root,
        )

def rules_firmware_register_toolchains(name = "rules_firmware_toolchains"):  # buildifier: disable=unused-variable
    """Registers the default fwtool toolchain (fwtool built from source).

    Args:
      name: unused; macros take a name by convention.
    """
    native.register_toolchains(str(Label("//rules:default_toolchain")))

def rules_firmware_prebuilt_fwtool(name = "rules_firmware_fwtool", urls = None, sha256 = None, **kwargs):
    """Uses the prebuilt fwtool of a release: no Go is compiled.

    Declares the repository (fwtool_prebuilt: the binary for the host,
    linux-amd64 or linux-arm64) and registers its toolchain. Call it before
    rules_firmware_register_toolchains(), whose from-source toolchain then
    stays unused; rules_go's setup can be left out of WORKSPACE.

    Args:
      name: repository name.
      urls: where fwtool-VERSION-linux.tar.gz is (release.sh prints them).
      sha256: its sha256.
      **kwargs: more fwtool_prebuilt attributes (strip_prefix).
    """
    maybe(fwtool_prebuilt, name = name, urls = urls, sha256 = sha256, **kwargs)
    native.register_toolchains("@%s//:toolchain" % name)

def rules_firmware_board_binaries():
    """Default inputs of the boards (//boards/stm32mp157: Debian's armhf packages; //boards/ppc: wrapper objects).

    ./bazelw unpacks u-boot-stm32, linux-image-armmp and busybox-static under
    $RULES_FIRMWARE_DEBS; a product normally overrides these through the
    board's label flags.
    """
    maybe(
        debian_files,
        name = "stm32mp157_dk2_binaries",
        files = STM32MP157_DK2_FILES,
    )

    # PowerPC boot-wrapper objects built by tools/bootstrap/ppc-boot.sh
    # (tests, boards/ppc); a product points ppc_boot_wrapper at its own
    # kernel build instead.
    maybe(ppc_boot_files, name = "ppc_boot_wrapper_objects")
