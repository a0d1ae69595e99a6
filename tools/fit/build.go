package fit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/input"
	"github.com/rules-firmware/rules_firmware/tools/uimage"
)

// Spec describes a FIT the way an .its does, for callers that build one
// from attributes instead of source. Build(spec) gives the same bytes as
// `mkimage -f` on spec.ITS().
type Spec struct {
	Description string       `json:"description"`
	Images      []ImageSpec  `json:"images"`
	Default     string       `json:"default"`
	Configs     []ConfigSpec `json:"configurations"`
}

// ImageSpec is one /images node. Data is the payload; DataFile names the
// file it came from (used for /incbin/ in ITS output and error messages).
type ImageSpec struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Type        string   `json:"type"`
	Arch        string   `json:"arch"`
	OS          string   `json:"os"`
	Compression string   `json:"compression"`
	Load        *uint64  `json:"load"`
	Entry       *uint64  `json:"entry"`
	DataFile    string   `json:"data_file"`
	Hashes      []string `json:"hashes"`
	Data        []byte   `json:"-"`
}

// ConfigSpec is one /configurations node.
type ConfigSpec struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Kernel      string          `json:"kernel"`
	Firmware    string          `json:"firmware"`
	Ramdisk     string          `json:"ramdisk"`
	FDT         []string        `json:"fdt"`
	Loadables   []string        `json:"loadables"`
	Compatible  string          `json:"compatible"`
	Signatures  []SignatureSpec `json:"signatures"`
}

// SignatureSpec is a signature-N node of a configuration.
type SignatureSpec struct {
	Algo       string   `json:"algo"`
	KeyName    string   `json:"key_name"`
	Padding    string   `json:"padding"`
	SignImages []string `json:"sign_images"`
}

// UnmarshalJSON reads an image description; load and entry may be JSON
// numbers or hex strings ("0x80080000"), since Bazel's Starlark cannot
// always hold 64-bit addresses as integers.
func (img *ImageSpec) UnmarshalJSON(b []byte) error {
	type plain ImageSpec
	var aux struct {
		plain
		Load  json.RawMessage `json:"load"`
		Entry json.RawMessage `json:"entry"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&aux); err != nil {
		return err
	}
	*img = ImageSpec(aux.plain)
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  **uint64
	}{{"load", aux.Load, &img.Load}, {"entry", aux.Entry, &img.Entry}} {
		if len(f.raw) == 0 || string(f.raw) == "null" {
			continue
		}
		var v uint64
		var str string
		if err := json.Unmarshal(f.raw, &str); err == nil {
			digits := strings.TrimPrefix(strings.TrimPrefix(str, "0x"), "0X")
			if v, err = strconv.ParseUint(digits, 16, 64); err != nil || digits == "" {
				return fmt.Errorf("image %q: %s %q is not a hex number", img.Name, f.name, str)
			}
		} else if err := json.Unmarshal(f.raw, &v); err != nil {
			return fmt.Errorf("image %q: %s: want a number or a hex string", img.Name, f.name)
		}
		*f.dst = &v
	}
	return nil
}

// nameOK accepts node names U-Boot's FIT checks accept: no unit
// addresses ('@'), since libfdt would match "name" against "name@x".
func nameOK(s string) bool {
	if s == "" || len(s) > 31 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(",._+-", c)) {
			return false
		}
	}
	return true
}

// Validate checks names, enumerations and references, naming the node and
// field at fault.
func (s *Spec) Validate() error {
	if s.Description == "" {
		return fmt.Errorf("Node '/': no description (U-Boot rejects a FIT without one)")
	}
	if len(s.Images) == 0 {
		return fmt.Errorf("Node '/images': no images")
	}
	images := map[string]bool{}
	for _, img := range s.Images {
		path := "/images/" + img.Name
		if !nameOK(img.Name) {
			return fmt.Errorf("Node '%s': invalid node name %q", path, img.Name)
		}
		if images[img.Name] {
			return fmt.Errorf("Node '%s': duplicate image", path)
		}
		images[img.Name] = true
		if _, ok := uimage.Type.Lookup(img.Type); !ok {
			return fmt.Errorf("Node '%s': unknown type %q", path, img.Type)
		}
		if img.Arch != "" {
			if _, ok := uimage.Arch.Lookup(img.Arch); !ok {
				return fmt.Errorf("Node '%s': unknown arch %q", path, img.Arch)
			}
		}
		if img.OS != "" {
			if _, ok := uimage.OS.Lookup(img.OS); !ok {
				return fmt.Errorf("Node '%s': unknown os %q", path, img.OS)
			}
		}
		if img.Compression != "" {
			if _, ok := uimage.Comp.Lookup(img.Compression); !ok {
				return fmt.Errorf("Node '%s': unknown compression %q", path, img.Compression)
			}
		}
		for _, h := range img.Hashes {
			if _, ok := hashAlgos.Get()[h]; !ok {
				return fmt.Errorf("Node '%s': unknown hash algo %q (crc32, sha1, sha256, sha384, sha512)", path, h)
			}
		}
	}
	confs := map[string]bool{}
	for _, c := range s.Configs {
		path := "/configurations/" + c.Name
		if !nameOK(c.Name) || confs[c.Name] {
			return fmt.Errorf("Node '%s': invalid or duplicate configuration name", path)
		}
		confs[c.Name] = true
		refs := append([]string{c.Kernel, c.Firmware, c.Ramdisk}, c.FDT...)
		refs = append(refs, c.Loadables...)
		for _, r := range refs {
			if r != "" && !images[r] {
				return fmt.Errorf("Node '%s': image '%s' is not in /images", path, r)
			}
		}
		for i, sig := range c.Signatures {
			if _, err := ParseSigAlgo(sig.Algo); err != nil {
				return fmt.Errorf("Node '%s/signature-%d': %v", path, i+1, err)
			}
			if !nameOK(sig.KeyName) {
				return fmt.Errorf("Node '%s/signature-%d': invalid key name %q", path, i+1, sig.KeyName)
			}
			if sig.Padding != "" && sig.Padding != PaddingPKCS15 && sig.Padding != PaddingPSS {
				return fmt.Errorf("Node '%s/signature-%d': unknown padding %q", path, i+1, sig.Padding)
			}
		}
	}
	if s.Default != "" && !confs[s.Default] {
		return fmt.Errorf("Node '/configurations': default '%s' is not a configuration", s.Default)
	}
	return nil
}

// LoadData fills Data from DataFile for images that have no Data yet.
func (s *Spec) LoadData() error {
	for i := range s.Images {
		img := &s.Images[i]
		if img.Data != nil {
			continue
		}
		if img.DataFile == "" {
			return fmt.Errorf("Node '/images/%s': no data_file", img.Name)
		}
		// data-size is 32-bit; devices and FIFOs are refused, not waited on.
		b, err := input.ReadFile(img.DataFile, 0xffffffff, "a FIT's data-size is 32-bit")
		if err != nil {
			return fmt.Errorf("Node '/images/%s': %v", img.Name, err)
		}
		img.Data = b
	}
	return nil
}

func addrValue(v uint64) []byte {
	if v > 0xffffffff {
		return fdt.U64(v)
	}
	return fdt.U32(uint32(v))
}

// node builds a tree node with properties in the order given.
type propList []*fdt.Property

func (p *propList) add(name string, v []byte) { *p = append(*p, &fdt.Property{Name: name, Value: v}) }
func (p *propList) str(name, v string) {
	if v != "" {
		p.add(name, fdt.String(v))
	}
}

// Tree returns the device tree dtc would compile from s.ITS().
func (s *Spec) Tree() (*fdt.Tree, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	t := fdt.NewTree()
	var root propList
	root.str("description", s.Description)
	root.add("#address-cells", fdt.U32(1))
	t.Root.Properties = root
	images := &fdt.Node{Name: "images"}
	for _, img := range s.Images {
		n := &fdt.Node{Name: img.Name}
		var p propList
		p.str("description", img.Description)
		if img.Data == nil {
			return nil, fmt.Errorf("Node '/images/%s': no data loaded", img.Name)
		}
		p.add("data", img.Data)
		p.str("type", img.Type)
		p.str("arch", img.Arch)
		p.str("os", img.OS)
		comp := img.Compression
		if comp == "" {
			comp = "none"
		}
		p.str("compression", comp)
		if img.Load != nil {
			p.add("load", addrValue(*img.Load))
		}
		if img.Entry != nil {
			p.add("entry", addrValue(*img.Entry))
		}
		n.Properties = p
		for i, h := range img.Hashes {
			n.Children = append(n.Children, &fdt.Node{Name: "hash-" + strconv.Itoa(i+1),
				Properties: []*fdt.Property{{Name: "algo", Value: fdt.String(h)}}})
		}
		images.Children = append(images.Children, n)
	}
	confs := &fdt.Node{Name: "configurations"}
	if s.Default != "" {
		confs.Properties = []*fdt.Property{{Name: "default", Value: fdt.String(s.Default)}}
	}
	for _, c := range s.Configs {
		n := &fdt.Node{Name: c.Name}
		var p propList
		p.str("description", c.Description)
		p.str("kernel", c.Kernel)
		p.str("firmware", c.Firmware)
		p.str("ramdisk", c.Ramdisk)
		if len(c.FDT) > 0 {
			p.add("fdt", fdt.Strings(c.FDT...))
		}
		if len(c.Loadables) > 0 {
			p.add("loadables", fdt.Strings(c.Loadables...))
		}
		p.str("compatible", c.Compatible)
		n.Properties = p
		for i, sig := range c.Signatures {
			var sp propList
			sp.str("algo", sig.Algo)
			sp.str("key-name-hint", sig.KeyName)
			sp.str("padding", sig.Padding)
			if len(sig.SignImages) > 0 {
				sp.add("sign-images", fdt.Strings(sig.SignImages...))
			}
			n.Children = append(n.Children, &fdt.Node{Name: "signature-" + strconv.Itoa(i+1), Properties: sp})
		}
		confs.Children = append(confs.Children, n)
	}
	t.Root.Children = []*fdt.Node{images, confs}
	return t, nil
}

// Build makes the FIT: the tree dtc would compile, then mkimage's steps.
func Build(s *Spec, opts Options) (*Result, error) {
	t, err := s.Tree()
	if err != nil {
		return nil, err
	}
	b, err := t.Encode(fdt.EncodeOptions{Spare: Headroom})
	if err != nil {
		return nil, err
	}
	return ProcessBuffer(b, opts)
}

func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = quote(s)
	}
	return strings.Join(q, ", ")
}

func cells(v uint64) string {
	if v > 0xffffffff {
		return fmt.Sprintf("<0x%x 0x%x>", v>>32, v&0xffffffff)
	}
	return fmt.Sprintf("<0x%x>", v)
}

// ITS renders s as .its source with /incbin/ of each DataFile, so that
// dtc + mkimage (or `fwtool mkimage -f`) produce what Build does.
func (s *Spec) ITS() (string, error) {
	if err := s.Validate(); err != nil {
		return "", err
	}
	var b strings.Builder
	w := func(depth int, format string, a ...interface{}) {
		b.WriteString(strings.Repeat("\t", depth))
		fmt.Fprintf(&b, format, a...)
		b.WriteByte('\n')
	}
	str := func(depth int, name, v string) {
		if v != "" {
			w(depth, "%s = %s;", name, quote(v))
		}
	}
	w(0, "/dts-v1/;")
	w(0, "")
	w(0, "/ {")
	str(1, "description", s.Description)
	w(1, "#address-cells = <1>;")
	w(1, "images {")
	for _, img := range s.Images {
		if img.DataFile == "" {
			return "", fmt.Errorf("Node '/images/%s': ITS output needs data_file", img.Name)
		}
		w(2, "%s {", img.Name)
		str(3, "description", img.Description)
		w(3, "data = /incbin/(%s);", quote(img.DataFile))
		str(3, "type", img.Type)
		str(3, "arch", img.Arch)
		str(3, "os", img.OS)
		comp := img.Compression
		if comp == "" {
			comp = "none"
		}
		str(3, "compression", comp)
		if img.Load != nil {
			w(3, "load = %s;", cells(*img.Load))
		}
		if img.Entry != nil {
			w(3, "entry = %s;", cells(*img.Entry))
		}
		for i, h := range img.Hashes {
			w(3, "hash-%d {", i+1)
			str(4, "algo", h)
			w(3, "};")
		}
		w(2, "};")
	}
	w(1, "};")
	w(1, "configurations {")
	str(2, "default", s.Default)
	for _, c := range s.Configs {
		w(2, "%s {", c.Name)
		str(3, "description", c.Description)
		str(3, "kernel", c.Kernel)
		str(3, "firmware", c.Firmware)
		str(3, "ramdisk", c.Ramdisk)
		if len(c.FDT) > 0 {
			w(3, "fdt = %s;", quoteList(c.FDT))
		}
		if len(c.Loadables) > 0 {
			w(3, "loadables = %s;", quoteList(c.Loadables))
		}
		str(3, "compatible", c.Compatible)
		for i, sig := range c.Signatures {
			w(3, "signature-%d {", i+1)
			str(4, "algo", sig.Algo)
			str(4, "key-name-hint", sig.KeyName)
			str(4, "padding", sig.Padding)
			if len(sig.SignImages) > 0 {
				w(4, "sign-images = %s;", quoteList(sig.SignImages))
			}
			w(3, "};")
		}
		w(2, "};")
	}
	w(1, "};")
	w(0, "};")
	return b.String(), nil
}

// KeyNames lists the key names the spec's signatures use, sorted.
func (s *Spec) KeyNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range s.Configs {
		for _, sig := range c.Signatures {
			if !seen[sig.KeyName] {
				seen[sig.KeyName] = true
				out = append(out, sig.KeyName)
			}
		}
	}
	sort.Strings(out)
	return out
}
