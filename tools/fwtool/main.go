// Command fwtool writes and reads firmware, boot and OS images. Each
// subcommand lives in its own cmd_*.go file and registers itself in init(),
// so formats can be added without touching this file.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/gctune"
)

// command is one subcommand. run returns the process exit code; it prints
// its own one-line error to stderr ("fwtool <name>: ...").
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string, stdout, stderr io.Writer) int) {
	if _, dup := commands[name]; dup {
		panic("fwtool: subcommand registered twice: " + name)
	}
	commands[name] = command{summary: summary, run: run}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: fwtool <command> [arguments]")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Run 'fwtool <command> --help' for a command's flags.")
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "fwtool: unknown command %q (known: %s)\n", name, strings.Join(sortedNames(), ", "))
		return 2
	}
	return cmd.run(args[1:], stdout, stderr)
}

func sortedNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func main() {
	// Most commands finish before a first collection would pay off.
	gctune.DeferFirstGC(gctune.FirstGC)
	if err := enterWorkingDirectory(); err != nil {
		fmt.Fprintf(os.Stderr, "fwtool: %v\n", err)
		os.Exit(2)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// enterWorkingDirectory makes relative paths mean what the user typed: under
// `bazel run //tools/fwtool -- ls bazel-bin/x.img` the process starts in the
// runfiles tree, and Bazel names the user's directory in
// BUILD_WORKING_DIRECTORY.
func enterWorkingDirectory() error {
	dir := os.Getenv("BUILD_WORKING_DIRECTORY")
	if dir == "" {
		return nil
	}
	if err := os.Chdir(dir); err != nil {
		return fmt.Errorf("cannot change to BUILD_WORKING_DIRECTORY %s: %v", dir, err)
	}
	return nil
}
