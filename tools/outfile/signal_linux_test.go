//go:build linux

package outfile

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as a process that is killed while it has a
// staged output, a made directory and a temporary directory.
func TestMain(m *testing.M) {
	if dir := os.Getenv("OUTFILE_TEST_KILL_ME"); dir != "" {
		holdOutputs(dir)
		return
	}
	os.Exit(m.Run())
}

func holdOutputs(dir string) {
	b := NewBatch()
	defer b.Abort()
	if err := b.WriteBytesIn(dir, "new/sub/entry", "Entry 'entry'", []byte("x")); err != nil {
		fmt.Println(err)
		return
	}
	tmp, _, err := TempDir(dir, "scratch-*")
	if err != nil {
		fmt.Println(err)
		return
	}
	os.WriteFile(filepath.Join(tmp, "f"), []byte("x"), 0o600)
	b.Write(filepath.Join(dir, "image.bin"), FileMode, func(f *os.File) error {
		fmt.Println("ready")
		select {} // a long write, interrupted
	})
}

func TestSignalRemovesTemporaries(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "image.bin"), []byte("previous"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "OUTFILE_TEST_KILL_ME="+dir)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, _ := bufio.NewReader(out).ReadString('\n')
			if line != "ready\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("helper said %q", line)
			}
			if n := len(listTree(t, dir)); n < 5 {
				t.Fatalf("helper made only %v", listTree(t, dir))
			}
			cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatal("helper did not exit on " + sig.String())
			}
			ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if !ok || !ws.Signaled() || ws.Signal() != sig {
				t.Errorf("helper exit %v, want death by %v", err, sig)
			}
			if got := strings.Join(listTree(t, dir), " "); got != "image.bin" {
				t.Errorf("after %v the directory holds %s, want only image.bin", sig, got)
			}
			if data, _ := os.ReadFile(filepath.Join(dir, "image.bin")); string(data) != "previous" {
				t.Errorf("image.bin = %q, want untouched", data)
			}
		})
	}
}
