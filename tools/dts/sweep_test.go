package dts

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
)

// sourceGen writes random but mostly valid DTS using every language
// feature, so that dtc and our compiler can be compared on many inputs.
type sourceGen struct {
	r      *rand.Rand
	labels []string // node labels defined so far
	paths  []string // node paths defined so far
	nlabel int
	plugin bool
	b      strings.Builder
}

var genNames = []string{"soc", "bus@1000", "uart@0", "uart@100", "gpio", "clk", "cpus", "cpu@0", "cpu@1", "i2c@2", "x", "node-a", "node_b", "n,1"}
var genProps = []string{"compatible", "reg", "status", "interrupts", "clocks", "clock-names", "#address-cells", "ranges", "p", "data", "big", "phandle-ish", "vendor,prop", "empty"}

func (g *sourceGen) expr(depth int) string {
	r := g.r
	if depth > 2 || r.Intn(3) == 0 {
		switch r.Intn(4) {
		case 0:
			return fmt.Sprintf("%d", r.Intn(1000))
		case 1:
			return fmt.Sprintf("0x%x", r.Uint32())
		case 2:
			return fmt.Sprintf("'%c'", 'a'+r.Intn(26))
		}
		return fmt.Sprintf("%d", r.Intn(8))
	}
	ops := []string{"+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "&&", "||", "==", "!=", "<", ">", "<=", ">="}
	switch r.Intn(6) {
	case 0:
		return "(" + []string{"-", "~", "!"}[r.Intn(3)] + g.expr(depth+1) + ")"
	case 1:
		return "(" + g.expr(depth+1) + " ? " + g.expr(depth+1) + " : " + g.expr(depth+1) + ")"
	}
	op := ops[r.Intn(len(ops))]
	rhs := g.expr(depth + 1)
	if op == "/" || op == "%" {
		rhs = fmt.Sprintf("%d", 1+r.Intn(9))
	}
	if op == "<<" || op == ">>" {
		rhs = fmt.Sprintf("%d", r.Intn(40))
	}
	return "(" + g.expr(depth+1) + " " + op + " " + rhs + ")"
}

func (g *sourceGen) ref() string {
	if len(g.labels) > 0 && g.r.Intn(4) != 0 {
		return "&" + g.labels[g.r.Intn(len(g.labels))]
	}
	if len(g.paths) > 0 {
		return "&{" + g.paths[g.r.Intn(len(g.paths))] + "}"
	}
	return "&{/}"
}

func (g *sourceGen) value() string {
	r := g.r
	var parts []string
	for i, n := 0, 1+r.Intn(3); i < n; i++ {
		switch r.Intn(8) {
		case 0:
			parts = append(parts, fmt.Sprintf("%q", []string{"okay", "disabled", "vendor,thing", "", "a\\tb"}[r.Intn(5)]))
		case 1, 2:
			var cells []string
			for j, m := 0, r.Intn(5); j < m; j++ {
				switch r.Intn(4) {
				case 0:
					cells = append(cells, g.ref())
				case 1:
					cells = append(cells, g.expr(0))
				default:
					cells = append(cells, fmt.Sprintf("0x%x", r.Intn(1<<16)))
				}
			}
			parts = append(parts, "<"+strings.Join(cells, " ")+">")
		case 3:
			bits := []int{8, 16, 64}[r.Intn(3)]
			var cells []string
			for j, m := 0, 1+r.Intn(4); j < m; j++ {
				cells = append(cells, fmt.Sprintf("%d", r.Intn(128)))
			}
			parts = append(parts, fmt.Sprintf("/bits/ %d <%s>", bits, strings.Join(cells, " ")))
		case 4:
			var bs []string
			for j, m := 0, r.Intn(6); j < m; j++ {
				bs = append(bs, fmt.Sprintf("%02x", r.Intn(256)))
			}
			parts = append(parts, "["+strings.Join(bs, " ")+"]")
		case 5:
			parts = append(parts, g.ref())
		default:
			parts = append(parts, fmt.Sprintf("<%d>", r.Intn(5)))
		}
	}
	return strings.Join(parts, ", ")
}

func (g *sourceGen) maybeLabel() string {
	if g.r.Intn(3) != 0 {
		return ""
	}
	g.nlabel++
	return fmt.Sprintf("L%d: ", g.nlabel)
}

// body writes a node body; path is the node's path for later references.
func (g *sourceGen) body(path string, depth int, ind string) {
	r := g.r
	used := map[string]bool{}
	for i, n := 0, r.Intn(5); i < n; i++ {
		p := genProps[r.Intn(len(genProps))]
		if used[p] {
			if r.Intn(2) == 0 {
				fmt.Fprintf(&g.b, "%s/delete-property/ %s;\n", ind, p)
			}
			continue
		}
		used[p] = true
		switch {
		case p == "empty":
			fmt.Fprintf(&g.b, "%s%s;\n", ind, p)
		case r.Intn(10) == 0:
			fmt.Fprintf(&g.b, "%s/delete-property/ %s;\n", ind, p)
		default:
			fmt.Fprintf(&g.b, "%s%s%s = %s;\n", ind, g.maybeLabel(), p, g.value())
		}
	}
	if depth >= 3 {
		return
	}
	seen := map[string]bool{}
	for i, n := 0, r.Intn(4); i < n; i++ {
		name := genNames[r.Intn(len(genNames))]
		if seen[name] {
			continue
		}
		seen[name] = true
		child := path + "/" + name
		if path == "/" {
			child = "/" + name
		}
		if r.Intn(12) == 0 {
			fmt.Fprintf(&g.b, "%s/delete-node/ %s;\n", ind, name)
			continue
		}
		omit := ""
		if r.Intn(8) == 0 {
			omit = "/omit-if-no-ref/ "
		}
		lbl := g.maybeLabel()
		fmt.Fprintf(&g.b, "%s%s%s%s {\n", ind, omit, lbl, name)
		if lbl != "" {
			g.labels = append(g.labels, strings.TrimSuffix(lbl, ": "))
		}
		g.paths = append(g.paths, child)
		g.body(child, depth+1, ind+"\t")
		fmt.Fprintf(&g.b, "%s};\n", ind)
	}
}

func (g *sourceGen) source() string {
	g.b.WriteString("/dts-v1/;\n")
	if g.plugin {
		// An overlay: references may name labels of the base tree.
		g.b.WriteString("/plugin/;\n")
		g.labels = append(g.labels, "base_a", "base_b")
	}
	for i, n := 0, g.r.Intn(3); i < n; i++ {
		fmt.Fprintf(&g.b, "/memreserve/ 0x%x 0x%x;\n", g.r.Intn(1<<20)<<12, (1+g.r.Intn(64))<<12)
	}
	g.b.WriteString("/ {\n")
	g.body("/", 0, "\t")
	g.b.WriteString("};\n")
	for i, n := 0, g.r.Intn(4); i < n; i++ {
		switch g.r.Intn(4) {
		case 0:
			g.b.WriteString("/ {\n")
			g.body("/", 1, "\t")
			g.b.WriteString("};\n")
		case 1:
			if len(g.labels) > 0 {
				fmt.Fprintf(&g.b, "/delete-node/ &%s;\n", g.labels[g.r.Intn(len(g.labels))])
			}
		default:
			target := g.ref()
			fmt.Fprintf(&g.b, "%s {\n", target)
			g.body("/x", 2, "\t")
			g.b.WriteString("};\n")
		}
	}
	return g.b.String()
}

func TestGeneratedSourcesMatchDtc(t *testing.T) {
	n := 300
	if s := os.Getenv("DTS_SWEEP"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	if testing.Short() {
		n = 50
	}
	accepted := 0
	for seed := 0; seed < n; seed++ {
		g := &sourceGen{r: rand.New(rand.NewSource(int64(seed))), plugin: seed%3 == 2}
		src := g.source()
		files := map[string]string{"main.dts": src}
		if compareWithDtcCounting(t, fmt.Sprintf("seed %d", seed), files, seed%4 == 0) {
			accepted++
			if seed%3 == 0 {
				compareSourceWithDtc(t, fmt.Sprintf("seed %d -O dts", seed), files, DefaultOptions(), nil, seed%2 == 0)
			}
		}
	}
	// The sweep is only meaningful if most sources are valid.
	if accepted < n/2 {
		t.Errorf("only %d of %d generated sources compiled", accepted, n)
	}
	t.Logf("%d of %d generated sources compiled byte-identically", accepted, n)
}
