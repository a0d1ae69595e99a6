"""The Linux OS image every board here shares, as a macro over the public API.

linux_os_image declares, with every name prefixed by `name + "_"` (nothing
when `name` is empty):

| target | what it is |
|---|---|
| `initramfs` | newc cpio, gzip: busybox, our `/init`, the kernel modules named in `modules` with their dependencies, `modules.dep` and `modules.load` (`initramfs_modules`) |
| `extlinux_conf` | U-Boot distro boot: kernel, initramfs, optional DTB, command line |
| `bootfs` | vfat: `extlinux/extlinux.conf`, `zImage`, `initramfs.cpio.gz`, the DTB (when given) |
| `rootfs` | squashfs: busybox and our `/sbin/init` |
| `part_bootfs`, `part_rootfs`, `osimage` | GPT disk of the two (`rootfs` has the PARTUUID the command line names) |

The initramfs /init loads the modules, finds root=PARTUUID=... by reading
the GPT itself and switch_roots into the squashfs; the rootfs's /sbin/init
prints `RF-USERLAND <kernel> root squashfs`, then gives a shell, or powers
off when the kernel command line holds `rf.poweroff`.

extlinux's append ends with `${rf_bootargs}`: U-Boot expands variables there
from its environment (empty when unset), so a firmware environment can add
kernel arguments (a test's `rf.poweroff panic=-1`) without changing bootfs.
"""

load(
    "//rules:defs.bzl",
    "disk_image",
    "disk_partition",
    "extlinux_conf",
    "initramfs",
    "kernel_modules",
    "squashfs_image",
    "vfat_image",
)

# Busybox applets linked in the root filesystem and in the initramfs.
ROOTFS_APPLETS = ["sh", "ls", "cat", "echo", "mount", "umount", "mkdir", "dmesg", "uname", "ps", "sleep", "poweroff", "reboot", "awk", "setsid", "cttyhack"]
INITRAMFS_APPLETS = ["sh", "uname", "mount", "umount", "modprobe", "hexdump", "sed", "tr", "cat", "ls", "sleep", "readlink", "basename", "switch_root", "mkdir"]

def prefixed(name, what):
    """The target name `what` of the board instance `name`."""
    return "%s_%s" % (name, what) if name else what

def ref(name, what):
    """The label, in the calling package, of the target `what` of the board instance `name`."""
    return ":" + prefixed(name, what)

def busybox_initramfs(name, busybox, init, modules_tree, modules, visibility = None):
    """An initramfs of busybox, an /init and kernel modules with their dependencies.

    Args:
      name: target name (the modules are `<name>_modules`).
      busybox: static busybox.
      init: the /init program.
      modules_tree: the kernel package's module tree (lib/modules/VERSION).
      modules: module names to stage; [] for none.
      visibility: of the initramfs.
    """
    trees = []
    if modules:
        kernel_modules(
            name = name + "_modules",
            srcs = [modules_tree],
            modules = modules,
        )
        trees.append(":" + name + "_modules")
    initramfs(
        name = name,
        files = {
            busybox: "bin/busybox",
            init: "init",
        },
        dirs = ["dev", "proc", "sys", "newroot"],
        # The kernel opens /dev/console for init before anything is mounted.
        devices = {"dev/console": "c:5:1:0600"},
        modes = {"bin/busybox": "0755", "init": "0755"},
        symlinks = dict([("bin/" + a, "busybox") for a in INITRAMFS_APPLETS] + [("sbin", "bin")]),
        trees = trees,
        compression = "gzip",
        visibility = visibility,
    )

def linux_os_image(
        name,
        kernel,
        busybox,
        console,
        modules_tree = None,
        modules = [],
        initramfs_init = Label("//boards/common:initramfs_init"),
        initramfs = None,
        dtb = None,
        dtb_name = "board.dtb",
        cmdline = "",
        rootfs_partuuid = "9d4e7c3a-5b2f-4a61-8e0d-6f1c2b3a4d5e",
        rootfs_init = Label("//boards/common:rootfs_init"),
        bootfs_size = "64M",
        bootfs_partition_size = "",
        rootfs_partition_size = "",
        rootfs_compressor = "gzip",
        menu_title = "rules_firmware",
        visibility = None):
    """Declares a board's Linux OS image (see the module doc).

    Args:
      name: prefix of every target (`<name>_bootfs`, ...); "" for bare names.
      kernel: zImage.
      busybox: static busybox for the initramfs and the rootfs.
      console: kernel console (console=...).
      modules_tree: the kernel package's module tree (lib/modules/VERSION).
      modules: kernel modules the initramfs loads (their dependencies come along).
      initramfs_init: the initramfs's /init.
      initramfs: an initramfs to use instead of building `<name>_initramfs` from busybox, initramfs_init and modules.
      dtb: device tree for bootfs; None: no fdt line (U-Boot passes its own, as on QEMU).
      dtb_name: file name of the device tree in bootfs.
      cmdline: more kernel arguments.
      rootfs_partuuid: GPT partition GUID of rootfs, which the command line names.
      rootfs_init: the rootfs /sbin/init.
      bootfs_size: size of the vfat filesystem.
      bootfs_partition_size: bootfs partition size (default: the filesystem's).
      rootfs_partition_size: rootfs partition size (default: the squashfs's, rounded).
      rootfs_compressor: squashfs compressor.
      menu_title: extlinux menu title.
      visibility: of the images.

    Returns:
      A struct of the target names: initramfs (a label), bootfs, rootfs, part_bootfs, part_rootfs, osimage.
    """

    if not initramfs:
        busybox_initramfs(
            name = prefixed(name, "initramfs"),
            busybox = busybox,
            init = initramfs_init,
            modules_tree = modules_tree,
            modules = modules,
            visibility = visibility,
        )
        initramfs = ref(name, "initramfs")

    append = "root=PARTUUID=%s rootfstype=squashfs rootwait ro console=%s" % (rootfs_partuuid, console)
    if cmdline:
        append += " " + cmdline
    extlinux_conf(
        name = prefixed(name, "extlinux_conf"),
        labels = {"linux": "/zImage"},
        fdt = "/" + dtb_name if dtb else "",
        initrd = "/initramfs.cpio.gz",
        append = append + " ${rf_bootargs}",
        menu_title = menu_title,
    )
    bootfs_files = {
        ref(name, "extlinux_conf"): "extlinux/extlinux.conf",
        kernel: "zImage",
        initramfs: "initramfs.cpio.gz",
    }
    if dtb:
        bootfs_files[dtb] = dtb_name
    vfat_image(
        name = prefixed(name, "bootfs"),
        files = bootfs_files,
        image_size = bootfs_size,
        volume_label = "bootfs",
        visibility = visibility,
    )

    squashfs_image(
        name = prefixed(name, "rootfs"),
        devices = {"dev/console": "c:5:1:0600", "dev/null": "c:1:3:0666"},
        dirs = ["proc", "sys", "tmp", "root", "etc"],
        files = {
            busybox: "bin/busybox",
            rootfs_init: "sbin/init",
        },
        modes = {"bin/busybox": "0755", "sbin/init": "0755", "tmp": "1777"},
        symlinks = dict([("bin/" + a, "busybox") for a in ROOTFS_APPLETS] + [("init", "sbin/init")]),
        compressor = rootfs_compressor,
        visibility = visibility,
    )

    disk_partition(
        name = prefixed(name, "part_bootfs"),
        partition_name = "bootfs",
        image = ref(name, "bootfs"),
        partition_size = bootfs_partition_size,
        legacy_bios_bootable = True,
    )
    disk_partition(
        name = prefixed(name, "part_rootfs"),
        partition_name = "rootfs",
        image = ref(name, "rootfs"),
        partition_size = rootfs_partition_size,
        partition_type_uuid = "L",
        partition_uuid = rootfs_partuuid,
    )

    # The user-area image: bootfs and rootfs on GPT.
    disk_image(
        name = prefixed(name, "osimage"),
        partition_table = "gpt",
        partitions = [ref(name, "part_bootfs"), ref(name, "part_rootfs")],
        visibility = visibility,
    )
    return struct(
        initramfs = initramfs,
        bootfs = prefixed(name, "bootfs"),
        rootfs = prefixed(name, "rootfs"),
        part_bootfs = prefixed(name, "part_bootfs"),
        part_rootfs = prefixed(name, "part_rootfs"),
        osimage = prefixed(name, "osimage"),
    )
