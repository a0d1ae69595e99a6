package ppclink

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// assemble compiles assembly sources into objects in dir.
func assemble(t *testing.T, dir string, srcs ...srcFile) []Input {
	t.Helper()
	objs, _ := compile(t, dir, nil, srcs...)
	return inputs(t, objs...)
}

const callsMissing = "\t.text\n\t.globl _zimage_start\n_zimage_start:\n\tbl missing\n\tblr\n"

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans lines: %q", msg)
	}
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("error %q does not mention %q", msg, p)
		}
	}
}

func TestUndefinedSymbol(t *testing.T) {
	ins := assemble(t, t.TempDir(), srcFile{"start.S", callsMissing})
	_, err := Link(ins, Options{TextAddr: 0x400000})
	wantErr(t, err, "start.o", "'.text'", "undefined reference to 'missing'")
}

func TestUndefinedWeakCallBranchesToZero(t *testing.T) {
	dir := t.TempDir()
	src := srcFile{"start.S", "\t.text\n\t.globl _zimage_start\n_zimage_start:\n\t.weak missing\n\tbl missing\n\tblr\n"}
	ins := assemble(t, dir, src)
	out, err := Link(ins, Options{TextAddr: 0x400000})
	if err != nil {
		t.Fatal(err)
	}
	// bl to absolute 0 from 0x400000, as ld resolves it.
	if got := binary.BigEndian.Uint32(out.Binary()); got != 0x4bc00001 {
		t.Errorf("call to undefined weak: insn %#x, want 0x4bc00001", got)
	}
	refELF, _ := ldLink(t, dir, lds(t, dir), 0x400000, filepath.Join(dir, "start.o"))
	if !bytes.Equal(refELF, out.ELF()) {
		t.Errorf("ELF differs from ld's at %#x", firstDiff(refELF, out.ELF()))
	}
}

func TestREL24Overflow(t *testing.T) {
	ins := assemble(t, t.TempDir(),
		srcFile{"start.S", "\t.text\n\t.globl _zimage_start\n_zimage_start:\n\tbl far\n"},
		srcFile{"far.S", "\t.globl far\n\tfar = 0x8000000\n"})
	_, err := Link(ins, Options{TextAddr: 0x400000})
	wantErr(t, err, "start.o", "'.text'", "R_PPC_REL24", "'far'", "out of range")
}

func TestUnknownRelocation(t *testing.T) {
	dir := t.TempDir()
	ins := assemble(t, dir, srcFile{"start.S", callsMissing})
	o, err := parseObject("start.o", ins[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	// Patch the type of the first .rela.text entry to 200 (not a PowerPC
	// relocation this linker knows).
	data := append([]byte(nil), ins[0].Data...)
	shoff := binary.BigEndian.Uint32(data[32:])
	for i, s := range o.sections {
		if s.typ == shtRela {
			off := binary.BigEndian.Uint32(data[shoff+uint32(i)*shdrSize+16:])
			data[off+7] = 200
		}
	}
	_, err = Link([]Input{{Name: "start.o", Data: data}}, Options{TextAddr: 0x400000})
	wantErr(t, err, "start.o", "'.text'", "unsupported relocation type 200", "'missing'")
}

func TestTruncatedObjects(t *testing.T) {
	ins := assemble(t, t.TempDir(), srcFile{"start.S", callsMissing})
	full := ins[0].Data
	for n := 0; n < len(full); n += 7 {
		_, err := Link([]Input{{Name: "cut.o", Data: full[:n]}}, Options{TextAddr: 0x400000})
		if err == nil {
			t.Fatalf("object cut to %d of %d bytes linked", n, len(full))
		}
		if !strings.HasPrefix(err.Error(), "cut.o") {
			t.Errorf("cut to %d: error %q does not start with the object's name", n, err)
		}
	}
}

func TestMultipleDefinition(t *testing.T) {
	ins := assemble(t, t.TempDir(),
		srcFile{"a.S", "\t.text\n\t.globl _zimage_start\n_zimage_start:\n\tblr\n"},
		srcFile{"b.S", "\t.text\n\t.globl _zimage_start\n_zimage_start:\n\tblr\n"})
	_, err := Link(ins, Options{TextAddr: 0x400000})
	wantErr(t, err, "b.o", "multiple definition of '_zimage_start'", "a.o")
}

func TestBadInputs(t *testing.T) {
	_, err := Link([]Input{{Name: "x.bin", Data: []byte("hello")}}, Options{})
	wantErr(t, err, "x.bin", "neither an ELF object nor an ar archive")
	_, err = Link([]Input{{Name: "lib.a", Data: []byte("!<arch>\nshort")}}, Options{})
	wantErr(t, err, "lib.a", "truncated member header")
	_, err = Link([]Input{BlobObject("blob.o", ".kernel:dtb", []byte{1})}, Options{})
	wantErr(t, err, "entry symbol '_zimage_start'")
	_, err = Link(nil, Options{Script: "zImage.coff.lds"})
	wantErr(t, err, "unknown layout")
}

// TestBlobObjectMatchesObjcopy: BlobObject and WithSection carry the
// payload as the wrapper's objcopy --add-section does.
func TestBlobObjectMatchesObjcopy(t *testing.T) {
	dir := t.TempDir()
	start := assemble(t, dir, srcFile{"start.S", "\t.text\n\t.globl _zimage_start\n_zimage_start:\n\tlis 3,_vmlinux_start@ha\n\taddi 3,3,_vmlinux_start@l\n\tblr\n\t.section .note.GNU-stack,\"\",@progbits\n"})
	payload := bytes.Repeat([]byte{0xa5, 0x5a, 0x33}, 777)
	out, err := Link(append(start, BlobObject("blob.o", ".kernel:vmlinux.strip", payload)), Options{TextAddr: 0x500000})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "e.s"), []byte(".section .note.GNU-stack,\"\",@progbits\n"), 0o644)
	run(t, "powerpc-linux-gnu-as", "-o", filepath.Join(dir, "e.o"), filepath.Join(dir, "e.s"))
	addSections(t, filepath.Join(dir, "e.o"), filepath.Join(dir, "tmp.o"), map[string][]byte{".kernel:vmlinux.strip": payload}, []string{".kernel:vmlinux.strip"})
	_, refBin := ldLink(t, dir, lds(t, dir), 0x500000, filepath.Join(dir, "start.o"), filepath.Join(dir, "tmp.o"))
	if !bytes.Equal(out.Binary(), refBin) {
		t.Errorf("raw image differs from ld's at %#x", firstDiff(out.Binary(), refBin))
	}
	if v, ok := out.Symbol("_vmlinux_start"); !ok || v != 0x501000 {
		t.Errorf("_vmlinux_start = %#x, %v; want 0x501000", v, ok)
	}
}
