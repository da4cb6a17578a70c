//go:debug rsa1024min=0

// The directive above lets this test binary make a 512-bit RSA key and
// sign with it, as old IdPs did; the verifier does not rely on it: it
// verifies such keys itself and the algorithm check refuses them.

package assertion_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"github.com/flexroles/flexroles/sso/assertion"
)

// resign signs again the SignedInfo of the signature directly under the
// element tagged tag, after change has edited it: the way an IdP that
// writes other algorithm URIs signs.
func resign(t *testing.T, k *idp, doc *etree.Document, tag string, h crypto.Hash, change func(si *etree.Element)) {
	t.Helper()
	el := find(t, doc.Root(), tag)
	sig := el.SelectElement("ds:Signature")
	si := sig.SelectElement("ds:SignedInfo")
	change(si)
	ctx, err := etreeutils.NSBuildParentContext(si)
	if err != nil {
		t.Fatal(err)
	}
	detached, err := etreeutils.NSDetatch(ctx, si)
	if err != nil {
		t.Fatal(err)
	}
	canonical, err := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(detached)
	if err != nil {
		t.Fatal(err)
	}
	d := h.New()
	d.Write(canonical)
	value, err := rsa.SignPKCS1v15(rand.Reader, k.key, h, d.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	sig.SelectElement("ds:SignatureValue").SetText(base64.StdEncoding.EncodeToString(value))
}

// setAlgorithm sets the Algorithm of the child of si called tag (looked
// for at any depth).
func setAlgorithm(t *testing.T, si *etree.Element, tag, alg string) {
	t.Helper()
	find(t, si, tag).CreateAttr("Algorithm", alg)
}

// SHA-384 and SHA-512 verify, as digests and in the signature, under the
// URIs of RFC 6931 and XML Encryption, and under ADFS's URI for SHA-384
// (xmlenc#sha384, ruby-saml's adfs_response_sha384); each is held to the
// same tampering as SHA-256.
func TestVerifySHA2Family(t *testing.T) {
	for _, tc := range []struct {
		name   string
		method string
		adfs   bool // rewrite the Assertion's digest URI to ADFS's and sign again
		reason string
	}{
		{"RSA-SHA384 with SHA-384", dsig.RSASHA384SignatureMethod, false, "xmldsig-more#rsa-sha384 and xmldsig-more#sha384"},
		{"RSA-SHA512 with SHA-512", dsig.RSASHA512SignatureMethod, false, "xmldsig-more#rsa-sha512 and xmlenc#sha512"},
		{"RSA-SHA384 with ADFS's SHA-384 URI", dsig.RSASHA384SignatureMethod, true, "IdP quirk: ADFS writes xmlenc#sha384"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := goodFixture(t)
			f.signResponse = false
			f.signatureMethod = tc.method
			md := testMetadata(t, testIDP, f.signer)
			build := func() *etree.Document {
				doc := f.build(t)
				if tc.adfs {
					resign(t, f.signer, doc, "Assertion", crypto.SHA384, func(si *etree.Element) {
						setAlgorithm(t, si, "DigestMethod", "http://www.w3.org/2001/04/xmlenc#sha384")
					})
				}
				return doc
			}
			res, err := assertion.Verify(bytesOf(t, build()), md, testExpectations())
			if err != nil {
				t.Fatalf("%s: %v", tc.reason, err)
			}
			if c := res.Check(assertion.CheckAlgorithm); c.Outcome != assertion.Passed || len(res.Warnings) != 0 {
				t.Errorf("algorithm check %+v, warnings %q", c, res.Warnings)
			}
			doc := build()
			find(t, doc.Root(), "NameID").SetText(evil)
			res, err = assertion.Inspect(bytesOf(t, doc), md, testExpectations())
			if !errors.Is(err, assertion.ErrSignature) || !strings.Contains(err.Error(), "changed after signing") {
				t.Fatalf("tampered: err = %v, want ErrSignature saying it was changed", err)
			}
			if res.Assertion.Signed || res.Signature.Verified {
				t.Errorf("tampered content labelled signed")
			}
		})
	}
}

// An algorithm this package does not verify is named as unsupported,
// never as a change after signing (ruby-saml's adfs_response_sha1 signs
// with RSA-SHA1 under the xmldsig-more URI).
func TestVerifyNamesUnsupportedAlgorithms(t *testing.T) {
	for _, tc := range []struct {
		tag, alg, what string
	}{
		{"SignatureMethod", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha1", "signature"},
		{"SignatureMethod", "http://www.w3.org/2000/09/xmldsig#dsa-sha1", "signature"},
		{"DigestMethod", "http://www.w3.org/2001/04/xmlenc#sha1", "digest"},
		{"DigestMethod", "http://www.w3.org/2001/04/xmlenc#ripemd160", "digest"},
		{"CanonicalizationMethod", "http://www.w3.org/2006/12/xml-c14n2", "canonicalization"},
		{"Transform", "http://www.w3.org/TR/1999/REC-xslt-19991116", "transform"},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			f := goodFixture(t)
			f.signResponse = false
			doc := f.build(t)
			resign(t, f.signer, doc, "Assertion", crypto.SHA256, func(si *etree.Element) { setAlgorithm(t, si, tc.tag, tc.alg) })
			for _, want := range []assertion.Expectations{testExpectations(), assertion.WithOwnSignatureCheck(testExpectations())} {
				_, err := assertion.Verify(bytesOf(t, doc), testMetadata(t, testIDP, f.signer), want)
				if !errors.Is(err, assertion.ErrSignature) {
					t.Fatalf("err = %v, want ErrSignature", err)
				}
				if msg := err.Error(); !strings.Contains(msg, "unsupported "+tc.what+" algorithm, "+tc.alg) || strings.Contains(msg, "changed after signing") {
					t.Errorf("err = %v, want it to name the %s algorithm as unsupported", err, tc.what)
				}
			}
		})
	}
}

// shortKeyIDP returns an IdP with a 512-bit RSA key, which anyone can
// factor.
func shortKeyIDP(t *testing.T) *idp {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 512) //nolint:gosec // G403: the short key the verifier must refuse
	if err != nil {
		t.Fatal(err)
	}
	return selfSigned(t, key, "short", testNow.AddDate(0, -1, 0), testNow.AddDate(1, 0, 0))
}

// A response signed with a 512-bit RSA key (ruby-saml's
// inline_hulu_signed_fp49EC) verifies, so that the administrator learns
// the real fault, and is refused by the algorithm check whatever the
// expectations: anyone can factor the key and forge its signatures. A
// change after signing is still a change.
func TestVerifyRefusesShortRSAKeys(t *testing.T) {
	for _, method := range []string{dsig.RSASHA256SignatureMethod, dsig.RSASHA1SignatureMethod} {
		t.Run(method, func(t *testing.T) {
			f := goodFixture(t)
			f.signer = shortKeyIDP(t)
			f.signatureMethod = method
			md := testMetadata(t, testIDP, f.signer)
			doc := f.build(t)
			if res, err := assertion.Verify(bytesOf(t, doc), md, testExpectations()); res != nil || !errors.Is(err, assertion.ErrCheck) {
				t.Fatalf("Verify = %v, %v; want nothing and ErrCheck", res, err)
			}
			res, err := assertion.Inspect(bytesOf(t, doc), md, testExpectations())
			var e *assertion.Error
			if !errors.As(err, &e) || e.Check != assertion.CheckAlgorithm || !strings.Contains(err.Error(), "512-bit RSA key") {
				t.Fatalf("err = %v, want the algorithm check naming the 512-bit key", err)
			}
			if !res.Signature.Verified {
				t.Errorf("the signature by the metadata's key is not reported as verified")
			}
			if _, err := res.Login(); err == nil {
				t.Errorf("a short key made a login")
			}
			find(t, doc.Root(), "NameID").SetText(evil)
			if _, err := assertion.Inspect(bytesOf(t, doc), md, testExpectations()); !errors.Is(err, assertion.ErrSignature) {
				t.Errorf("tampered: err = %v, want ErrSignature", err)
			}
			// Another short key does not verify it.
			if _, err := assertion.Inspect(bytesOf(t, f.build(t)), testMetadata(t, testIDP, shortKeyIDP(t)), testExpectations()); !errors.Is(err, assertion.ErrSignature) {
				t.Errorf("another key: err = %v, want ErrSignature", err)
			}
		})
	}
}
