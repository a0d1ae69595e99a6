package layout

import (
	"bytes"
	"io"
	"os"
)

func init() {
	entryTypes["tee-os"] = func(n *Node, path string) (Entry, error) {
		return &Blob{filePath: n.Path, external: true, assumeSize: uint64(n.AssumeSize), teeOS: true}, nil
	}
}

// checkTeeOS refuses what binman's tee-os drops from the image (marks
// absent) outside a FIT: an ELF file or an OP-TEE binary with the v1
// header ("OPTE" 1). A plain OP-TEE binary is an ordinary external blob.
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
	var what string
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		what = "uses Elf format which must be in a FIT"
	case len(head) >= 8 && bytes.HasPrefix(head, []byte("OPTE\x01")):
		what = "uses v1 format which must be in a FIT"
	default:
		return nil
	}
	return e.errorf("'%s' %s; binman drops the entry then, which fwtool does not support", e.filePath, what)
}
