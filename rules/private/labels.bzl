"""label_text: a label as its user writes it, the same under WORKSPACE and Bzlmod.

Bazel 7 with Bzlmod prints main-repository labels as "@@//pkg:name" and
module repositories by canonical name ("@@rules_firmware~//..."), where
Bazel 4 prints "//pkg:name" and "@rules_firmware//...". Labels that end up
in messages fwtool prints or in output bytes (a disk GUID seed, a generated
script) go through this, so outputs and errors do not depend on the Bazel
version.
"""

def label_text(label):
    """Returns label as //pkg:name (main repository) or @repo//pkg:name.

    Args:
      label: a Label.

    Returns:
      The string.
    """
    repo = label.workspace_name

    # Canonical names of module repositories end in ~ (Bazel 7) or + (8).
    repo = "@" + repo.rstrip("~+") if repo else ""
    return "%s//%s:%s" % (repo, label.package, label.name)
