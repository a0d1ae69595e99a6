package ubootenv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFromTextGolden pins the layout by hand: CRC over the whole data area,
// flag byte, variables, double NUL, padding.
func TestFromTextGolden(t *testing.T) {
	opts := Options{Size: 24, Redundant: true, Pad: 0xaa}
	got, err := FromText([]byte("# comment\n\na=1\nb=x\\\ny\n"), opts)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("a=1\x00b=x\ny\x00\x00")
	for len(data) < 24-5 {
		data = append(data, 0xaa)
	}
	want := make([]byte, 5, 24)
	binary.LittleEndian.PutUint32(want, crc32.ChecksumIEEE(data))
	want[4] = 1
	want = append(want, data...)
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %x\nwant %x", got, want)
	}
	e, err := Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	wantVars := []Var{{"a", "1"}, {"b", "x\ny"}}
	if !e.Redundant || e.Flags != 1 || e.BigEndian || !cmp.Equal(e.Vars, wantVars) {
		t.Fatalf("parsed %+v", e)
	}
}

func mustLookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("reference tool %s not found (the bootstrap installs it): %v", name, err)
	}
	return p
}

// texts exercise mkenvimage's syntax corners.
var texts = []string{
	"",
	"\n\n\n",
	"a=1",
	"a=1\n",
	"bootcmd=run distro_bootcmd\nbootdelay=3\nbaudrate=115200\n",
	"# header comment\n\nx=1\n\n\n# another\ny=2\n#tail comment",
	"\n\nleading=newlines\n",
	"multi=line one\\\nline two\\\nline three\nafter=1\n",
	"hash=value # not a comment\nurl=http://a/#frag\n",
	"cont=x\\\n\nnext=y\n",
	"cont=x\\\n#notcomment=1\n",
	"empty=\nspaces = around \n",
	"back=slash\\ inside\n",
	"#only a comment",
	"#only a comment\n",
	"x=" + strings.Repeat("v", 300) + "\n",
}

// TestMatchesMkenvimage compares FromText with mkenvimage for every text ×
// size × redundancy × endianness × pad byte, including sizes right at the
// point where the environment stops fitting (both tools must then fail).
func TestMatchesMkenvimage(t *testing.T) {
	mkenvimage := mustLookPath(t, "mkenvimage")
	dir := t.TempDir()
	compared, failedBoth := 0, 0
	for ti, text := range texts {
		in := filepath.Join(dir, fmt.Sprintf("env-%d.txt", ti))
		if err := os.WriteFile(in, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		// Sizes around the text's length probe the too-large boundary.
		sizes := []int{16, 64, 0x2000, 0x4000}
		for d := -3; d <= 8; d++ {
			if s := len(text) + d; s >= 8 {
				sizes = append(sizes, s)
			}
		}
		for _, size := range sizes {
			for _, red := range []bool{false, true} {
				for _, be := range []bool{false, true} {
					for _, pad := range []int{-1, 0x00, 0x5a} {
						opts := DefaultOptions(size)
						opts.Redundant, opts.BigEndian = red, be
						args := []string{"-s", fmt.Sprint(size)}
						if red {
							args = append(args, "-r")
						}
						if be {
							args = append(args, "-b")
						}
						if pad >= 0 {
							opts.Pad = byte(pad)
							args = append(args, "-p", fmt.Sprint(pad))
						}
						out := filepath.Join(dir, "ref.bin")
						os.Remove(out)
						args = append(args, "-o", out, in)
						msg, refErr := exec.Command(mkenvimage, args...).CombinedOutput()
						got, err := FromText([]byte(text), opts)
						name := fmt.Sprintf("text %d size %d -r=%v -b=%v pad %d", ti, size, red, be, pad)
						if refErr != nil {
							if err == nil {
								t.Errorf("%s: mkenvimage failed (%s) but FromText succeeded", name, strings.TrimSpace(string(msg)))
							}
							failedBoth++
							continue
						}
						if err != nil {
							t.Errorf("%s: FromText: %v (mkenvimage succeeded)", name, err)
							continue
						}
						want, rerr := os.ReadFile(out)
						if rerr != nil {
							t.Fatal(rerr)
						}
						if !bytes.Equal(got, want) {
							t.Errorf("%s: differs from mkenvimage\n got %x\nwant %x", name, head(got), head(want))
						}
						compared++
					}
				}
			}
		}
	}
	// Guard against a sweep that silently compares nothing.
	if compared < 500 || failedBoth == 0 {
		t.Fatalf("sweep compared %d images and saw %d too-large cases; expected both to be exercised", compared, failedBoth)
	}
}

// TestRandomTextsMatchMkenvimage feeds mkenvimage and FromText texts built
// from the syntax's special characters, at sizes around each text's
// length: wherever FromText succeeds the images must be identical, and
// "too large" must agree both ways. (Texts with a variable lacking '=' are
// ours to reject and mkenvimage's to accept, so they are only counted.)
func TestRandomTextsMatchMkenvimage(t *testing.T) {
	mkenvimage := mustLookPath(t, "mkenvimage")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	out := filepath.Join(dir, "out.bin")
	rng := rand.New(rand.NewSource(4))
	pieces := []string{"a", "b=", "=", "x", "\n", "\n", "\\", "#", " ", "k=v", "\\\n", "\n\n"}
	compared, syntax := 0, 0
	for i := 0; i < 250; i++ {
		var sb strings.Builder
		for n := rng.Intn(12); n > 0; n-- {
			sb.WriteString(pieces[rng.Intn(len(pieces))])
		}
		text := sb.String()
		if err := os.WriteFile(in, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{len(text) + 4, len(text) + 5, len(text) + 6, len(text) + 8, 64} {
			if size < 8 {
				continue
			}
			opts := DefaultOptions(size)
			os.Remove(out)
			msg, refErr := exec.Command(mkenvimage, "-s", fmt.Sprint(size), "-o", out, in).CombinedOutput()
			got, err := FromText([]byte(text), opts)
			var se *SyntaxError
			switch {
			case errors.As(err, &se):
				syntax++
			case refErr != nil && err == nil:
				t.Errorf("text %q size %d: mkenvimage failed (%s), FromText succeeded", text, size, strings.TrimSpace(string(msg)))
			case refErr == nil && err != nil:
				t.Errorf("text %q size %d: FromText: %v, mkenvimage succeeded", text, size, err)
			case refErr == nil:
				want, _ := os.ReadFile(out)
				if !bytes.Equal(got, want) {
					t.Errorf("text %q size %d: differs from mkenvimage\n got %x\nwant %x", text, size, head(got), head(want))
				}
				compared++
			}
		}
	}
	if compared < 300 || syntax == 0 {
		t.Fatalf("compared %d images, %d syntax rejections: the generator no longer exercises both", compared, syntax)
	}
}

func head(b []byte) []byte {
	if len(b) > 96 {
		return b[:96]
	}
	return b
}

// TestFromVarsMatchesText checks that variables given directly make the
// same image as the equivalent text.
func TestFromVarsMatchesText(t *testing.T) {
	vars := []Var{{"bootcmd", "run a; run b"}, {"multi", "x\ny"}, {"empty", ""}}
	text := "bootcmd=run a; run b\nmulti=x\\\ny\nempty=\n"
	for _, size := range []int{0x100, 51} {
		opts := DefaultOptions(size)
		a, errA := FromVars(vars, opts)
		b, errB := FromText([]byte(text), opts)
		if (errA == nil) != (errB == nil) || !bytes.Equal(a, b) {
			t.Errorf("size %d: FromVars %v / FromText %v disagree", size, errA, errB)
		}
	}
	none, err := FromVars(nil, DefaultOptions(16))
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := FromText(nil, DefaultOptions(16)); !bytes.Equal(none, want) {
		t.Errorf("empty environment: %x, want %x", none, want)
	}
	for _, bad := range [][]Var{{{"", "x"}}, {{"a=b", "x"}}, {{"a", "x\x00"}}} {
		if _, err := FromVars(bad, DefaultOptions(64)); err == nil {
			t.Errorf("FromVars(%q) accepted", bad)
		}
	}
}

func TestFromTextErrors(t *testing.T) {
	var se *SyntaxError
	_, err := FromText([]byte("a=1\n# c\nnoequals\n"), DefaultOptions(64))
	if !errors.As(err, &se) || se.Line != 3 || !strings.Contains(se.Msg, "noequals") {
		t.Errorf("variable without '=': got %v", err)
	}
	_, err = FromText([]byte("a=1\n=x\n"), DefaultOptions(64))
	if !errors.As(err, &se) || se.Line != 2 {
		t.Errorf("empty name: got %v", err)
	}
	var tl *ErrTooLarge
	if _, err := FromText([]byte("a="+strings.Repeat("x", 100)+"\n"), DefaultOptions(64)); !errors.As(err, &tl) {
		t.Errorf("too large: got %v", err)
	}
	if _, err := FromText([]byte("a=1\n"), DefaultOptions(5)); err == nil {
		t.Error("size 5 accepted")
	}
}

// TestFwPrintenvReadsOurs has libubootenv's fw_printenv read our images,
// plain and redundant. fw_printenv (libubootenv 0.3) always creates
// /var/lock/fw_printenv.lock; it runs in a private user and mount namespace
// with the test's own directory bound over /var/lock, so nothing is written
// outside t.TempDir().
func TestFwPrintenvReadsOurs(t *testing.T) {
	fwPrintenv := mustLookPath(t, "fw_printenv")
	unshare := mustLookPath(t, "unshare")
	dir := t.TempDir()
	lockDir := filepath.Join(dir, "lock")
	if err := os.Mkdir(lockDir, 0o755); err != nil {
		t.Fatal(err)
	}
	vars := []Var{{"bootcmd", "run distro_bootcmd"}, {"bootdelay", "2"}, {"multi", "line1\nline2"}, {"empty", ""}}
	const size = 0x2000
	for _, red := range []bool{false, true} {
		opts := DefaultOptions(size)
		opts.Redundant = red
		img, err := FromVars(vars, opts)
		if err != nil {
			t.Fatal(err)
		}
		envFile := filepath.Join(dir, fmt.Sprintf("env-%v.bin", red))
		config := fmt.Sprintf("%s 0x0 0x%x\n", envFile, size)
		content := img
		if red {
			// Two copies; the second is corrupted so fw_printenv must
			// validate the CRC after the flag byte to pick the first.
			second := append([]byte(nil), img...)
			second[len(second)-1] ^= 0xff
			content = append(append([]byte(nil), img...), second...)
			config += fmt.Sprintf("%s 0x%x 0x%x\n", envFile, size, size)
		}
		if err := os.WriteFile(envFile, content, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := filepath.Join(dir, fmt.Sprintf("fw_env-%v.config", red))
		if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
		script := `mount --bind "$1" /var/lock && exec "$2" -c "$3"`
		out, err := exec.Command(unshare, "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh", lockDir, fwPrintenv, cfg).CombinedOutput()
		if err != nil {
			t.Fatalf("redundant=%v: fw_printenv in a private namespace: %v\n%s", red, err, out)
		}
		// fw_printenv lists variables sorted by name.
		want := "bootcmd=run distro_bootcmd\nbootdelay=2\nempty=\nmulti=line1\nline2\n"
		if string(out) != want {
			t.Errorf("redundant=%v: fw_printenv printed\n%s\nwant\n%s", red, out, want)
		}
	}
	if _, err := os.Stat(filepath.Join(lockDir, "fw_printenv.lock")); err != nil {
		t.Errorf("fw_printenv's lock file did not land in the test's directory: %v", err)
	}
}

func TestDetect(t *testing.T) {
	for _, red := range []bool{false, true} {
		for _, be := range []bool{false, true} {
			opts := DefaultOptions(256)
			opts.Redundant, opts.BigEndian = red, be
			img, err := FromVars([]Var{{"k", "v"}}, opts)
			if err != nil {
				t.Fatal(err)
			}
			e, err := Parse(img)
			if err != nil {
				t.Fatalf("red=%v be=%v: %v", red, be, err)
			}
			if e.Redundant != red || e.BigEndian != be || len(e.Vars) != 1 || e.Used != 5 {
				t.Errorf("red=%v be=%v: parsed %+v", red, be, e)
			}
			img[len(img)-1] ^= 1
			if _, err := Parse(img); err == nil {
				t.Errorf("red=%v be=%v: corrupted image parsed", red, be)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	img, _ := FromVars([]Var{{"a", "1"}, {"bootcmd", "x"}}, DefaultOptions(64))
	f.Add(img)
	red := DefaultOptions(64)
	red.Redundant = true
	img2, _ := FromVars([]Var{{"a", "1"}}, red)
	f.Add(img2)
	f.Add([]byte{0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Parse(data)
		if err != nil {
			return
		}
		// What parses rebuilds to an image that parses to the same vars.
		opts := Options{Size: len(data), Redundant: e.Redundant, BigEndian: e.BigEndian, Pad: 0xff}
		again, err := FromVars(e.Vars, opts)
		if err != nil {
			t.Fatalf("parsed variables do not rebuild: %v", err)
		}
		e2, err := ParseLayout(again, opts)
		if err != nil || !cmp.Equal(e2.Vars, e.Vars) {
			t.Fatalf("rebuilt image parses differently: %v", err)
		}
	})
}

func FuzzFromText(f *testing.F) {
	for _, s := range texts {
		f.Add([]byte(s), 64)
	}
	f.Fuzz(func(t *testing.T, text []byte, size int) {
		if size < 0 || size > 1<<16 {
			return
		}
		img, err := FromText(text, DefaultOptions(size))
		if err != nil {
			return
		}
		if len(img) != size {
			t.Fatalf("image of %d bytes for size %d", len(img), size)
		}
		if _, err := ParseLayout(img, DefaultOptions(size)); err != nil {
			t.Fatalf("FromText output does not parse: %v", err)
		}
	})
}
