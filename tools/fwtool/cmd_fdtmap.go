package main

import (
	"fmt"
	"io"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/fdtmap"
	"github.com/rules-firmware/rules_firmware/tools/layout"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// Images built with an fdtmap entry (ours or binman's) are listed and
// extracted through the map. Priority 10: an fdtmap image may well start
// with another format's magic (a uImage SPL, say), and the map is the
// better description of the whole file. Finding an fdtmap without an image
// header at either end means scanning the file, so files too big to be
// flash images are only scanned last (priority 95), after every other
// format had its look.
const fdtmapScanFirstLimit = 256 << 20

func registerFdtmapFormats() {
	registerLister(lister{name: "fdtmap", priority: 10, probe: probeFdtmapFirst, list: listFdtmap})
	registerLister(lister{name: "fdtmap", priority: 95, probe: probeFdtmap, list: listFdtmap})
	// Last resort: a map that describes only part of the file (an fdtmap
	// inside a section maps that section), read as binman reads it.
	registerLister(lister{name: "fdtmap", priority: 99, probe: probeAnyFdtmap, list: listFdtmap})
	registerExtractor(extractor{name: "fdtmap", priority: 99, probe: probeAnyFdtmap, extract: extractFdtmap})
	registerExtractor(extractor{name: "fdtmap", priority: 10, probe: probeFdtmapFirst, extract: extractFdtmap})
	registerExtractor(extractor{name: "fdtmap", priority: 95, probe: probeFdtmap, extract: extractFdtmap})
}

// readFdtmap finds the map through a header at either end first, then by
// scanning, as binman does.
func readFdtmap(f *os.File, size int64) (*fdtmap.Map, error) {
	if m, err := fdtmap.ReadQuick(f, size); err == nil {
		return m, nil
	}
	return fdtmap.Read(f, size)
}

// wholeFile accepts a map that describes the whole file: a disk image that
// merely contains a binman image (in a partition) records a different size
// and is left to its own lister.
func wholeFile(m *fdtmap.Map, size int64) bool {
	return !m.Root.HasSize || int64(m.Root.Size) == size
}

func probeFdtmapFirst(f *os.File, size int64) bool {
	if size > fdtmapScanFirstLimit {
		m, err := fdtmap.ReadQuick(f, size)
		return err == nil && wholeFile(m, size)
	}
	return probeFdtmap(f, size)
}

func probeFdtmap(f *os.File, size int64) bool {
	m, err := readFdtmap(f, size)
	return err == nil && wholeFile(m, size)
}

func probeAnyFdtmap(f *os.File, size int64) bool {
	_, err := readFdtmap(f, size)
	return err == nil
}

func listFdtmap(f *os.File, size int64, args []string, stdout io.Writer) error {
	m, err := readFdtmap(f, size)
	if err != nil {
		return err
	}
	return m.List(stdout, args)
}

func extractFdtmap(f *os.File, size int64, paths []string, out, outDir string, decompress bool, stdout io.Writer) error {
	m, err := readFdtmap(f, size)
	if err != nil {
		return err
	}
	var decomp fdtmap.Decompressor
	if decompress {
		decomp = func(algo string, data []byte) ([]byte, error) {
			return layout.DecompressLimit(algo, data, inflateLimit)
		}
	}
	if extractFormat == "list" {
		return listAltFormats(m, stdout)
	}
	// An entry's own compression is undone as it is written out (no
	// more than its uncomp-size, else maxInflate); sections around it are
	// decompressed in memory to cut it out, bounded the same way.
	read := func(e *fdtmap.Entry) (extractPart, error) {
		data, err := m.ReadStored(f, size, e, decomp)
		if err != nil {
			return extractPart{}, err
		}
		if decomp != nil && e.Compress != "none" && e.Parent != nil {
			limit := inflateLimit
			if e.HasUncompSize && int64(e.UncompSize) < limit {
				limit = int64(e.UncompSize)
			}
			return extractPart{data: data, algo: e.Compress, limit: limit, what: fmt.Sprintf("Entry '%s'", e.Path)}, nil
		}
		return extractPart{data: altFormat(e, data)}, nil
	}
	if out != "" {
		e, err := m.Find(paths[0])
		if err != nil {
			return err
		}
		part, err := read(e)
		if err != nil {
			return err
		}
		return outfile.Write(out, outfile.FileMode, part.fill)
	}
	entries, _, err := m.Select(paths)
	if err != nil {
		return err
	}
	if len(paths) > 0 && len(entries) == 0 {
		return fmt.Errorf("no entry matches %v", paths)
	}
	w := outfile.NewBatch()
	defer w.Abort()
	if err := w.MkdirAll(outDir); err != nil {
		return err
	}
	for _, e := range entries {
		part, err := read(e)
		if err != nil {
			return err
		}
		// Entries with children go to <path>/root, as binman writes them
		// (the image itself to root).
		name := e.Path
		if len(e.Children) > 0 && name == "" {
			name = "root"
		} else if len(e.Children) > 0 {
			name += "/root"
		}
		if err := w.WriteIn(outDir, name, fmt.Sprintf("Entry '%s'", e.Path), outfile.FileMode, part.fill); err != nil {
			return err
		}
	}
	return w.Commit()
}

// altFormat is binman's GetAltFormat for extract -F: "fdt" turns an
// fdtmap entry into the devicetree blob after its header; every other
// entry, or an unknown format, keeps its data, as in binman.
func altFormat(e *fdtmap.Entry, data []byte) []byte {
	if extractFormat == "fdt" && e.Type == "fdtmap" && len(data) >= fdtmap.HeaderLen {
		return data[fdtmap.HeaderLen:]
	}
	return data
}

// listAltFormats is binman's extract -F list: the alternative formats the
// image's entry types offer (only fdtmap has one).
func listAltFormats(m *fdtmap.Map, stdout io.Writer) error {
	fmt.Fprintf(stdout, "%-10s  %-20s  %s\n", "Flag (-F)", "Entry type", "Description")
	found := false
	var walk func(e *fdtmap.Entry)
	walk = func(e *fdtmap.Entry) {
		if e.Type == "fdtmap" {
			found = true
		}
		for _, c := range e.Children {
			walk(c)
		}
	}
	walk(m.Root)
	if found {
		fmt.Fprintf(stdout, "%-10s  %-20s  %s\n", "fdt", "fdtmap", "Extract the devicetree blob from the fdtmap")
	}
	return nil
}
