package kmod

import (
	"fmt"
	"sort"
	"strings"
)

// Index holds the text files depmod writes for a set of modules.
type Index struct {
	Dep     string // modules.dep
	Alias   string // modules.alias
	Softdep string // modules.softdep
	Devname string // modules.devname
	// Bin holds modules.dep.bin, modules.alias.bin and modules.symbols.bin.
	Bin map[string][]byte
}

// depNode is one module during the depmod-equal computation.
type depNode struct {
	m       *Module
	idx     int
	deps    []*depNode // direct, in symbol order, then sorted by sortIdx
	users   int
	sortIdx int
}

// Depmod computes the index files for mods as `depmod -b DIR VERSION`
// writes them for a directory holding exactly these modules and the given
// modules.order (uncompressed relative paths; see Tree.Order).
func Depmod(mods []*Module, order []string) (*Index, error) {
	pos := map[string]int{}
	for i, p := range order {
		if _, dup := pos[p]; !dup {
			pos[p] = i
		}
	}
	nodes := make([]*depNode, len(mods))
	for i, m := range mods {
		if _, ok := pos[m.UncompressedPath()]; !ok {
			return nil, fmt.Errorf("module '%s' (%s) is not in modules.order", m.Name, m.Path)
		}
		nodes[i] = &depNode{m: m}
	}
	sort.Slice(nodes, func(i, j int) bool {
		return pos[nodes[i].m.UncompressedPath()] < pos[nodes[j].m.UncompressedPath()]
	})
	owner := map[string]*depNode{}
	for i, n := range nodes {
		n.idx = i
		for _, s := range n.m.Exports {
			owner[s] = n // a later module replaces an earlier owner, as in depmod's hash
		}
	}
	for _, n := range nodes {
		seen := map[*depNode]bool{}
		for _, s := range n.m.Undefined {
			o := owner[s]
			if o == nil || seen[o] {
				continue
			}
			seen[o] = true
			n.deps = append(n.deps, o)
			o.users++
		}
	}
	if err := topoSort(nodes); err != nil {
		return nil, err
	}
	bin, err := binIndexes(nodes, owner)
	if err != nil {
		return nil, err
	}
	return &Index{
		Bin:     bin,
		Dep:     writeDep(nodes),
		Alias:   writeInfoLines(nodes, "# Aliases extracted from modules themselves.\n", "alias", func(n, v string) string { return "alias " + v + " " + n }),
		Softdep: writeInfoLines(nodes, "# Soft dependencies extracted from modules themselves.\n", "softdep", func(n, v string) string { return "softdep " + n + " " + v }),
		Devname: writeDevname(nodes),
	}, nil
}

// topoSort numbers modules as depmod does: roots (no users) on a stack in
// array order, popped last-first; each popped module's dependencies, in
// their order, are pushed once they have no other users.
func topoSort(nodes []*depNode) error {
	users := make([]int, len(nodes))
	var roots []int
	for i, n := range nodes {
		users[i] = n.users
		if users[i] == 0 {
			roots = append(roots, i)
		}
	}
	sorted := 0
	for len(roots) > 0 {
		src := nodes[roots[len(roots)-1]]
		roots = roots[:len(roots)-1]
		src.sortIdx = sorted
		sorted++
		for _, d := range src.deps {
			users[d.idx]--
			if users[d.idx] == 0 {
				roots = append(roots, d.idx)
			}
		}
	}
	if sorted < len(nodes) {
		var cyc []string
		for i, n := range nodes {
			if users[i] > 0 {
				cyc = append(cyc, n.m.Name)
			}
		}
		return fmt.Errorf("dependency cycle among modules: %s", strings.Join(cyc, ", "))
	}
	for _, n := range nodes {
		sort.Slice(n.deps, func(i, j int) bool { return n.deps[i].sortIdx < n.deps[j].sortIdx })
	}
	return nil
}

// allDeps lists the transitive dependencies of n, each once, sorted by
// their topological index.
func allDeps(n *depNode) []*depNode {
	var out []*depNode
	seen := map[*depNode]bool{}
	var fill func(*depNode)
	fill = func(m *depNode) {
		for _, d := range m.deps {
			if seen[d] {
				continue
			}
			seen[d] = true
			out = append(out, d)
			fill(d)
		}
	}
	fill(n)
	sort.Slice(out, func(i, j int) bool { return out[i].sortIdx < out[j].sortIdx })
	return out
}

func writeDep(nodes []*depNode) string {
	var b strings.Builder
	for _, n := range nodes {
		b.WriteString(n.m.Path + ":")
		for _, d := range allDeps(n) {
			b.WriteString(" " + d.m.Path)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func writeInfoLines(nodes []*depNode, header, key string, line func(name, value string) string) string {
	var b strings.Builder
	b.WriteString(header)
	for _, n := range nodes {
		for _, kv := range n.m.Info {
			if kv[0] == key {
				b.WriteString(line(n.m.Name, kv[1]) + "\n")
			}
		}
	}
	return b.String()
}

// writeDevname lists modules that name a device node (alias devname:X plus
// a char-major-M-N or block-major-M-N alias), as depmod does.
func writeDevname(nodes []*depNode) string {
	var b strings.Builder
	for _, n := range nodes {
		devname, typ := "", byte(0)
		var major, minor uint
		for _, kv := range n.m.Info {
			if kv[0] != "alias" {
				continue
			}
			v := kv[1]
			var maj, min uint
			switch {
			case strings.HasPrefix(v, "devname:"):
				devname = strings.TrimPrefix(v, "devname:")
			case scanMajorMinor(v, "char-major-", &maj, &min):
				typ, major, minor = 'c', maj, min
			case scanMajorMinor(v, "block-major-", &maj, &min):
				typ, major, minor = 'b', maj, min
			}
			if typ != 0 && devname != "" {
				break
			}
		}
		if devname != "" && typ != 0 {
			if b.Len() == 0 {
				b.WriteString("# Device nodes to trigger on-demand module loading.\n")
			}
			fmt.Fprintf(&b, "%s %s %c%d:%d\n", n.m.Name, devname, typ, major, minor)
		}
	}
	return b.String()
}

func scanMajorMinor(v, prefix string, maj, min *uint) bool {
	if !strings.HasPrefix(v, prefix) {
		return false
	}
	n, err := fmt.Sscanf(strings.TrimPrefix(v, prefix), "%d-%d", maj, min)
	return err == nil && n == 2
}
