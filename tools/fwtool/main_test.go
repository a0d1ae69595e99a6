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
