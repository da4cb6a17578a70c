package assertion_test

import (
	"errors"
	"testing"

	"github.com/flexroles/flexroles/sso/assertion"
)

// FuzzVerify feeds Verify (through Decode) arbitrary input. It never
// panics; an accepted response has a verified signature and signed
// content; a refusal before parsing returns no Result; a failed signature
// leaves nothing labelled signed.
func FuzzVerify(f *testing.F) {
	good := goodFixture(f)
	md := testMetadata(f, testIDP, good.signer)
	f.Add(bytesOf(f, good.build(f)))
	assertionOnly := good
	assertionOnly.signResponse = false
	f.Add(bytesOf(f, assertionOnly.build(f)))
	f.Add(blowup(100, 40))
	f.Add([]byte(`<!DOCTYPE r [<!ENTITY e "x">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&e;</samlp:Response>`))
	f.Add([]byte("SAMLResponse=PHNhbWxwOlJlc3BvbnNlLz4%3D&RelayState=x"))
	f.Fuzz(func(t *testing.T, in []byte) {
		doc, err := assertion.Decode(in)
		if err != nil {
			return
		}
		want := testExpectations()
		res, err := assertion.Verify(doc, md, want)
		switch {
		case err == nil:
			if res == nil || !res.Signature.Verified || !res.Assertion.Signed {
				t.Fatalf("accepted without a verified signature: %+v", res)
			}
			if _, failed, _ := res.Counts(); failed != 0 {
				t.Fatalf("accepted with %d failed checks", failed)
			}
		case errors.Is(err, assertion.ErrRefused) || errors.Is(err, assertion.ErrUnreadable):
			if res != nil && (res.Signature.Verified || res.Assertion.Signed) {
				t.Fatalf("refused before verification, yet signed content: %+v", res)
			}
		case errors.Is(err, assertion.ErrSignature):
			if res != nil && (res.Signature.Verified || res.Assertion.Signed || res.Response.Signed) {
				t.Fatalf("signature refused, yet content labelled signed")
			}
		}
	})
}
