package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestEnterWorkingDirectory(t *testing.T) {
	old, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(old)
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("BUILD_WORKING_DIRECTORY", dir)
	if err := enterWorkingDirectory(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.Getwd(); got != dir {
		t.Errorf("working directory %s, want %s", got, dir)
	}
	t.Setenv("BUILD_WORKING_DIRECTORY", filepath.Join(dir, "missing"))
	if err := enterWorkingDirectory(); err == nil {
		t.Error("a missing BUILD_WORKING_DIRECTORY was accepted")
	}
}

// usage and lookupCommand rely on the table's order and on each name
// being there once.
func TestCommandsSorted(t *testing.T) {
	for i := 1; i < len(commands); i++ {
		if commands[i-1].name >= commands[i].name {
			t.Errorf("commands: %q before %q (want sorted, unique)", commands[i-1].name, commands[i].name)
		}
	}
	if c, ok := lookupCommand("mkimage"); !ok || c.run == nil {
		t.Errorf("lookupCommand(mkimage) = %v, %v", c.name, ok)
	}
}
