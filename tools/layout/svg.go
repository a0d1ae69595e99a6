package layout

import (
	"fmt"
	"html"
	"sort"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// SVG geometry: the image is a column scaled to barHeight pixels; each
// nesting level is a column further right; labels sit in a column on the
// right, joined to their box by a leader line, pushed down just enough not
// to overlap (small entries stay to scale but remain readable).
const (
	svgBarHeight  = 800.0
	svgTop        = 30.0
	svgLevelWidth = 28.0
	svgBoxWidth   = 140.0
	svgLabelGap   = 40.0
	svgLineHeight = 14.0
	svgIndent     = 12.0 // label indent per nesting level
)

type svgBox struct {
	depth      int
	start, end uint64 // image positions
	name       string
	offset     uint64
	size       uint64
	gap        bool // padding or a gap between entries
	fill       string
}

var svgPalette = []string{"#8ecae6", "#ffb703", "#90be6d", "#f4a261", "#cdb4db", "#a8dadc", "#e9c46a", "#b5e48c"}

// SVG returns a picture of the layout: every entry a box to scale with its
// name, offset and size; padding and gaps are hatched.
func (img *Image) SVG() string {
	var boxes []svgBox
	maxDepth := 0
	n := 0
	var walk func(e Entry, depth int, visible bool)
	walk = func(e Entry, depth int, visible bool) {
		b := e.b()
		if b.absent && b.optional {
			return
		}
		if depth > maxDepth {
			maxDepth = depth
		}
		if visible && b.hasPos {
			boxes = append(boxes, svgBox{depth: depth, start: b.imagePos, end: b.imagePos + b.size, name: b.name,
				offset: b.offset, size: b.size, fill: svgPalette[n%len(svgPalette)]})
			n++
		}
		s, ok := e.(*Section)
		if !ok {
			return
		}
		childVisible := visible && !s.compressed
		cursor := b.imagePos
		for _, c := range s.entries {
			cb := c.b()
			if cb.absent && cb.optional {
				continue
			}
			if childVisible && cb.hasPos && cb.imagePos > cursor {
				boxes = append(boxes, svgBox{depth: depth + 1, start: cursor, end: cb.imagePos, name: "(gap)",
					offset: cursor - b.imagePos + s.skipAtStart, size: cb.imagePos - cursor, gap: true})
			}
			walk(c, depth+1, childVisible)
			if cb.hasPos && cb.imagePos+cb.size > cursor {
				cursor = cb.imagePos + cb.size
			}
		}
		if childVisible && len(s.entries) > 0 && cursor < b.imagePos+b.size {
			boxes = append(boxes, svgBox{depth: depth + 1, start: cursor, end: b.imagePos + b.size, name: "(padding)",
				offset: cursor - b.imagePos + s.skipAtStart, size: b.imagePos + b.size - cursor, gap: true})
		}
	}
	walk(&img.Section, 0, true)

	total := float64(img.size)
	if total == 0 {
		total = 1
	}
	base := img.imagePos
	y := func(pos uint64) float64 { return svgTop + float64(pos-base)/total*svgBarHeight }
	labelX := svgBoxWidth + float64(maxDepth)*svgLevelWidth + svgLabelGap
	width := labelX + 420

	// Labels in image order, each below the previous one.
	order := make([]int, len(boxes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		if boxes[order[a]].start != boxes[order[b]].start {
			return boxes[order[a]].start < boxes[order[b]].start
		}
		return boxes[order[a]].depth < boxes[order[b]].depth
	})
	labelY := make([]float64, len(boxes))
	next := svgTop
	for _, i := range order {
		// Label at the top of the box (its middle if small), so a big
		// section's label does not push its children's labels away.
		top, h := y(boxes[i].start), y(boxes[i].end)-y(boxes[i].start)
		if h > svgLineHeight {
			h = svgLineHeight
		}
		want := top + h/2
		if want < next {
			want = next
		}
		labelY[i] = want
		next = want + svgLineHeight
	}
	height := next + svgTop
	if height < svgTop*2+svgBarHeight {
		height = svgTop*2 + svgBarHeight
	}

	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="monospace" font-size="11">`+"\n", width, height)
	sb.WriteString(`<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4f4f4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#bbb" stroke-width="2"/></pattern></defs>` + "\n")
	fmt.Fprintf(&sb, `<text x="4" y="16" font-size="13">%s: %s bytes</text>`+"\n", html.EscapeString(img.filename), hexDec(img.size))
	for i, bx := range boxes {
		x := float64(bx.depth) * svgLevelWidth
		w := svgBoxWidth + float64(maxDepth-bx.depth)*svgLevelWidth
		top, bottom := y(bx.start), y(bx.end)
		fill := bx.fill
		if bx.gap {
			fill = "url(#hatch)"
		}
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.2f" width="%.1f" height="%.2f" fill="%s" stroke="#333" stroke-width="0.5"><title>%s</title></rect>`+"\n",
			x, top, w, bottom-top, fill, html.EscapeString(bx.name))
		anchor := top + (bottom-top)/2
		if bottom-top > svgLineHeight {
			anchor = top + svgLineHeight/2
		}
		fmt.Fprintf(&sb, `<polyline points="%.1f,%.2f %.1f,%.2f %.1f,%.2f" fill="none" stroke="#999" stroke-width="0.5"/>`+"\n",
			x+w, anchor, labelX-8, labelY[i], labelX-2+float64(bx.depth)*svgIndent, labelY[i])
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.2f" dominant-baseline="middle" xml:space="preserve">%s  offset %s  size %s</text>`+"\n",
			labelX+float64(bx.depth)*svgIndent, labelY[i], html.EscapeString(bx.name), hexDec(bx.offset), hexDec(bx.size))
	}
	sb.WriteString("</svg>\n")
	return sb.String()
}

func hexDec(v uint64) string { return fmt.Sprintf("%#x (%d)", v, v) }

// WriteSVG writes the picture atomically.
func (img *Image) WriteSVG(path string) error {
	return outfile.WriteBytes(path, []byte(img.SVG()))
}
