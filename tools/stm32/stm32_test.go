package stm32

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// patterned returns n bytes that differ from position to position, so a
// misplaced payload or wrong checksum shows.
func patterned(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed) + 1
	for i := range b {
		x = x*1103515245 + 12345
		b[i] = byte(x >> 16)
	}
	return b
}

// TestWrapV1Golden pins every byte of a small v1 image: the header layout
// is written out by hand here, independent of put().
func TestWrapV1Golden(t *testing.T) {
	h, err := NewHeader(1, 0x2ffc2500, 0x2ffc2501)
	if err != nil {
		t.Fatal(err)
	}
	h.ImageVersion = 7
	got, err := Wrap(h, []byte{0x01, 0x02, 0xff})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 256+3)
	copy(want, "STM\x32")
	copy(want[0x44:], []byte{0x02, 0x01, 0x00, 0x00}) // 1+2+255
	copy(want[0x48:], []byte{0x00, 0x00, 0x01, 0x00}) // v1.0
	copy(want[0x4c:], []byte{0x03, 0x00, 0x00, 0x00})
	copy(want[0x50:], []byte{0x01, 0x25, 0xfc, 0x2f})
	copy(want[0x58:], []byte{0x00, 0x25, 0xfc, 0x2f})
	copy(want[0x60:], []byte{0x07, 0x00, 0x00, 0x00})
	copy(want[0x64:], []byte{0x01, 0x00, 0x00, 0x00}) // no signature
	copy(want[0x68:], []byte{0x01, 0x00, 0x00, 0x00}) // ECDSA P-256
	copy(want[256:], []byte{0x01, 0x02, 0xff})
	if !bytes.Equal(got, want) {
		t.Fatalf("v1 image differs\n got %x\nwant %x", got, want)
	}
}

// TestWrapV2Golden pins the v2 layout: binary type as a 32-bit field at
// 0x6c, extension flags/length, the padding extension header at 0x80.
func TestWrapV2Golden(t *testing.T) {
	h, err := NewHeader(2, 0x2ffe0000, 0x2ffe0001)
	if err != nil {
		t.Fatal(err)
	}
	h.BinaryType = BinaryTypeTFA
	h.Minor = 1
	got, err := Wrap(h, []byte{0x10, 0x20})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 512+2)
	copy(want, "STM\x32")
	copy(want[0x44:], []byte{0x30, 0x00, 0x00, 0x00})
	copy(want[0x48:], []byte{0x00, 0x01, 0x02, 0x00}) // v2.1
	copy(want[0x4c:], []byte{0x02, 0x00, 0x00, 0x00})
	copy(want[0x50:], []byte{0x01, 0x00, 0xfe, 0x2f})
	copy(want[0x58:], []byte{0x00, 0x00, 0xfe, 0x2f})
	copy(want[0x64:], []byte{0x00, 0x00, 0x00, 0x80}) // padding extension present
	copy(want[0x68:], []byte{0x80, 0x01, 0x00, 0x00}) // extensions: 0x180 bytes
	copy(want[0x6c:], []byte{0x10, 0x00, 0x00, 0x00})
	copy(want[0x80:], []byte{'S', 'T', 0xff, 0xff})
	copy(want[0x84:], []byte{0x80, 0x01, 0x00, 0x00})
	copy(want[512:], []byte{0x10, 0x20})
	if !bytes.Equal(got, want) {
		t.Fatalf("v2 image differs\n got %x\nwant %x", got, want)
	}
	back, payload, err := Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	if back.BinaryType != BinaryTypeTFA || back.Minor != 1 || back.ExtensionHeadersLength != 0x180 || !bytes.Equal(payload, []byte{0x10, 0x20}) {
		t.Fatalf("parsed v2 header wrong: %+v payload %x", back, payload)
	}
}

func mustLookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("reference tool %s not found (the bootstrap installs it): %v", name, err)
	}
	return p
}

// TestMatchesMkimage sweeps payload sizes and load/entry addresses and
// compares our v1 image with `mkimage -T stm32image` byte for byte.
func TestMatchesMkimage(t *testing.T) {
	mkimage := mustLookPath(t, "mkimage")
	dir := t.TempDir()
	sizes := []int{1, 3, 4, 255, 256, 257, 1000, 4096 + 7, 65537, 200000}
	addrs := [][2]uint32{{0x2ffc2500, 0x2ffc2500}, {0x2ffc2500, 0x2ffc2501}, {0, 0xffffffff}, {0xc0100000, 0xc0100000}, {0x12345678, 0x9abcdef0}}
	for i, size := range sizes {
		for j, a := range addrs {
			payload := patterned(size, byte(i*7+j))
			if size == 200000 {
				// All-0xff payload pushes the sum past 16 bits quickly.
				for k := range payload {
					payload[k] = 0xff
				}
			}
			in := filepath.Join(dir, fmt.Sprintf("in-%d-%d", i, j))
			out := filepath.Join(dir, fmt.Sprintf("out-%d-%d", i, j))
			if err := os.WriteFile(in, payload, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(mkimage, "-T", "stm32image", "-a", fmt.Sprintf("0x%x", a[0]), "-e", fmt.Sprintf("0x%x", a[1]), "-d", in, out)
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("mkimage failed: %v\n%s", err, msg)
			}
			want, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			h, err := NewHeader(1, a[0], a[1])
			if err != nil {
				t.Fatal(err)
			}
			got, err := Wrap(h, payload)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("size %d load 0x%x entry 0x%x: differs from mkimage (first difference at %d)", size, a[0], a[1], firstDiff(got, want))
			}
			if _, back, err := Parse(want); err != nil || !bytes.Equal(back, payload) {
				t.Errorf("size %d: parsing mkimage's output: %v", size, err)
			}
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		if len(a) < len(b) {
			return len(a)
		}
		return len(b)
	}
	return -1
}

// TestMkimageListsOurs checks that mkimage's own reader accepts our image
// and reports our fields.
func TestMkimageListsOurs(t *testing.T) {
	mkimage := mustLookPath(t, "mkimage")
	h, _ := NewHeader(1, 0xc0000000, 0xc0000004)
	img, err := Wrap(h, patterned(777, 1))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "x.stm32")
	if err := os.WriteFile(p, img, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(mkimage, "-l", p).CombinedOutput()
	if err != nil {
		t.Fatalf("mkimage -l: %v\n%s", err, out)
	}
	// Our listing is mkimage's, line for line.
	var ours bytes.Buffer
	parsed, _, err := Parse(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteListing(&ours, parsed); err != nil {
		t.Fatal(err)
	}
	if ours.String() != string(out) {
		t.Errorf("listing differs from mkimage -l:\nours:\n%s\nmkimage:\n%s", ours.String(), out)
	}
	for _, want := range []string{"STM32 V1.0", "Image Size   : 777 bytes", "Image Load   : 0xc0000000", "Entry Point  : 0xc0000004", fmt.Sprintf("Checksum     : 0x%08x", Checksum(patterned(777, 1)))} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("mkimage -l output lacks %q:\n%s", want, out)
		}
	}
}

func TestParseErrors(t *testing.T) {
	h, _ := NewHeader(1, 0x100, 0x100)
	good, _ := Wrap(h, patterned(64, 3))
	cases := []struct {
		name  string
		edit  func(b []byte) []byte
		field string
	}{
		{"magic", func(b []byte) []byte { b[3] = 0x33; return b }, "magic"},
		{"short", func(b []byte) []byte { return b[:100] }, "magic"},
		{"version", func(b []byte) []byte { b[0x4a] = 3; return b }, "header_version"},
		{"length", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[0x4c:], 65); return b }, "image_length"},
		{"checksum", func(b []byte) []byte { b[300]++; return b }, "image_checksum"},
		{"v2 truncated", func(b []byte) []byte { b[0x4a] = 2; return b[:300] }, "header_version"},
	}
	for _, c := range cases {
		b := c.edit(append([]byte(nil), good...))
		_, _, err := Parse(b)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: got error %v, want one on field %s", c.name, err, c.field)
		}
	}
	// Trailing bytes after the payload (a partition's padding) are fine.
	if _, p, err := Parse(append(append([]byte(nil), good...), 0, 0, 0)); err != nil || len(p) != 64 {
		t.Errorf("trailing padding: %v, payload %d bytes", err, len(p))
	}
}

func TestWrapRejects(t *testing.T) {
	if _, err := NewHeader(3, 0, 0); err == nil {
		t.Error("NewHeader accepted version 3")
	}
	h, _ := NewHeader(1, 0, 0)
	h.BinaryType = 0x100
	if _, err := Wrap(h, []byte{1}); err == nil {
		t.Error("v1 accepted a binary type wider than a byte")
	}
}

// debRoot is where tools/bootstrap/fetch-debs.sh unpacks packages.
func debRoot() string {
	if d := os.Getenv("RULES_FIRMWARE_DEBS"); d != "" {
		return d
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, _ := os.UserHomeDir()
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "rules_firmware", "debs")
}

// TestDebianDK2RoundTrip unwraps Debian's u-boot-spl.stm32 for the
// STM32MP157C-DK2 and wraps the payload again from the header's own fields:
// the result must be the shipped file, byte for byte.
func TestDebianDK2RoundTrip(t *testing.T) {
	p := filepath.Join(debRoot(), "u-boot-stm32", "usr", "lib", "u-boot", "stm32mp157c-dk2", "u-boot-spl.stm32")
	orig, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("Debian u-boot-stm32 (armhf) not unpacked; run tools/bootstrap/fetch-debs.sh u-boot-stm32:armhf or set RULES_FIRMWARE_DEBS: %v", err)
	}
	h, payload, err := Parse(orig)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	if h.Major != 1 || h.BinaryType != BinaryTypeUBoot || len(payload) != len(orig)-HeaderV1Size {
		t.Fatalf("unexpected DK2 header %+v (payload %d of %d bytes)", h, len(payload), len(orig))
	}
	again, err := Wrap(h, payload)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, orig) {
		t.Fatalf("re-wrapped SPL differs from Debian's at byte %d", firstDiff(again, orig))
	}
	// Built from scratch the way U-Boot's build calls mkimage, too.
	fresh, _ := NewHeader(1, h.LoadAddress, h.EntryPoint)
	built, err := Wrap(fresh, payload)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(built, orig) {
		t.Fatalf("freshly wrapped SPL differs from Debian's at byte %d", firstDiff(built, orig))
	}
}

func FuzzParse(f *testing.F) {
	h1, _ := NewHeader(1, 0x2ffc2500, 0x2ffc2500)
	v1, _ := Wrap(h1, []byte("payload"))
	h2, _ := NewHeader(2, 0x2ffe0000, 0x2ffe0000)
	v2, _ := Wrap(h2, []byte("payload"))
	f.Add(v1)
	f.Add(v2)
	f.Add([]byte("STM2"))
	f.Add(v1[:255])
	f.Fuzz(func(t *testing.T, data []byte) {
		h, payload, err := Parse(data)
		if err != nil {
			return
		}
		// Whatever parses must re-wrap to a parseable image with the same
		// payload and, when the header carried no stray bytes, to the input.
		again, err := Wrap(h, payload)
		if err != nil {
			t.Fatalf("parsed header does not wrap again: %v", err)
		}
		h2, p2, err := Parse(again)
		if err != nil || !bytes.Equal(p2, payload) || h2.Checksum != h.Checksum {
			t.Fatalf("re-wrapped image does not parse back: %v", err)
		}
	})
}
