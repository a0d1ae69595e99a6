package genimage

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/extfs"
	"github.com/rules-firmware/rules_firmware/tools/fstree"
	"github.com/rules-firmware/rules_firmware/tools/lazymap"
)

// usageTypes are mke2fs.conf's usage types (-T): bytes per inode and, for
// the small ones, 1 KiB blocks.
var usageTypes = &lazymap.Map[string, struct {
	ratio int64
	bs    int
}]{New: func() map[string]struct {
	ratio int64
	bs    int
} {
	return map[string]struct {
		ratio int64
		bs    int
	}{
		"floppy": {8192, 1024}, "small": {4096, 1024}, "default": {16384, 0}, "big": {32768, 0},
		"huge": {65536, 0}, "news": {4096, 0}, "largefile": {1 << 20, 0}, "largefile4": {4 << 20, 0},
	}
}}

// buildExt writes ext2/3/4 images with tools/extfs. Both of genimage's
// routes (mke2fs -d, or genext2fs then tune2fs) become one writer: the
// mke2fs route's options map onto it (features, label, root-owner,
// usage-type and a subset of mke2fs's flags); genext2fs's route keeps its
// one-inode-per-16-KiB ratio. fs-timestamp stamps every time in the image.
func buildExt(b *build, img disk.GenimageSection, out string) error {
	if err := checkImageOptions(img, fsOptions...); err != nil {
		return err
	}
	opts, err := typeOptions(img, "use-mke2fs", "features", "label", "fs-timestamp", "root-owner", "usage-type", "mke2fs-conf", "mke2fs_conf")
	if err != nil {
		return err
	}
	for _, k := range []string{"mke2fs-conf", "mke2fs_conf"} {
		if o, ok := opts[k]; ok {
			return fmt.Errorf("line %d: %s option '%s': an mke2fs configuration file is not supported (fwtool writes ext images itself; give features, usage-type or extraargs)", o.Line, img.Type, k)
		}
	}
	entries, err := b.contentTree(img)
	if err != nil {
		return err
	}
	root, err := statTree(entries)
	if err != nil {
		return err
	}
	size, err := extSize(img, root)
	if err != nil {
		return err
	}
	eo := extfs.Options{Type: img.Type, Size: size, ReservedPercent: -1, Time: b.opts.ModTime}
	mke2fs := true
	if o, ok := opts["use-mke2fs"]; ok {
		if mke2fs, err = o.Bool(); err != nil {
			return fmt.Errorf("line %d: use-mke2fs: %v", o.Line, err)
		}
	}
	var features []string
	if mke2fs {
		// genimage turns these off below 4 GiB and 2 TiB
		if size < 4<<30 {
			features = append(features, "^large_file")
		}
		features = append(features, "^huge_file")
		eo.RootOwner = true
	} else {
		eo.InodeRatio = 16384 // genext2fs -i 16384, raised to what the tree needs
		eo.GrowInodes = true
	}
	if err := extOptions(opts, &eo, &features); err != nil {
		return err
	}
	if err := extArgs(img, &eo, &features); err != nil {
		return err
	}
	eo.Features = strings.Join(features, ",")
	return writeFile(out, func(f *os.File) error { return extfs.Write(f, root, eo) })
}

// extSize is the size option; a percentage is of the content's size as
// genimage counts it: each regular file rounded up to 4 KiB, 4 KiB per
// directory.
func extSize(img disk.GenimageSection, root *fstree.Node) (int64, error) {
	o, ok := imageOption(img, "size")
	if ok && strings.HasSuffix(o.Value(), "%") {
		pct, err := strconv.ParseUint(strings.TrimSuffix(o.Value(), "%"), 10, 32)
		if err != nil || pct == 0 {
			return 0, fmt.Errorf("line %d: size %q: want a whole percentage", o.Line, o.Value())
		}
		var content int64
		_ = fstree.Walk(root, func(n *fstree.Node) error {
			switch n.Entry.Kind {
			case fstree.Dir:
				content += 4096
			case fstree.File:
				content += (n.Size + 4095) &^ 4095
			}
			return nil
		})
		return content * int64(pct) / 100, nil
	}
	size, err := imageSize(img)
	if err == nil && size == 0 {
		err = fmt.Errorf("%s: no size given or must not be zero", img.Type)
	}
	return size, err
}

// extOptions applies the type section's options.
func extOptions(opts map[string]disk.GenimageOption, eo *extfs.Options, features *[]string) error {
	if o, ok := opts["label"]; ok {
		eo.Label = o.Value()
	}
	if o, ok := opts["features"]; ok && o.Value() != "" {
		*features = append(*features, o.Value())
	}
	if o, ok := opts["root-owner"]; ok {
		u, g, err := parseOwner(o.Value())
		if err != nil {
			return fmt.Errorf("line %d: root-owner: %v", o.Line, err)
		}
		eo.RootOwner, eo.RootUID, eo.RootGID = true, u, g
	}
	if o, ok := opts["usage-type"]; ok {
		if err := setUsageType(eo, o.Value()); err != nil {
			return fmt.Errorf("line %d: usage-type: %v", o.Line, err)
		}
	}
	if o, ok := opts["fs-timestamp"]; ok {
		t, err := parseFsTimestamp(o.Value())
		if err != nil {
			return fmt.Errorf("line %d: fs-timestamp: %v", o.Line, err)
		}
		eo.Time = t
	}
	return nil
}

func setUsageType(eo *extfs.Options, v string) error {
	u, ok := usageTypes.Get()[v]
	if !ok {
		return fmt.Errorf("usage type %q is not one of mke2fs.conf's (floppy, small, default, big, huge, news, largefile, largefile4)", v)
	}
	eo.InodeRatio, eo.BlockSize = u.ratio, u.bs
	return nil
}

func parseOwner(v string) (uint32, uint32, error) {
	us, gs, ok := strings.Cut(v, ":")
	u, err1 := strconv.ParseUint(us, 10, 32)
	g, err2 := strconv.ParseUint(gs, 10, 32)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%q: want UID:GID (numbers)", v)
	}
	return uint32(u), uint32(g), nil
}

// parseFsTimestamp reads debugfs's time forms: YYYYMMDD[HHMM[SS]] (UTC)
// or @seconds.
func parseFsTimestamp(v string) (uint32, error) {
	if strings.HasPrefix(v, "@") {
		n, err := strconv.ParseUint(v[1:], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("%q: want @seconds", v)
		}
		return uint32(n), nil
	}
	layout := map[int]string{8: "20060102", 12: "200601021504", 14: "20060102150405"}[len(v)]
	t, err := time.Parse(layout, v)
	if layout == "" || err != nil || t.Unix() < 0 || t.Unix() > 1<<32-1 {
		return 0, fmt.Errorf("%q: want YYYYMMDD[HHMM[SS]] or @seconds", v)
	}
	return uint32(t.Unix()), nil
}

// extArgs takes the mke2fs flags of extraargs that describe the
// filesystem; flags for mke2fs's own behaviour that cannot change the
// result (-q, -F, lazy init) are accepted, the rest refused by name.
func extArgs(img disk.GenimageSection, eo *extfs.Options, features *[]string) error {
	return extraArgs(img, func(flag string, rest []string) (int, error) {
		switch flag {
		case "-q", "-F":
			return 0, nil
		case "-j":
			*features = append(*features, "has_journal")
			return 0, nil
		case "-U", "-E", "-m", "-N", "-i", "-I", "-b", "-L", "-O", "-T":
		default:
			return 0, unknownFlag("mke2fs", flag)
		}
		v, err := needArg(flag, rest)
		if err != nil {
			return 0, err
		}
		return 1, extArg(flag, v, eo, features)
	})
}

func extArg(flag, v string, eo *extfs.Options, features *[]string) error {
	num := func() (uint64, error) {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("%s %s: not a number", flag, v)
		}
		return n, nil
	}
	var n uint64
	var err error
	switch flag {
	case "-U":
		u, err := extfs.ParseUUID(v)
		if err != nil {
			return fmt.Errorf("-U %s: %v", v, err)
		}
		eo.UUID = &u
	case "-E":
		return extExtended(v, eo)
	case "-m":
		p, err := strconv.ParseFloat(v, 64)
		if err != nil || p < 0 {
			return fmt.Errorf("-m %s: not a percentage", v)
		}
		eo.ReservedPercent = p
	case "-N":
		n, err = num()
		eo.Inodes = uint32(n)
	case "-i":
		n, err = num()
		eo.InodeRatio = int64(n)
	case "-I":
		n, err = num()
		eo.InodeSize = int(n)
	case "-b":
		n, err = num()
		eo.BlockSize = int(n)
	case "-L":
		eo.Label = v
	case "-O":
		*features = append(*features, v)
	case "-T":
		return setUsageType(eo, v)
	}
	return err
}

// extExtended takes mke2fs -E's options: root_owner and hash_seed change
// the image; lazy_itable_init/lazy_journal_init do not (everything is
// written zeroed); quotatype is accepted only empty (no quota).
func extExtended(v string, eo *extfs.Options) error {
	for _, kv := range strings.Split(v, ",") {
		k, val, _ := strings.Cut(kv, "=")
		switch k {
		case "":
		case "lazy_itable_init", "lazy_journal_init":
		case "quotatype":
			if val != "" {
				return fmt.Errorf("-E quotatype=%s: quota is not supported", val)
			}
		case "root_owner":
			u, g, err := parseOwner(val)
			if err != nil {
				return fmt.Errorf("-E root_owner: %v", err)
			}
			eo.RootOwner, eo.RootUID, eo.RootGID = true, u, g
		case "hash_seed":
			u, err := extfs.ParseUUID(val)
			if err != nil {
				return fmt.Errorf("-E hash_seed=%s: %v", val, err)
			}
			eo.HashSeed = &u
		default:
			return fmt.Errorf("-E %s: extended option '%s' is not supported", v, k)
		}
	}
	return nil
}
