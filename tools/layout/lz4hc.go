package layout

import "github.com/rules-firmware/rules_firmware/tools/compress"

// lz4FrameLevel5 gives exactly the bytes of `lz4 --no-frame-crc -B4 -5`,
// the command binman runs for lz4 entries; tools/compress owns the encoder.
func lz4FrameLevel5(data []byte) []byte { return compress.LZ4HCFrame(data) }

// lz4BlockSize is the frame's block size (-B4).
const lz4BlockSize = 64 << 10
