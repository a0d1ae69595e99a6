package fit

import (
	"bytes"
	"fmt"
	"strings"
)

// Region is a byte range of a FIT blob that a configuration signature
// covers.
type Region struct {
	Offset, Size int
}

// excludedProps are never hashed, so moving image data in or out of the
// FDT (mkimage -E) does not change a configuration's signature.
var excludedProps = []string{"data", "data-size", "data-position", "data-offset"}

func inList(s string, list []string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// findRegions walks the structure block and returns the regions U-Boot's
// fdt_find_regions selects for the node paths in include: for an included
// node, its tags, its properties (except excludedProps) and the BEGIN/END
// tags of its direct subnodes; for every ancestor of an included node, its
// BEGIN/END tags. Adjacent pieces merge. The last region runs from the
// END tag through the strings block when withStrings is set.
func (d *blob) findRegions(includeNodes, excludeProps []string, withStrings bool) ([]Region, error) {
	const maxDepth = 32
	var stack [maxDepth]int
	base := d.offStruct()
	var regions []Region
	start, depth, want := -1, -1, 0
	var path []string
	expectEnd := false
	next := 0
	for {
		offset := next
		tag, n, err := d.nextTag(offset)
		if err != nil {
			return nil, err
		}
		next = n
		stopAt := next
		include := false
		if expectEnd && tag != tagEnd {
			return nil, fmt.Errorf("structure block: content after the root node at %#x", offset)
		}
		switch tag {
		case tagProp:
			stopAt = offset
			p := d.offStruct() + offset
			name, err := d.stringAt(int(d.u32(p + 8)))
			if err != nil {
				return nil, err
			}
			include = want >= 2 && !inList(name, excludeProps)
		case tagNop:
			stopAt = offset
			include = want >= 2
		case tagBeginNode:
			depth++
			if depth == maxDepth {
				return nil, fmt.Errorf("structure block: nodes nested deeper than %d", maxDepth)
			}
			name := d.nodeName(offset)
			if depth == 0 && name != "" {
				return nil, fmt.Errorf("structure block: root node has a name %q", name)
			}
			path = append(path, name)
			p := "/" + strings.Join(path[1:], "/")
			stack[depth] = want
			if want == 1 {
				stopAt = offset
			}
			if inList(p, includeNodes) {
				want = 2
			} else if want > 0 {
				want--
			} else {
				stopAt = offset
			}
			include = want > 0
		case tagEndNode:
			if depth < 0 {
				return nil, fmt.Errorf("structure block: unbalanced END_NODE at %#x", offset)
			}
			include = want > 0
			want = stack[depth]
			depth--
			path = path[:len(path)-1]
			if depth == -1 {
				expectEnd = true
			}
		case tagEnd:
			include = true
		}
		if include && start == -1 {
			if len(regions) > 0 && offset == regions[len(regions)-1].Offset+regions[len(regions)-1].Size-base {
				start = regions[len(regions)-1].Offset - base
				regions = regions[:len(regions)-1]
			} else {
				start = offset
			}
		}
		if !include && start != -1 {
			regions = append(regions, Region{Offset: base + start, Size: stopAt - start})
			start = -1
		}
		if tag == tagEnd {
			break
		}
	}
	if next != d.sizeStruct() {
		return nil, fmt.Errorf("structure block: END tag at %#x but the block is %#x bytes", next-4, d.sizeStruct())
	}
	last := Region{Offset: base + start, Size: next - start}
	if withStrings {
		last.Size += d.sizeStrings()
	}
	return append(regions, last), nil
}

// stringList splits a NUL-separated property value.
func stringList(v []byte) []string {
	v = bytes.TrimSuffix(v, []byte{0})
	if len(v) == 0 {
		return nil
	}
	return strings.Split(string(v), "\x00")
}

// configHashNodes is the list of node paths a configuration signature
// covers, as mkimage computes it: the root, the configuration, and for each
// image the configuration names under the signature's "sign-images" (by
// default kernel and fdt) the image node, its hash-* subnodes and its cipher
// subnode.
func (d *blob) configHashNodes(conf, sig int) ([]string, error) {
	confName := d.nodeName(conf)
	sigName := d.nodeName(sig)
	nodes := []string{"/", "/configurations/" + confName}
	kinds := []string{"kernel", "fdt"}
	allowMissing := true
	if p, err := d.prop(sig, "sign-images"); err == nil {
		kinds = stringList(p.value)
		allowMissing = false
		if len(kinds) == 0 {
			return nodes, nil
		}
	}
	images, err := d.pathOffset("/images")
	if err != nil {
		return nil, fmt.Errorf("Node '/images': missing (%v)", err)
	}
	count := 0
	for _, kind := range kinds {
		p, err := d.prop(conf, kind)
		if err != nil {
			continue
		}
		for _, name := range stringList(p.value) {
			img, err := d.subnode(images, name)
			if err != nil {
				if allowMissing {
					continue
				}
				return nil, fmt.Errorf("Node '/configurations/%s/%s': image '%s' named by '%s' not found in /images", confName, sigName, name, kind)
			}
			imgPath := "/images/" + d.nodeName(img)
			nodes = append(nodes, imgPath)
			kids, err := d.subnodes(img)
			if err != nil {
				return nil, err
			}
			hashes := 0
			for _, k := range kids {
				if strings.HasPrefix(d.nodeName(k), "hash") {
					nodes = append(nodes, imgPath+"/"+d.nodeName(k))
					hashes++
				}
			}
			if hashes == 0 {
				return nil, fmt.Errorf("Node '/configurations/%s/%s': image '%s' has no hash node, so the signature could not protect it", confName, sigName, name)
			}
			if c, err := d.subnode(img, "cipher"); err == nil {
				nodes = append(nodes, imgPath+"/"+d.nodeName(c))
			}
			count++
		}
	}
	if count == 0 {
		return nil, fmt.Errorf("Node '/configurations/%s/%s': no images to sign", confName, sigName)
	}
	return nodes, nil
}
