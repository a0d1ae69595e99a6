package ppcwrap

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/uimage"
)

// bannerText is printed by every wrapper's main.c; its presence tells a
// wrapper image from any other raw binary.
var bannerText = []byte("zImage starting: loaded at ")

// Part is one payload found inside a wrapper image.
type Part struct {
	Name   string // "kernel", "initrd", "dtb"
	Offset int64  // in the examined bytes (for a cuImage: the decompressed wrapper)
	Addr   uint32 // link address, where known (ELF images)
	Size   int64
	Format string // "gzip", "ELF", "FDT", "data"
}

// Info describes a wrapper image.
type Info struct {
	Kind  Kind
	Start uint32 // _start (ELF, treeImage, cuImage)
	Entry uint32
	// Blocks is the treeImage's 512-byte block count.
	Blocks uint32
	Parts  []Part
}

// IsWrapperImage reports whether data looks like a boot-wrapper output:
// an ELF or raw binary carrying the wrapper's banner, a treeImage boot
// block, or a uImage whose gzipped payload is such a raw binary.
func IsWrapperImage(data []byte) bool {
	_, err := Describe(data)
	return err == nil
}

// Describe recognises a wrapper image and finds the payloads inside.
func Describe(data []byte) (*Info, error) {
	switch {
	case len(data) >= 32 && binary.BigEndian.Uint32(data) == TreeMagic:
		return describeTree(data)
	case uimage.IsUImage(data):
		return describeCUImage(data)
	case len(data) >= 4 && string(data[:4]) == "\x7fELF":
		return describeELF(data)
	case bytes.Contains(data, bannerText):
		return &Info{Kind: KindBinary, Parts: findParts(data)}, nil
	}
	return nil, fmt.Errorf("not a PowerPC boot-wrapper image")
}

func describeTree(data []byte) (*Info, error) {
	info := &Info{Kind: KindTreeImage, Start: binary.BigEndian.Uint32(data[4:]), Blocks: binary.BigEndian.Uint32(data[8:]), Entry: binary.BigEndian.Uint32(data[16:])}
	if !bytes.Contains(data, bannerText) {
		return nil, fmt.Errorf("treeImage boot block without a boot wrapper behind it")
	}
	info.Parts = findParts(data[32:])
	for i := range info.Parts {
		info.Parts[i].Offset += 32
	}
	return info, nil
}

func describeCUImage(data []byte) (*Info, error) {
	h, payload, err := uimage.Parse(data)
	if err != nil {
		return nil, err
	}
	if h.Arch != 7 || h.Comp != 1 {
		return nil, fmt.Errorf("not a cuImage (architecture %d, compression %d)", h.Arch, h.Comp)
	}
	raw, err := compress.DecompressBytes("gzip", payload)
	if err != nil || !bytes.Contains(raw, bannerText) {
		return nil, fmt.Errorf("uImage payload is not a boot wrapper")
	}
	return &Info{Kind: KindCUImage, Start: h.Load, Entry: h.Entry, Parts: findParts(raw)}, nil
}

func describeELF(data []byte) (*Info, error) {
	f, err := parseELF("image", data)
	if err != nil {
		return nil, err
	}
	info := &Info{Kind: KindELF, Entry: binary.BigEndian.Uint32(data[24:])}
	for _, p := range f.phdrs {
		if p.typ == ptNote {
			info.Kind = KindELFNotes
		}
	}
	names := map[string]string{".kernel:vmlinux.strip": "kernel", ".kernel:initrd": "initrd", ".kernel:dtb": "dtb"}
	for _, s := range f.sections {
		if s.name == ".text" {
			info.Start = s.addr
		}
		if n, ok := names[s.name]; ok && s.size > 0 {
			b := s.bytes(data)
			info.Parts = append(info.Parts, Part{Name: n, Offset: int64(s.off), Addr: s.addr, Size: int64(s.size), Format: format(b)})
		}
	}
	if len(info.Parts) == 0 {
		return nil, fmt.Errorf("ELF without .kernel:* sections (not a boot-wrapper zImage)")
	}
	return info, nil
}

// findParts locates the payloads in a raw wrapper image by the layout
// zImage.lds gives them: the DTB at an 8-byte boundary, the kernel (gzip
// or ELF) at the first 4 KiB boundary after it.
func findParts(raw []byte) []Part {
	var parts []Part
	for off := 4096; off+4 <= len(raw); off += 4096 {
		f := format(raw[off:])
		if f == "gzip" || f == "ELF" {
			parts = append(parts, Part{Name: "kernel", Offset: int64(off), Size: -1, Format: f})
			break
		}
	}
	limit := len(raw)
	if len(parts) > 0 {
		limit = int(parts[0].Offset)
	}
	for off := 0; off+8 <= limit; off += 8 {
		if binary.BigEndian.Uint32(raw[off:]) == 0xd00dfeed {
			size := int64(binary.BigEndian.Uint32(raw[off+4:]))
			if size >= 40 && int64(off)+size <= int64(limit) {
				parts = append([]Part{{Name: "dtb", Offset: int64(off), Size: size, Format: "FDT"}}, parts...)
				break
			}
		}
	}
	return parts
}

func format(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8:
		return "gzip"
	case len(b) >= 4 && string(b[:4]) == "\x7fELF":
		return "ELF"
	case len(b) >= 4 && binary.BigEndian.Uint32(b) == 0xd00dfeed:
		return "FDT"
	}
	return "data"
}

// WriteListing prints what Describe found.
func WriteListing(w io.Writer, info *Info) error {
	fmt.Fprintf(w, "PowerPC boot wrapper: %s (%s)\n", string(info.Kind), info.Kind)
	switch info.Kind {
	case KindTreeImage:
		fmt.Fprintf(w, "Load address: 0x%08x\nEntry point:  0x%08x\nBlocks:       %d (512 bytes)\n", info.Start, info.Entry, info.Blocks)
	case KindCUImage:
		fmt.Fprintf(w, "Load address: 0x%08x (_start)\nEntry point:  0x%08x\nOffsets are in the decompressed wrapper.\n", info.Start, info.Entry)
	case KindELF, KindELFNotes:
		fmt.Fprintf(w, "Text address: 0x%08x\nEntry point:  0x%08x\n", info.Start, info.Entry)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Part\tOffset\tAddress\tSize\tFormat")
	for _, p := range info.Parts {
		addr, size := "-", "-"
		if p.Addr != 0 || info.Kind == KindELF || info.Kind == KindELFNotes {
			addr = fmt.Sprintf("0x%08x", p.Addr)
		}
		if p.Size >= 0 {
			size = fmt.Sprintf("%d", p.Size)
		}
		fmt.Fprintf(tw, "%s\t0x%x\t%s\t%s\t%s\n", p.Name, p.Offset, addr, size, p.Format)
	}
	return tw.Flush()
}
