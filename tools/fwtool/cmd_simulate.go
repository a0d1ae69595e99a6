package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"

	"github.com/rules-firmware/rules_firmware/tools/bootup"
	"github.com/rules-firmware/rules_firmware/tools/powercut"
)

// fwtool simulate: the power-cut sweeps of tools/powercut on synthetic
// firmware of a chosen size and storage geometry.

const simulateUsage = `usage: fwtool simulate bootup [--size N] [--erase N] [--program N] [--no-crc] [--bundle] [--signature-first] [--torn] [--samples N]
       fwtool simulate emmc [--size N] [--in-place] [--torn]

Prints operations and cut points covered and every violation; exits 1 when
the device ever starts anything but the old or the new firmware.
--signature-first and --in-place select the deliberately wrong protocols.`

func runSimulate(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "bootup" && args[0] != "emmc") {
		fmt.Fprintln(stderr, simulateUsage)
		return 2
	}
	fs := flag.NewFlagSet("simulate "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, simulateUsage) }
	size := fs.Int("size", 4096, "firmware size in bytes")
	erase := fs.Int("erase", 1024, "erase block size")
	program := fs.Int("program", 8, "program unit size")
	noCRC := fs.Bool("no-crc", false, "images without body CRC")
	bundle := fs.Bool("bundle", false, "stage a bundle instead of the bare image")
	sigFirst := fs.Bool("signature-first", false, "wrong protocol: header first")
	inPlace := fs.Bool("in-place", false, "wrong eMMC updater: overwrite the active partition")
	torn := fs.Bool("torn", false, "also tear the interrupted operation")
	samples := fs.Int("samples", 200, "random cut points beyond the exhaustive limit")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *size <= 0 || *size > 64<<20 || *erase <= 0 || *program <= 0 || *erase%*program != 0 {
		fmt.Fprintln(stderr, "fwtool simulate: --size must be 1..64 MiB and --erase a positive multiple of --program")
		return 1
	}
	var s powercut.Scenario
	var err error
	if args[0] == "emmc" {
		part := int64((*size + 1 + (128 << 10) - 1) / (128 << 10) * (128 << 10))
		s = powercut.EMMCScenario(powercut.EMMCConfig{Name: "eMMC A/B", PartSize: part, Old: firmware(1, *size), New: firmware(2, *size), InPlace: *inPlace})
	} else {
		s, err = bootupScenario(*size, *erase, *program, !*noCRC, *bundle, *sigFirst)
	}
	if err == nil {
		err = sweep(s, powercut.Options{Torn: *torn, Exhaustive: 5000, Samples: *samples, Seed: 1}, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "fwtool simulate: %v\n", err)
		return 1
	}
	return 0
}

func firmware(seed int64, n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func bootupScenario(size, erase, program int, crc, bundle, sigFirst bool) (powercut.Scenario, error) {
	o := bootup.Options{Preamble: true, CRC: crc}
	img := func(seed int64, sig byte) ([]byte, error) {
		o.Signature = [8]byte{sig}
		return bootup.Build(firmware(seed, size), o)
	}
	old, err := img(1, 1)
	if err != nil {
		return powercut.Scenario{}, err
	}
	new, err := img(2, 2)
	if err != nil {
		return powercut.Scenario{}, err
	}
	region := (size + bootup.HeaderSize + 4096 + erase - 1) / erase * erase
	proto := powercut.SignatureLast
	if sigFirst {
		proto = powercut.SignatureFirst
	}
	return powercut.BootUpScenario(powercut.BootUpConfig{
		Name: fmt.Sprintf("BootUp %d bytes, erase %d, program %d, %v", size, erase, program, proto), EraseSize: erase, ProgSize: program,
		RegionSize: region, Old: old, New: new, AltInitial: old, Proto: proto, Bundle: bundle,
	})
}

func sweep(s powercut.Scenario, o powercut.Options, stdout io.Writer) error {
	rep, err := powercut.Sweep(s, o)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, rep)
	for i, v := range rep.Violations {
		if i == 20 {
			fmt.Fprintf(stdout, "... %d more\n", len(rep.Violations)-20)
			break
		}
		fmt.Fprintln(stdout, "violation:", v)
	}
	if len(rep.Violations) > 0 {
		return errors.New(rep.Violations[0].String())
	}
	return nil
}
