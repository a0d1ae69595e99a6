package eficapsule

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func mkeficapsule(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("mkeficapsule")
	if err != nil {
		t.Fatalf("mkeficapsule (Debian package u-boot-tools) is needed for this oracle test: %v", err)
	}
	return p
}

// TestAgainstMkeficapsule compares FMP and empty capsules with U-Boot's
// mkeficapsule byte for byte.
func TestAgainstMkeficapsule(t *testing.T) {
	tool := mkeficapsule(t)
	dir := t.TempDir()
	payload := bytes.Repeat([]byte("firmware"), 37)
	in := filepath.Join(dir, "in.bin")
	if err := os.WriteFile(in, payload, 0o644); err != nil {
		t.Fatal(err)
	}
	const guid = "985f2937-7c2e-5e9a-8a5e-8e063312964B"
	run := func(args ...string) []byte {
		out := filepath.Join(dir, "out.cap")
		os.Remove(out)
		if res, err := exec.Command(tool, append(args, out)...).CombinedOutput(); err != nil {
			t.Fatalf("mkeficapsule %q: %v\n%s", args, err, res)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	g := MustParseGUID(guid)
	for _, tc := range []FMP{
		{ImageType: g, Index: 1},
		{ImageType: g, Index: 7, Instance: 0x1234567890, OEMFlags: 0x8000},
		{ImageType: MustParseGUID("01234567-89ab-cdef-0123-456789abcdef"), Index: 255, Instance: 3, OEMFlags: 1},
	} {
		args := []string{fmt.Sprintf("--index=%d", tc.Index), "--guid=" + guidString(tc.ImageType), fmt.Sprintf("--instance=%d", tc.Instance)}
		if tc.OEMFlags != 0 {
			args = append(args, fmt.Sprintf("--capoemflag=%d", tc.OEMFlags))
		}
		want := run(append(args, in)...)
		got, err := tc.Build(payload)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%+v: got\n%x\nwant\n%x", tc, got, want)
		}
	}
	if got, want := Empty(true, g), run("--guid="+guid, "--fw-accept"); !bytes.Equal(got, want) {
		t.Errorf("accept: got %x want %x", got, want)
	}
	if got, want := Empty(false, GUID{}), run("--fw-revert"); !bytes.Equal(got, want) {
		t.Errorf("revert: got %x want %x", got, want)
	}
}

func guidString(g GUID) string {
	return fmt.Sprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%x-%x", g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8:10], g[10:])
}

func TestParseGUIDErrors(t *testing.T) {
	for _, s := range []string{"", "binman-test", "985f2937-7c2e-5e9a-8a5e-8e063312964", "985f2937x7c2e-5e9a-8a5e-8e063312964b", "g85f2937-7c2e-5e9a-8a5e-8e063312964b"} {
		if _, err := ParseGUID(s); err == nil {
			t.Errorf("ParseGUID(%q) succeeded", s)
		}
	}
	if guidString(MustParseGUID("6dcbd5ed-e82d-4c44-bda1-7194199ad92a")) != "6dcbd5ed-e82d-4c44-bda1-7194199ad92a" {
		t.Error("GUID round trip")
	}
}

func TestConstantGUIDs(t *testing.T) {
	for _, c := range []struct {
		g    GUID
		text string
	}{
		{FMPCapsuleID, "6dcbd5ed-e82d-4c44-bda1-7194199ad92a"},
		{AcceptOS, "0c996046-bcc0-4d04-85ec-e1fcedf1c6f8"},
		{RevertOS, "acd58b4b-c0e8-475f-99b5-6b3f7e07aaf0"},
	} {
		if c.g != MustParseGUID(c.text) {
			t.Errorf("%x is not %s", c.g, c.text)
		}
	}
}
