package binmandesc

import "testing"

// TestMkimageNameFromFile: with an imagename node or data-to-imagename
// binman passes mkimage -n the path of a file in its output directory,
// which a legacy image records as its name (cut to 32 bytes); an -n in
// args comes later and wins.
func TestMkimageNameFromFile(t *testing.T) {
	for _, tc := range []struct {
		outDir, body, want string
		imagename          bool
	}{
		{"out", `mkimage { args = "-T script"; u-boot { }; imagename { type = "u-boot"; }; };`, "out/mkimage-n.mkimage", true},
		{"/o/", `s { type = "section"; m { type = "mkimage"; args = "-T script"; data-to-imagename; u-boot { }; }; };`, "/o/mkimage.s.m", false},
		{"", `mkimage { args = "-T multi"; multiple-data-files; data-to-imagename; a { type = "u-boot"; }; b { type = "u-boot"; }; };`, "mkimage-in-mkimage-a:mkimage-in-", false},
		{"out", `mkimage { args = "-T script -n given"; imagename { type = "u-boot"; }; };`, "given", true},
	} {
		ms, err := Convert(compile(t, tc.body), Options{OutDir: tc.outDir, TempDir: t.TempDir()})
		if err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		n := &ms[0].Image.Entries[0]
		if n.Type == "section" {
			n = &n.Entries[0]
		}
		if n.Mkimage == nil || n.Mkimage.Name != tc.want || n.Mkimage.Imagename != tc.imagename {
			t.Errorf("%s: got %+v, want name %q imagename %v", tc.body, n.Mkimage, tc.want, tc.imagename)
		}
		for _, e := range n.Entries {
			if e.Name == "imagename" {
				t.Errorf("%s: imagename node built as an entry", tc.body)
			}
		}
	}
}
