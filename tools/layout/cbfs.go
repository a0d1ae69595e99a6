package layout

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// CbfsSpec is binman's cbfs entry: coreboot's CBFS holding the entry's
// children as files, written as binman's cbfs_util does (master header at
// the end for x86, at the start otherwise; files aligned to 64 bytes;
// gaps before a placed file or the header filled by empty files).
type CbfsSpec struct {
	// Arch is the CBFS architecture word (x86 = 1, ppc64 = 0x407570ff, ...).
	Arch Num `json:"arch"`
	// Files describe the children, in their order.
	Files []CbfsFileSpec `json:"files"`
}

// CbfsFileSpec is one child's CBFS file.
type CbfsFileSpec struct {
	Name string `json:"name"`
	// Compress is none, lz4 or lzma (cbfs-compress).
	Compress string `json:"compress,omitempty"`
	// Offset places the file's data at this offset in the CBFS (cbfs-offset).
	Offset *Num `json:"offset,omitempty"`
}

// CBFS constants (coreboot's cbfs_serialized.h).
const (
	cbfsHeaderMagic   = 0x4f524243
	cbfsVersion2      = 0x31313132
	cbfsHeaderLen     = 0x20
	cbfsFileHeaderLen = 0x18
	cbfsAlign         = 0x40
	cbfsTypeRaw       = 0x50
	cbfsTypeEmpty     = 0xffffffff
	cbfsTagCompress   = 0x42435a4c
	cbfsArchX86       = 1
	cbfsEraseByte     = 0xff
)

// cbfsCompressID is CBFS's number for a compression name.
func cbfsCompressID(name string) (uint32, bool) {
	switch name {
	case "none":
		return 0, true
	case "lzma":
		return 1, true
	case "lz4":
		return 2, true
	}
	return 0, false
}

func registerCbfs() { entryTypes["cbfs"] = newCbfs }

func newCbfs(n *Node, path string) (Entry, error) {
	if n.Cbfs == nil || len(n.Cbfs.Files) != len(n.Entries) {
		return nil, fmt.Errorf("Node '%s': 'cbfs' entry needs one file per subnode", path)
	}
	if n.Size == nil {
		return nil, fmt.Errorf("Node '%s': 'cbfs' entry must have a size property", path)
	}
	spec := *n.Cbfs
	for i, f := range spec.Files {
		if _, ok := cbfsCompressID(f.Compress); !ok && f.Compress != "" {
			return nil, fmt.Errorf("Node '%s': Invalid compression in '%s': '%s'", path, n.Entries[i].Name, f.Compress)
		}
	}
	s := &Section{mapHidesChildren: true}
	s.gen = func(s *Section, final bool) (content, error) { return buildCbfs(s, spec, final) }
	return s, nil
}

// cbfsWriter is binman's CbfsWriter state: the output so far.
type cbfsWriter struct {
	buf  bytes.Buffer
	size uint64
}

func (w *cbfsWriter) tell() uint64 { return uint64(w.buf.Len()) }

func (w *cbfsWriter) skipTo(off uint64, pad byte) error {
	if w.tell() > off {
		return fmt.Errorf("No space for data before offset %#x (current offset %#x)", off, w.tell())
	}
	w.buf.Write(bytes.Repeat([]byte{pad}, int(off-w.tell())))
	return nil
}

// alignTo aligns unless that reaches the end, which keeps the last four
// bytes for the master-header pointer.
func (w *cbfsWriter) alignTo(pad byte) {
	if off := alignUp(w.tell(), cbfsAlign); off < w.size {
		w.skipTo(off, pad)
	}
}

// padTo fills up to off with an empty file as large as alignment allows,
// then pad bytes.
func (w *cbfsWriter) padTo(off uint64) error {
	w.alignTo(cbfsEraseByte)
	if w.tell() > off {
		return fmt.Errorf("No space for data before pad offset %#x (current offset %#x)", off, w.tell())
	}
	if todo := (off - w.tell()) / cbfsAlign * cbfsAlign; todo > 0 {
		w.buf.Write(cbfsFile(cbfsTypeEmpty, "", nil, bytes.Repeat([]byte{cbfsEraseByte}, int(todo-cbfsFileHeaderLen-4)), 0))
	}
	return w.skipTo(off, cbfsEraseByte)
}

// cbfsName is the NUL-terminated name padded to 4 bytes.
func cbfsName(name string) []byte {
	return append([]byte(name), make([]byte, alignUp(uint64(len(name))+1, 4)-uint64(len(name)))...)
}

// cbfsFile is a file header, name, pad (before the attribute, as binman
// writes it), attribute and data.
func cbfsFile(ftype uint32, name string, attr, data []byte, pad int) []byte {
	nm := cbfsName(name)
	hdrLen := cbfsFileHeaderLen + len(nm) + pad
	attrPos := 0
	if len(attr) > 0 {
		attrPos = hdrLen
		hdrLen += len(attr)
	}
	be := binary.BigEndian
	out := append([]byte("LARCHIVE"), make([]byte, 16)...)
	be.PutUint32(out[8:], uint32(len(data)))
	be.PutUint32(out[12:], ftype)
	be.PutUint32(out[16:], uint32(attrPos))
	be.PutUint32(out[20:], uint32(hdrLen))
	out = append(out, nm...)
	out = append(out, make([]byte, pad)...)
	out = append(out, attr...)
	return append(out, data...)
}

func (w *cbfsWriter) header(arch uint32, contentsOff uint64) {
	be := binary.BigEndian
	for _, v := range []uint32{cbfsHeaderMagic, cbfsVersion2, uint32(w.size), 0, cbfsAlign, uint32(contentsOff), arch, 0xffffffff} {
		w.buf.Write(be.AppendUint32(nil, v))
	}
}

func buildCbfs(s *Section, spec CbfsSpec, final bool) (content, error) {
	w := &cbfsWriter{size: s.size}
	if s.node.Size != nil {
		w.size = uint64(*s.node.Size)
	}
	arch := uint32(spec.Arch)
	atEnd := arch == cbfsArchX86
	if w.size < cbfsHeaderLen+4 {
		// Python prints the negative header offset binman computes.
		return content{}, fmt.Errorf("No space for header at offset -%#x (current offset 0x0)", cbfsHeaderLen+4-w.size)
	}
	hdrOff, contentsOff := w.size-4-cbfsHeaderLen, uint64(0)
	if !atEnd {
		hdrOff, contentsOff = 0, alignUp(cbfsFileHeaderLen, cbfsAlign)
		w.padTo(0)
		w.header(arch, contentsOff)
	}
	if err := w.skipTo(contentsOff, cbfsEraseByte); err != nil {
		return content{}, err
	}
	for i, e := range s.entries {
		b, f := e.b(), spec.Files[i]
		data := b.contents
		if sec, ok := e.(*Section); ok && final {
			var err error
			if data, err = sec.buildContents(true); err != nil {
				return content{}, err
			}
		}
		raw, err := data.render()
		if err != nil {
			return content{}, err
		}
		var attr []byte
		memLen := uint64(len(raw))
		if f.Compress != "" && f.Compress != "none" {
			if raw, err = compressBytes(f.Compress, raw); err != nil {
				return content{}, b.errorf("cannot compress with %s: %v", f.Compress, err)
			}
			attr = binary.BigEndian.AppendUint32(nil, cbfsTagCompress)
			attr = binary.BigEndian.AppendUint32(attr, 0x10)
			id, _ := cbfsCompressID(f.Compress)
			attr = binary.BigEndian.AppendUint32(attr, id)
			attr = binary.BigEndian.AppendUint32(attr, uint32(memLen))
		}
		hdrLen := uint64(cbfsFileHeaderLen + len(cbfsName(f.Name)) + len(attr))
		pad := 0
		if f.Offset != nil {
			want := uint64(*f.Offset)
			if want < hdrLen {
				return content{}, b.errorf("cbfs-offset %#x leaves no room for the file header", want)
			}
			if err := w.padTo((want - hdrLen) / cbfsAlign * cbfsAlign); err != nil {
				return content{}, err
			}
			if w.tell()+hdrLen > want {
				return content{}, fmt.Errorf("Internal error: CBFS file '%s': Requested offset %#x but current output position is %#x", f.Name, want, w.tell())
			}
			pad = int(want - w.tell() - hdrLen)
		}
		pos := w.tell()
		w.buf.Write(cbfsFile(cbfsTypeRaw, f.Name, attr, raw, pad))
		w.alignTo(cbfsEraseByte)
		b.offset, b.offsetSet, b.size = pos+hdrLen+uint64(pad), true, uint64(len(raw))
		if len(attr) > 0 {
			b.uncompSize = memLen
		}
	}
	if atEnd {
		if w.tell() > hdrOff {
			return content{}, fmt.Errorf("No space for header at offset %#x (current offset %#x)", hdrOff, w.tell())
		}
		if err := w.padTo(hdrOff); err != nil {
			return content{}, err
		}
		w.header(arch, contentsOff)
	}
	if err := w.padTo(w.size - 4); err != nil {
		return content{}, err
	}
	w.buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(hdrOff-w.size)))
	var out content
	out.addSource(0, literal(w.buf.Bytes()))
	return out, nil
}
