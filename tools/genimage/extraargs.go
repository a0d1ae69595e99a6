package genimage

import (
	"fmt"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/disk"
)

// extraArgs splits an extraargs option the way genimage's shell would
// (whitespace; single and double quotes) and hands each flag to take,
// which returns how many following words it consumed or an error. A flag
// take does not know is refused: it would be an option of a host tool
// fwtool does not run.
func extraArgs(img disk.GenimageSection, take func(flag string, rest []string) (int, error)) error {
	for _, o := range img.TypeOptions {
		if o.Key != "extraargs" {
			continue
		}
		words, err := shellWords(o.Value())
		if err != nil {
			return fmt.Errorf("line %d: extraargs: %v", o.Line, err)
		}
		for i := 0; i < len(words); i++ {
			n, err := take(words[i], words[i+1:])
			if err != nil {
				return fmt.Errorf("line %d: extraargs %q: %v", o.Line, o.Value(), err)
			}
			i += n
		}
	}
	return nil
}

// needArg is the common case of a flag taking one value.
func needArg(flag string, rest []string) (string, error) {
	if len(rest) == 0 {
		return "", fmt.Errorf("%s needs a value", flag)
	}
	return rest[0], nil
}

func unknownFlag(tool, flag string) error {
	return fmt.Errorf("%s flag '%s' is not supported (fwtool runs no %s)", tool, flag, tool)
}

func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated %c quote", c)
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(s[i+1])
			i++
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
