package compress

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pythonZlib compresses each input with python3's zlib.compress(data,
// level) (Debian's python3 links the system zlib) and returns the streams
// and the zlib version that made them.
func pythonZlib(t *testing.T, inputs [][]byte, level int) ([][]byte, string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("no python3 on PATH: the zlib reference for ZlibDeflate")
	}
	dir := t.TempDir()
	for i, in := range inputs {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprint(i)), in, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := `import sys, zlib, os
d, n, lv = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    p = os.path.join(d, str(i))
    open(p + ".z", "wb").write(zlib.compress(open(p, "rb").read(), lv))
print(zlib.ZLIB_RUNTIME_VERSION)
`
	out, err := exec.Command(py, "-c", script, dir, fmt.Sprint(len(inputs)), fmt.Sprint(level)).Output()
	if err != nil {
		t.Fatalf("python3 zlib: %v", err)
	}
	res := make([][]byte, len(inputs))
	for i := range inputs {
		if res[i], err = os.ReadFile(filepath.Join(dir, fmt.Sprint(i)+".z")); err != nil {
			t.Fatal(err)
		}
	}
	return res, strings.TrimSpace(string(out))
}

// zlibInputs adds squashfs-block-sized pieces to the gzip inputs.
func zlibInputs(big bool) map[string][]byte {
	in := gzipInputs(big)
	fw := in["firmware1"]
	in["block4k"] = fw[100000 : 100000+4096]
	in["block128k"] = fw[200000 : 200000+128<<10]
	in["text4k"] = in["text"][:4096]
	in["zeros128k"] = in["zeros"][:128<<10]
	return in
}

func TestZlibDeflateMatchesZlib(t *testing.T) {
	inputs := zlibInputs(!testing.Short())
	var names []string
	var data [][]byte
	for name, d := range inputs {
		names = append(names, name)
		data = append(data, d)
	}
	for level := 1; level <= 9; level++ {
		want, version := pythonZlib(t, data, level)
		if level == 9 {
			t.Logf("reference: python3 zlib.compress, ZLIB_RUNTIME_VERSION %s", version)
		}
		for i, d := range data {
			// Every level on the small inputs, the large ones at 1, 6, 9.
			if len(d) > 200000 && level != 1 && level != 6 && level != 9 {
				continue
			}
			got, err := ZlibDeflate(d, level)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want[i]) {
				t.Errorf("%s (%d bytes) level %d: %d bytes, zlib wrote %d; first difference at %d", names[i], len(d), level, len(got), len(want[i]), firstDiff(got, want[i]))
			}
		}
	}
}

// zlibResetScript compresses files 0..n-1 of a directory through one
// z_stream of the system libz, deflateReset before each (as mksquashfs
// does), and prints zlibVersion().
const zlibResetScript = `import ctypes, ctypes.util, os, sys
z = ctypes.CDLL(ctypes.util.find_library("z"))
class ZS(ctypes.Structure):
    _fields_ = [("next_in", ctypes.c_void_p), ("avail_in", ctypes.c_uint), ("total_in", ctypes.c_ulong),
                ("next_out", ctypes.c_void_p), ("avail_out", ctypes.c_uint), ("total_out", ctypes.c_ulong),
                ("msg", ctypes.c_char_p), ("state", ctypes.c_void_p), ("zalloc", ctypes.c_void_p),
                ("zfree", ctypes.c_void_p), ("opaque", ctypes.c_void_p), ("data_type", ctypes.c_int),
                ("adler", ctypes.c_ulong), ("reserved", ctypes.c_ulong)]
z.zlibVersion.restype = ctypes.c_char_p
ver = z.zlibVersion()
s = ZS()
d, n = sys.argv[1], int(sys.argv[2])
assert z.deflateInit2_(ctypes.byref(s), 9, 8, 15, 8, 0, ver, ctypes.sizeof(s)) == 0
for i in range(n):
    data = open(os.path.join(d, str(i)), "rb").read()
    assert z.deflateReset(ctypes.byref(s)) == 0
    inb = ctypes.create_string_buffer(data, len(data))
    cap = len(data) + len(data) // 1000 + 64
    outb = ctypes.create_string_buffer(cap)
    s.next_in, s.avail_in = ctypes.addressof(inb), len(data)
    s.next_out, s.avail_out = ctypes.addressof(outb), cap
    assert z.deflate(ctypes.byref(s), 4) == 1
    open(os.path.join(d, str(i) + ".z"), "wb").write(outb.raw[:s.total_out])
print(ver.decode())
`

// TestZlibEncoderReuseMatchesZlib: one encoder over a sequence of
// squashfs-like blocks (long ones, then short ones whose match searches
// run into the previous blocks' window bytes) writes what one zlib stream
// reset with deflateReset writes.
func TestZlibEncoderReuseMatchesZlib(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("no python3 on PATH: the zlib reference for ZlibEncoder")
	}
	in := zlibInputs(false)
	fw, runs := in["firmware1"], in["runs"]
	blocks := [][]byte{fw[:128<<10], runs[:1000], fw[300000 : 300000+4096], runs[:190000], runs[7:4103], {}, in["zeros128k"], fw[5000:5300], in["text4k"], runs[:300]}
	dir := t.TempDir()
	for i, b := range blocks {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprint(i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(py, "-c", zlibResetScript, dir, fmt.Sprint(len(blocks))).Output()
	if err != nil {
		t.Fatalf("python3 libz deflateReset: %v", err)
	}
	t.Logf("reference: libz %s through ctypes, deflateReset per block", strings.TrimSpace(string(out)))
	e, _ := NewZlibEncoder(9)
	for i, b := range blocks {
		want, err := os.ReadFile(filepath.Join(dir, fmt.Sprint(i)+".z"))
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Encode(nil, b); !bytes.Equal(got, want) {
			t.Errorf("block %d (%d bytes): differs from zlib at byte %d", i, len(b), firstDiff(got, want))
		}
	}
}

func TestZlibDeflateLevels(t *testing.T) {
	for _, l := range []int{0, 10, -1} {
		if _, err := ZlibDeflate(nil, l); err == nil {
			t.Errorf("level %d accepted", l)
		}
	}
	if h := zlibHeader(9); h[0] != 0x78 || h[1] != 0xda {
		t.Errorf("level 9 header %x, want 78da", h)
	}
}

// FuzzZlibDeflate checks that every stream inflates back to its input,
// also when one encoder is reused for the next buffer.
func FuzzZlibDeflate(f *testing.F) {
	f.Add([]byte{}, byte(9))
	f.Add([]byte("abcabcabcabcabcabcabd"), byte(9))
	f.Add(bytes.Repeat([]byte{0, 1, 2}, 3000), byte(5))
	f.Add(bytes.Repeat([]byte("xyzzy plugh "), 500), byte(1))
	f.Fuzz(func(t *testing.T, data []byte, lv byte) {
		e, err := NewZlibEncoder(1 + int(lv)%9)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range [][]byte{data, data[len(data)/2:]} {
			zr, err := zlib.NewReader(bytes.NewReader(e.Encode(nil, in)))
			if err != nil {
				t.Fatal(err)
			}
			back, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("inflate: %v", err)
			}
			if !bytes.Equal(back, in) {
				t.Fatal("round trip changed the data")
			}
		}
	})
}
