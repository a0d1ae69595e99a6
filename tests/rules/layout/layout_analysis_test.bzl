"""Analysis tests for firmware_image and the layout entry rules."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "FirmwareImageInfo", "LayoutEntryInfo", "firmware_image", "layout_blob", "layout_fill", "layout_image_header", "layout_section", "layout_text")
load("//tests/rules:analysis.bzl", "failure_test")

def _manifest_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "FirmwareLayout"]
    asserts.equals(env, 1, len(actions), "one FirmwareLayout action")
    argv = actions[0].argv
    for flag in ["build", "--manifest", "--output", "--map", "--svg"]:
        asserts.true(env, flag in argv, "%s missing from %s" % (flag, argv))
    outs = [f.basename for f in actions[0].outputs.to_list()]
    asserts.equals(env, sorted(["at_image.bin", "at_image.map", "at_image.svg"]), sorted(outs))

    writes = [a for a in analysistest.target_actions(env) if a.mnemonic == "FileWrite"]
    asserts.equals(env, 1, len(writes), "one manifest written")
    manifest = json.decode(writes[0].content)
    asserts.equals(env, 1, manifest["version"])
    image = manifest["image"]
    asserts.equals(env, "0x100", image["size"])
    asserts.equals(env, 255, image["pad_byte"])
    names = [e["name"] for e in image["entries"]]
    asserts.equals(env, ["at_blob", "payload.bin", "sec"], names)
    blob = image["entries"][0]
    asserts.equals(env, "blob", blob["type"])
    asserts.equals(env, "0x10", blob["align"])
    asserts.equals(env, "lz4", blob["compress"])
    asserts.equals(env, "sha256", blob["hash"])
    asserts.true(env, blob["path"].endswith("spl.bin"), blob["path"])
    sec = image["entries"][2]
    asserts.equals(env, "section", sec["type"])
    asserts.equals(env, ["fill", "text"], [e["type"] for e in sec["entries"]])
    asserts.equals(env, 7, sec["entries"][0]["fill_byte"])

    target = analysistest.target_under_test(env)
    asserts.equals(env, "layout", target[FirmwareImageInfo].kind)
    asserts.equals(env, "at_image.map", target[FirmwareImageInfo].map.basename)
    asserts.equals(env, ["at_image.map"], [f.basename for f in target[OutputGroupInfo].layout_map.to_list()])
    asserts.equals(env, ["at_image.svg"], [f.basename for f in target[OutputGroupInfo].layout_svg.to_list()])
    asserts.equals(env, "section", target[LayoutEntryInfo].node["type"])
    return analysistest.end(env)

manifest_test = analysistest.make(_manifest_test_impl)

def layout_analysis_test_suite(name):
    """Declares the layout analysis tests and a test_suite of them.

    Args:
      name: name of the test_suite.
    """
    layout_blob(name = "at_blob", src = "spl.bin", align = "0x10", compress = "lz4", hash = "sha256", tags = ["manual"])
    native.genrule(name = "at_payload", outs = ["payload.bin"], cmd = "echo hi > $@", tags = ["manual"])
    layout_fill(name = "at_fill", entry_size = "4", fill_byte = 7, tags = ["manual"])
    layout_text(name = "at_text", text = "x", tags = ["manual"])
    layout_section(name = "at_sec", entry_name = "sec", entries = [":at_fill", ":at_text"], tags = ["manual"])
    firmware_image(
        name = "at_image",
        image_size = "0x100",
        pad_byte = 255,
        entries = [":at_blob", ":payload.bin", ":at_sec"],
        tags = ["manual"],
    )
    manifest_test(name = name + "_manifest", target_under_test = ":at_image")

    failures = [
        ("bad_align", layout_blob, dict(src = "spl.bin", align = "24"), "attribute 'align': 24 must be a power of two"),
        ("bad_num", layout_blob, dict(src = "spl.bin", offset = "0xZZ"), "attribute 'offset': \"0xZZ\" is not a number"),
        ("bad_compress", layout_blob, dict(src = "spl.bin", compress = "lzo"), "attribute 'compress': unknown value \"lzo\""),
        ("bad_hash", layout_blob, dict(src = "spl.bin", hash = "md5"), "attribute 'hash': unknown value \"md5\""),
        ("no_src", layout_blob, dict(), "give 'src' (a file or image target) or 'external_path'"),
        ("overlap_no_offset", layout_blob, dict(src = "spl.bin", overlap = True), "an 'overlap' entry needs 'offset' and 'entry_size'"),
        ("fill_no_size", layout_fill, dict(), "a fill entry needs 'entry_size'"),
        ("bad_location", layout_image_header, dict(location = "middle"), "attribute 'location': unknown value \"middle\""),
        ("dup_entries", layout_section, dict(entries = [":at_fill", ":at_fill2"]), "two entries named 'at_fill'"),
        ("4gb_no_size", firmware_image, dict(entries = [":at_fill"], end_at_4gb = True), "'end_at_4gb' needs a size"),
    ]
    layout_fill(name = "at_fill2", entry_name = "at_fill", entry_size = "1", tags = ["manual"])
    tests = [name + "_manifest"]
    for fname, rule, kwargs, expected in failures:
        rule(name = "at_" + fname, tags = ["manual"], **kwargs)
        failure_test(name = name + "_" + fname, target_under_test = ":at_" + fname, expected = expected)
        tests.append(name + "_" + fname)
    native.test_suite(name = name, tests = tests)
