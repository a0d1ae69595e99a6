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
		// A binman description is a DTB: its reader stops at 512 levels.
		{Name: "binman-nested-100000", Files: map[string][]byte{"u.dtb": deepDTB(100000)},
			Args: []string{"build", "-d", "{in}/u.dtb", "-O", "{out}"}, WantErr: "deeper"},
	}
}
