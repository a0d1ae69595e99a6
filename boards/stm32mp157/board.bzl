"""The STM32MP157 board, as a macro over rules_firmware's public API.

boards/stm32mp157/BUILD.bazel instantiates it for the STM32MP157C-DK2 with
Debian's binaries as defaults (name = "": bare target names); a product calls
it again with its own name and parameters, from any package or repository.
Every binary input is a label_flag named like the targets, so a build
overrides it with e.g. --//boards/stm32mp157:fsbl=//my/tf-a:tf-a.stm32
"""

load("@bazel_skylib//rules:common_settings.bzl", "bool_flag")
load(
    "//boards/common:linux.bzl",
    "linux_os_image",
    "prefixed",
    "ref",
)
load(
    "//rules:defs.bzl",
    "disk_image",
    "disk_partition",
    "firmware_image",
    "flash_sd",
    "layout_blob",
    "rauc_bundle",
    "rauc_system_conf",
    "stm32_flashlayout",
    "stm32_program",
)

# What the DK2's kernel (Debian armmp) needs as modules to mount its root
# from the SD card (or an eMMC on SDMMC2): the SDMMC driver (armmmci, which
# holds the STM32 variant), the card's supply (v3v3 is buck4 of the STPMIC1
# PMIC on I2C4: i2c-stm32f7, stpmic1, stpmic1-regulator) and squashfs.
# Everything else on that path (clocks, pinctrl, DMA, MMC core and block) is
# built in.
DK2_MODULES = ["i2c_stm32f7_drv", "stpmic1", "stpmic1_regulator", "armmmci", "squashfs"]

# The TEST-ONLY update signing material (boards/stm32mp157/test_keys/README.md).
TEST_UPDATE_CERT = Label("//boards/stm32mp157/test_keys:test_cert.pem")
TEST_UPDATE_KEY = Label("//boards/stm32mp157/test_keys:test_key.pem")

def stm32mp157_board(
        name,
        fsbl = Label("@stm32mp157_dk2_binaries//:fsbl"),
        ssbl = Label("@stm32mp157_dk2_binaries//:ssbl"),
        kernel = Label("@stm32mp157_dk2_binaries//:kernel"),
        dtb = Label("@stm32mp157_dk2_binaries//:dtb"),
        busybox = Label("@stm32mp157_dk2_binaries//:busybox"),
        modules_tree = Label("@stm32mp157_dk2_binaries//:modules"),
        modules = DK2_MODULES,
        extra_modules = [],
        initramfs_init = Label("//boards/common:initramfs_init"),
        initramfs = None,
        dtb_name = "stm32mp157c-dk2.dtb",
        console = "ttySTM0,115200",
        cmdline = "",
        rootfs_init = Label("//boards/common:rootfs_init"),
        ssbl_offset = "0x40000",
        boot_partition_size = "0x400000",
        fsbl_partition_size = "256K",
        ssbl_partition_size = "2M",
        bootfs_size = "64M",
        bootfs_partition_size = "",
        rootfs_partition_size = "",
        rootfs_partuuid = "9d4e7c3a-5b2f-4a61-8e0d-6f1c2b3a4d5e",
        rootfs_b_partuuid = "c3b6f2a8-1d4e-4f7a-9b2c-5e8d0a6f3b17",
        boot_attempts = 3,
        rauc_compatible = "rules-firmware-stm32mp157",
        update_version = "",
        update_format = "verity",
        update_cert = TEST_UPDATE_CERT,
        update_key = TEST_UPDATE_KEY,
        update_keyring = None,
        sd_device = "/dev/mmcblk0",
        emmc_device = "/dev/mmcblk1",
        visibility = None):
    """Declares the board's targets, each named `<name>_<target>` (bare when name is "").

    Targets: bootimage, initramfs, bootfs, rootfs, sdcard, osimage, image, flashlayout,
    flashlayout_emmc, system_conf, update_bundle, flash_sd and program (run targets); label flags
    fsbl, ssbl, kernel, dtb, busybox, usb_fsbl, usb_ssbl and want_boot_image (see README).

    A/B updates with RAUC (bootloader=uboot): the SD card and the eMMC OS image carry the
    root filesystem twice, GPT partitions rootfs_a and rootfs_b (PARTUUIDs rootfs_partuuid
    and rootfs_b_partuuid); bootfs's /boot.scr picks the slot from U-Boot's BOOT_ORDER and
    BOOT_A_LEFT/BOOT_B_LEFT and boots /extlinux/A.conf or /extlinux/B.conf (root= and
    rauc.slot= of that slot). The rootfs holds /etc/rauc/system.conf (rootfs.0 and rootfs.1;
    with want_boot_image also bootloader.0, type boot-emmc, the eMMC boot partitions) and
    /etc/rauc/keyring.pem. update_bundle is the signed RAUC bundle: the rootfs, and with
    want_boot_image the boot image for the boot-emmc slot.

    Args:
      name: prefix of every target; "" gives the bare names //boards/stm32mp157 uses.
      fsbl: default FSBL (STM32 image: TF-A BL2 or U-Boot SPL).
      ssbl: default SSBL (U-Boot image or FIP).
      kernel: default kernel (zImage).
      dtb: default device tree blob; None: none in bootfs (U-Boot passes its own).
      busybox: default static busybox for the initramfs and the rootfs.
      modules_tree: the kernel package's module tree (lib/modules/VERSION).
      modules: kernel modules the initramfs loads (dependencies come along).
      extra_modules: more modules, after `modules`.
      initramfs_init: the initramfs's /init.
      initramfs: an initramfs to use instead of building one from busybox, initramfs_init and modules.
      dtb_name: file name of the device tree in bootfs.
      console: kernel console.
      cmdline: more kernel arguments.
      rootfs_init: the rootfs's /sbin/init (a label; a plain name is the caller's package).
      ssbl_offset: where the SSBL starts in the boot image (after the FSBL).
      boot_partition_size: hard limit of the boot image (an eMMC boot hardware partition).
      fsbl_partition_size: size of the SD card's fsbl1 and fsbl2 partitions.
      ssbl_partition_size: size of the SD card's ssbl partition.
      bootfs_size: size of the bootfs filesystem.
      bootfs_partition_size: bootfs partition size (default: the filesystem's).
      rootfs_partition_size: rootfs partition size (default: the squashfs's, rounded).
      rootfs_partuuid: GPT partition GUID of rootfs slot A (partition rootfs_a).
      rootfs_b_partuuid: GPT partition GUID of rootfs slot B (partition rootfs_b).
      boot_attempts: boot attempts a slot starts with (BOOT_x_LEFT when unset or refilled).
      rauc_compatible: RAUC compatible of system.conf and update_bundle.
      update_version: update_bundle's version.
      update_format: update_bundle's format, verity or plain.
      update_cert: certificate signing update_bundle (default: TEST-ONLY, see test_keys/README.md).
      update_key: its private key (default: TEST-ONLY).
      update_keyring: the rootfs's /etc/rauc/keyring.pem (default: update_cert).
      sd_device: the SD card's block device on the target (partitions p5 and p6: rootfs A and B).
      emmc_device: the eMMC's block device on the target (p2 and p3; the boot-emmc slot).
      visibility: of the images.
    """

    # Inputs: label flags, so products override them from their own build.
    for what, default in [
        ("fsbl", fsbl),
        ("ssbl", ssbl),
        ("kernel", kernel),
        ("busybox", busybox),
        ("usb_fsbl", fsbl),  # FSBL/SSBL loaded over USB for STM32CubeProgrammer
        ("usb_ssbl", ssbl),
    ] + ([("dtb", dtb)] if dtb else []):
        native.label_flag(name = prefixed(name, what), build_setting_default = default, visibility = ["//visibility:public"])

    # One combined SD image (false, the default) or a separate boot image for
    # the eMMC boot partitions plus an OS image (true).
    bool_flag(name = prefixed(name, "want_boot_image"), build_setting_default = False, visibility = ["//visibility:public"])
    native.config_setting(name = prefixed(name, "boot_image_wanted"), flag_values = {ref(name, "want_boot_image"): "true"})

    # Boot firmware alone: FSBL at 0, SSBL at ssbl_offset, at most
    # boot_partition_size (exceeding it fails the build naming both sizes).
    layout_blob(name = prefixed(name, "bootimage_fsbl"), src = ref(name, "fsbl"), entry_name = "fsbl", offset = "0")
    layout_blob(name = prefixed(name, "bootimage_ssbl"), src = ref(name, "ssbl"), entry_name = "ssbl", offset = ssbl_offset)
    firmware_image(
        name = prefixed(name, "bootimage"),
        entries = [ref(name, "bootimage_fsbl"), ref(name, "bootimage_ssbl")],
        image_name = "bootimage",
        image_size = boot_partition_size,
        pad_byte = 0xff,  # erased-flash value; eMMC boot partitions read back as written
        visibility = visibility,
    )

    # RAUC's view of the device: where the slots are depends on the storage
    # booted (SD: fsbl1, fsbl2, ssbl, bootfs, rootfs_a, rootfs_b; eMMC user
    # area: bootfs, rootfs_a, rootfs_b, with the boot firmware in the two
    # boot partitions, swapped by RAUC's boot-emmc slot type).
    rootfs_slots = {
        "rootfs.0": ["type=raw", "bootname=A"],
        "rootfs.1": ["type=raw", "bootname=B"],
    }
    for medium, device, first, extra in [
        ("sd", sd_device, 5, {}),
        ("emmc", emmc_device, 2, {"bootloader.0": ["device=" + emmc_device, "type=boot-emmc"]}),
    ]:
        slots = {}
        for i, (slot, kv) in enumerate(sorted(rootfs_slots.items())):
            slots[slot] = ["device=%sp%d" % (device, first + i)] + kv
        slots.update(extra)
        rauc_system_conf(
            name = prefixed(name, "system_conf_" + medium),
            compatible = rauc_compatible,
            bootloader = "uboot",
            slots = slots,
            out = prefixed(name, "system_%s.conf" % medium),
            visibility = visibility,
        )
    native.alias(
        name = prefixed(name, "system_conf"),
        actual = select({
            ref(name, "boot_image_wanted"): ref(name, "system_conf_emmc"),
            "//conditions:default": ref(name, "system_conf_sd"),
        }),
        visibility = visibility,
    )

    # bootfs (boot chooser, extlinux per slot, zImage, initramfs, DTB), rootfs
    # (squashfs) and the GPT osimage of bootfs and both rootfs slots: the
    # user-area image when the boot firmware lives in the eMMC boot
    # partitions (no SoC-specific constraints).
    osi = linux_os_image(
        name = name,
        kernel = ref(name, "kernel"),
        busybox = ref(name, "busybox"),
        console = console,
        modules_tree = modules_tree,
        modules = modules + extra_modules,
        initramfs_init = initramfs_init,
        initramfs = initramfs,
        dtb = ref(name, "dtb") if dtb else None,
        dtb_name = dtb_name,
        cmdline = cmdline,
        rootfs_partuuid = rootfs_partuuid,
        rootfs_b_partuuid = rootfs_b_partuuid,
        boot_attempts = boot_attempts,
        rootfs_files = {
            ref(name, "system_conf"): "etc/rauc/system.conf",
            update_keyring or update_cert: "etc/rauc/keyring.pem",
        },
        rootfs_init = rootfs_init,
        bootfs_size = bootfs_size,
        bootfs_partition_size = bootfs_partition_size,
        rootfs_partition_size = rootfs_partition_size,
        menu_title = "rules_firmware stm32mp157",
        visibility = visibility,
    )

    # Partitions, as STM32MP1's ROM code and U-Boot SPL expect them: fsbl1 and
    # fsbl2 hold the same FSBL, SSBL is GPT partition 3.
    disk_partition(name = prefixed(name, "part_fsbl1"), partition_name = "fsbl1", image = ref(name, "fsbl"), offset = "17K", partition_size = fsbl_partition_size)
    disk_partition(name = prefixed(name, "part_fsbl2"), partition_name = "fsbl2", image = ref(name, "fsbl"), partition_size = fsbl_partition_size)
    disk_partition(name = prefixed(name, "part_ssbl"), partition_name = "ssbl", image = ref(name, "ssbl"), partition_size = ssbl_partition_size)

    disk_image(
        name = prefixed(name, "sdcard"),
        partition_table = "gpt",
        partitions = [ref(name, "part_fsbl1"), ref(name, "part_fsbl2"), ref(name, "part_ssbl"), ":" + osi.part_bootfs, ":" + osi.part_rootfs, ":" + osi.part_rootfs_b],
        visibility = visibility,
    )

    # The signed update: the rootfs for slot rootfs.*, and when the boot
    # firmware lives in the eMMC boot partitions, the boot image for their
    # A/B swap (bootloader.0, boot-emmc).
    rootfs_image = {ref(name, "rootfs"): "rootfs:rootfs.img"}
    emmc_images = dict(rootfs_image)
    emmc_images[ref(name, "bootimage")] = "bootloader:bootloader.img"
    rauc_bundle(
        name = prefixed(name, "update_bundle"),
        images = select({
            ref(name, "boot_image_wanted"): emmc_images,
            "//conditions:default": rootfs_image,
        }),
        compatible = rauc_compatible,
        version = update_version,
        format = update_format,
        cert = update_cert,
        key = update_key,
        out = prefixed(name, "update.raucb"),
        visibility = visibility,
    )

    native.filegroup(
        name = prefixed(name, "image"),
        srcs = select({
            ref(name, "boot_image_wanted"): [ref(name, "bootimage"), ":" + osi.osimage],
            "//conditions:default": [ref(name, "sdcard")],
        }),
        visibility = visibility,
    )

    # STM32CubeProgrammer layouts: the SD card as one raw image, and the eMMC
    # per partition (boot image in both boot partitions, OS image's partitions).
    stm32_flashlayout(
        name = prefixed(name, "flashlayout"),
        disk = ref(name, "sdcard"),
        fsbl_boot = ref(name, "usb_fsbl"),
        ssbl_boot = ref(name, "usb_ssbl"),
        device = "mmc0",
        form = "raw",
        visibility = visibility,
    )
    stm32_flashlayout(
        name = prefixed(name, "flashlayout_emmc"),
        disk = ":" + osi.osimage,
        fsbl_boot = ref(name, "usb_fsbl"),
        ssbl_boot = ref(name, "usb_ssbl"),
        emmc_boot1 = ref(name, "bootimage"),
        emmc_boot2 = ref(name, "bootimage"),
        device = "mmc1",
        form = "partitions",
        visibility = visibility,
    )

    # Run targets: `bazel run :flash_sd -- /dev/sdX --yes` writes the SD card
    # image; `bazel run :program` factory-flashes the eMMC over USB.
    flash_sd(
        name = prefixed(name, "flash_sd"),
        image = ref(name, "sdcard"),
        visibility = visibility,
    )
    stm32_program(
        name = prefixed(name, "program"),
        layout = ref(name, "flashlayout_emmc"),
        visibility = visibility,
    )
