package layout

import (
	"bytes"
	"io"
	"os"
)

func registerTeeos() {
	entryTypes["tee-os"] = func(n *Node, path string) (Entry, error) {
		return &Blob{filePath: n.Path, external: true, assumeSize: uint64(n.AssumeSize), teeOS: true}, nil
	}
}

// checkTeeOS marks absent what binman's tee-os marks absent outside a
// FIT: an ELF file or an OP-TEE binary with the v1 header ("OPTE" 1),
// which only a FIT can split into segments. As in binman, an absent entry
// leaves the image only if it is also optional; otherwise its data stays.
func (e *Blob) checkTeeOS() error {
	f, err := os.Open(e.filePath)
	if err != nil {
		return e.errorf("%v", err)
	}
	defer f.Close()
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return e.errorf("%v", err)
	}
	head = head[:n]
	if bytes.HasPrefix(head, []byte("\x7fELF")) || (len(head) >= 8 && bytes.HasPrefix(head, []byte("OPTE\x01"))) {
		e.absent = true
	}
	return nil
}
