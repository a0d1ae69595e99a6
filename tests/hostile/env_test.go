package hostile

import "testing"

// U-Boot environment: mkenvimage reads a text file (or stdin) into a
// storage of -s bytes.
func TestEnv(t *testing.T) { runFamily(t, envCases(t)) }

func envCases(t *testing.T) []Case {
	return []Case{
		{Name: "dev-zero-input", Args: []string{"mkenvimage", "-s", "0x1000", "-o", "{out}/env", "/dev/zero"}},
		// A FIFO without a writer reads as empty text: an empty environment.
		{Name: "fifo-input", WantOK: true, Setup: fifo("e"), Args: []string{"mkenvimage", "-s", "0x1000", "-o", "{out}/env", "{in}/e"}},
		{Name: "text-larger-than-storage", Files: map[string][]byte{"e": []byte("a=" + string(make([]byte, 8000)) + "\n")},
			Args: []string{"mkenvimage", "-s", "0x1000", "-o", "{out}/env", "{in}/e"}},
		{Name: "size-zero", Files: map[string][]byte{"e": []byte("a=b\n")}, Args: []string{"mkenvimage", "-s", "0", "-o", "{out}/env", "{in}/e"}},
		{Name: "crc-only-ls", Files: map[string][]byte{"e": {1, 2, 3, 4}}, Args: []string{"ls", "{in}/e"}},
	}
}
