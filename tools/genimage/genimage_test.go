package genimage

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/fip"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
	"github.com/rules-firmware/rules_firmware/tools/squashfs"
	"github.com/rules-firmware/rules_firmware/tools/vfat"
)

// tree is a test directory: in/ (inputs), root/ (filesystem content),
// out/ (ours), ref/ (genimage's), tmp/.
type tree struct {
	t   *testing.T
	dir string
}

func newTree(t *testing.T, files map[string]string) *tree {
	dir := t.TempDir()
	for _, d := range []string{"in", "root", "out", "ref", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &tree{t, dir}
}

func (tr *tree) path(p string) string { return filepath.Join(tr.dir, p) }

// ours builds cfg into out/ with the paths of the tree.
func (tr *tree) ours(cfg string, env map[string]string) error {
	c, err := disk.ParseGenimage(cfg, disk.GenimageSource{
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Include: func(name string) (string, string, error) {
			b, err := os.ReadFile(tr.path(name))
			return name, string(b), err
		},
	})
	if err != nil {
		return err
	}
	w := outfile.NewBatch()
	defer w.Abort()
	o := Options{InputPath: tr.path("in"), OutputPath: tr.path("out"), RootPath: tr.path("root"), Seed: "test", ModTime: testEpoch}
	if err := Build(c, o, w); err != nil {
		return err
	}
	return w.Commit()
}

// ref runs Debian's genimage on cfg into ref/.
func (tr *tree) ref(cfg string, env ...string) {
	tr.t.Helper()
	if _, err := exec.LookPath("genimage"); err != nil {
		tr.t.Fatal("genimage not installed (bazelw installs it)")
	}
	cfgPath := tr.path("genimage.cfg")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		tr.t.Fatal(err)
	}
	os.RemoveAll(tr.path("tmp"))
	cmd := exec.Command("genimage", "--config", cfgPath, "--inputpath", tr.path("in"), "--outputpath", tr.path("ref"),
		"--rootpath", tr.path("root"), "--tmppath", tr.path("tmp"))
	cmd.Dir = tr.dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		tr.t.Fatalf("genimage: %v\n%s", err, out)
	}
}

func (tr *tree) read(p string) []byte {
	b, err := os.ReadFile(tr.path(p))
	if err != nil {
		tr.t.Fatal(err)
	}
	return b
}

func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Every type fwtool cannot write is an error naming the image and its
// type, and nothing is written, even for the images before it.
func TestUnsupportedTypesFail(t *testing.T) {
	for _, typ := range []string{"ubi", "ubifs", "jffs2", "iso", "qemu", "cramfs", "btrfs", "f2fs", "erofs", "custom", "mdraid", "verity"} {
		tr := newTree(t, map[string]string{"in/x": "x"})
		cfg := `image ok.img { hdimage {} partition p { image = "x" } }
image bad.img { ` + typ + ` {} }`
		err := tr.ours(cfg, nil)
		if err == nil || !strings.Contains(err.Error(), "'bad.img'") || !strings.Contains(err.Error(), "'"+typ+"'") {
			t.Errorf("%s: error %v", typ, err)
		}
		if ents, _ := os.ReadDir(tr.path("out")); len(ents) != 0 {
			t.Errorf("%s: output written: %v", typ, ents)
		}
	}
	for _, cfg := range []string{
		`image a { hdimage {} exec-pre = "touch x" }`,
		`image a { hdimage {} exec-post = "touch x" }`,
		`image a { vfat { extraargs = "-R 2" } size = 1M }`,
		`image a { fip { extraargs = "--align 3" nt-fw = "x" } }`,
		`image a { fip { extraargs = "--blob uuid=x" nt-fw = "x" } }`,
		`image a { vfat { extraargs = "-n 'unterminated" } size = 1M }`,
		`image a { squashfs { extraargs = "-Xdict-size 100%" } }`,
		`image a { vfat {} size = 50% }`,
		`image a { vfat {} }`,
		`image a { hdimage {} partition p { image = "b" } } image b { hdimage {} partition q { image = "a" } }`,
		`image a { cpio { format = "odc" } }`,
	} {
		tr := newTree(t, nil)
		if err := tr.ours(cfg, nil); err == nil {
			t.Errorf("accepted %s", cfg)
		}
	}
}

// A vfat image inside an hdimage: genimage builds the vfat first. The
// disks' partition tables are identical; the FAT differs (mkdosfs picks a
// volume ID from the clock, mcopy stamps the time) so it is checked with
// fsck.fat and mtools instead.
func TestVfatInHDImage(t *testing.T) {
	tr := newTree(t, map[string]string{"in/zImage": strings.Repeat("kernel", 3000), "in/b.dtb": "dtb", "in/extlinux.conf": "label linux\n"})
	cfg := `image boot.vfat {
	vfat {
		extraargs = "-n 'BOOT'"
		files = {"zImage", "b.dtb"}
		file extlinux/extlinux.conf { image = "extlinux.conf" }
	}
	size = 4M
}
image sd.img {
	hdimage {}
	partition boot { partition-type = 0xc bootable = true image = "boot.vfat" offset = 1M }
}
`
	tr.ref(cfg)
	if err := tr.ours(cfg, nil); err != nil {
		t.Fatal(err)
	}
	ours, ref := tr.read("out/sd.img"), tr.read("ref/sd.img")
	if len(ours) != len(ref) || !bytes.Equal(ours[:512], ref[:512]) {
		t.Fatalf("disk: %d bytes vs genimage's %d, MBR equal %v", len(ours), len(ref), bytes.Equal(ours[:512], ref[:512]))
	}
	fat := tr.path("out/boot.vfat")
	if got := tr.read("out/boot.vfat"); !bytes.Equal(got, ours[1<<20:1<<20+len(got)]) || len(got) != 4<<20 {
		t.Fatalf("boot.vfat (%d bytes) is not partition 1 of sd.img", len(got))
	}
	tool(t, "fsck.fat", "-n", fat)
	if got := tool(t, "mtype", "-i", fat, "::extlinux/extlinux.conf"); got != "label linux\n" {
		t.Errorf("extlinux.conf reads %q", got)
	}
	if got := tool(t, "mtype", "-i", fat, "::zImage"); got != strings.Repeat("kernel", 3000) {
		t.Errorf("zImage differs (%d bytes)", len(got))
	}
	f, err := os.Open(fat)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fsys, err := vfat.Open(f, 4<<20)
	if err != nil || fsys.Label != "BOOT" {
		t.Errorf("label %q (%v)", fsys.Label, err)
	}
}

// squashfs from rootpath/mountpoint: unsquashfs lists what genimage's
// mksquashfs put there, with genimage's 4 KiB default block size (gzip
// and lzo).
func TestSquashfsFromRoot(t *testing.T) {
	tr := newTree(t, map[string]string{"root/usr/bin/tool": "#!/bin/sh\n", "root/usr/share/a.txt": strings.Repeat("a", 10000), "root/etc/x": "x", "root/etc/b.txt": strings.Repeat("b", 10000)})
	cfg := `image usr.squashfs { squashfs { compression = "gzip" } mountpoint = "/usr" }
image all.squashfs { squashfs {} }
image lzo.squashfs { squashfs { compression = "lzo" } mountpoint = "/etc" }
`
	tr.ref(cfg)
	if err := tr.ours(cfg, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"usr.squashfs", "all.squashfs", "lzo.squashfs"} {
		list := func(dir string) string {
			var names []string
			for _, l := range strings.Split(tool(t, "unsquashfs", "-d", "", "-lc", tr.path(dir+"/"+name)), "\n") {
				if strings.TrimSpace(l) != "" {
					names = append(names, strings.TrimSpace(l))
				}
			}
			return strings.Join(names, " ")
		}
		if o, r := list("out"), list("ref"); o != r {
			t.Errorf("%s: files %q, genimage's %q", name, o, r)
		}
		f, err := os.Open(tr.path("out/" + name))
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		fsys, err := squashfs.Open(f, st.Size())
		f.Close()
		if err != nil || fsys.Super.BlockSize != 4096 {
			t.Errorf("%s: block size %v (%v)", name, fsys, err)
		} else if name == "lzo.squashfs" && fsys.Super.Compressor != 3 {
			t.Errorf("%s: compressor id %d, want 3 (lzo)", name, fsys.Super.Compressor)
		}
	}
	ex := tr.path("x")
	tool(t, "unsquashfs", "-d", ex, tr.path("out/usr.squashfs"))
	if b, _ := os.ReadFile(filepath.Join(ex, "share/a.txt")); string(b) != strings.Repeat("a", 10000) {
		t.Errorf("share/a.txt: %d bytes", len(b))
	}
	lx := tr.path("lx")
	tool(t, "unsquashfs", "-d", lx, tr.path("out/lzo.squashfs"))
	if b, _ := os.ReadFile(filepath.Join(lx, "b.txt")); string(b) != strings.Repeat("b", 10000) {
		t.Errorf("lzo: b.txt: %d bytes", len(b))
	}
}

// fip: genimage runs fiptool create; our package is byte-identical.
func TestFipMatchesGenimage(t *testing.T) {
	tr := newTree(t, map[string]string{"in/bl31.bin": "bl31", "in/u-boot.bin": strings.Repeat("u", 999), "in/tee.bin": "tee", "in/tee-pager.bin": "pager", "in/u-boot.dtb": "dtb"})
	cfg := `image fip.bin { fip { extraargs = "--align 64" soc-fw = "bl31.bin" nt-fw = "u-boot.bin" tos-fw = {"tee.bin", "tee-pager.bin"} hw-config = "u-boot.dtb" } }`
	tr.ref(cfg)
	if err := tr.ours(cfg, nil); err != nil {
		t.Fatal(err)
	}
	if o, r := tr.read("out/fip.bin"), tr.read("ref/fip.bin"); !bytes.Equal(o, r) {
		t.Fatalf("fip differs from genimage's (%d vs %d bytes)", len(o), len(r))
	}
	p, err := fip.Parse(tr.read("out/fip.bin"))
	if err != nil || len(p.Entries) != 5 {
		t.Fatalf("fip %+v %v", p, err)
	}
}

// include, ${VAR}, ${VAR:-default} and the config section, checked
// against genimage on the same files: the disk is identical.
func TestIncludeEnvConfigSection(t *testing.T) {
	tr := newTree(t, map[string]string{"in/a.bin": strings.Repeat("A", 1000), "in/b.bin": "B",
		"parts.cfg": `partition b { image = "${PART_B:-b.bin}" offset = ${OFF} partition-type = 0x83 }`})
	cfg := `image disk.img {
	hdimage { disk-signature = 0x${SIG} }
	partition a { image = "${PART_A}" partition-type = 0x83 }
	include("parts.cfg")
}
`
	env := map[string]string{"PART_A": "a.bin", "OFF": "64K", "SIG": "12345678"}
	expanded := strings.NewReplacer("${PART_A}", "a.bin", "${OFF}", "64K", "${SIG}", "12345678").Replace(cfg)
	expanded = strings.Replace(expanded, `include("parts.cfg")`, `partition b { image = "b.bin" offset = 64K partition-type = 0x83 }`, 1)
	tr.ref(expanded)
	if err := tr.ours(cfg, env); err != nil {
		t.Fatal(err)
	}
	if o, r := tr.read("out/disk.img"), tr.read("ref/disk.img"); !bytes.Equal(o, r) {
		t.Fatalf("disk differs from genimage's (%d vs %d bytes)", len(o), len(r))
	}
	// The config section supplies paths the caller leaves empty.
	withPaths := "config { outputpath = \"" + tr.path("cfgout") + "\" }\n" + expanded
	os.MkdirAll(tr.path("cfgout"), 0o755)
	c, err := disk.ParseGenimage(withPaths, disk.GenimageSource{})
	if err != nil {
		t.Fatal(err)
	}
	w := outfile.NewBatch()
	defer w.Abort()
	if err := Build(c, Options{InputPath: tr.path("in")}, w); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tr.read("cfgout/disk.img"), tr.read("ref/disk.img")) {
		t.Error("image from the config section's outputpath differs")
	}
	for _, bad := range []string{`include("missing.cfg")`, `include("self.cfg")`, `image a { hdimage {} partition p { image = "${X" } }`} {
		os.WriteFile(tr.path("self.cfg"), []byte(`include("self.cfg")`), 0o644)
		if err := tr.ours(bad, nil); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

const testEpoch = 1700000000

// FIT: the its plus one image node per partition, as genimage hands it to
// mkimage -r; with SOURCE_DATE_EPOCH set the FIT is byte-identical.
func TestFITMatchesGenimage(t *testing.T) {
	its := `/dts-v1/;
/ {
	description = "test";
	#address-cells = <1>;
	images {
		kernel { type = "kernel"; arch = "arm"; os = "linux"; compression = "none"; load = <0x80008000>; entry = <0x80008000>; hash-1 { algo = "sha256"; }; };
		fdt { type = "flat_dt"; arch = "arm"; compression = "none"; hash-1 { algo = "crc32"; }; };
	};
	configurations { default = "conf-1"; conf-1 { kernel = "kernel"; fdt = "fdt"; }; };
};
`
	tr := newTree(t, map[string]string{"in/zImage": strings.Repeat("k", 5000), "in/board.dtb": "dtb!", "in/fit/image.its": its})
	cfg := `image boot.itb {
	fit { its = "fit/image.its" }
	partition kernel { image = "zImage" }
	partition fdt { image = "board.dtb" }
}
`
	tr.ref(cfg, "SOURCE_DATE_EPOCH=1700000000", "TZ=UTC")
	if err := tr.ours(cfg, nil); err != nil {
		t.Fatal(err)
	}
	if o, r := tr.read("out/boot.itb"), tr.read("ref/boot.itb"); !bytes.Equal(o, r) {
		t.Fatalf("FIT differs from genimage's (%d vs %d bytes)", len(o), len(r))
	}
}

// Custom gpt-shortcuts of the config section (genimage 17+) name type
// GUIDs, before the built-in names and case-insensitively; the disk equals
// genimage 16's with the GUID written out.
func TestGPTShortcuts(t *testing.T) {
	tr := newTree(t, map[string]string{"in/a.bin": "a"})
	body := `image disk.img {
	hdimage { partition-table-type = "gpt" disk-uuid = "6a921dbb-823d-44c4-8edc-ecb038e6d743" }
	partition a { image = "a.bin" partition-type-uuid = "%s" partition-uuid = "088813b5-7028-4540-99da-b10015fd07da" }
	partition b { size = 1M partition-type-uuid = "%s" partition-uuid = "188813b5-7028-4540-99da-b10015fd07da" }
}
`
	tr.ref(strings.NewReplacer("%s", "2a422a42-2a42-2a42-2a42-2a422a422a42").Replace(body[:strings.Index(body, "partition b")]) +
		strings.Replace(body[strings.Index(body, "partition b"):], "%s", "933ac7e1-2eb4-4f13-b844-0e14e2aef915", 1))
	cfg := "config { gpt-shortcuts { forty-two = \"2a422a42-2a42-2a42-2a42-2a422a422a42\" L = \"933ac7e1-2eb4-4f13-b844-0e14e2aef915\" } }\n" +
		strings.Replace(strings.Replace(body, "%s", "Forty-Two", 1), "%s", "l", 1)
	if err := tr.ours(cfg, nil); err != nil {
		t.Fatal(err)
	}
	if o, r := tr.read("out/disk.img"), tr.read("ref/disk.img"); !bytes.Equal(o, r) {
		t.Fatalf("disk differs from genimage's (%d vs %d bytes)", len(o), len(r))
	}
	if err := tr.ours("config { paths { x = y } }", nil); err == nil {
		t.Error("unknown config section accepted")
	}
}

// A declared file image is copied to the output path (unless copy =
// false), as genimage does; an implicit one is not.
func TestFileImagesCopied(t *testing.T) {
	tr := newTree(t, map[string]string{"in/boot.bin": "boot", "in/other.bin": "other", "in/p.bin": "p"})
	cfg := `image disk.img { hdimage {} partition boot { in-partition-table = false offset = 0 image = "boot.bin" } partition p { image = "p.bin" partition-type = 0x83 offset = 1M } }
image boot.bin { file { holes = {"(440; 512)"} } }
image other.bin { file { copy = false } }
`
	tr.ref(cfg)
	if err := tr.ours(cfg, nil); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"out", "ref"} {
		var names []string
		ents, _ := os.ReadDir(tr.path(dir))
		for _, e := range ents {
			names = append(names, e.Name())
		}
		if strings.Join(names, " ") != "boot.bin disk.img" {
			t.Errorf("%s: %v", dir, names)
		}
	}
	if !bytes.Equal(tr.read("out/disk.img"), tr.read("ref/disk.img")) || string(tr.read("out/boot.bin")) != "boot" {
		t.Error("outputs differ from genimage's")
	}
}

// tmppath: an absent one is created and removed, as genimage does; in an
// existing one only fwtool's own scratch directory comes and goes
// (genimage would refuse a non-empty one and empty it afterwards).
func TestTmpPath(t *testing.T) {
	cfg := func(dir string) string {
		return "image a.tar { tar {} }\nimage b.sparse { android-sparse { image = \"a.tar\" } }\nconfig { tmppath = \"" + dir + "\" }\n"
	}
	tr := newTree(t, map[string]string{"root/x": "x", "busy/file": "x"})
	if err := tr.ours(cfg(tr.path("busy")), nil); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(tr.path("busy")); len(ents) != 1 || ents[0].Name() != "file" {
		t.Errorf("non-empty tmppath now holds %v", ents)
	}
	os.RemoveAll(tr.path("out"))
	if err := tr.ours(cfg(tr.path("new/tmp")), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tr.path("new/tmp")); !os.IsNotExist(err) {
		t.Errorf("created tmppath left behind (%v)", err)
	}
	os.MkdirAll(tr.path("empty"), 0o755)
	os.RemoveAll(tr.path("out"))
	if err := tr.ours(cfg(tr.path("empty")), nil); err != nil {
		t.Fatal(err)
	}
	if ents, err := os.ReadDir(tr.path("empty")); err != nil || len(ents) != 0 {
		t.Errorf("empty tmppath: %v, %v left", err, ents)
	}
}

// ext2/3/4 through tools/extfs: e2fsck finds nothing, debugfs reads the
// tree back, and the mke2fs-route options land in the superblock.
func TestExtImages(t *testing.T) {
	tr := newTree(t, map[string]string{"root/etc/hostname": "board\n", "root/usr/bin/tool": strings.Repeat("#!/bin/sh\n", 500)})
	cfg := `image a.ext4 {
	ext4 {
		label = "rootfs"
		fs-timestamp = "20000101000000"
		root-owner = "5:6"
		extraargs = "-U 12345678-1234-1234-1234-1234567890ab -E quotatype=,lazy_itable_init=0 -m 1"
	}
	size = 8M
}
image b.ext3 { ext3 { use-mke2fs = false label = "three" } size = 4M }
image c.ext2 { ext2 { features = "^dir_index" } size = 2M mountpoint = "/usr" }
image d.ext2 { ext2 { use-mke2fs = false } size = 500% }
`
	if err := tr.ours(cfg, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ img, want string }{
		{"a.ext4", "Filesystem UUID:          12345678-1234-1234-1234-1234567890ab|Filesystem volume name:   rootfs|Reserved block count:     81|Filesystem created:       Sat Jan  1 00:00:00 2000|extent 64bit flex_bg sparse_super dir_nlink extra_isize metadata_csum"},
		{"b.ext3", "Filesystem volume name:   three|has_journal ext_attr dir_index filetype sparse_super large_file|Inode count:              256"},
		{"c.ext2", "Filesystem features:      ext_attr filetype sparse_super"},
		// 500% of root, etc, usr (c.ext2's mountpoint, empty here) and
		// etc/hostname at 4 KiB each; the inode count raised to the tree's
		{"d.ext2", "Block count:              80\n"},
	} {
		p := tr.path("out/" + c.img)
		fsck := tool(t, "e2fsck", "-fn", p)
		if strings.Contains(fsck, "?") || strings.Contains(fsck, "IGNORED") {
			t.Errorf("%s: e2fsck -fn:\n%s", c.img, fsck)
		}
		hdr := tool(t, "dumpe2fs", "-h", p)
		for _, w := range strings.Split(c.want, "|") {
			if !strings.Contains(hdr, w) {
				t.Errorf("%s: want %q in\n%s", c.img, w, hdr)
			}
		}
	}
	a := tr.path("out/a.ext4")
	if st := tool(t, "debugfs", "-R", "stat /", a); !strings.Contains(st, "User:     5   Group:     6") {
		t.Errorf("root owner:\n%s", st)
	}
	if got := tool(t, "debugfs", "-R", "cat /etc/hostname", a); !strings.Contains(got, "\nboard\n") {
		t.Errorf("etc/hostname reads %q", got)
	}
	// /usr is c.ext2's mountpoint: an empty directory here, as genimage does
	if got := tool(t, "debugfs", "-R", "ls /usr", a); strings.Contains(got, "bin") {
		t.Errorf("/usr holds c.ext2's content:\n%s", got)
	}
	if got := tool(t, "debugfs", "-R", "cat /bin/tool", tr.path("out/c.ext2")); !strings.Contains(got, strings.Repeat("#!/bin/sh\n", 500)) {
		t.Errorf("c.ext2 (mountpoint /usr): bin/tool reads %q", got)
	}
	for cfg, want := range map[string]string{
		`image x { ext4 { mke2fs-conf = "m.conf" } size = 4M }`:              "option 'mke2fs-conf': an mke2fs configuration file is not supported",
		`image x { ext4 { features = "quota" } size = 4M }`:                  `feature "quota" is not supported`,
		`image x { ext4 { extraargs = "-E quotatype=usrquota" } size = 4M }`: "quota is not supported",
		`image x { ext4 { extraargs = "-d /tmp" } size = 4M }`:               "mke2fs flag '-d' is not supported",
		`image x { ext4 {} }`: "no size given",
		`image x { ext3 { fs-timestamp = "yesterday" } size = 4M }`: "fs-timestamp",
	} {
		tr := newTree(t, nil)
		if err := tr.ours(cfg, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", cfg, err, want)
		}
	}
}

// cpio: genimage archives `find . | cpio -H newc -o` over the root; GNU
// cpio lists the same names, "." first, in both archives (ours sorted,
// reproducible; genimage's in host directory order with host times).
func TestCpioListsLikeGenimage(t *testing.T) {
	tr := newTree(t, map[string]string{"root/etc/x": "x", "root/usr/bin/tool": "#!/bin/sh\n", "root/b/with spaces": ""})
	cfg := `image test.cpio { cpio { format = "newc" compress = "gzip" } }`
	tr.ref(cfg)
	if err := tr.ours(cfg, nil); err != nil {
		t.Fatal(err)
	}
	names := func(dir string) []string {
		out, err := exec.Command("sh", "-c", `zcat "$1" | cpio --extract -t`, "sh", tr.path(dir+"/test.cpio")).Output()
		if err != nil {
			t.Fatalf("%s/test.cpio: %v", dir, err)
		}
		return strings.Fields(strings.ReplaceAll(string(out), " ", "_"))
	}
	ours, ref := names("out"), names("ref")
	if len(ours) == 0 || ours[0] != "." {
		t.Errorf("first name %q, want \".\" as genimage's find . | cpio writes", ours)
	}
	sort.Strings(ours)
	sort.Strings(ref)
	if strings.Join(ours, " ") != strings.Join(ref, " ") {
		t.Errorf("names %q, genimage's %q", ours, ref)
	}
}

// An MBR partition without partition-type: genimage writes type 0 (an
// entry tools read as unused) and builds the image; so does fwtool for
// genimage configs, byte for byte. (Manifests from the rules must name it.)
func TestMBRPartitionWithoutType(t *testing.T) {
	tr := newTree(t, map[string]string{"in/a.img": strings.Repeat("a", 4096)})
	cfg := `image t.img { hdimage {} partition p1 { image = "a.img" } }`
	tr.ref(cfg)
	if err := tr.ours(cfg, nil); err != nil {
		t.Fatal(err)
	}
	if o, r := tr.read("out/t.img"), tr.read("ref/t.img"); !bytes.Equal(o, r) {
		t.Errorf("t.img differs from genimage's (%d vs %d bytes)", len(o), len(r))
	}
}

// An image built by the config that does not fit its partition is named
// as the config names it (genimage's fip-size test), not by its scratch file.
func TestBuiltImageNamedInErrors(t *testing.T) {
	tr := newTree(t, map[string]string{"in/part1.img": strings.Repeat("\x00", 3584), "in/part2.img": strings.Repeat("\x00", 5632)})
	cfg := `image test.fip { fip { fw-config = "part1.img" tos-fw = { "part2.img", "part1.img" } } }
image test.hdimage { hdimage {} partition part1 { image = test.fip size = 512 } }`
	err := tr.ours(cfg, nil)
	if err == nil || !strings.Contains(err.Error(), "image 'test.fip' of ") || strings.Contains(err.Error(), "fwtool-genimage-") {
		t.Errorf("error %v, want it to name image 'test.fip'", err)
	}
}

// Types and builderFor rely on builders being sorted with each type once.
func TestBuildersSorted(t *testing.T) {
	for i := 1; i < len(builders); i++ {
		if builders[i-1].name >= builders[i].name {
			t.Errorf("builders: %q before %q (want sorted, unique)", builders[i-1].name, builders[i].name)
		}
	}
	if !sort.StringsAreSorted(Types()) {
		t.Errorf("Types() = %q, not sorted", Types())
	}
}
