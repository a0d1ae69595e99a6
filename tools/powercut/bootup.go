package powercut

import (
	"bytes"
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/bootup"
)

// Decision is what BootUp decides after a reset.
type Decision int

const (
	// RunMain: the main image is valid and the alternative area holds
	// nothing valid or the same signature.
	RunMain Decision = iota
	// Update: main is valid, the alternative is valid and different.
	Update
	// ValidateAndUpdate: main is not valid (an interrupted install or an
	// erased device), the alternative is valid: install it.
	ValidateAndUpdate
	// BadApp: nothing valid anywhere; BootUp stays in its own loop.
	BadApp
)

func (d Decision) String() string {
	return [...]string{"valid main: run", "valid alternative, different: update", "main invalid, alternative valid: validate and update", "bad app: no valid image"}[d]
}

// BootUp is the reference boot ROM: Main holds the installed application,
// Alt the staged update (an image, or a bundle whose "app" file is the
// image and whose other files go to Extra regions by name).
type BootUp struct {
	N     *NVM
	Main  Region
	Alt   Region
	Extra map[string]Region
	Key   bootup.Verifier
	// Proto is the protocol BootUp itself installs with.
	Proto Protocol
}

// Started is what runs after BootUp: the application body as executed
// (read from NVM in place, or the RAM copy), and the contents of the extra
// regions a bundle filled.
type Started struct {
	Decisions []Decision
	Body      []byte // nil: no application started
	InRAM     bool
	Extra     map[string][]byte
}

// readImage validates the image at the start of a region's bytes.
func readImage(b []byte, key bootup.Verifier) (*bootup.Image, []byte) {
	off, ok := bootup.Locate(b)
	if !ok {
		return nil, nil
	}
	h, err := bootup.ParseHeader(b[off:])
	if err != nil || h.ImageLength() > len(b) {
		return nil, nil
	}
	img := b[:h.ImageLength()]
	im, err := bootup.Read(img, key)
	if err != nil {
		return nil, nil
	}
	return im, img
}

// staged is a valid update found in the alternative area.
type staged struct {
	image []byte
	im    *bootup.Image
	extra map[string][]byte
}

func (b *BootUp) readAlt() *staged {
	a := b.Alt.Bytes(b.N)
	if bytes.Equal(a[:4], bootup.BundleMagic[:]) {
		return b.readBundle(a)
	}
	im, img := readImage(a, b.Key)
	if im == nil {
		return nil
	}
	return &staged{image: append([]byte(nil), img...), im: im}
}

func (b *BootUp) readBundle(a []byte) *staged {
	if len(a) < bootup.HeaderSize {
		return nil
	}
	n := int(uint32(a[0x18]) | uint32(a[0x19])<<8 | uint32(a[0x1a])<<16 | uint32(a[0x1b])<<24)
	if n > len(a) {
		return nil
	}
	bu, err := bootup.Verify(a[:n])
	if err != nil {
		return nil
	}
	s := &staged{extra: map[string][]byte{}}
	for i, e := range bu.Entries {
		data, _ := bu.Extract(i)
		if e.Name == "app" {
			im, err := bootup.Read(data, b.Key)
			if err != nil {
				return nil
			}
			s.image, s.im = data, im
		} else if _, ok := b.Extra[e.Name]; ok {
			s.extra[e.Name] = data
		}
	}
	if s.im == nil {
		return nil
	}
	return s
}

// Decide looks at both areas as BootUp does after a reset.
func (b *BootUp) Decide() (Decision, *bootup.Image, *staged) {
	main, _ := readImage(b.Main.Bytes(b.N), b.Key)
	alt := b.readAlt()
	switch {
	case main != nil && alt != nil && alt.im.Signature != main.Signature:
		return Update, main, alt
	case main != nil:
		return RunMain, main, alt
	case alt != nil:
		return ValidateAndUpdate, nil, alt
	}
	return BadApp, nil, nil
}

// Run is BootUp from reset to starting an application. It returns
// ErrPowerCut if the power fails while it installs.
func (b *BootUp) Run() (Started, error) {
	var s Started
	for i := 0; i < 3; i++ {
		d, main, alt := b.Decide()
		s.Decisions = append(s.Decisions, d)
		switch d {
		case BadApp:
			return s, nil
		case RunMain:
			return b.start(s, main), nil
		}
		if err := b.install(alt); err != nil {
			return s, err
		}
	}
	return s, fmt.Errorf("BootUp: still installing after %d attempts: %v", len(s.Decisions), s.Decisions)
}

// install copies a staged update into place. The main image is
// invalidated first so that, until its signature is written last, a reset
// finds main invalid and installs again.
func (b *BootUp) install(alt *staged) error {
	if err := Invalidate(b.N, b.Main, "BootUp main"); err != nil {
		return err
	}
	for _, name := range sortedKeys(alt.extra) {
		r := b.Extra[name]
		if err := b.N.Erase(r.Off, roundUp(len(alt.extra[name]), b.N.EraseSize), "BootUp "+name); err != nil {
			return err
		}
		for o, u := range b.N.units(alt.extra[name]) {
			if err := b.N.ProgramUnit(r.Off+o*b.N.ProgSize, u, "BootUp "+name+": data"); err != nil {
				return err
			}
		}
	}
	return Write(b.N, b.Main, alt.image, b.Proto, "BootUp main")
}

func (b *BootUp) start(s Started, main *bootup.Image) Started {
	s.Body = append([]byte(nil), main.Body...)
	s.InRAM = main.Flags&bootup.FlagCopyToRAM != 0
	s.Extra = map[string][]byte{}
	for name, r := range b.Extra {
		s.Extra[name] = b.N.Read(r.Off, r.Size)
	}
	return s
}

func roundUp(n, m int) int { return (n + m - 1) / m * m }
