package layout

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rules-firmware/rules_firmware/tools/bigbuf"
)

// Blob is an entry whose contents come from a file. Uncompressed blobs are
// never read into memory while packing: only their size is needed, and the
// writer copies them straight from the input file.
type Blob struct {
	leaf
	filePath   string
	external   bool
	assumeSize uint64
	// grew: ReplaceData made the contents larger; pack again.
	grew bool
	// teeOS: binman's tee-os, whose ELF or OP-TEE v1 files go in a FIT only.
	teeOS bool
}

func (e *Blob) obtain() error {
	if sd := e.node.stored; sd != nil {
		e.uncompSize, e.compressed = sd.uncompSize, true
		e.setContents(bytesContent(sd.raw))
		return nil
	}
	st, err := os.Stat(e.filePath)
	if err == nil && !st.IsDir() && !st.Mode().IsRegular() {
		// A FIFO would block open(2) and /dev/zero never end: blobs are
		// read by their size, which only a regular file has.
		return e.errorf("'%s' is not a regular file (%s); a blob must be one", e.filePath, st.Mode().Type())
	}
	if err != nil || st.IsDir() {
		if !e.external || !(e.optional || e.image.allowMissing) {
			if e.filePath == "" {
				return e.errorf("Missing 'path' for blob entry")
			}
			return e.errorf("Cannot find file '%s' (blob entry '%s' expects it)", e.filePath, e.name)
		}
		e.missing = true
		if e.optional {
			e.absent = true
		}
		e.setContents(sourceContent(fill{0, e.assumeSize}))
		return nil
	}
	if e.teeOS {
		if err := e.checkTeeOS(); err != nil {
			return err
		}
	}
	if e.node.Prepend != "" {
		return e.obtainPrepended()
	}
	region := fileRegion{path: e.filePath, n: uint64(st.Size())}
	if e.compress == "none" {
		e.setContents(sourceContent(region))
		return nil
	}
	if comp, handled, err := compressRegion(e.compress, region); handled {
		if err != nil {
			return e.errorf("%v", err)
		}
		e.uncompSize, e.compressed = region.n, true
		e.setContents(bytesContent(comp))
		return nil
	}
	// Mapped, not read: the compressor reads the page cache directly (no
	// copy, no fresh pages), and nothing keeps the raw bytes afterwards.
	raw, release, err := bigbuf.Map(e.filePath)
	if err != nil {
		return e.errorf("%v", err)
	}
	comp, err := compressBytes(e.compress, raw)
	n := len(raw)
	release()
	if err != nil {
		return e.errorf("cannot compress with %s: %v", e.compress, err)
	}
	e.uncompSize, e.compressed = uint64(n), true
	e.setContents(bytesContent(comp))
	return nil
}

// MissingMessage is the line printed for a missing external blob.
func (e *Blob) MissingMessage() string {
	msg := e.missingMsg
	if msg == "" {
		msg = fmt.Sprintf("file '%s' not found", filepath.Base(e.filePath))
	}
	return fmt.Sprintf("%s (%s): %s", e.path, e.filePath, msg)
}

// Fill is a run of one byte of the given size.
type Fill struct {
	leaf
	value byte
}

func (e *Fill) obtain() error {
	e.setContents(sourceContent(fill{e.value, e.size}))
	return nil
}

// Text is a fixed string (no terminating NUL), padded to any given size.
type Text struct {
	leaf
	text string
}

func (e *Text) obtain() error {
	if e.text == "" {
		return e.errorf("No value provided for text label 'None'")
	}
	e.setContents(bytesContent([]byte(e.text)))
	return nil
}
