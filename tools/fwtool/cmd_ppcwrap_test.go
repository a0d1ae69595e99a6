package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyPPCELF is an ELF32-BE executable with one PT_LOAD and no sections.
func tinyPPCELF() []byte {
	b := make([]byte, 84)
	copy(b, "\x7fELF\x01\x02\x01")
	be := binary.BigEndian
	be.PutUint16(b[16:], 2)
	be.PutUint16(b[18:], 20)
	be.PutUint32(b[20:], 1)
	be.PutUint32(b[28:], 52)
	be.PutUint16(b[40:], 52)
	be.PutUint16(b[42:], 32)
	be.PutUint16(b[44:], 1)
	be.PutUint32(b[52:], 1)
	be.PutUint32(b[52+12:], 0x1000) // paddr
	return b
}

func TestPpcwrapBadInput(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "vmlinux")
	trunc := filepath.Join(dir, "truncated")
	os.WriteFile(good, tinyPPCELF(), 0o644)
	os.WriteFile(trunc, tinyPPCELF()[:60], 0o644)
	out := filepath.Join(dir, "out")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-p", "uboot", "-o", out, trunc}, "vmlinux: program header table"},
		{[]string{"-p", "ps3", "-o", out, good}, "platform 'ps3'"},
		{[]string{"-p", "simpleboot-x", "-D", dir, "-o", out, good}, "wrapper object 'fixed-head.o'"},
		{[]string{"-p", "of", "-Z", "xz", "--obj", good, "-o", out, good}, "wrapper object 'of.o' not among the --obj files"},
		{[]string{"-p", "uboot", "-o", out, "-time", "soon", good}, "timestamp \"soon\""},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"ppcwrap"}, c.args...), &stdout, &stderr); code != 1 {
			t.Errorf("%v: exit %d, want 1 (%s)", c.args, code, stderr.String())
		}
		msg := stderr.String()
		if !strings.HasPrefix(msg, "fwtool ppcwrap: ") || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, c.want) {
			t.Errorf("%v: stderr %q, want one line containing %q", c.args, msg, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%v: output written despite the error", c.args)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"ppcwrap", "-p", "uboot", "-o", out, good}, &stdout, &stderr); code != 0 {
		t.Fatalf("uboot: exit %d: %s", code, stderr.String())
	}
	img, _ := os.ReadFile(out)
	if len(img) < 64 || binary.BigEndian.Uint32(img[16:]) != 0x1000 || img[29] != 7 {
		t.Errorf("uImage header % x: want load 0x1000, arch ppc", img[:64])
	}
}
