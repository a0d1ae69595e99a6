//go:build regen

package binmandesc

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
)

func init() { extraCases = append(extraCases, preLoadCases) }

func pemKey(bits int) []byte {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

// preLoadCases record binman's pre-load header. binman opens the key
// relative to its working directory (pre-load-key-path "in"), so these
// live in testdata/preload/ and TestPreLoadGoldens builds them from the
// case directory. PSS is left out: binman's salt is random.
func preLoadCases() []goldenCase {
	files := map[string][]byte{
		"in/dev.key":    pemKey(2048),
		"in/small.key":  pemKey(1024),
		"in/image.bin":  []byte("the image that is signed"),
		"in/u-boot.bin": []byte("1234"),
	}
	flags := []string{"-m", "-a", "pre-load-key-path=in"}
	one := func(props string) string {
		return dtsOf(`
    pre-load {
        content = <&image>;
        ` + props + `
    };
    image: blob-ext { filename = "image.bin"; };
`)
	}
	return []goldenCase{
		{name: "preload/pkcs", flags: flags, files: files, dts: one(`algo-name = "sha256,rsa2048"; padding-name = "pkcs-1.5"; key-name = "dev.key"; header-size = <0x1000>; version = <0x11223344>;`)},
		{name: "preload/sha512-default-padding", flags: flags, files: files, dts: dtsOf(`
    pre-load {
        content = <&image &tail>;
        algo-name = "sha512,rsa2048"; key-name = "dev.key"; header-size = <0x300>; version = <1>;
    };
    image: blob-ext { filename = "image.bin"; };
    tail: u-boot { no-expanded; };
`)},
		{name: "preload/rsa1024-sha384", flags: flags, files: files, dts: one(`algo-name = "sha384,rsa1024"; padding-name = "pkcs-1.5"; key-name = "small.key"; header-size = <0x200>; version = <7>;`)},
		{name: "preload/err-padding", flags: flags, files: files, dts: one(`algo-name = "sha256,rsa2048"; padding-name = "oaep"; key-name = "dev.key"; header-size = <0x1000>; version = <1>;`)},
		{name: "preload/err-key-size", flags: flags, files: files, dts: one(`algo-name = "sha256,rsa2048"; key-name = "small.key"; header-size = <0x1000>; version = <1>;`)},
		{name: "preload/err-sha", flags: flags, files: files, dts: one(`algo-name = "sha1,rsa2048"; key-name = "dev.key"; header-size = <0x1000>; version = <1>;`)},
		{name: "preload/err-rsa", flags: flags, files: files, dts: one(`algo-name = "sha256,rsa3072"; key-name = "dev.key"; header-size = <0x1000>; version = <1>;`)},
		{name: "preload/err-no-key", flags: flags, files: files, dts: one(`algo-name = "sha256,rsa2048"; key-name = "nothere.key"; header-size = <0x1000>; version = <1>;`)},
		{name: "preload/err-no-content", flags: flags, files: files, dts: dtsOf(`
    pre-load { algo-name = "sha256,rsa2048"; key-name = "dev.key"; header-size = <0x1000>; version = <1>; };
`)},
	}
}
