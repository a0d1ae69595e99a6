package layout

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/bigbuf"
)

// A source is a run of bytes that is not necessarily in memory: a literal,
// a repeated byte, or a region of an input file. Big blobs stay sources
// until the image is written, so they are copied once, never loaded whole.
type source interface {
	len() uint64
	// writeTo copies the bytes to w in order.
	writeTo(w io.Writer) error
}

type literal []byte

func (l literal) len() uint64 { return uint64(len(l)) }
func (l literal) writeTo(w io.Writer) error {
	_, err := w.Write(l)
	return err
}

type fill struct {
	value byte
	n     uint64
}

func (f fill) len() uint64 { return f.n }
func (f fill) writeTo(w io.Writer) error {
	chunk := bytes.Repeat([]byte{f.value}, int(minU64(f.n, 64<<10)))
	for left := f.n; left > 0; {
		n := minU64(left, uint64(len(chunk)))
		if _, err := w.Write(chunk[:n]); err != nil {
			return err
		}
		left -= n
	}
	return nil
}

// fileRegion is n bytes of a file starting at off.
type fileRegion struct {
	path   string
	off, n uint64
}

func (r fileRegion) len() uint64 { return r.n }
func (r fileRegion) writeTo(w io.Writer) error {
	f, err := os.Open(r.path)
	if err != nil {
		return err
	}
	defer f.Close()
	got, err := io.Copy(w, io.NewSectionReader(f, int64(r.off), int64(r.n)))
	if err != nil {
		return fmt.Errorf("reading %s: %v", r.path, err)
	}
	if uint64(got) != r.n {
		return fmt.Errorf("%s: file shrank while building (read %d of %d bytes)", r.path, got, r.n)
	}
	return nil
}

// readInto fills dst (len r.n) with the region's bytes.
func (r fileRegion) readInto(dst []byte) error {
	f, err := os.Open(r.path)
	if err != nil {
		return err
	}
	defer f.Close()
	got, err := f.ReadAt(dst, int64(r.off))
	if err == io.EOF || (err == nil && uint64(got) != r.n) {
		return fmt.Errorf("%s: file shrank while building (read %d of %d bytes)", r.path, got, r.n)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %v", r.path, err)
	}
	return nil
}

// snapshot copies the piece list and literal bytes, so later changes to a
// literal's buffer cannot make samePieces match stale data.
func (c content) snapshot() content {
	out := content{pieces: make([]piece, len(c.pieces)), size: c.size}
	for i, p := range c.pieces {
		if l, ok := p.src.(literal); ok {
			p.src = literal(append([]byte(nil), l...))
		}
		out.pieces[i] = p
	}
	return out
}

// samePieces reports whether a and b are made of the same sources at the
// same places, so render would give the same bytes (input files do not
// change during a build) without reading anything.
func samePieces(a, b content) bool {
	if a.size != b.size || len(a.pieces) != len(b.pieces) {
		return false
	}
	for i, pa := range a.pieces {
		pb := b.pieces[i]
		if pa.at != pb.at {
			return false
		}
		switch sa := pa.src.(type) {
		case literal:
			sb, ok := pb.src.(literal)
			if !ok || !bytes.Equal(sa, sb) {
				return false
			}
		case fill:
			if sb, ok := pb.src.(fill); !ok || sa != sb {
				return false
			}
		case fileRegion:
			if sb, ok := pb.src.(fileRegion); !ok || sa != sb {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func minU64(a, b uint64) uint64 {
	if a < b {
		return a
	}
	return b
}

// piece places a source at an offset inside some content.
type piece struct {
	at  uint64
	src source
}

// content is an entry's data as pieces laid out over [0, size). Pieces are
// in write order: a later piece wins where pieces overlap (binman's
// "overlap" entries); parts covered by no piece are zero.
type content struct {
	pieces []piece
	size   uint64
}

func bytesContent(b []byte) content {
	if len(b) == 0 {
		return content{}
	}
	return content{pieces: []piece{{0, literal(b)}}, size: uint64(len(b))}
}

func sourceContent(s source) content {
	if s.len() == 0 {
		return content{}
	}
	return content{pieces: []piece{{0, s}}, size: s.len()}
}

// add places c at the given offset, growing the content as needed.
func (c *content) add(at uint64, o content) {
	for _, p := range o.pieces {
		c.pieces = append(c.pieces, piece{at + p.at, p.src})
	}
	if end := at + o.size; end > c.size {
		c.size = end
	}
}

func (c *content) addSource(at uint64, s source) {
	if s.len() == 0 {
		return
	}
	c.pieces = append(c.pieces, piece{at, s})
	if end := at + s.len(); end > c.size {
		c.size = end
	}
}

// padTo extends the content with zeros to n bytes.
func (c content) padTo(n uint64) content {
	if n > c.size {
		c.addSource(c.size, fill{0, n - c.size})
	}
	return c
}

// sequential reports whether pieces tile [0,size) in order with no
// overlap, so the content can be streamed without a buffer.
func (c content) sequential() bool {
	var at uint64
	for _, p := range c.pieces {
		if p.at != at {
			return false
		}
		at += p.src.len()
	}
	return at == c.size
}

// writeTo streams the content; overlapping or gappy contents are rendered
// in memory first.
func (c content) writeTo(w io.Writer) error {
	if !c.sequential() {
		b, err := c.render()
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	for _, p := range c.pieces {
		if err := p.src.writeTo(w); err != nil {
			return err
		}
	}
	return nil
}

// render returns the content's bytes. Only used for contents that must be
// transformed (compressed, hashed with overlaps) or are small.
func (c content) render() ([]byte, error) {
	// One large file (a section holding one blob, the usual compressed
	// section): its page-cache pages, copy-on-write, instead of a copy.
	if len(c.pieces) == 1 && c.pieces[0].at == 0 {
		if r, ok := c.pieces[0].src.(fileRegion); ok && r.n == c.size {
			if b, ok, err := bigbuf.MapRegion(r.path, int64(r.off), int64(r.n)); ok || err != nil {
				return b, err
			}
		}
	}
	buf := bigbuf.Make(int(c.size), int(c.size))
	for _, p := range c.pieces {
		if r, ok := p.src.(fileRegion); ok {
			// Straight into place: no bounce buffer, one copy.
			if err := r.readInto(buf[p.at : p.at+r.n]); err != nil {
				return nil, err
			}
			continue
		}
		w := &sliceWriter{buf: buf, at: p.at}
		if err := p.src.writeTo(w); err != nil {
			return nil, err
		}
	}
	return buf, nil
}

type sliceWriter struct {
	buf []byte
	at  uint64
}

func (s *sliceWriter) Write(p []byte) (int, error) {
	if s.at+uint64(len(p)) > uint64(len(s.buf)) {
		return 0, io.ErrShortWrite
	}
	copy(s.buf[s.at:], p)
	s.at += uint64(len(p))
	return len(p), nil
}
