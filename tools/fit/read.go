package fit

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rules-firmware/rules_firmware/tools/uimage"
)

// FIT is a parsed FIT image file: the FDT plus any external data after it.
type FIT struct {
	file []byte
	d    *blob
}

// IsFIT reports whether b starts with an FDT that has an /images node.
func IsFIT(b []byte) bool {
	f, err := Parse(b)
	return err == nil && f != nil
}

// Parse checks the FDT header and structure of a FIT file and that it has
// an /images node.
func Parse(file []byte) (*FIT, error) {
	d, err := newBlob(file)
	if err != nil {
		return nil, err
	}
	if err := d.checkStructure(); err != nil {
		return nil, err
	}
	if _, err := d.pathOffset("/images"); err != nil {
		return nil, fmt.Errorf("Node '/images': missing, not a FIT")
	}
	return &FIT{file: file, d: d}, nil
}

// Image is one node under /images.
type Image struct {
	Name        string
	Description string
	Type        string
	Arch        string
	OS          string
	Compression string
	Load, Entry uint64
	HasLoad     bool
	HasEntry    bool
	Hashes      []Hash
	Signatures  []Hash
	node        int
}

// Hash is a hash-* or signature-* subnode.
type Hash struct {
	Node     string
	Algo     string
	Value    []byte
	KeyName  string
	Padding  string
	Required bool
	Time     uint32
	HasTime  bool
}

// Config is one node under /configurations.
type Config struct {
	Name        string
	Description string
	Props       []ConfigRef
	Signatures  []Hash
}

// ConfigRef is an image-reference property of a configuration, such as
// kernel = "kernel-1" or loadables = "a", "b".
type ConfigRef struct {
	Kind   string
	Images []string
}

var imageRefKinds = []string{"kernel", "ramdisk", "firmware", "fdt", "fpga", "loadables", "setup", "standalone", "script"}

func readAddr(v []byte) (uint64, bool) {
	switch len(v) {
	case 4:
		return uint64(binary.BigEndian.Uint32(v)), true
	case 8:
		return binary.BigEndian.Uint64(v), true
	}
	return 0, false
}

func (f *FIT) readHash(node int) Hash {
	h := Hash{Node: f.d.nodeName(node)}
	h.Algo, _ = f.d.propString(node, "algo")
	if p, err := f.d.prop(node, "value"); err == nil {
		h.Value = p.value
	}
	h.KeyName, _ = f.d.propString(node, "key-name-hint")
	h.Padding, _ = f.d.propString(node, "padding")
	_, err := f.d.prop(node, "required")
	h.Required = err == nil
	if t, ok := propU32(f.d, node, "timestamp"); ok {
		h.Time, h.HasTime = t, true
	}
	return h
}

// Images lists the /images subnodes in order.
func (f *FIT) Images() ([]Image, error) {
	images, err := f.d.pathOffset("/images")
	if err != nil {
		return nil, err
	}
	kids, err := f.d.subnodes(images)
	if err != nil {
		return nil, err
	}
	var out []Image
	for _, k := range kids {
		img := Image{Name: f.d.nodeName(k), node: k}
		img.Description, _ = f.d.propString(k, "description")
		img.Type, _ = f.d.propString(k, "type")
		img.Arch, _ = f.d.propString(k, "arch")
		img.OS, _ = f.d.propString(k, "os")
		img.Compression, _ = f.d.propString(k, "compression")
		if p, err := f.d.prop(k, "load"); err == nil {
			img.Load, img.HasLoad = readAddr(p.value)
		}
		if p, err := f.d.prop(k, "entry"); err == nil {
			img.Entry, img.HasEntry = readAddr(p.value)
		}
		subs, err := f.d.subnodes(k)
		if err != nil {
			return nil, err
		}
		for _, s := range subs {
			switch name := f.d.nodeName(s); {
			case strings.HasPrefix(name, "hash"):
				img.Hashes = append(img.Hashes, f.readHash(s))
			case strings.HasPrefix(name, "signature"):
				img.Signatures = append(img.Signatures, f.readHash(s))
			}
		}
		out = append(out, img)
	}
	return out, nil
}

// Data returns an image's bytes: the "data" property, or the external
// range named by data-position (absolute) or data-offset (from the end of
// the FDT rounded up to 4 bytes) with data-size.
func (f *FIT) Data(img Image) ([]byte, error) {
	path := "/images/" + img.Name
	if p, err := f.d.prop(img.node, "data"); err == nil {
		return p.value, nil
	}
	size, okSize := propU32(f.d, img.node, "data-size")
	var start uint64
	if pos, ok := propU32(f.d, img.node, "data-position"); ok {
		start = uint64(pos)
	} else if off, ok := propU32(f.d, img.node, "data-offset"); ok {
		start = uint64(align4(f.d.totalSize())) + uint64(off)
	} else {
		return nil, fmt.Errorf("Node '%s': no 'data', 'data-offset' or 'data-position' property", path)
	}
	if !okSize {
		return nil, fmt.Errorf("Node '%s': external data without a 4-byte 'data-size' property", path)
	}
	if start+uint64(size) > uint64(len(f.file)) {
		return nil, fmt.Errorf("Node '%s': external data %#x..%#x beyond the end of the %#x-byte file", path, start, start+uint64(size), len(f.file))
	}
	return f.file[start : start+uint64(size)], nil
}

// Configs lists /configurations and its default.
func (f *FIT) Configs() (def string, out []Config, err error) {
	confs, err := f.d.pathOffset("/configurations")
	if err != nil {
		return "", nil, nil
	}
	def, _ = f.d.propString(confs, "default")
	kids, err := f.d.subnodes(confs)
	if err != nil {
		return "", nil, err
	}
	for _, k := range kids {
		c := Config{Name: f.d.nodeName(k)}
		c.Description, _ = f.d.propString(k, "description")
		for _, kind := range imageRefKinds {
			if p, err := f.d.prop(k, kind); err == nil {
				c.Props = append(c.Props, ConfigRef{Kind: kind, Images: stringList(p.value)})
			}
		}
		subs, err := f.d.subnodes(k)
		if err != nil {
			return "", nil, err
		}
		for _, s := range subs {
			if strings.HasPrefix(f.d.nodeName(s), "signature") {
				c.Signatures = append(c.Signatures, f.readHash(s))
			}
		}
		out = append(out, c)
	}
	return def, out, nil
}

func longName(t *uimage.Table, name string) string {
	id, ok := t.Lookup(name)
	if !ok {
		return t.Unknown
	}
	return t.LongName(id)
}

// WriteListing prints the FIT the way `mkimage -l` does (times in UTC).
func (f *FIT) WriteListing(w io.Writer) error {
	var buf bytes.Buffer
	p := func(format string, a ...interface{}) { fmt.Fprintf(&buf, format, a...) }
	opt := func(s string) string {
		if s == "" {
			return "unavailable"
		}
		return s
	}
	created := "unavailable"
	if t, ok := propU32(f.d, 0, "timestamp"); ok {
		created = ctime(t)
	}
	desc, _ := f.d.propString(0, "description")
	p("FIT description: %s\n", opt(desc))
	p("Created:         %s\n", created)
	images, err := f.Images()
	if err != nil {
		return err
	}
	printHash := func(kind string, h Hash) {
		algo := h.Algo
		if algo == "" {
			p("  %s algo:    invalid/unsupported\n", kind)
			return
		}
		if h.KeyName != "" {
			algo += ":" + h.KeyName
		}
		if h.Required {
			algo += " (required)"
		}
		p("  %s algo:    %s\n", kind, algo)
		if h.Padding != "" {
			p("  %s padding: %s\n", kind, h.Padding)
		}
		if h.Value == nil {
			p("  %s value:   unavailable\n", kind)
		} else {
			p("  %s value:   %x\n", kind, h.Value)
		}
		if h.KeyName != "" {
			if h.HasTime {
				p("  Timestamp:    %s\n", ctime(h.Time))
			} else {
				p("  Timestamp:    unavailable\n")
			}
		}
	}
	for i, img := range images {
		p(" Image %d (%s)\n", i, img.Name)
		p("  Description:  %s\n", opt(img.Description))
		p("  Created:      %s\n", created)
		typ, _ := uimage.Type.Lookup(img.Type)
		p("  Type:         %s\n", longName(&uimage.Type, img.Type))
		comp := img.Compression
		if comp == "" {
			comp = "none"
		}
		p("  Compression:  %s\n", longName(&uimage.Comp, comp))
		if data, err := f.Data(img); err == nil {
			p("  Data Size:    %s\n", uimage.SizeString(uint32(len(data))))
		} else {
			p("  Data Size:    unavailable\n")
		}
		switch typ {
		case uimage.TypeKernel, uimage.TypeStandalone, uimage.TypeRamdisk, uimage.TypeFirmware, uimage.TypeFlatDT:
			p("  Architecture: %s\n", longName(&uimage.Arch, img.Arch))
		}
		switch typ {
		case uimage.TypeKernel, uimage.TypeRamdisk, uimage.TypeFirmware:
			p("  OS:           %s\n", longName(&uimage.OS, img.OS))
		}
		addr := func(label string, v uint64, ok bool) {
			if ok {
				p("  %s 0x%08x\n", label, v)
			} else {
				p("  %s unavailable\n", label)
			}
		}
		switch typ {
		case uimage.TypeKernel, uimage.TypeStandalone, uimage.TypeFirmware, uimage.TypeRamdisk, uimage.TypeFPGA:
			addr("Load Address:", img.Load, img.HasLoad)
		case uimage.TypeFlatDT:
			if img.HasLoad {
				addr("Load Address:", img.Load, true)
			}
		}
		switch typ {
		case uimage.TypeKernel, uimage.TypeStandalone, uimage.TypeRamdisk:
			addr("Entry Point: ", img.Entry, img.HasEntry)
		}
		for _, h := range f.subnodeHashes(img.node) {
			printHash(h.kind, h.Hash)
		}
	}
	def, confs, err := f.Configs()
	if err != nil {
		return err
	}
	if def != "" {
		p(" Default Configuration: '%s'\n", def)
	}
	for i, c := range confs {
		p(" Configuration %d (%s)\n", i, c.Name)
		p("  Description:  %s\n", opt(c.Description))
		refs := map[string][]string{}
		for _, r := range c.Props {
			refs[r.Kind] = r.Images
		}
		first := func(kind string) string {
			if l := refs[kind]; len(l) > 0 {
				return l[0]
			}
			return ""
		}
		p("  Kernel:       %s\n", opt(first("kernel")))
		if v := first("ramdisk"); v != "" {
			p("  Init Ramdisk: %s\n", v)
		}
		if v := first("firmware"); v != "" {
			p("  Firmware:     %s\n", v)
		}
		list := func(label string, l []string) {
			for j, v := range l {
				if j == 0 {
					p("  %s %s\n", label, v)
				} else {
					p("                %s\n", v)
				}
			}
		}
		list("FDT:         ", refs["fdt"])
		if v := first("fpga"); v != "" {
			p("  FPGA:         %s\n", v)
		}
		list("Loadables:   ", refs["loadables"])
		confNode, err := f.d.pathOffset("/configurations/" + c.Name)
		if err != nil {
			return err
		}
		for _, h := range f.subnodeHashes(confNode) {
			printHash(h.kind, h.Hash)
		}
	}
	_, err = w.Write(buf.Bytes())
	return err
}

type kindHash struct {
	kind string
	Hash
}

// subnodeHashes lists hash-* and signature-* subnodes in node order, as
// mkimage prints them.
func (f *FIT) subnodeHashes(node int) []kindHash {
	subs, err := f.d.subnodes(node)
	if err != nil {
		return nil
	}
	var out []kindHash
	for _, s := range subs {
		switch name := f.d.nodeName(s); {
		case strings.HasPrefix(name, "hash"):
			out = append(out, kindHash{"Hash", f.readHash(s)})
		case strings.HasPrefix(name, "signature"):
			out = append(out, kindHash{"Sign", f.readHash(s)})
		}
	}
	return out
}

// ctime formats like C's ctime() in UTC, without the newline.
func ctime(t uint32) string {
	return time.Unix(int64(t), 0).UTC().Format("Mon Jan _2 15:04:05 2006")
}
