package samltest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"time"
)

// NewKeyPair makes an RSA key of bits bits and a self-signed certificate
// for it with common name name, valid from an hour ago for ten years.
func NewKeyPair(bits int, name string) (*rsa.PrivateKey, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}

// WriteKeyPair writes key (PKCS #1, "RSA PRIVATE KEY") and cert as PEM
// files, both readable by their owner only.
func WriteKeyPair(keyPath, certPath string, key *rsa.PrivateKey, cert *x509.Certificate) error {
	k := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(keyPath, k, 0o600); err != nil {
		return err
	}
	c := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	return os.WriteFile(certPath, c, 0o600)
}

// ReadKeyPair reads a pair WriteKeyPair wrote, and fails when the
// certificate is not the key's.
func ReadKeyPair(keyPath, certPath string) (*rsa.PrivateKey, *x509.Certificate, error) {
	keyBlock, err := readPEM(keyPath, "RSA PRIVATE KEY")
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParsePKCS1PrivateKey(keyBlock)
	if err != nil {
		return nil, nil, errors.New("flexroles: " + keyPath + ": " + err.Error())
	}
	certBlock, err := readPEM(certPath, "CERTIFICATE")
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(certBlock)
	if err != nil {
		return nil, nil, errors.New("flexroles: " + certPath + ": " + err.Error())
	}
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return nil, nil, errors.New("flexroles: " + certPath + " is not the certificate of " + keyPath)
	}
	return key, cert, nil
}

// readPEM is the bytes of the first PEM block in path, which must be of
// type typ.
func readPEM(path, typ string) ([]byte, error) {
	data, err := os.ReadFile(path) //nolint:gosec // G304: a key file the caller names
	if err != nil {
		return nil, errors.New("flexroles: " + err.Error())
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != typ {
		return nil, errors.New("flexroles: " + path + " holds no PEM " + typ + " block")
	}
	return block.Bytes, nil
}
