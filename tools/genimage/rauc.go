package genimage

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/rauc"
)

// raucManifest is what tools/rauc can write of a genimage rauc manifest:
// [update] compatible/version/description/build, [bundle] format and one
// [image.SLOT] filename per slot. Anything else (hooks, handlers, meta
// sections, adaptive updates, encryption) is an error naming it, since
// the bundle would silently lack it.
func parseRaucManifest(text string, line int) (rauc.Options, error) {
	o := rauc.Options{Format: "plain"} // RAUC's default without [bundle] format
	slots := map[string]string{}       // slot -> filename
	var order []string
	section := ""
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		at := fmt.Sprintf("line %d: manifest line %d", line, i+1)
		if l == "" || l[0] == '#' || l[0] == ';' {
			continue
		}
		if strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]") {
			section = l[1 : len(l)-1]
			if section != "update" && section != "bundle" && !strings.HasPrefix(section, "image.") {
				return o, fmt.Errorf("%s: section [%s] is not supported (fwtool's bundles have [update], [bundle] format and [image.*] filename)", at, section)
			}
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			return o, fmt.Errorf("%s: %q is neither a [section] nor key=value", at, l)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		key := section + "." + k
		switch {
		case key == "update.compatible":
			o.Compatible = v
		case key == "update.version":
			o.Version = v
		case key == "update.description":
			o.Description = v
		case key == "update.build":
			o.Build = v
		case key == "bundle.format":
			o.Format = v
		case strings.HasPrefix(section, "image.") && k == "filename":
			slot := strings.TrimPrefix(section, "image.")
			if _, dup := slots[slot]; !dup {
				order = append(order, slot)
			}
			slots[slot] = v
		case section == "":
			return o, fmt.Errorf("%s: key '%s' outside a section", at, k)
		default:
			return o, fmt.Errorf("%s: [%s] key '%s' is not supported (fwtool's bundles have [update] compatible, version, description, build; [bundle] format; [image.*] filename)", at, section, k)
		}
	}
	if o.Compatible == "" {
		return o, fmt.Errorf("line %d: manifest: [update] compatible is missing", line)
	}
	if len(order) == 0 {
		return o, fmt.Errorf("line %d: manifest: no [image.*] section", line)
	}
	for _, s := range order {
		o.Images = append(o.Images, rauc.Image{Slot: s, Name: slots[s]})
	}
	return o, nil
}

// raucFile is a file the bundle holds: its name there and where it
// comes from, minus the first offset bytes.
type raucFile struct {
	target, image string
	offset        uint64
	line          int
}

func raucFiles(img disk.GenimageSection) ([]raucFile, error) {
	var out []raucFile
	for _, o := range img.TypeOptions {
		if o.Key == "files" {
			for _, v := range o.Values {
				out = append(out, raucFile{target: filepath.Base(v), image: v, line: o.Line})
			}
		}
	}
	for _, s := range img.TypeSections {
		if s.Name != "file" {
			return nil, fmt.Errorf("line %d: rauc section '%s' is not supported", s.Line, s.Name)
		}
		f := raucFile{target: s.Title, line: s.Line}
		for _, o := range s.Options {
			switch o.Key {
			case "image":
				f.image = o.Value()
			case "offset":
				v, err := disk.ParseSize(o.Value())
				if err != nil {
					return nil, fmt.Errorf("line %d: rauc file '%s': offset: %v", o.Line, s.Title, err)
				}
				f.offset = v
			default:
				return nil, fmt.Errorf("line %d: rauc file '%s': option '%s' is not supported", o.Line, s.Title, o.Key)
			}
		}
		if f.image == "" {
			return nil, fmt.Errorf("line %d: rauc file '%s' has no image", s.Line, s.Title)
		}
		out = append(out, f)
	}
	return out, nil
}

// buildRauc signs a bundle with tools/rauc from genimage's rauc section:
// the manifest text, the files it names, cert and key (files, not PKCS#11
// URIs), intermediates and a keyring the signer must chain to, as
// `rauc bundle --keyring` checks.
func buildRauc(b *build, img disk.GenimageSection, out string) error {
	if err := checkImageOptions(img); err != nil {
		return err
	}
	opts, err := typeOptions(img, "files", "key", "cert", "keyring", "intermediate", "manifest")
	if err != nil {
		return err
	}
	if o, ok := opts["extraargs"]; ok && strings.TrimSpace(o.Value()) != "" {
		return fmt.Errorf("line %d: extraargs %q: rauc bundle flags are not supported (fwtool runs no rauc)", o.Line, o.Value())
	}
	for _, k := range []string{"manifest", "cert", "key"} {
		if v, ok := opts[k]; !ok || v.Value() == "" {
			return fmt.Errorf("rauc option '%s' is missing", k)
		}
	}
	for _, k := range []string{"cert", "key", "keyring", "intermediate"} {
		for _, v := range opts[k].Values {
			if strings.HasPrefix(v, "pkcs11:") {
				return fmt.Errorf("line %d: %s %q: PKCS#11 URIs are not supported (give a PEM file)", opts[k].Line, k, v)
			}
		}
	}
	m := opts["manifest"]
	ro, err := parseRaucManifest(m.Value(), m.Line)
	if err != nil {
		return err
	}
	files, err := raucFiles(img)
	if err != nil {
		return err
	}
	byTarget := map[string]raucFile{}
	for _, f := range files {
		byTarget[f.target] = f
	}
	named := map[string]bool{}
	for i, im := range ro.Images {
		f, ok := byTarget[im.Name]
		if !ok {
			return fmt.Errorf("line %d: manifest [image.%s] filename=%s: no file or files entry of that name", m.Line, im.Slot, im.Name)
		}
		named[im.Name] = true
		if ro.Images[i].Source, err = raucSource(b, f, fmt.Sprintf("%s.%d", out, i)); err != nil {
			return err
		}
	}
	for _, f := range files {
		if !named[f.target] {
			return fmt.Errorf("line %d: file '%s' is named by no [image.*] filename (fwtool's bundles hold slot images only)", f.line, f.target)
		}
	}
	cert := opts["cert"]
	ro.Cert, ro.Chain, ro.Key, err = rauc.LoadCertAndKey(b.input(cert.Value()), b.input(opts["key"].Value()))
	if err != nil {
		return fmt.Errorf("line %d: cert/key: %v", cert.Line, err)
	}
	if o, ok := opts["intermediate"]; ok {
		for _, v := range o.Values {
			certs, err := pemCerts(b.input(v))
			if err != nil {
				return fmt.Errorf("line %d: intermediate: %v", o.Line, err)
			}
			ro.Chain = append(ro.Chain, certs...)
		}
	}
	if o, ok := opts["keyring"]; ok {
		if err := checkKeyring(ro.Cert, ro.Chain, b.input(o.Value())); err != nil {
			return fmt.Errorf("line %d: keyring: %v", o.Line, err)
		}
	}
	ro.TempDir = filepath.Dir(out)
	return writeFile(out, func(f *os.File) error { return rauc.Build(f, ro) })
}

// raucSource is the file behind a bundle entry: the image itself, or its
// tail past offset copied to tmp.
func raucSource(b *build, f raucFile, tmp string) (string, error) {
	src := b.input(f.image)
	if f.offset == 0 {
		return src, nil
	}
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("line %d: rauc file '%s': %v", f.line, f.target, err)
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return "", err
	}
	if uint64(st.Size()) < f.offset {
		return "", fmt.Errorf("line %d: rauc file '%s': offset %d is past the end of %s (%d bytes)", f.line, f.target, f.offset, src, st.Size())
	}
	err = writeFile(tmp, func(w *os.File) error {
		_, err := io.Copy(w, io.NewSectionReader(in, int64(f.offset), st.Size()-int64(f.offset)))
		return err
	})
	return tmp, err
}

func pemCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, data = pem.Decode(data)
		if blk == nil {
			break
		}
		if blk.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no CERTIFICATE PEM block", path)
	}
	return out, nil
}

// checkKeyring fails unless cert chains, through chain, to a certificate
// of the keyring, as RAUC checks a bundle it has just signed.
func checkKeyring(cert *x509.Certificate, chain []*x509.Certificate, keyring string) error {
	roots, err := pemCerts(keyring)
	if err != nil {
		return err
	}
	o := x509.VerifyOptions{Roots: x509.NewCertPool(), Intermediates: x509.NewCertPool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	for _, c := range roots {
		o.Roots.AddCert(c)
	}
	for _, c := range chain {
		o.Intermediates.AddCert(c)
	}
	// The signing time RAUC checks against is now; a hermetic build has
	// no clock, so the check is for the certificate's own validity start.
	o.CurrentTime = cert.NotBefore
	if _, err := cert.Verify(o); err != nil {
		return fmt.Errorf("the signing certificate %q does not chain to %s: %v", cert.Subject.CommonName, keyring, err)
	}
	return nil
}
