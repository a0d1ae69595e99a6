package fit

import (
	"bytes"
	"fmt"
	mrand "math/rand"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

// Process makes one attempt at the largest growth and derives mkimage's
// growth from the high-water mark; processByAttempts makes every attempt
// as mkimage does. These tests hold the two to the same bytes and errors.

// compareWithAttempts runs compiled through Process, ProcessBuffer and the
// attempt-by-attempt loop and fails unless all agree.
func compareWithAttempts(t *testing.T, compiled []byte, opts Options) {
	t.Helper()
	orig := append([]byte(nil), compiled...)
	got, gotErr := Process(compiled, opts)
	if !bytes.Equal(compiled, orig) {
		t.Fatalf("Process modified its input")
	}
	base, _, err := importData(compiled, false)
	var want *Result
	wantErr := err
	if err == nil {
		want, wantErr = processByAttempts(base, opts)
	}
	owned, ownedErr := ProcessBuffer(append(make([]byte, 0, len(compiled)+Headroom), compiled...), opts)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || fmt.Sprint(ownedErr) != fmt.Sprint(wantErr) {
		t.Fatalf("errors: Process %v, ProcessBuffer %v, attempt by attempt %v", gotErr, ownedErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if !bytes.Equal(got.FIT, want.FIT) {
		t.Fatalf("Process differs from the attempt-by-attempt result at %#x (%d vs %d bytes)", firstDiff(got.FIT, want.FIT), len(got.FIT), len(want.FIT))
	}
	if !bytes.Equal(owned.FIT, want.FIT) {
		t.Fatalf("ProcessBuffer differs from the attempt-by-attempt result at %#x (%d vs %d bytes)", firstDiff(owned.FIT, want.FIT), len(owned.FIT), len(want.FIT))
	}
}

func TestSingleAttemptMatchesEveryAttempt(t *testing.T) {
	dir := t.TempDir()
	writeKeyFiles(t, dir, "dev", testKey(t, 2048))
	keys := KeyDir{Dir: dir}
	r := mrand.New(mrand.NewSource(4711))
	for i := 0; i < 60; i++ {
		s := randomSpec(r)
		var opts Options
		opts.Timestamp = uint32(r.Int31())
		if r.Intn(2) == 0 {
			opts.External = true
			opts.Align = []int{0, 4, 16, 0x400, 3, 24}[r.Intn(6)]
			if r.Intn(3) == 0 {
				opts.Position = 0x40000 + r.Intn(0x1000)*4
			}
		}
		if r.Intn(3) == 0 && len(s.Configs) > 0 {
			opts.Keys = keys
			for c := range s.Configs {
				s.Configs[c].Signatures = []SignatureSpec{{Algo: "sha256,rsa2048", KeyName: "dev"}}
			}
		}
		if r.Intn(4) == 0 {
			// Many hash nodes need several KiB of growth.
			for k := range s.Images {
				s.Images[k].Hashes = append(HashAlgorithms(), HashAlgorithms()...)
			}
		}
		tree, err := s.Tree()
		if err != nil {
			t.Fatal(err)
		}
		// dtc's padding makes the input unpacked, so importData copies it.
		pad := 0
		if r.Intn(4) == 0 {
			pad = 1 + r.Intn(600)
		}
		compiled, err := tree.Encode(fdt.EncodeOptions{Pad: pad})
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprintf("%02d", i), func(t *testing.T) {
			compareWithAttempts(t, compiled, opts)
			// FITs fed back in, as mkimage -F reads them: with external
			// data importData copies; without, the blob has free space
			// after it and is packed (in place when owned).
			for _, external := range []bool{true, false} {
				first := opts
				first.External = external
				res, err := Process(compiled, first)
				if err != nil {
					continue
				}
				again := opts
				again.KeepTimestamp = r.Intn(2) == 0
				compareWithAttempts(t, res.FIT, again)
			}
		})
	}
}

// TestGrowthLimitSameResult: FITs needing just under and just over
// mkimage's last attempt (63 KiB of growth) come out the same both ways;
// each sha512 hash value costs 76 bytes with its property header.
func TestGrowthLimitSameResult(t *testing.T) {
	for _, n := range []int{845, 900} {
		var hashes []string
		for i := 0; i < n; i++ {
			hashes = append(hashes, "sha512")
		}
		s := &Spec{Description: "huge", Default: "c",
			Images:  []ImageSpec{{Name: "b", Type: "firmware", Hashes: hashes, Data: []byte{1}}},
			Configs: []ConfigSpec{{Name: "c", Firmware: "b"}}}
		tree, err := s.Tree()
		if err != nil {
			t.Fatal(err)
		}
		compiled := tree.Bytes()
		compareWithAttempts(t, compiled, Options{})
		res, err := Process(compiled, Options{})
		switch {
		case n == 845 && err != nil:
			t.Fatalf("%d hashes: %v", n, err)
		case n == 845 && len(res.FIT)-len(compiled) != 63*1024:
			t.Fatalf("%d hashes: grew by %d bytes, want 63 KiB", n, len(res.FIT)-len(compiled))
		case n == 900 && (err == nil || err.Error() != "FIT does not fit in 64 KiB of extra space"):
			t.Fatalf("%d hashes: got %v, want the no-space error", n, err)
		}
	}
}

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestBuildAllocatesAboutOnePayload bounds the memory a FIT of a 16 MiB
// payload costs: Build encodes the tree once into a buffer with room for
// mkimage's growth and edits it there (1x the payload), and -E gathers the
// external data once more (2x). Before, the payload was copied about six
// times here. The margin (0.25x) covers the small blobs and the headroom.
func TestBuildAllocatesAboutOnePayload(t *testing.T) {
	const size = 16 << 20
	data := payload(1, size)
	spec := func() *Spec {
		return &Spec{Description: "big", Default: "c",
			Images: []ImageSpec{
				{Name: "kernel", Type: "kernel", Arch: "arm64", OS: "linux", Load: u64(0x80000), Entry: u64(0x80000),
					Hashes: []string{"sha256", "crc32"}, Data: data},
				{Name: "fdt", Type: "flat_dt", Arch: "arm64", Hashes: []string{"sha256"}, Data: payload(2, 40000)},
			},
			Configs: []ConfigSpec{{Name: "c", Kernel: "kernel", FDT: []string{"fdt"}}}}
	}
	for _, c := range []struct {
		name  string
		opts  Options
		limit float64
	}{
		{"embedded", Options{Timestamp: testEpoch}, 1.25},
		{"external", Options{Timestamp: testEpoch, External: true, Align: 0x1000}, 2.25},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := spec()
			var res *Result
			var err error
			n := allocated(func() { res, err = Build(s, c.opts) })
			if err != nil {
				t.Fatal(err)
			}
			if len(res.FIT) < size {
				t.Fatalf("FIT is %d bytes, smaller than the payload", len(res.FIT))
			}
			t.Logf("allocated %.2fx the payload", float64(n)/size)
			if float64(n) > c.limit*size {
				t.Fatalf("Build allocated %d bytes, %.2fx the %d-byte payload; want at most %.2fx", n, float64(n)/size, size, c.limit)
			}
		})
	}
	// Process on a caller's blob it must not modify: one working copy.
	tree, err := spec().Tree()
	if err != nil {
		t.Fatal(err)
	}
	compiled := tree.Bytes()
	n := allocated(func() { _, err = Process(compiled, Options{Timestamp: testEpoch}) })
	if err != nil {
		t.Fatal(err)
	}
	if float64(n) > 1.25*size {
		t.Fatalf("Process allocated %d bytes, %.2fx the payload; want at most 1.25x", n, float64(n)/size)
	}
}

// TestBuildLargeMatchesMkimage: the 16 MiB FIT itself against mkimage, so
// the in-place path is checked at a size where every retry moves megabytes.
func TestBuildLargeMatchesMkimage(t *testing.T) {
	dir := t.TempDir()
	s := &Spec{Description: "big", Default: "c",
		Images: []ImageSpec{
			{Name: "kernel", Type: "kernel", Arch: "arm64", OS: "linux", Load: u64(0x80000), Entry: u64(0x80000),
				Hashes: []string{"sha256", "crc32"}, Data: payload(3, 16<<20)},
		},
		Configs: []ConfigSpec{{Name: "c", Kernel: "kernel"}}}
	writeData(t, dir, s)
	for _, external := range []bool{false, true} {
		var args []string
		if external {
			args = []string{"-E"}
		}
		want := mkimageSpec(t, dir, s, args...)
		got, err := Build(s, Options{Timestamp: testEpoch, External: external})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.FIT, want) {
			t.Fatalf("-E=%v: differs from mkimage at %#x (%d vs %d bytes)", external, firstDiff(got.FIT, want), len(got.FIT), len(want))
		}
		if err := os.Remove(filepath.Join(dir, "ref.itb")); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzSingleAttempt: on any blob, damaged or not, Process and the
// attempt-by-attempt loop give the same FIT or the same error.
func FuzzSingleAttempt(f *testing.F) {
	s := firmwareSpec(3)
	tree, err := s.Tree()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tree.Bytes(), uint8(0))
	f.Add(tree.Bytes(), uint8(3))
	padded, err := tree.Encode(fdt.EncodeOptions{Pad: 100})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(padded, uint8(5))
	f.Fuzz(func(t *testing.T, its []byte, mode uint8) {
		if len(its) > 1<<16 {
			return
		}
		opts := Options{External: mode&1 != 0, Align: int(mode>>1&7) * 4, KeepTimestamp: mode&16 != 0}
		if mode&32 != 0 {
			opts.Position = 0x20000
		}
		compareWithAttempts(t, its, opts)
	})
}
