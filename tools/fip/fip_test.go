package fip

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func patterned(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x = x*1103515245 + 12345
		b[i] = byte(x >> 16)
	}
	return b
}

func named(t *testing.T, name string) UUID {
	t.Helper()
	ty, ok := TypeByName(name)
	if !ok {
		t.Fatalf("no image type %q", name)
	}
	return ty.UUID
}

// TestCreateGolden pins the layout by hand: header, two entries given out
// of table order, terminator at the aligned end, zero padding.
func TestCreateGolden(t *testing.T) {
	got, err := Create([]Image{
		{UUID: named(t, "nt-fw"), Data: []byte("abc")},
		{UUID: named(t, "tb-fw"), Data: []byte("hello")},
	}, Options{Align: 16, PlatTocFlags: 0x1234})
	if err != nil {
		t.Fatal(err)
	}
	// ToC = 16 + 3*40 = 0x88, so the first image starts at 0x90.
	le := binary.LittleEndian
	want := make([]byte, 0xb0)
	le.PutUint32(want[0:], 0xAA640001)
	le.PutUint32(want[4:], 0x12345678)
	le.PutUint64(want[8:], 0x1234<<32)
	copy(want[0x10:], []byte{0x5f, 0xf9, 0xec, 0x0b, 0x4d, 0x22, 0x3e, 0x4d, 0xa5, 0x44, 0xc3, 0x9d, 0x81, 0xc7, 0x3f, 0x0a})
	le.PutUint64(want[0x20:], 0x90)
	le.PutUint64(want[0x28:], 5)
	copy(want[0x38:], []byte{0xd6, 0xd0, 0xee, 0xa7, 0xfc, 0xea, 0xd5, 0x4b, 0x97, 0x82, 0x99, 0x34, 0xf2, 0x34, 0xb6, 0xe4})
	le.PutUint64(want[0x48:], 0xa0)
	le.PutUint64(want[0x50:], 3)
	le.PutUint64(want[0x70:], 0xb0) // terminator: offset = size
	copy(want[0x90:], "hello")
	copy(want[0xa0:], "abc")
	if !bytes.Equal(got, want) {
		t.Fatalf("FIP differs\n got %x\nwant %x", got, want)
	}
	p, err := Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	if p.PlatTocFlags() != 0x1234 || p.End != 0xb0 || len(p.Entries) != 2 || p.Entries[0].Name() != "tb-fw" || string(p.Entries[1].Data) != "abc" {
		t.Fatalf("parsed package wrong: %+v", p)
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

type given struct {
	flag string // fiptool option name, or "blob=<uuid>"
	data []byte
}

func (g given) uuid(t *testing.T) UUID {
	if strings.HasPrefix(g.flag, "blob=") {
		u, err := ParseUUID(g.flag[5:])
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	return named(t, g.flag)
}

// imageSets are the sweeps' inputs: given in scrambled order, with
// duplicates, empty images, UUIDs fiptool does not name, and a --blob that
// names a known image by UUID.
func imageSets() [][]given {
	return [][]given{
		{},
		{{"tb-fw", patterned(1, 1)}},
		{{"nt-fw", patterned(1000, 2)}, {"soc-fw", patterned(4096, 3)}, {"tos-fw", patterned(33, 4)}},
		{{"hw-config", patterned(77, 5)}, {"tos-fw-extra2", patterned(12, 6)}, {"tos-fw-extra1", patterned(13, 7)},
			{"tb-fw", patterned(100, 8)}, {"fw-config", patterned(9, 9)}, {"tb-fw-config", patterned(10, 10)},
			{"soc-fw-config", patterned(11, 11)}, {"tos-fw-config", patterned(14, 12)}, {"nt-fw-config", patterned(15, 13)},
			{"nt-fw", patterned(5000, 14)}, {"soc-fw", patterned(6000, 15)}, {"tos-fw", patterned(7001, 16)}},
		{{"blob=ffffffff-0000-1111-2222-333344445555", patterned(50, 17)}, {"nt-fw", patterned(20, 18)},
			{"blob=01234567-89ab-cdef-0123-456789abcdef", patterned(3, 19)}},
		{{"blob=5ff9ec0b-4d22-3e4d-a544-c39d81c73f0a", patterned(40, 20)}, {"soc-fw", patterned(41, 21)}},
		{{"tb-fw", patterned(10, 22)}, {"tb-fw", patterned(11, 23)}, {"nt-fw", nil}, {"soc-fw", patterned(5, 24)}},
		{{"rot-cert", patterned(300, 25)}, {"tb-fw-cert", patterned(301, 26)}, {"trusted-key-cert", patterned(302, 27)},
			{"rmm-fw", patterned(1, 28)}, {"scp-fw", patterned(2, 29)}, {"plat-key-cert", patterned(3, 30)}},
	}
}

// TestMatchesFiptool creates packages with fiptool and with Create for
// every image set × alignment × platform flags and compares the bytes; it
// also has fiptool list ours and checks each image's offset and size.
func TestMatchesFiptool(t *testing.T) {
	fiptool := mustLookPath(t, "fiptool")
	dir := t.TempDir()
	aligns := []uint64{0, 1, 2, 8, 16, 512, 4096}
	for si, set := range imageSets() {
		var args []string
		var imgs []Image
		for gi, g := range set {
			f := filepath.Join(dir, fmt.Sprintf("img-%d-%d", si, gi))
			if err := os.WriteFile(f, g.data, 0o644); err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(g.flag, "blob=") {
				args = append(args, "--blob", "uuid="+g.flag[5:]+",file="+f)
			} else {
				args = append(args, "--"+g.flag, f)
			}
			imgs = append(imgs, Image{UUID: g.uuid(t), Data: g.data})
		}
		for _, align := range aligns {
			for _, flags := range []uint16{0, 0xbeef} {
				out := filepath.Join(dir, fmt.Sprintf("ref-%d-%d-%d.fip", si, align, flags))
				cmdArgs := append([]string{"create"}, args...)
				if align != 0 {
					cmdArgs = append(cmdArgs, "--align", fmt.Sprint(align))
				}
				if flags != 0 {
					cmdArgs = append(cmdArgs, "--plat-toc-flags", fmt.Sprintf("0x%x", flags))
				}
				cmdArgs = append(cmdArgs, out)
				if msg, err := exec.Command(fiptool, cmdArgs...).CombinedOutput(); err != nil {
					t.Fatalf("fiptool %v: %v\n%s", cmdArgs, err, msg)
				}
				want, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				got, err := Create(imgs, Options{Align: align, PlatTocFlags: flags})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("set %d align %d flags 0x%x: differs from fiptool (%d vs %d bytes, first difference at %d)", si, align, flags, len(got), len(want), firstDiff(got, want))
					continue
				}
				if align == 16 && flags == 0 {
					checkFiptoolInfo(t, fiptool, dir, got, fmt.Sprintf("ours-%d.fip", si))
				}
			}
		}
	}
}

// TestRandomSetsMatchFiptool draws image sets from the whole table plus
// unnamed UUIDs, in random order with random sizes (some empty, some
// repeated), and compares Create with fiptool create for each.
func TestRandomSetsMatchFiptool(t *testing.T) {
	fiptool := mustLookPath(t, "fiptool")
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(7))
	for round := 0; round < 40; round++ {
		var args []string
		var imgs []Image
		for n := 1 + rng.Intn(10); n > 0; n-- {
			size := rng.Intn(3000)
			if rng.Intn(8) == 0 {
				size = 0
			}
			data := patterned(size, byte(rng.Intn(256)))
			f := filepath.Join(dir, fmt.Sprintf("r%d-%d", round, n))
			if err := os.WriteFile(f, data, 0o644); err != nil {
				t.Fatal(err)
			}
			var u UUID
			if rng.Intn(4) == 0 {
				rng.Read(u[:])
				u[0] |= 1 // never the null UUID
				args = append(args, "--blob", fmt.Sprintf("uuid=%s,file=%s", strings.ToLower(u.String()), f))
			} else {
				ty := ImageTypes[rng.Intn(len(ImageTypes))]
				u = ty.UUID
				args = append(args, "--"+ty.Name, f)
			}
			imgs = append(imgs, Image{UUID: u, Data: data})
		}
		align := uint64(1) << uint(rng.Intn(13))
		out := filepath.Join(dir, fmt.Sprintf("r%d.fip", round))
		cmdArgs := append(append([]string{"create", "--align", fmt.Sprint(align)}, args...), out)
		if msg, err := exec.Command(fiptool, cmdArgs...).CombinedOutput(); err != nil {
			t.Fatalf("fiptool %v: %v\n%s", cmdArgs, err, msg)
		}
		want, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Create(imgs, Options{Align: align})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("round %d (align %d, %d images): differs from fiptool at byte %d", round, align, len(imgs), firstDiff(got, want))
		}
		if streamed := writeLayout(t, imgs, Options{Align: align}); !bytes.Equal(streamed, want) {
			t.Errorf("round %d (align %d, %d images): Layout.WriteTo differs from fiptool at byte %d", round, align, len(imgs), firstDiff(streamed, want))
		}
	}
}

// writeLayout is what fwtool fiptool create writes: Plan, then WriteTo
// (ToC, images and padding as separate writes) into a buffer.
func writeLayout(t *testing.T, imgs []Image, opts Options) []byte {
	t.Helper()
	l, err := Plan(imgs, opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := l.WriteTo(&buf)
	if err != nil || uint64(n) != l.Size || uint64(buf.Len()) != l.Size {
		t.Fatalf("WriteTo: %d bytes, %v; buffer %d; want %d", n, err, buf.Len(), l.Size)
	}
	return buf.Bytes()
}

// TestWriteToStopsAtError: a failing writer's error comes back and
// nothing past it is written.
func TestWriteToStopsAtError(t *testing.T) {
	l, err := Plan([]Image{{UUID: UUID{1}, Data: []byte("data")}}, Options{Align: 4096})
	if err != nil {
		t.Fatal(err)
	}
	// The ToC is 96 bytes, the padding to the image 4000.
	w := &failAfter{left: 100}
	if _, err := l.WriteTo(w); err == nil || w.calls != 2 {
		t.Fatalf("WriteTo into a failing writer: err %v after %d writes, want the error at the padding (2)", err, w.calls)
	}
}

type failAfter struct{ left, calls int }

func (f *failAfter) Write(p []byte) (int, error) {
	f.calls++
	if len(p) > f.left {
		return f.left, errors.New("disk full")
	}
	f.left -= len(p)
	return len(p), nil
}

// checkFiptoolInfo writes data, runs `fiptool --verbose info` on it and
// checks that every entry fiptool lists matches what Parse found, including
// the sha256 of each image.
func checkFiptoolInfo(t *testing.T, fiptool, dir string, data []byte, name string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(fiptool, "--verbose", "info", p).CombinedOutput()
	if err != nil {
		t.Fatalf("fiptool info %s: %v\n%s", name, err, out)
	}
	pkg, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "offset=") {
			lines = append(lines, l)
		}
	}
	if len(lines) != len(pkg.Entries) {
		t.Fatalf("fiptool info lists %d images, we parsed %d:\n%s", len(lines), len(pkg.Entries), out)
	}
	for i, e := range pkg.Entries {
		cmdline := "--blob"
		label := e.UUID.String()
		if ty, ok := TypeByUUID(e.UUID); ok {
			cmdline, label = "--"+ty.Name, ty.Desc
		}
		want := fmt.Sprintf("%s: offset=0x%X, size=0x%X, cmdline=\"%s\", sha256=%x", label, e.Offset, e.Size, cmdline, sha256.Sum256(e.Data))
		if lines[i] != want {
			t.Errorf("%s entry %d:\nfiptool: %s\nwant:    %s", name, i, lines[i], want)
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) < len(b) {
		return len(a)
	}
	return len(b)
}

func TestCreateRejectsBadAlign(t *testing.T) {
	for _, a := range []uint64{3, 6, 100} {
		if _, err := Create(nil, Options{Align: a}); err == nil {
			t.Errorf("align %d accepted", a)
		}
	}
}

func TestUUIDText(t *testing.T) {
	u, err := ParseUUID("5FF9EC0B-4d22-3e4d-a544-c39d81c73f0a")
	if err != nil {
		t.Fatal(err)
	}
	if u != named(t, "tb-fw") || u.String() != "5FF9EC0B-4D22-3E4D-A544-C39D81C73F0A" {
		t.Fatalf("got %v", u)
	}
	for _, bad := range []string{"", "5ff9ec0b4d223e4da544c39d81c73f0a", "5ff9ec0b-4d22-3e4d-a544-c39d81c73f0g", "5ff9ec0b-4d22-3e4d-a544_c39d81c73f0a"} {
		if _, err := ParseUUID(bad); err == nil {
			t.Errorf("ParseUUID(%q) accepted", bad)
		}
	}
}

func TestParseErrors(t *testing.T) {
	good, err := Create([]Image{{UUID: named(t, "tb-fw"), Data: []byte("0123456789")}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		edit  func([]byte) []byte
		entry int
		field string
	}{
		{"name", func(b []byte) []byte { b[0] = 2; return b }, -1, "name"},
		{"short", func(b []byte) []byte { return b[:10] }, -1, "name"},
		{"no terminator", func(b []byte) []byte { b[HeaderSize+EntrySize] = 1; return b }, 2, "uuid"},
		{"offset past end", func(b []byte) []byte { binary.LittleEndian.PutUint64(b[0x20:], 1<<40); return b }, 0, "offset"},
		{"size past end", func(b []byte) []byte { binary.LittleEndian.PutUint64(b[0x28:], 11); return b }, 0, "offset"},
		{"size overflow", func(b []byte) []byte { binary.LittleEndian.PutUint64(b[0x28:], ^uint64(0)); return b }, 0, "offset"},
	}
	for _, c := range cases {
		_, err := Parse(c.edit(append([]byte(nil), good...)))
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Entry != c.entry || fe.Field != c.field {
			t.Errorf("%s: got %v, want error on entry %d field %s", c.name, err, c.entry, c.field)
		}
	}
}

func FuzzParse(f *testing.F) {
	seed, _ := Create([]Image{{UUID: ImageTypes[4].UUID, Data: []byte("bl2")}, {UUID: UUID{1}, Data: []byte("x")}}, Options{Align: 8, PlatTocFlags: 3})
	f.Add(seed)
	f.Add(seed[:HeaderSize+EntrySize])
	f.Add([]byte{0x01, 0x00, 0x64, 0xaa})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		var imgs []Image
		for _, e := range p.Entries {
			if uint64(len(e.Data)) != e.Size || e.Offset+e.Size > uint64(len(data)) {
				t.Fatalf("entry %s outside the data", e.Name())
			}
			imgs = append(imgs, Image{UUID: e.UUID, Data: e.Data})
		}
		// A parsed package packs again into one that parses.
		again, err := Create(imgs, Options{PlatTocFlags: p.PlatTocFlags()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(again); err != nil {
			t.Fatalf("re-created package does not parse: %v", err)
		}
	})
}

// TestUpdateRemove pins fiptool update's and remove's image lists: update
// puts the command line's images first and drops the package's copies of
// them; remove keeps the rest in ToC order and refuses an absent image.
func TestUpdateRemove(t *testing.T) {
	tb, nt, soc := named(t, "tb-fw"), named(t, "nt-fw"), named(t, "soc-fw")
	blob := UUID{1, 2, 3}
	data, err := Create([]Image{{tb, []byte("bl2")}, {blob, []byte("blob")}, {nt, []byte("bl33")}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	got := p.Update([]Image{{nt, []byte("new")}, {soc, []byte("bl31")}})
	want := []Image{{nt, []byte("new")}, {soc, []byte("bl31")}, {tb, []byte("bl2")}, {blob, []byte("blob")}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Update: got %v, want %v", got, want)
	}
	var none *Package
	if got := none.Update([]Image{{tb, []byte("x")}}); len(got) != 1 || got[0].UUID != tb {
		t.Errorf("Update of a missing package: %v", got)
	}
	kept, err := p.Remove([]UUID{blob})
	if err != nil || fmt.Sprint(kept) != fmt.Sprint([]Image{{tb, []byte("bl2")}, {nt, []byte("bl33")}}) {
		t.Errorf("Remove: %v, %v", kept, err)
	}
	var missing *MissingImageError
	if _, err := p.Remove([]UUID{soc}); !errors.As(err, &missing) || !strings.Contains(err.Error(), "soc-fw") {
		t.Errorf("Remove of an absent image: %v", err)
	}
	if e := p.Lookup(nt); e == nil || string(e.Data) != "bl33" {
		t.Errorf("Lookup: %+v", e)
	}
}
