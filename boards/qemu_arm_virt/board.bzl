"""QEMU's `virt` machine (32-bit Arm, cortex-a15) booting Linux through real U-Boot.

The same OS image as the other boards (boards/common:linux.bzl: bootfs with
extlinux, zImage, initramfs; squashfs rootfs; GPT), started by Debian's
u-boot-qemu `qemu_arm` U-Boot with an environment of ours in QEMU's second
flash bank. Targets, each named `<name>_<target>` (bare when name is ""):

| target | what it is |
|---|---|
| `initramfs`, `bootfs`, `rootfs` | as boards/common:linux.bzl makes them; the initramfs loads virtio-mmio, virtio-blk and squashfs |
| `osimage` | the GPT disk (virtio): bootfs + rootfs |
| `env`, `flash` | U-Boot environment (bootdelay=0, bootcmd: extlinux from virtio 0:1) and the 64 MiB pflash image holding it |
| `test_env`, `test_flash` | the same with `rf_bootargs=rf.poweroff panic=-1`, which the extlinux append expands: init powers off after its marker, a panic ends QEMU (with -no-reboot) |
| `run` | `bazel run`: boots `osimage` in QEMU on this terminal (quit: Ctrl-A X) |
"""

load(
    "//boards/common:linux.bzl",
    "linux_os_image",
    "prefixed",
    "ref",
)
load("//rules:defs.bzl", "firmware_image", "layout_blob", "uboot_env")

# qemu_arm U-Boot reads its environment from the start of the second flash
# bank (0x04000000), 256 KiB; QEMU's flash banks are 64 MiB each.
ENV_SIZE = "0x40000"
FLASH_SIZE = "0x4000000"

# RAM layout U-Boot loads to (the machine's RAM starts at 0x40000000, where
# QEMU also puts its device tree).
LOAD_ADDRESSES = {
    "fdt_addr": "0x40000000",
    "scriptaddr": "0x40200000",
    "pxefile_addr_r": "0x40300000",
    "kernel_addr_r": "0x40400000",
    "ramdisk_addr_r": "0x44000000",
    "fit_addr_r": "0x48000000",
}

def qemu_uboot_env_vars(bootcmd, extra = {}):
    """U-Boot variables for the qemu_arm board: addresses, bootdelay=0, the given bootcmd.

    An environment in flash replaces U-Boot's built-in one entirely, so
    this names everything a boot needs.

    Args:
      bootcmd: the boot command.
      extra: more variables.

    Returns:
      A dict for uboot_env's vars.
    """
    vars = {
        "bootdelay": "0",
        # Keep the device tree and the initramfs where they were loaded.
        "fdt_high": "0xffffffff",
        "initrd_high": "0xffffffff",
    }
    vars.update(LOAD_ADDRESSES)
    vars.update(extra)
    vars["bootcmd"] = bootcmd
    return vars

def qemu_flash(name, env, visibility = None):
    """A 64 MiB flash bank image with a U-Boot environment at its start.

    Args:
      name: target name.
      env: the uboot_env target.
      visibility: of the image.
    """
    layout_blob(name = name + "_env_entry", src = env, entry_name = "u-boot-env", offset = "0")
    firmware_image(
        name = name,
        entries = [":" + name + "_env_entry"],
        image_name = name,
        image_size = FLASH_SIZE,
        pad_byte = 0xff,  # erased NOR flash
        visibility = visibility,
    )

# distro boot's extlinux path, without its scan of every device.
EXTLINUX_BOOTCMD = "virtio scan; sysboot virtio 0:1 any ${pxefile_addr_r} /extlinux/extlinux.conf; echo RF-BOOT-FAILED extlinux"

def qemu_arm_virt_board(
        name,
        uboot = Label("@stm32mp157_dk2_binaries//:qemu_arm_uboot"),
        kernel = Label("@stm32mp157_dk2_binaries//:kernel"),
        busybox = Label("@stm32mp157_dk2_binaries//:busybox"),
        modules_tree = Label("@stm32mp157_dk2_binaries//:modules"),
        modules = ["virtio_mmio", "virtio_blk", "squashfs"],
        initramfs_init = Label("//boards/common:initramfs_init"),
        initramfs = None,
        console = "ttyAMA0",
        cmdline = "panic=-1",
        test_bootargs = "rf.poweroff panic=-1",
        rootfs_init = Label("//boards/common:rootfs_init"),
        rootfs_partuuid = "9d4e7c3a-5b2f-4a61-8e0d-6f1c2b3a4d5e",
        bootfs_size = "64M",
        bootfs_partition_size = "",
        rootfs_partition_size = "",
        memory = "512",
        visibility = None):
    """Declares the board's targets (see the module doc).

    Args:
      name: prefix of every target; "" gives bare names.
      uboot: U-Boot for QEMU's virt machine (u-boot.bin), given to QEMU as -bios.
      kernel: zImage.
      busybox: static busybox for the initramfs and the rootfs.
      modules_tree: the kernel package's module tree (lib/modules/VERSION).
      modules: kernel modules the initramfs loads: virt's disk (virtio-mmio, virtio-blk) and squashfs.
      initramfs_init: the initramfs's /init.
      initramfs: an initramfs to use instead of building one from busybox, initramfs_init and modules.
      console: kernel console.
      cmdline: more kernel arguments.
      test_bootargs: rf_bootargs of test_env.
      rootfs_init: the rootfs's /sbin/init.
      rootfs_partuuid: GPT partition GUID of rootfs.
      bootfs_size: size of the bootfs filesystem.
      bootfs_partition_size: bootfs partition size (default: the filesystem's).
      rootfs_partition_size: rootfs partition size (default: the squashfs's, rounded).
      memory: QEMU's -m for the run target, MiB.
      visibility: of the images.
    """
    osi = linux_os_image(
        name = name,
        kernel = kernel,
        busybox = busybox,
        console = console,
        modules_tree = modules_tree,
        modules = modules,
        initramfs_init = initramfs_init,
        initramfs = initramfs,
        cmdline = cmdline,
        rootfs_partuuid = rootfs_partuuid,
        rootfs_init = rootfs_init,
        bootfs_size = bootfs_size,
        bootfs_partition_size = bootfs_partition_size,
        rootfs_partition_size = rootfs_partition_size,
        menu_title = "rules_firmware qemu_arm_virt",
        visibility = visibility,
    )

    for env, extra in [("env", {}), ("test_env", {"rf_bootargs": test_bootargs})]:
        uboot_env(
            name = prefixed(name, env),
            env_size = ENV_SIZE,
            vars = qemu_uboot_env_vars(EXTLINUX_BOOTCMD, extra),
            visibility = visibility,
        )
    qemu_flash(prefixed(name, "flash"), ref(name, "env"), visibility)
    qemu_flash(prefixed(name, "test_flash"), ref(name, "test_env"), visibility)

    native.sh_binary(
        name = prefixed(name, "run"),
        srcs = [Label("//boards/qemu_arm_virt:run.sh")],
        args = [
            "$(rootpath %s)" % uboot,
            "$(rootpath %s)" % ref(name, "flash"),
            "$(rootpath :%s)" % osi.osimage,
            memory,
        ],
        data = [uboot, ref(name, "flash"), ":" + osi.osimage],
        tags = ["qemu"],
    )
