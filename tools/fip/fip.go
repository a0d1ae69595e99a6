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

// ImageType is one image fiptool knows by name.
type ImageType struct {
	Name string // command-line name, as in --tb-fw
	Desc string // fiptool's description
	UUID UUID
}

// ImageTypes is TF-A's table of named images (tools/fiptool/tbbr_config.c,
// TF-A 2.8) in its order, which is the order images take in a created
// package whatever order they were given in. The UUIDs are byte literals
// (their text form in the comment) so the table is static data, built by
// the linker rather than parsed at every start of fwtool.
var ImageTypes = []ImageType{
	{"scp-fwu-cfg", "SCP Firmware Updater Configuration FWU SCP_BL2U", UUID{0x65, 0x92, 0x27, 0x03, 0x2f, 0x74, 0xe6, 0x44, 0x8d, 0xff, 0x57, 0x9a, 0xc1, 0xff, 0x06, 0x10}},      // 65922703-2f74-e644-8dff-579ac1ff0610
	{"ap-fwu-cfg", "AP Firmware Updater Configuration BL2U", UUID{0x60, 0xb3, 0xeb, 0x37, 0xc1, 0xe5, 0xea, 0x41, 0x9d, 0xf3, 0x19, 0xed, 0xa1, 0x1f, 0x68, 0x01}},                // 60b3eb37-c1e5-ea41-9df3-19eda11f6801
	{"fwu", "Firmware Updater NS_BL2U", UUID{0x4f, 0x51, 0x1d, 0x11, 0x2b, 0xe5, 0x4e, 0x49, 0xb4, 0xc5, 0x83, 0xc2, 0xf7, 0x15, 0x84, 0x0a}},                                     // 4f511d11-2be5-4e49-b4c5-83c2f715840a
	{"fwu-cert", "Non-Trusted Firmware Updater certificate", UUID{0x71, 0x40, 0x8a, 0xb2, 0x18, 0xd6, 0x87, 0x4c, 0x8b, 0x2e, 0xc6, 0xdc, 0xcd, 0x50, 0xf0, 0x96}},                // 71408ab2-18d6-874c-8b2e-c6dccd50f096
	{"tb-fw", "Trusted Boot Firmware BL2", UUID{0x5f, 0xf9, 0xec, 0x0b, 0x4d, 0x22, 0x3e, 0x4d, 0xa5, 0x44, 0xc3, 0x9d, 0x81, 0xc7, 0x3f, 0x0a}},                                  // 5ff9ec0b-4d22-3e4d-a544-c39d81c73f0a
	{"scp-fw", "SCP Firmware SCP_BL2", UUID{0x97, 0x66, 0xfd, 0x3d, 0x89, 0xbe, 0xe8, 0x49, 0xae, 0x5d, 0x78, 0xa1, 0x40, 0x60, 0x82, 0x13}},                                      // 9766fd3d-89be-e849-ae5d-78a140608213
	{"soc-fw", "EL3 Runtime Firmware BL31", UUID{0x47, 0xd4, 0x08, 0x6d, 0x4c, 0xfe, 0x98, 0x46, 0x9b, 0x95, 0x29, 0x50, 0xcb, 0xbd, 0x5a, 0x00}},                                 // 47d4086d-4cfe-9846-9b95-2950cbbd5a00
	{"tos-fw", "Secure Payload BL32 (Trusted OS)", UUID{0x05, 0xd0, 0xe1, 0x89, 0x53, 0xdc, 0x13, 0x47, 0x8d, 0x2b, 0x50, 0x0a, 0x4b, 0x7a, 0x3e, 0x38}},                          // 05d0e189-53dc-1347-8d2b-500a4b7a3e38
	{"tos-fw-extra1", "Secure Payload BL32 Extra1 (Trusted OS Extra1)", UUID{0x0b, 0x70, 0xc2, 0x9b, 0x2a, 0x5a, 0x78, 0x40, 0x9f, 0x65, 0x0a, 0x56, 0x82, 0x73, 0x82, 0x88}},     // 0b70c29b-2a5a-7840-9f65-0a5682738288
	{"tos-fw-extra2", "Secure Payload BL32 Extra2 (Trusted OS Extra2)", UUID{0x8e, 0xa8, 0x7b, 0xb1, 0xcf, 0xa2, 0x3f, 0x4d, 0x85, 0xfd, 0xe7, 0xbb, 0xa5, 0x02, 0x20, 0xd9}},     // 8ea87bb1-cfa2-3f4d-85fd-e7bba50220d9
	{"nt-fw", "Non-Trusted Firmware BL33", UUID{0xd6, 0xd0, 0xee, 0xa7, 0xfc, 0xea, 0xd5, 0x4b, 0x97, 0x82, 0x99, 0x34, 0xf2, 0x34, 0xb6, 0xe4}},                                  // d6d0eea7-fcea-d54b-9782-9934f234b6e4
	{"rmm-fw", "Realm Monitor Management Firmware", UUID{0x6c, 0x07, 0x62, 0xa6, 0x12, 0xf2, 0x4b, 0x56, 0x92, 0xcb, 0xba, 0x8f, 0x63, 0x36, 0x06, 0xd9}},                         // 6c0762a6-12f2-4b56-92cb-ba8f633606d9
	{"fw-config", "FW_CONFIG", UUID{0x58, 0x07, 0xe1, 0x6a, 0x84, 0x59, 0x47, 0xbe, 0x8e, 0xd5, 0x64, 0x8e, 0x8d, 0xdd, 0xab, 0x0e}},                                              // 5807e16a-8459-47be-8ed5-648e8dddab0e
	{"hw-config", "HW_CONFIG", UUID{0x08, 0xb8, 0xf1, 0xd9, 0xc9, 0xcf, 0x93, 0x49, 0xa9, 0x62, 0x6f, 0xbc, 0x6b, 0x72, 0x65, 0xcc}},                                              // 08b8f1d9-c9cf-9349-a962-6fbc6b7265cc
	{"tb-fw-config", "TB_FW_CONFIG", UUID{0x6c, 0x04, 0x58, 0xff, 0xaf, 0x6b, 0x7d, 0x4f, 0x82, 0xed, 0xaa, 0x27, 0xbc, 0x69, 0xbf, 0xd2}},                                        // 6c0458ff-af6b-7d4f-82ed-aa27bc69bfd2
	{"soc-fw-config", "SOC_FW_CONFIG", UUID{0x99, 0x79, 0x81, 0x4b, 0x03, 0x76, 0xfb, 0x46, 0x8c, 0x8e, 0x8d, 0x26, 0x7f, 0x78, 0x59, 0xe0}},                                      // 9979814b-0376-fb46-8c8e-8d267f7859e0
	{"tos-fw-config", "TOS_FW_CONFIG", UUID{0x26, 0x25, 0x7c, 0x1a, 0xdb, 0xc6, 0x7f, 0x47, 0x8d, 0x96, 0xc4, 0xc4, 0xb0, 0x24, 0x80, 0x21}},                                      // 26257c1a-dbc6-7f47-8d96-c4c4b0248021
	{"nt-fw-config", "NT_FW_CONFIG", UUID{0x28, 0xda, 0x98, 0x15, 0x93, 0xe8, 0x7e, 0x44, 0xac, 0x66, 0x1a, 0xaf, 0x80, 0x15, 0x50, 0xf9}},                                        // 28da9815-93e8-7e44-ac66-1aaf801550f9
	{"rot-cert", "Root Of Trust key certificate", UUID{0x86, 0x2d, 0x1d, 0x72, 0xf8, 0x60, 0xe4, 0x11, 0x92, 0x0b, 0x8b, 0xe7, 0x62, 0x16, 0x0f, 0x24}},                           // 862d1d72-f860-e411-920b-8be762160f24
	{"trusted-key-cert", "Trusted key certificate", UUID{0x82, 0x7e, 0xe8, 0x90, 0xf8, 0x60, 0xe4, 0x11, 0xa1, 0xb4, 0x77, 0x7a, 0x21, 0xb4, 0xf9, 0x4c}},                         // 827ee890-f860-e411-a1b4-777a21b4f94c
	{"scp-fw-key-cert", "SCP Firmware key certificate", UUID{0x02, 0x42, 0x21, 0xa1, 0xf8, 0x60, 0xe4, 0x11, 0x8d, 0x9b, 0xf3, 0x3c, 0x0e, 0x15, 0xa0, 0x14}},                     // 024221a1-f860-e411-8d9b-f33c0e15a014
	{"soc-fw-key-cert", "SoC Firmware key certificate", UUID{0x8a, 0xb8, 0xbe, 0xcc, 0xf9, 0x60, 0xe4, 0x11, 0x9a, 0xd0, 0xeb, 0x48, 0x22, 0xd8, 0xdc, 0xf8}},                     // 8ab8becc-f960-e411-9ad0-eb4822d8dcf8
	{"tos-fw-key-cert", "Trusted OS Firmware key certificate", UUID{0x94, 0x77, 0xd6, 0x03, 0xfb, 0x60, 0xe4, 0x11, 0x85, 0xdd, 0xb7, 0x10, 0x5b, 0x8c, 0xee, 0x04}},              // 9477d603-fb60-e411-85dd-b7105b8cee04
	{"nt-fw-key-cert", "Non-Trusted Firmware key certificate", UUID{0x8a, 0xd5, 0x83, 0x2a, 0xfb, 0x60, 0xe4, 0x11, 0x8a, 0xaf, 0xdf, 0x30, 0xbb, 0xc4, 0x98, 0x59}},              // 8ad5832a-fb60-e411-8aaf-df30bbc49859
	{"tb-fw-cert", "Trusted Boot Firmware BL2 certificate", UUID{0xd6, 0xe2, 0x69, 0xea, 0x5d, 0x63, 0xe4, 0x11, 0x8d, 0x8c, 0x9f, 0xba, 0xbe, 0x99, 0x56, 0xa5}},                 // d6e269ea-5d63-e411-8d8c-9fbabe9956a5
	{"scp-fw-cert", "SCP Firmware content certificate", UUID{0x44, 0xbe, 0x6f, 0x04, 0x5e, 0x63, 0xe4, 0x11, 0xb2, 0x8b, 0x73, 0xd8, 0xea, 0xae, 0x96, 0x56}},                     // 44be6f04-5e63-e411-b28b-73d8eaae9656
	{"soc-fw-cert", "SoC Firmware content certificate", UUID{0xe2, 0xb2, 0x0c, 0x20, 0x5e, 0x63, 0xe4, 0x11, 0x9c, 0xe8, 0xab, 0xcc, 0xf9, 0x2b, 0xb6, 0x66}},                     // e2b20c20-5e63-e411-9ce8-abccf92bb666
	{"tos-fw-cert", "Trusted OS Firmware content certificate", UUID{0xa4, 0x9f, 0x44, 0x11, 0x5e, 0x63, 0xe4, 0x11, 0x87, 0x28, 0x3f, 0x05, 0x72, 0x2a, 0xf3, 0x3d}},              // a49f4411-5e63-e411-8728-3f05722af33d
	{"nt-fw-cert", "Non-Trusted Firmware content certificate", UUID{0x8e, 0xc4, 0xc1, 0xf3, 0x5d, 0x63, 0xe4, 0x11, 0xa7, 0xa9, 0x87, 0xee, 0x40, 0xb2, 0x3f, 0xa7}},              // 8ec4c1f3-5d63-e411-a7a9-87ee40b23fa7
	{"sip-sp-cert", "SiP owned Secure Partition content certificate", UUID{0x77, 0x6d, 0xfd, 0x44, 0x86, 0x97, 0x4c, 0x3b, 0x91, 0xeb, 0xc1, 0x3e, 0x02, 0x5a, 0x2a, 0x6f}},       // 776dfd44-8697-4c3b-91eb-c13e025a2a6f
	{"plat-sp-cert", "Platform owned Secure Partition content certificate", UUID{0xdd, 0xcb, 0xbf, 0x4a, 0xca, 0xd6, 0x11, 0xea, 0x87, 0xd0, 0x02, 0x42, 0xac, 0x13, 0x00, 0x03}}, // ddcbbf4a-cad6-11ea-87d0-0242ac130003
	{"cca-cert", "CCA Content Certificate", UUID{0x36, 0xd8, 0x3d, 0x85, 0x76, 0x1d, 0x4d, 0xaf, 0x96, 0xf1, 0xcd, 0x99, 0xd6, 0x56, 0x9b, 0x00}},                                 // 36d83d85-761d-4daf-96f1-cd99d6569b00
	{"core-swd-cert", "Core Secure World Key Certificate", UUID{0x52, 0x22, 0x2d, 0x31, 0x82, 0x0f, 0x49, 0x4d, 0x8b, 0xbc, 0xea, 0x68, 0x25, 0xd3, 0xc3, 0x5a}},                  // 52222d31-820f-494d-8bbc-ea6825d3c35a
	{"plat-key-cert", "Platform Key Certificate", UUID{0xd4, 0x3c, 0xd9, 0x02, 0x5b, 0x9f, 0x41, 0x2e, 0x8a, 0xc6, 0x92, 0xb6, 0xd1, 0x8b, 0xe6, 0x0d}},                           // d43cd902-5b9f-412e-8ac6-92b6d18be60d
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
