package assertion_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/flexroles/flexroles/sso/assertion"
)

// FuzzVerify feeds Verify and Inspect (through Decode) arbitrary input.
// They never panic and return the same error, and the package's own
// signature check reaches goxmldsig's verdict; Verify returns a Result only
// with no error, and Inspect's Result makes a login only then; an accepted
// response has a verified signature and signed content; a refusal before
// parsing returns no Result; a failed signature leaves nothing labelled
// signed.
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
		res, err := assertion.Inspect(doc, md, want)
		vres, verr := assertion.Verify(doc, md, want)
		if fmt.Sprint(err) != fmt.Sprint(verr) || (verr == nil) != (vres != nil) {
			t.Fatalf("Verify = %v, %v; Inspect's error %v", vres, verr, err)
		}
		if _, lerr := res.Login(); (lerr == nil) != (err == nil) {
			t.Fatalf("Login's error %v for a response refused with %v", lerr, err)
		}
		// The package's own signature check reaches goxmldsig's verdict.
		own, oerr := assertion.Inspect(doc, md, assertion.WithOwnSignatureCheck(want))
		if (own != nil && own.Signature.Verified) != (res != nil && res.Signature.Verified) || (oerr == nil) != (err == nil) {
			t.Fatalf("own signature check: %v (verified %v); goxmldsig: %v (verified %v)", oerr, own != nil && own.Signature.Verified, err, res != nil && res.Signature.Verified)
		}
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
