"""Manifest entries (fstree JSON) from rule attributes, shared by the rules
that build file trees (squashfs_image, vfat_image, initramfs)."""

def check_mode(ctx, attr, path, mode):
    """Fails unless mode is octal text such as 0755."""
    if not mode or [c for c in mode.elems() if c not in "01234567"] or len(mode) > 5:
        fail("%s: attribute '%s': mode %r of '%s' is not octal such as 0755" % (ctx.label, attr, mode, path))

def file_entries(ctx, modes):
    """Manifest entries for the `files` attribute: label -> destination.

    A label with one file goes to the destination itself; a label with several
    files puts each under the destination directory by its basename.

    Args:
      ctx: the rule context (attribute `files`).
      modes: path -> octal mode text, applied to the entries it names.

    Returns:
      (entries, input files).
    """
    entries = []
    inputs = []
    for target, dest in ctx.attr.files.items():
        files = target[DefaultInfo].files.to_list()
        if not files:
            fail("%s: attribute 'files': %s gives no files" % (ctx.label, target.label))
        dest = dest.strip("/")
        for f in files:
            path = dest if len(files) == 1 else dest + "/" + f.basename
            e = {"path": path, "type": "file", "src": f.path}
            if path in modes:
                e["mode"] = modes[path]
            entries.append(e)
            inputs.append(f)
    return entries, inputs

def device_entry(ctx, path, spec):
    """The manifest entry for one `devices` item.

    Args:
      ctx: the rule context (for error messages).
      path: where the node goes.
      spec: "c|b:MAJOR:MINOR[:MODE]".

    Returns:
      A char or block entry.
    """
    parts = spec.split(":")
    if len(parts) not in [3, 4] or parts[0] not in ["c", "b"] or not parts[1].isdigit() or not parts[2].isdigit():
        fail("%s: attribute 'devices': %r for '%s' is not c|b:MAJOR:MINOR[:MODE]" % (ctx.label, spec, path))
    e = {"path": path.strip("/"), "type": "char" if parts[0] == "c" else "block", "major": int(parts[1]), "minor": int(parts[2])}
    if len(parts) == 4:
        check_mode(ctx, "devices", path, parts[3])
        e["mode"] = parts[3]
    return e
