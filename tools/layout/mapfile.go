package layout

import (
	"fmt"
	"io"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// Map returns binman's .map file text: a header, then one line per entry
// with image position, offset and size in 8-digit hex ("<none>" where a
// compressed section hides positions), nested by one space per level.
func (img *Image) Map() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%8s  %8s  %8s  %s\n", "ImagePos", "Offset", "Size", "Name")
	img.writeMap(&sb, &img.Section, 0)
	return sb.String()
}

func mapField(v uint64, ok bool) string {
	if !ok {
		return "<none>  "
	}
	return fmt.Sprintf("%08x", v)
}

func (img *Image) writeMap(w io.Writer, e Entry, indent int) {
	b := e.b()
	fmt.Fprintf(w, "%s  %s%s  %s  %s\n", mapField(b.imagePos, b.hasPos), strings.Repeat(" ", indent),
		mapField(b.offset, true), mapField(b.size, true), b.name)
	if s, ok := e.(*Section); ok && !s.mapHidesChildren {
		for _, c := range s.entries {
			if cb := c.b(); cb.absent && cb.optional {
				continue
			}
			img.writeMap(w, c, indent+1)
		}
	}
}

// WriteMap writes the .map file atomically.
func (img *Image) WriteMap(path string) error {
	return outfile.WriteBytes(path, []byte(img.Map()))
}
