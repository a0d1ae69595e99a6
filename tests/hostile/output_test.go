package hostile

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

// Where and how fwtool writes: names from an image or a description stay
// in the output directory (links already there included), a failed
// command leaves no partial result, and a killed one no temporary file.
// The harness checks the whole sandbox is unchanged after each failure.
func TestOutputNames(t *testing.T) { runFamily(t, outputCases(t)) }

// namedFIT is a FIT whose /images nodes have the given names.
func namedFIT(names ...string) []byte {
	tr := fdt.NewTree()
	tr.Root.SetProp("description", fdt.String("hostile"))
	images := tr.Root.AddChild("images")
	for _, n := range names {
		im := images.AddChild("x")
		im.Name = n
		im.SetProp("data", []byte("payload "+n))
		im.SetProp("compression", fdt.String("none"))
	}
	tr.Root.AddChild("configurations")
	return tr.Bytes()
}

// newcArchive is a cpio archive of regular files with the given names.
func newcArchive(names ...string) []byte {
	var b bytes.Buffer
	pad := func() {
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
	}
	add := func(ino int, mode uint32, name string, data []byte) {
		fmt.Fprintf(&b, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
			ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
		b.WriteString(name + "\x00")
		pad()
		b.Write(data)
		pad()
	}
	for i, n := range names {
		add(i+1, 0o100644, n, []byte("file "+n))
	}
	add(0, 0, "TRAILER!!!", nil)
	return b.Bytes()
}

// binmanDesc is a compiled binman description with two images of one
// blob each: "good" (a.bin) and node (blob), which carries filename when
// it is not empty.
func binmanDesc(node, filename, blob string) []byte {
	tr := fdt.NewTree()
	bm := tr.Root.AddChild("binman")
	bm.SetProp("multiple-images", nil)
	good := bm.AddChild("good")
	good.AddChild("blob").SetProp("filename", fdt.String("a.bin"))
	im := bm.AddChild("x")
	im.Name = node
	if filename != "" {
		im.SetProp("filename", fdt.String(filename))
	}
	im.AddChild("blob").SetProp("filename", fdt.String(blob))
	return tr.Bytes()
}

// linkInOut makes {out}/name a symbolic link to target below the sandbox
// root ("victim" is a file there, "." the root itself).
func linkInOut(name, target string) func(t *testing.T, e *Env) {
	return func(t *testing.T, e *Env) {
		if err := os.WriteFile(filepath.Join(e.Root, "victim"), []byte("keep me"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(e.Root, target), filepath.Join(e.Out, name)); err != nil {
			t.Fatal(err)
		}
	}
}

func outputCases(t *testing.T) []Case {
	chain := strings.Repeat("../", 16) + "x"
	var cases []Case
	for _, h := range []struct{ id, name, want string }{
		{"dotdot", "..", "'..' component"},
		{"dotdot-x", "../x", "'..' component"},
		{"dotdot-chain", chain, "'..' component"},
		{"inner-dotdot", "a/../../x", "'..' component"},
		{"absolute", "/abs", "absolute name"},
		{"empty", "", "empty name"},
	} {
		// The good entry comes first, so a partial result would show.
		cases = append(cases,
			Case{Name: "fit-" + h.id, Files: map[string][]byte{"f.itb": namedFIT("good", h.name)},
				Args: []string{"extract", "-i", "{in}/f.itb", "-O", "{out}", "good", h.name}, WantErr: h.want},
		)
		cpioCase := Case{Name: "cpio-" + h.id, Files: map[string][]byte{"x.cpio": newcArchive("good", h.name)},
			Args: []string{"extract", "-i", "{in}/x.cpio", "-O", "{out}"}}
		if h.name == "/abs" {
			// cpio archives hold absolute names; they unpack below -O
			// (as cpio --no-absolute-filenames does).
			cpioCase.WantOK = true
			cpioCase.Check = func(e *Env, r *Result) error {
				_, err := os.Stat(filepath.Join(e.Out, "abs"))
				return err
			}
		}
		cases = append(cases, cpioCase)
		if !strings.Contains(h.name, "/") || strings.HasPrefix(h.name, "../") {
			for _, node := range []string{"/spl", "/sec", "/sec/data"} {
				node, name := node, h.name
				img := editMap(t, fdtmapImage(t, []byte("payload")), func(root *fdt.Node) { root.Lookup(node).Name = name })
				cases = append(cases, Case{Name: "fdtmap" + strings.ReplaceAll(node, "/", "-") + "-" + h.id,
					Files: map[string][]byte{"img": img}, Args: []string{"extract", "-i", "{in}/img", "-O", "{out}"}})
			}
		}
		if h.name != "" && h.name != ".." {
			cases = append(cases,
				Case{Name: "binman-filename-" + h.id, Files: map[string][]byte{"d.dtb": binmanDesc("spi", h.name, "a.bin"), "a.bin": []byte("A")},
					Args: []string{"build", "-d", "{in}/d.dtb", "-I", "{in}", "-O", "{out}", "-m"}, WantErr: h.want},
				Case{Name: "binman-node-" + h.id, Files: map[string][]byte{"d.dtb": binmanDesc(h.name, "", "a.bin"), "a.bin": []byte("A")},
					Args: []string{"build", "-d", "{in}/d.dtb", "-I", "{in}", "-O", "{out}", "-m"}},
				Case{Name: "genimage-" + h.id, Files: map[string][]byte{"a.bin": []byte("A"), "g.cfg": []byte(
					`image ok.img { hdimage { partition-table-type = "mbr" } partition a { image = "a.bin" partition-type = 0x83 } }
image "` + h.name + `" { hdimage { partition-table-type = "mbr" } partition a { image = "a.bin" partition-type = 0x83 } }`)},
					Args: []string{"genimage", "--config", "{in}/g.cfg", "--inputpath", "{in}", "--outputpath", "{out}", "--rootpath", "{in}", "--tmppath", "{in}"}},
			)
		}
	}
	// Links already in the output directory that lead outside it.
	cases = append(cases,
		Case{Name: "fit-link-to-file", Files: map[string][]byte{"f.itb": namedFIT("good", "kernel")}, Setup: linkInOut("kernel", "victim"),
			Args: []string{"extract", "-i", "{in}/f.itb", "-O", "{out}", "good", "kernel"}, WantErr: "symbolic link"},
		Case{Name: "fit-link-to-dir", Files: map[string][]byte{"f.itb": namedFIT("good", "esc/victim")}, Setup: linkInOut("esc", "."),
			Args: []string{"extract", "-i", "{in}/f.itb", "-O", "{out}", "good", "esc/victim"}, WantErr: "symbolic link"},
		Case{Name: "fdtmap-link-to-file", Files: map[string][]byte{"img": fdtmapImage(t, []byte("payload"))}, Setup: linkInOut("spl", "victim"),
			Args: []string{"extract", "-i", "{in}/img", "-O", "{out}"}, WantErr: "symbolic link"},
		Case{Name: "fdtmap-link-to-dir", Files: map[string][]byte{"img": fdtmapImage(t, []byte("payload"))}, Setup: linkInOut("sec", "."),
			Args: []string{"extract", "-i", "{in}/img", "-O", "{out}"}, WantErr: "symbolic link"},
		Case{Name: "cpio-link-to-dir", Files: map[string][]byte{"x.cpio": newcArchive("good", "esc/victim")}, Setup: linkInOut("esc", "."),
			Args: []string{"extract", "-i", "{in}/x.cpio", "-O", "{out}"}, WantErr: "symbolic link"},
		Case{Name: "binman-link-to-file", Files: map[string][]byte{"d.dtb": binmanDesc("spi", "", "a.bin"), "a.bin": []byte("A")}, Setup: linkInOut("spi.bin", "victim"),
			Args: []string{"build", "-d", "{in}/d.dtb", "-I", "{in}", "-O", "{out}"}, WantErr: "symbolic link"},
	)
	// No partial results.
	bad := fdt.NewTree()
	ims := bad.Root.AddChild("images")
	ims.AddChild("good").SetProp("data", []byte("good"))
	b := ims.AddChild("bad")
	b.SetProp("data", []byte("not gzip"))
	b.SetProp("compression", fdt.String("gzip"))
	bad.Root.AddChild("configurations")
	cases = append(cases,
		Case{Name: "fit-second-image-fails", Files: map[string][]byte{"f.itb": bad.Bytes()},
			Args: []string{"extract", "-i", "{in}/f.itb", "-O", "{out}/new", "good", "bad"}, WantErr: "Node '/images/bad'"},
		Case{Name: "build-map-missing-dir", Files: map[string][]byte{"a.bin": []byte("A"), "m.json": nil},
			Setup: func(t *testing.T, e *Env) {
				m := `{"version":1,"image":{"entries":[{"name":"a","path":"` + e.Path("a.bin") + `"}]}}`
				if err := os.WriteFile(e.Path("m.json"), []byte(m), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			Args: []string{"build", "--manifest", "{in}/m.json", "--output", "{out}/img", "--map", "{out}/missing-dir/x"}, WantErr: "missing-dir"},
		Case{Name: "binman-second-image-fails", Files: map[string][]byte{"d.dtb": binmanDesc("spi", "", "missing.bin"), "a.bin": []byte("A")},
			Args: []string{"build", "-d", "{in}/d.dtb", "-I", "{in}", "-O", "{out}/new", "-m"}, WantErr: "missing.bin"},
	)
	return cases
}

// A running fwtool killed by SIGINT, SIGTERM or SIGHUP removes its staged
// output (mkimage --compress streams into ".OUT.tmp-*" beside OUT) and
// dies of the signal.
func TestKilledFwtoolLeavesNothing(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			e := newEnv(t)
			// Incompressible data through bzip2 keeps fwtool busy after
			// its temporary file shows (it is opened before compressing);
			// it is killed then. 12 MiB: bzip2 1.0.8's encoder in Go
			// takes about 0.1 s per MiB of CPU, so the window stays
			// hundreds of milliseconds wide against the 5 ms polling.
			data := make([]byte, 12<<20)
			rand.New(rand.NewSource(1)).Read(data)
			if err := os.WriteFile(e.Path("data"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, e.Root)
			cmd := exec.Command(fwtool, "mkimage", "-A", "arm", "-O", "linux", "-T", "kernel", "-C", "bzip2", "--compress", "bzip2",
				"-a", "0", "-e", "0", "-n", "k", "-d", e.Path("data"), filepath.Join(e.Out, "uImage"))
			cmd.Env = append(os.Environ(), "TMPDIR="+e.Tmp)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			deadline := time.Now().Add(60 * time.Second)
			for {
				if tmps, _ := filepath.Glob(filepath.Join(e.Out, ".uImage.tmp-*")); len(tmps) > 0 {
					break
				}
				select {
				case err := <-done:
					t.Fatalf("fwtool finished (%v) before its temporary output showed: %s", err, stderr.String())
				case <-time.After(5 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					<-done
					t.Fatal("no temporary output after 60 s")
				}
			}
			cmd.Process.Signal(sig)
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("fwtool did not exit within 30 s of %v", sig)
			}
			ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if !ws.Signaled() || ws.Signal() != sig {
				t.Errorf("fwtool exit %v, want death by %v (stderr %q)", cmd.ProcessState, sig, stderr.String())
			}
			if d := diffSnapshots(before, snapshot(t, e.Root)); d != "" {
				t.Errorf("killed fwtool left:\n%s", d)
			}
		})
	}
}
