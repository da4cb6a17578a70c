package samltest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flexroles/flexroles/sso/samltest"
)

// TestKeyPair: a pair made, written and read back is the same pair, its
// files readable by their owner only, its certificate valid now and in
// nine years; a certificate of another key, or a file of another kind, is
// refused.
func TestKeyPair(t *testing.T) {
	dir := t.TempDir()
	key, cert, err := samltest.NewKeyPair(2048, "samltest a")
	if err != nil {
		t.Fatal(err)
	}
	keyPath, certPath := filepath.Join(dir, "a.key"), filepath.Join(dir, "a.crt")
	if err := samltest.WriteKeyPair(keyPath, certPath, key, cert); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{keyPath, certPath} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v, want 0600", p, err, fi.Mode().Perm())
		}
	}
	k, c, err := samltest.ReadKeyPair(keyPath, certPath)
	if err != nil || !k.Equal(key) || !c.Equal(cert) {
		t.Fatalf("read back: %v", err)
	}
	if now, later := time.Now(), time.Now().AddDate(9, 0, 0); c.NotBefore.After(now) || c.NotAfter.Before(later) || c.Subject.CommonName != "samltest a" {
		t.Errorf("certificate %s valid %s to %s", c.Subject.CommonName, c.NotBefore, c.NotAfter)
	}

	other, otherCert, err := samltest.NewKeyPair(2048, "samltest b")
	if err != nil {
		t.Fatal(err)
	}
	otherKeyPath, otherCertPath := filepath.Join(dir, "b.key"), filepath.Join(dir, "b.crt")
	if err := samltest.WriteKeyPair(otherKeyPath, otherCertPath, other, otherCert); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ reason, key, cert, errHas string }{
		{"another key's certificate", keyPath, otherCertPath, "is not the certificate of"},
		{"a certificate as the key", certPath, certPath, "holds no PEM RSA PRIVATE KEY block"},
		{"a key as the certificate", keyPath, keyPath, "holds no PEM CERTIFICATE block"},
	} {
		if _, _, err := samltest.ReadKeyPair(tc.key, tc.cert); err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("%s: %v, want %q", tc.reason, err, tc.errHas)
		}
	}
}
