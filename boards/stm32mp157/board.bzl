"""The STM32MP157 board, as a macro over rules_firmware's public API.

boards/stm32mp157/BUILD.bazel instantiates it for the STM32MP157C-DK2 with
Debian's binaries as defaults; a product can call it again with its own
parameters. Every input is a label_flag, so a build overrides it with e.g.
--//boards/stm32mp157:fsbl=//my/tf-a:tf-a-stm32mp157c-dk2.stm32
"""

load("@bazel_skylib//rules:common_settings.bzl", "bool_flag")
load(
    "//rules:defs.bzl",
    "disk_image",
    "disk_partition",
    "extlinux_conf",
    "firmware_image",
    "layout_blob",
    "squashfs_image",
    "stm32_flashlayout",
    "vfat_image",
)

# Busybox applets linked in the minimal root filesystem.
_APPLETS = ["sh", "ls", "cat", "echo", "mount", "umount", "mkdir", "dmesg", "uname", "ps", "sleep", "poweroff", "reboot"]

def stm32mp157_board(
        name,
        fsbl,
        ssbl,
        kernel,
        dtb,
        busybox,
        dtb_name = "stm32mp157c-dk2.dtb",
        ssbl_offset = "0x40000",
        boot_partition_size = "0x400000",
        rootfs_partuuid = "9d4e7c3a-5b2f-4a61-8e0d-6f1c2b3a4d5e",
        console = "ttySTM0,115200",
        visibility = None):
    """Declares the board's targets.

    Args:
      name: unused prefix (targets have fixed names: bootimage, osimage, sdcard, image, flashlayout, ...).
      fsbl: default FSBL (STM32 image: TF-A BL2 or U-Boot SPL).
      ssbl: default SSBL (U-Boot image or FIP).
      kernel: default kernel (zImage).
      dtb: default device tree blob.
      busybox: default static busybox for the rootfs.
      dtb_name: file name of the device tree in bootfs.
      ssbl_offset: where the SSBL starts in the boot image (after the FSBL).
      boot_partition_size: hard limit of the boot image (an eMMC boot hardware partition).
      rootfs_partuuid: GPT partition GUID of rootfs, which the kernel command line names.
      console: kernel console.
      visibility: of the images.
    """
    _ = name  # buildifier: disable=unused-variable

    # Inputs: label flags, so products override them from their own build.
    for flag, default in [
        ("fsbl", fsbl),
        ("ssbl", ssbl),
        ("kernel", kernel),
        ("dtb", dtb),
        ("busybox", busybox),
        ("usb_fsbl", fsbl),  # FSBL/SSBL loaded over USB for STM32CubeProgrammer
        ("usb_ssbl", ssbl),
    ]:
        native.label_flag(name = flag, build_setting_default = default, visibility = ["//visibility:public"])

    # One combined SD image (false, the default) or a separate boot image for
    # the eMMC boot partitions plus an OS image (true).
    bool_flag(name = "want_boot_image", build_setting_default = False, visibility = ["//visibility:public"])
    native.config_setting(name = "boot_image_wanted", flag_values = {":want_boot_image": "true"})

    # Boot firmware alone: FSBL at 0, SSBL at ssbl_offset, at most
    # boot_partition_size (exceeding it fails the build naming both sizes).
    layout_blob(name = "bootimage_fsbl", src = ":fsbl", entry_name = "fsbl", offset = "0")
    layout_blob(name = "bootimage_ssbl", src = ":ssbl", entry_name = "ssbl", offset = ssbl_offset)
    firmware_image(
        name = "bootimage",
        entries = [":bootimage_fsbl", ":bootimage_ssbl"],
        image_name = "bootimage",
        image_size = boot_partition_size,
        pad_byte = 0xff,  # erased-flash value; eMMC boot partitions read back as written
        visibility = visibility,
    )

    # bootfs: what U-Boot's distro boot (extlinux) reads.
    extlinux_conf(
        name = "extlinux_conf",
        labels = {"linux": "/zImage"},
        fdt = "/" + dtb_name,
        append = "root=PARTUUID=%s rootfstype=squashfs rootwait ro console=%s" % (rootfs_partuuid, console),
        menu_title = "rules_firmware stm32mp157",
    )
    vfat_image(
        name = "bootfs",
        files = {
            ":extlinux_conf": "extlinux/extlinux.conf",
            ":kernel": "zImage",
            ":dtb": dtb_name,
        },
        image_size = "64M",
        volume_label = "bootfs",
        visibility = visibility,
    )

    # rootfs: busybox and an init of ours.
    squashfs_image(
        name = "rootfs",
        devices = {"dev/console": "c:5:1:0600", "dev/null": "c:1:3:0666"},
        dirs = ["proc", "sys", "tmp", "root", "etc"],
        files = {
            ":busybox": "bin/busybox",
            "init": "sbin/init",
        },
        modes = {"bin/busybox": "0755", "sbin/init": "0755", "tmp": "1777"},
        symlinks = dict([("bin/" + a, "busybox") for a in _APPLETS] + [("init", "sbin/init")]),
        compressor = "gzip",
        visibility = visibility,
    )

    # Partitions, as STM32MP1's ROM code and U-Boot SPL expect them: fsbl1 and
    # fsbl2 hold the same FSBL, SSBL is GPT partition 3.
    disk_partition(name = "part_fsbl1", partition_name = "fsbl1", image = ":fsbl", offset = "17K", partition_size = "256K")
    disk_partition(name = "part_fsbl2", partition_name = "fsbl2", image = ":fsbl", partition_size = "256K")
    disk_partition(name = "part_ssbl", partition_name = "ssbl", image = ":ssbl", partition_size = "2M")
    disk_partition(name = "part_bootfs", partition_name = "bootfs", image = ":bootfs", legacy_bios_bootable = True)
    disk_partition(
        name = "part_rootfs",
        partition_name = "rootfs",
        image = ":rootfs",
        partition_type_uuid = "L",
        partition_uuid = rootfs_partuuid,
    )

    disk_image(
        name = "sdcard",
        partition_table = "gpt",
        partitions = [":part_fsbl1", ":part_fsbl2", ":part_ssbl", ":part_bootfs", ":part_rootfs"],
        visibility = visibility,
    )

    # The user-area image when the boot firmware lives in the eMMC boot
    # partitions: no SoC-specific constraints.
    disk_image(
        name = "osimage",
        partition_table = "gpt",
        partitions = [":part_bootfs", ":part_rootfs"],
        visibility = visibility,
    )

    native.filegroup(
        name = "image",
        srcs = select({
            ":boot_image_wanted": [":bootimage", ":osimage"],
            "//conditions:default": [":sdcard"],
        }),
        visibility = visibility,
    )

    # STM32CubeProgrammer layouts: the SD card as one raw image, and the eMMC
    # per partition (boot image in both boot partitions, OS image's partitions).
    stm32_flashlayout(
        name = "flashlayout",
        disk = ":sdcard",
        fsbl_boot = ":usb_fsbl",
        ssbl_boot = ":usb_ssbl",
        device = "mmc0",
        form = "raw",
        visibility = visibility,
    )
    stm32_flashlayout(
        name = "flashlayout_emmc",
        disk = ":osimage",
        fsbl_boot = ":usb_fsbl",
        ssbl_boot = ":usb_ssbl",
        emmc_boot1 = ":bootimage",
        emmc_boot2 = ":bootimage",
        device = "mmc1",
        form = "partitions",
        visibility = visibility,
    )
