package assertion_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/flexroles/flexroles/sso/assertion"
)

// blowup returns the response of issue 17: decls namespace declarations on
// the root, depth nested elements and a ds:Signature child, which made the
// XML signature library copy its namespace map at every element.
func blowup(decls, depth int) []byte {
	var b strings.Builder
	b.WriteString(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ID="_r" Version="2.0"`)
	for i := 0; i < decls; i++ {
		fmt.Fprintf(&b, ` xmlns:n%d="urn:n:%d"`, i, i)
	}
	b.WriteString(`><ds:Signature><ds:SignedInfo/></ds:Signature><saml:Assertion ID="_a"><saml:Issuer>x</saml:Issuer>`)
	for i := 0; i < depth; i++ {
		b.WriteString("<saml:Advice>")
	}
	for i := 0; i < depth; i++ {
		b.WriteString("</saml:Advice>")
	}
	b.WriteString(`</saml:Assertion></samlp:Response>`)
	return []byte(b.String())
}

// wide returns a response at the structure limits: MaxNamespaceDeclarations
// declarations, then elements up to MaxElements, nested as deep as
// MaxDepth allows, under a signed Response, so that it reaches signature
// verification.
func wide() []byte {
	var b strings.Builder
	b.WriteString(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ID="_r" Version="2.0"`)
	for i := 3; i < assertion.MaxNamespaceDeclarations/2; i++ {
		fmt.Fprintf(&b, ` xmlns:n%d="urn:n:%d"`, i, i)
	}
	b.WriteString(`><saml:Issuer>https://idp.example.com/saml</saml:Issuer><ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#_r"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>`)
	b.WriteString(`<saml:Assertion ID="_a"`)
	for i := assertion.MaxNamespaceDeclarations / 2; i < assertion.MaxNamespaceDeclarations; i++ { // MaxNamespaceDeclarations in all
		fmt.Fprintf(&b, ` xmlns:n%d="urn:n:%d"`, i, i)
	}
	b.WriteString(`><saml:Issuer>https://idp.example.com/saml</saml:Issuer><saml:AttributeStatement>`)
	used := 6
	for used+assertion.MaxDepth < assertion.MaxElements {
		b.WriteString(`<saml:Attribute Name="g">`)
		for i := 0; i < assertion.MaxDepth-5; i++ {
			b.WriteString("<n3:x>")
		}
		for i := 0; i < assertion.MaxDepth-5; i++ {
			b.WriteString("</n3:x>")
		}
		b.WriteString(`</saml:Attribute>`)
		used += assertion.MaxDepth - 4
	}
	b.WriteString(`</saml:AttributeStatement></saml:Assertion></samlp:Response>`)
	return []byte(b.String())
}

// worstSigned returns a real signed response (the Response's signature,
// or the Assertion's) filled to the structure limits: namespace
// declarations in scope up to MaxNamespaceDeclarations, elements nested as
// deep as MaxDepth allows, each with attrs XML attributes, until
// MaxElements or MaxSize. Its SignedInfo is the real one, so the signature
// library canonicalises and digests the whole signed element before the
// digest fails to match: the most work an input within the limits causes.
func worstSigned(t testing.TB, signResponse bool, attrs int) []byte {
	t.Helper()
	f := goodFixture(t)
	f.signResponse, f.signAssertion = signResponse, !signResponse
	doc := f.build(t)
	root := doc.Root()
	a := root.SelectElement("saml:Assertion")
	decls := assertion.MaxNamespaceDeclarations - 8 // room for the fixture's own declarations
	st := a.CreateElement("saml:AttributeStatement")
	for i := 0; i < decls; i++ { // a third on each, within MaxXMLAttributes
		[]*etree.Element{root, a, st}[3*i/decls].CreateAttr(fmt.Sprintf("xmlns:n%d", i), fmt.Sprintf("urn:n:%d", i))
	}
	size := len(bytesOf(t, doc))
	for n := len(root.FindElements("//*")); ; {
		at := st.CreateElement("saml:Attribute")
		at.CreateAttr("Name", "g")
		e, added := at, 1
		for d := 0; d < assertion.MaxDepth-6; d++ {
			e = e.CreateElement(fmt.Sprintf("n%d:x", d%decls))
			for k := 0; k < attrs; k++ {
				e.CreateAttr(fmt.Sprintf("a%d", k), "v")
			}
			added++
		}
		grown := len(bytesOf(t, doc))
		if n+added > assertion.MaxElements || grown > assertion.MaxSize {
			st.RemoveChild(at)
			break
		}
		n, size = n+added, grown
	}
	b := bytesOf(t, doc)
	if len(b) != size {
		t.Fatalf("built %d bytes, measured %d", len(b), size)
	}
	return b
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// verifyBudget is what Verify may allocate for any input: issue 17 set 200
// MB for every input up to the input limit, on a 2-core machine where
// several verifications run at once.
const verifyBudget = 64 << 20

// The namespace blow-up of issue 17 is refused before the signature
// library sees it, at a cost bounded by the input's size, and so is every
// document past a structure limit. A document at the limits, with a real
// signature whose digest fails only after the signed element was
// canonicalised and digested, stays within verifyBudget.
func TestVerifyBoundsCost(t *testing.T) {
	md := testMetadata(t, testIDP, current(t, testIDP))
	for _, tc := range []struct {
		name string
		doc  []byte
		kind error
	}{
		{"issue 17: 20,000 declarations, depth 1,000, over MaxSize", blowup(20_000, 1_000), assertion.ErrUnreadable},
		{"issue 17 within MaxSize: 8,000 declarations, depth 1,000", blowup(8_000, 1_000), assertion.ErrRefused},
		{"declarations past the limit", blowup(assertion.MaxNamespaceDeclarations, 1), assertion.ErrRefused},
		{"depth past the limit", blowup(0, assertion.MaxDepth), assertion.ErrRefused},
		{"at the limits", wide(), assertion.ErrSignature},
		{"at the limits, Response signed, bare elements", worstSigned(t, true, 0), assertion.ErrSignature},
		{"at the limits, Response signed, 13 attributes an element", worstSigned(t, true, 13), assertion.ErrSignature},
		{"at the limits, Assertion signed, bare elements", worstSigned(t, false, 0), assertion.ErrSignature},
		{"at the limits, Assertion signed, 13 attributes an element", worstSigned(t, false, 13), assertion.ErrSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.doc) > assertion.MaxSize != errors.Is(tc.kind, assertion.ErrUnreadable) {
				t.Fatalf("the document is %d bytes, MaxSize %d", len(tc.doc), assertion.MaxSize)
			}
			var err error
			n := allocated(func() { _, err = assertion.Verify(tc.doc, md, testExpectations()) })
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want %v", err, tc.kind)
			}
			// A refusal before the signature check costs at most 128 bytes
			// per input byte, where the signature library's namespace
			// copies cost thousands (1.7 GB for the 545 KB document of
			// issue 17). Past it, the cost grows with the elements times
			// the declarations in scope, which the limits bound.
			limit := uint64(verifyBudget)
			if !errors.Is(tc.kind, assertion.ErrSignature) {
				limit = uint64(128 * len(tc.doc))
			}
			if n > limit {
				t.Errorf("allocated %d bytes for a %d-byte document, over %d", n, len(tc.doc), limit)
			}
			t.Logf("%d bytes in, %d bytes allocated", len(tc.doc), n)
		})
	}
}

func BenchmarkVerifyBlowup(b *testing.B) {
	md := testMetadata(b, testIDP, current(b, testIDP))
	for _, bc := range []struct {
		name string
		doc  []byte
	}{
		{"issue17_20000decls_depth1000", blowup(20_000, 1_000)},
		{"at_limits", wide()},
		{"at_limits_signed_response", worstSigned(b, true, 13)},
		{"at_limits_signed_assertion", worstSigned(b, false, 13)},
		{"real_signed_response", bytesOf(b, goodFixture(b).build(b))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.doc)))
			for i := 0; i < b.N; i++ {
				_, _ = assertion.Verify(bc.doc, md, testExpectations())
			}
		})
	}
}

// A real response may list many groups: a signed one with 2,000 values
// verifies, Response-signed and Assertion-signed, though it declares xs
// and xsi on every value as Okta and OneLogin do: the declaration limit is
// on those in scope.
func TestVerifyManyGroups(t *testing.T) {
	for _, signResponse := range []bool{true, false} {
		f := goodFixture(t)
		f.signResponse, f.signAssertion = signResponse, !signResponse
		var groups []string
		for i := 0; i < 2000; i++ {
			groups = append(groups, fmt.Sprintf("group-%d", i))
		}
		f.attrs = append(f.attrs, attr("groups", groups...))
		res, err := assertion.Verify(bytesOf(t, f.build(t)), testMetadata(t, testIDP, f.signer), testExpectations())
		if err != nil {
			t.Fatalf("signResponse %v: %v", signResponse, err)
		}
		if n := len(res.Assertion.Attributes[3].Values); n != 2000 {
			t.Errorf("%d groups read, want 2000", n)
		}
	}
}
