package bridge

import (
	"bytes"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strconv"
)

// maxKeyFile bounds a key or certificate file; a PEM chain is a few
// kilobytes.
const maxKeyFile = 1 << 20

// minRSABits is the smallest signing key the bridge accepts.
const minRSABits = 2048

// signingKeys are the key that signs Flex's assertions, its certificate and
// the next certificate published for rotation.
type signingKeys struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
	next *x509.Certificate // nil when none is configured
}

func loadSigningKeys(k Keys) (signingKeys, error) {
	var out signingKeys
	key, err := readRSAKey(k.Key)
	if err != nil {
		return out, err
	}
	cert, err := readCertificate(k.Certificate, "keys.certificate")
	if err != nil {
		return out, err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return out, errors.New("flexroles: keys.certificate " + k.Certificate + " is not the certificate of keys.key " + k.Key + "; give the pair that belong together")
	}
	out = signingKeys{key: key, cert: cert}
	if k.NextCertificate != "" {
		if out.next, err = readCertificate(k.NextCertificate, "keys.next_certificate"); err != nil {
			return out, err
		}
	}
	return out, nil
}

func readRSAKey(path string) (*rsa.PrivateKey, error) {
	data, err := readFileAtMost(path, "keys.key", maxKeyFile)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("flexroles: keys.key " + path + " holds no PEM block; give an RSA private key in PEM")
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		var k any
		if k, err = x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
			var ok bool
			if key, ok = k.(*rsa.PrivateKey); !ok {
				return nil, errors.New("flexroles: keys.key " + path + " is not an RSA key; Flex verifies RSA-SHA256 signatures")
			}
		}
	default:
		return nil, errors.New("flexroles: keys.key " + path + " holds a " + strconv.Quote(block.Type) + " block, not an RSA private key")
	}
	if err != nil {
		return nil, errors.New("flexroles: keys.key " + path + ": " + err.Error())
	}
	if key.N.BitLen() < minRSABits {
		return nil, errors.New("flexroles: keys.key " + path + " is a " + strconv.Itoa(key.N.BitLen()) + "-bit key; use 2048 bits or more")
	}
	return key, nil
}

func readCertificate(path, field string) (*x509.Certificate, error) {
	data, err := readFileAtMost(path, field, maxKeyFile)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("flexroles: " + field + " " + path + " holds no PEM CERTIFICATE block")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, errors.New("flexroles: " + field + " " + path + ": " + err.Error())
	}
	return cert, nil
}

// stateKey returns the 32-byte key that seals login state: the file's, or
// one derived from the signing key, so that instances sharing the signing
// key share it too.
func stateKey(path string, signing *rsa.PrivateKey) ([]byte, error) {
	if path == "" {
		mac := hmac.New(sha256.New, x509.MarshalPKCS1PrivateKey(signing))
		mac.Write([]byte("flexroles bridge login state v1"))
		return mac.Sum(nil), nil
	}
	data, err := readFileAtMost(path, "keys.state_key", maxKeyFile)
	if err != nil {
		return nil, err
	}
	if len(data) == 32 {
		return data, nil
	}
	text := bytes.TrimSpace(data)
	if k, err := hex.DecodeString(string(text)); err == nil && len(k) == 32 {
		return k, nil
	}
	if k, err := base64.StdEncoding.DecodeString(string(text)); err == nil && len(k) == 32 {
		return k, nil
	}
	return nil, errors.New("flexroles: keys.state_key " + path + " must hold 32 random bytes, raw, hex or base64 (openssl rand -hex 32)")
}
