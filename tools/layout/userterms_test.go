package layout

import (
	"errors"
	"testing"
)

func TestInUserTerms(t *testing.T) {
	m, err := ParseManifest([]byte(`{"version": 1, "image": {"name": "bootimage", "label": "//boards/b:bootimage", "entries": [
		{"name": "fsbl", "type": "blob", "path": "f", "label": "//boards/b:fsbl"},
		{"name": "sec", "type": "section", "label": "//boards/b:sec", "entries": [{"name": "ssbl", "type": "blob", "path": "s"}]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"Node '/binman/sec/ssbl': Offset 0x3 (3) overlaps with previous entry '/binman/fsbl' ending at 0x4 (4)": "//boards/b:bootimage: entry 'sec/ssbl': Offset 0x3 (3) overlaps with previous entry 'fsbl' (//boards/b:fsbl) ending at 0x4 (4)",
		"Node '/binman/fsbl': Entry contents size is 0x10 (16)":                                                 "//boards/b:bootimage: entry 'fsbl' (//boards/b:fsbl): Entry contents size is 0x10 (16)",
		"Image '/binman': Entries exceed the size":                                                              "//boards/b:bootimage: image: Entries exceed the size",
		"Node '/elsewhere': x": "//boards/b:bootimage: Node '/elsewhere': x",
	} {
		if got := m.InUserTerms(errors.New(in)).Error(); got != want {
			t.Errorf("%s\n got %s\nwant %s", in, got, want)
		}
	}
	m.Image.Label = ""
	if got := m.InUserTerms(errors.New("Node '/binman/fsbl': x")).Error(); got != "Node '/binman/fsbl': x" {
		t.Errorf("without labels the binman message must stay as it is, got %s", got)
	}
}
