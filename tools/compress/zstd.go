package compress

// zstd streams from klauspost/compress at SpeedDefault, the level its
// documentation pairs with the zstd tool's default (level 3, what binman's
// zstd entries run), with that level's 2 MiB window (zstd -3 on inputs
// above 256 KiB: windowLog 21, a double-fast match finder). Another
// encoder than the tool's, so the bytes differ from `zstd -3`; every test
// checks fwtool's frames by decompressing them.

import (
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/rules-firmware/rules_firmware/tools/staticerr"
)

// zstdPool keeps encoders that finished a stream: a new one allocates
// and faults in over a megabyte of match tables and a history buffer;
// Reset starts an independent stream with the same bytes a new encoder
// writes.
var zstdPool sync.Pool

// zstdWriter is a pooled encoder; Close ends the frame and returns it.
type zstdWriter struct {
	enc *zstd.Encoder
}

// newZstdWriter streams one frame into w, single-threaded so block
// boundaries never depend on the machine.
func newZstdWriter(w io.Writer) (io.WriteCloser, error) {
	if enc, ok := zstdPool.Get().(*zstd.Encoder); ok {
		enc.Reset(w)
		return &zstdWriter{enc}, nil
	}
	enc, err := zstd.NewWriter(w,
		zstd.WithEncoderLevel(zstd.SpeedDefault),
		zstd.WithWindowSize(2<<20),
		zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderCRC(true),
		// Empty input still gets a frame; zstd -d rejects 0 bytes.
		zstd.WithZeroFrames(true),
	)
	if err != nil {
		return nil, err
	}
	return &zstdWriter{enc}, nil
}

var errZstdClosed error = &staticerr.Error{Text: "zstd: write after Close"}

func (z *zstdWriter) Write(p []byte) (int, error) {
	if z.enc == nil {
		return 0, errZstdClosed
	}
	return z.enc.Write(p)
}

// Close ends the frame; the encoder goes back to the pool, so later
// calls do nothing.
func (z *zstdWriter) Close() error {
	if z.enc == nil {
		return nil
	}
	err := z.enc.Close()
	if err == nil {
		zstdPool.Put(z.enc)
	}
	z.enc = nil
	return err
}
