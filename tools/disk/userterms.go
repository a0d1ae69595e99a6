package disk

import (
	"errors"
	"sort"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/lazyre"
)

// partitionRef matches how Plan and Write name a partition: the leading
// "Partition 'x': " of every per-partition error, and "partition 'y'" where
// a message refers to another one (an overlap, a second autoresize).
var partitionRef = &lazyre.Regexp{Expr: `(^Partition|\bpartition) '([^']*)'`}

// InUserTerms restates err for someone who wrote BUILD files: when the
// manifest carries the disk_image's label (the rule writes it), the message
// starts with that label, each partition is named with the disk_partition
// target that declared it, `partition 'rootfs' (//pkg:rootfs_part)`, and an
// input path with the label of the partition's image. Without a label (a
// hand-written manifest, a genimage config) err is returned unchanged.
func (m *Manifest) InUserTerms(err error) error {
	if err == nil || m.Label == "" {
		return err
	}
	labels := map[string]string{}
	images := map[string]string{}
	for _, p := range m.Partitions {
		labels[p.Name] = p.Label
		if p.Image != "" && p.ImageLabel != "" {
			images[p.Image] = p.ImageLabel
		}
	}
	msg := partitionRef.Get().ReplaceAllStringFunc(err.Error(), func(ref string) string {
		name := partitionRef.Get().FindStringSubmatch(ref)[2]
		label, ok := labels[name]
		if !ok {
			return ref
		}
		named := "partition '" + name + "'"
		if label != "" {
			named += " (" + label + ")"
		}
		return named
	})
	return errors.New(m.Label + ": " + replacePaths(msg, images))
}

// replacePaths writes each input path of msg, quoted or not, as its label;
// longer paths first, so that one path that prefixes another cannot split it.
func replacePaths(msg string, images map[string]string) string {
	paths := make([]string, 0, len(images))
	for p := range images {
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool { return len(paths[i]) > len(paths[j]) })
	var pairs []string
	for _, p := range paths {
		pairs = append(pairs, "'"+p+"'", images[p], p, images[p])
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}
