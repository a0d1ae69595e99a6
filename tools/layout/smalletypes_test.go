package layout

import (
	"strings"
	"testing"
)

// tee-os outside a FIT: a plain OP-TEE binary is a blob; an ELF file or a
// v1 OP-TEE binary is marked absent, as binman does, which drops it only
// when the entry is optional (after packing: its space is padding).
func TestTeeOSHeaders(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		optional   bool
		want       string
	}{
		{"plain", "this is some tee OS data", true, "this is some tee OS data"},
		{"short", "OPT", true, "OPT"},
		{"elf", "\x7fELF\x02\x01\x01\x00rest", false, "\x7fELF\x02\x01\x01\x00rest"},
		{"elf-optional", "\x7fELF\x02\x01\x01\x00rest", true, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"},
		{"v1", "OPTE\x01\x00\x00\x00rest", false, "OPTE\x01\x00\x00\x00rest"},
		{"v1-optional", "OPTE\x01\x00\x00\x00rest", true, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := ""
			if tc.optional {
				opt = `,"optional":true`
			}
			img, _, err := build(t, map[string][]byte{"tee": []byte(tc.data)}, `{"version":1,"image":{"entries":[{"name":"u","type":"text","text":"U"},{"name":"tee-os","type":"tee-os","path":"$DIR/tee"`+opt+`}]}}`)
			if err != nil {
				t.Fatal(err)
			}
			got, err := img.Bytes()
			if err != nil || string(got) != "U"+tc.want {
				t.Fatalf("image %q (%v), want %q", got, err, "U"+tc.want)
			}
		})
	}
}

// blob-ext-list with a missing file fails, and with missing blobs allowed
// is empty and reported as missing.
func TestBlobExtListMissing(t *testing.T) {
	files := map[string][]byte{"a": []byte("AA")}
	m := `{"version":1,%s"image":{"entries":[{"name":"l","type":"blob-ext-list","paths":["$DIR/a","$DIR/nope"]}]}}`
	if _, _, err := build(t, files, strings.Replace(m, "%s", "", 1)); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("error %v, want one naming the missing file", err)
	}
	img, _, err := build(t, files, strings.Replace(m, "%s", `"allow_missing":true,`, 1))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := img.Bytes(); len(got) != 0 {
		t.Fatalf("image %q, want empty", got)
	}
	if len(img.Warnings) == 0 || !strings.Contains(strings.Join(img.Warnings, "\n"), "missing external blobs") {
		t.Fatalf("warnings %q, want the missing-blob report", img.Warnings)
	}
}

func TestSplitLinesAsPython(t *testing.T) {
	got := splitLines([]byte("a\n\nb\r\nc\rd\n"))
	want := []string{"a", "", "b", "c", "d"}
	if len(got) != len(want) {
		t.Fatalf("%q, want %q", got, want)
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Fatalf("%q, want %q", got, want)
		}
	}
}
