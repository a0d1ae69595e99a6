package cpio

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/lazymap"
)

// compressions maps the names an initramfs is compressed with to the
// tools/compress stream Linux's decompressors read: lz4 means the legacy
// LZ4 format and xz means .xz with a CRC32 check, as the kernel's own
// initramfs build (usr/Makefile) writes them.
var compressions = &lazymap.Map[string, string]{New: func() map[string]string {
	return map[string]string{
		"none":  "none",
		"gzip":  "gzip",
		"bzip2": "bzip2",
		"lzma":  "lzma",
		"xz":    "xz-crc32",
		"lz4":   "lz4-legacy",
		"zstd":  "zstd",
	}
}}

// Compressions returns the names CompressionFor accepts, sorted.
func Compressions() []string {
	var out []string
	for n := range compressions.Get() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// CompressionFor returns the tools/compress algorithm for an initramfs
// compression name.
func CompressionFor(name string) (string, error) {
	a, ok := compressions.Get()[name]
	if !ok {
		return "", fmt.Errorf("compression %q is not one of %s", name, strings.Join(Compressions(), ", "))
	}
	return a, nil
}

// magics recognise a compressed archive by its first bytes.
var magics = []struct {
	algo  string
	magic []byte
}{
	{"gzip", []byte{0x1f, 0x8b}},
	{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0}},
	{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd}},
	{"lz4-legacy", []byte{0x02, 0x21, 0x4c, 0x18}},
	{"bzip2", []byte("BZh")},
	{"lzma", []byte{0x5d, 0, 0}},
}

// Detect recognises a newc archive, plain or compressed, from its start.
// It returns the tools/compress algorithm name ("none" when plain) and a
// reader of the archive; ok is false when r holds no archive.
func Detect(r io.Reader) (algo string, ar io.Reader, ok bool) {
	head := make([]byte, 8)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	r = io.MultiReader(bytes.NewReader(head), r)
	if isNewc(head) {
		return "none", r, true
	}
	for _, m := range magics {
		if !bytes.HasPrefix(head, m.magic) {
			continue
		}
		zr, err := compress.NewReader(m.algo, r)
		if err != nil {
			return "", nil, false
		}
		inner := make([]byte, 6)
		k, _ := io.ReadFull(zr, inner)
		if !isNewc(inner[:k]) {
			return "", nil, false
		}
		return m.algo, io.MultiReader(bytes.NewReader(inner[:k]), zr), true
	}
	return "", nil, false
}

func isNewc(b []byte) bool {
	return len(b) >= 6 && (string(b[:6]) == "070701" || string(b[:6]) == "070702")
}

// ModeString renders a mode as ls -l does ("drwxr-xr-x", "crw-------").
func ModeString(mode uint32) string {
	kinds := map[uint32]byte{TypeDir: 'd', TypeReg: '-', TypeLink: 'l', TypeChar: 'c', TypeBlock: 'b', TypeFifo: 'p', TypeSocket: 's'}
	k, ok := kinds[mode&TypeMask]
	if !ok {
		k = '?'
	}
	s := []byte{k}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if mode&(1<<(8-i)) != 0 {
			s = append(s, rwx[i])
		} else {
			s = append(s, '-')
		}
	}
	for _, sp := range []struct {
		bit uint32
		at  int
		set byte
	}{{0o4000, 3, 's'}, {0o2000, 6, 's'}, {0o1000, 9, 't'}} {
		if mode&sp.bit != 0 {
			if s[sp.at] == 'x' {
				s[sp.at] = sp.set
			} else {
				s[sp.at] = sp.set - 'a' + 'A'
			}
		}
	}
	return string(s)
}
