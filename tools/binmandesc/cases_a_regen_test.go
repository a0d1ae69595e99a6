//go:build regen

package binmandesc

// Cases for the entry types null, collection and files (issue 12, part A),
// recorded like the others (regen_test.go).
func init() {
	extraCases = append(extraCases, entryTypeCasesA)
}

func entryTypeCasesA() []goldenCase {
	um := []string{"-u", "-m"}
	blobs := func() map[string][]byte {
		return map[string][]byte{
			"in/u-boot-nodtb.bin": []byte("nodtb with some text"),
			"in/a.bin":            []byte("AAAAAAA"),
		}
	}
	dat := func() map[string][]byte {
		return map[string][]byte{
			"in/files/1.dat":        []byte("first file\n"),
			"in/files/2.dat":        []byte("second file, a little longer, and compressible compressible\n"),
			"in/files/skip.txt":     []byte("not matched"),
			"in/files/dir.dat/keep": []byte("a directory is skipped"),
		}
	}
	tmpl := func() map[string][]byte {
		return map[string][]byte{"in/a.bin": []byte("AAAA"), "in/b.bin": []byte("BB")}
	}
	return []goldenCase{
		// A compressed image with -u: binman records the size it packed
		// to (the tree still zero), though the file holds the data
		// compressed again with the positions in it.
		{name: "compress-image-update", flags: um, files: with(blobs(), "in/c.bin", []byte("compress xxxxxxxxxxxxxxxxxxxxxx data")), dts: dtsOf(`
    compress = "lz4";
    c { type = "blob"; filename = "c.bin"; };
    u-boot { };
`)},
		// Without -u binman never reads a hash node: any algo builds, and
		// the fdtmap shows the node as written; with -u it is refused.
		{name: "hash-bad-algo-no-u", flags: []string{"-m"}, files: blobs(), dts: dtsOf(`
    a { type = "blob"; filename = "a.bin"; hash { algo = "invalid"; }; };
    fdtmap { };
`)},
		{name: "hash-bad-algo-u", flags: um, files: blobs(), dts: dtsOf(`
    a { type = "blob"; filename = "a.bin"; hash { algo = "invalid"; }; };
    fdtmap { };
`)},
		// Under sort-by-offset the fdtmap keeps the description's order.
		{name: "fdtmap-sorted-order", flags: um, files: blobs(), dts: dtsOf(`
    size = <0x400>;
    sort-by-offset;
    a { type = "blob"; filename = "a.bin"; offset = <0x100>; };
    fdtmap { };
    image-header { offset = <0x80>; };
    t { type = "text"; text = "first"; offset = <0x10>; };
`)},
		// x86 16-bit code blobs: fixed file names.
		{name: "x86-start-reset", flags: []string{"-m"}, files: map[string][]byte{
			"in/u-boot-x86-start16.bin":         []byte("start16"),
			"in/spl/u-boot-x86-start16-spl.bin": []byte("start16spl"),
			"in/tpl/u-boot-x86-start16-tpl.bin": []byte("start16tpl"),
			"in/u-boot-x86-reset16.bin":         []byte("reset16"),
			"in/spl/u-boot-x86-reset16-spl.bin": []byte("reset16spl"),
			"in/tpl/u-boot-x86-reset16-tpl.bin": []byte("reset16tpl"),
		}, dts: dtsOf(`
    x86-start16 { };
    x86-start16-spl { };
    x86-start16-tpl { };
    x86-reset16 { };
    x86-reset16-spl { };
    x86-reset16-tpl { };
`)},
		// blob_dtb's prepend = "length" (after compression), and -u with
		// a compressed device tree: it is compressed again once it holds
		// the positions.
		{name: "dtb-prepend-length", flags: um, files: blobs(), dts: dtsOf(`
    u-boot-nodtb { };
    u-boot-dtb { compress = "lz4"; prepend = "length"; };
    a { type = "blob"; filename = "a.bin"; };
    fdtmap { };
`)},
		{name: "dtb-prepend-length-plain", flags: []string{"-m"}, files: blobs(), dts: dtsOf(`
    u-boot-dtb { prepend = "length"; };
    a { type = "blob"; filename = "a.bin"; };
`)},
		{name: "dtb-compress-update", flags: um, files: blobs(), dts: dtsOf(`
    u-boot-nodtb { };
    u-boot-dtb { compress = "lz4"; };
    a { type = "blob"; filename = "a.bin"; };
    fdtmap { };
`)},
		{name: "dtb-prepend-invalid", flags: []string{"-m"}, files: blobs(), dts: dtsOf(`
    u-boot-dtb { compress = "lz4"; prepend = "invalid"; };
`)},
		{name: "dtb-zstd-no-length", flags: []string{"-m"}, files: blobs(), dts: dtsOf(`
    u-boot-dtb { compress = "zstd"; };
`)},
		{name: "entry-pos", flags: []string{"-m"}, files: blobs(), dts: dtsOf(`
    a { type = "blob"; filename = "a.bin"; pos = <0>; };
`)},
		{name: "entry-expand-size", flags: []string{"-m"}, files: blobs(), dts: dtsOf(`
    size = <0x10>;
    a { type = "blob"; filename = "a.bin"; expand-size; };
`)},
		// Templates: subnodes merged (same-named ones keep their own
		// properties and move first), the template's properties after,
		// templates removed; the fdtmap shows the merged tree in binman's
		// order. (A u-boot-dtb entry of such a tree is left out: libfdt
		// leaves stale bytes in the padding of properties it moved, which
		// depend on its version; the tree itself is the same.)
		{name: "template-merge", flags: um, files: tmpl(), dts: dtsOf(`
    multiple-images;
    common: template {
        pad-byte = <0x33>;
        a { type = "blob"; filename = "a.bin"; align = <4>; };
        sub { type = "section"; x { type = "text"; text = "tmpl"; }; };
    };
    extra: template-2 {
        b { type = "blob"; filename = "b.bin"; };
    };
    first {
        insert-template = <&common &extra>;
        pad-byte = <0x44>;
        sub { y { type = "text"; text = "own"; }; };
        fdtmap { };
    };
    second {
        fdtmap { };
        sec { type = "section"; insert-template = <&extra>; t { type = "text"; text = "t"; }; };
    };
`)},
		{name: "template-phandle-dup", flags: []string{"-m"}, files: tmpl(), dts: dtsOf(`
    multiple-images;
    tp: template {
        sec { type = "section"; inner: a { type = "blob"; filename = "a.bin"; }; };
        c { type = "collection"; content = <&inner>; };
    };
    one { insert-template = <&tp>; };
    two { insert-template = <&tp>; };
`)},
		// null takes the pad byte of the section holding it; as an overlap
		// entry it writes nothing.
		{name: "null-pad", flags: um, files: blobs(), dts: dtsOf(`
    pad-byte = <0xee>;
    a { type = "blob"; filename = "a.bin"; };
    null { size = <5>; };
    sec {
        type = "section";
        pad-byte = <0x11>;
        gap { type = "null"; size = <3>; };
        a { type = "blob"; filename = "a.bin"; };
        hole { type = "null"; offset = <2>; size = <2>; overlap; };
    };
    fdtmap { };
`)},
		{name: "null-no-size", flags: []string{"-m"}, files: blobs(), dts: dtsOf(`
    null { };
`)},
		// collection: data of entries before and after it, a section's
		// included, in the order listed.
		{name: "collection-mixed", flags: um, files: blobs(), dts: dtsOf(`
    collection { content = <&sec &nodtb &a>; };
    a: a { type = "blob"; filename = "a.bin"; };
    sec: sec {
        type = "section";
        pad-byte = <0x22>;
        t { type = "text"; text = "txt"; size = <5>; };
        f { type = "fill"; size = <2>; fill-byte = [cc]; };
    };
    nodtb: u-boot-nodtb { };
    fdtmap { };
`)},
		{name: "collection-no-content", flags: []string{"-m"}, files: blobs(), dts: dtsOf(`
    collection { };
    a { type = "blob"; filename = "a.bin"; };
`)},
		// files: every regular file matching, sorted, compressed and
		// aligned as asked.
		{name: "files-lz4-align", flags: []string{"-m"}, files: dat(), dts: dtsOf(`
    pre { type = "text"; text = "x"; };
    files { pattern = "files/*.dat"; files-compress = "lz4"; files-align = <8>; };
`)},
		{name: "files-require-none", flags: []string{"-m"}, files: dat(), dts: dtsOf(`
    files { pattern = "files/*.none"; require-matches; };
`)},
		{name: "files-none-ok", flags: []string{"-m"}, files: dat(), dts: dtsOf(`
    files { pattern = "files/*.none"; };
    a { type = "text"; text = "after"; };
`)},
	}
}
