package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSystem lays out a sysfs, mount table and /dev with one disk "sdz" of
// 8 KiB whose device node is a regular file.
func fakeSystem(t *testing.T, removable string, mounts string) (root, dev string) {
	t.Helper()
	root = t.TempDir()
	files := map[string]string{
		"sys/block/sdz/size":             "16\n",
		"sys/block/sdz/removable":        removable + "\n",
		"sys/block/sdz/device/vendor":    "Generic\n",
		"sys/block/sdz/device/model":     "SD Reader\n",
		"sys/block/sdz/sdz1/partition":   "1\n",
		"sys/class/block/sdz1/partition": "1\n",
		"mounts":                         strings.ReplaceAll(mounts, "DEV/", filepath.Join(root, "dev")+"/"),
		"dev/sdz":                        strings.Repeat("o", 8192),
		"dev/sdz1":                       "",
	}
	for name, text := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, filepath.Join(root, "dev", "sdz")
}

func flashSD(root string, args ...string) (int, string, string) {
	return diskRun(append([]string{"flash-sd", "--sysfs", filepath.Join(root, "sys"), "--mounts", filepath.Join(root, "mounts"), "--devdir", filepath.Join(root, "dev")}, args...)...)
}

func TestFlashSD(t *testing.T) {
	root, dev := fakeSystem(t, "1", "/dev/sda1 / ext4 rw 0 0\n")
	img := filepath.Join(root, "sdcard.img")
	data := bytes.Repeat([]byte("image!"), 1000)
	os.WriteFile(img, data, 0o644)

	// Without --yes: the plan, nothing written.
	code, out, errs := flashSD(root, img, dev)
	if code != 0 || !strings.Contains(out, "Generic SD Reader") || !strings.Contains(out, "nothing written") {
		t.Fatalf("dry run: %d %s%s", code, out, errs)
	}
	if got, _ := os.ReadFile(dev); got[0] != 'o' {
		t.Fatal("a run without --yes wrote to the device")
	}
	code, out, errs = flashSD(root, img, dev, "--yes") // as `bazel run :flash_sd -- DEV --yes` passes it
	if code != 0 || !strings.Contains(out, "wrote 6000 bytes") {
		t.Fatalf("write: %d %s%s", code, out, errs)
	}
	if got, _ := os.ReadFile(dev); !bytes.Equal(got[:len(data)], data) || got[len(data)] != 'o' {
		t.Fatal("device does not hold the image")
	}
}

func TestFlashSDRefuses(t *testing.T) {
	for _, c := range []struct {
		name, removable, mounts, device, want string
	}{
		{"fixed disk", "0", "", "sdz", "is not a removable device"},
		{"mounted partition", "1", "DEV/sdz1 /media/my\\040card vfat rw 0 0\n", "sdz", "sdz1 on /media/my card)"},
		{"partition", "1", "", "sdz1", "is a partition; give the whole device"},
		{"image too big", "1", "", "sdz", "larger than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root, _ := fakeSystem(t, c.removable, c.mounts)
			img := filepath.Join(root, "sdcard.img")
			size := 100
			if c.name == "image too big" {
				size = 9000
			}
			os.WriteFile(img, make([]byte, size), 0o644)
			dev := filepath.Join(root, "dev", c.device)
			code, _, errs := flashSD(root, "--yes", img, dev)
			if code == 0 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, c.want) {
				t.Fatalf("%d %q, want one line with %q", code, errs, c.want)
			}
			if got, _ := os.ReadFile(filepath.Join(root, "dev", "sdz")); got[0] != 'o' {
				t.Fatal("refused device was written")
			}
		})
	}
}
