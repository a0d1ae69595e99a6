package hostile

import (
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

// FIT: a DTB whose /images nodes carry (or point at) payloads, possibly
// compressed.
func TestFIT(t *testing.T) { runFamily(t, fitCases(t)) }

func fitTree(data []byte, comp string, props map[string][]byte) []byte {
	tr := fdt.NewTree()
	tr.Root.SetProp("description", fdt.String("hostile"))
	tr.Root.SetProp("#address-cells", fdt.U32(1))
	k := tr.Root.AddChild("images").AddChild("kernel")
	k.SetProp("description", fdt.String("k"))
	if data != nil {
		k.SetProp("data", data)
	}
	k.SetProp("type", fdt.String("kernel"))
	k.SetProp("arch", fdt.String("arm"))
	k.SetProp("os", fdt.String("linux"))
	k.SetProp("compression", fdt.String(comp))
	k.SetProp("load", fdt.U32(0x80000000))
	k.SetProp("entry", fdt.U32(0x80000000))
	for n, v := range props {
		k.SetProp(n, v)
	}
	c := tr.Root.AddChild("configurations")
	c.SetProp("default", fdt.String("conf-1"))
	c.AddChild("conf-1").SetProp("kernel", fdt.String("kernel"))
	return tr.Bytes()
}

// fitSpec is a `fwtool fit` description whose kernel comes from file.
func fitSpec(file string) []byte {
	return []byte(`{"description": "d", "default": "conf-1", "images": [{"name": "kernel", "type": "kernel",
		"arch": "arm", "os": "linux", "compression": "none", "load": 0, "entry": 0, "data_file": "` + file + `"}],
		"configurations": [{"name": "conf-1", "kernel": "kernel"}]}`)
}

func fitCases(t *testing.T) []Case {
	one := func(b []byte) map[string][]byte { return map[string][]byte{"f.itb": b} }
	ext := func(off, size uint32) []byte {
		return fitTree(nil, "none", map[string][]byte{"data-offset": fdt.U32(off), "data-size": fdt.U32(size)})
	}
	return []Case{
		{Name: "external-size-huge-extract", Files: one(ext(0, 0xfffffff0)), Args: []string{"extract", "-i", "{in}/f.itb", "-f", "{out}/k", "kernel"}},
		{Name: "external-offset-huge-extract", Files: one(ext(0xfffffff0, 16)), Args: []string{"extract", "-i", "{in}/f.itb", "-f", "{out}/k", "kernel"}},
		{Name: "external-size-huge-ls", WantOK: true, Files: one(ext(0, 0xfffffff0)), Args: []string{"ls", "{in}/f.itb"}},
		{Name: "external-size-huge-list", WantOK: true, Files: one(ext(0, 0xfffffff0)), Args: []string{"mkimage", "-l", "{in}/f.itb"}},
		{Name: "spec-data-dev-zero", Files: map[string][]byte{"s.json": fitSpec("/dev/zero")}, Args: []string{"fit", "--spec", "{in}/s.json", "-o", "{out}/f.itb"}, WantErr: "character device"},
		{Name: "spec-data-fifo", Files: map[string][]byte{"s.json": fitSpec("fifo")}, Setup: fifo("fifo"), Args: []string{"fit", "--spec", "{in}/s.json", "-o", "{out}/f.itb"}},
		{Name: "verify-fifo-image", Setup: fifo("f.itb"), Files: map[string][]byte{"ctl.dtb": smallDTB(t)}, Args: []string{"verify", "-k", "{in}/ctl.dtb", "{in}/f.itb"}},
		{Name: "verify-dev-zero-key", Files: map[string][]byte{"f.itb": fitTree([]byte("k"), "none", nil)}, Args: []string{"verify", "-k", "/dev/zero", "{in}/f.itb"}, WantErr: "character device"},
		{Name: "mkimage-its-fifo", Setup: fifo("f.its"), Args: []string{"mkimage", "-f", "{in}/f.its", "{out}/f.itb"}},
		{Name: "mkimage-its-dev-zero", Args: []string{"mkimage", "-f", "/dev/zero", "{out}/f.itb"}, WantErr: "character device"},
		{Name: "gzip-garbage-extract", Files: one(fitTree([]byte("\x1f\x8b\x08garbage"), "gzip", nil)), Args: []string{"extract", "-i", "{in}/f.itb", "-f", "{out}/k", "kernel"}},
		// A kernel inflating to 1 GiB streams to the output file.
		{Name: "gzip-1GiB-extract", WantOK: true, Timeout: 60e9, Files: one(fitTree(gigaBomb(), "gzip", nil)), Args: []string{"extract", "-i", "{in}/f.itb", "-f", "{out}/k", "kernel"}, Check: outSize("k", 1<<30)},
		// --max-size bounds a payload whose container records no size.
		{Name: "gzip-1GiB-max-size", Files: one(fitTree(gigaBomb(), "gzip", nil)), Args: []string{"extract", "--max-size", "16M", "-i", "{in}/f.itb", "-f", "{out}/k", "kernel"}, WantErr: "more than 16777216"},
		{Name: "gzip-256MiB-extract-dir", WantOK: true, Timeout: 60e9, Files: one(fitTree(bomb256(), "gzip", nil)), Args: []string{"extract", "-i", "{in}/f.itb", "-O", "{out}", "kernel"}, Check: outSize("kernel", 256<<20)},
	}
}
