package fstree

import (
	"strings"
	"testing"
)

func TestSpecs(t *testing.T) {
	e, err := ParseFileSpec("/bin/busybox=in/bb:0755")
	if err != nil || e.Path != "bin/busybox" || e.Source != "in/bb" || !e.HasMode || e.Perm() != 0o755 {
		t.Fatalf("file spec: %+v %v", e, err)
	}
	e, err = ParseFileSpec("a=c:/dir/x")
	if err != nil || e.Source != "c:/dir/x" || e.HasMode || e.Perm() != 0o644 {
		t.Fatalf("file spec with colon in source: %+v %v", e, err)
	}
	e, err = ParseDirSpec("proc:0555")
	if err != nil || e.Kind != Dir || e.Perm() != 0o555 {
		t.Fatalf("dir spec: %+v %v", e, err)
	}
	e, err = ParseSymlinkSpec("bin/sh=busybox")
	if err != nil || e.Kind != Symlink || e.Target != "busybox" || e.Perm() != 0o777 {
		t.Fatalf("symlink spec: %+v %v", e, err)
	}
	e, err = ParseDeviceSpec("dev/console=c:5:1:0600")
	if err != nil || e.Kind != CharDevice || e.Major != 5 || e.Minor != 1 || e.Perm() != 0o600 {
		t.Fatalf("device spec: %+v %v", e, err)
	}
	for _, bad := range []string{"a", "../x=y", "x=", "=y"} {
		if _, err := ParseFileSpec(bad); err == nil {
			t.Errorf("file spec %q accepted", bad)
		}
	}
	if _, err := ParseDeviceSpec("d=x:1:2"); err == nil {
		t.Error("device type x accepted")
	}
}

func TestManifest(t *testing.T) {
	m := `{"entries": [
	  {"path": "bin/busybox", "src": "bb", "mode": "0755"},
	  {"path": "bin/sh", "type": "symlink", "target": "busybox"},
	  {"path": "dev/console", "type": "char", "major": 5, "minor": 1},
	  {"path": "etc", "type": "dir", "uid": 1, "gid": 2}
	]}`
	es, err := ReadManifest(strings.NewReader(m), "m.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 4 || es[0].Perm() != 0o755 || es[1].Target != "busybox" || es[2].Major != 5 || es[3].UID != 1 || es[3].GID != 2 {
		t.Fatalf("%+v", es)
	}
	_, err = ReadManifest(strings.NewReader(`{"entries":[{"path":"x","type":"fifo"}]}`), "m.json")
	if err == nil || !strings.Contains(err.Error(), `entry 0 ("x")`) {
		t.Fatalf("unknown type: %v", err)
	}
}

func TestBuild(t *testing.T) {
	root, err := Build([]Entry{
		{Path: "b/z", Kind: File},
		{Path: "a", Kind: File},
		{Path: "b", Kind: Dir, Mode: 0o700, HasMode: true},
		{Path: "b/c/d", Kind: Symlink},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	Walk(root, func(n *Node) error {
		got = append(got, n.Entry.Path)
		return nil
	})
	if strings.Join(got, ",") != ",a,b,b/c,b/c/d,b/z" {
		t.Fatalf("walk order %q", got)
	}
	if root.Children[1].Entry.Perm() != 0o700 || root.Children[1].Implicit {
		t.Fatal("explicit dir did not replace implicit one")
	}
	if _, err := Build([]Entry{{Path: "a", Kind: File}, {Path: "a", Kind: File}}); err == nil {
		t.Error("duplicate accepted")
	}
	if _, err := Build([]Entry{{Path: "a", Kind: File}, {Path: "a/b", Kind: File}}); err == nil {
		t.Error("entry below a file accepted")
	}
}
