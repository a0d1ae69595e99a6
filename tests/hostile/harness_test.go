// Package hostile runs fwtool on crafted, malformed and oversized inputs of
// every format it reads and checks what an attacker must not get: a panic,
// a hang, memory out of proportion to the real input, a file written outside
// the output directory, a temporary file left behind, or a half-written
// result after a failure.
//
// Each family file (uimage_test.go, fit_test.go, ...) crafts its cases at
// test time; harness_test.go runs every case in its own sandbox with a wall
// time limit, an address-space and file-size limit (prlimit) and reads the
// peak RSS from the child's rusage.
package hostile

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

var fwtoolFlag = flag.String("fwtool", "", "fwtool binary (Bazel passes its rootpath); empty: build it with go build")

// fwtool is the absolute path of the binary every case runs.
var fwtool string

const (
	// memFloor is what fwtool may use whatever its input: the Go runtime,
	// the binary and small tables (a trivial run peaks near 10 MiB).
	memFloor = 64 << 20
	// memPerInputByte bounds the rest: a few copies of the real input.
	memPerInputByte = 4
	// asLimit and fsizeLimit are prlimit backstops, so a runaway case fails
	// (killed) instead of taking the machine with it.
	asLimit    = 3 << 30
	fsizeLimit = 2 << 30
	// defaultTimeout per case; every case is small, so this only fires on a
	// hang (shared 2-core CI machines are slow, hence the slack).
	defaultTimeout = 10 * time.Second
)

func TestMain(m *testing.M) {
	if os.Getenv(runnerEnv) != "" {
		os.Exit(runner(os.Args[1:]))
	}
	flag.Parse()
	path, cleanup, err := locateFwtool()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
	fwtool = path
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// locateFwtool finds the binary Bazel put in the runfiles, or builds one
// from this checkout when run with plain `go test ./tests/hostile/`.
func locateFwtool() (string, func(), error) {
	if *fwtoolFlag != "" {
		cands := []string{*fwtoolFlag, filepath.Join("..", "..", *fwtoolFlag)}
		if d := os.Getenv("TEST_SRCDIR"); d != "" {
			cands = append(cands, filepath.Join(d, os.Getenv("TEST_WORKSPACE"), *fwtoolFlag))
		}
		for _, c := range cands {
			if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
				abs, err := filepath.Abs(c)
				return abs, func() {}, err
			}
		}
		return "", nil, fmt.Errorf("fwtool %q not found in the runfiles", *fwtoolFlag)
	}
	root, err := moduleRoot()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "hostile-fwtool-")
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "fwtool")
	cmd := exec.Command("go", "build", "-o", bin, "./tools/fwtool")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("go build fwtool: %v\n%s", err, out)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Case is one hostile run of fwtool.
type Case struct {
	Name string
	// Files are written into the case's input directory before the run.
	Files map[string][]byte
	// Setup prepares anything Files cannot express (FIFOs, sparse files,
	// symlinks); it runs after Files are written.
	Setup func(t *testing.T, e *Env)
	// Args are fwtool's arguments; "{in}", "{out}" and "{tmp}" are replaced
	// by the case's directories.
	Args []string
	// WantOK: the command must succeed (within the same bounds); otherwise
	// it must fail cleanly.
	WantOK bool
	// WantErr, when set, must appear in the one-line error.
	WantErr string
	// Timeout overrides defaultTimeout.
	Timeout time.Duration
	// MemLimit, when set, replaces the floor + multiple-of-input bound,
	// for inputs whose parsed form is legitimately bigger than their
	// bytes (100,000 nodes in a 2 MB source); it must still be a bound.
	MemLimit int64
	// Check runs extra assertions after the run.
	Check func(e *Env, r *Result) error
	// Pending names the issue a known failure waits for: the case then
	// skips (saying why) while it fails, and fails once it passes, so the
	// marker is removed with the fix.
	Pending string
}

// Env is a case's sandbox: everything fwtool may touch lies under Root,
// several directories below the test's temporary directory so that a
// relative escape lands where the snapshot sees it.
type Env struct {
	Root, In, Out, Tmp, Cwd string
	files                   map[string][]byte // Case.Files, as written
}

// Path returns the absolute path of name in the input directory.
func (e *Env) Path(name string) string { return filepath.Join(e.In, name) }

// Result is what a run produced.
type Result struct {
	Exit           int
	Stdout, Stderr string
	MaxRSS         int64 // bytes
	Elapsed        time.Duration
	TimedOut       bool
}

func newEnv(t *testing.T) *Env {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c", "d", "e", "f", "g", "h")
	e := &Env{Root: root, In: filepath.Join(deep, "in"), Out: filepath.Join(deep, "out"),
		Tmp: filepath.Join(deep, "tmp"), Cwd: filepath.Join(deep, "cwd")}
	for _, d := range []string{e.In, e.Out, e.Tmp, e.Cwd} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *Env) expand(s string) string {
	return strings.NewReplacer("{in}", e.In, "{out}", e.Out, "{tmp}", e.Tmp).Replace(s)
}

// runFamily runs every case of a family as parallel subtests.
func runFamily(t *testing.T, cases []Case) {
	seen := map[string]bool{}
	for _, c := range cases {
		c := c
		if seen[c.Name] {
			t.Fatalf("case %q defined twice", c.Name)
		}
		seen[c.Name] = true
		if why, ok := pending[t.Name()+"/"+c.Name]; ok && c.Pending == "" {
			c.Pending = why
		}
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			runCase(t, c)
		})
	}
}

func runCase(t *testing.T, c Case) {
	e := newEnv(t)
	e.files = c.Files
	for name, data := range c.Files {
		p := e.Path(name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if c.Setup != nil {
		c.Setup(t, e)
	}
	fails := judge(t, e, c)
	switch {
	case c.Pending != "" && len(fails) > 0:
		t.Skipf("pending (%s):\n%s", c.Pending, strings.Join(fails, "\n"))
	case c.Pending != "":
		t.Errorf("case passes now: remove Pending %q", c.Pending)
	default:
		for _, f := range fails {
			t.Error(f)
		}
	}
}

// judge runs the case and returns every broken promise.
func judge(t *testing.T, e *Env, c Case) []string {
	var fails []string
	failf := func(format string, args ...interface{}) { fails = append(fails, fmt.Sprintf(format, args...)) }
	realInput := realSize(e.In)
	before := snapshot(t, e.Root)
	r := execute(t, e, c)
	cmdline := "fwtool " + strings.Join(c.Args, " ")
	t.Logf("%s: exit %d, peak RSS %d MiB, %v", cmdline, r.Exit, r.MaxRSS>>20, r.Elapsed.Round(time.Millisecond))

	if r.TimedOut {
		return append(fails, fmt.Sprintf("%s: no answer after %v (hang)", cmdline, r.Elapsed.Round(time.Second)))
	}
	if strings.Contains(r.Stderr, "panic:") || strings.Contains(r.Stderr, "goroutine ") {
		return append(fails, fmt.Sprintf("%s panicked:\n%s", cmdline, clip(r.Stderr)))
	}
	if r.Exit < 0 {
		return append(fails, fmt.Sprintf("%s was killed after %v (peak RSS %d MiB; prlimit --as=%d --fsize=%d)\nstderr: %s",
			cmdline, r.Elapsed.Round(time.Millisecond), r.MaxRSS>>20, asLimit, fsizeLimit, clip(r.Stderr)))
	}
	limit := int64(memFloor) + memPerInputByte*realInput
	if c.MemLimit > 0 {
		limit = c.MemLimit
	}
	if r.MaxRSS > limit {
		failf("%s: peak RSS %d MiB > %d MiB (floor %d MiB + %dx real input %d bytes)",
			cmdline, r.MaxRSS>>20, limit>>20, memFloor>>20, memPerInputByte, realInput)
	}
	after := snapshot(t, e.Root)
	if c.WantOK {
		if r.Exit != 0 {
			return append(fails, fmt.Sprintf("%s: exit %d, want success\nstderr: %s", cmdline, r.Exit, clip(r.Stderr)))
		}
		fails = append(fails, onlyOutChanged(e, before, after)...)
	} else {
		if r.Exit == 0 {
			return append(fails, fmt.Sprintf("%s: exit 0, want a failure\nstdout: %s", cmdline, clip(r.Stdout)))
		}
		msg := strings.TrimRight(r.Stderr, "\n")
		if msg == "" || strings.Contains(msg, "\n") {
			failf("%s: want exactly one line on stderr, got:\n%s", cmdline, clip(r.Stderr))
		}
		if c.WantErr != "" && !strings.Contains(msg, c.WantErr) {
			failf("%s: error %q does not mention %q", cmdline, msg, c.WantErr)
		}
		// A failure leaves everything as it was: inputs, the output
		// directory, and no temporary files anywhere.
		if d := diffSnapshots(before, after); d != "" {
			failf("%s: failed run changed the sandbox:\n%s", cmdline, d)
		}
	}
	if left := listDir(e.Tmp); len(left) > 0 {
		failf("%s: temporary files left in TMPDIR: %v", cmdline, left)
	}
	if c.Check != nil {
		if err := c.Check(e, &r); err != nil {
			failf("%s: %v", cmdline, err)
		}
	}
	return fails
}

func execute(t *testing.T, e *Env, c Case) Result {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = defaultTimeout
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{fmt.Sprintf("--as=%d", asLimit), fmt.Sprintf("--fsize=%d", fsizeLimit), "--", fwtool}
	for _, a := range c.Args {
		args = append(args, e.expand(a))
	}
	report, reportW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer report.Close()
	cmd := exec.Command(self, append([]string{"prlimit"}, args...)...)
	cmd.Dir = e.Cwd
	cmd.Env = append(os.Environ(), runnerEnv+"=1", "TMPDIR="+e.Tmp, "GOTRACEBACK=single")
	var stdout, stderr limitedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.ExtraFiles = []*os.File{reportW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start runner: %v", err)
	}
	reportW.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var r Result
	select {
	case <-done:
	case <-time.After(timeout):
		r.TimedOut = true
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	r.Stdout, r.Stderr, r.Elapsed = stdout.String(), stderr.String(), time.Since(start)
	if r.TimedOut {
		return r
	}
	var rep []byte
	rep, _ = io.ReadAll(report)
	var rssKiB int64
	var signaled string
	if n, _ := fmt.Sscanf(string(rep), "exit=%d maxrss=%d signal=%s", &r.Exit, &rssKiB, &signaled); n < 2 {
		t.Fatalf("runner gave no report (exit %d): %q\nstderr: %s", cmd.ProcessState.ExitCode(), rep, clip(r.Stderr))
	}
	r.MaxRSS = rssKiB << 10
	return r
}

// runnerEnv makes the test binary a runner: it starts the command given
// as arguments and reports its exit status and peak RSS on descriptor 3.
// The indirection is what makes the RSS honest: os/exec starts children
// with vfork semantics, so a child's ru_maxrss starts at its parent's
// high-water mark; a small runner process in between keeps the big test
// process out of fwtool's figure.
const runnerEnv = "HOSTILE_RUNNER"

func runner(args []string) int {
	rep := os.NewFile(3, "report")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, os.Stdout, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintf(os.Stderr, "runner: %v\n", err)
		return 125
	}
	st := cmd.ProcessState
	ru, _ := st.SysUsage().(*syscall.Rusage)
	var maxrss int64
	if ru != nil {
		maxrss = int64(ru.Maxrss)
	}
	sig := "none"
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		sig = ws.Signal().String()
		sig = strings.ReplaceAll(sig, " ", "-")
	}
	fmt.Fprintf(rep, "exit=%d maxrss=%d signal=%s", st.ExitCode(), maxrss, sig)
	rep.Close()
	return 0
}

// limitedBuffer keeps the first MiB of a stream (a case that prints a
// gigabyte must not make the test use a gigabyte).
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := 1<<20 - b.Len(); room > 0 {
		if len(p) > room {
			b.Buffer.Write(p[:room])
		} else {
			b.Buffer.Write(p)
		}
	}
	return len(p), nil
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}

// realSize is the number of bytes the inputs really hold: a sparse file
// counts its allocated blocks, a FIFO or device nothing.
func realSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return nil
		}
		size := fi.Size()
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Blocks*512 < size {
			size = st.Blocks * 512
		}
		n += size
		return nil
	})
	return n
}

type entry struct {
	mode os.FileMode
	size int64
	sum  [32]byte
}

// snapshot records every path under root with its type, size and (for
// files up to 64 MiB) contents hash.
func snapshot(t *testing.T, root string) map[string]entry {
	m := map[string]entry{}
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		en := entry{mode: fi.Mode(), size: fi.Size()}
		if fi.IsDir() {
			en.size = 0 // grows with entries created and removed again
		}
		if fi.Mode().IsRegular() && fi.Size() <= 64<<20 {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			h := sha256.New()
			io.Copy(h, f)
			f.Close()
			copy(en.sum[:], h.Sum(nil))
		}
		m[rel] = en
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot %s: %v", root, err)
	}
	return m
}

func diffSnapshots(before, after map[string]entry) string {
	var out []string
	for p, a := range after {
		b, ok := before[p]
		switch {
		case !ok:
			out = append(out, "  created "+p)
		case a != b:
			out = append(out, "  changed "+p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			out = append(out, "  removed "+p)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// onlyOutChanged: a successful run may create files only below the output
// directory (inputs it updates in place are checked by the case).
func onlyOutChanged(e *Env, before, after map[string]entry) []string {
	var fails []string
	outRel, _ := filepath.Rel(e.Root, e.Out)
	for p := range after {
		if _, ok := before[p]; ok {
			continue
		}
		if p == outRel || strings.HasPrefix(p, outRel+string(filepath.Separator)) {
			continue
		}
		fails = append(fails, "file created outside the output directory: "+p)
	}
	return fails
}

func listDir(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, en := range ents {
		names = append(names, en.Name())
	}
	return names
}
