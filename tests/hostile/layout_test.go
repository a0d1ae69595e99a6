package hostile

import (
	"strings"
	"testing"
)

// Layout manifests and binman descriptions: sections nest, and every pass
// over them recurses.
func TestLayout(t *testing.T) { runFamily(t, layoutCases(t)) }

func layoutCases(t *testing.T) []Case {
	deep := `{"version":1,"image":{"entries":[` + strings.Repeat(`{"name":"s","type":"section","entries":[`, 600) +
		`{"name":"t","type":"text","text":"x"}` + strings.Repeat(`]}`, 600) + `]}}`
	return []Case{
		{Name: "sections-nested-600", Files: map[string][]byte{"m.json": []byte(deep)}, Args: []string{"build", "--manifest", "{in}/m.json", "--output", "{out}/img"}, WantErr: "too deep"},
		{Name: "blob-fifo", Setup: both(fifo("b"), func(t *testing.T, e *Env) {
			writeFile(t, e.In, "m.json", []byte(`{"version":1,"image":{"entries":[{"name":"b","path":"`+e.Path("b")+`"}]}}`))
		}),
			Args: []string{"build", "--manifest", "{in}/m.json", "--output", "{out}/img"}, WantErr: "regular file"},
		{Name: "blob-dev-zero", Files: map[string][]byte{"m.json": []byte(`{"version":1,"image":{"entries":[{"name":"b","path":"/dev/zero","compress":"lz4"}]}}`)},
			Args: []string{"build", "--manifest", "{in}/m.json", "--output", "{out}/img"}, WantErr: "regular file"},
		// A binman description is a DTB: its reader stops at 512 levels.
		{Name: "binman-nested-100000", Files: map[string][]byte{"u.dtb": deepDTB(100000)},
			Args: []string{"build", "-d", "{in}/u.dtb", "-O", "{out}"}, WantErr: "deeper"},
	}
}
