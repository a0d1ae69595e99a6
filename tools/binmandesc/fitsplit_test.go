package binmandesc

import (
	"encoding/binary"
	"testing"
)

// FuzzSplitSegments: the OP-TEE v1 header and ELF readers behind
// split-elf never panic, and a segment they return lies inside the input.
func FuzzSplitSegments(f *testing.F) {
	hdr := []byte("OPTE\x01\x01\x00\x00")
	for _, v := range []uint32{4, 0, 0x1000, 4, 0} {
		hdr = binary.LittleEndian.AppendUint32(hdr, v)
	}
	f.Add(append(hdr, "BODY"...))
	f.Add([]byte("\x7fELF\x02\x01\x01"))
	f.Add([]byte("OPTE\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var segs []segment
		var err error
		if opteeV1(data) {
			segs, _, err = opteeSegments(data)
		} else {
			segs, _, err = elfSegments(data)
		}
		if err != nil {
			return
		}
		for _, s := range segs {
			if len(s.data) > len(data) {
				t.Fatalf("segment %d: %d bytes from a %d-byte file", s.index, len(s.data), len(data))
			}
		}
	})
}

func TestOpteeSegments(t *testing.T) {
	hdr := []byte("OPTE\x01\x01\x00\x00")
	for _, v := range []uint32{4, 0x1, 0x0e100000, 4, 0} {
		hdr = binary.LittleEndian.AppendUint32(hdr, v)
	}
	segs, entry, err := opteeSegments(append(hdr, "BODY"...))
	if err != nil || len(segs) != 1 || entry != 0x10e100000 || segs[0].addr != entry || string(segs[0].data) != "BODY" {
		t.Fatalf("got %v %#x %v", segs, entry, err)
	}
	if _, _, err := opteeSegments(hdr[:20]); err == nil {
		t.Error("short header accepted")
	}
}
