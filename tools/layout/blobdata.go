package layout

import (
	"encoding/binary"
	"os"
)

// prependLength is binman's blob_dtb "prepend = "length"": the data
// (compressed if the entry is) follows its length, 32-bit little-endian.
func prependLength(data []byte) []byte {
	out := make([]byte, 4, 4+len(data))
	binary.LittleEndian.PutUint32(out, uint32(len(data)))
	return append(out, data...)
}

// obtainPrepended reads a blob with a "prepend" header into memory (a
// device tree: small), compressed first when asked.
func (e *Blob) obtainPrepended() error {
	raw, err := os.ReadFile(e.filePath)
	if err != nil {
		return e.errorf("Cannot find file '%s' (blob entry '%s' expects it)", e.filePath, e.name)
	}
	data, err := e.encodeData(raw)
	if err != nil {
		return err
	}
	e.setContents(bytesContent(data))
	return nil
}

// encodeData is binman's CompressData for a blob: compressed when the
// entry asks, then the prepend header.
func (e *Blob) encodeData(raw []byte) ([]byte, error) {
	data := raw
	if e.compress != "none" {
		comp, err := compressBytes(e.compress, raw)
		if err != nil {
			return nil, e.errorf("cannot compress with %s: %v", e.compress, err)
		}
		e.uncompSize, e.compressed = uint64(len(raw)), true
		data = comp
	}
	if e.node.Prepend == "length" {
		data = prependLength(data)
	}
	return data, nil
}

// ReplaceData gives the blob new raw (uncompressed) data after packing,
// as binman's ProcessContents does for a device tree that now records
// positions: compressed and prefixed again when the entry asks, so its
// size may change and the image be packed again. Uncompressed data of the
// same size is patched in place.
func (e *Blob) ReplaceData(raw []byte) error {
	if e.compress == "none" && e.node.Prepend == "" {
		return e.SetPatch(0, raw)
	}
	data, err := e.encodeData(raw)
	if err != nil {
		return err
	}
	if !e.updateContents(bytesContent(data)) {
		e.grew = true
	}
	return nil
}

func (e *Blob) process() (bool, error) {
	ok := !e.grew
	e.grew = false
	return ok, nil
}
