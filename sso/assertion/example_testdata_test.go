package assertion_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/beevik/etree"
)

var update = flag.Bool("update", false, "rewrite testdata/example from the fixtures")

// exampleDir holds the IdP key, metadata and response ExampleVerify reads.
const exampleDir = "testdata/example"

// TestExampleTestdata rebuilds the files ExampleVerify reads from the key
// in testdata/example with the fixtures of the other tests, and requires
// them byte for byte (RSA PKCS #1 v1.5 signatures are deterministic), so
// that the example shows what the tests test. -update rewrites them, and
// makes the key when there is none.
func TestExampleTestdata(t *testing.T) {
	keyPath := filepath.Join(exampleDir, "idp-key.pem")
	keyPEM, err := os.ReadFile(keyPath)
	if os.IsNotExist(err) && *update {
		key, gerr := rsa.GenerateKey(rand.Reader, 2048)
		if gerr != nil {
			t.Fatal(gerr)
		}
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(key))})
		err = os.WriteFile(keyPath, keyPEM, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		t.Fatalf("%s holds no PEM block", keyPath)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key := parsed.(*rsa.PrivateKey)
	k := selfSigned(t, key, testIDP, testNow.AddDate(0, -1, 0), testNow.AddDate(10, 0, 0))
	md := etree.NewDocument()
	md.SetRoot(metadataXML(testIDP, k))
	md.Indent(2)
	f := goodFixture(t)
	f.signer = k
	files := map[string][]byte{
		"idp-metadata.xml": bytesOf(t, md),
		"response.xml":     bytesOf(t, f.build(t)),
	}
	for name, want := range files {
		path := filepath.Join(exampleDir, name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what the fixtures build: go test -run TestExampleTestdata -update", path)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
