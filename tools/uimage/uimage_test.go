package uimage

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// goldenKernel is `mkimage -A arm64 -O linux -T kernel -C none
// -a 0x40080000 -e 0x40080000 -n golden -d <"abcde">` with
// SOURCE_DATE_EPOCH=1700000000, as written by mkimage 2023.01.
var goldenKernel = []byte{
	0x27, 0x05, 0x19, 0x56, 0x07, 0x1a, 0x23, 0x46, 0x65, 0x53, 0xf1, 0x00,
	0x00, 0x00, 0x00, 0x05, 0x40, 0x08, 0x00, 0x00, 0x40, 0x08, 0x00, 0x00,
	0x85, 0x87, 0xd8, 0x65, 0x05, 0x16, 0x02, 0x00, 0x67, 0x6f, 0x6c, 0x64,
	0x65, 0x6e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x61, 0x62, 0x63, 0x64, 0x65,
}

// goldenScript is `mkimage -T script -C none -d <"abcde">:<"xy">` with
// SOURCE_DATE_EPOCH=0: size table, first file padded to 4 bytes, last not.
var goldenScript = []byte{
	0x27, 0x05, 0x19, 0x56, 0x5d, 0x4d, 0xed, 0x96, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xc5, 0x0e, 0x20, 0x86, 0x05, 0x07, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x00, 0x00, 0x00,
	0x78, 0x79,
}

func TestBuildGoldenKernel(t *testing.T) {
	h := Header{Time: 1700000000, Load: 0x40080000, Entry: 0x40080000,
		OS: OSLinux, Arch: ArchARM64, Type: TypeKernel, Comp: CompNone, Name: "golden"}
	got, err := Build(h, []byte("abcde"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(goldenKernel, got); diff != "" {
		t.Errorf("Build mismatch (-mkimage +ours):\n%s", diff)
	}
}

func TestBuildGoldenScript(t *testing.T) {
	payload, err := MultiPayload([][]byte{[]byte("abcde"), []byte("xy")})
	if err != nil {
		t.Fatal(err)
	}
	h := Header{OS: OSLinux, Arch: ArchPowerPC, Type: TypeScript, Comp: CompNone}
	got, err := Build(h, payload)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(goldenScript, got); diff != "" {
		t.Errorf("Build mismatch (-mkimage +ours):\n%s", diff)
	}
}

func TestParseGolden(t *testing.T) {
	h, data, err := Parse(goldenKernel)
	if err != nil {
		t.Fatal(err)
	}
	if vh, err := Verify(bytes.NewReader(goldenKernel), int64(len(goldenKernel))); err != nil || vh != h {
		t.Errorf("Verify = %+v, %v; want %+v", vh, err, h)
	}
	want := Header{HeaderCRC: 0x071a2346, Time: 1700000000, DataSize: 5, Load: 0x40080000,
		Entry: 0x40080000, DataCRC: 0x8587d865, OS: OSLinux, Arch: ArchARM64,
		Type: TypeKernel, Comp: CompNone, Name: "golden"}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("header mismatch (-want +got):\n%s", diff)
	}
	if string(data) != "abcde" {
		t.Errorf("payload = %q, want %q", data, "abcde")
	}

	_, data, err = Parse(goldenScript)
	if err != nil {
		t.Fatal(err)
	}
	files, err := SplitMulti(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]byte{[]byte("abcde"), []byte("xy")}, files); diff != "" {
		t.Errorf("SplitMulti mismatch (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	corrupt := func(off int, v byte) []byte {
		b := append([]byte(nil), goldenKernel...)
		b[off] ^= v
		return b
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"short", goldenKernel[:63], ErrShort},
		{"magic", corrupt(0, 1), ErrMagic},
		{"header field", corrupt(16, 1), ErrHeaderCRC},
		{"header crc", corrupt(4, 1), ErrHeaderCRC},
		{"payload", corrupt(66, 1), ErrDataCRC},
		{"truncated payload", goldenKernel[:68], ErrDataSize},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Parse error = %v, want %v", err, tc.want)
			}
			if _, verr := Verify(bytes.NewReader(tc.in), int64(len(tc.in))); !errors.Is(verr, tc.want) {
				t.Errorf("Verify error = %v, want %v", verr, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestMarshalRejectsLongName(t *testing.T) {
	h := Header{Name: strings.Repeat("n", NameLen+1)}
	if _, err := h.Marshal(); err == nil {
		t.Fatal("Marshal accepted a 33-byte name")
	}
	name, cut := TruncateName(strings.Repeat("n", 40))
	if !cut || name != strings.Repeat("n", 32) {
		t.Errorf("TruncateName = %q, %v", name, cut)
	}
	h = Header{Name: name}
	b, err := h.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// A full-length name has no terminating NUL; the reader must still
	// stop at the field end.
	got, err := ParseHeader(b)
	if err != nil || got.Name != name {
		t.Errorf("ParseHeader name = %q, %v", got.Name, err)
	}
}

type seekBuffer struct {
	buf []byte
	pos int64
}

func (s *seekBuffer) Write(p []byte) (int, error) {
	end := s.pos + int64(len(p))
	for int64(len(s.buf)) < end {
		s.buf = append(s.buf, 0)
	}
	copy(s.buf[s.pos:], p)
	s.pos = end
	return len(p), nil
}

func (s *seekBuffer) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case 1:
		off += s.pos
	case 2:
		off += int64(len(s.buf))
	}
	s.pos = off
	return off, nil
}

func TestWriteStreamMatchesBuild(t *testing.T) {
	h := Header{Time: 1700000000, Load: 0x40080000, Entry: 0x40080000,
		OS: OSLinux, Arch: ArchARM64, Type: TypeKernel, Comp: CompNone, Name: "golden"}
	w := &seekBuffer{buf: []byte("prefix")}
	w.pos = 6
	written, err := WriteStream(w, h, bytes.NewReader([]byte("abcde")))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(append([]byte("prefix"), goldenKernel...), w.buf); diff != "" {
		t.Errorf("WriteStream mismatch (-want +got):\n%s", diff)
	}
	if w.pos != int64(len(w.buf)) {
		t.Errorf("WriteStream left the writer at %d, want the end %d", w.pos, len(w.buf))
	}
	if written.DataSize != 5 || written.DataCRC != 0x8587d865 {
		t.Errorf("returned header size/crc = %d/0x%x", written.DataSize, written.DataCRC)
	}
}

func TestMultiPayloadPadding(t *testing.T) {
	got, err := MultiPayload([][]byte{{1}, {2, 2, 2, 2}, {3, 3}, {4, 4, 4}})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0,
		1, 0, 0, 0, 2, 2, 2, 2, 3, 3, 0, 0, 4, 4, 4,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MultiPayload mismatch (-want +got):\n%s", diff)
	}
	if _, err := SplitMulti([]byte{0, 0, 0, 9, 0, 0, 0, 0, 1}); err == nil {
		t.Error("SplitMulti accepted a file running past the payload")
	}
	if _, _, err := MultiSizes([]byte{0, 0, 0, 9}); err == nil {
		t.Error("MultiSizes accepted a table without terminator")
	}
}

func TestSizeString(t *testing.T) {
	for size, want := range map[uint32]string{
		0:       "0 Bytes = 0.00 KiB = 0.00 MiB",
		31:      "31 Bytes = 0.03 KiB = 0.00 MiB",
		1048576: "1048576 Bytes = 1024.00 KiB = 1.00 MiB",
	} {
		if got := SizeString(size); got != want {
			t.Errorf("SizeString(%d) = %q, want %q", size, got, want)
		}
	}
}

func mkimagePath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("mkimage")
	if err != nil {
		t.Fatalf("mkimage (Debian package u-boot-tools) is needed for this oracle test: %v", err)
	}
	return p
}

// TestTablesAgainstMkimage runs mkimage once per name in every table and
// checks the code it writes, and that its listing uses our long name.
func TestTablesAgainstMkimage(t *testing.T) {
	mkimage := mkimagePath(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.WriteFile(data, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	tables := []struct {
		flag   string
		table  *Table
		offset int
	}{
		{"-A", &Arch, 29}, {"-O", &OS, 28}, {"-T", &Type, 30}, {"-C", &Comp, 31},
	}
	for _, tb := range tables {
		for _, e := range tb.table.Entries {
			if e.Name == "invalid" || (tb.table == &Type && !IsLegacy(e.ID)) {
				continue // mkimage refuses to write these as legacy images
			}
			out := filepath.Join(dir, "img")
			cmd := exec.Command(mkimage, tb.flag, e.Name, "-d", data, out)
			cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=0", "TZ=UTC")
			listing, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("mkimage %s %s: %v\n%s", tb.flag, e.Name, err, listing)
				continue
			}
			img, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if got := img[tb.offset]; got != e.ID {
				t.Errorf("%s %s: mkimage writes %d, table says %d", tb.flag, e.Name, got, e.ID)
			}
			if !strings.Contains(string(listing), e.LongName) {
				t.Errorf("%s %s: mkimage listing does not mention %q:\n%s", tb.flag, e.Name, e.LongName, listing)
			}
		}
	}
}

// TestListingAgainstMkimage compares WriteListing with `mkimage -l` on
// images we build, for plain, multi-file and script images.
func TestListingAgainstMkimage(t *testing.T) {
	mkimage := mkimagePath(t)
	dir := t.TempDir()
	multi, err := MultiPayload([][]byte{bytes.Repeat([]byte{1}, 1500), []byte("xyz"), bytes.Repeat([]byte{2}, 1<<20)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		h    Header
		data []byte
	}{
		{"kernel", Header{Time: 1700000000, Load: 0x80008000, Entry: 0x80008040, OS: OSLinux, Arch: ArchARM, Type: TypeKernel, Comp: CompGzip, Name: "Linux-6.1"}, []byte("kernel")},
		{"full name", Header{Time: 0xffffffff, OS: OSUBoot, Arch: ArchRISCV, Type: TypeFirmware, Comp: CompLZ4, Name: strings.Repeat("x", 32)}, []byte("fw")},
		{"multi", Header{Time: 86400, OS: OSLinux, Arch: ArchX86_64, Type: TypeMulti, Comp: CompNone, Name: "multi"}, multi},
		{"script", Header{OS: OSLinux, Arch: ArchARM64, Type: TypeScript, Comp: CompNone, Name: "boot script"}, multi},
		{"unknown codes", Header{OS: 200, Arch: 201, Type: 202, Comp: 203}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, err := Build(tc.h, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tc.name+".img")
			if err := os.WriteFile(path, img, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(mkimage, "-l", path)
			cmd.Env = append(os.Environ(), "TZ=UTC")
			want, err := cmd.CombinedOutput()
			if tc.name == "unknown codes" {
				// mkimage refuses to list codes it does not know; we still
				// describe them, with mkimage's "Unknown ..." words.
				var got bytes.Buffer
				h, data := mustParse(t, img)
				if err := WriteListing(&got, h, data); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(got.String(), "Unknown Architecture Unknown OS Unknown Image (Unknown Compression)") {
					t.Errorf("listing:\n%s", got.String())
				}
				return
			}
			if err != nil {
				t.Fatalf("mkimage -l: %v\n%s", err, want)
			}
			h, data, err := Parse(img)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := WriteListing(&got, h, data); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(dropScriptOffsets(string(want)), dropScriptOffsets(got.String())); diff != "" {
				t.Errorf("listing mismatch (-mkimage +ours):\n%s", diff)
			}
		})
	}
}

func mustParse(t *testing.T, img []byte) (Header, []byte) {
	t.Helper()
	h, data, err := Parse(img)
	if err != nil {
		t.Fatal(err)
	}
	return h, data
}

// dropScriptOffsets removes the "Offset = " lines mkimage prints for
// script images: they hold an address in mkimage's own memory.
func dropScriptOffsets(s string) string {
	var keep []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "Offset = ") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// TestBuildAgainstMkimage compares Build with mkimage for a sweep of
// header values (the command-level sweep lives in tools/fwtool).
func TestBuildAgainstMkimage(t *testing.T) {
	mkimage := mkimagePath(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	payload := bytes.Repeat([]byte("payload."), 129)
	if err := os.WriteFile(data, payload, 0o644); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		arch, os, typ, comp string
		load, entry         uint32
		name                string
		time                uint32
	}{
		{"arm", "linux", "kernel", "none", 0x80008000, 0x80008000, "Linux", 0},
		{"arm64", "arm-trusted-firmware", "firmware", "gzip", 0x4000000, 0x4000000, "bl31", 1},
		{"riscv", "opensbi", "firmware", "lz4", 0x80000000, 0x80000000, "opensbi fw_dynamic", 1700000000},
		{"x86_64", "efi", "standalone", "zstd", 0xfff00000, 0xfff00010, "", 4294967295},
		{"ppc", "u-boot", "ramdisk", "lzma", 0, 0, "initrd with a 32-byte long name!", 12},
		{"x86", "vxworks", "kernel_noload", "bzip2", 0xe000000, 0xe000000, "vx", 99},
		{"arm", "linux", "filesystem", "lzo", 0x1000, 0x2000, "rootfs", 5},
	} {
		h := Header{Time: tc.time, Load: tc.load, Entry: tc.entry, Name: tc.name}
		var ok [4]bool
		h.Arch, ok[0] = Arch.Lookup(tc.arch)
		h.OS, ok[1] = OS.Lookup(tc.os)
		h.Type, ok[2] = Type.Lookup(tc.typ)
		h.Comp, ok[3] = Comp.Lookup(tc.comp)
		if ok != [4]bool{true, true, true, true} {
			t.Fatalf("case %d: a name is missing from the tables: %v", i, ok)
		}
		got, err := Build(h, payload)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "m.img")
		cmd := exec.Command(mkimage, "-q", "-A", tc.arch, "-O", tc.os, "-T", tc.typ, "-C", tc.comp,
			"-a", strconv.FormatUint(uint64(tc.load), 16), "-e", strconv.FormatUint(uint64(tc.entry), 16),
			"-n", tc.name, "-d", data, out)
		cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH="+strconv.FormatUint(uint64(tc.time), 10), "TZ=UTC")
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("case %d: mkimage: %v\n%s", i, err, msg)
		}
		want, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("case %d %+v: mismatch (-mkimage +ours):\n%s", i, tc, diff)
		}
	}
}

func TestTEEAddresses(t *testing.T) {
	// OP-TEE v1 header: magic, version, arch, flags, init_size,
	// load_hi, load_lo = 0x0e100000, ...
	hdr := []byte{'O', 'P', 'T', 'E', 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x10, 0x0e, 0, 2, 0, 0, 0, 0, 0, 0}
	load, entry := TEEAddresses(hdr)
	if load != 0x0e0fffe4 || entry != 0x0e100000 {
		t.Errorf("TEEAddresses = 0x%08x, 0x%08x; mkimage writes 0x0e0fffe4, 0x0e100000", load, entry)
	}
	// Short payloads read as zeros, as mkimage's zero-filled mapping does.
	load, entry = TEEAddresses([]byte("hi\n"))
	if load != 0xffffffe4 || entry != 0 {
		t.Errorf("TEEAddresses(short) = 0x%08x, 0x%08x; mkimage writes 0xffffffe4, 0", load, entry)
	}
	load, entry = TEEAddresses(hdr[:18])
	if entry != 0x0000 || load != 0xffffffe4 {
		t.Errorf("TEEAddresses(18 bytes) = 0x%08x, 0x%08x", load, entry)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(goldenKernel)
	f.Add(goldenScript)
	f.Add(goldenKernel[:64])
	f.Add([]byte{0x27, 0x05, 0x19, 0x56})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, data, err := Parse(b)
		vh, verr := Verify(bytes.NewReader(b), int64(len(b)))
		if (err == nil) != (verr == nil) || (err == nil && vh != h) {
			t.Fatalf("Parse and Verify disagree: %v / %v", err, verr)
		}
		if err != nil {
			return
		}
		var listing bytes.Buffer
		_ = WriteListing(&listing, h, data)
		if HasSizeTable(h.Type) {
			_, _ = SplitMulti(data)
		}
		// A valid image re-encodes to the same header bytes.
		again, err := Build(h, data)
		if err != nil {
			t.Fatalf("Build of parsed header: %v", err)
		}
		// Names are cut at the first NUL on reading, so bytes after it
		// are lost; compare only when the name field round-trips.
		if bytes.Equal(b[32:64], again[32:64]) && !bytes.Equal(b[:64], again[:64]) {
			t.Fatalf("header did not round-trip:\n%x\n%x", b[:64], again[:64])
		}
	})
}

// TestRuleNameListsMatchTables keeps the name lists the uimage rule checks
// at analysis time (rules/private/uimage.bzl) in step with these tables: a
// name the rule accepts but fwtool rejects would fail only at build time.
func TestRuleNameListsMatchTables(t *testing.T) {
	bzl, err := os.ReadFile(filepath.Join("..", "..", "rules", "private", "uimage.bzl"))
	if err != nil {
		t.Fatalf("reading the rule's name lists: %v", err)
	}
	lists := map[string][]string{}
	for _, line := range strings.Split(string(bzl), "\n") {
		name, value, ok := strings.Cut(line, " = [")
		if !ok || !strings.HasPrefix(name, "UIMAGE_") {
			continue
		}
		for _, item := range strings.Split(strings.TrimSuffix(value, "]"), ",") {
			if item = strings.Trim(strings.TrimSpace(item), `"`); item != "" {
				lists[name] = append(lists[name], item)
			}
		}
	}
	for _, c := range []struct {
		list  string
		table *Table
	}{
		{"UIMAGE_ARCHES", &Arch}, {"UIMAGE_OSES", &OS}, {"UIMAGE_TYPES", &Type},
		{"UIMAGE_COMPRESSIONS", &Comp}, {"UIMAGE_IN_PROCESS", &Comp},
	} {
		if len(lists[c.list]) == 0 {
			t.Errorf("uimage.bzl: no %s list found", c.list)
		}
		for _, name := range lists[c.list] {
			id, ok := c.table.Lookup(name)
			if !ok {
				t.Errorf("uimage.bzl %s has %q, which fwtool mkimage (like mkimage 2023.01) rejects", c.list, name)
			} else if c.table == &Type && !IsLegacy(id) {
				t.Errorf("uimage.bzl %s has %q, which is not a legacy image type", c.list, name)
			}
		}
	}
	var legacy []string
	for _, e := range Type.Entries {
		if IsLegacy(e.ID) {
			legacy = append(legacy, e.Name)
		}
	}
	got := append([]string(nil), lists["UIMAGE_TYPES"]...)
	sort.Strings(got)
	sort.Strings(legacy)
	if diff := cmp.Diff(legacy, got); diff != "" {
		t.Errorf("uimage.bzl UIMAGE_TYPES differs from the legacy types (-fwtool +rule):\n%s", diff)
	}
	comps := append([]string(nil), lists["UIMAGE_COMPRESSIONS"]...)
	sort.Strings(comps)
	want := Comp.Names()
	sort.Strings(want)
	if diff := cmp.Diff(want, comps); diff != "" {
		t.Errorf("uimage.bzl UIMAGE_COMPRESSIONS differs from the compression table (-fwtool +rule):\n%s", diff)
	}
}

func TestCheckXIPReserve(t *testing.T) {
	erased := bytes.Repeat([]byte{0xff}, HeaderSize)
	if err := CheckXIPReserve(append(erased, 1, 2)); err != nil {
		t.Errorf("erased reserve refused: %v", err)
	}
	if err := CheckXIPReserve(erased[:5]); err == nil || !strings.Contains(err.Error(), "5 bytes") {
		t.Errorf("short file: %v", err)
	}
	notErased := append([]byte(nil), erased...)
	notErased[7] = 0xfe
	if err := CheckXIPReserve(notErased); err == nil || !strings.Contains(err.Error(), "offset 7 is 0xfe") {
		t.Errorf("written byte: %v", err)
	}
}
