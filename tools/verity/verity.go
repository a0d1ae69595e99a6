// Package verity computes dm-verity hash trees (format version 1, the
// kernel's and veritysetup's default): every data block is hashed with the
// salt in front, hashes are packed into hash blocks padded with zeros, and
// levels are built until one block remains; the root hash is the hash of
// the salt and that block. The tree is written without a superblock, top
// level first, as RAUC appends it to a bundle's payload.
package verity

import (
	"crypto/sha256"
	"fmt"
)

// BlockSize is the data and hash block size (RAUC and veritysetup use 4096).
const BlockSize = 4096

// Tree is a computed hash tree.
type Tree struct {
	Root []byte
	Salt []byte
	// Hashes is the hash area: levels from the top (one block) down to
	// the level that hashes the data blocks.
	Hashes     []byte
	DataBlocks int
}

func hashBlock(salt, block []byte) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write(block)
	return h.Sum(nil)
}

// Build hashes data, whose length must be a multiple of BlockSize.
func Build(data, salt []byte) (*Tree, error) {
	if len(data) == 0 || len(data)%BlockSize != 0 {
		return nil, fmt.Errorf("verity: data length %d is not a positive multiple of %d", len(data), BlockSize)
	}
	t := &Tree{Salt: append([]byte(nil), salt...), DataBlocks: len(data) / BlockSize}
	if t.DataBlocks == 1 {
		// No hash levels at all (the kernel counts levels while
		// (blocks-1) >> (7*levels) is not zero): the root hashes the block.
		t.Root = hashBlock(salt, data)
		return t, nil
	}
	per := BlockSize / sha256.Size
	var levels [][]byte // bottom level first
	cur := data
	for {
		n := len(cur) / BlockSize
		level := make([]byte, (n+per-1)/per*BlockSize)
		for i := 0; i < n; i++ {
			copy(level[i*sha256.Size:], hashBlock(salt, cur[i*BlockSize:(i+1)*BlockSize]))
		}
		levels = append(levels, level)
		if len(level) == BlockSize {
			break
		}
		cur = level
	}
	for i := len(levels) - 1; i >= 0; i-- {
		t.Hashes = append(t.Hashes, levels[i]...)
	}
	t.Root = hashBlock(salt, levels[len(levels)-1])
	return t, nil
}
