// Package rauc writes signed RAUC update bundles: a squashfs holding the
// manifest and the slot images, then either (format "plain") a detached
// CMS signature over the squashfs, or (format "verity") the squashfs's
// dm-verity hash tree and a CMS signature that encapsulates the manifest,
// which records the tree's root hash. Both end with the signature's size as
// a big-endian 64-bit number, as RAUC reads them.
//
// Signing uses github.com/smallstep/pkcs7 without signed attributes (no
// signing time), so the same inputs give the same bundle bytes.
package rauc

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fstree"
	"github.com/rules-firmware/rules_firmware/tools/squashfs"
	"github.com/rules-firmware/rules_firmware/tools/verity"
	"github.com/smallstep/pkcs7"
)

// Image is one slot image in the bundle.
type Image struct {
	Slot   string // slot class, e.g. "rootfs" -> [image.rootfs]
	Source string // host path of the image file
	Name   string // file name in the bundle (default: the source's base name)
}

// Options describe a bundle.
type Options struct {
	Compatible  string
	Version     string
	Description string
	Build       string
	Format      string // "plain" or "verity"
	Images      []Image
	Cert        *x509.Certificate
	Key         crypto.PrivateKey
	Chain       []*x509.Certificate // intermediates to include
	TempDir     string              // where the manifest file is staged
}

// Build writes the bundle to w.
func Build(w io.Writer, o Options) error {
	if o.Format != "plain" && o.Format != "verity" {
		return fmt.Errorf("format %q: one of plain, verity", o.Format)
	}
	if o.Compatible == "" {
		return errors.New("compatible: required (RAUC installs only bundles whose compatible matches the system's)")
	}
	if len(o.Images) == 0 {
		return errors.New("images: at least one slot image is required")
	}
	if o.Cert == nil || o.Key == nil {
		return errors.New("signing certificate and key are required")
	}
	m, err := manifestBase(o)
	if err != nil {
		return err
	}
	if o.Format == "plain" {
		return buildPlain(w, o, m)
	}
	return buildVerity(w, o, m)
}

// manifestBase is the manifest without the [bundle] verity keys.
type manifest struct {
	update, images string
}

func manifestBase(o Options) (manifest, error) {
	var m manifest
	var u strings.Builder
	fmt.Fprintf(&u, "[update]\ncompatible=%s\n", o.Compatible)
	for _, kv := range [][2]string{{"version", o.Version}, {"description", o.Description}, {"build", o.Build}} {
		if kv[1] != "" {
			fmt.Fprintf(&u, "%s=%s\n", kv[0], kv[1])
		}
	}
	m.update = u.String()
	seen := map[string]bool{}
	var im strings.Builder
	for _, i := range o.Images {
		name := i.Name
		if name == "" {
			name = filepath.Base(i.Source)
		}
		if i.Slot == "" || strings.ContainsAny(i.Slot, "[]\n=") {
			return m, fmt.Errorf("image %s: slot class %q is not a valid manifest section name", i.Source, i.Slot)
		}
		if seen[i.Slot] || seen["file:"+name] || name == "manifest.raucm" || strings.Contains(name, "/") {
			return m, fmt.Errorf("image %s: slot %q or file name %q given twice or reserved", i.Source, i.Slot, name)
		}
		seen[i.Slot], seen["file:"+name] = true, true
		sum, size, err := hashFile(i.Source)
		if err != nil {
			return m, err
		}
		fmt.Fprintf(&im, "\n[image.%s]\nfilename=%s\nsize=%d\nsha256=%s\n", i.Slot, name, size, sum)
	}
	m.images = im.String()
	return m, nil
}

func (m manifest) text(bundle string) string {
	return m.update + "\n[bundle]\n" + bundle + m.images
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("%s: %v", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// payload is the squashfs of the manifest (plain format only) and images.
func payload(o Options, manifestText string) ([]byte, error) {
	var entries []fstree.Entry
	if manifestText != "" {
		dir, err := os.MkdirTemp(o.TempDir, "rauc-manifest-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		p := filepath.Join(dir, "manifest.raucm")
		if err := os.WriteFile(p, []byte(manifestText), 0o644); err != nil {
			return nil, err
		}
		entries = append(entries, fstree.Entry{Path: "manifest.raucm", Kind: fstree.File, Source: p})
	}
	for _, i := range o.Images {
		name := i.Name
		if name == "" {
			name = filepath.Base(i.Source)
		}
		entries = append(entries, fstree.Entry{Path: name, Kind: fstree.File, Source: i.Source})
	}
	sort.Slice(entries, func(a, b int) bool { return entries[a].Path < entries[b].Path })
	root, err := fstree.Build(entries)
	if err != nil {
		return nil, err
	}
	if err := fstree.Stat(root); err != nil {
		return nil, err
	}
	var out memFile
	if err := squashfs.Build(&out, root, squashfs.Options{}); err != nil {
		return nil, err
	}
	return out.b, nil
}

func sign(o Options, content []byte, detached bool) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.SignWithoutAttr(o.Cert, o.Key, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("CMS signature: %v", err)
	}
	for _, c := range o.Chain {
		sd.AddCertificate(c)
	}
	if detached {
		sd.Detach()
	}
	return sd.Finish()
}

func writeAll(w io.Writer, parts ...[]byte) error {
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

func sizeTrailer(sig []byte) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(len(sig)))
	return b
}

func buildPlain(w io.Writer, o Options, m manifest) error {
	sq, err := payload(o, m.text("format=plain\n"))
	if err != nil {
		return err
	}
	sig, err := sign(o, sq, true)
	if err != nil {
		return err
	}
	return writeAll(w, sq, sig, sizeTrailer(sig))
}

func buildVerity(w io.Writer, o Options, m manifest) error {
	sq, err := payload(o, "")
	if err != nil {
		return err
	}
	if pad := len(sq) % verity.BlockSize; pad != 0 {
		sq = append(sq, make([]byte, verity.BlockSize-pad)...)
	}
	// RAUC draws a random salt; ours is derived from the payload so the
	// bundle is reproducible.
	salt := sha256.Sum256(append([]byte("rules_firmware rauc verity salt\x00"), sq...))
	tree, err := verity.Build(sq, salt[:])
	if err != nil {
		return err
	}
	text := m.text(fmt.Sprintf("format=verity\nverity-hash=%x\nverity-salt=%x\nverity-size=%d\n", tree.Root, tree.Salt, len(tree.Hashes)))
	sig, err := sign(o, []byte(text), false)
	if err != nil {
		return err
	}
	return writeAll(w, sq, tree.Hashes, sig, sizeTrailer(sig))
}

// LoadCertAndKey reads a PEM certificate (first CERTIFICATE block; later
// ones are the chain) and a PEM private key.
func LoadCertAndKey(certPath, keyPath string) (*x509.Certificate, []*x509.Certificate, crypto.PrivateKey, error) {
	data, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, nil, err
	}
	var certs []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: bad certificate: %v", certPath, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, nil, nil, fmt.Errorf("%s: no CERTIFICATE PEM block", certPath)
	}
	kd, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, nil, err
	}
	b, _ := pem.Decode(kd)
	if b == nil {
		return nil, nil, nil, fmt.Errorf("%s: no PEM block", keyPath)
	}
	var key crypto.PrivateKey
	switch b.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(b.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: bad private key", keyPath)
	}
	return certs[0], certs[1:], key, nil
}

// memFile is an in-memory squashfs.Output.
type memFile struct{ b []byte }

func (m *memFile) WriteAt(p []byte, off int64) (int, error) {
	if end := int(off) + len(p); end > len(m.b) {
		m.b = append(m.b, make([]byte, end-len(m.b))...)
	}
	return copy(m.b[off:], p), nil
}

func (m *memFile) Truncate(size int64) error {
	if int(size) <= len(m.b) {
		m.b = m.b[:size]
	} else {
		m.b = append(m.b, make([]byte, int(size)-len(m.b))...)
	}
	return nil
}
