// Package imx8mimage writes NXP i.MX8M boot images as U-Boot's
// `mkimage -T imx8mimage -n CFG` does: a 64-byte IVT (image vector table
// with its boot data) in front of the loader, an empty 8 KiB CSF region
// after it, and optionally a signed HDMI firmware before and a second
// loader (a FIT with its own IVT) after. The configuration file names the
// inputs; the image is checked byte for byte against Debian's mkimage.
package imx8mimage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// Fixed sizes of the format.
const (
	headerSize   = 64     // IVT (32) + boot data (12) + padding (20)
	csfSize      = 0x2000 // the CSF region the ROM reserves after the image
	sectorSize   = 0x200  // the boot data size is rounded up to this
	hdmiAlign    = 0x17000 + 0x2000 + 0x1000
	hdmiIVTSkip  = 0x400 // the signed HDMI firmware carries an IVT offset
	fitAlign     = 0x1000
	cacheLine    = 64
	ivtTag       = 0xd1
	ivtVersionV3 = 0x41
	ivtVersion   = 0x40
)

// Config is a parsed imx8mimage configuration file.
type Config struct {
	// ROMVersion is 1 or 2 (i.MX8M Nano and Plus boot ROMs).
	ROMVersion int
	// BootFrom is the boot device as written (sd, emmc_fastboot, fspi).
	BootFrom string
	// IVTOffset is where the boot ROM expects the IVT on the device: the
	// image itself starts that much earlier, so offsets shift by it.
	IVTOffset uint32
	// ROMImageOffset is the image's offset on an SD card, which the
	// second loader's source offset is relative to.
	ROMImageOffset uint32

	Loader     string // LOADER file
	LoaderAddr uint32 // LOADER load address (the IVT's entry)

	SecondLoader    string // SECOND_LOADER file (a FIT)
	SecondAddr      uint32 // its entry address
	SecondSrcOffset uint32 // its offset on the boot device
	FIT             bool   // a FIT command was given
	SignedHDMI      string // SIGNED_HDMI file
}

// Commands of the configuration file (matched without regard to case, as
// mkimage does).
var commands = []string{"BOOT_FROM", "FIT", "SIGNED_HDMI", "LOADER", "SECOND_LOADER", "DDR_FW", "ROM_VERSION"}

// bootDevices maps BOOT_FROM values to the IVT offset on that device.
var bootDevices = []struct {
	name   string
	offset uint32
}{{"sd", 0x400}, {"emmc_fastboot", 0x400}, {"fspi", 0x1000}}

// ParseConfig reads a configuration file: one command per line, fields
// separated by blanks, '#' starting a comment field. name is used in errors.
func ParseConfig(name string, text []byte) (*Config, error) {
	cfg := &Config{ROMVersion: 1}
	for i, line := range bytes.Split(text, []byte{'\n'}) {
		// A C string ends at NUL; strtok then skips leading CR and stops
		// at the next one.
		if j := bytes.IndexByte(line, 0); j >= 0 {
			line = line[:j]
		}
		line = bytes.TrimLeft(line, "\r")
		if j := bytes.IndexByte(line, '\r'); j >= 0 {
			line = line[:j]
		}
		fields := strings.FieldsFunc(string(line), func(r rune) bool { return r == ' ' || r == '\t' })
		for k, f := range fields {
			if strings.HasPrefix(f, "#") {
				fields = fields[:k]
				break
			}
		}
		if len(fields) == 0 {
			continue
		}
		if err := cfg.command(fields); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, i+1, err)
		}
	}
	return cfg, nil
}

func (cfg *Config) command(f []string) error {
	cmd := ""
	for _, c := range commands {
		if strings.EqualFold(c, f[0]) {
			cmd = c
		}
	}
	if cmd == "" {
		return fmt.Errorf("invalid command '%s' (want one of %s)", f[0], strings.Join(commands, ", "))
	}
	arg := func(i int) (string, bool) {
		if i < len(f) {
			return f[i], true
		}
		return "", false
	}
	hexArg := func(i int, what string, dst *uint32) error {
		s, ok := arg(i)
		if !ok {
			return nil
		}
		v, err := parseHex(s)
		if err != nil {
			return fmt.Errorf("%s %s: invalid hex data '%s'", cmd, what, s)
		}
		*dst = v
		return nil
	}
	v, ok := arg(1)
	switch cmd {
	case "FIT":
		cfg.FIT = true
	case "BOOT_FROM":
		if ok {
			return cfg.bootFrom(v)
		}
	case "ROM_VERSION":
		// Only the first two characters count, as in mkimage.
		if strings.HasPrefix(v, "v2") {
			cfg.ROMVersion, cfg.IVTOffset = 2, 0
		} else if strings.HasPrefix(v, "v1") {
			cfg.ROMVersion = 1
		}
	case "SIGNED_HDMI":
		if ok {
			cfg.SignedHDMI = v
		}
	case "LOADER":
		if ok {
			cfg.Loader = v
		}
		return hexArg(2, "address", &cfg.LoaderAddr)
	case "SECOND_LOADER":
		if ok {
			cfg.SecondLoader = v
		}
		if err := hexArg(2, "address", &cfg.SecondAddr); err != nil {
			return err
		}
		return hexArg(3, "source offset", &cfg.SecondSrcOffset)
	}
	return nil
}

func (cfg *Config) bootFrom(v string) error {
	found := false
	for _, d := range bootDevices {
		if strings.EqualFold(d.name, v) {
			cfg.IVTOffset, found = d.offset, true
		}
	}
	if !found {
		// mkimage carries on with an offset of -1 and writes nonsense.
		names := make([]string, len(bootDevices))
		for i, d := range bootDevices {
			names[i] = d.name
		}
		return fmt.Errorf("BOOT_FROM: unknown boot device '%s' (want one of %s)", v, strings.Join(names, ", "))
	}
	// Case matters here in mkimage (a prefix compare), not above.
	if strings.HasPrefix(v, "sd") {
		cfg.ROMImageOffset = 0x8000
	}
	cfg.BootFrom = v
	if cfg.ROMVersion == 2 {
		cfg.IVTOffset = 0
	}
	return nil
}

// parseHex reads a number as strtoul(s, &end, 16) does, requiring at
// least one digit; the value is truncated to 32 bits as mkimage stores it.
func parseHex(s string) (uint32, error) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHex(s[2]) {
		s = s[2:]
	}
	var v uint64
	n := 0
	for ; n < len(s) && isHex(s[n]); n++ {
		if v>>60 != 0 {
			return 0, fmt.Errorf("out of range")
		}
		v = v<<4 | uint64(hexVal(s[n]))
	}
	if n == 0 {
		return 0, fmt.Errorf("no digits")
	}
	if neg {
		v = -v
	}
	return uint32(v), nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func alignUp(x, a uint64) uint64 { return (x + a - 1) / a * a }

// maxImage bounds the image: offsets come from the configuration and a
// FIT header, and mkimage would happily seek gigabytes out.
const maxImage = 1 << 30

// image is the output file: writes at offsets, holes read as zeros.
type image struct{ b []byte }

func (im *image) write(off uint64, data []byte) error {
	end := off + uint64(len(data))
	if end > maxImage {
		return fmt.Errorf("image would be %#x bytes, more than %#x", end, maxImage)
	}
	if end > uint64(len(im.b)) {
		im.b = append(im.b, make([]byte, end-uint64(len(im.b)))...)
	}
	copy(im.b[off:], data)
	return nil
}

// ivt is the IVT (flash_header_v2) in little-endian order; length is
// stored big-endian.
type ivt struct {
	version                         byte
	entry, dcd, bootData, self, csf uint32
	bootStart, bootSize, plugin     uint32
	withBootData                    bool
}

func (h ivt) bytes() []byte {
	n := 32
	if h.withBootData {
		n = headerSize
	}
	b := make([]byte, n)
	b[0] = ivtTag
	binary.BigEndian.PutUint16(b[1:], 32)
	b[3] = h.version
	le := binary.LittleEndian
	le.PutUint32(b[4:], h.entry)
	le.PutUint32(b[12:], h.dcd)
	le.PutUint32(b[16:], h.bootData)
	le.PutUint32(b[20:], h.self)
	le.PutUint32(b[24:], h.csf)
	if h.withBootData {
		le.PutUint32(b[32:], h.bootStart)
		le.PutUint32(b[36:], h.bootSize)
		le.PutUint32(b[40:], h.plugin)
	}
	return b
}

// Build writes the image cfg describes; read returns a named input file.
func Build(cfg *Config, read func(name string) ([]byte, error)) ([]byte, error) {
	if cfg.Loader == "" {
		return nil, fmt.Errorf("no LOADER image in the configuration")
	}
	if cfg.SecondLoader != "" && !cfg.FIT {
		return nil, fmt.Errorf("SECOND_LOADER needs FIT: only a FIT second loader is supported")
	}
	var im image
	ivtOff := uint64(cfg.IVTOffset)
	var fileOff uint64
	var hdmi []byte
	if cfg.SignedHDMI != "" {
		var err error
		if hdmi, err = read(cfg.SignedHDMI); err != nil {
			return nil, err
		}
		if len(hdmi) < hdmiIVTSkip {
			return nil, fmt.Errorf("SIGNED_HDMI %s: %d bytes, shorter than its %#x-byte IVT offset", cfg.SignedHDMI, len(hdmi), hdmiIVTSkip)
		}
		fileOff = alignUp(uint64(len(hdmi)), hdmiAlign)
	}
	loader, err := read(cfg.Loader)
	if err != nil {
		return nil, err
	}
	// Everything below is placed as on the device, then moved down by the
	// IVT offset: the file starts where the ROM starts reading.
	headerOff := fileOff + ivtOff
	self := cfg.LoaderAddr - headerSize
	h := ivt{version: ivtVersionV3, entry: cfg.LoaderAddr, self: self, bootData: self + 32, withBootData: true}
	h.bootStart = self - cfg.IVTOffset
	bootSize := alignUp(uint64(len(loader))+headerSize+ivtOff, sectorSize)
	if bootSize > maxImage {
		return nil, fmt.Errorf("LOADER %s: too large (%d bytes)", cfg.Loader, len(loader))
	}
	h.bootSize = uint32(bootSize)
	h.csf = h.bootStart + h.bootSize
	h.bootSize += csfSize
	csfOff := fileOff + bootSize
	if hdmi != nil {
		if err := im.write(0, hdmi[hdmiIVTSkip:]); err != nil {
			return nil, err
		}
	}
	if err := im.write(headerOff-ivtOff, h.bytes()); err != nil {
		return nil, err
	}
	if err := im.write(headerOff-ivtOff+headerSize, loader); err != nil {
		return nil, err
	}
	if err := im.write(csfOff-ivtOff, make([]byte, csfSize)); err != nil {
		return nil, err
	}
	if cfg.SecondLoader != "" {
		if err := cfg.second(&im, read); err != nil {
			return nil, err
		}
	}
	return im.b, nil
}

// second places the FIT second loader at its source offset and writes an
// IVT after it (aligned to 4 KiB) that loads it below its entry address.
func (cfg *Config) second(im *image, read func(string) ([]byte, error)) error {
	fit, err := read(cfg.SecondLoader)
	if err != nil {
		return err
	}
	if uint64(cfg.SecondSrcOffset) < uint64(cfg.ROMImageOffset)+uint64(cfg.IVTOffset) {
		return fmt.Errorf("SECOND_LOADER offset %#x lies before the image start (%#x)", cfg.SecondSrcOffset, cfg.ROMImageOffset+cfg.IVTOffset)
	}
	off := uint64(cfg.SecondSrcOffset - cfg.ROMImageOffset - cfg.IVTOffset)
	if err := im.write(off, fit); err != nil {
		return err
	}
	if len(fit) < 64 {
		return fmt.Errorf("SECOND_LOADER %s: %d bytes, too short for a FIT", cfg.SecondLoader, len(fit))
	}
	if binary.BigEndian.Uint32(fit) != 0xd00dfeed {
		return fmt.Errorf("SECOND_LOADER %s: not a FIT file", cfg.SecondLoader)
	}
	fitSize := uint32(alignUp(uint64(binary.BigEndian.Uint32(fit[4:])), fitAlign))
	load := (cfg.SecondAddr - (fitSize + csfSize) - 512 - (cacheLine - 1)) &^ (cacheLine - 1)
	h := ivt{version: ivtVersion, entry: load, self: load + fitSize, csf: load + fitSize + 0x20}
	return im.write(off+uint64(fitSize), h.bytes())
}
