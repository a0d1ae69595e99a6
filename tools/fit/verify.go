package fit

import (
	"bytes"
	"crypto/rsa"
	"encoding/binary"
	"fmt"
	"math/big"
	"strings"
)

// VerifyReport says what Verify checked.
type VerifyReport struct {
	Config     string
	Signatures []string // "signature-1 (sha256,rsa2048:dev)" per verified node
	Images     []string // images whose hashes matched
	// Unsigned lists images the configuration names that no verified
	// signature covers (not in its hashed-nodes): U-Boot still boots them
	// after checking their hashes, but their properties could have been
	// changed. Signatures cover only kernel and fdt unless "sign-images"
	// says otherwise.
	Unsigned []string
}

// controlKey is one /signature/key-* node of a U-Boot control DTB.
type controlKey struct {
	node     string
	name     string
	required string
	pub      *rsa.PublicKey
}

// readControlKeys reads every /signature/key-* node and checks that the
// derived Montgomery values match the modulus, since U-Boot's verifier
// uses them and would reject the key otherwise.
func readControlKeys(control []byte) ([]controlKey, error) {
	d, err := newBlob(control)
	if err != nil {
		return nil, fmt.Errorf("control DTB: %v", err)
	}
	sig, err := d.pathOffset("/signature")
	if err != nil {
		return nil, fmt.Errorf("control DTB: Node '/signature': missing, no public keys")
	}
	kids, err := d.subnodes(sig)
	if err != nil {
		return nil, fmt.Errorf("control DTB: %v", err)
	}
	var keys []controlKey
	for _, k := range kids {
		name := d.nodeName(k)
		if !strings.HasPrefix(name, "key-") {
			continue
		}
		path := "/signature/" + name
		bits, ok := propU32(d, k, "rsa,num-bits")
		if !ok || bits == 0 || bits%32 != 0 || bits > 16384 {
			return nil, fmt.Errorf("control DTB: Node '%s': bad or missing 'rsa,num-bits'", path)
		}
		mod, err := d.prop(k, "rsa,modulus")
		if err != nil || len(mod.value) != int(bits/8) {
			return nil, fmt.Errorf("control DTB: Node '%s': 'rsa,modulus' is not %d bytes", path, bits/8)
		}
		e := uint64(65537) // U-Boot's default when rsa,exponent is absent
		if p, err := d.prop(k, "rsa,exponent"); err == nil {
			if len(p.value) != 8 {
				return nil, fmt.Errorf("control DTB: Node '%s': 'rsa,exponent' is not 8 bytes", path)
			}
			e = binary.BigEndian.Uint64(p.value)
		}
		if e < 3 || e > 1<<31-1 {
			return nil, fmt.Errorf("control DTB: Node '%s': 'rsa,exponent' %d unsupported", path, e)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(mod.value), E: int(e)}
		if pub.N.BitLen() != int(bits) {
			return nil, fmt.Errorf("control DTB: Node '%s': modulus has %d bits, 'rsa,num-bits' says %d", path, pub.N.BitLen(), bits)
		}
		want := KeyProps(pub)
		if n0, ok := propU32(d, k, "rsa,n0-inverse"); !ok || n0 != want.N0Inverse {
			return nil, fmt.Errorf("control DTB: Node '%s': 'rsa,n0-inverse' missing or does not match the modulus", path)
		}
		if rr, err := d.prop(k, "rsa,r-squared"); err != nil || !bytes.Equal(rr.value, want.RSquared) {
			return nil, fmt.Errorf("control DTB: Node '%s': 'rsa,r-squared' missing or does not match the modulus", path)
		}
		req, _ := d.propString(k, "required")
		keys = append(keys, controlKey{node: name, name: strings.TrimPrefix(name, "key-"), required: req, pub: pub})
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("control DTB: Node '/signature': no key-* nodes")
	}
	return keys, nil
}

// Verify checks a signed FIT against the public keys in a U-Boot control
// DTB, the way U-Boot does before booting configuration conf (the default
// when empty): at least one of the configuration's signatures, and every
// signature made with a key marked required = "conf", must verify over the
// regions its hashed-nodes/hashed-strings describe; and every image the
// configuration names must match each of its hash nodes.
func Verify(file, control []byte, conf string) (*VerifyReport, error) {
	f, err := Parse(file)
	if err != nil {
		return nil, err
	}
	keys, err := readControlKeys(control)
	if err != nil {
		return nil, err
	}
	def, confs, err := f.Configs()
	if err != nil {
		return nil, err
	}
	if conf == "" {
		conf = def
	}
	if conf == "" {
		return nil, fmt.Errorf("Node '/configurations': no 'default' and no configuration selected")
	}
	var cfg *Config
	for i := range confs {
		if confs[i].Name == conf {
			cfg = &confs[i]
		}
	}
	if cfg == nil {
		return nil, fmt.Errorf("Node '/configurations/%s': not found", conf)
	}
	rep := &VerifyReport{Config: conf}
	confPath := "/configurations/" + conf
	confNode, err := f.d.pathOffset(confPath)
	if err != nil {
		return nil, err
	}
	subs, err := f.d.subnodes(confNode)
	if err != nil {
		return nil, err
	}
	verifiedBy := map[string]bool{}
	covered := map[string]bool{}
	var failures []string
	for _, s := range subs {
		name := f.d.nodeName(s)
		if !strings.HasPrefix(name, "signature") {
			continue
		}
		path := confPath + "/" + name
		h := f.readHash(s)
		var key *controlKey
		for i := range keys {
			if keys[i].name == h.KeyName {
				key = &keys[i]
			}
		}
		if key == nil {
			failures = append(failures, fmt.Sprintf("Node '%s': no key '%s' in the control DTB", path, h.KeyName))
			continue
		}
		if err := f.checkConfigSignature(s, conf, path, key.pub); err != nil {
			failures = append(failures, err.Error())
			continue
		}
		verifiedBy[key.name] = true
		if p, err := f.d.prop(s, "hashed-nodes"); err == nil {
			for _, n := range stringList(p.value) {
				covered[n] = true
			}
		}
		rep.Signatures = append(rep.Signatures, fmt.Sprintf("%s (%s:%s)", name, h.Algo, h.KeyName))
	}
	for _, k := range keys {
		if k.required == "conf" && !verifiedBy[k.name] {
			if len(failures) > 0 {
				return nil, fmt.Errorf("%s", failures[0])
			}
			return nil, fmt.Errorf("Node '%s': no signature verified with required key '%s'", confPath, k.name)
		}
	}
	if len(rep.Signatures) == 0 {
		if len(failures) > 0 {
			return nil, fmt.Errorf("%s", failures[0])
		}
		return nil, fmt.Errorf("Node '%s': no signature-* node", confPath)
	}
	images, err := f.Images()
	if err != nil {
		return nil, err
	}
	byName := map[string]Image{}
	for _, img := range images {
		byName[img.Name] = img
	}
	seen := map[string]bool{}
	for _, ref := range cfg.Props {
		for _, name := range ref.Images {
			img, ok := byName[name]
			if !ok {
				return nil, fmt.Errorf("Node '%s': '%s' names image '%s', which is not in /images", confPath, ref.Kind, name)
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			if err := f.checkImageHashes(img); err != nil {
				return nil, err
			}
			if err := f.checkImageSignatures(img, keys); err != nil {
				return nil, err
			}
			rep.Images = append(rep.Images, name)
			if !covered["/images/"+name] {
				rep.Unsigned = append(rep.Unsigned, name)
			}
		}
	}
	return rep, nil
}

func (f *FIT) checkImageHashes(img Image) error {
	path := "/images/" + img.Name
	if len(img.Hashes) == 0 {
		return fmt.Errorf("Node '%s': no hash-* node, the image cannot be checked", path)
	}
	data, err := f.Data(img)
	if err != nil {
		return err
	}
	for _, h := range img.Hashes {
		want, err := Digest(h.Algo, data)
		if err != nil {
			return fmt.Errorf("Node '%s/%s': %v", path, h.Node, err)
		}
		if !bytes.Equal(h.Value, want) {
			return fmt.Errorf("Node '%s/%s': %s value %x does not match the data (%x)", path, h.Node, h.Algo, h.Value, want)
		}
	}
	return nil
}

// checkImageSignatures verifies an image's own signature-* nodes (signed
// over its data) with the keys the control DTB has, and requires one per
// key marked required = "image", as U-Boot's
// fit_image_verify_required_sigs does.
func (f *FIT) checkImageSignatures(img Image, keys []controlKey) error {
	path := "/images/" + img.Name
	verified := map[string]bool{}
	for _, h := range img.Signatures {
		var key *controlKey
		for i := range keys {
			if keys[i].name == h.KeyName {
				key = &keys[i]
			}
		}
		if key == nil {
			continue // U-Boot ignores signatures by keys it does not hold
		}
		sigPath := path + "/" + h.Node
		algo, err := ParseSigAlgo(h.Algo)
		if err != nil {
			return fmt.Errorf("Node '%s': %v", sigPath, err)
		}
		if key.pub.N.BitLen() != algo.KeyBits {
			return fmt.Errorf("Node '%s': key '%s' has %d bits but algo is %s", sigPath, h.KeyName, key.pub.N.BitLen(), h.Algo)
		}
		data, err := f.Data(img)
		if err != nil {
			return err
		}
		hash := checksumHashes.Get()[algo.Checksum].New()
		hash.Write(data)
		if err := VerifySignature(key.pub, algo, h.Padding, hash.Sum(nil), h.Value); err != nil {
			return fmt.Errorf("Node '%s': signature does not verify with key '%s' (%v)", sigPath, h.KeyName, err)
		}
		verified[key.name] = true
	}
	for _, k := range keys {
		if k.required == "image" && !verified[k.name] {
			return fmt.Errorf("Node '%s': no signature verified with required key '%s'", path, k.name)
		}
	}
	return nil
}

// checkConfigSignature is U-Boot's fit_config_check_sig.
func (f *FIT) checkConfigSignature(sig int, conf, path string, pub *rsa.PublicKey) error {
	h := f.readHash(sig)
	algo, err := ParseSigAlgo(h.Algo)
	if err != nil {
		return fmt.Errorf("Node '%s': %v", path, err)
	}
	if pub.N.BitLen() != algo.KeyBits {
		return fmt.Errorf("Node '%s': key '%s' has %d bits but algo is %s", path, h.KeyName, pub.N.BitLen(), h.Algo)
	}
	if h.Value == nil {
		return fmt.Errorf("Node '%s': no 'value' property (unsigned)", path)
	}
	p, err := f.d.prop(sig, "hashed-nodes")
	if err != nil || len(p.value) == 0 || p.value[len(p.value)-1] != 0 {
		return fmt.Errorf("Node '%s': missing or unterminated 'hashed-nodes'", path)
	}
	nodes := stringList(p.value)
	found := false
	for _, n := range nodes {
		if n == "/configurations/"+conf {
			found = true
		}
	}
	if !found {
		return fmt.Errorf("Node '%s': 'hashed-nodes' does not include the configuration", path)
	}
	regions, err := f.d.findRegions(nodes, excludedProps, false)
	if err != nil {
		return fmt.Errorf("Node '%s': %v", path, err)
	}
	if hs, err := f.d.prop(sig, "hashed-strings"); err == nil {
		if len(hs.value) != 8 {
			return fmt.Errorf("Node '%s': 'hashed-strings' is not 8 bytes", path)
		}
		size := binary.BigEndian.Uint32(hs.value[4:])
		if uint64(size) > uint64(f.d.sizeStrings()) { // unsigned: a 32-bit int would go negative
			return fmt.Errorf("Node '%s': 'hashed-strings' size %#x beyond the %#x-byte strings block", path, size, f.d.sizeStrings())
		}
		regions = append(regions, Region{Offset: f.d.offStrings(), Size: int(size)})
	}
	digest := regionDigest(algo, f.d.b, regions)
	if err := VerifySignature(pub, algo, h.Padding, digest, h.Value); err != nil {
		return fmt.Errorf("Node '%s': signature does not verify with key '%s' (%v)", path, h.KeyName, err)
	}
	return nil
}
