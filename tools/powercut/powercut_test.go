package powercut

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/bootup"
)

func app(seed int64, n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func image(t testing.TB, body []byte, sig uint64, o bootup.Options) []byte {
	t.Helper()
	for i := 0; i < 8; i++ {
		o.Signature[i] = byte(sig >> (8 * i))
	}
	img, err := bootup.Build(body, o)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func sweep(t *testing.T, c BootUpConfig, o Options) Report {
	t.Helper()
	s, err := BootUpScenario(c)
	if err != nil {
		t.Fatal(err)
	}
	return run(t, s, o)
}

func run(t *testing.T, s Scenario, o Options) Report {
	t.Helper()
	rep, err := Sweep(s, o)
	if err != nil {
		t.Fatal(err)
	}
	// The numbers the issue asks for, in the test log.
	fmt.Println("powercut:", rep)
	return rep
}

// expectClean wants no violation and, for BootUp (where the application's
// signature write commits the update before BootUp installs it), both
// outcomes.
func expectClean(t *testing.T, rep Report) {
	t.Helper()
	for i, v := range rep.Violations {
		if i == 5 {
			t.Errorf("... %d violations in all", len(rep.Violations))
			break
		}
		t.Errorf("%s: %v", rep.Scenario, v)
	}
	if rep.StartedOld == 0 || rep.StartedNew == 0 || rep.Restarted != rep.StartedOld {
		t.Errorf("%s: expected both outcomes and every restart to complete: %v", rep.Scenario, rep)
	}
}

var exhaustive = Options{Torn: true, Exhaustive: 5000, Seed: 1}

func TestBootUpPreambleCRC(t *testing.T) {
	pre := bootup.Options{Preamble: true, CRC: true, Load: 0x08000000}
	rep := sweep(t, BootUpConfig{
		Name: "bootup image, preamble, CRC, erase 1 KiB, program 8 B", EraseSize: 1024, ProgSize: 8, RegionSize: 8192,
		Old: image(t, app(1, 3000), 1, pre), New: image(t, app(2, 3100), 2, pre), AltInitial: image(t, app(1, 3000), 1, pre),
	}, exhaustive)
	if !rep.Exhaustive || rep.Runs != 2*rep.Ops {
		t.Errorf("not exhaustive: %v", rep)
	}
	expectClean(t, rep)
}

// Without a body CRC only the signature-last order protects the device.
func TestBootUpEmbeddedNoCRCCopyToRAM(t *testing.T) {
	emb := bootup.Options{HeaderOffset: 0x200, CopyToRAM: true, Load: 0x20000000}
	rep := sweep(t, BootUpConfig{
		Name: "bootup image, header at 0x200, no CRC, copy to RAM, erase 2 KiB, program 16 B", EraseSize: 2048, ProgSize: 16, RegionSize: 8192,
		Old: image(t, app(3, 4096), 10, emb), New: image(t, app(4, 3584), 11, emb), AltInitial: image(t, app(3, 4096), 10, emb),
	}, exhaustive)
	expectClean(t, rep)
}

func TestBootUpEd25519Tag(t *testing.T) {
	key := bootup.NewEd25519Signer(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32)))
	o := bootup.Options{HeaderOffset: 0x400, CRC: true, Signer: key}
	rep := sweep(t, BootUpConfig{
		Name: "bootup image, Ed25519 tag, header at 0x400, erase 4 KiB, program 32 B", EraseSize: 4096, ProgSize: 32, RegionSize: 8192,
		Old: image(t, app(6, 2048), 20, o), New: image(t, app(7, 2048), 21, o), Key: key,
	}, exhaustive)
	expectClean(t, rep)
}

func TestBootUpLargeSampled(t *testing.T) {
	pre := bootup.Options{Preamble: true, CRC: true}
	rep := sweep(t, BootUpConfig{
		Name: "bootup image 96 KiB, erase 4 KiB, program 16 B", EraseSize: 4096, ProgSize: 16, RegionSize: 128 << 10,
		Old: image(t, app(8, 100<<10), 30, pre), New: image(t, app(9, 96<<10), 31, pre),
	}, Options{Torn: true, Exhaustive: 5000, Samples: 40, Seed: 42})
	if rep.Exhaustive || rep.CutPoints < 40 {
		t.Errorf("expected a sample: %v", rep)
	}
	expectClean(t, rep)
}

func TestBootUpBundle(t *testing.T) {
	pre := bootup.Options{Preamble: true, CRC: true}
	rep := sweep(t, BootUpConfig{
		Name: "bootup bundle (app, fpga, dsp; lz4), erase 1 KiB, program 8 B", EraseSize: 1024, ProgSize: 8, RegionSize: 8192,
		Old: image(t, app(10, 1500), 40, pre), New: image(t, bytes.Repeat([]byte("new app "), 300), 41, pre),
		Bundle:   true,
		OldExtra: map[string][]byte{"fpga": bytes.Repeat([]byte("old bitstream "), 50), "dsp": []byte("old dsp")},
		NewExtra: map[string][]byte{"fpga": bytes.Repeat([]byte("NEW BITSTREAM "), 60), "dsp": []byte("NEW DSP FIRMWARE")},
	}, exhaustive)
	expectClean(t, rep)
}

// The wrong order must be caught at exactly the cut that leaves a complete
// header (signature included) over an unwritten body: 1 invalidation, E
// erases and the 64/8 = 8 header units.
func TestSignatureFirstCaught(t *testing.T) {
	pre := bootup.Options{Preamble: true}
	old, new := image(t, app(11, 3000), 50, pre), image(t, app(12, 3000), 51, pre)
	cfg := BootUpConfig{
		Name: "bootup image, no CRC, WRONG protocol: signature first", EraseSize: 1024, ProgSize: 8, RegionSize: 8192,
		Old: old, New: new, AltInitial: old, Proto: SignatureFirst,
	}
	rep := sweep(t, cfg, Options{Exhaustive: 5000, Seed: 1})
	v := rep.FirstViolation()
	erases := (len(new) + 1023) / 1024
	want := 1 + erases + 8
	if v == nil || v.Cut != want {
		t.Fatalf("first violation %v, want the cut after op %d", v, want)
	}
	if !strings.Contains(v.LastDone, "app alt: header: program 0x2038") || !strings.Contains(v.Lost, "app alt: body: program 0x2040") {
		t.Errorf("violation at the wrong operation: %v", v)
	}
	fmt.Println("powercut: caught:", v)
	// The same images with the right order are safe.
	cfg.Proto, cfg.Name = SignatureLast, "bootup image, no CRC, signature last"
	expectClean(t, sweep(t, cfg, exhaustive))
}

func TestEMMCSwap(t *testing.T) {
	rep := run(t, EMMCScenario(EMMCConfig{Name: "eMMC boot0/boot1 swap, 20 KiB image", PartSize: 128 << 10, Old: app(20, 18000), New: app(21, 20000)}), exhaustive)
	for _, v := range rep.Violations {
		t.Error(v)
	}
	// The SWITCH is the last operation and commits the update: every cut
	// before it boots the old image, and every restarted update completes.
	if !rep.Exhaustive || rep.StartedOld != rep.Runs || rep.Restarted != rep.Runs {
		t.Errorf("%v", rep)
	}
}

// Overwriting the active boot partition breaks after its first block.
func TestEMMCInPlaceCaught(t *testing.T) {
	rep := run(t, EMMCScenario(EMMCConfig{Name: "eMMC, WRONG updater: active partition in place", PartSize: 128 << 10, Old: app(22, 18000), New: app(23, 20000), InPlace: true}), exhaustive)
	first := map[bool]*Violation{}
	for i := range rep.Violations {
		if v := &rep.Violations[i]; first[v.Torn] == nil {
			first[v.Torn] = v
		}
	}
	if v := first[false]; v == nil || v.Cut != 1 || v.LastDone != "write boot0 block 0x0" {
		t.Errorf("first violation without tearing: %v, want the cut after op 1 (write boot0 block 0x0)", v)
	}
	if v := first[true]; v == nil || v.Cut != 0 {
		t.Errorf("first torn violation: %v, want the torn first block (cut 0)", v)
	}
	fmt.Println("powercut: caught:", first[false])
}

func TestDecisions(t *testing.T) {
	pre := bootup.Options{Preamble: true, CRC: true}
	a, b := image(t, []byte("application A"), 1, pre), image(t, []byte("application B"), 2, pre)
	ram := image(t, []byte("application C"), 3, bootup.Options{Preamble: true, CRC: true, CopyToRAM: true})
	for _, tc := range []struct {
		name      string
		main, alt []byte
		want      Decision
		body      string
	}{
		{"valid main, erased alt", a, nil, RunMain, "application A"},
		{"valid main, same alt", a, a, RunMain, "application A"},
		{"valid main, different alt", a, b, Update, "application B"},
		{"invalid main, valid alt", a[:40], b, ValidateAndUpdate, "application B"},
		{"nothing valid", a[:40], b[:70], BadApp, ""},
		{"copy to RAM", ram, nil, RunMain, "application C"},
	} {
		n := NewNVM(4096, 1024, 8, NewPower())
		copy(n.Data, tc.main)
		copy(n.Data[2048:], tc.alt)
		bu := &BootUp{N: n, Main: Region{"main", 0, 2048}, Alt: Region{"alt", 2048, 2048}}
		if d, _, _ := bu.Decide(); d != tc.want {
			t.Errorf("%s: decided %v, want %v", tc.name, d, tc.want)
		}
		s, err := bu.Run()
		if err != nil || string(s.Body) != tc.body || s.InRAM != (tc.name == "copy to RAM") {
			t.Errorf("%s: started %q (RAM %v), %v", tc.name, s.Body, s.InRAM, err)
		}
	}
}

// Torn program and erase leave partial contents; NOR programming only
// clears bits.
func TestNVMModel(t *testing.T) {
	n := NewNVM(64, 32, 8, NewCutPower(1, true, 3))
	if err := n.ProgramUnit(0, make([]byte, 8), "x"); err != nil {
		t.Fatal(err)
	}
	if err := n.ProgramUnit(8, make([]byte, 8), "x"); err != ErrPowerCut {
		t.Fatalf("second op: %v", err)
	}
	if allBytes(n.Data[8:16], 0) || allBytes(n.Data[8:16], 0xff) {
		t.Errorf("torn unit not partial: % x", n.Data[8:16])
	}
	if err := n.ProgramUnit(16, make([]byte, 8), "x"); err != ErrPowerCut || !allBytes(n.Data[16:24], 0xff) {
		t.Errorf("operation after the cut: %v % x", err, n.Data[16:24])
	}
	m := NewNVM(64, 32, 8, NewPower())
	m.ProgramUnit(0, []byte{0xf0, 0, 0, 0, 0, 0, 0, 0}, "x")
	m.ProgramUnit(0, []byte{0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "x")
	if m.Data[0] != 0 {
		t.Errorf("programming set bits: %02x", m.Data[0])
	}
}
