package fit

import (
	"crypto/rsa"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Options are mkimage's FIT flags.
type Options struct {
	// Timestamp is written to the root "timestamp" property and to each
	// signature node (mkimage uses SOURCE_DATE_EPOCH; callers pass it or 0).
	Timestamp uint32
	// KeepTimestamp leaves the root timestamp alone, as mkimage -F (re-sign
	// an existing FIT) does without -t.
	KeepTimestamp bool
	// Keys signs signature-* nodes when set (mkimage -k DIR / -G FILE).
	Keys KeySource
	// KeyDest, when set, is the U-Boot control DTB that receives the public
	// keys (mkimage -K); Process returns the updated blob.
	KeyDest []byte
	// RequireKeys marks written keys "required" (mkimage -r).
	RequireKeys bool
	// Comment is written to signature nodes (mkimage -c).
	Comment string
	// AlgoName overrides every signature node's algo (mkimage -o).
	AlgoName string
	// External moves image data behind the FDT (mkimage -E).
	External bool
	// Align is the external data alignment (mkimage -B); 0 means 4.
	Align int
	// Position places the external data at this absolute file offset and
	// writes data-position instead of data-offset (mkimage -p).
	Position int
	// SignerName and SignerVersion go into signature nodes; mkimage writes
	// "mkimage" and its U-Boot version. Empty means those defaults.
	SignerName, SignerVersion string
}

// DefaultSignerVersion is the U-Boot version whose mkimage output we match.
const DefaultSignerVersion = "2023.01"

// KeySource finds the keys a signature node names with key-name-hint.
type KeySource interface {
	PrivateKey(name string) (*rsa.PrivateKey, error)
	PublicKey(name string) (*rsa.PublicKey, error)
}

// KeyDir is mkimage's -k: NAME.key is the private key; the public key comes
// from NAME.crt when present (as mkimage requires) or else from NAME.key.
// When File is set (mkimage -G) it is the private key for every name.
type KeyDir struct {
	Dir  string
	File string
}

func (k KeyDir) PrivateKey(name string) (*rsa.PrivateKey, error) {
	if k.File != "" {
		return LoadPrivateKey(k.File)
	}
	return LoadPrivateKey(filepath.Join(k.Dir, name+".key"))
}

func (k KeyDir) PublicKey(name string) (*rsa.PublicKey, error) {
	if k.Dir != "" {
		crt := filepath.Join(k.Dir, name+".crt")
		if _, err := os.Stat(crt); err == nil {
			return LoadPublicKey(crt)
		}
	}
	priv, err := k.PrivateKey(name)
	if err != nil {
		return nil, err
	}
	return &priv.PublicKey, nil
}

// KeyFiles maps key names to private key PEM files (keys passed as
// individual files, e.g. Bazel labels, rather than a directory). The public
// key is derived from the private one.
type KeyFiles map[string]string

func (k KeyFiles) PrivateKey(name string) (*rsa.PrivateKey, error) {
	path, ok := k[name]
	if !ok {
		return nil, fmt.Errorf("no key file given for key name '%s'", name)
	}
	return LoadPrivateKey(path)
}

func (k KeyFiles) PublicKey(name string) (*rsa.PublicKey, error) {
	priv, err := k.PrivateKey(name)
	if err != nil {
		return nil, err
	}
	return &priv.PublicKey, nil
}

// Result is what Process produces.
type Result struct {
	FIT     []byte
	KeyDest []byte // the updated control DTB, when Options.KeyDest was set
}

// maxGrowth is where mkimage gives up growing the blob 1 KiB at a time.
const maxGrowth = 64 * 1024

// Headroom is the spare capacity (beyond its length) that lets
// ProcessBuffer edit an encoded FIT in place: the largest growth mkimage
// tries. Pass it as fdt.EncodeOptions.Spare.
const Headroom = maxGrowth

// Process turns a compiled .its (a DTB whose image nodes carry their data)
// into a FIT exactly as mkimage's fit_handle_file does: pack the blob, then
// retry adding the timestamp, hashes and signatures with 0, 1, 2... KiB of
// free space until everything fits, then optionally move the data out.
// compiled is not modified.
func Process(compiled []byte, opts Options) (*Result, error) {
	return process(compiled, false, opts)
}

// ProcessBuffer is Process for a caller that hands over buf: it may be
// edited in place and returned as (part of) Result.FIT, so a payload of
// tens of MiB is not copied again when buf has Headroom spare capacity.
// The caller must not use buf afterwards, nor the storage past its length
// up to its capacity.
func ProcessBuffer(buf []byte, opts Options) (*Result, error) {
	return process(buf, true, opts)
}

func process(compiled []byte, owned bool, opts Options) (*Result, error) {
	base, writable, err := importData(compiled, owned)
	if err != nil {
		return nil, err
	}
	if opts.KeyDest != nil {
		return processByAttempts(base, opts)
	}
	// Without a control DTB an attempt changes nothing but the FIT, and
	// what it does to the FIT does not depend on the free space: an
	// attempt with g bytes of growth fails exactly when the largest size
	// the blob reaches is above len(base)+g. So one attempt with the
	// largest growth, noting that high-water mark, gives mkimage's result
	// without a fresh copy of the payload per retry: the bytes up to the
	// smallest growth that fits are the same, only totalsize differs.
	largest := maxGrowth - 1024
	work := growZeroed(base, largest, writable)
	fit, err := openInto(work, len(work))
	if err != nil {
		return nil, err
	}
	fit.high = len(base)
	err = addVerificationData(fit, nil, &keyCache{src: opts.Keys}, &opts)
	if errors.Is(err, errNoSpace) {
		return nil, fmt.Errorf("FIT does not fit in %d KiB of extra space", maxGrowth/1024)
	}
	if err != nil {
		return nil, err
	}
	grow := alignUp(fit.high-len(base), 1024)
	file := work[:len(base)+grow]
	fit.b = file
	fit.put32(4, uint32(len(file)))
	return finish(fit, opts)
}

// growZeroed returns b extended by grow zero bytes, in b's own storage when
// that may be written and has room, else in a new buffer.
func growZeroed(b []byte, grow int, writable bool) []byte {
	n := len(b) + grow
	var out []byte
	if writable && cap(b) >= n {
		out = b[:n]
	} else {
		out = make([]byte, n, n)
		copy(out, b)
	}
	tail := out[len(b):]
	for i := range tail {
		tail[i] = 0
	}
	return out
}

// processByAttempts is mkimage's retry loop run attempt by attempt: a
// failed attempt leaves its edits in the control DTB, which mkimage grows
// again for the next one, so with opts.KeyDest every attempt must really be
// made. Each starts from base in one reused buffer. (Without KeyDest it
// gives what the single attempt in process does; the tests hold them to
// that.)
func processByAttempts(base []byte, opts Options) (*Result, error) {
	var dest []byte
	if opts.KeyDest != nil {
		dest = append([]byte(nil), opts.KeyDest...)
		d, err := newBlob(dest)
		if err == nil {
			err = d.checkStructure()
		}
		if err != nil {
			return nil, fmt.Errorf("control DTB: %v", err)
		}
	}
	keys := &keyCache{src: opts.Keys}
	work := make([]byte, len(base)+maxGrowth)
	for grow := 0; grow < maxGrowth; grow += 1024 {
		file := work[:len(base)+grow]
		copy(file, base)
		tail := file[len(base):]
		for i := range tail {
			tail[i] = 0
		}
		var fit *blob
		var err error
		if grow == 0 {
			fit, err = newBlob(file)
		} else {
			fit, err = openInto(file, len(file))
		}
		if err != nil {
			return nil, err
		}
		var destBlob *blob
		if dest != nil {
			// mkimage grows the control DTB on every attempt and never
			// restores it, so it keeps what earlier attempts wrote.
			dest = append(dest, make([]byte, grow)...)
			if grow == 0 {
				destBlob, err = newBlob(dest)
			} else {
				destBlob, err = openInto(dest, len(dest))
			}
			if err != nil {
				return nil, fmt.Errorf("control DTB: %v", err)
			}
		}
		err = addVerificationData(fit, destBlob, keys, &opts)
		if errors.Is(err, errNoSpace) {
			continue
		}
		if err != nil {
			return nil, err
		}
		res, err := finish(fit, opts)
		if err != nil {
			return nil, err
		}
		res.KeyDest = dest
		return res, nil
	}
	return nil, fmt.Errorf("FIT does not fit in %d KiB of extra space", maxGrowth/1024)
}

// finish checks the FIT as mkimage does and moves the data out for -E.
func finish(fit *blob, opts Options) (*Result, error) {
	if err := checkFormat(fit); err != nil {
		return nil, err
	}
	res := &Result{FIT: fit.b}
	if opts.External {
		var err error
		if res.FIT, err = extractData(fit.b, opts.Align, opts.Position); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// checkFormat is the part of U-Boot's fit_check_format that mkimage runs
// on its output and that a FIT can fail: a root description, and no unit
// addresses in node names (U-Boot refuses them because libfdt would let
// "kernel@1" stand in for "kernel").
func checkFormat(d *blob) error {
	if _, err := d.prop(0, "description"); err != nil {
		return fmt.Errorf("Node '/': no 'description' property; U-Boot rejects such a FIT")
	}
	var stack []string
	for off := 0; ; {
		tag, next, err := d.nextTag(off)
		if err != nil {
			return err
		}
		switch tag {
		case tagBeginNode:
			name := d.nodeName(off)
			stack = append(stack, name)
			if strings.Contains(name, "@") {
				return fmt.Errorf("Node '%s': unit addresses ('@') are not allowed in FIT node names", strings.Join(stack, "/"))
			}
		case tagEndNode:
			if len(stack) == 0 {
				return fmt.Errorf("structure block: unbalanced END_NODE at %#x", off)
			}
			stack = stack[:len(stack)-1]
		case tagEnd:
			return nil
		}
		off = next
	}
}

// importData is mkimage's fit_import_data: pull external data (data-offset
// relative to the 4-aligned end of the FDT) back into "data" properties and
// pack the blob, which also drops dtc's padding. writable reports that the
// result may be edited: a new buffer, or file itself when owned (the
// caller's to give away) and there was nothing to import. An unowned file
// that is already packed with nothing to import is returned unchanged.
func importData(file []byte, owned bool) (packed []byte, writable bool, err error) {
	old, err := newBlob(file)
	if err != nil {
		return nil, false, err
	}
	if err := old.checkStructure(); err != nil {
		return nil, false, err
	}
	hasExternal, err := hasExternalData(old)
	if err != nil {
		return nil, false, err
	}
	if !hasExternal && isPacked(old) {
		// What openInto and pack would do to it changes nothing.
		return old.b, owned, nil
	}
	if rsv, err := old.memRsvSize(); err == nil && !hasExternal && owned && !old.misordered(rsv) {
		// openInto has nothing to reorder and pack only moves the blocks
		// towards the start, so both can work in file itself: the same
		// bytes as in a bigger copy, without the copy.
		d, err := openInto(file, len(file))
		if err != nil {
			return nil, false, err
		}
		if err := d.pack(); err != nil {
			return nil, false, err
		}
		return d.b, true, nil
	}
	fitSize := old.totalSize()
	dataBase := align4(fitSize)
	// Room for the retries too, so Process need not copy the result again.
	buf := make([]byte, len(file)+16384, len(file)+16384+maxGrowth)
	copy(buf, file)
	d, err := openInto(buf, len(buf))
	if err != nil {
		return nil, false, err
	}
	images, err := d.pathOffset("/images")
	if err != nil {
		return nil, false, fmt.Errorf("Node '/images': missing")
	}
	kids, err := d.subnodes(images)
	if err != nil {
		return nil, false, err
	}
	for i := range kids {
		// Offsets move as data goes in; look the node up again each time.
		kids, err = d.subnodes(images)
		if err != nil {
			return nil, false, err
		}
		img := kids[i]
		off, okOff := propU32(d, img, "data-offset")
		size, okSize := propU32(d, img, "data-size")
		if !okOff || !okSize {
			continue
		}
		start := dataBase + int(off)
		if start+int(size) > len(file) || start < dataBase {
			return nil, false, fmt.Errorf("Node '/images/%s': data-offset %#x + data-size %#x beyond the %d-byte file", d.nodeName(img), off, size, len(file))
		}
		if err := d.setProp(img, "data", file[start:start+int(size)]); err != nil {
			return nil, false, fmt.Errorf("Node '/images/%s': cannot import external data: %v", d.nodeName(img), err)
		}
	}
	if err := d.pack(); err != nil {
		return nil, false, err
	}
	return d.b, true, nil
}

// hasExternalData reports whether an image node has both data-offset and
// data-size, the properties importData acts on.
func hasExternalData(d *blob) (bool, error) {
	images, err := d.pathOffset("/images")
	if err != nil {
		return false, fmt.Errorf("Node '/images': missing")
	}
	kids, err := d.subnodes(images)
	if err != nil {
		return false, err
	}
	for _, img := range kids {
		_, okOff := propU32(d, img, "data-offset")
		_, okSize := propU32(d, img, "data-size")
		if okOff && okSize {
			return true, nil
		}
	}
	return false, nil
}

// isPacked reports whether d is already what fdt_open_into followed by
// fdt_pack makes of it: version 17, the three blocks back to back after the
// header in order, totalsize ending at the strings block.
func isPacked(d *blob) bool {
	rsv, err := d.memRsvSize()
	if err != nil {
		return false
	}
	return d.version() == 17 &&
		d.offMemRsv() == fdtHeaderLen &&
		d.offStruct() == fdtHeaderLen+rsv &&
		d.offStrings() == d.offStruct()+d.sizeStruct() &&
		d.totalSize() == d.dataSize()
}

func propU32(d *blob, node int, name string) (uint32, bool) {
	p, err := d.prop(node, name)
	if err != nil || len(p.value) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(p.value), true
}

type keyCache struct {
	src  KeySource
	priv map[string]*rsa.PrivateKey
	pub  map[string]*rsa.PublicKey
}

func (c *keyCache) private(name string) (*rsa.PrivateKey, error) {
	if k, ok := c.priv[name]; ok {
		return k, nil
	}
	k, err := c.src.PrivateKey(name)
	if err != nil {
		return nil, err
	}
	if c.priv == nil {
		c.priv = map[string]*rsa.PrivateKey{}
	}
	c.priv[name] = k
	return k, nil
}

func (c *keyCache) public(name string) (*rsa.PublicKey, error) {
	if k, ok := c.pub[name]; ok {
		return k, nil
	}
	k, err := c.src.PublicKey(name)
	if err != nil {
		return nil, err
	}
	if c.pub == nil {
		c.pub = map[string]*rsa.PublicKey{}
	}
	c.pub[name] = k
	return k, nil
}

// addVerificationData is one attempt of mkimage's fit_add_file_data.
func addVerificationData(fit, dest *blob, keys *keyCache, opts *Options) error {
	if !opts.KeepTimestamp {
		if err := fit.setPropU32(0, "timestamp", opts.Timestamp); err != nil {
			return err
		}
	}
	images, err := fit.pathOffset("/images")
	if err != nil {
		return fmt.Errorf("Node '/images': missing")
	}
	n, err := fit.subnodes(images)
	if err != nil {
		return err
	}
	for i := 0; i < len(n); i++ {
		kids, err := fit.subnodes(images)
		if err != nil {
			return err
		}
		if err := imageVerificationData(fit, dest, kids[i], keys, opts); err != nil {
			return err
		}
	}
	if keys.src == nil {
		return nil
	}
	confs, err := fit.pathOffset("/configurations")
	if err != nil {
		return fmt.Errorf("Node '/configurations': missing")
	}
	confNodes, err := fit.subnodes(confs)
	if err != nil {
		return err
	}
	var confNames []string
	for _, c := range confNodes {
		confNames = append(confNames, fit.nodeName(c))
	}
	for _, confName := range confNames {
		conf, err := fit.pathOffset("/configurations/" + confName)
		if err != nil {
			return err
		}
		subs, err := fit.subnodes(conf)
		if err != nil {
			return err
		}
		var sigNames []string
		for _, s := range subs {
			if strings.HasPrefix(fit.nodeName(s), "signature") {
				sigNames = append(sigNames, fit.nodeName(s))
			}
		}
		for _, sigName := range sigNames {
			// Offsets move with every edit; resolve the nodes again.
			conf, err := fit.pathOffset("/configurations/" + confName)
			if err != nil {
				return err
			}
			sig, err := fit.subnode(conf, sigName)
			if err != nil {
				return err
			}
			if err := configSignature(fit, dest, conf, sig, keys, opts); err != nil {
				return err
			}
		}
	}
	return nil
}

// imageData returns an image's embedded data.
func imageData(fit *blob, img int) ([]byte, error) {
	p, err := fit.prop(img, "data")
	if err != nil {
		return nil, fmt.Errorf("Node '/images/%s': no 'data' property", fit.nodeName(img))
	}
	return p.value, nil
}

func hasKeyDir(k KeySource) bool {
	kd, ok := k.(KeyDir)
	return k != nil && (!ok || kd.Dir != "")
}

func imageVerificationData(fit, dest *blob, img int, keys *keyCache, opts *Options) error {
	name := fit.nodeName(img)
	// mkimage encrypts an image with a cipher node only when it has a key
	// directory (-k, not -G alone); without one the node is left as it is.
	if _, err := fit.subnode(img, "cipher"); err == nil && hasKeyDir(opts.Keys) {
		return fmt.Errorf("Node '/images/%s/cipher': image encryption is not supported", name)
	}
	subs, err := fit.subnodes(img)
	if err != nil {
		return err
	}
	for j := range subs {
		subs, err := fit.subnodes(img)
		if err != nil {
			return err
		}
		sub := subs[j]
		subName := fit.nodeName(sub)
		switch {
		case strings.HasPrefix(subName, "hash"):
			algo, ok := fit.propString(sub, "algo")
			if !ok {
				return fmt.Errorf("Node '/images/%s/%s': missing 'algo' property", name, subName)
			}
			data, err := imageData(fit, img)
			if err != nil {
				return err
			}
			v, err := Digest(algo, data)
			if err != nil {
				return fmt.Errorf("Node '/images/%s/%s': %v", name, subName, err)
			}
			if err := fit.setProp(sub, "value", v); err != nil {
				return err
			}
		case strings.HasPrefix(subName, "signature") && keys.src != nil:
			data, err := imageData(fit, img)
			if err != nil {
				return err
			}
			digest := func(a SigAlgo) []byte {
				h := checksumHashes.Get()[a.Checksum].New()
				h.Write(data)
				return h.Sum(nil)
			}
			if err := sign(fit, dest, sub, "/images/"+name+"/"+subName, "image", digest, nil, keys, opts); err != nil {
				return err
			}
		}
	}
	return nil
}

func configSignature(fit, dest *blob, conf, sig int, keys *keyCache, opts *Options) error {
	nodes, err := fit.configHashNodes(conf, sig)
	if err != nil {
		return err
	}
	regions, err := fit.findRegions(nodes, excludedProps, true)
	if err != nil {
		return err
	}
	path := "/configurations/" + fit.nodeName(conf) + "/" + fit.nodeName(sig)
	digest := func(a SigAlgo) []byte { return regionDigest(a, fit.b, regions) }
	return sign(fit, dest, sig, path, "conf", digest, nodes, keys, opts)
}

// sign signs what digest hashes (computed before any edit) and writes the
// signature node properties, then the public key into dest.
func sign(fit, dest *blob, sig int, path, required string, digestOf func(SigAlgo) []byte, hashedNodes []string, keys *keyCache, opts *Options) error {
	algoName := opts.AlgoName
	if algoName == "" {
		var ok bool
		if algoName, ok = fit.propString(sig, "algo"); !ok {
			return fmt.Errorf("Node '%s': missing 'algo' property", path)
		}
	}
	algo, err := ParseSigAlgo(algoName)
	if err != nil {
		return fmt.Errorf("Node '%s': %v", path, err)
	}
	padding, _ := fit.propString(sig, "padding")
	keyName, ok := fit.propString(sig, "key-name-hint")
	if !ok {
		return fmt.Errorf("Node '%s': missing 'key-name-hint' property", path)
	}
	priv, err := keys.private(keyName)
	if err != nil {
		return fmt.Errorf("Node '%s': key '%s': %v", path, keyName, err)
	}
	value, err := Sign(priv, algo, padding, digestOf(algo))
	if err != nil {
		return fmt.Errorf("Node '%s': key '%s': %v", path, keyName, err)
	}
	stringsSize := fit.sizeStrings()
	signerName, signerVersion := opts.SignerName, opts.SignerVersion
	if signerName == "" {
		signerName = "mkimage"
	}
	if signerVersion == "" {
		signerVersion = DefaultSignerVersion
	}
	steps := []func() error{
		func() error { return fit.setProp(sig, "value", value) },
		func() error { return fit.setPropString(sig, "signer-name", signerName) },
		func() error { return fit.setPropString(sig, "signer-version", signerVersion) },
	}
	if opts.Comment != "" {
		steps = append(steps, func() error { return fit.setPropString(sig, "comment", opts.Comment) })
	}
	steps = append(steps, func() error { return fit.setPropU32(sig, "timestamp", opts.Timestamp) })
	if hashedNodes != nil {
		steps = append(steps,
			func() error { return fit.setProp(sig, "hashed-nodes", stringsValue(hashedNodes)) },
			func() error {
				var v [8]byte
				binary.BigEndian.PutUint32(v[4:], uint32(stringsSize))
				return fit.setProp(sig, "hashed-strings", v[:])
			})
	}
	if opts.AlgoName != "" {
		steps = append(steps, func() error { return fit.setPropString(sig, "algo", opts.AlgoName) })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	if dest == nil {
		return nil
	}
	pub, err := keys.public(keyName)
	if err != nil {
		return fmt.Errorf("Node '%s': public key '%s': %v", path, keyName, err)
	}
	req := ""
	if opts.RequireKeys {
		req = required
	}
	return writeKey(dest, keyName, algo.Name, req, pub)
}

func stringsValue(ss []string) []byte {
	var b []byte
	for _, s := range ss {
		b = append(b, s...)
		b = append(b, 0)
	}
	return b
}

// writeKey adds /signature/key-NAME to a control DTB in mkimage's order.
func writeKey(dest *blob, name, algo, required string, pub *rsa.PublicKey) error {
	parent, err := dest.subnode(0, "signature")
	if err == errNotFound {
		parent, err = dest.addSubnode(0, "signature")
	}
	if err != nil {
		return err
	}
	node, err := dest.subnode(parent, "key-"+name)
	if err == errNotFound {
		node, err = dest.addSubnode(parent, "key-"+name)
	}
	if err != nil {
		return err
	}
	// Each edit can move nodes; find the key node again before the next.
	reload := func() error {
		p, err := dest.subnode(0, "signature")
		if err != nil {
			return err
		}
		node, err = dest.subnode(p, "key-"+name)
		return err
	}
	kp := KeyProps(pub)
	var exp [8]byte
	binary.BigEndian.PutUint64(exp[:], kp.Exponent)
	steps := []func() error{
		func() error { return dest.setPropString(node, "key-name-hint", name) },
		func() error { return dest.setPropU32(node, "rsa,num-bits", kp.NumBits) },
		func() error { return dest.setPropU32(node, "rsa,n0-inverse", kp.N0Inverse) },
		func() error { return dest.setProp(node, "rsa,exponent", exp[:]) },
		func() error { return dest.setProp(node, "rsa,modulus", kp.Modulus) },
		func() error { return dest.setProp(node, "rsa,r-squared", kp.RSquared) },
		func() error { return dest.setPropString(node, "algo", algo) },
	}
	if required != "" {
		steps = append(steps, func() error { return dest.setPropString(node, "required", required) })
	}
	for _, step := range steps {
		if err := reload(); err != nil {
			return err
		}
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// extractData is mkimage's fit_extract_data: move each image's data behind
// the FDT. file is the whole output buffer, including any stale bytes past
// the blob, which mkimage keeps when it rounds the packed size up. file's
// storage is reused for the result when it has room (Process owns it).
func extractData(file []byte, align, position int) ([]byte, error) {
	if align <= 0 {
		align = 4
	}
	d, err := newBlob(file)
	if err != nil {
		return nil, err
	}
	images, err := d.pathOffset("/images")
	if err != nil {
		return nil, fmt.Errorf("Node '/images': missing")
	}
	kids, err := d.subnodes(images)
	if err != nil {
		return nil, err
	}
	// Size the external data first so it is gathered with one allocation.
	extSize := 0
	for _, img := range kids {
		if p, err := d.prop(img, "data"); err == nil {
			extSize += alignUp(len(p.value), align)
		}
	}
	ext := make([]byte, 0, extSize)
	for i := range kids {
		kids, err = d.subnodes(images)
		if err != nil {
			return nil, err
		}
		img := kids[i]
		p, err := d.prop(img, "data")
		if err != nil {
			continue
		}
		at := len(ext)
		ext = append(ext, p.value...)
		// Each piece is padded by its own length, as mkimage does; the
		// capacity is already zero.
		ext = ext[:at+alignUp(len(p.value), align)]
		if err := d.delProp(img, "data"); err != nil {
			return nil, err
		}
		if position > 0 {
			err = d.setPropU32(img, "data-position", uint32(position+at))
		} else {
			err = d.setPropU32(img, "data-offset", uint32(at))
		}
		if err == nil {
			err = d.setPropU32(img, "data-size", uint32(len(p.value)))
		}
		if err != nil {
			// mkimage ignores these failures; deleting "data" always
			// leaves room, so this cannot happen with a valid blob.
			return nil, fmt.Errorf("Node '/images/%s': %v", d.nodeName(img), err)
		}
	}
	if err := d.pack(); err != nil {
		return nil, err
	}
	newSize := alignUp(d.totalSize(), align)
	extAt := newSize
	if position > 0 {
		if position < newSize {
			return nil, fmt.Errorf("External offset %#x overlaps FIT length %#x", position, newSize)
		}
		extAt = position
	}
	total := extAt + len(ext)
	var out []byte
	if cap(file) >= total {
		// pack moved the blob within file; stale bytes follow it up to
		// len(file), zeros after that, as in mkimage's file.
		out = file[:total]
		for i := len(file); i < extAt; i++ {
			out[i] = 0
		}
		for i := newSize; i < extAt && i < len(file); i++ {
			out[i] = 0
		}
	} else {
		out = make([]byte, total)
		copy(out[:newSize], file)
	}
	binary.BigEndian.PutUint32(out[4:], uint32(newSize))
	copy(out[extAt:], ext)
	return out, nil
}

// alignUp is U-Boot's ALIGN macro, ((n + a-1) & ~(a-1)), which is only a
// rounding for powers of two; mkimage -B does not check, so neither do we.
func alignUp(n, a int) int { return (n + a - 1) &^ (a - 1) }
