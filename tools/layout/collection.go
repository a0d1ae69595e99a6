package layout

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fit"
)

func registerCollection() {
	entryTypes["collection"] = func(n *Node, path string) (Entry, error) {
		if len(n.Collection) == 0 {
			return nil, fmt.Errorf("Node '%s': Collection must have a 'content' property", path)
		}
		return &Collection{refs: n.Collection}, nil
	}
}

// Collection is binman's collection entry: the data of other entries of
// the same image (paths below the image, as Image.Find takes them),
// joined in order. It is obtained ahead of the entries it names when they
// come later, and taken again after packing, when sections are built and
// symbols written.
type Collection struct {
	leaf
	refs []string
}

func (e *Collection) gather(final bool) (content, error) {
	var out content
	for _, r := range e.refs {
		ref := e.image.Find(r)
		if ref == nil {
			return content{}, e.errorf("Cannot find entry '%s' for the collection", r)
		}
		data := ref.b().contents
		if s, ok := ref.(*Section); ok {
			if !final {
				if err := s.obtain(); err != nil {
					return content{}, err
				}
			}
			var err error
			if data, err = s.buildContents(final); err != nil {
				return content{}, err
			}
		} else if !final && ref.b().contents.size == 0 {
			if err := ref.obtain(); err != nil {
				return content{}, err
			}
			data = ref.b().contents
		}
		out.add(out.size, data)
	}
	return out, nil
}

func (e *Collection) obtain() error {
	c, err := e.gather(false)
	if err != nil {
		return err
	}
	e.setContents(c)
	return nil
}

func (e *Collection) process() (bool, error) {
	c, err := e.gather(true)
	if err != nil {
		return false, err
	}
	return e.updateContents(c), nil
}

func registerCollection2() { entryTypes["pre-load"] = newPreLoad }

// PreLoad is binman's pre-load entry: a header of header-size bytes that
// signs a collection of entries (U-Boot's "UBSH" pre-load check). The
// header is magic, version, header size, image size, the offset of the
// image signature, three zero words and the SHA-256 of that signature
// (64 bytes, big-endian), then the header's signature, then the image's,
// zero-padded. Its settings are binman's properties on the node; the key
// is the PEM file Path names. PKCS#1 v1.5 signatures are deterministic
// (binman's bytes); PSS gets a salt derived from the key and digest (valid,
// reproducible, unlike binman's random salt).
type PreLoad struct {
	Collection
	hash                crypto.Hash
	keyBytes            int
	keyPath, keyName    string
	padding             string
	headerSize, version uint32
}

// preLoadHash is the hash a pre-load algo names (its part before the comma).
func preLoadHash(name string) (crypto.Hash, bool) {
	switch name {
	case "sha256":
		return crypto.SHA256, true
	case "sha384":
		return crypto.SHA384, true
	case "sha512":
		return crypto.SHA512, true
	}
	return 0, false
}

// preLoadKeyBytes is the signature size of a pre-load key type.
func preLoadKeyBytes(name string) (int, bool) {
	switch name {
	case "rsa1024":
		return 128, true
	case "rsa2048":
		return 256, true
	case "rsa4096":
		return 512, true
	}
	return 0, false
}

func newPreLoad(n *Node, path string) (Entry, error) {
	if len(n.Collection) == 0 {
		return nil, fmt.Errorf("Node '%s': Collection must have a 'content' property", path)
	}
	props := map[string][]byte{}
	for _, p := range n.Props {
		props[p.Name] = p.Value
	}
	var missing []string
	for _, name := range []string{"algo-name", "key-name", "header-size", "version"} {
		if _, ok := props[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("Node '%s': 'pre-load' entry is missing properties: %s", path, strings.Join(missing, " "))
	}
	str := func(name string) string { return strings.TrimSuffix(string(props[name]), "\x00") }
	u32 := func(name string) (uint32, error) {
		if v := props[name]; len(v) == 4 {
			return binary.BigEndian.Uint32(v), nil
		}
		return 0, fmt.Errorf("Node '%s': property '%s' has length %d, expected 4", path, name, len(props[name]))
	}
	algo := strings.Split(str("algo-name"), ",")
	if len(algo) != 2 {
		return nil, fmt.Errorf("Node '%s': algo-name '%s' is not \"<hash>,<rsa>\"", path, str("algo-name"))
	}
	e := &PreLoad{Collection: Collection{refs: n.Collection}, keyPath: n.Path, keyName: str("key-name"), padding: fit.PaddingPKCS15}
	var ok bool
	if e.hash, ok = preLoadHash(algo[0]); !ok {
		return nil, fmt.Errorf("Node '%s': %s is not supported", path, algo[0])
	}
	if e.keyBytes, ok = preLoadKeyBytes(algo[1]); !ok {
		return nil, fmt.Errorf("Node '%s': %s is not supported", path, algo[1])
	}
	if _, ok := props["padding-name"]; ok {
		e.padding = str("padding-name")
	}
	var err error
	if e.headerSize, err = u32("header-size"); err != nil {
		return nil, err
	}
	if e.version, err = u32("version"); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *PreLoad) obtain() error {
	e.setContents(bytesContent(make([]byte, e.headerSize)))
	return nil
}

func (e *PreLoad) process() (bool, error) {
	c, err := e.gather(true)
	if err != nil {
		return false, err
	}
	image, err := c.render()
	if err != nil {
		return false, err
	}
	hdr, err := e.header(image)
	if err != nil {
		return false, err
	}
	return e.updateContents(bytesContent(hdr)), nil
}

// header signs image as binman's Entry_pre_load._CreateHeader does, with
// its checks in its order.
func (e *PreLoad) header(image []byte) ([]byte, error) {
	if _, err := os.Stat(e.keyPath); os.IsNotExist(err) {
		// binman's (Python's) words.
		return nil, fmt.Errorf("[Errno 2] No such file or directory: '%s'", e.keyPath)
	}
	key, err := fit.LoadPrivateKey(e.keyPath)
	if err != nil {
		return nil, e.errorf("%v", err)
	}
	if (key.N.BitLen()+7)/8 != e.keyBytes {
		return nil, e.errorf("The key %s don't have the expected size", e.keyName)
	}
	if e.padding != fit.PaddingPKCS15 && e.padding != fit.PaddingPSS {
		return nil, e.errorf("%s is not supported", e.padding)
	}
	sign := func(data []byte) ([]byte, error) {
		h := e.hash.New()
		h.Write(data)
		if e.padding == fit.PaddingPKCS15 {
			return rsa.SignPKCS1v15(nil, key, e.hash, h.Sum(nil))
		}
		algo := fit.SigAlgo{Checksum: strings.ToLower(strings.ReplaceAll(e.hash.String(), "-", "")), KeyBits: key.N.BitLen()}
		return fit.Sign(key, algo, fit.PaddingPSS, h.Sum(nil))
	}
	sig, err := sign(image)
	if err != nil {
		return nil, e.errorf("%v", err)
	}
	var first bytes.Buffer
	first.WriteString("UBSH")
	for _, v := range []uint32{e.version, e.headerSize, uint32(len(image)), uint32(64 + len(sig)), 0, 0, 0} {
		binary.Write(&first, binary.BigEndian, v)
	}
	sigHash := sha256.Sum256(sig)
	first.Write(sigHash[:])
	firstSig, err := sign(first.Bytes())
	if err != nil {
		return nil, e.errorf("%v", err)
	}
	out := append(append(first.Bytes(), firstSig...), sig...)
	if len(out) > int(e.headerSize) {
		return nil, e.errorf("header-size %#x is smaller than the header and its signatures (%#x bytes)", e.headerSize, len(out))
	}
	return append(out, make([]byte, int(e.headerSize)-len(out))...), nil
}
