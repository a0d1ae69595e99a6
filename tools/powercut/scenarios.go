package powercut

import (
	"bytes"
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/bootup"
	"github.com/rules-firmware/rules_firmware/tools/emmc"
)

// BootUpConfig describes a BootUp device and the update it receives.
type BootUpConfig struct {
	Name                string
	EraseSize, ProgSize int
	RegionSize          int    // main and alternative area, each
	Old, New            []byte // application images
	AltInitial          []byte // what the alternative area holds before (nil: erased)
	Proto               Protocol
	Key                 bootup.Verifier
	// Bundle: the application stages a bundle of "app" (New) and the
	// Extras' new contents instead of the bare image.
	Bundle             bool
	OldExtra, NewExtra map[string][]byte
}

// BootUpScenario builds the scenario; it fails when the images are not
// valid to begin with.
func BootUpScenario(c BootUpConfig) (Scenario, error) {
	oldIm, err := bootup.Read(c.Old, c.Key)
	if err != nil {
		return Scenario{}, fmt.Errorf("%s: old image: %v", c.Name, err)
	}
	newIm, err := bootup.Read(c.New, c.Key)
	if err != nil {
		return Scenario{}, fmt.Errorf("%s: new image: %v", c.Name, err)
	}
	staged := c.New
	if c.Bundle {
		files := []bootup.File{{Name: "app", Data: c.New, Compression: "lz4"}}
		for _, name := range sortedKeys(c.NewExtra) {
			files = append(files, bootup.File{Name: name, Data: c.NewExtra[name], Compression: "lz4"})
		}
		if staged, err = bootup.BuildBundle(files, newIm.Signature); err != nil {
			return Scenario{}, err
		}
	}
	if len(staged) > c.RegionSize {
		return Scenario{}, fmt.Errorf("%s: staged update of %d bytes exceeds the %d-byte region", c.Name, len(staged), c.RegionSize)
	}
	return Scenario{Name: c.Name, New: func(p *Power) Device {
		return newBootUpDevice(c, p, staged, oldIm.Body, newIm.Body)
	}}, nil
}

type bootUpDevice struct {
	c                BootUpConfig
	n                *NVM
	b                *BootUp
	staged           []byte
	oldBody, newBody []byte
}

func newBootUpDevice(c BootUpConfig, p *Power, staged, oldBody, newBody []byte) *bootUpDevice {
	extraSize := 0
	for _, name := range sortedKeys(c.NewExtra) {
		extraSize += roundUp(len(c.NewExtra[name])+1, c.EraseSize)
	}
	n := NewNVM(2*c.RegionSize+extraSize, c.EraseSize, c.ProgSize, p)
	b := &BootUp{N: n, Main: Region{"main", 0, c.RegionSize}, Alt: Region{"alt", c.RegionSize, c.RegionSize}, Key: c.Key, Extra: map[string]Region{}}
	off := 2 * c.RegionSize
	for _, name := range sortedKeys(c.NewExtra) {
		size := roundUp(len(c.NewExtra[name])+1, c.EraseSize)
		b.Extra[name] = Region{name, off, size}
		copy(n.Data[off:], c.OldExtra[name])
		off += size
	}
	copy(n.Data, c.Old)
	copy(n.Data[c.RegionSize:], c.AltInitial)
	return &bootUpDevice{c: c, n: n, b: b, staged: staged, oldBody: oldBody, newBody: newBody}
}

// Update: the application stages the update in the alternative area, the
// device resets, BootUp installs it.
func (d *bootUpDevice) Update() error {
	if err := Write(d.n, d.b.Alt, d.staged, d.c.Proto, "app alt"); err != nil {
		return err
	}
	_, err := d.b.Run()
	return err
}

func (d *bootUpDevice) Boot() (string, error) {
	s, err := d.b.Run()
	if err != nil {
		return "", err
	}
	if s.Body == nil {
		return fmt.Sprintf("nothing (%v)", s.Decisions), nil
	}
	var version string
	var extras map[string][]byte
	switch {
	case bytes.Equal(s.Body, d.oldBody):
		version, extras = "old", d.c.OldExtra
	case bytes.Equal(s.Body, d.newBody):
		version, extras = "new", d.c.NewExtra
	default:
		return fmt.Sprintf("an application that is neither (%d bytes, first difference from new at 0x%x; %v)", len(s.Body), diffAt(s.Body, d.newBody), s.Decisions), nil
	}
	for _, name := range sortedKeys(extras) {
		if got := s.Extra[name]; !bytes.HasPrefix(got, extras[name]) {
			return fmt.Sprintf("the %s application with a %s that is not its own", version, name), nil
		}
	}
	return version, nil
}

func diffAt(a, b []byte) int {
	for i := range a {
		if i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return len(a)
}

// EMMCConfig describes an eMMC boot-partition update.
type EMMCConfig struct {
	Name     string
	PartSize int64
	Old, New []byte
	// InPlace is the deliberately wrong updater: it overwrites the
	// active boot partition.
	InPlace bool
}

// EMMCScenario builds the eMMC A/B scenario around emmc.Update, the code
// `fwtool emmc update` runs against a real card.
func EMMCScenario(c EMMCConfig) Scenario {
	return Scenario{Name: c.Name, New: func(p *Power) Device {
		m := emmc.NewModel(c.PartSize, 0)
		copy(m.Boot[0], c.Old)
		for i := range m.Boot[1] {
			m.Boot[1][i] = byte(i * 13) // stale contents of the inactive partition
		}
		m.BeforeWrite = func(op emmc.Op) ([]byte, error) {
			cut, partial := p.Step(op.String)
			if !cut {
				return nil, nil
			}
			if partial && op.Kind == "write" {
				// A torn block: a prefix reached the card, the rest is old.
				torn := append([]byte(nil), m.Boot[op.Part][op.Off:op.Off+emmc.BlockSize]...)
				copy(torn, op.Data[:p.Rand().Intn(emmc.BlockSize)])
				return torn, ErrPowerCut
			}
			return nil, ErrPowerCut // a SWITCH is atomic: lost, never half done
		}
		return &emmcDevice{c: c, m: m}
	}}
}

type emmcDevice struct {
	c EMMCConfig
	m *emmc.Model
}

func (d *emmcDevice) Update() error {
	if !d.c.InPlace {
		_, err := emmc.Update(d.m, d.c.New)
		return err
	}
	_, active, err := d.m.BootImage()
	if err != nil {
		return err
	}
	d.m.SetForceRO(active, false)
	padded := make([]byte, roundUp(len(d.c.New), emmc.BlockSize))
	copy(padded, d.c.New)
	return d.m.WriteBoot(active, 0, padded)
}

// Boot is the boot ROM: it loads the boot partition PARTITION_CONFIG names.
func (d *emmcDevice) Boot() (string, error) {
	img, part, err := d.m.BootImage()
	if err != nil {
		return "", err
	}
	switch {
	case bytes.HasPrefix(img, d.c.Old):
		return "old", nil
	case bytes.HasPrefix(img, d.c.New):
		return "new", nil
	}
	return fmt.Sprintf("boot%d holding neither image (differs from new at 0x%x)", part, diffAt(img, d.c.New)), nil
}
