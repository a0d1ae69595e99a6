package ppclink

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The reference is GNU ld from binutils-powerpc-linux-gnu (installed by
// ./bazelw): the kernel's wrapper links with
//   powerpc-linux-gnu-ld -m elf32ppc -T zImage.lds -Ttext ADDR --no-dynamic-linker
// and makes raw images with objcopy -O binary.

var ppcBoot = flag.String("ppcboot", "", "wrapper.a of the bootstrap-built kernel boot objects (its directory holds the rest)")

func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("reference tool %s not found (./bazelw installs binutils-powerpc-linux-gnu and gcc-powerpc-linux-gnu): %v", name, err)
	}
	return p
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(tool(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	d, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// ldLink links with GNU ld the way the kernel's wrapper does and returns
// the ELF and its objcopy -O binary image.
func ldLink(t testing.TB, dir, lds string, addr uint32, objs ...string) (elf, bin []byte) {
	return ldLinkArgs(t, dir, lds, addr, nil, objs...)
}

func ldLinkArgs(t testing.TB, dir, lds string, addr uint32, extra []string, objs ...string) (elf, bin []byte) {
	t.Helper()
	out := filepath.Join(dir, "ref.elf")
	args := append([]string{"-m", "elf32ppc", "-T", lds}, extra...)
	if addr != 0 {
		args = append(args, "-Ttext", fmt.Sprintf("%#x", addr))
	}
	args = append(args, "--no-dynamic-linker", "--no-warn-rwx-segments", "--no-warn-execstack", "-o", out)
	run(t, "powerpc-linux-gnu-ld", append(args, objs...)...)
	run(t, "powerpc-linux-gnu-objcopy", "-O", "binary", out, out+".bin")
	return readFile(t, out), readFile(t, out+".bin")
}

// addSections runs the wrapper's addsec (objcopy --add-section) on base.
func addSections(t testing.TB, base, out string, secs map[string][]byte, order []string) {
	t.Helper()
	args := []string{base, out}
	for i, name := range order {
		f := fmt.Sprintf("%s.%d", out, i)
		if err := os.WriteFile(f, secs[name], 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--add-section="+name+"="+f, "--set-section-flags="+name+"=contents,alloc,load,readonly,data")
	}
	run(t, "powerpc-linux-gnu-objcopy", args...)
}

func ppcBootDir(t testing.TB) string {
	t.Helper()
	if *ppcBoot != "" {
		p := *ppcBoot
		if src := os.Getenv("TEST_SRCDIR"); src != "" && !filepath.IsAbs(p) {
			// Bazel's rootpath is relative to the main workspace's runfiles.
			p = filepath.Join(src, os.Getenv("TEST_WORKSPACE"), p)
		}
		return filepath.Dir(p)
	}
	root := os.Getenv("RULES_FIRMWARE_PPC_BOOT")
	if root == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			cache = filepath.Join(os.Getenv("HOME"), ".cache")
		}
		root = filepath.Join(cache, "rules_firmware", "ppc-boot", "current")
	}
	dir := filepath.Join(root, "obj")
	if _, err := os.Stat(filepath.Join(dir, "wrapper.a")); err != nil {
		t.Fatalf("kernel boot-wrapper objects not found (run ./bazelw once; tools/bootstrap/ppc-boot.sh builds them): %v", err)
	}
	return dir
}

// wrapperCase is one link of the kernel's wrapper: its platform objects
// (from the `case "$platform"` block) and link address.
type wrapperCase struct {
	name   string
	addr   uint32
	objs   []string
	dtb    bool
	initrd bool
	pie    bool // epapr: -pie -z notext
}

func wrapperCases(dir string) []wrapperCase {
	cs := []wrapperCase{
		{name: "of", addr: 0x400000, objs: []string{"of.o", "epapr.o"}},
		{name: "of-dtb-initrd", addr: 0x400000, objs: []string{"of.o", "epapr.o"}, dtb: true, initrd: true},
		{name: "pseries", addr: 0x4000000, objs: []string{"pseries-head.o", "of.o", "epapr.o"}},
		{name: "simpleboot", addr: 0x400000, objs: []string{"fixed-head.o", "simpleboot.o"}, dtb: true},
		{name: "simpleboot-initrd", addr: 0x400000, objs: []string{"fixed-head.o", "simpleboot.o"}, dtb: true, initrd: true},
		{name: "ep88xc", addr: 0x400000, objs: []string{"fixed-head.o", "ep88xc.o"}, dtb: true},
		{name: "ep8248e", addr: 0x400000, objs: []string{"fixed-head.o", "ep8248e.o"}, dtb: true},
		{name: "adder875-redboot", addr: 0x400000, objs: []string{"fixed-head.o", "redboot-8xx.o"}, dtb: true},
		{name: "asp834x-redboot", addr: 0x400000, objs: []string{"fixed-head.o", "redboot-83xx.o"}, dtb: true},
		{name: "xpedite5200", addr: 0x1400000, objs: []string{"cuboot-85xx.o"}, dtb: true},
		{name: "gamecube", addr: 0x600000, objs: []string{"gamecube-head.o", "gamecube.o"}, dtb: true},
		{name: "wii", addr: 0x600000, objs: []string{"wii-head.o", "wii.o"}, dtb: true},
		{name: "microwatt", addr: 0x500000, objs: []string{"fixed-head.o", "microwatt.o"}, dtb: true},
		{name: "mvme5100", addr: 0x400000, objs: []string{"fixed-head.o", "mvme5100.o"}, dtb: true},
		{name: "mvme7100", addr: 0x4000000, objs: []string{"motload-head.o", "mvme7100.o"}, dtb: true},
		{name: "treeboot-currituck", addr: 0x1000000, objs: []string{"treeboot-currituck.o"}, dtb: true},
		{name: "treeboot-akebono", addr: 0x1000000, objs: []string{"treeboot-akebono.o"}, dtb: true},
		{name: "treeboot-iss4xx-mpic", addr: 0x400000, objs: []string{"treeboot-iss4xx.o"}, dtb: true},
		{name: "treeboot-ebony", addr: 0x400000, objs: []string{"treeboot-ebony.o"}, dtb: true},
		{name: "treeboot-bamboo", addr: 0x400000, objs: []string{"treeboot-bamboo.o"}, dtb: true},
		{name: "cuboot-hotfoot-initrd", addr: 0x400000, objs: []string{"cuboot-hotfoot.o"}, initrd: true},
		{name: "epapr", addr: 0x20000000, objs: []string{"pseries-head.o", "epapr.o", "epapr-wrapper.o"}, pie: true},
		{name: "epapr-dtb-initrd", addr: 0x20000000, objs: []string{"pseries-head.o", "epapr.o", "epapr-wrapper.o"}, pie: true, dtb: true, initrd: true},
	}
	// Every cuboot platform object, as cuImage.<board> links it.
	cuboots, _ := filepath.Glob(filepath.Join(dir, "cuboot-*.o"))
	for _, c := range cuboots {
		n := strings.TrimSuffix(filepath.Base(c), ".o")
		addr := uint32(0x400000)
		if n == "cuboot-amigaone" {
			addr = 0x800000
		}
		cs = append(cs, wrapperCase{name: n, addr: addr, objs: []string{filepath.Base(c)}, dtb: true})
	}
	return cs
}

// TestWrapperPlatformsMatchLD links every platform of the kernel's wrapper
// with the real boot objects, once with ld and once with ppclink, and wants
// the same ELF and raw image, byte for byte.
func TestWrapperPlatformsMatchLD(t *testing.T) {
	dir := ppcBootDir(t)
	tmp := t.TempDir()
	cases := wrapperCases(dir)
	var mu sync.Mutex
	matched := 0
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, c := range cases {
		i, c := i, c
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cdir := filepath.Join(tmp, c.name)
			if err := os.MkdirAll(cdir, 0o755); err != nil {
				t.Error(err)
				return
			}
			rng := rand.New(rand.NewSource(int64(i)))
			payload := func(n int) []byte {
				b := make([]byte, n)
				rng.Read(b)
				return b
			}
			secs := map[string][]byte{".kernel:vmlinux.strip": payload(3000 + rng.Intn(200000))}
			order := []string{".kernel:vmlinux.strip"}
			if c.initrd {
				secs[".kernel:initrd"] = payload(1 + rng.Intn(50000))
				order = append(order, ".kernel:initrd")
			}
			if c.dtb {
				secs[".kernel:dtb"] = payload(100 + rng.Intn(5000))
				order = append(order, ".kernel:dtb")
			}
			tmpo := filepath.Join(cdir, "tmp.o")
			addSections(t, filepath.Join(dir, "empty.o"), tmpo, secs, order)
			var paths []string
			var ins []Input
			for _, o := range c.objs {
				paths = append(paths, filepath.Join(dir, o))
				ins = append(ins, Input{Name: o, Data: readFile(t, filepath.Join(dir, o))})
			}
			paths = append(paths, tmpo, filepath.Join(dir, "wrapper.a"))
			empty := Input{Name: "empty.o", Data: readFile(t, filepath.Join(dir, "empty.o"))}
			for _, s := range order {
				empty = empty.WithSection(s, secs[s])
			}
			ins = append(ins, empty, Input{Name: "wrapper.a", Data: readFile(t, filepath.Join(dir, "wrapper.a"))})
			var extra []string
			if c.pie {
				extra = []string{"-pie", "-z", "notext"}
			}
			refELF, refBin := ldLinkArgs(t, cdir, filepath.Join(dir, "zImage.lds"), c.addr, extra, paths...)
			out, err := Link(ins, Options{TextAddr: c.addr, PIE: c.pie})
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				return
			}
			ok := true
			if !bytes.Equal(out.Binary(), refBin) {
				t.Errorf("%s: raw image differs from ld + objcopy -O binary (%d vs %d bytes, first difference at %#x)", c.name, len(out.Binary()), len(refBin), firstDiff(out.Binary(), refBin))
				ok = false
			}
			if !bytes.Equal(out.ELF(), refELF) {
				t.Errorf("%s: ELF differs from ld's (%d vs %d bytes, first difference at %#x)", c.name, len(out.ELF()), len(refELF), firstDiff(out.ELF(), refELF))
				ok = false
			}
			again, err := Link(ins, Options{TextAddr: c.addr, PIE: c.pie})
			if err != nil || !bytes.Equal(again.ELF(), out.ELF()) {
				t.Errorf("%s: second link differs (%v)", c.name, err)
				ok = false
			}
			if ok {
				mu.Lock()
				matched++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("%d of %d wrapper platform links byte-identical to ld (ELF and raw image)", matched, len(cases))
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) < len(b) {
		return len(a)
	}
	return len(b)
}
