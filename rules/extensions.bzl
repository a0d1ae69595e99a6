"""Public module extensions of rules_firmware (Bzlmod).

fwtool: the prebuilt fwtool of a release, so a product compiles no Go.

    fwtool = use_extension("@rules_firmware//rules:extensions.bzl", "fwtool")
    fwtool.prebuilt(urls = [".../fwtool-VERSION-linux.tar.gz"], sha256 = "...")
    use_repo(fwtool, "rules_firmware_fwtool")
    register_toolchains("@rules_firmware_fwtool//:toolchain")

The root module's toolchains come before rules_firmware's from-source
default, so the prebuilt one is used.
"""

load("//rules/private:toolchain.bzl", "fwtool_prebuilt")

_prebuilt = tag_class(
    doc = "A release's fwtool-VERSION-linux.tar.gz (tools/release/release.sh prints the tag).",
    attrs = {
        "name": attr.string(default = "rules_firmware_fwtool", doc = "Repository name."),
        "urls": attr.string_list(mandatory = True, doc = "Where the archive is (https:// or file://)."),
        "sha256": attr.string(mandatory = True, doc = "Its sha256."),
        "strip_prefix": attr.string(doc = "Directory holding the binaries (default: the archive's one top directory)."),
    },
)

def _fwtool_impl(mctx):
    seen = {}
    for mod in mctx.modules:
        for tag in mod.tags.prebuilt:
            if tag.name in seen:
                continue  # the root module's tag wins; dependencies' are defaults
            seen[tag.name] = True
            fwtool_prebuilt(name = tag.name, urls = tag.urls, sha256 = tag.sha256, strip_prefix = tag.strip_prefix)

fwtool = module_extension(
    implementation = _fwtool_impl,
    tag_classes = {"prebuilt": _prebuilt},
    doc = "Prebuilt fwtool toolchains from release archives.",
)
