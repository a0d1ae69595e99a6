#!/usr/bin/env bash
# flash_sd and stm32_program launchers, run the way `bazel run` runs them.
set -euo pipefail
flash=$1 program=$2 image=$3
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail() { echo "FAIL: $*"; exit 1; }

# A fake removable 64 MiB disk "sdz" whose node is a regular file.
sys=$tmp/sys dev=$tmp/dev
mkdir -p "$sys/block/sdz/device" "$dev"
echo $((64 * 2048)) >"$sys/block/sdz/size"
echo 1 >"$sys/block/sdz/removable"
echo "Fake Card" >"$sys/block/sdz/device/model"
: >"$tmp/mounts"
truncate -s 64M "$dev/sdz"
fake=(--sysfs "$sys" --mounts "$tmp/mounts" --devdir "$dev")

out=$("$flash" "$dev/sdz" "${fake[@]}")
grep -q "will write .*sdcard.img ($(stat -L -c %s "$image") bytes) to $dev/sdz: Fake Card" <<<"$out" || fail "dry run said: $out"
grep -q "nothing written" <<<"$out" || fail "dry run said: $out"
cmp -s -n "$(stat -L -c %s "$image")" "$image" "$dev/sdz" && fail "dry run wrote the image"
"$flash" "$dev/sdz" --yes "${fake[@]}" >/dev/null
cmp -n "$(stat -L -c %s "$image")" "$image" "$dev/sdz" || fail "the device does not hold the image after --yes"
echo 0 >"$sys/block/sdz/removable"
if "$flash" "$dev/sdz" --yes "${fake[@]}" 2>"$tmp/err"; then fail "a fixed disk was accepted"; fi
grep -q "is not a removable device" "$tmp/err" || fail "fixed disk: $(cat "$tmp/err")"

# stm32_program without STM32_Programmer_CLI: a clear message, exit 1.
if PATH=/usr/bin:/bin "$program" 2>"$tmp/err"; then fail "program ran without STM32_Programmer_CLI"; fi
grep -q "STM32_Programmer_CLI is not on PATH: install STM32CubeProgrammer" "$tmp/err" || fail "program: $(cat "$tmp/err")"
# With a stand-in that records its arguments and checks the layout's files.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/STM32_Programmer_CLI" <<'CLI'
#!/usr/bin/env bash
echo "$@" >"$RECORD"
tsv=${4:?}
while IFS=$'\t' read -r opt id name type ip off bin; do
  [[ "$opt" == \#* || "$bin" == none ]] && continue
  [[ -f "$(dirname "$tsv")/$bin" ]] || { echo "missing $bin beside $tsv"; exit 3; }
done <"$tsv"
CLI
chmod +x "$tmp/bin/STM32_Programmer_CLI"
RECORD=$tmp/args PATH="$tmp/bin:$PATH" "$program" port=usb2 -v 2>/dev/null
args=$(cat "$tmp/args")
[[ "$args" == "-c port=usb2 -w /"*"/FlashLayout_raw.tsv -v" ]] || fail "STM32_Programmer_CLI got: $args"
echo PASS
