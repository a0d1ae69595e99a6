package binmandesc

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

// The alternates-fdt refusals: binman's words where binman refuses (its
// message for an unknown fdt-phase, as the suite's fdt/alternates_inval
// records it), ours for what fwtool does not do.
func TestAlternatesErrors(t *testing.T) {
	dir := t.TempDir()
	model := fdt.NewTree()
	model.Root.SetProp("model", fdt.String(strings.Repeat("big model ", 40)))
	if err := os.MkdirAll(filepath.Join(dir, "dtb"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dtb", "m.dtb"), model.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	cwd, _ := os.Getwd()
	for _, tc := range []struct{ body, want string }{
		{`alternates-fdt { u-boot-dtb { }; };`, "Node '/binman/alternates-fdt': Missing required properties/entry args: fdt-list-dir"},
		{`alternates-fdt { fdt-list-dir = "nodir"; u-boot-dtb { }; };`, "Filename 'nodir' not found in input path (" + dir + ") (cwd='" + cwd + "')"},
		{`alternates-fdt { fdt-list-dir = "dtb"; fdt-phase = "bad-phase"; u-boot-dtb { }; };`, "Invalid U-Boot phase 'bad-phase': Use tpl/vpl/spl"},
		{`alternates-fdt { fdt-list-dir = "dtb"; fdt-phase = "spl"; u-boot-dtb { }; };`, "Node '/binman/alternates-fdt': 'fdt-phase' (fdtgrep) is not supported"},
		{`alternates-fdt { fdt-list-dir = "dtb"; u-boot-dtb { compress = "lz4"; }; };`, "Node '/binman/alternates-fdt/u-boot-dtb': a compressed device tree in alternates-fdt is not supported"},
		{`alternates-fdt { fdt-list-dir = "dtb"; u-boot-dtb { }; };`, "Node '/binman/alternates-fdt': alternate 'm' device tree (" + strconv.Itoa(len(model.Bytes())) + " bytes) is larger than entry 'alternates-fdt/u-boot-dtb'"},
	} {
		out := t.TempDir()
		_, err := buildAll(t, compile(t, tc.body), Options{InputDirs: []string{dir}}, out, false)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant %s", tc.body, err, tc.want)
		}
	}
	// No model: binman writes no alternates and checks no phase.
	out := t.TempDir()
	if _, err := buildAll(t, compile(t, `alternates-fdt { fdt-list-dir = "empty"; fdt-phase = "bad"; u-boot-dtb { }; };`), Options{InputDirs: []string{dir}}, out, false); err != nil {
		t.Fatal(err)
	}
	if names, _ := filepath.Glob(filepath.Join(out, "*")); len(names) != 1 {
		t.Errorf("outputs %v, want image.bin alone", names)
	}
}
