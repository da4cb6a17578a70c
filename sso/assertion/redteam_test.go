package assertion_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/flexroles/flexroles/sso/assertion"
)

const evil = "mallory@evil.example"

// setNameID sets the NameID of every Assertion directly under el (or el
// itself) to v.
func setNameID(t *testing.T, el *etree.Element, v string) {
	t.Helper()
	find(t, el, "NameID").SetText(v)
}

// withoutSignature returns a copy of el without its direct Signature.
func withoutSignature(el *etree.Element) *etree.Element {
	c := el.Copy()
	if s := c.SelectElement("ds:Signature"); s != nil {
		c.RemoveChild(s)
	}
	return c
}

// The red-team list: each attack starts from a response the IdP signed
// and must be refused, and nothing the attacker wrote may come out as
// signed.
func TestVerifyRefusesAttacks(t *testing.T) {
	attacks := []struct {
		name      string
		signResp  bool
		signAsrt  bool
		tamper    func(t *testing.T, doc *etree.Document)
		wantKinds []error
	}{
		// XSW1: a forged Response at the root, the signed original moved
		// into its Signature's Object.
		{"XSW1 signed Response wrapped in the Signature of a forged one", true, false, func(t *testing.T, doc *etree.Document) {
			orig := doc.Root().Copy()
			forged := withoutSignature(doc.Root())
			forged.CreateAttr("ID", "_forged")
			setNameID(t, forged, evil)
			sig := doc.Root().SelectElement("ds:Signature").Copy()
			sig.CreateElement("ds:Object").AddChild(orig)
			forged.InsertChildAt(1, sig)
			doc.SetRoot(forged)
		}, []error{assertion.ErrRefused}},
		// XSW2: the same with the original as a detached sibling inside
		// the forged Response.
		{"XSW2 signed Response beside a forged one", true, false, func(t *testing.T, doc *etree.Document) {
			orig := doc.Root().Copy()
			forged := withoutSignature(doc.Root())
			forged.CreateAttr("ID", "_forged")
			setNameID(t, forged, evil)
			sig := doc.Root().SelectElement("ds:Signature").Copy()
			forged.InsertChildAt(1, sig)
			forged.InsertChildAt(2, orig)
			doc.SetRoot(forged)
		}, []error{assertion.ErrRefused}},
		// XSW3: a forged Assertion before the signed one.
		{"XSW3 forged Assertion before the signed one", false, true, func(t *testing.T, doc *etree.Document) {
			a := doc.Root().SelectElement("saml:Assertion")
			forged := withoutSignature(a)
			forged.CreateAttr("ID", "_forged")
			setNameID(t, forged, evil)
			doc.Root().InsertChildAt(a.Index(), forged)
		}, []error{assertion.ErrRefused}},
		// XSW4: the signed Assertion inside a forged one.
		{"XSW4 signed Assertion inside a forged one", false, true, func(t *testing.T, doc *etree.Document) {
			a := doc.Root().SelectElement("saml:Assertion")
			forged := withoutSignature(a)
			forged.CreateAttr("ID", "_forged")
			setNameID(t, forged, evil)
			forged.AddChild(a.Copy())
			doc.Root().RemoveChild(a)
			doc.Root().AddChild(forged)
		}, []error{assertion.ErrRefused}},
		// XSW5: the Signature moved to a forged Assertion with the
		// original's ID, the original moved aside.
		{"XSW5 signature on a forged Assertion, original appended", false, true, func(t *testing.T, doc *etree.Document) {
			a := doc.Root().SelectElement("saml:Assertion")
			forged := a.Copy()
			setNameID(t, forged, evil)
			doc.Root().RemoveChild(a)
			doc.Root().AddChild(forged)
			doc.Root().AddChild(withoutSignature(a))
		}, []error{assertion.ErrRefused}},
		// XSW6: the original inside the Signature's Object of the forged
		// Assertion.
		{"XSW6 signed Assertion in the Signature Object of a forged one", false, true, func(t *testing.T, doc *etree.Document) {
			a := doc.Root().SelectElement("saml:Assertion")
			forged := a.Copy()
			forged.CreateAttr("ID", "_forged")
			setNameID(t, forged, evil)
			forged.SelectElement("ds:Signature").CreateElement("ds:Object").AddChild(withoutSignature(a))
			doc.Root().RemoveChild(a)
			doc.Root().AddChild(forged)
		}, []error{assertion.ErrRefused}},
		// XSW7: the original inside an Extensions element of the
		// Response, a forged Assertion in its place.
		{"XSW7 signed Assertion hidden in Extensions", false, true, func(t *testing.T, doc *etree.Document) {
			a := doc.Root().SelectElement("saml:Assertion")
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(a.Copy())
			forged := withoutSignature(a)
			setNameID(t, forged, evil)
			doc.Root().RemoveChild(a)
			doc.Root().InsertChildAt(1, ext)
			doc.Root().AddChild(forged)
		}, []error{assertion.ErrRefused}},
		// XSW8: the original inside an Object of the forged Assertion's
		// copied Signature, the forged one carrying the original's ID.
		{"XSW8 signed Assertion in an Object of its own copied Signature", false, true, func(t *testing.T, doc *etree.Document) {
			a := doc.Root().SelectElement("saml:Assertion")
			forged := a.Copy()
			setNameID(t, forged, evil)
			obj := forged.SelectElement("ds:Signature").CreateElement("ds:Object")
			obj.AddChild(withoutSignature(a))
			doc.Root().RemoveChild(a)
			doc.Root().AddChild(forged)
		}, []error{assertion.ErrRefused}},
		{"comment injected into the signed NameID", false, true, func(t *testing.T, doc *etree.Document) {
			n := find(t, doc.Root(), "NameID")
			n.SetText("ada@example.com")
			n.AddChild(etree.NewComment(""))
			n.AddChild(etree.NewText(".evil.example"))
		}, []error{assertion.ErrSignature}},
		{"NameID changed", true, true, func(t *testing.T, doc *etree.Document) { setNameID(t, doc.Root(), evil) }, []error{assertion.ErrSignature}},
		{"attribute value changed", false, true, func(t *testing.T, doc *etree.Document) {
			find(t, doc.Root(), "AttributeValue").SetText("admin")
		}, []error{assertion.ErrSignature}},
		{"signature stripped", false, true, func(t *testing.T, doc *etree.Document) {
			a := doc.Root().SelectElement("saml:Assertion")
			a.RemoveChild(a.SelectElement("ds:Signature"))
		}, []error{assertion.ErrSignature}},
		{"re-signed by another key", true, false, func(t *testing.T, doc *etree.Document) {
			r := withoutSignature(doc.Root())
			setNameID(t, r, evil)
			doc.SetRoot(sign(t, current(t, "https://evil.example"), r, ""))
		}, []error{assertion.ErrSignature}},
		{"DOCTYPE with an entity", true, true, func(t *testing.T, doc *etree.Document) {
			doc.InsertChildAt(0, etree.NewDirective(`DOCTYPE r [<!ENTITY e "x">]`))
		}, []error{assertion.ErrRefused}},
		{"namespace-prefixed XML attribute", false, true, func(t *testing.T, doc *etree.Document) {
			d := find(t, doc.Root(), "SubjectConfirmationData")
			d.CreateAttr("xmlns:ev", "urn:evil")
			d.CreateAttr("ev:Recipient", "https://evil.example/acs")
		}, []error{assertion.ErrRefused}},
		{"prefix that poses as an attribute", false, true, func(t *testing.T, doc *etree.Document) {
			find(t, doc.Root(), "SubjectConfirmationData").CreateAttr("xmlns:Recipient", "https://evil.example/acs")
		}, []error{assertion.ErrRefused}},
		{"duplicate XML attribute", true, false, func(t *testing.T, doc *etree.Document) {
			doc.Root().Attr = append(doc.Root().Attr, etree.Attr{Key: "Destination", Value: "https://evil.example/acs"})
		}, []error{assertion.ErrRefused}},
		{"root is a bare Assertion", false, true, func(t *testing.T, doc *etree.Document) {
			doc.SetRoot(doc.Root().SelectElement("saml:Assertion").Copy())
		}, []error{assertion.ErrRefused}},
		{"two root elements", true, false, func(t *testing.T, doc *etree.Document) {
			doc.AddChild(doc.Root().Copy())
		}, []error{assertion.ErrRefused, assertion.ErrUnreadable}},
		{"two elements with one ID", true, false, func(t *testing.T, doc *etree.Document) {
			find(t, doc.Root(), "Assertion").CreateAttr("ID", doc.Root().SelectAttrValue("ID", ""))
		}, []error{assertion.ErrRefused}},
	}
	for _, tc := range attacks {
		t.Run(tc.name, func(t *testing.T) {
			f := goodFixture(t)
			f.signResponse, f.signAssertion = tc.signResp, tc.signAsrt
			doc := f.build(t)
			md := testMetadata(t, testIDP, f.signer)
			if _, err := assertion.Verify(bytesOf(t, doc), md, testExpectations()); err != nil {
				t.Fatalf("the untouched response is refused: %v", err)
			}
			if _, err := assertion.Verify(bytesOf(t, doc), md, assertion.WithOwnSignatureCheck(testExpectations())); err != nil {
				t.Fatalf("the untouched response is refused by the own signature check: %v", err)
			}
			tc.tamper(t, doc)
			b := bytesOf(t, doc)
			if res, err := assertion.Verify(b, md, testExpectations()); err == nil || res != nil {
				t.Fatalf("Verify = %v, %v; want a nil Result and an error", res, err)
			}
			res, err := assertion.Inspect(b, md, testExpectations())
			if err == nil {
				t.Fatalf("accepted")
			}
			matched := false
			for _, k := range tc.wantKinds {
				matched = matched || errors.Is(err, k)
			}
			if !matched {
				t.Errorf("err = %v, want one of %v", err, tc.wantKinds)
			}
			// The signature check that verifies what goxmldsig refuses
			// (ADFS's SHA-384 URI, short RSA keys) is held to the same
			// attacks.
			own, ownErr := assertion.Inspect(b, md, assertion.WithOwnSignatureCheck(testExpectations()))
			var e, ownE *assertion.Error
			if !errors.As(err, &e) || !errors.As(ownErr, &ownE) || !errors.Is(e.Kind, ownE.Kind) || e.Check != ownE.Check || e.Detail != ownE.Detail {
				t.Errorf("own signature check: err = %v, goxmldsig's %v", ownErr, err)
			}
			if own != nil && own.Assertion.Signed && strings.Contains(own.Assertion.NameID.Value, "evil") {
				t.Errorf("own signature check: the attacker's NameID %q came out as signed", own.Assertion.NameID.Value)
			}
			if res != nil && res.Assertion.Signed && strings.Contains(res.Assertion.NameID.Value, "evil") {
				t.Errorf("the attacker's NameID %q came out as signed", res.Assertion.NameID.Value)
			}
			if _, lerr := res.Login(); lerr == nil {
				t.Errorf("a refused response made a login")
			}
		})
	}
}

// A comment inside a signed NameID is not part of what was signed; the
// NameID read is the signed text, comments dropped, as canonicalization
// defines it (CVE-2018-7340 read only the text before the comment).
func TestVerifyReadsNameIDAcrossComments(t *testing.T) {
	f := goodFixture(t)
	f.nameID = "ada@example.com.evil.example"
	f.signResponse = false
	doc := f.build(t)
	n := find(t, doc.Root(), "NameID")
	n.SetText("ada@example.com")
	n.AddChild(etree.NewComment("x"))
	n.AddChild(etree.NewText(".evil.example"))
	res, err := assertion.Verify(bytesOf(t, doc), testMetadata(t, testIDP, f.signer), testExpectations())
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Assertion.NameID.Value; got != "ada@example.com.evil.example" {
		t.Errorf("NameID %q, want the whole signed text", got)
	}
}

// More attacks on the signature itself, each from a response the IdP
// signed.
func TestVerifyRefusesSignatureTricks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		build  func(t *testing.T, f fixture) *etree.Document
		kind   error
		signed bool // whether a valid signature should still be reported
	}{
		{"valid Response, Assertion signed by another key", func(t *testing.T, f fixture) *etree.Document {
			a := reparse(t, sign(t, current(t, "https://evil.example"), reparse(t, f.assertionElement()), ""))
			doc := etree.NewDocument()
			doc.SetRoot(reparse(t, sign(t, f.signer, reparse(t, f.responseElement(a)), "")))
			return doc
		}, assertion.ErrSignature, false},
		{"Response signature referencing the Assertion", func(t *testing.T, f fixture) *etree.Document {
			f.signAssertion = false
			doc := f.build(t)
			find(t, doc.Root(), "Reference").CreateAttr("URI", "#_a-1")
			return doc
		}, assertion.ErrSignature, false},
		{"two References", func(t *testing.T, f fixture) *etree.Document {
			f.signAssertion = false
			doc := f.build(t)
			ref := find(t, doc.Root(), "Reference")
			ref.Parent().AddChild(ref.Copy())
			return doc
		}, assertion.ErrSignature, false},
		{"encrypted assertion in an unsigned Response", func(t *testing.T, f fixture) *etree.Document {
			r := f.responseElement(nil)
			r.CreateElement("saml:EncryptedAssertion").CreateElement("xenc:EncryptedData").CreateAttr("xmlns:xenc", "http://www.w3.org/2001/04/xmlenc#")
			doc := etree.NewDocument()
			doc.SetRoot(reparse(t, r))
			return doc
		}, assertion.ErrEncrypted, false},
		{"encrypted assertion in a signed Response", func(t *testing.T, f fixture) *etree.Document {
			r := f.responseElement(nil)
			r.CreateElement("saml:EncryptedAssertion").CreateElement("xenc:EncryptedData").CreateAttr("xmlns:xenc", "http://www.w3.org/2001/04/xmlenc#")
			doc := etree.NewDocument()
			doc.SetRoot(reparse(t, sign(t, f.signer, reparse(t, r), "")))
			return doc
		}, assertion.ErrEncrypted, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := goodFixture(t)
			doc, md := bytesOf(t, tc.build(t, f)), testMetadata(t, testIDP, f.signer)
			for _, want := range []assertion.Expectations{testExpectations(), assertion.WithOwnSignatureCheck(testExpectations())} {
				res, err := assertion.Inspect(doc, md, want)
				if !errors.Is(err, tc.kind) {
					t.Fatalf("err = %v, want %v", err, tc.kind)
				}
				if got := res != nil && res.Signature.Verified; got != tc.signed {
					t.Errorf("signature verified %v, want %v", got, tc.signed)
				}
			}
		})
	}
}

// A Reference URI of "" names the whole document: an Assertion signature
// that says so covers the Response around it (python3-saml's
// response_without_assertion_reference_uri).
func TestVerifyWholeDocumentReference(t *testing.T) {
	f := goodFixture(t)
	r := reparse(t, f.responseElement(f.assertionElement()))
	r.RemoveAttr("ID")
	signed := reparse(t, sign(t, f.signer, r, ""))
	if got := find(t, signed, "Reference").SelectAttrValue("URI", "?"); got != "" {
		t.Fatalf("the fixture's Reference URI is %q, want \"\"", got)
	}
	sig := signed.SelectElement("ds:Signature")
	signed.RemoveChild(sig)
	a := signed.SelectElement("saml:Assertion")
	a.InsertChildAt(a.SelectElement("saml:Issuer").Index()+1, sig)
	doc := etree.NewDocument()
	doc.SetRoot(signed)
	res, err := assertion.Verify(bytesOf(t, doc), testMetadata(t, testIDP, f.signer), testExpectations())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Response.Signed || strings.Join(res.Signature.Elements, ",") != "Response" {
		t.Errorf("Response.Signed %v, elements %v; want the whole Response signed", res.Response.Signed, res.Signature.Elements)
	}
	// Changing the Response outside the Assertion breaks it.
	doc.Root().CreateAttr("Destination", "https://evil.example/acs")
	if _, err := assertion.Verify(bytesOf(t, doc), testMetadata(t, testIDP, f.signer), testExpectations()); !errors.Is(err, assertion.ErrSignature) {
		t.Errorf("tampered whole-document signature: err = %v, want ErrSignature", err)
	}
}

// When only the Assertion is signed, a value of the unsigned Response can
// fail a check but never make one pass: an attacker who edits the Response
// around a signed Assertion cannot supply what the Assertion lacks.
func TestVerifyUnsignedResponseCannotPassChecks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(t *testing.T, f fixture) *etree.Document
		check assertion.CheckName
	}{
		{
			// An IdP-initiated assertion posted as the answer to a request
			// the attacker saw: only the unsigned Response names it.
			name: "unsolicited assertion, request ID in the unsigned Response",
			build: func(t *testing.T, f fixture) *etree.Document {
				f.inResponseTo = ""
				doc := f.build(t)
				doc.Root().CreateAttr("InResponseTo", testRequest)
				return doc
			},
			check: assertion.CheckInResponseTo,
		},
		{
			name: "assertion for another ACS, the ACS in the unsigned Destination",
			build: func(t *testing.T, f fixture) *etree.Document {
				f.acs = "https://other-sp.example/acs"
				doc := f.build(t)
				doc.Root().CreateAttr("Destination", testACS)
				return doc
			},
			check: assertion.CheckDestination,
		},
		{
			name: "assertion without Issuer, the IdP in the unsigned Response Issuer",
			build: func(t *testing.T, f fixture) *etree.Document {
				a := reparse(t, f.assertionElement())
				a.RemoveChild(a.SelectElement("Issuer"))
				a = reparse(t, sign(t, f.signer, a, ""))
				doc := etree.NewDocument()
				doc.SetRoot(reparse(t, f.responseElement(a)))
				return doc
			},
			check: assertion.CheckIssuer,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := goodFixture(t)
			f.signResponse = false
			doc := tc.build(t, f)
			res, err := assertion.Inspect(bytesOf(t, doc), testMetadata(t, testIDP, f.signer), testExpectations())
			if res == nil || !res.Signature.Verified || res.Response.Signed {
				t.Fatalf("want a verified Assertion in an unsigned Response: %v", err)
			}
			if !errors.Is(err, assertion.ErrCheck) {
				t.Fatalf("err = %v, want ErrCheck", err)
			}
			if c := res.Check(tc.check); c.Outcome != assertion.Failed {
				t.Errorf("check %s: %s (%s), want failed", tc.check, c.Outcome, c.Detail)
			}
		})
	}
}
