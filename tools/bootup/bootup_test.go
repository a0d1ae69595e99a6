package bootup

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// unhex turns a spaced hex listing into bytes.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var sig1 = [8]byte{1, 2, 3, 4, 5, 6, 7, 8}

// Expected bytes written by hand from FORMAT.md's table; the two CRC32
// values come from Python's zlib.crc32 over the same listed bytes, not from
// this package.
func TestPreambleHeaderBytesFromSpec(t *testing.T) {
	img, err := Build([]byte("123456789"), Options{Signature: sig1, Load: 0x20000000, Entry: 0x20000009, Preamble: true, CRC: true, CopyToRAM: true})
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, `
		42554149 0100 4000 07000000 00000000
		0000002000000000 0900002000000000
		09000000 2639f4cb 0000 0000 00000000
		0102030405060708 00000000 6cd4e4d4`)
	want = append(want, "123456789"...)
	if !bytes.Equal(img, want) {
		t.Fatalf("image\n got % x\nwant % x", img, want)
	}
	im, err := Read(img, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(im.Body) != "123456789" || im.Entry != 0x20000009 || im.Signature != sig1 {
		t.Fatalf("read back %+v", im.Header)
	}
}

func TestEmbeddedHeaderBytesFromSpec(t *testing.T) {
	app := make([]byte, 0x60)
	for i := range app {
		app[i] = byte(i)
	}
	img, err := Build(app, Options{Signature: [8]byte{0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88}, Load: 0x08000000, Entry: 0x080000c1, HeaderOffset: 0x10, CRC: true})
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte(nil), app...)
	copy(want[0x10:], unhex(t, `
		42554149 0100 4000 02000000 10000000
		0000000800000000 c100000800000000
		20000000 36018278 0000 0000 00000000
		ffeeddccbbaa9988 00000000 6b6d9949`))
	if !bytes.Equal(img, want) {
		t.Fatalf("image\n got % x\nwant % x", img, want)
	}
	if off, ok := Locate(img); !ok || off != 0x10 {
		t.Fatalf("Locate = %d, %v", off, ok)
	}
	im, err := Read(img, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(im.Body, append(append([]byte(nil), app[:0x10]...), app[0x50:]...)) {
		t.Fatalf("body % x", im.Body)
	}
}

func TestBundleBytesFromSpec(t *testing.T) {
	b, err := BuildBundle([]File{{"app", []byte("123456789"), "none"}, {"data", []byte("abc"), "none"}}, sig1)
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, `
		4255424e 0100 4000 02000000 40000000 80000000 280c8ebf
		d3000000 00000000 00000000000000000000000000000000
		0102030405060708 00000000 f0a4037c
		6170700000000000000000000000000000000000000000000000000000000000
		c0000000 09000000 09000000 2639f4cb 2639f4cb 00 0000000000000000000000
		6461746100000000000000000000000000000000000000000000000000000000
		d0000000 03000000 03000000 c2412435 c2412435 00 0000000000000000000000`)
	want = append(want, "123456789\x00\x00\x00\x00\x00\x00\x00abc"...)
	if !bytes.Equal(b, want) {
		t.Fatalf("bundle\n got % x\nwant % x", b, want)
	}
}

func TestInvalidate(t *testing.T) {
	img, _ := Build([]byte("123456789"), Options{Signature: sig1, Preamble: true, CRC: true})
	inv, err := Invalidate(img)
	if err != nil {
		t.Fatal(err)
	}
	diff := 0
	for i := range img {
		if img[i] != inv[i] {
			diff++
			if i < SignatureOff || i >= SignatureOff+8 || inv[i] != 0 {
				t.Fatalf("byte 0x%x changed to %02x", i, inv[i])
			}
		}
	}
	if diff != 8 {
		t.Fatalf("%d bytes changed, want the 8 signature bytes", diff)
	}
	im, err := Read(inv, nil)
	if im == nil || !im.Invalidated() || err == nil || !strings.Contains(err.Error(), "invalidated") {
		t.Fatalf("Read(invalidated) = %v, %v", im, err)
	}
	// Invalidation only clears bits: NOR flash can program it in place.
	for i := range img {
		if inv[i]&^img[i] != 0 {
			t.Fatalf("byte 0x%x sets bits", i)
		}
	}
}

func TestTags(t *testing.T) {
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	_, otherEd, _ := ed25519.GenerateKey(rand.Reader)
	rsaPriv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		key, wrongKey interface {
			Signer
			Verifier
		}
	}{
		{"ed25519", NewEd25519Signer(edPriv), NewEd25519Signer(otherEd)},
		{"rsa", NewRSASigner(rsaPriv), NewEd25519Signer(otherEd)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := bytes.Repeat([]byte{0xa5}, 0x400)
			img, err := Build(app, Options{Signature: sig1, HeaderOffset: 0x100, CRC: true, Signer: tc.key})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Read(img, tc.key); err != nil {
				t.Fatalf("right key: %v", err)
			}
			if _, err := Read(img, tc.wrongKey); err == nil || !strings.Contains(err.Error(), "tag") {
				t.Fatalf("wrong key accepted: %v", err)
			}
			// A body change with both CRCs re-computed still fails the tag.
			img[0] ^= 1
			im, _ := Read(img, nil)
			binary.LittleEndian.PutUint32(img[0x100+0x24:], crc32.ChecksumIEEE(im.Body))
			binary.LittleEndian.PutUint32(img[0x100+headerCRCOff:], crc32.ChecksumIEEE(img[0x100:0x100+headerCRCOff]))
			if _, err := Read(img, nil); err != nil {
				t.Fatalf("CRC fix-up: %v", err)
			}
			if _, err := Read(img, tc.key); err == nil || !strings.Contains(err.Error(), "does not verify") {
				t.Fatalf("modified body accepted: %v", err)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		app  []byte
		o    Options
		want string
	}{
		{"oversized", make([]byte, 100), Options{Signature: sig1, Preamble: true, MaxSize: 128}, "exceeds region size 128"},
		{"header past end", make([]byte, 100), Options{Signature: sig1, HeaderOffset: 64}, "header region 0x40..0x80"},
		{"erased signature", nil, Options{Signature: [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, Preamble: true}, "erased"},
		{"zero signature", nil, Options{Preamble: true}, "invalidated"},
	} {
		if _, err := Build(tc.app, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	img, _ := Build([]byte("123456789"), Options{Signature: sig1, Preamble: true, CRC: true})
	for _, tc := range []struct {
		off  int
		want string
	}{
		{HeaderSize + 3, "body CRC32"},
		{0x10, "header CRC32"},
		{0x30, "header CRC32"},
		{0x04, "header version"},
		{0x2C, "reserved"},
	} {
		bad := append([]byte(nil), img...)
		bad[tc.off] ^= 0x40
		if _, err := Read(bad, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("flip 0x%x: err = %v, want %q", tc.off, err, tc.want)
		}
	}
	if _, err := Read(img[:len(img)-1], nil); err == nil || !strings.Contains(err.Error(), "image length") {
		t.Errorf("truncated: %v", err)
	}
}

func TestBundleRoundTripLZ4(t *testing.T) {
	fpga := bytes.Repeat([]byte("bitstream "), 5000)
	b, err := BuildBundle([]File{{"app.img", []byte("123456789"), "none"}, {"fpga.bit", fpga, "lz4"}}, sig1)
	if err != nil {
		t.Fatal(err)
	}
	bu, err := Verify(b)
	if err != nil {
		t.Fatal(err)
	}
	e := bu.Entries[1]
	if e.Compression != CompressLZ4 || e.Stored >= e.Length || !bytes.Equal(b[e.Offset:e.Offset+4], []byte{0x04, 0x22, 0x4d, 0x18}) {
		t.Fatalf("entry %+v not an lz4 frame", e)
	}
	got, err := bu.Extract(1)
	if err != nil || !bytes.Equal(got, fpga) {
		t.Fatalf("extract: %v", err)
	}
}

func TestBundleBadInput(t *testing.T) {
	if _, err := BuildBundle([]File{{"a", nil, "zstd"}}, sig1); err == nil || !strings.Contains(err.Error(), `unknown compression "zstd"`) {
		t.Errorf("unknown compression: %v", err)
	}
	if _, err := BuildBundle([]File{{"a/b", nil, "none"}}, sig1); err == nil || !strings.Contains(err.Error(), "not allowed") {
		t.Errorf("bad name: %v", err)
	}
	if _, err := BuildBundle([]File{{"a", nil, "none"}, {"a", nil, "none"}}, sig1); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate: %v", err)
	}
	good, _ := BuildBundle([]File{{"app", []byte("123456789"), "none"}, {"fpga", bytes.Repeat([]byte("x"), 999), "lz4"}}, sig1)
	for _, tc := range []struct {
		off  int
		want string
	}{
		{0x30, "header CRC32"},
		{0x40, "directory CRC32"},
		{0xC1, `file "app": ... stored CRC32`},
		{len(good) - 6, `file "fpga"`},
	} {
		bad := append([]byte(nil), good...)
		bad[tc.off] ^= 0x01
		_, err := Verify(bad)
		for _, part := range strings.Split(tc.want, " ... ") {
			if err == nil || !strings.Contains(err.Error(), part) {
				t.Errorf("flip 0x%x: err = %v, want %q", tc.off, err, tc.want)
			}
		}
	}
	// Unknown compression code in the directory (directory CRC fixed up).
	bad := append([]byte(nil), good...)
	bad[HeaderSize+0x34] = 7
	fixDirCRC(bad)
	if _, err := Verify(bad); err == nil || !strings.Contains(err.Error(), "unknown compression 7") {
		t.Errorf("code 7: %v", err)
	}
}

func TestKeysFromPEM(t *testing.T) {
	dir := t.TempDir()
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(edPriv)
	pubDer, _ := x509.MarshalPKIXPublicKey(edPriv.Public())
	priv := filepath.Join(dir, "k.pem")
	pub := filepath.Join(dir, "k.pub")
	os.WriteFile(priv, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	os.WriteFile(pub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDer}), 0o644)
	s, err := LoadSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	v, err := LoadVerifier(pub)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Build([]byte("app"), Options{Signature: sig1, Preamble: true, Signer: s})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Read(img, v); err != nil {
		t.Fatal(err)
	}
}

// The lz4 command-line tool's frames (linked and independent 64 KiB
// blocks, with block checksums) decode through the in-place decoder.
func TestLZ4FramesFromTheLZ4Tool(t *testing.T) {
	if _, err := exec.LookPath("lz4"); err != nil {
		t.Fatal("lz4 not installed (./bazelw installs it)")
	}
	data := bytes.Repeat([]byte("a fairly compressible FPGA bitstream line\n"), 8000)
	rand.Read(data[1000:1400])
	for _, flags := range [][]string{{"-B4", "-BD"}, {"-B4", "-BX"}, {"-B7", "--content-size"}, {"-B4", "--no-frame-crc"}} {
		cmd := exec.Command("lz4", append(append([]string{"-c", "-q"}, flags...), "-")...)
		cmd.Stdin = bytes.NewReader(data)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("lz4 %v: %v", flags, err)
		}
		got, err := decodeLZ4Frame(out, uint32(len(data)))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("lz4 %v: %v", flags, err)
		}
		if _, err := decodeLZ4Frame(out, uint32(len(data)-1)); err == nil {
			t.Errorf("lz4 %v: decoded past the directory's length", flags)
		}
	}
}
