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

With `rootfs_b_partuuid` set the image is A/B, for RAUC's U-Boot integration
(`bootloader=uboot`):

| target | what it is |
|---|---|
| `part_rootfs`, `part_rootfs_b` | GPT partitions `rootfs_a` and `rootfs_b`, both holding `rootfs`, with PARTUUIDs `rootfs_partuuid` and `rootfs_b_partuuid` |
| `extlinux_conf_A`, `extlinux_conf_B` | one extlinux file per slot (`/extlinux/A.conf`, `/extlinux/B.conf` in bootfs): `root=PARTUUID=<slot's> rauc.slot=<A or B>` |
| `bootchooser`, `boot_scr` | the boot chooser (U-Boot hush) and its `mkimage -T script` image, `/boot.scr` in bootfs |

There is no `/extlinux/extlinux.conf` then (distro boot would take it before
any script): distro boot runs `/boot.scr`, which reads `BOOT_ORDER` (slot
names, first preferred; default "A B") and `BOOT_A_LEFT`/`BOOT_B_LEFT`
(attempts left; default `boot_attempts`), takes one attempt from the first
slot that has any, saves the environment and boots that slot's extlinux
file. With no attempts left anywhere it refills the counters and resets.
RAUC sets `BOOT_ORDER` and the counters after an install and refills the
counter of a slot it marks good.

The initramfs /init loads the modules, finds root=PARTUUID=... by reading
the GPT itself and switch_roots into the squashfs; the rootfs's /sbin/init
prints `RF-USERLAND <kernel> root squashfs`, then gives a shell, or powers
off when the kernel command line holds `rf.poweroff`.

extlinux's append ends with `${rf_bootargs}`: U-Boot expands variables there
from its environment (empty when unset), so a firmware environment can add
kernel arguments (a test's `rf.poweroff panic=-1`) without changing bootfs.
"""

load("@bazel_skylib//rules:write_file.bzl", "write_file")
load(
    "//rules:defs.bzl",
    "disk_image",
    "disk_partition",
    "extlinux_conf",
    "initramfs",
    "kernel_modules",
    "squashfs_image",
    "uimage",
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

def bootchooser_script(slots, attempts):
    """The text of a U-Boot hush script choosing an A/B slot the way RAUC's `bootloader=uboot` expects.

    Args:
      slots: slot names (RAUC bootnames), the default BOOT_ORDER.
      attempts: boot attempts a slot gets when its counter is unset or refilled.

    Returns:
      A list of lines.
    """
    lines = [
        "# rules_firmware A/B boot chooser for RAUC (bootloader=uboot).",
        "# BOOT_ORDER: slot names, first preferred. BOOT_<slot>_LEFT: attempts left.",
        "# One attempt of the first slot with any left is used (and saved); that",
        "# slot's extlinux file names its root partition and rauc.slot=<slot>.",
        "test -n \"${BOOT_ORDER}\" || setenv BOOT_ORDER \"%s\"" % " ".join(slots),
    ]
    for slot in slots:
        lines.append("test -n \"${BOOT_%s_LEFT}\" || setenv BOOT_%s_LEFT %d" % (slot, slot, attempts))
    lines += [
        "setenv rf_slot",
        "for rf_try in ${BOOT_ORDER}; do",
    ]
    for slot in slots:
        lines += [
            "\tif test -z \"${rf_slot}\" && test \"${rf_try}\" = %s; then" % slot,
            "\t\tif test ${BOOT_%s_LEFT} -gt 0; then" % slot,
            "\t\t\tsetexpr BOOT_%s_LEFT ${BOOT_%s_LEFT} - 1" % (slot, slot),
            "\t\t\tsetenv rf_slot %s" % slot,
            "\t\tfi",
            "\tfi",
        ]
    lines += [
        "done",
        "if test -z \"${rf_slot}\"; then",
        "\techo \"bootchooser: no slot has attempts left (BOOT_ORDER ${BOOT_ORDER}); refilling and resetting\"",
    ]
    lines += ["\tsetenv BOOT_%s_LEFT %d" % (slot, attempts) for slot in slots]
    lines += [
        "\tsaveenv",
        "\treset",
        "fi",
        "echo \"bootchooser: slot ${rf_slot} (BOOT_ORDER ${BOOT_ORDER}; %s)\"" % ", ".join(["%s left ${BOOT_%s_LEFT}" % (s, s) for s in slots]),
        "saveenv",
        "sysboot ${devtype} ${devnum}:${distro_bootpart} any ${pxefile_addr_r} /extlinux/${rf_slot}.conf",
        "echo \"bootchooser: slot ${rf_slot} did not boot\"",
    ]
    return lines

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
        rootfs_files = {},
        rootfs_b_partuuid = "",
        boot_attempts = 3,
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
      rootfs_files: more files for the rootfs: label -> path in it (e.g. etc/rauc/system.conf).
      rootfs_b_partuuid: set: an A/B image (see the module doc); rootfs B's GPT partition GUID.
      boot_attempts: A/B only: attempts per slot the boot chooser starts from.
      menu_title: extlinux menu title.
      visibility: of the images.

    Returns:
      A struct of the target names: initramfs (a label), bootfs, rootfs, part_bootfs,
      part_rootfs, part_rootfs_b (None unless A/B), osimage.
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

    # (slot name, root PARTUUID, GPT partition name, extlinux target, path in bootfs)
    if rootfs_b_partuuid:
        if rootfs_b_partuuid.lower() == rootfs_partuuid.lower():
            fail("%s: rootfs_b_partuuid %s: the same as rootfs_partuuid" % (name or native.package_name(), rootfs_b_partuuid))
        slots = [
            ("A", rootfs_partuuid, "rootfs_a", "extlinux_conf_A", "extlinux/A.conf"),
            ("B", rootfs_b_partuuid, "rootfs_b", "extlinux_conf_B", "extlinux/B.conf"),
        ]
    else:
        slots = [(None, rootfs_partuuid, "rootfs", "extlinux_conf", "extlinux/extlinux.conf")]
    bootfs_files = {
        kernel: "zImage",
        initramfs: "initramfs.cpio.gz",
    }
    for slot, partuuid, _, conf, path in slots:
        append = "root=PARTUUID=%s " % partuuid
        if slot:
            append += "rauc.slot=%s " % slot
        append += "rootfstype=squashfs rootwait ro console=%s" % console
        if cmdline:
            append += " " + cmdline
        extlinux_conf(
            name = prefixed(name, conf),
            labels = {"linux": "/zImage"},
            fdt = "/" + dtb_name if dtb else "",
            initrd = "/initramfs.cpio.gz",
            append = append + " ${rf_bootargs}",
            menu_title = menu_title + (" slot " + slot if slot else ""),
        )
        bootfs_files[ref(name, conf)] = path
    if rootfs_b_partuuid:
        write_file(
            name = prefixed(name, "bootchooser"),
            out = prefixed(name, "bootchooser.cmd"),
            content = bootchooser_script([s[0] for s in slots], boot_attempts),
        )
        uimage(
            name = prefixed(name, "boot_scr"),
            srcs = [ref(name, "bootchooser")],
            arch = "arm",
            os = "linux",
            image_type = "script",
            image_name = "bootchooser",
            out = prefixed(name, "boot.scr"),
        )
        bootfs_files[ref(name, "boot_scr")] = "boot.scr"
    if dtb:
        bootfs_files[dtb] = dtb_name
    vfat_image(
        name = prefixed(name, "bootfs"),
        files = bootfs_files,
        image_size = bootfs_size,
        volume_label = "bootfs",
        visibility = visibility,
    )

    rootfs_contents = {
        busybox: "bin/busybox",
        rootfs_init: "sbin/init",
    }
    rootfs_contents.update(rootfs_files)
    squashfs_image(
        name = prefixed(name, "rootfs"),
        devices = {"dev/console": "c:5:1:0600", "dev/null": "c:1:3:0666"},
        dirs = ["proc", "sys", "tmp", "root", "etc"],
        files = rootfs_contents,
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

    # A/B: both slots hold the same rootfs, so either boots from the factory.
    parts = []
    for i, slot in enumerate(slots):
        parts.append(prefixed(name, "part_rootfs" + ("_b" if i else "")))
        disk_partition(
            name = parts[-1],
            partition_name = slot[2],
            image = ref(name, "rootfs"),
            partition_size = rootfs_partition_size,
            partition_type_uuid = "L",
            partition_uuid = slot[1],
        )

    # The user-area image: bootfs and rootfs (A and B) on GPT.
    disk_image(
        name = prefixed(name, "osimage"),
        partition_table = "gpt",
        partitions = [ref(name, "part_bootfs")] + [":" + p for p in parts],
        visibility = visibility,
    )
    return struct(
        initramfs = initramfs,
        bootfs = prefixed(name, "bootfs"),
        rootfs = prefixed(name, "rootfs"),
        part_bootfs = prefixed(name, "part_bootfs"),
        part_rootfs = parts[0],
        part_rootfs_b = parts[1] if len(parts) > 1 else None,
        osimage = prefixed(name, "osimage"),
    )
