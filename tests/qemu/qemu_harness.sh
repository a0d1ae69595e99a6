# shellcheck shell=bash
# The QEMU boot harness the boot tests share (sourced, not run): one-line
# failures, the consoles shown when a test fails, and qemu_console, which
# runs a machine until it powers off or prints a line that means nothing
# more will happen.
#
# Before sourcing: set -euo pipefail. After: set work (a scratch directory).

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

has_line() { grep -qxF -- "$1" "$2"; }

# Files shown on stderr if the test fails.
consoles=()
show_consoles() {
  local c
  for c in "${consoles[@]}"; do
    echo "---- $c ----" >&2
    cat "$c" >&2
  done
}
trap 'rc=$?; if ((rc != 0)); then show_consoles; fi' EXIT

# qemu_console NAME LIMIT STOP-ERE QEMU [ARGS...]: runs QEMU (at most LIMIT
# seconds) with its serial console in $work/NAME.log (also copied to
# Bazel's undeclared outputs) and its stderr in $work/NAME.qemu-stderr.
# A console line matching STOP-ERE ends the run at once. Sets qemu_stop
# (the matching text, or empty) and qemu_status (QEMU's exit status; 124
# when LIMIT ran out).
qemu_console() {
  local name=$1 limit=$2 stop_ere=$3 pid
  shift 3
  qemu_stop= qemu_status=0
  consoles+=("$work/$name.log" "$work/$name.qemu-stderr")
  timeout "$limit" "$@" </dev/null >"$work/$name.raw" 2>"$work/$name.qemu-stderr" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    qemu_stop=$(grep -aoE -- "$stop_ere" "$work/$name.raw" | head -n 1) || true
    if [[ -n "$qemu_stop" ]]; then
      sleep 1 # the rest of the message
      kill "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  wait "$pid" || qemu_status=$?
  tr -d '\r' <"$work/$name.raw" >"$work/$name.log"
  if [[ -n "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ]]; then cp "$work/$name.log" "$TEST_UNDECLARED_OUTPUTS_DIR/"; fi
}
