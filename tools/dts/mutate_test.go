package dts

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
)

// mutationSnippets are fragments spliced into valid sources to reach the
// scanner's and parser's corners.
var mutationSnippets = []string{
	"/", "//", "/*", "*/", "&", "&&", "&{/", "}", "{", ";", ":", "l:", "<", ">", "[", "]", "(", ")", "\"", "'",
	"\\", "#", "# 3 \"x.dts\"\n", "0x", "08", "1U", "2ULL", "/bits/ 8", "/delete-node/", "/delete-property/",
	"/omit-if-no-ref/", "/memreserve/", "/dts-v1/;", "\n", " ", "\t", "=", ",", "-", "~", "!", "?", "@", "x@1",
	"'a'", "'\\''", "\"\\x\"", "\"\\0\"", "&l", "&{/a}", "phandle", "name", "ab", "00",
}

func mutate(r *rand.Rand, src string) string {
	b := []byte(src)
	for i, n := 0, 1+r.Intn(3); i < n; i++ {
		if len(b) == 0 {
			break
		}
		pos := r.Intn(len(b))
		switch r.Intn(3) {
		case 0: // delete a short span
			end := pos + 1 + r.Intn(4)
			if end > len(b) {
				end = len(b)
			}
			b = append(b[:pos:pos], b[end:]...)
		case 1: // insert a snippet
			s := mutationSnippets[r.Intn(len(mutationSnippets))]
			b = append(b[:pos:pos], append([]byte(s), b[pos:]...)...)
		default: // duplicate a span elsewhere
			end := pos + 1 + r.Intn(12)
			if end > len(b) {
				end = len(b)
			}
			span := append([]byte{}, b[pos:end]...)
			at := r.Intn(len(b))
			b = append(b[:at:at], append(span, b[at:]...)...)
		}
	}
	return string(b)
}

// TestMutatedSourcesAgreeWithDtc: for sources mutated at random, dtc and
// we must agree on rejecting them, and on the bytes when both accept.
// DTS_MUTATIONS raises the count for a longer differential run.
func TestMutatedSourcesAgreeWithDtc(t *testing.T) {
	n := 200
	if s := os.Getenv("DTS_MUTATIONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	var bases []string
	for _, c := range featureCases {
		bases = append(bases, c.src)
	}
	for seed := 0; seed < 20; seed++ {
		g := &sourceGen{r: rand.New(rand.NewSource(int64(1000 + seed)))}
		bases = append(bases, g.source())
	}
	seed := int64(7)
	if s := os.Getenv("DTS_MUTATION_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	r := rand.New(rand.NewSource(seed))
	for i := 0; i < n; i++ {
		src := mutate(r, bases[r.Intn(len(bases))])
		files := map[string]string{"main.dts": src, "blob.bin": "\x01\x02\x03"}
		if compareWithDtcCounting(t, fmt.Sprintf("mutation %d", i), files, i%5 == 0) && i%4 == 0 && !strings.Contains(src, "/incbin/") {
			compareSourceWithDtc(t, fmt.Sprintf("mutation %d -O dts", i), files, DefaultOptions(), nil, false)
		}
		if t.Failed() {
			break
		}
	}
}
