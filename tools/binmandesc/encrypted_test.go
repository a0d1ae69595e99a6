package binmandesc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEncryptedRefusesDescriptionDTB: binman puts the cipher node into
// the description's own device tree too; an image holding that tree (or
// an fdtmap) is refused rather than built without it.
func TestEncryptedRefusesDescriptionDTB(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"fw.iv": "0123", "fw.key": "KEY!"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	enc := `encrypted { algo = "aes128"; iv-filename = "fw.iv"; key-filename = "fw.key"; };`
	for _, tc := range []struct{ body, want string }{
		{`s { type = "section"; ` + enc + ` }; u-boot-dtb { };`, "('/binman/u-boot-dtb') is not supported by fwtool"},
		{`s { type = "section"; ` + enc + ` }; fdtmap { };`, "('/binman/fdtmap') is not supported by fwtool"},
		{`s { type = "section"; ` + enc + ` u-boot { }; };`, "('/binman/s/u-boot') is not supported by fwtool"},
		{`s { type = "section"; ` + enc + ` }; u-boot { no-expanded; };`, ""},
		// A FIT image node named u-boot is no u-boot entry; its content is.
		{`fit { description = "d"; images { u-boot { hash { algo = "sha256"; }; ` + enc + ` }; }; };`, ""},
		{`fit { description = "d"; images { u-boot { ` + enc + ` u-boot-dtb { }; }; }; };`, "('/binman/fit/images/u-boot/u-boot-dtb') is not supported"},
		{`s { type = "section"; encrypted { algo = "a"; iv-filename = "nothere"; key-source = "k"; }; };`, "Filename 'nothere' not found in input path (" + dir + ")"},
	} {
		_, err := Convert(compile(t, tc.body), Options{InputDirs: []string{dir}, TempDir: t.TempDir()})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.body, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s:\n got %v\nwant ...%s...", tc.body, err, tc.want)
		}
	}
}

// TestFitEncryptRefused: with fit,encrypt and a key directory mkimage
// would encrypt the images that have a cipher node; fwtool refuses that
// by name.
func TestFitEncryptRefused(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"aes.bin", "fw.bin"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("0123456789abcdef0123456789abcdef"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	body := `fit { description = "d"; fit,encrypt; images { fw { description = "fw"; type = "firmware";
		cipher { algo = "aes256"; key-name-hint = "aes"; }; blob { filename = "fw.bin"; }; }; }; };`
	_, err := Convert(compile(t, body), Options{InputDirs: []string{dir}, TempDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "Node '/binman/fit': 'fit,encrypt' (mkimage's AES encryption") {
		t.Fatalf("got %v", err)
	}
}
