package layout

import "encoding/binary"

// binman's nxp-header-ddrfw (i.MX95 DDR PHY firmware): a section whose
// data is each child's size (32-bit little-endian) in order, then the
// children's data; the children keep the offsets a plain section gives
// them.
func registerNxpddrfw() {
	entryTypes["nxp-header-ddrfw"] = func(n *Node, path string) (Entry, error) {
		s := &Section{}
		s.gen = func(s *Section, final bool) (content, error) {
			var header, data []byte
			for _, e := range s.entries {
				one, err := childrenData(&Section{entries: []Entry{e}}, final)
				if err != nil {
					return content{}, err
				}
				header = binary.LittleEndian.AppendUint32(header, uint32(len(one)))
				data = append(data, one...)
			}
			return bytesContent(append(header, data...)), nil
		}
		return s, nil
	}
}
