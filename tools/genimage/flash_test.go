package genimage

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"os"
	"strings"
	"testing"
)

// The geometry of genimage's own flash tests (test/flash-types.config).
const flashTypes = `flash nand-64M-512 {
	pebsize = 16384
	lebsize = 15360
	numpebs = 4096
	minimum-io-unit-size = 512
	vid-header-offset = 512
	sub-page-size = 512
}
flash nor-1M-64k { pebsize = 64k numpebs = 16 }
`

// genimage's flash and flash-fill cases plus an offset gap and a last
// partition that takes the rest of the chip: byte-identical to genimage
// 16 (0xff padding, partitions in place) up to the partitions' end. Past
// it (flash-fill's size = 3M) genimage 16 leaves zeros where later
// genimage pads 0xff, as we do: genimage's own test expects the MD5s
// below (test/flash.md5, test/flash-fill.md5 at v19-22) for its inputs,
// 7 and 11 zero sectors.
func TestFlashMatchesGenimage(t *testing.T) {
	md5s := map[string]string{"flash": "3ac27658859853c3c49b1c8f4524e9cc", "flash-fill": "00fa74768f013beb47f76edc71e5fc51"}
	for name, cfg := range map[string]string{
		"flash": `image test.flash { flash {} flashtype = "nand-64M-512"
	partition part1 { image = "part1.img" size = 1M }
	partition part2 { image = "part2.img" size = 1M } }`,
		"flash-fill": `image test.flash { flash {} flashtype = "nand-64M-512"
	partition part1 { image = "part1.img" size = 1M }
	partition part2 { image = "part2.img" size = 1M }
	size = 3M }`,
		"nor": `image test.flash { flash {} flashtype = "nor-1M-64k"
	partition boot { image = "part1.img" size = 128k }
	partition env { offset = 256k size = 64k }
	partition rest { image = "part2.img" } }`,
	} {
		part2 := strings.Repeat("\x00", 5632)
		if md5s[name] == "" {
			part2 = strings.Repeat("\x00", 5000) + "tail"
		}
		tr := newTree(t, map[string]string{"in/part1.img": strings.Repeat("\x00", 3584), "in/part2.img": part2})
		tr.ref(flashTypes + cfg)
		if err := tr.ours(flashTypes+cfg, nil); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ours, ref := tr.read("out/test.flash"), tr.read("ref/test.flash")
		end := len(ref)
		if name == "flash-fill" {
			end = 2 << 20
			if !bytes.Equal(ours[end:], bytes.Repeat([]byte{0xff}, len(ours)-end)) {
				t.Errorf("%s: the space past the partitions is not 0xff", name)
			}
		}
		if len(ours) != len(ref) || !bytes.Equal(ours[:end], ref[:end]) {
			t.Errorf("%s: %d bytes differ from genimage's %d", name, len(ours), len(ref))
		}
		if want := md5s[name]; want != "" && fmt.Sprintf("%x", md5.Sum(ours)) != want {
			t.Errorf("%s: MD5 %x, genimage's test expects %s", name, md5.Sum(ours), want)
		}
	}
}

// genimage's checks, each one line naming the image, the partition or
// flash type, and the field; nothing written.
func TestFlashErrors(t *testing.T) {
	for cfg, want := range map[string]string{
		`image f { flash {} partition a { size = 64k } }`:                                                                   "flashtype",
		`image f { flash {} flashtype = "nand" partition a { size = 64k } }`:                                                "'nand'",
		`image f { flash {} flashtype = "nor-1M-64k" partition a { size = 1000 } }`:                                         "'a' (line 11): size 1000",
		`image f { flash {} flashtype = "nor-1M-64k" partition a { offset = 1000 size = 64k } }`:                            "'a' (line 11): offset 1000",
		`image f { flash {} flashtype = "nor-1M-64k" partition a { size = 128k } partition b { offset = 64k size = 64k } }`: "'b' (line 11): offset 65536 overlaps",
		`image f { flash {} flashtype = "nor-1M-64k" partition a { } partition b { size = 64k } }`:                          "'a' (line 11): size: only the last",
		`image f { flash {} flashtype = "nor-1M-64k" partition a { size = 2M } }`:                                           "past the 1048576 bytes of flash type 'nor-1M-64k'",
		`image f { flash {} flashtype = "nor-1M-64k" partition a { size = 64k image = "big" } }`:                            "'a' (line 11): image big",
		`image f { flash {} flashtype = "nor-1M-64k" partition a { size = 64k bootable = true } }`:                          "'bootable'",
		`image f { flash {} flashtype = "nor-1M-64k" partition a { size = 128k } size = 64k }`:                              "size 65536",
		`image f { flash {} flashtype = "bad" partition a { size = 64k } }`:                                                 "flash type 'bad'",
	} {
		tr := newTree(t, map[string]string{"in/big": strings.Repeat("x", 70000)})
		err := tr.ours(flashTypes+"flash bad { pebsize = 64k }\n"+cfg, nil)
		if err == nil || !strings.Contains(err.Error(), "image 'f'") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\nerror %v\nwant one naming image 'f' and %q", cfg, err, want)
		}
		if ents, _ := os.ReadDir(tr.path("out")); len(ents) != 0 {
			t.Errorf("%s: output written", cfg)
		}
	}
}
