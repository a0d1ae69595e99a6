package genimage

import (
	"fmt"
	"hash/crc32"

	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/gpt"
)

// genimage 17+ makes its "random" GUIDs reproducible with the config
// section's randomseed: a small xorshift-style generator seeded with the
// CRC32 of the seed string replaces random(). We reproduce the GUIDs it
// then writes, so that a config with randomseed gives genimage's image
// byte for byte:
//
//   - Images are set up in config order, each after the images its
//     partitions use; an hdimage draws its disk GUID (whatever its table
//     type), then one GUID per GPT partition that has none, in order.
//   - A GUID takes eight draws. genimage passes them as the arguments of
//     one printf call, which GCC on x86-64 evaluates last argument first,
//     and the format prints each field in decimal followed by an "x"; the
//     on-disk bytes are then read two characters at a time with strtoul
//     base 16. Both quirks are part of the observable behaviour (genimage's
//     own randomseed test expects the resulting bytes), so both are
//     mirrored here.
type prng struct {
	lane    [5]uint32
	counter uint32
}

func newPRNG(seed string) *prng {
	if len(seed) > 4096 {
		seed = seed[:4096] // genimage reads at most 4096 bytes of it
	}
	s := crc32.ChecksumIEEE([]byte(seed))
	p := &prng{counter: s, lane: [5]uint32{1 + s&0x0fffffff, 2 + s&0xff0fffff, 3 + s&0xfff00fff, 4 + s&0xfffff0ff, 5 + s&0xfffffff0}}
	for i := 0; i < 8; i++ {
		p.next()
	}
	return p
}

func (p *prng) next() uint32 {
	b := p.lane[4]
	p.lane[4], p.lane[3], p.lane[2], p.lane[1] = p.lane[3], p.lane[2], p.lane[1], p.lane[0]
	b ^= b >> 2
	b ^= b << 1
	b ^= p.lane[0] ^ (p.lane[0] << 4)
	p.lane[0] = b
	p.counter += 0x587c5
	return b + p.counter
}

func (p *prng) guid() gpt.GUID {
	var v [8]uint32
	for i := 7; i >= 0; i-- {
		v[i] = p.next()
	}
	s := fmt.Sprintf("%04dx%04dx-%04dx-%04dx-%04dx-%04dx%04dx%04dx", v[0]&0xffff, v[1]&0xffff, v[2]&0xffff,
		v[3]&0x0fff|0x4000, v[4]&0x3fff|0x8000, v[5]&0xffff, v[6]&0xffff, v[7]&0xffff)
	var g gpt.GUID
	for i, at := range []int{6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34} {
		g[i] = strtoulByte(s[at : at+2])
	}
	return g
}

// strtoulByte is (unsigned char)strtoul(s, NULL, 16) for a two-character
// s of digits, 'x' and '-': an optional sign, then hex digits.
func strtoulByte(s string) byte {
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg, s = s[0] == '-', s[1:]
	}
	var v byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		default:
			i = len(s)
			continue
		}
		v = v<<4 | d
	}
	if neg {
		v = -v
	}
	return v
}

// seededGUIDs are the GUIDs genimage would draw for an hdimage.
type seededGUIDs struct {
	disk  gpt.GUID
	parts map[int]gpt.GUID // partition index -> GUID
	// signature is drawn for `disk-signature = "random"`.
	signature    uint32
	hasSignature bool
}

// drawGUIDs walks the images in genimage's setup order and draws into
// b.seeded what each hdimage would: its disk GUID, a random disk
// signature, then its GPT partitions' GUIDs.
func (b *build) drawGUIDs(seed string) {
	p := newPRNG(seed)
	out := b.seeded
	done := map[string]bool{}
	var visit func(img disk.GenimageSection)
	visit = func(img disk.GenimageSection) {
		if done[img.Name] {
			return
		}
		done[img.Name] = true
		for _, dep := range uses(img) {
			if d, ok := b.cfg.Image(dep); ok {
				visit(d)
			}
		}
		if img.Type != "hdimage" {
			return
		}
		s := seededGUIDs{disk: p.guid(), parts: map[int]gpt.GUID{}}
		for _, o := range img.TypeOptions {
			if o.Key == "disk-signature" && o.Value() == "random" {
				s.signature, s.hasSignature = p.next(), true
			}
		}
		out[img.Name] = s
		// Only the table type and which partitions lack a GUID matter
		// here; images of the config stand in by name.
		m, err := b.cfg.HDImageManifest(img, b.opts.InputPath, b.opts.Seed, func(name string) string {
			if _, ok := b.cfg.Image(name); ok {
				return name
			}
			return ""
		})
		if err != nil {
			return // reported when the image is built
		}
		if m.PartitionTable == "gpt" || m.PartitionTable == "hybrid" {
			for i, part := range m.Partitions {
				if part.PartitionUUID == "" && (part.InPartitionTable == nil || *part.InPartitionTable) {
					s.parts[i] = p.guid()
				}
			}
		}
		out[img.Name] = s
	}
	for _, img := range b.cfg.Images {
		visit(img)
	}
}

// applySeeded gives an hdimage's manifest the GUIDs genimage would have
// drawn for what the config leaves open.
func applySeeded(m *disk.Manifest, s seededGUIDs) {
	if m.PartitionTable != "gpt" && m.PartitionTable != "hybrid" {
		return
	}
	if m.DiskUUID == "" {
		m.DiskUUID = s.disk.String()
	}
	for i, g := range s.parts {
		m.Partitions[i].PartitionUUID = g.String()
	}
}
