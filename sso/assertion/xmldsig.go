package assertion

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	// The hashes the digest and signature algorithms name.
	_ "crypto/sha1" //nolint:gosec // G505: SHA-1 digests are verified so that the SHA-1 check can name them, and the debugger read them; logins refuse them (RejectSHA1)
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// The XML signature algorithms this package verifies. goxmldsig verifies
// every signature it knows. Two kinds it refuses although the metadata's
// key made them are verified here, with goxmldsig's canonicalizers:
//
//   - a digest under ADFS's URI for SHA-384, xmlenc#sha384 (the standard
//     URI is xmldsig-more#sha384), which goxmldsig does not know;
//   - an RSA key of under 1024 bits, which crypto/rsa refuses: the
//     signature is reported as verified, so that the administrator learns
//     the real fault, and the algorithm check fails it, because anyone
//     can factor such a key and forge its signatures.
//
// Any other algorithm is named as unsupported, never as a change after
// signing.
const (
	algSHA256         = "http://www.w3.org/2001/04/xmlenc#sha256"
	algSHA384         = "http://www.w3.org/2001/04/xmldsig-more#sha384"
	algSHA512         = "http://www.w3.org/2001/04/xmlenc#sha512"
	algADFSSHA384     = "http://www.w3.org/2001/04/xmlenc#sha384" // ADFS's URI for SHA-384 (ruby-saml's adfs_response_sha384)
	algEnveloped      = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	nsExcC14N         = "http://www.w3.org/2001/10/xml-exc-c14n#"
	minRSAKeyBits     = 1024 // crypto/rsa's minimum, and the algorithm check's
	supportedAlgNames = "RSA or ECDSA with SHA-256, SHA-384 or SHA-512, or SHA-1 under the URIs of XML Signature 1.0"
)

// digestHash returns the hash a DigestMethod URI names, or 0 for one this
// package does not verify.
func digestHash(uri string) crypto.Hash {
	switch uri {
	case algSHA1:
		return crypto.SHA1
	case algSHA256:
		return crypto.SHA256
	case algSHA384, algADFSSHA384:
		return crypto.SHA384
	case algSHA512:
		return crypto.SHA512
	}
	return 0
}

// signatureAlgorithm returns what a SignatureMethod URI names, or
// x509.UnknownSignatureAlgorithm for one this package does not verify.
func signatureAlgorithm(uri string) (x509.SignatureAlgorithm, crypto.Hash) {
	switch uri {
	case dsig.RSASHA1SignatureMethod:
		return x509.SHA1WithRSA, crypto.SHA1
	case dsig.RSASHA256SignatureMethod:
		return x509.SHA256WithRSA, crypto.SHA256
	case dsig.RSASHA384SignatureMethod:
		return x509.SHA384WithRSA, crypto.SHA384
	case dsig.RSASHA512SignatureMethod:
		return x509.SHA512WithRSA, crypto.SHA512
	case dsig.ECDSASHA1SignatureMethod:
		return x509.ECDSAWithSHA1, crypto.SHA1
	case dsig.ECDSASHA256SignatureMethod:
		return x509.ECDSAWithSHA256, crypto.SHA256
	case dsig.ECDSASHA384SignatureMethod:
		return x509.ECDSAWithSHA384, crypto.SHA384
	case dsig.ECDSASHA512SignatureMethod:
		return x509.ECDSAWithSHA512, crypto.SHA512
	}
	return x509.UnknownSignatureAlgorithm, 0
}

// canonicalizer returns goxmldsig's canonicalizer for a
// CanonicalizationMethod or Transform algorithm, with the
// InclusiveNamespaces prefix list of exclusive canonicalization, or nil
// for one that is not a canonicalization.
func canonicalizer(alg, prefixList string) dsig.Canonicalizer {
	switch dsig.AlgorithmID(alg) {
	case dsig.CanonicalXML10ExclusiveAlgorithmId:
		return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixList)
	case dsig.CanonicalXML10ExclusiveWithCommentsAlgorithmId:
		return dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList(prefixList)
	case dsig.CanonicalXML10RecAlgorithmId:
		return dsig.MakeC14N10RecCanonicalizer()
	case dsig.CanonicalXML10WithCommentsAlgorithmId:
		return dsig.MakeC14N10WithCommentsCanonicalizer()
	case dsig.CanonicalXML11AlgorithmId:
		return dsig.MakeC14N11Canonicalizer()
	case dsig.CanonicalXML11WithCommentsAlgorithmId:
		return dsig.MakeC14N11WithCommentsCanonicalizer()
	}
	return nil
}

// algorithmOf returns the Algorithm of el's child called tag, and whether
// there is one.
func algorithmOf(el *etree.Element, tag string) (string, bool) {
	c := childElement(el, nsSignature, tag)
	if c == nil {
		return "", false
	}
	return c.SelectAttrValue("Algorithm", ""), true
}

// prefixList returns the InclusiveNamespaces PrefixList of a
// canonicalization element, or "".
func prefixList(el *etree.Element) string {
	if in := childElement(el, nsExcC14N, "InclusiveNamespaces"); in != nil {
		return in.SelectAttrValue("PrefixList", "")
	}
	return ""
}

// transforms returns the Transform elements of a Reference.
func transforms(ref *etree.Element) []*etree.Element {
	ts := childElement(ref, nsSignature, "Transforms")
	if ts == nil {
		return nil
	}
	var out []*etree.Element
	for _, t := range ts.ChildElements() {
		if t.Tag == "Transform" && t.NamespaceURI() == nsSignature {
			out = append(out, t)
		}
	}
	return out
}

// errUnsupported is a signature that uses an algorithm this package does
// not verify; its message names the algorithm.
type errUnsupported struct{ what, uri string }

func (e *errUnsupported) Error() string {
	return fmt.Sprintf("an unsupported %s algorithm, %s (this verifier supports %s)", e.what, e.uri, supportedAlgNames)
}

// unsupportedAlgorithm returns an *errUnsupported for the first algorithm
// of sig's SignedInfo that this package does not verify, or nil. It reads
// the signature as it stands, before it is verified: it only chooses what
// a refusal says.
func unsupportedAlgorithm(sig *etree.Element) error {
	si := childElement(sig, nsSignature, "SignedInfo")
	if si == nil {
		return nil
	}
	if alg, ok := algorithmOf(si, "CanonicalizationMethod"); ok && canonicalizer(alg, "") == nil {
		return &errUnsupported{"canonicalization", alg}
	}
	if alg, ok := algorithmOf(si, "SignatureMethod"); ok {
		if a, _ := signatureAlgorithm(alg); a == x509.UnknownSignatureAlgorithm {
			return &errUnsupported{"signature", alg}
		}
	}
	for _, ref := range si.ChildElements() {
		if ref.Tag != "Reference" || ref.NamespaceURI() != nsSignature {
			continue
		}
		for _, t := range transforms(ref) {
			if alg := t.SelectAttrValue("Algorithm", ""); alg != algEnveloped && canonicalizer(alg, "") == nil {
				return &errUnsupported{"transform", alg}
			}
		}
		if alg, ok := algorithmOf(ref, "DigestMethod"); ok && digestHash(alg) == 0 {
			return &errUnsupported{"digest", alg}
		}
	}
	return nil
}

// ownCheckNeeded reports whether a signature with the DigestMethod digest,
// checked with cert, is one goxmldsig refuses and this package verifies
// itself (see the algorithms above).
func ownCheckNeeded(digest string, cert *x509.Certificate) bool {
	return digest == algADFSSHA384 || weakRSAKey(cert) > 0
}

// weakRSAKey returns the size in bits of cert's RSA key when it is under
// minRSAKeyBits, else 0.
func weakRSAKey(cert *x509.Certificate) int {
	if cert == nil {
		return 0
	}
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); ok && pub.N.BitLen() < minRSAKeyBits {
		return pub.N.BitLen()
	}
	return 0
}

// verifyEnveloped checks the enveloped signature s, found at path inside
// detached (an element detached with the namespaces in scope at it), with
// cert, as goxmldsig's Validate does: the canonical SignedInfo is verified
// with the key, then read from its verified bytes; its one Reference must
// name detached; the element, without the signature and canonicalized as
// the Reference's transforms say, must digest to its DigestValue. It
// returns the element parsed from the bytes digested.
func verifyEnveloped(detached, s *etree.Element, path []int, cert *x509.Certificate) (*etree.Element, error) {
	// One SignedInfo and one SignatureValue, as goxmldsig requires: the
	// element read is then the one verified.
	counts := map[string]int{}
	for _, c := range s.ChildElements() {
		counts[c.Tag]++
	}
	if counts["SignedInfo"] != 1 || counts["SignatureValue"] != 1 || counts["KeyInfo"] > 1 {
		return nil, errors.New("the signature does not hold one SignedInfo and one SignatureValue")
	}
	si := childElement(s, nsSignature, "SignedInfo")
	if si == nil {
		return nil, errors.New("the signature has no SignedInfo")
	}
	cm := childElement(si, nsSignature, "CanonicalizationMethod")
	if cm == nil {
		return nil, errors.New("the SignedInfo has no CanonicalizationMethod")
	}
	c14n := canonicalizer(cm.SelectAttrValue("Algorithm", ""), prefixList(cm))
	if c14n == nil {
		return nil, &errUnsupported{"canonicalization", cm.SelectAttrValue("Algorithm", "")}
	}
	ctx, err := parentContext(si)
	if err != nil {
		return nil, err
	}
	detachedSI, err := etreeutils.NSDetatch(ctx, si)
	if err != nil {
		return nil, err
	}
	signedInfo, err := c14n.Canonicalize(detachedSI)
	if err != nil {
		return nil, err
	}
	method, _ := algorithmOf(si, "SignatureMethod")
	sv := childElement(s, nsSignature, "SignatureValue")
	if sv == nil {
		return nil, errors.New("the signature has no SignatureValue")
	}
	value, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(sv.Text()), ""))
	if err != nil {
		return nil, errors.New("the SignatureValue is not base64")
	}
	if err := checkSignature(cert, method, signedInfo, value); err != nil {
		return nil, err
	}

	// From here on only the verified SignedInfo is read.
	verified := etree.NewDocument()
	if err := verified.ReadFromBytes(signedInfo); err != nil {
		return nil, err
	}
	var refs []*etree.Element
	for _, c := range verified.Root().ChildElements() {
		if c.Tag == "Reference" && c.NamespaceURI() == nsSignature {
			refs = append(refs, c)
		}
	}
	if len(refs) != 1 {
		return nil, fmt.Errorf("the signed SignedInfo has %d References; a SAML signature has exactly one", len(refs))
	}
	ref := refs[0]
	if uri, id := ref.SelectAttrValue("URI", ""), detached.SelectAttrValue("ID", ""); uri != "" && uri != "#"+id {
		return nil, fmt.Errorf("the signed Reference names %q, not this %s (ID %q)", uri, detached.Tag, id)
	}
	el := detached.Copy()
	enveloped := false
	var refC14n dsig.Canonicalizer
	for _, t := range transforms(ref) {
		alg := t.SelectAttrValue("Algorithm", "")
		switch {
		case alg == algEnveloped && !enveloped:
			sig := follow(el, path)
			sig.Parent().RemoveChild(sig)
			enveloped = true
		case canonicalizer(alg, "") != nil && refC14n == nil:
			refC14n = canonicalizer(alg, prefixList(t))
		default:
			return nil, &errUnsupported{"transform", alg}
		}
	}
	if !enveloped {
		return nil, errors.New("the Reference does not remove the signature from what it digests (no enveloped-signature transform)")
	}
	if refC14n == nil {
		// A Reference that names no canonicalization digests the element
		// as Canonical XML 1.0 renders it, comments left out (XML
		// Signature, section 4.3.3.2).
		refC14n = dsig.MakeC14N10RecCanonicalizer()
	}
	referenced, err := refC14n.Canonicalize(el)
	if err != nil {
		return nil, err
	}
	alg, _ := algorithmOf(ref, "DigestMethod")
	h := digestHash(alg)
	if h == 0 {
		return nil, &errUnsupported{"digest", alg}
	}
	dv := childElement(ref, nsSignature, "DigestValue")
	if dv == nil {
		return nil, errors.New("the Reference has no DigestValue")
	}
	want, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(dv.Text()), ""))
	if err != nil {
		return nil, errors.New("the DigestValue is not base64")
	}
	d := h.New()
	d.Write(referenced)
	if subtle.ConstantTimeCompare(d.Sum(nil), want) != 1 {
		return nil, errors.New("the digest of the signed element does not match its DigestValue")
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(referenced); err != nil {
		return nil, err
	}
	return doc.Root(), nil
}

// checkSignature verifies signature over signed with cert's key by the
// SignatureMethod method: with crypto/x509, or for an RSA key under
// minRSAKeyBits, which crypto/rsa refuses, with verifyShortRSA.
func checkSignature(cert *x509.Certificate, method string, signed, signature []byte) error {
	alg, hash := signatureAlgorithm(method)
	if alg == x509.UnknownSignatureAlgorithm {
		return &errUnsupported{"signature", method}
	}
	if weakRSAKey(cert) > 0 {
		switch alg {
		case x509.SHA1WithRSA, x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA:
			return verifyShortRSA(cert.PublicKey.(*rsa.PublicKey), hash, signed, signature)
		}
		return errors.New("an RSA key cannot verify an " + method + " signature")
	}
	return cert.CheckSignature(alg, signed, signature)
}

// digestInfoPrefix returns the DER prefix of the DigestInfo of h (RFC
// 8017, section 9.2, note 1), or nil.
func digestInfoPrefix(h crypto.Hash) []byte {
	switch h {
	case crypto.SHA1:
		return []byte{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14}
	case crypto.SHA256:
		return []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
	case crypto.SHA384:
		return []byte{0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30}
	case crypto.SHA512:
		return []byte{0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40}
	}
	return nil
}

// verifyShortRSA verifies an RSASSA-PKCS1-v1_5 signature (RFC 8017,
// section 8.2.2) by an RSA key too short for crypto/rsa. It builds the
// encoded message the signature must open to and compares the two whole,
// never parsing what the signature opens to. Its only use is to say that
// a forgeable key made a signature; the algorithm check then refuses it.
func verifyShortRSA(pub *rsa.PublicKey, h crypto.Hash, signed, signature []byte) error {
	k := (pub.N.BitLen() + 7) / 8
	prefix := digestInfoPrefix(h)
	if prefix == nil || len(signature) != k || k < len(prefix)+h.Size()+11 || pub.E < 3 {
		return errors.New("crypto/rsa verification error")
	}
	s := new(big.Int).SetBytes(signature)
	if s.Cmp(pub.N) >= 0 {
		return errors.New("crypto/rsa verification error")
	}
	em := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N).FillBytes(make([]byte, k))
	d := h.New()
	d.Write(signed)
	want := make([]byte, k)
	want[1] = 0x01
	t := append(prefix, d.Sum(nil)...)
	for i := 2; i < k-len(t)-1; i++ {
		want[i] = 0xff
	}
	copy(want[k-len(t):], t)
	if !bytes.Equal(em, want) {
		return errors.New("crypto/rsa verification error")
	}
	return nil
}
