package lazymap

import "testing"

func TestBuiltOnceOnFirstUse(t *testing.T) {
	calls := 0
	m := &Map[string, int]{New: func() map[string]int { calls++; return map[string]int{"a": 1} }}
	if calls != 0 {
		t.Fatal("built before first use")
	}
	if m.Get()["a"] != 1 || m.Get()["b"] != 0 || calls != 1 {
		t.Fatalf("Get: a=%d b=%d after %d builds, want 1, 0 after 1", m.Get()["a"], m.Get()["b"], calls)
	}
}
