package genimage

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// writeCA writes in/signing-ca/{ca.cert,signing.cert,signing.key}.pem:
// a CA and a signer it issued, as genimage's test/signing-ca holds.
func writeCA(t *testing.T, tr *tree, dir string) {
	t.Helper()
	os.MkdirAll(tr.path(dir), 0o755)
	mk := func(cn string, ca bool, parent *x509.Certificate, parentKey *rsa.PrivateKey) (*x509.Certificate, *rsa.PrivateKey) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: ca}
		if parent == nil {
			parent, parentKey = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c, key
	}
	ca, caKey := mk("ca", true, nil, nil)
	signer, key := mk("signer", false, ca, caKey)
	put := func(name, typ string, der []byte) {
		os.WriteFile(tr.path(dir+"/"+name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644)
	}
	put("ca.cert.pem", "CERTIFICATE", ca.Raw)
	put("signing.cert.pem", "CERTIFICATE", signer.Raw)
	put("signing.key.pem", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key))
}

// genimage's test/rauc.config, first image (genimage 16 has no file
// offset option, so the second is built only by us).
const raucCfg = `image test.raucb {
	rauc {
		file content { image = "rauc.content" }
		manifest = "
			[update]
			compatible=genimage-test
			version=42
			build=23
			description='genimage rauc test'

			[image.rootfs]
			filename=content
			"
		cert = "signing-ca/signing.cert.pem"
		key = "signing-ca/signing.key.pem"
		keyring = "signing-ca/ca.cert.pem"
	}
}
`

const raucOffsetCfg = `image test2.raucb {
	rauc {
		file data { image = "rauc2.content" offset = 1 }
		manifest = "
			[update]
			compatible=genimage-test
			[bundle]
			format=verity
			[image.rootfs]
			filename=data
			"
		cert = "signing-ca/signing.cert.pem"
		key = "signing-ca/signing.key.pem"
	}
}
`

func raucInfo(t *testing.T, tr *tree, bundle string) string {
	t.Helper()
	out, err := exec.Command("rauc", "info", "--keyring", tr.path("in/signing-ca/ca.cert.pem"), bundle).Output()
	if err != nil {
		t.Fatalf("rauc info %s: %v\n%s", bundle, err, out)
	}
	return string(out)
}

// Debian's rauc reads our bundle exactly as genimage 16 + rauc bundle's
// (rauc info: manifest, image checksum and size, certificate chain);
// a file offset skips the image's first bytes.
func TestRaucMatchesGenimage(t *testing.T) {
	content := strings.Repeat("rootfs", 20000)
	tr := newTree(t, map[string]string{"in/rauc.content": content, "in/rauc2.content": "Xsecond"})
	writeCA(t, tr, "in/signing-ca")
	tr.ref(raucCfg)
	if err := tr.ours(raucCfg+raucOffsetCfg, nil); err != nil {
		t.Fatal(err)
	}
	ours, ref := raucInfo(t, tr, tr.path("out/test.raucb")), raucInfo(t, tr, tr.path("ref/test.raucb"))
	if ours != ref {
		t.Fatalf("rauc info of ours:\n%s\ngenimage's:\n%s", ours, ref)
	}
	if want := fmt.Sprintf("%x", sha256.Sum256([]byte(content))); !strings.Contains(ours, want) {
		t.Errorf("rauc info lacks the content's sha256 %s", want)
	}
	info := raucInfo(t, tr, tr.path("out/test2.raucb"))
	for _, want := range []string{fmt.Sprintf("%x", sha256.Sum256([]byte("second"))), "Size:      6", "Bundle Format: \tverity"} {
		if !strings.Contains(info, want) {
			t.Errorf("test2.raucb: rauc info lacks %q:\n%s", want, info)
		}
	}
}

// What tools/rauc cannot put in a bundle is an error naming it.
func TestRaucErrors(t *testing.T) {
	base := strings.Replace(raucCfg, "keyring = \"signing-ca/ca.cert.pem\"", "", 1)
	for name, c := range map[string]struct{ old, new, want string }{
		"hooks section":  {"[image.rootfs]", "[hooks]\n\t\t\tfilename=x\n\t\t\t[image.rootfs]", "[hooks]"},
		"image hooks":    {"filename=content", "filename=content\n\t\t\thooks=install", "'hooks'"},
		"unnamed file":   {"file content", "file extra { image = \"rauc.content\" }\n\t\tfile content", "'extra'"},
		"missing file":   {"filename=content", "filename=other", "filename=other"},
		"no compatible":  {"compatible=genimage-test", "", "compatible"},
		"no cert":        {"cert = \"signing-ca/signing.cert.pem\"", "", "'cert'"},
		"pkcs11":         {"key = \"signing-ca/signing.key.pem\"", "key = \"pkcs11:token=x\"", "PKCS#11"},
		"extraargs":      {"manifest =", "extraargs = \"--mksquashfs-args=-comp xz\"\n\t\tmanifest =", "extraargs"},
		"wrong keyring":  {"manifest =", "keyring = \"other/ca.cert.pem\"\n\t\tmanifest =", "does not chain"},
		"offset too far": {"image = \"rauc.content\" }", "image = \"rauc.content\" offset = 1M }", "offset"},
	} {
		tr := newTree(t, map[string]string{"in/rauc.content": "x"})
		writeCA(t, tr, "in/signing-ca")
		writeCA(t, tr, "in/other")
		err := tr.ours(strings.Replace(base, c.old, c.new, 1), nil)
		if err == nil || !strings.Contains(err.Error(), "image 'test.raucb'") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming the image and %q", name, err, c.want)
		}
		if ents, _ := os.ReadDir(tr.path("out")); len(ents) != 0 {
			t.Errorf("%s: output written", name)
		}
	}
}
