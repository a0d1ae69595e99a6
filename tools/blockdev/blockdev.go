// Package blockdev decides whether a Linux block device may be overwritten
// with an image, and writes it. It is what `bazel run :flash_sd -- /dev/sdX`
// stands on: an SD card reader is removable and unmounted; the disk holding
// the running system is neither, and writing to it by a typo must be
// impossible, not merely unlikely.
package blockdev

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// System is where the kernel's view of devices is read from; tests point it
// at a fake tree.
type System struct {
	Sys    string // usually /sys
	Mounts string // usually /proc/self/mounts
	Dev    string // usually /dev
}

// Host is the running system.
var Host = System{Sys: "/sys", Mounts: "/proc/self/mounts", Dev: "/dev"}

// Device is what the kernel says about one whole disk.
type Device struct {
	Path      string   // as given, e.g. /dev/sdb
	Name      string   // kernel name, e.g. sdb
	Size      int64    // bytes
	Removable bool     // /sys/block/NAME/removable
	Model     string   // vendor and model, for the confirmation prompt
	Mounted   []string // "/dev/sdb1 on /media/x" for each mounted partition
}

// Inspect reads what the kernel knows about path, which must name a whole
// disk (/dev/sdb, /dev/mmcblk0), not a partition.
func (s System) Inspect(path string) (*Device, error) {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(resolved)
	if filepath.Dir(resolved) != filepath.Clean(s.Dev) {
		return nil, fmt.Errorf("%s: not a device under %s", path, s.Dev)
	}
	block := filepath.Join(s.Sys, "block", name)
	if _, err := os.Stat(block); err != nil {
		if _, perr := os.Stat(filepath.Join(s.Sys, "class", "block", name, "partition")); perr == nil {
			return nil, fmt.Errorf("%s is a partition; give the whole device", path)
		}
		return nil, fmt.Errorf("%s: no block device '%s' in %s/block", path, name, s.Sys)
	}
	d := &Device{Path: path, Name: name}
	sectors, err := readInt(filepath.Join(block, "size"))
	if err != nil {
		return nil, err
	}
	d.Size = sectors * 512 // sysfs counts 512-byte sectors whatever the device's own
	removable, err := readInt(filepath.Join(block, "removable"))
	if err != nil {
		return nil, err
	}
	d.Removable = removable == 1
	d.Model = strings.TrimSpace(readText(filepath.Join(block, "device", "vendor")) + " " + readText(filepath.Join(block, "device", "model")))
	if d.Mounted, err = s.mountedOn(name); err != nil {
		return nil, err
	}
	return d, nil
}

// Refuse reports why d must not be written with an image of imageSize bytes.
func (d *Device) Refuse(imageSize int64) error {
	switch {
	case !d.Removable:
		return fmt.Errorf("%s (%s) is not a removable device; refusing to overwrite it", d.Path, d.describe())
	case len(d.Mounted) > 0:
		return fmt.Errorf("%s is mounted (%s); unmount it first", d.Path, strings.Join(d.Mounted, ", "))
	case imageSize > d.Size:
		return fmt.Errorf("the image (%d bytes) is larger than %s (%d bytes)", imageSize, d.Path, d.Size)
	}
	return nil
}

func (d *Device) describe() string {
	model := d.Model
	if model == "" {
		model = "unknown model"
	}
	return fmt.Sprintf("%s, %.1f GB", model, float64(d.Size)/1e9)
}

// Summary is the line shown before writing.
func (d *Device) Summary() string { return fmt.Sprintf("%s: %s", d.Path, d.describe()) }

// mountedOn lists the mounts whose source is the disk or one of its
// partitions (sdb, sdb1, mmcblk0p2, ...).
func (s System) mountedOn(name string) ([]string, error) {
	f, err := os.Open(s.Mounts)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	parts := map[string]bool{name: true}
	if entries, err := os.ReadDir(filepath.Join(s.Sys, "block", name)); err == nil {
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), name) {
				parts[e.Name()] = true
			}
		}
	}
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || !strings.HasPrefix(fields[0], "/") {
			continue
		}
		src := fields[0]
		if r, err := filepath.EvalSymlinks(src); err == nil {
			src = r
		}
		if parts[filepath.Base(src)] && filepath.Dir(src) == filepath.Clean(s.Dev) {
			out = append(out, fields[0]+" on "+unescapeMount(fields[1]))
		}
	}
	return out, sc.Err()
}

// unescapeMount undoes the octal escapes /proc/mounts uses for blanks.
func unescapeMount(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func readInt(path string) (int64, error) {
	v, err := strconv.ParseInt(readText(path), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %v", path, err)
	}
	return v, nil
}

func readText(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Write copies all of img to dev from offset 0 and flushes it to the
// medium. Every byte is written, holes too: a stale partition table or
// filesystem left in a skipped range would be read as real.
func Write(dev io.WriterAt, img io.ReaderAt, size int64, progress func(done int64)) error {
	buf := make([]byte, 4<<20)
	for off := int64(0); off < size; {
		n := int64(len(buf))
		if size-off < n {
			n = size - off
		}
		if _, err := img.ReadAt(buf[:n], off); err != nil && err != io.EOF {
			return fmt.Errorf("reading the image at %d: %v", off, err)
		}
		if _, err := dev.WriteAt(buf[:n], off); err != nil {
			return fmt.Errorf("writing at %d: %v", off, err)
		}
		off += n
		if progress != nil {
			progress(off)
		}
	}
	return nil
}
