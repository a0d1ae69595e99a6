package disk

import (
	"fmt"
	"io"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/gpt"
	"github.com/rules-firmware/rules_firmware/tools/mbr"
)

// copyBufferSize bounds memory use: data is streamed through one buffer of
// this size whatever the image size.
const copyBufferSize = 1 << 20

// Opener opens a partition's input file.
type Opener func(path string) (*os.File, error)

// Write writes the image described by l into out, which must be empty. Input
// data is copied extent by extent so that holes in the inputs stay holes;
// the tables are written last, as genimage does, so they win over any
// partition content declared as a hole.
func Write(l *Layout, out *os.File, open Opener) error {
	if err := out.Truncate(int64(l.FileSize)); err != nil {
		return fmt.Errorf("cannot size output to %s: %v", hexDec(l.FileSize), err)
	}
	w := &writer{out: out, buf: make([]byte, copyBufferSize)}
	for i := range l.Partitions {
		p := &l.Partitions[i]
		if p.Extended {
			if err := w.writeEBR(l, i); err != nil {
				return partErr(p.Name, "EBR: %v", err)
			}
		}
		if p.Image == "" || (p.DataSize == 0 && !p.Fill) {
			continue
		}
		if err := w.copyImage(p, open); err != nil {
			return err
		}
	}
	if l.Table&TableGPT != 0 {
		if err := writeGPT(l, out); err != nil {
			return err
		}
	}
	if l.Table != TableNone {
		tail := mbrTail(l)
		b := tail.Marshal()
		if _, err := out.WriteAt(b[:], mbr.TailOffset); err != nil {
			return fmt.Errorf("cannot write MBR: %v", err)
		}
	}
	if l.Fill {
		st, err := out.Stat()
		if err != nil {
			return err
		}
		if uint64(st.Size()) < l.Size {
			if err := out.Truncate(int64(l.Size)); err != nil {
				return fmt.Errorf("cannot fill output to %s: %v", hexDec(l.Size), err)
			}
		}
	}
	return nil
}

type writer struct {
	out *os.File
	buf []byte
	// written is the end of the furthest byte written so far; a hole in
	// an input below it must be zeroed, since an earlier partition's data
	// (declared a hole there) may lie under it.
	written uint64
}

func (w *writer) note(end uint64) {
	if end > w.written {
		w.written = end
	}
}

func (w *writer) copyImage(p *Placed, open Opener) error {
	in, err := open(p.Image)
	if err != nil {
		return partErr(p.Name, "image: %v", err)
	}
	defer in.Close()
	// Input offsets from here on are relative to the partition start.
	skip := int64(p.ImageOffset)
	size := int64(p.DataSize)
	var pos int64 // partition offset up to which everything is handled
	err = dataRanges(in, skip, skip+size, func(start, end int64) error {
		start, end = start-skip, end-skip
		if err := w.hole(p, pos, start); err != nil {
			return err
		}
		if err := copyRange(w.out, int64(p.Offset)+start, in, skip+start, end-start); err != nil {
			return partErr(p.Name, "image '%s': %v", p.Image, err)
		}
		pos = end
		return nil
	})
	if err != nil {
		return err
	}
	end := size
	if p.Fill {
		end = int64(p.Size)
	}
	if err := w.hole(p, pos, end); err != nil {
		return err
	}
	w.note(p.Offset + uint64(end))
	return nil
}

// copyRange copies n bytes of in at inOff to out at outOff. Going through
// the files' offsets lets os.File.ReadFrom use copy_file_range, so the data
// need not pass through this process (memory stays bounded either way).
func copyRange(out *os.File, outOff int64, in *os.File, inOff, n int64) error {
	if _, err := in.Seek(inOff, io.SeekStart); err != nil {
		return err
	}
	if _, err := out.Seek(outOff, io.SeekStart); err != nil {
		return err
	}
	got, err := out.ReadFrom(&io.LimitedReader{R: in, N: n})
	if err != nil {
		return err
	}
	if got != n {
		return fmt.Errorf("file shrank to %s while reading", hexDec(uint64(inOff+got)))
	}
	return nil
}

// hole makes range [start, end) of partition p read as zeros in the output:
// without allocating it when it was never written and p is sparse, else as
// written zeros.
func (w *writer) hole(p *Placed, start, end int64) error {
	if end <= start {
		return nil
	}
	outStart := p.Offset + uint64(start)
	outEnd := p.Offset + uint64(end)
	if !p.Sparse {
		if err := writeZeros(w.out, int64(outStart), int64(outEnd-outStart), w.buf); err != nil {
			return partErr(p.Name, "cannot write zeros at %s: %v", hexDec(outStart), err)
		}
		return nil
	}
	if outStart >= w.written {
		return nil
	}
	if outEnd > w.written {
		outEnd = w.written
	}
	if err := zeroRange(w.out, int64(outStart), int64(outEnd-outStart), w.buf); err != nil {
		return partErr(p.Name, "cannot clear output at %s: %v", hexDec(outStart), err)
	}
	return nil
}

// writeZeros is the portable way to clear a range: plain zero writes.
func writeZeros(f *os.File, off, n int64, buf []byte) error {
	for i := range buf {
		buf[i] = 0
	}
	for n > 0 {
		c := int64(len(buf))
		if n < c {
			c = n
		}
		if _, err := f.WriteAt(buf[:c], off); err != nil {
			return err
		}
		off += c
		n -= c
	}
	return nil
}

func (w *writer) writeEBR(l *Layout, i int) error {
	p := &l.Partitions[i]
	logical := mbr.Entry{Type: p.MBRType, FirstLBA: uint32(l.Align / mbr.SectorSize), Sectors: uint32(p.Size / mbr.SectorSize)}
	var next *mbr.Entry
	for j := i + 1; j < len(l.Partitions); j++ {
		q := &l.Partitions[j]
		if !q.Extended {
			continue
		}
		next = &mbr.Entry{Type: mbr.TypeExtendedLBA,
			FirstLBA: uint32((q.Offset - l.Align - l.ExtendedLBA) / mbr.SectorSize),
			Sectors:  uint32((q.Size + l.Align) / mbr.SectorSize)}
		break
	}
	b := mbr.EBR(logical, next)
	off := p.Offset - l.Align + mbr.TableOffset
	if _, err := w.out.WriteAt(b[:], int64(off)); err != nil {
		return err
	}
	w.note(off + uint64(len(b)))
	return nil
}

// mbrTail builds the MBR: the partitions themselves for an MBR table, those
// with a type byte plus a 0xEE entry over the primary GPT for a hybrid one,
// and a single 0xEE entry over the whole disk (protective MBR) for GPT.
func mbrTail(l *Layout) mbr.Tail {
	t := mbr.Tail{DiskSignature: l.DiskSignature}
	if l.Table == TableGPT {
		sectors := (l.Size - mbr.SectorSize) / mbr.SectorSize
		if sectors > 0xffffffff {
			sectors = 0xffffffff
		}
		t.Entries[0] = mbr.Entry{Type: mbr.TypeGPTProtect, FirstLBA: 1, Sectors: uint32(sectors)}
		return t
	}
	i, extended := 0, false
	for j := range l.Partitions {
		p := &l.Partitions[j]
		if !p.InTable || (l.Table == TableHybrid && (p.MBRType == 0 || p.Extended)) || (p.Extended && extended) {
			continue
		}
		if i == 4 {
			break
		}
		e := mbr.Entry{Type: p.MBRType, FirstLBA: uint32(p.Offset / mbr.SectorSize), Sectors: uint32(p.Size / mbr.SectorSize)}
		if p.Bootable {
			e.Status = mbr.StatusBootable
		}
		if p.Extended {
			end := l.Size
			if l.ExtendedEnd != 0 {
				end = l.ExtendedEnd
			}
			e = mbr.Entry{Type: mbr.TypeExtendedLBA, FirstLBA: uint32(l.ExtendedLBA / mbr.SectorSize),
				Sectors: uint32((end - l.ExtendedLBA) / mbr.SectorSize)}
			extended = true
		}
		t.Entries[i] = e
		i++
	}
	if l.Table == TableHybrid && i < 4 {
		t.Entries[i] = mbr.Entry{Type: mbr.TypeGPTProtect, FirstLBA: 1,
			Sectors: uint32(l.GPTLocation/mbr.SectorSize + gptTableSectors - 2)}
	}
	return t
}

// GPTEntries returns the partition entries of the GPT, in partition order.
func GPTEntries(l *Layout) []gpt.Entry {
	var es []gpt.Entry
	for i := range l.Partitions {
		p := &l.Partitions[i]
		if !p.InTable {
			continue
		}
		es = append(es, gpt.Entry{Type: p.TypeGUID, ID: p.GUID, FirstLBA: p.Offset / mbr.SectorSize,
			LastLBA: p.end()/mbr.SectorSize - 1, Attributes: p.Attributes, Name: p.Name})
	}
	return es
}

func writeGPT(l *Layout, out *os.File) error {
	entries := GPTEntries(l)
	arr, arrCRC, err := gpt.MarshalArray(entries)
	if err != nil {
		return err
	}
	lastLBA := l.Size/mbr.SectorSize - 1
	// As genimage: the first usable LBA is where the first partition
	// starts (or right after the array when there is none), so the
	// space between array and first partition stays outside the table.
	firstUsable := (l.GPTLocation + gpt.ArraySize) / mbr.SectorSize
	if len(entries) > 0 {
		firstUsable = entries[0].FirstLBA
		for _, e := range entries {
			if e.FirstLBA < firstUsable {
				firstUsable = e.FirstLBA
			}
		}
	}
	h := gpt.Header{CurrentLBA: 1, BackupLBA: lastLBA, FirstUsableLBA: firstUsable,
		LastUsableLBA: lastLBA - gptTableSectors, DiskGUID: l.DiskGUID, EntriesLBA: l.GPTLocation / mbr.SectorSize,
		NumEntries: gpt.EntryCount, EntrySize: gpt.EntrySize, EntriesCRC: arrCRC}
	if l.GPTNoBackup {
		h.BackupLBA = 1
	}
	hb := h.Marshal()
	if _, err := out.WriteAt(hb[:], mbr.SectorSize); err != nil {
		return fmt.Errorf("cannot write GPT header: %v", err)
	}
	if _, err := out.WriteAt(arr, int64(l.GPTLocation)); err != nil {
		return fmt.Errorf("cannot write GPT array: %v", err)
	}
	if l.GPTNoBackup {
		return nil
	}
	h.CurrentLBA, h.BackupLBA = lastLBA, 1
	h.EntriesLBA = lastLBA + 1 - gptTableSectors
	hb = h.Marshal()
	if _, err := out.WriteAt(arr, int64(h.EntriesLBA*mbr.SectorSize)); err != nil {
		return fmt.Errorf("cannot write backup GPT array: %v", err)
	}
	if _, err := out.WriteAt(hb[:], int64(lastLBA*mbr.SectorSize)); err != nil {
		return fmt.Errorf("cannot write backup GPT header: %v", err)
	}
	return nil
}
