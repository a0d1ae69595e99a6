package binsym

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// Spec is the layout manifest's "symbols" field of an entry: which ELF
// file describes the entry's contents. JSON:
//
//	"symbols": {"elf": "spl/u-boot-spl", "base_symbol": "__image_copy_start",
//	            "symbols_base": "0x0", "in_elf": false}
//
// Only "elf" is required.
type Spec struct {
	ELF         string      `json:"elf"`
	BaseSymbol  string      `json:"base_symbol,omitempty"`
	SymbolsBase *layout.Num `json:"symbols_base,omitempty"`
	InELF       bool        `json:"in_elf,omitempty"`
}

// ParseSpec decodes a manifest "symbols" value; unknown fields are errors.
func ParseSpec(raw json.RawMessage) (Target, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return Target{}, fmt.Errorf("symbols: %v", err)
	}
	if s.ELF == "" {
		return Target{}, fmt.Errorf("symbols: missing 'elf'")
	}
	t := Target{ELF: s.ELF, BaseSymbol: s.BaseSymbol, InELF: s.InELF}
	if s.SymbolsBase != nil {
		v := uint64(*s.SymbolsBase)
		t.SymbolsBase = &v
	}
	return t, nil
}

// Marshal is the manifest "symbols" value for t.
func (t Target) Marshal() json.RawMessage {
	s := Spec{ELF: t.ELF, BaseSymbol: t.BaseSymbol, InELF: t.InELF}
	if t.SymbolsBase != nil {
		v := layout.Num(*t.SymbolsBase)
		s.SymbolsBase = &v
	}
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // plain struct of strings and numbers
	}
	return b
}

// Writer patches symbols after each packing pass. It caches the ELF
// symbol tables and prints each warning once, though the layout engine
// may pack several times.
type Writer struct {
	// Targets maps an entry path below the image ("sec/u-boot-spl", as
	// Image.Find takes it) to its symbol source. Entries whose manifest
	// node has a "symbols" field are patched too.
	Targets map[string]Target
	// Warn receives binman's warnings (weak symbols naming unknown
	// entries); nil discards them.
	Warn io.Writer

	cache  map[string][]Symbol
	warned map[string]bool
}

// Patcher is the AfterPack hook for the common case: elfs maps entry
// paths below the image to their ELF files; base overrides the base symbol
// ("" for __image_copy_start). Warnings go to stderr.
func Patcher(elfs map[string]string, base string) func(*layout.Image) error {
	w := &Writer{Targets: map[string]Target{}, Warn: os.Stderr}
	for p, f := range elfs {
		w.Targets[p] = Target{ELF: f, BaseSymbol: base}
	}
	return w.AfterPack
}

// ManifestPatcher patches only the entries whose manifest nodes carry a
// "symbols" field.
func ManifestPatcher(warn io.Writer) func(*layout.Image) error {
	return (&Writer{Warn: warn}).AfterPack
}

// AfterPack is a layout.Options.AfterPack hook.
func (w *Writer) AfterPack(img *layout.Image) error {
	type job struct {
		e layout.Entry
		t Target
	}
	var jobs []job
	paths := make([]string, 0, len(w.Targets))
	for p := range w.Targets {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		e := img.Find(p)
		if e == nil {
			return fmt.Errorf("Image '%s': symbols: no entry '%s'", img.Path(), p)
		}
		jobs = append(jobs, job{e, w.Targets[p]})
	}
	var walkErr error
	img.Walk(func(e layout.Entry, depth int) {
		n := e.Node()
		if walkErr != nil || depth == 0 || n == nil || len(n.Symbols) == 0 {
			return
		}
		t, err := ParseSpec(n.Symbols)
		if err != nil {
			walkErr = fmt.Errorf("Node '%s': %v", e.Path(), err)
			return
		}
		jobs = append(jobs, job{e, t})
	})
	if walkErr != nil {
		return walkErr
	}
	for _, j := range jobs {
		if err := w.patch(img, j.e, j.t); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) patch(img *layout.Image, e layout.Entry, t Target) error {
	if w.cache == nil {
		w.cache = map[string][]Symbol{}
		w.warned = map[string]bool{}
	}
	syms, ok := w.cache[t.ELF]
	if !ok {
		var err error
		syms, err = ReadSymbolsFile(t.ELF)
		if err != nil {
			return fmt.Errorf("Node '%s': cannot read symbols: %v", e.Path(), err)
		}
		w.cache[t.ELF] = syms
	}
	size, err := contentsSize(e)
	if err != nil {
		return err
	}
	patches, err := Resolve(img, e, size, syms, t, w.warn)
	if err != nil {
		return err
	}
	for _, p := range patches {
		if err := e.SetPatch(p.Offset, p.Data); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) warn(msg string) {
	if w.Warn == nil || w.warned[msg] {
		return
	}
	w.warned[msg] = true
	fmt.Fprintln(w.Warn, msg)
}

// contentsSize is the size of the entry's contents before padding.
func contentsSize(e layout.Entry) (uint64, error) { return e.ContentsSize(), nil }
