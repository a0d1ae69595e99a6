package fdt

import (
	"bytes"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestEncodeCopiesLargeValueOnce: a tree holding an 8 MiB property encodes
// with one allocation of the blob (it used to build the structure block by
// appending, then copy it into the output: three or more copies), and
// Spare adds capacity without changing a byte.
func TestEncodeCopiesLargeValueOnce(t *testing.T) {
	const size = 8 << 20
	big := bytes.Repeat([]byte{0xa5, 0x5a, 0x01}, size/3+1)[:size]
	tree := NewTree()
	tree.Root.SetProp("description", String("large"))
	img := tree.Root.AddChild("images").AddChild("kernel")
	img.SetProp("data", big)
	img.SetProp("type", String("kernel"))
	img.AddChild("hash-1").SetProp("algo", String("sha256"))
	tree.Reserve = []Reservation{{Address: 0x1000, Size: 0x2000}}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	plain, err := tree.Encode(EncodeOptions{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; float64(n) > 1.1*size {
		t.Fatalf("Encode allocated %d bytes for an %d-byte value; want one copy (at most 1.1x)", n, size)
	}
	spare, err := tree.Encode(EncodeOptions{Spare: 65536})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain, spare) || cap(spare) < len(spare)+65536 {
		t.Fatalf("Spare changed the blob or gave no capacity (len %d cap %d)", len(spare), cap(spare))
	}
	back, err := Parse(plain)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Lookup("/images/kernel").Prop("data"); got == nil || !bytes.Equal(got.Value, big) {
		t.Fatal("the large value does not parse back")
	}
	if !bytes.Equal(back.Bytes(), plain) || len(back.Reserve) != 1 || back.Reserve[0] != tree.Reserve[0] {
		t.Fatal("re-encoding the parsed tree differs")
	}
}

// TestStringTableReuse checks the indexed table against dtc's rule (the
// first offset holding name + NUL) on names that share tails.
func TestStringTableReuse(t *testing.T) {
	long := strings.Repeat("x", 100)
	names := []string{"compatible", "ible", "le", "compatible", "reg", "g", "", "status", "us",
		long + "tail", "tail", long[:70] + "tail", "xtail", long + "tail", "a" + long, long}
	st := &StringTable{}
	var want []byte
	for _, n := range names {
		needle := append([]byte(n), 0)
		wantOff := bytes.Index(want, needle)
		if wantOff < 0 {
			wantOff = len(want)
			want = append(want, needle...)
		}
		if got := st.Add(n); int(got) != wantOff {
			t.Errorf("Add(%.20q) = %d, want %d", n, got, wantOff)
		}
	}
	if !bytes.Equal(st.Bytes(), want) {
		t.Errorf("table differs")
	}
}

// Size options whose sum passes 4 GiB (or, on 32-bit machines, an int)
// are refused before anything is allocated: the sums are int64, so a
// 32-bit int cannot wrap them into a small blob.
func TestEncodeSizeSumsDoNotWrap(t *testing.T) {
	tree := &Tree{Root: &Node{}}
	cases := []EncodeOptions{{Pad: math.MaxInt}}
	if strconv.IntSize == 64 {
		one := uint(1) // a variable: the shift overflows a 32-bit int constant
		cases = append(cases, EncodeOptions{Pad: int(one<<31 - 1), Align: int(one << 31)}, EncodeOptions{Pad: int(one<<32 - 1)})
	}
	for _, o := range cases {
		if b, err := tree.Encode(o); err == nil || !strings.Contains(err.Error(), "can hold") {
			t.Errorf("Encode(%+v) = %d bytes, %v; want a size error", o, len(b), err)
		}
	}
}
