"""rules_firmware: the public API. Load everything from here.

    load("@rules_firmware//rules:defs.bzl", "uimage")
"""

load("//rules/private:binman.bzl", _binman_image = "binman_image")
load("//rules/private:bootup.bzl", _bootup_app_image = "bootup_app_image", _bootup_bundle = "bootup_bundle")
load("//rules/private:disk.bzl", _DiskImageInfo = "DiskImageInfo", _DiskPartitionInfo = "DiskPartitionInfo", _disk_image = "disk_image", _disk_partition = "disk_partition")
load("//rules/private:dtb.bzl", _dtb = "dtb")
load("//rules/private:extlinux.bzl", _extlinux_conf = "extlinux_conf")
load("//rules/private:filesystem.bzl", _ext_image = "ext_image", _squashfs_image = "squashfs_image", _vfat_image = "vfat_image")
load("//rules/private:fip.bzl", _fip_image = "fip_image")
load("//rules/private:fit.bzl", _FitComponentInfo = "FitComponentInfo", _fit_component = "fit_component", _fit_image = "fit_image")
load("//rules/private:fit_its.bzl", _fit_image_from_its = "fit_image_from_its")
load("//rules/private:flash.bzl", _flash_sd = "flash_sd", _stm32_program = "stm32_program")
load("//rules/private:flashlayout.bzl", _stm32_flashlayout = "stm32_flashlayout")
load("//rules/private:initramfs.bzl", _KernelModulesInfo = "KernelModulesInfo", _initramfs = "initramfs", _kernel_modules = "kernel_modules")
load("//rules/private:layout.bzl", _LayoutEntryInfo = "LayoutEntryInfo", _firmware_image = "firmware_image", _layout_blob = "layout_blob", _layout_fdtmap = "layout_fdtmap", _layout_fill = "layout_fill", _layout_image_header = "layout_image_header", _layout_section = "layout_section", _layout_text = "layout_text")
load("//rules/private:ppc.bzl", _ppc_boot_wrapper = "ppc_boot_wrapper")
load("//rules/private:providers.bzl", _FirmwareImageInfo = "FirmwareImageInfo")
load("//rules/private:rauc.bzl", _rauc_bundle = "rauc_bundle", _rauc_system_conf = "rauc_system_conf")
load("//rules/private:stm32.bzl", _stm32_image = "stm32_image")
load("//rules/private:toolchain.bzl", _fwtool_toolchain = "fwtool_toolchain")
load("//rules/private:uboot_env.bzl", _uboot_env = "uboot_env")
load("//rules/private:uimage.bzl", _uimage = "uimage")

DiskImageInfo = _DiskImageInfo
DiskPartitionInfo = _DiskPartitionInfo
FirmwareImageInfo = _FirmwareImageInfo
FitComponentInfo = _FitComponentInfo
KernelModulesInfo = _KernelModulesInfo
LayoutEntryInfo = _LayoutEntryInfo
binman_image = _binman_image
bootup_app_image = _bootup_app_image
bootup_bundle = _bootup_bundle
disk_image = _disk_image
disk_partition = _disk_partition
dtb = _dtb
ext_image = _ext_image
extlinux_conf = _extlinux_conf
fip_image = _fip_image
firmware_image = _firmware_image
fit_component = _fit_component
fit_image = _fit_image
fit_image_from_its = _fit_image_from_its
flash_sd = _flash_sd
fwtool_toolchain = _fwtool_toolchain
initramfs = _initramfs
kernel_modules = _kernel_modules
layout_blob = _layout_blob
layout_fdtmap = _layout_fdtmap
layout_fill = _layout_fill
layout_image_header = _layout_image_header
layout_section = _layout_section
layout_text = _layout_text
ppc_boot_wrapper = _ppc_boot_wrapper
rauc_bundle = _rauc_bundle
rauc_system_conf = _rauc_system_conf
squashfs_image = _squashfs_image
stm32_flashlayout = _stm32_flashlayout
stm32_image = _stm32_image
stm32_program = _stm32_program
uboot_env = _uboot_env
uimage = _uimage
vfat_image = _vfat_image
