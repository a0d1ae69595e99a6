package uimage

import (
	"fmt"
	"io"
	"time"
)

// WriteListing prints h the way `mkimage -l` does. data is the payload
// (needed for the Contents table of multi-file and script images; may be
// nil otherwise). Times are shown in UTC, so the listing does not depend
// on the machine; mkimage uses the local zone (equal under TZ=UTC).
//
// One deliberate difference: for script images mkimage prints, for every
// file after the first, an "Offset" that is an address in its own process
// memory; we print the file's offset within the image file instead.
func WriteListing(w io.Writer, h Header, data []byte) error {
	var err error
	p := func(format string, a ...interface{}) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, a...)
		}
	}
	p("Image Name:   %s\n", h.Name)
	p("Created:      %s\n", time.Unix(int64(h.Time), 0).UTC().Format("Mon Jan _2 15:04:05 2006"))
	p("Image Type:   %s\n", TypeDescription(h))
	p("Data Size:    %s\n", SizeString(h.DataSize))
	p("Load Address: %08x\n", h.Load)
	p("Entry Point:  %08x\n", h.Entry)
	if HasSizeTable(h.Type) {
		sizes, tableLen, terr := MultiSizes(data)
		if terr != nil {
			return terr
		}
		p("Contents:\n")
		off := uint64(HeaderSize + tableLen)
		for i, s := range sizes {
			p("   Image %d: %s\n", i, SizeString(s))
			if h.Type == TypeScript && i > 0 {
				p("    Offset = 0x%08x\n", off)
			}
			off = (off + uint64(s) + 3) &^ 3
		}
	}
	return err
}

// TypeDescription is the "Image Type" line mkimage prints, e.g.
// "ARM Linux Kernel Image (uncompressed)".
func TypeDescription(h Header) string {
	return fmt.Sprintf("%s %s %s (%s)", Arch.LongName(h.Arch), OS.LongName(h.OS), Type.LongName(h.Type), Comp.LongName(h.Comp))
}

// SizeString formats a byte count as mkimage does:
// "5 Bytes = 0.00 KiB = 0.00 MiB".
func SizeString(size uint32) string {
	// mkimage prints the size with %d, i.e. as a signed int.
	return fmt.Sprintf("%d Bytes = %.2f KiB = %.2f MiB", int32(size), float64(size)/1024, float64(size)/(1024*1024))
}
