package binmandesc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
	"github.com/rules-firmware/rules_firmware/tools/uimage"
)

// binman's mkimage entry runs mkimage -d <children's data> <args>. fwtool
// builds mkimage's legacy image types (kernel, script, multi, firmware,
// ...; tools/uimage) from the -A -O -T -C -a -e -n arguments, with
// mkimage's defaults (powerpc, linux, kernel, gzip) and a zero timestamp
// (mkimage's with SOURCE_DATE_EPOCH=0). Other types (imximage, rkspi, ...)
// and other arguments are refused by name. An imagename node or
// data-to-imagename makes binman pass -n a file in its output directory,
// whose path the legacy header records as the name, as here.
func registerMkimage() { etypeReaders["mkimage"] = readMkimage }

// mkimageArgs is fdt_util.GetArgs: one string is split at white space,
// several are taken as they are.
func mkimageArgs(n *fdt.Node) []string {
	p := n.Prop("args")
	if p == nil {
		return nil
	}
	l, _ := fdt.SplitStrings(p.Value)
	if len(l) == 1 {
		return strings.Fields(l[0])
	}
	return l
}

func readMkimage(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
	toName := n.Prop("data-to-imagename") != nil
	imagename := n.Child("imagename") != nil
	if toName && imagename {
		return fmt.Errorf("Node '%s': Cannot use both imagename node and data-to-imagename", path)
	}
	multi := n.Prop("multiple-data-files") != nil
	// binman passes -n a file it wrote: the legacy types take the path as
	// the image name (arguments may still give -n after it).
	name := ""
	switch uniq := uniqueName(path); {
	case imagename:
		name = pyJoin(c.opts.OutDir, "mkimage-n."+uniq)
	case toName && multi:
		var files []string
		for _, sub := range n.Children {
			if !special(sub) {
				files = append(files, pyJoin(c.opts.OutDir, "mkimage-in-"+uniq+"-"+sub.Name))
			}
		}
		name = strings.Join(files, ":")
	case toName:
		name = pyJoin(c.opts.OutDir, "mkimage."+uniq)
	}
	spec, err := legacySpec(path, name, mkimageArgs(n))
	if err != nil {
		return err
	}
	spec.MultipleDataFiles = multi
	spec.Imagename = imagename
	if spec.MultipleDataFiles && !uimage.HasSizeTable(spec.Type) {
		return fmt.Errorf("Node '%s': multiple-data-files needs an image type with a size table (multi, script)", path)
	}
	out.Type = "mkimage"
	out.Mkimage = spec
	// binman writes mkimage's output to "filename" too.
	out.Filename = v.strings["filename"]
	// binman never builds the imagename node's data for a legacy image.
	out.Entries, err = c.children(n, path, rel, hasPos && !imagename, "imagename")
	return err
}

// uniqueName is binman's GetUniqueName: the node's path below the binman
// node, '.' between names.
func uniqueName(path string) string {
	return strings.ReplaceAll(strings.TrimPrefix(path, "/binman/"), "/", ".")
}

// legacySpec reads mkimage's arguments for a legacy image.
func legacySpec(path, name string, args []string) (*layout.MkimageSpec, error) {
	names := map[string]string{"A": "powerpc", "O": "linux", "T": "kernel", "C": "gzip"}
	var load, entry uint64
	entrySet := false
	spec := &layout.MkimageSpec{Name: name}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) != 2 || a[0] != '-' || !strings.Contains("AOTCaen", a[1:]) {
			return nil, fmt.Errorf("Node '%s': mkimage argument '%s' is not supported by fwtool", path, a)
		}
		if i+1 == len(args) {
			return nil, fmt.Errorf("Node '%s': mkimage argument '%s' needs a value", path, a)
		}
		i++
		val := args[i]
		switch f := a[1:]; f {
		case "A", "O", "T", "C":
			names[f] = val
		case "a", "e":
			x, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(val), "0x"), 16, 32)
			if err != nil {
				return nil, fmt.Errorf("Node '%s': mkimage -%s: invalid address '%s'", path, f, val)
			}
			if f == "a" {
				load = x
			} else {
				entry, entrySet = x, true
			}
		case "n":
			spec.Name = val
		}
	}
	for _, t := range []struct {
		flag  string
		table *uimage.Table
		dst   *uint8
	}{{"A", &uimage.Arch, &spec.Arch}, {"O", &uimage.OS, &spec.OS}, {"T", &uimage.Type, &spec.Type}, {"C", &uimage.Comp, &spec.Comp}} {
		id, ok := t.table.Lookup(names[t.flag])
		if !ok || (t.flag == "T" && !uimage.IsLegacy(id)) {
			return nil, fmt.Errorf("Node '%s': mkimage -%s %s is not supported by fwtool (legacy uImage types only)", path, t.flag, names[t.flag])
		}
		*t.dst = id
	}
	if !entrySet {
		entry = load
	}
	spec.Load, spec.Entry = uint32(load), uint32(entry)
	spec.Name, _ = uimage.TruncateName(spec.Name)
	return spec, nil
}
