package layout

import "sort"

// descOrder is the section's children in the description's order: binman
// sorts a sort-by-offset section's entries for packing only, and its
// fdtmap keeps them as written.
func (s *Section) descOrder() []Entry {
	if !s.sortByOffset || s.node == nil {
		return s.entries
	}
	idx := make(map[*Node]int, len(s.node.Entries))
	for i := range s.node.Entries {
		idx[&s.node.Entries[i]] = i
	}
	out := append([]Entry(nil), s.entries...)
	sort.SliceStable(out, func(a, b int) bool { return idx[out[a].b().node] < idx[out[b].b().node] })
	return out
}
