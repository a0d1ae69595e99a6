package main

import (
	"strings"
	"testing"
)

func TestSimulate(t *testing.T) {
	out, e, rc := bootupRun(t, "simulate", "bootup", "--size", "1000", "--torn")
	if rc != 0 || !strings.Contains(out, "violations 0") || !strings.Contains(out, "(exhaustive)") {
		t.Fatalf("signature last: rc %d\n%s%s", rc, out, e)
	}
	// 1 invalidation, 2 erases, 8 header units: the complete header over an
	// unwritten body is the first bad cut.
	out, e, rc = bootupRun(t, "simulate", "bootup", "--size", "1000", "--no-crc", "--signature-first")
	if rc != 1 || !strings.HasPrefix(e, "fwtool simulate: cut after op 11 ") || strings.Count(e, "\n") != 1 {
		t.Fatalf("signature first: rc %d\n%s%s", rc, out, e)
	}
	if out, e, rc := bootupRun(t, "simulate", "emmc", "--size", "5000", "--in-place"); rc != 1 || !strings.Contains(e, "cut after op 1 (write boot0 block 0x0)") {
		t.Fatalf("in place: rc %d\n%s%s", rc, out, e)
	}
}
