"""rules_firmware: the public API. Load everything from here.

    load("@rules_firmware//rules:defs.bzl", "uimage")
"""

load("//rules/private:providers.bzl", _FirmwareImageInfo = "FirmwareImageInfo")
load("//rules/private:toolchain.bzl", _fwtool_toolchain = "fwtool_toolchain")
load("//rules/private:uimage.bzl", _uimage = "uimage")

FirmwareImageInfo = _FirmwareImageInfo
fwtool_toolchain = _fwtool_toolchain
uimage = _uimage
