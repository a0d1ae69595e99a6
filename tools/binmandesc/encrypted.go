package binmandesc

import (
	"fmt"
	"os"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's encrypted entry encrypts nothing: it describes how data that
// is already encrypted is to be decrypted, by adding a "cipher" subnode
// to its parent with algo, the IV read from iv-filename and the key read
// from key-filename and/or the key-source string. Below a FIT image node
// that cipher node becomes the image's (mkimage leaves it alone when it
// has no key directory); the entry itself has no data.
func registerEncrypted() { etypeReaders["encrypted"] = readEncrypted }

func readEncrypted(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
	if _, err := c.encryptedCipher(n, path); err != nil {
		return err
	}
	if holder := descriptionDTBHolder(c.tree.Root.Child("binman"), "/binman"); holder != "" {
		// binman adds the cipher node to the description's device trees
		// too, with libfdt's leftover padding bytes and string order.
		return fmt.Errorf("Node '%s': an encrypted entry with the description's device tree in an image ('%s') is not supported by fwtool (binman adds the cipher node to that tree too)", path, holder)
	}
	out.Type = "encrypted"
	return nil
}

// encryptedCipher checks the entry as binman's Entry_encrypted does and
// returns the cipher node it adds, properties in binman's order.
func (c *converter) encryptedCipher(n *fdt.Node, path string) (*fdt.Node, error) {
	if err := requireProps(n, path, "encrypted", "algo", "iv-filename"); err != nil {
		return nil, err
	}
	keyFile, hasKeyFile := n.PropString("key-filename")
	keySource, hasKeySource := n.PropString("key-source")
	if !hasKeyFile && !hasKeySource {
		return nil, fmt.Errorf("Node '%s': Provide either 'key-filename' or 'key-source'", path)
	}
	algo, _ := n.PropString("algo")
	ivFile, _ := n.PropString("iv-filename")
	iv, err := c.readInput(ivFile)
	if err != nil {
		return nil, err
	}
	cipher := &fdt.Node{Name: "cipher"}
	add := func(name string, v []byte) {
		cipher.Properties = append(cipher.Properties, &fdt.Property{Name: name, Value: v})
	}
	add("algo", fdt.String(algo))
	add("iv", iv)
	if hasKeyFile {
		key, err := c.readInput(keyFile)
		if err != nil {
			return nil, err
		}
		add("key", key)
	}
	if hasKeySource {
		add("key-source", fdt.String(keySource))
	}
	return cipher, nil
}

// readInput reads a file from the input directories, failing with
// binman's tools.get_input_filename message.
func (c *converter) readInput(name string) ([]byte, error) {
	p := c.resolve(name)
	data, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		cwd, _ := os.Getwd()
		return nil, fmt.Errorf("Filename '%s' not found in input path (%s) (cwd='%s')", name, strings.Join(c.opts.InputDirs, ","), cwd)
	}
	return data, err
}

// descriptionDTBHolder is the path of the first entry below n whose data
// holds the description's device tree (or a part of it, as the fdtmap
// does), or "". A FIT's image nodes are not entries; their content
// subnodes are.
func descriptionDTBHolder(n *fdt.Node, path string) string {
	if n == nil {
		return ""
	}
	for _, k := range n.Children {
		if special(k) {
			continue
		}
		kp := path + "/" + k.Name
		etype, ok := k.PropString("type")
		if !ok {
			etype = strings.SplitN(k.Name, "@", 2)[0]
		}
		switch {
		case etype == "fdtmap", strings.HasSuffix(etype, "-dtb"), strings.HasPrefix(etype, "u-boot-dtb"):
			return kp
		case (etype == "u-boot" || etype == "u-boot-spl" || etype == "u-boot-tpl" || etype == "u-boot-vpl") && k.Prop("no-expanded") == nil:
			return kp
		case etype == "fit":
			if images := k.Child("images"); images != nil {
				for _, img := range images.Children {
					if h := descriptionDTBHolder(img, kp+"/images/"+img.Name); h != "" {
						return h
					}
				}
			}
			continue
		}
		if h := descriptionDTBHolder(k, kp); h != "" {
			return h
		}
	}
	return ""
}
