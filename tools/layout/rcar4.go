package layout

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Rcar4Spec is binman's renesas-rcar4-sa0 (R-Car Gen4 boot parameters):
// a section whose first 0x40000 bytes are replaced by the SA0 header,
// 0xff except two zero words, the payload's load address and its size in
// 32-bit words rounded up to 4 KiB. The payload may be at most 0xec000
// bytes. The spec holds the entry's renesas,loader-address.
type Rcar4Spec struct {
	LoaderAddress Num `json:"loader_address"`
}

const (
	rcar4HeaderSize = 0x40000
	rcar4MaxLoad    = 0xec000
)

func registerRcar4() {
	entryTypes["renesas-rcar4-sa0"] = func(n *Node, path string) (Entry, error) {
		if n.Rcar4 == nil {
			return nil, fmt.Errorf("Node '%s': 'renesas-rcar4-sa0' entry has no loader address", path)
		}
		if n.Rcar4.LoaderAddress > 0xffffffff {
			return nil, fmt.Errorf("Node '%s': loader address %#x does not fit 32 bits", path, uint64(n.Rcar4.LoaderAddress))
		}
		load := uint32(n.Rcar4.LoaderAddress)
		s := &Section{}
		s.gen = func(s *Section, final bool) (content, error) {
			c, err := s.packedContents(final)
			if err != nil {
				return content{}, err
			}
			raw, err := c.render()
			if err != nil {
				return content{}, err
			}
			var payload []byte
			if len(raw) > rcar4HeaderSize {
				payload = raw[rcar4HeaderSize:]
			}
			if len(payload) > rcar4MaxLoad {
				return content{}, s.errorf("SRAM data longer than %d Bytes", rcar4MaxLoad)
			}
			h := bytes.Repeat([]byte{0xff}, rcar4HeaderSize)
			le := binary.LittleEndian
			le.PutUint32(h[0x0000:], 0)
			le.PutUint32(h[0x300c:], 0)
			le.PutUint32(h[0x3154:], load)
			le.PutUint32(h[0x3264:], uint32(alignUp(uint64(len(payload)), 0x1000)/4))
			return bytesContent(append(h, payload...)), nil
		}
		return s, nil
	}
}
