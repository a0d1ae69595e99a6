package layout

import "encoding/binary"

// binman's intel-fit and intel-fit-ptr: the (empty) Intel Firmware
// Interface Table recent Intel CPUs look for, and the pointer to it at
// 0xffffffc0 of a 4 GiB-ending ROM.
func registerIntelfit() {
	entryTypes["intel-fit"] = func(n *Node, path string) (Entry, error) { return &IntelFit{}, nil }
	entryTypes["intel-fit-ptr"] = func(n *Node, path string) (Entry, error) { return &IntelFitPtr{}, nil }
}

// IntelFit is the table's header entry alone: "_FIT_   ", one entry,
// version 1.0, type 0 with the checksum-valid bit, checksum 0x7d.
type IntelFit struct{ leaf }

func (e *IntelFit) obtain() error {
	h := make([]byte, 16)
	copy(h, "_FIT_   ")
	binary.LittleEndian.PutUint32(h[8:], 1)
	binary.LittleEndian.PutUint16(h[12:], 0x100)
	h[14], h[15] = 0x80, 0x7d
	e.setContents(bytesContent(h))
	return nil
}

// IntelFitPtr holds the image position of its intel-fit sibling (0 until
// packed) and a zero word; it packs at 0xffffffc0 unless given an offset.
type IntelFitPtr struct{ leaf }

func (e *IntelFitPtr) data() []byte {
	out := make([]byte, 8)
	if fit := e.parent.sibling("intel-fit"); fit != nil {
		if pos, ok := fit.ImagePos(); ok {
			binary.LittleEndian.PutUint32(out, uint32(pos))
		}
	}
	return out
}

func (e *IntelFitPtr) obtain() error {
	if e.parent.sibling("intel-fit") == nil {
		return e.errorf("'intel-fit-ptr' section must have an 'intel-fit' sibling")
	}
	e.setContents(bytesContent(e.data()))
	return nil
}

func (e *IntelFitPtr) pack(offset uint64) (uint64, error) { return e.packLeaf(0xffffffc0) }

func (e *IntelFitPtr) process() (bool, error) {
	return e.updateContents(bytesContent(e.data())), nil
}
