package emmc

import (
	"bytes"
	"strings"
	"testing"
)

func TestUpdateWritesInactiveThenSwitches(t *testing.T) {
	m := NewModel(128<<10, 0)
	old := bytes.Repeat([]byte{0x0d}, 3000)
	copy(m.Boot[0], old)
	img := bytes.Repeat([]byte{0x4e}, 5000)
	var ops []Op
	m.BeforeWrite = func(op Op) ([]byte, error) {
		if op.Kind == "write" && op.Part == 0 {
			t.Fatalf("wrote the active partition: %v", op)
		}
		ops = append(ops, op)
		return nil, nil
	}
	st, err := Update(m, img)
	if err != nil {
		t.Fatal(err)
	}
	if st.Active != 0 || st.Target != 1 || st.Written != 5120 {
		t.Fatalf("status %+v", st)
	}
	// Ten block writes, then one SWITCH to boot1 with BOOT_ACK kept.
	if len(ops) != 11 || ops[10].Kind != "switch" || ops[10].Data[0] != 0x50 {
		t.Fatalf("ops %v", ops)
	}
	if !bytes.Equal(m.Boot[1][:5000], img) || !bytes.Equal(m.Boot[0][:3000], old) {
		t.Fatal("partition contents wrong")
	}
	if m.RO != [2]bool{true, true} {
		t.Fatalf("force_ro not restored: %v", m.RO)
	}
	// Same image again: nothing to do.
	if st, err := Update(m, img); err != nil || !st.Skipped {
		t.Fatalf("second update: %+v %v", st, err)
	}
}

func TestUpdateRefusals(t *testing.T) {
	m := NewModel(128<<10, 0)
	m.Ext[ExtCSDPartConfig] = 7 << 3 // boot from the user area
	if _, err := Update(m, []byte("x")); err == nil || !strings.Contains(err.Error(), "BOOT_PARTITION_ENABLE 7") {
		t.Errorf("user-area boot: %v", err)
	}
	m = NewModel(128<<10, 1)
	if _, err := Update(m, make([]byte, 128<<10+1)); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("oversized: %v", err)
	}
	if err := writeInactive(m, Status{Active: 1, Target: 1}, make([]byte, 512)); err == nil || !strings.Contains(err.Error(), "refusing to write boot1: it is the active") {
		t.Errorf("active partition: %v", err)
	}
	// A card that corrupts a block: read-back fails, PARTITION_CONFIG stays.
	m.BeforeWrite = func(op Op) ([]byte, error) {
		if op.Kind == "write" && op.Off == 512 {
			bad := append([]byte(nil), op.Data...)
			bad[7] ^= 1
			return bad, nil
		}
		return nil, nil
	}
	img := bytes.Repeat([]byte{1}, 2048)
	if _, err := Update(m, img); err == nil || !strings.Contains(err.Error(), "read-back differs at offset 0x207") {
		t.Errorf("corrupting card: %v", err)
	}
	if p, _ := BootPartition(m.Ext[ExtCSDPartConfig]); p != 1 {
		t.Errorf("switched despite the failed verify")
	}
}

func TestFileModelRoundTrip(t *testing.T) {
	dir := t.TempDir()
	m := NewModel(256<<10, 1)
	if err := SaveModel(dir, m); err != nil {
		t.Fatal(err)
	}
	l, err := LoadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Update(l, []byte("new boot image")); err != nil {
		t.Fatal(err)
	}
	if err := SaveModel(dir, l); err != nil {
		t.Fatal(err)
	}
	l2, _ := LoadModel(dir)
	if b, p, err := l2.BootImage(); err != nil || p != 0 || string(b[:14]) != "new boot image" {
		t.Fatalf("boot image from boot%d: %q %v", p, b[:14], err)
	}
}
