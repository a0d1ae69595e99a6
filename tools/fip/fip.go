// Package fip writes and reads TF-A Firmware Image Packages: a table of
// contents (a 16-byte header, then 40-byte entries of UUID, offset, size and
// flags, closed by an all-zero UUID whose offset is the package size)
// followed by the images. Create lays images out exactly as TF-A's fiptool
// does, so its output is byte-identical to `fiptool create`.
package fip

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// ToC header constants.
const (
	TocName         = 0xAA640001
	TocSerialNumber = 0x12345678
	HeaderSize      = 16
	EntrySize       = 40
)

// UUID is stored in the ToC in its textual byte order (TF-A keeps UUIDs as
// byte arrays, so no field is byte-swapped).
type UUID [16]byte

// String formats u as fiptool prints it: upper-case, 8-4-4-4-12.
func (u UUID) String() string {
	h := strings.ToUpper(hex.EncodeToString(u[:]))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// IsZero reports whether u is the ToC terminator's null UUID.
func (u UUID) IsZero() bool { return u == UUID{} }

// ParseUUID reads the 8-4-4-4-12 hexadecimal form, in either case.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("UUID %q is not in the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", s)
	}
	compact := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(u[:], []byte(compact)); err != nil {
		return u, fmt.Errorf("UUID %q has a non-hexadecimal digit", s)
	}
	return u, nil
}

func mustUUID(s string) UUID {
	u, err := ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}

// ImageType is one image fiptool knows by name.
type ImageType struct {
	Name string // command-line name, as in --tb-fw
	Desc string // fiptool's description
	UUID UUID
}

// ImageTypes is TF-A's table of named images (tools/fiptool/tbbr_config.c,
// TF-A 2.8) in its order, which is the order images take in a created
// package whatever order they were given in.
var ImageTypes = []ImageType{
	{"scp-fwu-cfg", "SCP Firmware Updater Configuration FWU SCP_BL2U", mustUUID("65922703-2f74-e644-8dff-579ac1ff0610")},
	{"ap-fwu-cfg", "AP Firmware Updater Configuration BL2U", mustUUID("60b3eb37-c1e5-ea41-9df3-19eda11f6801")},
	{"fwu", "Firmware Updater NS_BL2U", mustUUID("4f511d11-2be5-4e49-b4c5-83c2f715840a")},
	{"fwu-cert", "Non-Trusted Firmware Updater certificate", mustUUID("71408ab2-18d6-874c-8b2e-c6dccd50f096")},
	{"tb-fw", "Trusted Boot Firmware BL2", mustUUID("5ff9ec0b-4d22-3e4d-a544-c39d81c73f0a")},
	{"scp-fw", "SCP Firmware SCP_BL2", mustUUID("9766fd3d-89be-e849-ae5d-78a140608213")},
	{"soc-fw", "EL3 Runtime Firmware BL31", mustUUID("47d4086d-4cfe-9846-9b95-2950cbbd5a00")},
	{"tos-fw", "Secure Payload BL32 (Trusted OS)", mustUUID("05d0e189-53dc-1347-8d2b-500a4b7a3e38")},
	{"tos-fw-extra1", "Secure Payload BL32 Extra1 (Trusted OS Extra1)", mustUUID("0b70c29b-2a5a-7840-9f65-0a5682738288")},
	{"tos-fw-extra2", "Secure Payload BL32 Extra2 (Trusted OS Extra2)", mustUUID("8ea87bb1-cfa2-3f4d-85fd-e7bba50220d9")},
	{"nt-fw", "Non-Trusted Firmware BL33", mustUUID("d6d0eea7-fcea-d54b-9782-9934f234b6e4")},
	{"rmm-fw", "Realm Monitor Management Firmware", mustUUID("6c0762a6-12f2-4b56-92cb-ba8f633606d9")},
	{"fw-config", "FW_CONFIG", mustUUID("5807e16a-8459-47be-8ed5-648e8dddab0e")},
	{"hw-config", "HW_CONFIG", mustUUID("08b8f1d9-c9cf-9349-a962-6fbc6b7265cc")},
	{"tb-fw-config", "TB_FW_CONFIG", mustUUID("6c0458ff-af6b-7d4f-82ed-aa27bc69bfd2")},
	{"soc-fw-config", "SOC_FW_CONFIG", mustUUID("9979814b-0376-fb46-8c8e-8d267f7859e0")},
	{"tos-fw-config", "TOS_FW_CONFIG", mustUUID("26257c1a-dbc6-7f47-8d96-c4c4b0248021")},
	{"nt-fw-config", "NT_FW_CONFIG", mustUUID("28da9815-93e8-7e44-ac66-1aaf801550f9")},
	{"rot-cert", "Root Of Trust key certificate", mustUUID("862d1d72-f860-e411-920b-8be762160f24")},
	{"trusted-key-cert", "Trusted key certificate", mustUUID("827ee890-f860-e411-a1b4-777a21b4f94c")},
	{"scp-fw-key-cert", "SCP Firmware key certificate", mustUUID("024221a1-f860-e411-8d9b-f33c0e15a014")},
	{"soc-fw-key-cert", "SoC Firmware key certificate", mustUUID("8ab8becc-f960-e411-9ad0-eb4822d8dcf8")},
	{"tos-fw-key-cert", "Trusted OS Firmware key certificate", mustUUID("9477d603-fb60-e411-85dd-b7105b8cee04")},
	{"nt-fw-key-cert", "Non-Trusted Firmware key certificate", mustUUID("8ad5832a-fb60-e411-8aaf-df30bbc49859")},
	{"tb-fw-cert", "Trusted Boot Firmware BL2 certificate", mustUUID("d6e269ea-5d63-e411-8d8c-9fbabe9956a5")},
	{"scp-fw-cert", "SCP Firmware content certificate", mustUUID("44be6f04-5e63-e411-b28b-73d8eaae9656")},
	{"soc-fw-cert", "SoC Firmware content certificate", mustUUID("e2b20c20-5e63-e411-9ce8-abccf92bb666")},
	{"tos-fw-cert", "Trusted OS Firmware content certificate", mustUUID("a49f4411-5e63-e411-8728-3f05722af33d")},
	{"nt-fw-cert", "Non-Trusted Firmware content certificate", mustUUID("8ec4c1f3-5d63-e411-a7a9-87ee40b23fa7")},
	{"sip-sp-cert", "SiP owned Secure Partition content certificate", mustUUID("776dfd44-8697-4c3b-91eb-c13e025a2a6f")},
	{"plat-sp-cert", "Platform owned Secure Partition content certificate", mustUUID("ddcbbf4a-cad6-11ea-87d0-0242ac130003")},
	{"cca-cert", "CCA Content Certificate", mustUUID("36d83d85-761d-4daf-96f1-cd99d6569b00")},
	{"core-swd-cert", "Core Secure World Key Certificate", mustUUID("52222d31-820f-494d-8bbc-ea6825d3c35a")},
	{"plat-key-cert", "Platform Key Certificate", mustUUID("d43cd902-5b9f-412e-8ac6-92b6d18be60d")},
}

// TypeByName finds a named image type ("tb-fw", ...).
func TypeByName(name string) (ImageType, bool) {
	for _, t := range ImageTypes {
		if t.Name == name {
			return t, true
		}
	}
	return ImageType{}, false
}

// TypeByUUID finds the named image type of u, if it has one.
func TypeByUUID(u UUID) (ImageType, bool) {
	for _, t := range ImageTypes {
		if t.UUID == u {
			return t, true
		}
	}
	return ImageType{}, false
}

// Image is one image to pack.
type Image struct {
	UUID UUID
	Data []byte
}

// Options are fiptool create's package-wide settings.
type Options struct {
	// Align, a power of two (0 means 1), aligns each image's offset and the
	// package's end.
	Align uint64
	// PlatTocFlags fills bits 32-47 of the ToC header's flags.
	PlatTocFlags uint16
	// OtherFlags are the header flag bits outside 32-47; fiptool update and
	// remove carry them over from the package they rewrite.
	OtherFlags uint64
}

// platTocFlagsMask selects bits 32-47 of the header flags.
const platTocFlagsMask = uint64(0xffff) << 32

// MaxPackageSize bounds a package fwtool builds or reads (it is built in
// memory): TF-A loads FIPs from boot media far smaller than this.
const MaxPackageSize = 4 << 30

// ValidAlign reports whether a is an alignment fiptool accepts.
func ValidAlign(a uint64) bool { return a != 0 && a&(a-1) == 0 }

// Create packs images the way fiptool create does:
//   - named images take TF-A's table order, other UUIDs follow in the order
//     they first appear;
//   - an image given twice keeps its place and takes the last data given;
//   - an empty image gets no ToC entry but, as in fiptool, still reserves a
//     ToC slot (left zero after the terminator);
//   - each image starts at the next multiple of Align after the previous
//     one, and the package is zero-padded to a multiple of Align.
func Create(images []Image, opts Options) ([]byte, error) {
	l, err := Plan(images, opts)
	if err != nil {
		return nil, err
	}
	out := make([]byte, l.Size)
	copy(out, l.Toc)
	for _, p := range l.Parts {
		copy(out[p.Offset:], p.Image.Data)
	}
	return out, nil
}

// Layout is a package as Create lays it out: the ToC at offset 0, each
// part's image at its offset, zeros everywhere else, Size bytes in all.
// WriteTo writes it without assembling it in memory.
type Layout struct {
	Toc   []byte
	Parts []Part // in offset order
	Size  uint64
}

// Part is one non-empty image and where it starts.
type Part struct {
	Image  Image
	Offset uint64
}

// Plan lays images out as Create does (see there), without copying them.
func Plan(images []Image, opts Options) (*Layout, error) {
	align := opts.Align
	if align == 0 {
		align = 1
	}
	if !ValidAlign(align) {
		return nil, fmt.Errorf("alignment %d is not a power of two", opts.Align)
	}
	if align > MaxPackageSize {
		return nil, fmt.Errorf("alignment %#x is more than the %d-byte (4 GiB) package limit", align, uint64(MaxPackageSize))
	}
	ordered := Order(images)
	tocSize := uint64(HeaderSize + EntrySize*(len(ordered)+1))
	var parts []Part
	end := tocSize
	for _, img := range ordered {
		if len(img.Data) == 0 {
			continue
		}
		end = alignUp(end, align)
		parts = append(parts, Part{img, end})
		end += uint64(len(img.Data))
		// Checked as it grows: with alignment and sizes each below 4 GiB
		// nothing can wrap around before this test.
		if end > MaxPackageSize {
			return nil, fmt.Errorf("image %s ends at %#x, past the %d-byte (4 GiB) package limit", img.UUID, end, uint64(MaxPackageSize))
		}
	}
	total := alignUp(end, align)
	if total > MaxPackageSize {
		return nil, fmt.Errorf("package padded to %#x bytes is more than the %d-byte (4 GiB) limit", total, uint64(MaxPackageSize))
	}
	toc := make([]byte, tocSize)
	le := binary.LittleEndian
	le.PutUint32(toc[0:], TocName)
	le.PutUint32(toc[4:], TocSerialNumber)
	le.PutUint64(toc[8:], opts.OtherFlags&^platTocFlagsMask|uint64(opts.PlatTocFlags)<<32)
	entry := toc[HeaderSize:]
	for _, p := range parts {
		copy(entry[0:16], p.Image.UUID[:])
		le.PutUint64(entry[16:], p.Offset)
		le.PutUint64(entry[24:], uint64(len(p.Image.Data)))
		// entry[32:40]: flags, always zero from fiptool.
		entry = entry[EntrySize:]
	}
	le.PutUint64(entry[16:], total)
	return &Layout{Toc: toc, Parts: parts, Size: total}, nil
}

// WriteTo writes the package to w front to back: the ToC, each image
// straight from its data, and the zero padding between and after them.
func (l *Layout) WriteTo(w io.Writer) (int64, error) {
	var n int64
	write := func(b []byte) error {
		m, err := w.Write(b)
		n += int64(m)
		return err
	}
	pad := func(to uint64) error {
		var zeros [4096]byte
		for uint64(n) < to {
			chunk := to - uint64(n)
			if chunk > uint64(len(zeros)) {
				chunk = uint64(len(zeros))
			}
			if err := write(zeros[:chunk]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := write(l.Toc); err != nil {
		return n, err
	}
	for _, p := range l.Parts {
		if err := pad(p.Offset); err != nil {
			return n, err
		}
		if err := write(p.Image.Data); err != nil {
			return n, err
		}
	}
	return n, pad(l.Size)
}

// Order returns images in the order Create packs them, with duplicates
// merged (first position, last data).
func Order(images []Image) []Image {
	var named []*Image
	byUUID := map[UUID]*Image{}
	var unnamed []*Image
	for _, img := range images {
		if prev, ok := byUUID[img.UUID]; ok {
			prev.Data = img.Data
			continue
		}
		c := img
		byUUID[img.UUID] = &c
		if _, ok := TypeByUUID(img.UUID); ok {
			named = append(named, &c)
		} else {
			unnamed = append(unnamed, &c)
		}
	}
	var out []Image
	for _, t := range ImageTypes {
		if img, ok := byUUID[t.UUID]; ok {
			out = append(out, *img)
		}
	}
	for _, img := range unnamed {
		out = append(out, *img)
	}
	return out
}

func alignUp(v, a uint64) uint64 { return (v + a - 1) &^ (a - 1) }

// Entry is one ToC entry of a parsed package.
type Entry struct {
	UUID   UUID
	Offset uint64
	Size   uint64
	Flags  uint64
	Data   []byte
}

// Name is the image's fiptool name, or its UUID when it has none.
func (e *Entry) Name() string {
	if t, ok := TypeByUUID(e.UUID); ok {
		return t.Name
	}
	return e.UUID.String()
}

// Package is a parsed FIP.
type Package struct {
	Serial  uint32
	Flags   uint64
	Entries []Entry
	// End is the terminator's offset: the package size fiptool wrote.
	End uint64
}

// PlatTocFlags returns bits 32-47 of the header flags.
func (p *Package) PlatTocFlags() uint16 { return uint16(p.Flags >> 32) }

// Images returns the package's images in ToC order, to repack (as fiptool
// update and remove do) through Create.
func (p *Package) Images() []Image {
	out := make([]Image, len(p.Entries))
	for i, e := range p.Entries {
		out[i] = Image{UUID: e.UUID, Data: e.Data}
	}
	return out
}

// RepackOptions returns Options that keep p's header flags.
func (p *Package) RepackOptions(align uint64) Options {
	return Options{Align: align, PlatTocFlags: p.PlatTocFlags(), OtherFlags: p.Flags &^ platTocFlagsMask}
}

// Lookup returns the entry holding u (the last one, should u appear
// twice), or nil.
func (p *Package) Lookup(u UUID) *Entry {
	var found *Entry
	for i := range p.Entries {
		if p.Entries[i].UUID == u {
			found = &p.Entries[i]
		}
	}
	return found
}

// Update returns the images of fiptool update: added, then p's images
// whose UUID added does not replace. fiptool reads its command line
// before the package, so an image without a table name takes its place
// from the command line when given there. A nil p (fiptool update on a
// missing file) has no images.
func (p *Package) Update(added []Image) []Image {
	given := map[UUID]bool{}
	for _, img := range added {
		given[img.UUID] = true
	}
	all := append([]Image(nil), added...)
	if p == nil {
		return all
	}
	for _, img := range p.Images() {
		if !given[img.UUID] {
			all = append(all, img)
		}
	}
	return all
}

// Remove returns p's images without those whose UUID is in drop, as
// fiptool remove repacks them. A UUID p does not hold is an error.
func (p *Package) Remove(drop []UUID) ([]Image, error) {
	gone := map[UUID]bool{}
	for _, u := range drop {
		if p.Lookup(u) == nil {
			return nil, &MissingImageError{u}
		}
		gone[u] = true
	}
	var kept []Image
	for _, img := range p.Images() {
		if !gone[img.UUID] {
			kept = append(kept, img)
		}
	}
	return kept, nil
}

// MissingImageError names an image the package does not hold.
type MissingImageError struct{ UUID UUID }

func (e *MissingImageError) Error() string {
	name := e.UUID.String()
	if t, ok := TypeByUUID(e.UUID); ok {
		name = t.Name
	}
	return fmt.Sprintf("no image %s in the FIP", name)
}

// FieldError names the ToC field that is wrong.
type FieldError struct {
	Entry int // -1 for the header
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Entry < 0 {
		return fmt.Sprintf("ToC header field '%s': %s", e.Field, e.Msg)
	}
	return fmt.Sprintf("ToC entry %d field '%s': %s", e.Entry, e.Field, e.Msg)
}

// HasMagic reports whether data starts with a ToC header name.
func HasMagic(data []byte) bool {
	return len(data) >= 4 && binary.LittleEndian.Uint32(data) == TocName
}

// Parse reads a package. It checks the header name, that the ToC ends with
// a null entry inside the data, and that every image lies inside the data.
// Bytes after the terminator's offset (flash padding) are allowed.
func Parse(data []byte) (*Package, error) {
	le := binary.LittleEndian
	if len(data) < HeaderSize {
		return nil, &FieldError{-1, "name", fmt.Sprintf("file of %d bytes is shorter than the %d-byte ToC header", len(data), HeaderSize)}
	}
	if name := le.Uint32(data); name != TocName {
		return nil, &FieldError{-1, "name", fmt.Sprintf("0x%08x, want 0x%08x", name, uint32(TocName))}
	}
	p := &Package{Serial: le.Uint32(data[4:]), Flags: le.Uint64(data[8:])}
	size := uint64(len(data))
	for i, pos := 0, HeaderSize; ; i, pos = i+1, pos+EntrySize {
		if pos+EntrySize > len(data) {
			return nil, &FieldError{i, "uuid", "ToC runs past the end of the file without a null terminator entry"}
		}
		b := data[pos : pos+EntrySize]
		var e Entry
		copy(e.UUID[:], b[0:16])
		e.Offset = le.Uint64(b[16:])
		e.Size = le.Uint64(b[24:])
		e.Flags = le.Uint64(b[32:])
		if e.UUID.IsZero() {
			p.End = e.Offset
			return p, nil
		}
		if e.Offset > size || e.Size > size-e.Offset {
			return nil, &FieldError{i, "offset", fmt.Sprintf("image %s at 0x%x size 0x%x runs past the end of the file (0x%x)", e.Name(), e.Offset, e.Size, size)}
		}
		e.Data = data[e.Offset : e.Offset+e.Size]
		p.Entries = append(p.Entries, e)
	}
}
