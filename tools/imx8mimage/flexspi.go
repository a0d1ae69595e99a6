package imx8mimage

import (
	"encoding/binary"
	"fmt"
)

// FlexSPISize is the size of the FlexSPI configuration block binman puts
// in front of an image booted from FlexSPI NOR: the 0x1c0-byte block
// itself, padded to 4 KiB (where the ROM looks for the IVT).
const FlexSPISize = 0x1000

// FlexSPI is the FlexSPI NOR configuration block as binman's
// nxp-imx8mimage entry writes it (its nxp,fspi-* properties): tag "FCFB",
// version word 0x56010000, the read-sample clock source, column address width,
// controller options, device and pad type, clock, flash size and a fixed
// read lookup table. The zero value is not valid; see DefaultFlexSPI.
type FlexSPI struct {
	ReadSampleClkSrc   uint32 // 0 internal loopback, 1 DQS pad loopback, 3 flash DQS
	ColumnAddressWidth uint32 // 0, 3 (HyperFlash), 12 or 13 (serial NAND)
	DiffClk            bool
	WordAddressable    bool
	SafeConfigFreq     bool
	PadOverride        bool
	DDRMode            bool
	DeviceType         uint32 // 1 SPI NOR, 2 serial NAND
	PadType            uint32 // 1, 2, 4 or 8 pads
	SerialClkFreq      uint32 // 1..8 (30 to 166 MHz)
	LUTCustomSeq       bool
	FlashA1Size        uint32
}

// DefaultFlexSPI has binman's defaults.
func DefaultFlexSPI() FlexSPI {
	return FlexSPI{DeviceType: 1, PadType: 1, SerialClkFreq: 2, FlashA1Size: 0x10000000}
}

// Check reports the first field outside the values binman accepts, with
// binman's message (the property name and the values allowed).
func (f FlexSPI) Check() error {
	in := func(v uint32, allowed ...uint32) bool {
		for _, a := range allowed {
			if v == a {
				return true
			}
		}
		return false
	}
	switch {
	case !in(f.ColumnAddressWidth, 0, 3, 12, 13):
		return fmt.Errorf("nxp,fspi-columnaddresswidth can be 0, 3, 12, 13 only.")
	case !in(f.DeviceType, 1, 2):
		return fmt.Errorf("nxp,fspi-devicetype can be 1, 2 only.")
	case !in(f.PadType, 1, 2, 4, 8):
		return fmt.Errorf("nxp,fspi-flashpadtype can be 1, 2, 4, 8 only.")
	case !in(f.ReadSampleClkSrc, 0, 1, 3):
		return fmt.Errorf("nxp,fspi-readsampleclksrc can be 0, 1, 3 only.")
	case f.SerialClkFreq < 1 || f.SerialClkFreq > 8:
		return fmt.Errorf("nxp,fspi-serialclkfreq can be 1..8 only.")
	}
	return nil
}

// Bytes is the 4 KiB block. Fields are little-endian words; the values
// are assumed checked (Check), wider ones are cut to their bytes.
func (f FlexSPI) Bytes() []byte {
	b := make([]byte, FlexSPISize)
	le := binary.LittleEndian
	le.PutUint32(b[0x00:], 0x42464346) // "FCFB"
	le.PutUint32(b[0x04:], 0x56010000) // version
	// read sample clock, data hold 3, data setup 3, column address width
	le.PutUint32(b[0x0c:], 0x00030300|f.ColumnAddressWidth<<24|f.ReadSampleClkSrc)
	var misc uint32
	for _, o := range []struct {
		on  bool
		bit uint
	}{{f.DiffClk, 0}, {f.WordAddressable, 3}, {f.SafeConfigFreq, 4}, {f.PadOverride, 5}, {f.DDRMode, 6}} {
		if o.on {
			misc |= 1 << o.bit
		}
	}
	le.PutUint32(b[0x40:], misc)
	var lut uint32
	if f.LUTCustomSeq {
		lut = 1 << 24
	}
	le.PutUint32(b[0x44:], lut|f.SerialClkFreq<<16|f.PadType<<8|f.DeviceType)
	le.PutUint32(b[0x50:], f.FlashA1Size)
	// binman's fixed read sequence in the lookup table (command 0x0b).
	le.PutUint32(b[0x80:], 0x0818040b)
	le.PutUint32(b[0x84:], 0x24043008)
	return b
}
