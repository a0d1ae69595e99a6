"""Analysis tests for initramfs and kernel_modules: actions, providers, errors."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "FirmwareImageInfo", "initramfs", "kernel_modules")
load("//tests/rules:analysis.bzl", "failure_test")

def _flag_values(argv, flag):
    return [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == flag]

def _initramfs_test_impl(ctx):
    env = analysistest.begin(ctx)
    runs = [a for a in analysistest.target_actions(env) if a.mnemonic == "Initramfs"]
    asserts.equals(env, 1, len(runs), "one Initramfs action")
    argv = runs[0].argv
    asserts.equals(env, ["xz"], _flag_values(argv, "--compress"))
    asserts.equals(env, ["5"], _flag_values(argv, "--mtime"))
    asserts.equals(env, ["sbin/hello=etc/hello.txt"], _flag_values(argv, "--hardlink"))
    asserts.equals(env, ["tests/rules/initramfs/init.sh=tests/rules/initramfs/init.sh", "init.sh=tests/rules/initramfs/init.sh"], _flag_values(argv, "--map"))
    asserts.true(env, "--map-only" in argv, "lists are resolved only through --map: %s" % argv)
    writes = [a for a in analysistest.target_actions(env) if a.mnemonic == "FileWrite"]
    entries = json.decode(writes[0].content)["entries"]
    asserts.equals(env, {"path": "etc/hello.txt", "type": "file", "src": "tests/rules/initramfs/hello.txt", "mode": "0600", "uid": 1000, "gid": 100}, entries[0])
    asserts.equals(env, {"path": "dev/console", "type": "char", "major": 5, "minor": 1}, entries[-1])
    info = analysistest.target_under_test(env)[FirmwareImageInfo]
    asserts.equals(env, "ramdisk", info.kind)
    asserts.equals(env, "ramdisk", info.image_type)
    asserts.equals(env, "none", info.compression)
    asserts.equals(env, "xz", info.metadata["cpio_compression"])
    asserts.equals(env, "at_initramfs.cpio.xz", info.file.basename)
    return analysistest.end(env)

initramfs_test = analysistest.make(_initramfs_test_impl)

def _tree_modes_test_impl(ctx):
    env = analysistest.begin(ctx)
    argv = [a for a in analysistest.target_actions(env) if a.mnemonic == "Initramfs"][0].argv
    asserts.equals(env, ["lib/x.sh=0750"], _flag_values(argv, "--mode"))
    trees = _flag_values(argv, "--tree")
    asserts.equals(env, 1, len(trees))
    asserts.true(env, trees[0].startswith("=") and trees[0].endswith("/tests/rules/initramfs/at_km"), "tree flag %s" % trees)
    asserts.equals(env, "at_tree_modes.cpio.gz", analysistest.target_under_test(env)[FirmwareImageInfo].file.basename)
    return analysistest.end(env)

tree_modes_test = analysistest.make(_tree_modes_test_impl)

def initramfs_analysis_test_suite(name):
    """Declares the analysis tests and a test_suite of them.

    Args:
      name: name of the test_suite.
    """
    initramfs(
        name = "at_initramfs",
        files = {"hello.txt": "etc/hello.txt"},
        modes = {"etc/hello.txt": "0600"},
        owners = {"/etc/hello.txt": "1000:100"},
        hardlinks = {"sbin/hello": "/etc/hello.txt"},
        devices = {"dev/console": "c:5:1"},
        cpio_list = "initramfs.list",
        list_srcs = ["init.sh"],
        compression = "xz",
        mtime = 5,
        tags = ["manual"],
    )
    initramfs_test(name = name + "_initramfs", target_under_test = ":at_initramfs")
    tests = [name + "_initramfs"]

    # modes for a path only a tree has go to fwtool, which checks it exists.
    kernel_modules(name = "at_km", srcs = ["init.sh"], modules = ["x"], tags = ["manual"])
    initramfs(name = "at_tree_modes", trees = [":at_km"], modes = {"lib/x.sh": "0750"}, tags = ["manual"])
    tree_modes_test(name = name + "_tree_modes", target_under_test = ":at_tree_modes")
    tests.append(name + "_tree_modes")

    failures = [
        ("bad_compression", initramfs, dict(compression = "lzo"), "attribute 'compression': unknown value \"lzo\" (one of: none, gzip, bzip2, lzma, xz, lz4, zstd)"),
        ("bad_mode", initramfs, dict(dirs = ["x"], modes = {"x": "0999"}), "attribute 'modes': mode \"0999\" of 'x' is not octal"),
        ("stray_mode", initramfs, dict(dirs = ["x"], modes = {"y": "0755"}), "attribute 'modes': 'y' is not a path given in 'files' or 'dirs'"),
        ("bad_device", initramfs, dict(devices = {"dev/x": "c:5"}), "attribute 'devices': \"c:5\" for 'dev/x' is not c|b:MAJOR:MINOR[:MODE]"),
        ("dotdot", initramfs, dict(symlinks = {"../x": "y"}), "attribute 'symlinks': path \"../x\" is empty or has '..'"),
        ("bad_owner", initramfs, dict(dirs = ["x"], owners = {"x": "root"}), "attribute 'owners': \"root\" for 'x' is not UID:GID (numbers)"),
        ("stray_owner", initramfs, dict(dirs = ["x"], owners = {"y": "1:1"}), "attribute 'owners': 'y' is not a path given in"),
        ("list_srcs_alone", initramfs, dict(list_srcs = ["init.sh"]), "attribute 'list_srcs' needs 'cpio_list'"),
        ("tree_not_dir", initramfs, dict(trees = ["init.sh"]), "attribute 'trees': //tests/rules/initramfs:init.sh gives tests/rules/initramfs/init.sh, which is not a directory output"),
        ("no_modules", kernel_modules, dict(srcs = ["init.sh"], modules = []), "attribute 'modules' is empty"),
        ("module_path", kernel_modules, dict(srcs = ["init.sh"], modules = ["kernel/fs/squashfs.ko"]), "attribute 'modules': \"kernel/fs/squashfs.ko\" is not a module name"),
        ("bad_version", kernel_modules, dict(srcs = ["init.sh"], modules = ["x"], version = "a/b"), "attribute 'version': \"a/b\" is not a directory name"),
        ("no_tree", kernel_modules, dict(srcs = ["init.sh", "hello.txt"], modules = ["x"]), "attribute 'srcs': give the package's lib/modules/<version> directory"),
    ]
    for suffix, rule, attrs, expected in failures:
        rule(name = "at_" + suffix, tags = ["manual"], **attrs)
        failure_test(name = name + "_" + suffix, target_under_test = ":at_" + suffix, expected = expected)
        tests.append(name + "_" + suffix)

    native.test_suite(name = name, tests = tests)
