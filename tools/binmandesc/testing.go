package binmandesc

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's "_testing" entry type (etype/_testing.py), the entry its own
// test descriptions use: two bytes "aa", with flags that make it change
// size after packing, provide contents once or never, place an unknown
// entry, or read test entry arguments. No board uses it; fwtool reads it
// so binman's test descriptions build as binman builds them (the layout
// engine's testing.go does the packing side).

func registerTesting() { etypeReaders["_testing"] = readTesting }

// testingArgs are the entry arguments _testing reads, in binman's order
// (each an entry argument, else the node's property).
var testingArgs = []struct {
	name  string
	isInt bool
}{
	{"test-str-fdt", false}, {"test-str-arg", false},
	{"test-int-fdt", true}, {"test-int-arg", true},
}

func readTesting(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
	flag := func(name string) bool { return n.Prop(name) != nil }
	var missing []string
	for _, a := range testingArgs {
		found, err := c.testingArg(n, path, a.name, a.isInt)
		if err != nil {
			return err
		}
		if !found && flag("require-args") {
			missing = append(missing, a.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("Node '%s': Missing required properties/entry args: %s", path, strings.Join(missing, ", "))
	}
	if flag("force-bad-datatype") {
		// binman asks for a bool argument, which neither of its readers
		// knows; the message is the reader's.
		if _, ok := c.opts.EntryArgs["test-bad-datatype-arg"]; ok {
			return fmt.Errorf("GetArg() internal error: Unknown data type '<class 'bool'>'")
		}
		return fmt.Errorf("fdt_util internal error: Unknown data type '<class 'bool'>'")
	}
	if flag("never-complete-process-fdt") {
		return fmt.Errorf("Image '%s': Internal error: Could not complete processing of Fdt: remaining [%s]", c.imagePath(), path)
	}
	// return-contents-later only delays binman's contents pass, and the
	// require-bintool-* checks pass whenever binman collected its bintools
	// (always in a build): neither changes the output.
	// The layout engine reads the entry's other flags from its properties.
	out.Type = "_testing"
	return nil
}

// testingArg is binman's GetArg for _testing: the entry argument (an
// integer one must convert), else the property, read as dtoc's fdt_util
// reads it. found is false when neither is given.
func (c *converter) testingArg(n *fdt.Node, path, name string, isInt bool) (bool, error) {
	if a, ok := c.opts.EntryArgs[name]; ok {
		if isInt {
			if _, err := strconv.ParseInt(strings.TrimSpace(a), 10, 64); err != nil {
				return false, fmt.Errorf("Node '%s': Cannot convert entry arg '%s' (value '%s') to integer", path, name, a)
			}
		}
		return true, nil
	}
	p := n.Prop(name)
	if p == nil {
		return false, nil
	}
	if isInt {
		if len(p.Value) > 4 && len(p.Value)%4 == 0 {
			return false, fmt.Errorf("Node '%s' property '%s' has list value: expecting a single integer", n.Name, name)
		}
		if len(p.Value) != 4 {
			return false, fmt.Errorf("Node '%s': property '%s' has length %d, expected 4", path, name, len(p.Value))
		}
		_ = binary.BigEndian.Uint32(p.Value)
		return true, nil
	}
	if len(p.Value) > 0 && strings.Count(strings.TrimSuffix(string(p.Value), "\x00"), "\x00") > 0 {
		return false, fmt.Errorf("Node '%s' property '%s' has list value: expecting a single string", n.Name, name)
	}
	return true, nil
}

// imagePath is the node path of the image being read.
func (c *converter) imagePath() string {
	if c.imageNode == c.tree.Root.Child("binman") {
		return "/binman"
	}
	return "/binman/" + c.imageNode.Name
}
