#!/usr/bin/env bash
# A boot image larger than its boot partition is a build error naming both
# sizes: rebuild the board's own layout with a 512 KiB limit (the DK2 SSBL,
# ~1 MiB at offset 256 KiB, does not fit) and expect binman's message.
set -euo pipefail
fwtool=$1 manifest=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
python3 - "$manifest" "$tmp/small.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["image"]["size"] in ("0x400000", 4194304), m["image"].get("size")
m["image"]["size"] = "0x80000"
# Blob paths are execroot-relative; in runfiles, external repositories sit
# one level up.
def fix(node):
    if node.get("path", "").startswith("external/"):
        node["path"] = "../" + node["path"][len("external/"):]
    for c in node.get("entries", []):
        fix(c)
fix(m["image"])
json.dump(m, open(sys.argv[2], "w"))
PY
if "$fwtool" build --manifest "$tmp/small.json" --output "$tmp/boot.bin" 2>"$tmp/err"; then
  echo "FAIL: an oversized boot image was accepted"; exit 1
fi
cat "$tmp/err"
[[ $(wc -l <"$tmp/err") == 1 ]] || { echo "FAIL: want one line of error"; exit 1; }
grep -qE "0x80000 \(524288\)" "$tmp/err" || { echo "FAIL: limit not named"; exit 1; }
grep -qE "size 0x[0-9a-f]+ \([0-9]+\) exceeds" "$tmp/err" || { echo "FAIL: contents size not named"; exit 1; }
[[ ! -e "$tmp/boot.bin" ]] || { echo "FAIL: partial output left behind"; exit 1; }
# And the real limit builds.
python3 - "$tmp/small.json" "$tmp/ok.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["image"]["size"] = "0x400000"
json.dump(m, open(sys.argv[2], "w"))
PY
"$fwtool" build --manifest "$tmp/ok.json" --output "$tmp/ok.bin"
echo PASS
