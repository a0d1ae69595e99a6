package layout

// binman's "_testing" entry type (binman's etype/_testing.py): an entry
// binman's own test descriptions use to exercise the packer — two bytes
// "aa", contents that change size after packing, contents that can be
// obtained only once, a request to place an entry that does not exist.
// No board uses it; it is here so binman's test descriptions build the
// way binman builds them.

func registerTesting() {
	entryTypes["_testing"] = func(n *Node, path string) (Entry, error) {
		return &Testing{spec: readTestingFlags(n.Props)}, nil
	}
}

// testingSpec is what the description's flags ask of a _testing entry.
// The flags are read from the node's properties as the description
// spells them (Node.Props): binman's own names, no manifest field.
type testingSpec struct {
	// update is what the entry does with its contents after each packing
	// pass: "grow" (3 bytes: one more pass; bad-update-contents),
	// "grow-each-pass" (one byte more every pass, so packing never
	// settles; with bad-update-contents-twice), "shrink" (1 byte, padded
	// back to 2 as binman does when entries may not shrink;
	// bad-shrink-contents), "" nothing.
	update string
	// contentsOnce (return-contents-once): contents can be obtained once
	// only, so extending the entry (extend-size), which obtains them
	// again, fails.
	contentsOnce bool
	// noContents (return-unknown-contents): never provides contents.
	noContents bool
	// invalidEntry (return-invalid-entry): asks its section to place an
	// entry named "invalid-entry" at offset 1, size 2 (binman's GetOffsets).
	invalidEntry bool
	// absent (set-to-absent): marks itself absent once it has its
	// contents (dropped from the image only if it is also optional).
	absent bool
}

func readTestingFlags(props []Prop) testingSpec {
	has := map[string]bool{}
	for _, p := range props {
		has[p.Name] = true
	}
	t := testingSpec{
		contentsOnce: has["return-contents-once"],
		noContents:   has["return-unknown-contents"],
		invalidEntry: has["return-invalid-entry"],
		absent:       has["set-to-absent"],
	}
	switch {
	case has["bad-update-contents"] && has["bad-update-contents-twice"]:
		t.update = "grow-each-pass"
	case has["bad-update-contents"]:
		t.update = "grow"
	case has["bad-shrink-contents"]:
		t.update = "shrink"
	}
	return t
}

// Testing is binman's _testing entry.
type Testing struct {
	leaf
	spec    testingSpec
	data    []byte
	obtains int
}

func (e *Testing) obtain() error {
	e.obtains++
	switch {
	case e.spec.noContents:
		return e.parent.errorf("Internal error: Could not complete processing of contents: remaining [%s]", e.path)
	case e.spec.contentsOnce && e.obtains > 1:
		// The only second request is extend-size's (binman's ExpandToLimit).
		return e.errorf("Cannot obtain contents when expanding entry")
	}
	e.data = []byte("aa")
	e.setContents(bytesContent(e.data))
	if e.spec.absent {
		e.absent = true
	}
	return nil
}

func (e *Testing) process() (bool, error) {
	var data []byte
	switch e.spec.update {
	case "grow":
		data = []byte("aaa")
	case "grow-each-pass":
		data = append(append([]byte(nil), e.data...), 'a')
	case "shrink":
		data = []byte("a")
	default:
		return true, nil
	}
	ok := e.updateContents(bytesContent(data))
	if uint64(len(data)) < e.contentsSize {
		data = append(data, make([]byte, e.contentsSize-uint64(len(data)))...)
	}
	e.data = data
	return ok, nil
}

// entryOffsets is binman's GetOffsets: the entry wants other entries of
// its section placed, each by name at an offset (from the section's
// skip-at-start) and size.
func (e *Testing) entryOffsets() []entryPlace {
	if !e.spec.invalidEntry {
		return nil
	}
	return []entryPlace{{name: "invalid-entry", offset: 1, size: 2}}
}
