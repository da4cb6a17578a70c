package assertion_test

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/sso/assertion"
)

func TestVerifyAcceptsSignedResponses(t *testing.T) {
	for _, tc := range []struct {
		name              string
		response, assert  bool
		wantSignedElement []string
	}{
		{"response and assertion signed", true, true, []string{"Response", "Assertion"}},
		{"response signed", true, false, []string{"Response"}},
		{"assertion signed", false, true, []string{"Assertion"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := goodFixture(t)
			f.signResponse, f.signAssertion = tc.response, tc.assert
			md := testMetadata(t, testIDP, f.signer)
			res, err := assertion.Verify(bytesOf(t, f.build(t)), md, testExpectations())
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if strings.Join(res.Signature.Elements, ",") != strings.Join(tc.wantSignedElement, ",") {
				t.Errorf("signed elements %v, want %v", res.Signature.Elements, tc.wantSignedElement)
			}
			if p, f, n := res.Counts(); p != 9 || f != 0 || n != 0 {
				t.Errorf("checks passed/failed/not run = %d/%d/%d, want 9/0/0: %+v", p, f, n, res.Checks)
			}
			if !res.Assertion.Signed || res.Assertion.NameID.Value != "ada@example.com" || res.Assertion.Issuer != testIDP {
				t.Errorf("assertion %+v", res.Assertion)
			}
			if res.Response.Signed != tc.response {
				t.Errorf("Response.Signed = %v, want %v", res.Response.Signed, tc.response)
			}
			l, err := res.Login()
			if err != nil || strings.Join(l.Attributes["roles"], ",") != "agent,supervisor" || l.Identity != "ada@example.com" {
				t.Errorf("Login = %+v, %v", l, err)
			}
		})
	}
}

// An Assertion signed on its own while the Response declares xmlns:saml
// (SimpleSAMLphp, OneLogin, Oracle AM, Keycloak): the Assertion must be
// verified with the namespaces it inherits.
func TestVerifyAssertionInheritsResponseNamespaces(t *testing.T) {
	f := goodFixture(t)
	f.signResponse = false
	doc := f.build(t)
	a := find(t, doc.Root(), "Assertion")
	a.RemoveAttr("xmlns:saml")
	if doc.Root().SelectAttr("xmlns:saml") == nil {
		t.Fatal("the fixture's Response does not declare xmlns:saml")
	}
	res, err := assertion.Verify(bytesOf(t, doc), testMetadata(t, testIDP, f.signer), testExpectations())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if res.Response.Signed || !res.Assertion.Signed {
		t.Errorf("Response.Signed %v, Assertion.Signed %v; want unsigned Response around a signed Assertion", res.Response.Signed, res.Assertion.Signed)
	}
}

// A certificate outside its dates verifies, because the metadata names the
// key, and is a warning naming the dates.
func TestVerifyExpiredCertificateWarns(t *testing.T) {
	f := goodFixture(t)
	f.signer = testIDPKey(t, testIDP, testNow.AddDate(-3, 0, 0))
	res, err := assertion.Verify(bytesOf(t, f.build(t)), testMetadata(t, testIDP, f.signer), testExpectations())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], f.signer.cert.NotAfter.UTC().Format(time.RFC3339)) {
		t.Errorf("warnings %q, want one naming the expiry date", res.Warnings)
	}
}

// The response's KeyInfo never chooses the key: an RSAKeyValue, a malformed
// certificate or another certificate in it change nothing.
func TestVerifyIgnoresKeyInfo(t *testing.T) {
	other := current(t, "https://other.example.com")
	for _, tc := range []struct {
		name    string
		replace func(*etree.Element)
	}{
		{"RSAKeyValue", func(ki *etree.Element) {
			ki.Child = nil
			ki.CreateElement("ds:KeyValue").CreateElement("ds:RSAKeyValue").CreateElement("ds:Modulus").SetText("AQAB")
		}},
		{"malformed certificate", func(ki *etree.Element) {
			find(t, ki, "X509Certificate").SetText("bm90IGEgY2VydGlmaWNhdGU=")
		}},
		{"another certificate", func(ki *etree.Element) {
			find(t, ki, "X509Certificate").SetText(b64(other.cert.Raw))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := goodFixture(t)
			f.signAssertion = false // the Response signature covers an Assertion's KeyInfo
			doc := f.build(t)
			for _, ki := range doc.Root().FindElements(".//KeyInfo") {
				tc.replace(ki)
			}
			if _, err := assertion.Verify(bytesOf(t, doc), testMetadata(t, testIDP, f.signer), testExpectations()); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

func TestVerifyChecks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*fixture, *assertion.Expectations)
		check  assertion.CheckName
		kind   error
	}{
		{"wrong audience", func(f *fixture, _ *assertion.Expectations) { f.audience = "urn:flex:JQ0" }, assertion.CheckAudience, assertion.ErrCheck},
		{"wrong destination and recipient", func(f *fixture, _ *assertion.Expectations) { f.acs = "https://evil.example/acs" }, assertion.CheckDestination, assertion.ErrCheck},
		{"expired", func(_ *fixture, w *assertion.Expectations) { w.Now = testNow.Add(time.Hour) }, assertion.CheckValidity, assertion.ErrCheck},
		{"not yet valid", func(_ *fixture, w *assertion.Expectations) { w.Now = testNow.Add(-time.Hour) }, assertion.CheckValidity, assertion.ErrCheck},
		{"other request", func(f *fixture, _ *assertion.Expectations) { f.inResponseTo = "_req-other" }, assertion.CheckInResponseTo, assertion.ErrCheck},
		{"unsolicited", func(f *fixture, _ *assertion.Expectations) { f.inResponseTo = "" }, assertion.CheckInResponseTo, assertion.ErrCheck},
		{"spoofed issuer", func(f *fixture, _ *assertion.Expectations) { f.issuer = "https://other.example.com" }, assertion.CheckIssuer, assertion.ErrCheck},
		{"SHA-1 rejected", func(f *fixture, w *assertion.Expectations) {
			f.signatureMethod, w.RejectSHA1 = dsigRSASHA1, true
		}, assertion.CheckAlgorithm, assertion.ErrCheck},
		{"signed Responder status", func(f *fixture, _ *assertion.Expectations) { f.status = saml.StatusResponder }, assertion.CheckStatus, assertion.ErrStatus},
		{"no audience expected", func(_ *fixture, w *assertion.Expectations) { w.Audience = "" }, assertion.CheckAudience, assertion.ErrCheck},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, want := goodFixture(t), testExpectations()
			tc.change(&f, &want)
			res, err := assertion.Inspect(bytesOf(t, f.build(t)), testMetadata(t, testIDP, f.signer), want)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want %v", err, tc.kind)
			}
			var e *assertion.Error
			if !errors.As(err, &e) || e.Check != tc.check {
				t.Errorf("error check %v, want %s", e, tc.check)
			}
			if res == nil || res.Check(tc.check).Outcome != assertion.Failed {
				t.Fatalf("check %s not failed in %+v", tc.check, res)
			}
			if !res.Signature.Verified {
				t.Errorf("a check failure must not hide a valid signature")
			}
		})
	}
}

func TestVerifyUncheckedIsNotRunWhenAllowed(t *testing.T) {
	f := goodFixture(t)
	res, err := assertion.Verify(bytesOf(t, f.build(t)), testMetadata(t, testIDP, f.signer), assertion.Expectations{Now: testNow, AllowUnchecked: true})
	if err != nil {
		t.Fatal(err)
	}
	if p, fl, n := res.Counts(); p != 5 || fl != 0 || n != 4 {
		t.Errorf("passed/failed/not run %d/%d/%d, want 5/0/4", p, fl, n)
	}
	// Checks not run are no checks passed: a response addressed to any
	// service provider, answering any request, makes no login.
	if l, err := res.Login(); !errors.Is(err, assertion.ErrSignature) || l.Attributes != nil {
		t.Errorf("Login of a response verified with unchecked expectations = %+v, %v; want nothing and ErrSignature", l, err)
	}
	good, err := assertion.Verify(bytesOf(t, f.build(t)), testMetadata(t, testIDP, f.signer), testExpectations())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := good.Login(); err != nil {
		t.Errorf("a response verified with every expectation makes no login: %v", err)
	}
}

func TestVerifySHA1Warns(t *testing.T) {
	f := goodFixture(t)
	f.signatureMethod = dsigRSASHA1
	res, err := assertion.Verify(bytesOf(t, f.build(t)), testMetadata(t, testIDP, f.signer), testExpectations())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "SHA-1") {
		t.Errorf("warnings %q, want one about SHA-1", res.Warnings)
	}
}

const dsigRSASHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"

// Federation metadata gives each key to its entity only.
func TestVerifyFederationBindsKeysToEntities(t *testing.T) {
	a, b := current(t, "https://a.example.com"), current(t, "https://b.example.com")
	fed := etree.NewDocument()
	root := fed.CreateElement("md:EntitiesDescriptor")
	root.CreateAttr("xmlns:md", "urn:oasis:names:tc:SAML:2.0:metadata")
	root.AddChild(metadataXML("https://a.example.com", a))
	root.AddChild(metadataXML("https://b.example.com", b))
	md, err := assertion.ParseMetadata(bytesOf(t, fed))
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Entities()) != 2 {
		t.Fatalf("entities %d, want 2", len(md.Entities()))
	}
	f := goodFixture(t)
	f.signer, f.issuer = a, "https://a.example.com"
	if _, err := assertion.Verify(bytesOf(t, f.build(t)), md, testExpectations()); err != nil {
		t.Fatalf("a's own response: %v", err)
	}
	f.issuer = "https://b.example.com" // signed by a, claiming b
	if _, err := assertion.Verify(bytesOf(t, f.build(t)), md, testExpectations()); !errors.Is(err, assertion.ErrSignature) {
		t.Fatalf("a's key for b's issuer: err = %v, want ErrSignature", err)
	}
	f.issuer = "https://c.example.com"
	if _, err := assertion.Verify(bytesOf(t, f.build(t)), md, testExpectations()); !errors.Is(err, assertion.ErrSignature) {
		t.Fatalf("an issuer outside the federation: err = %v, want ErrSignature", err)
	}
}

func TestVerifyWithoutMetadataLabelsEverythingUnsigned(t *testing.T) {
	f := goodFixture(t)
	res, err := assertion.Inspect(bytesOf(t, f.build(t)), nil, testExpectations())
	if !errors.Is(err, assertion.ErrSignature) {
		t.Fatalf("err = %v, want ErrSignature", err)
	}
	if res.Assertion.Signed || res.Response.Signed || res.Signature.Verified {
		t.Errorf("unverified content labelled signed: %+v", res)
	}
	if res.Assertion.NameID.Value != "ada@example.com" {
		t.Errorf("NameID %q", res.Assertion.NameID.Value)
	}
	if _, err := res.Login(); !errors.Is(err, assertion.ErrSignature) {
		t.Errorf("Login of an unverified response: err = %v, want ErrSignature", err)
	}
	// The claims as they stand, for explaining, with no verification.
	if l := res.UnverifiedLogin(); l.Identity != "ada@example.com" || len(l.Attributes) == 0 || l.Source != flexroles.SSO {
		t.Errorf("UnverifiedLogin = %+v", l)
	}
	if l := (*assertion.Result)(nil).UnverifiedLogin(); l.Source != flexroles.SSO || l.Attributes == nil || len(l.Attributes) != 0 {
		t.Errorf("UnverifiedLogin of nil = %+v", l)
	}
}

// Only the signed Assertion's content is trusted: the unsigned Response
// around it is labelled so, and a Response Issuer that disagrees with the
// signed one fails the issuer check.
func TestVerifyUnsignedResponseAroundSignedAssertion(t *testing.T) {
	f := goodFixture(t)
	f.signResponse = false
	doc := f.build(t)
	doc.Root().SelectElement("saml:Issuer").SetText("https://evil.example.com")
	res, err := assertion.Inspect(bytesOf(t, doc), testMetadata(t, testIDP, f.signer), testExpectations())
	if !errors.Is(err, assertion.ErrCheck) || res.Check(assertion.CheckIssuer).Outcome != assertion.Failed {
		t.Fatalf("err = %v, issuer check %+v", err, res.Check(assertion.CheckIssuer))
	}
	if res.Response.Signed || res.Response.Issuer != "https://evil.example.com" || res.Assertion.Issuer != testIDP {
		t.Errorf("Response %+v, Assertion issuer %q", res.Response, res.Assertion.Issuer)
	}
}

// Without metadata a failed status or an encrypted assertion is still
// named, rather than only the missing verification.
func TestVerifyWithoutMetadataNamesStatusAndEncryption(t *testing.T) {
	f := goodFixture(t)
	f.status = saml.StatusRequester
	if _, err := assertion.Inspect(bytesOf(t, f.build(t)), nil, testExpectations()); !errors.Is(err, assertion.ErrStatus) {
		t.Errorf("Requester status: err = %v, want ErrStatus", err)
	}
	r := f.responseElement(nil)
	r.CreateElement("saml:EncryptedAssertion")
	doc := etree.NewDocument()
	doc.SetRoot(reparse(t, r))
	if _, err := assertion.Inspect(bytesOf(t, doc), nil, testExpectations()); !errors.Is(err, assertion.ErrEncrypted) {
		t.Errorf("encrypted: err = %v, want ErrEncrypted", err)
	}
}

// A metadata certificate Go's parser refuses (a negative serial number, as
// old IdP certificates have) still gives its key: the metadata vouches
// for it.
func TestVerifyKeyOfCertificateGoRefuses(t *testing.T) {
	f := goodFixture(t)
	der := append([]byte(nil), f.signer.cert.Raw...)
	serial := []byte{0x02, 0x01, 0x01} // INTEGER 1, the fixture's serial
	i := bytes.Index(der, serial)
	if i < 0 {
		t.Fatal("no serial number in the fixture certificate")
	}
	der[i+2] = 0xff // INTEGER -1
	if _, err := x509.ParseCertificate(der); err == nil {
		t.Fatal("x509 accepts a negative serial number; the test needs another flaw")
	}
	md := etree.NewDocument()
	md.SetRoot(metadataXML(testIDP, f.signer))
	find(t, md.Root(), "X509Certificate").SetText(b64(der))
	m, err := assertion.ParseMetadata(bytesOf(t, md))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := assertion.Verify(bytesOf(t, f.build(t)), m, testExpectations()); err != nil {
		t.Fatal(err)
	}
}

// A failed verification gives nothing to use: Verify returns a nil Result
// with the error, whatever failed, so that a caller cannot read a login
// from a refused response (gosaml2's WarningInfo trap). The checks that
// explain the refusal come from Inspect, whose Result makes no login
// either.
func TestVerifyFailureGivesNothingUsable(t *testing.T) {
	for _, tc := range []struct {
		name    string
		change  func(t *testing.T, f *fixture, want *assertion.Expectations) []byte
		wantErr error
		check   assertion.CheckName // the check Inspect lists as failed
		reason  string
	}{
		{"expired", func(t *testing.T, f *fixture, want *assertion.Expectations) []byte {
			want.Now = testNow.Add(time.Hour)
			return bytesOf(t, f.build(t))
		}, assertion.ErrCheck, assertion.CheckValidity, "rule 6: validity at Now within ClockSkew"},
		{"another audience", func(t *testing.T, f *fixture, _ *assertion.Expectations) []byte {
			f.audience = "urn:flex:JQ0123456789abcdef0123456789abcdef"
			return bytesOf(t, f.build(t))
		}, assertion.ErrCheck, assertion.CheckAudience, "rule 6: the audience is the service provider's"},
		{"bad signature", func(t *testing.T, f *fixture, _ *assertion.Expectations) []byte {
			doc := f.build(t)
			find(t, doc.Root(), "NameID").SetText("eve@example.com")
			return bytesOf(t, doc)
		}, assertion.ErrSignature, assertion.CheckSignature, "rule 4: a present signature must be valid"},
		{"no metadata", nil, assertion.ErrMetadata, "", "Verify verifies against metadata or not at all"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, want := goodFixture(t), testExpectations()
			md := testMetadata(t, testIDP, f.signer)
			var response []byte
			if tc.change == nil {
				response, md = bytesOf(t, f.build(t)), nil
			} else {
				response = tc.change(t, &f, &want)
			}
			res, err := assertion.Verify(response, md, want)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v (%s)", err, tc.wantErr, tc.reason)
			}
			if res != nil {
				t.Fatalf("Verify returned a Result with %v", err)
			}
			if _, lerr := res.Login(); !errors.Is(lerr, assertion.ErrSignature) {
				t.Errorf("Login of the nil Result: err = %v, want ErrSignature", lerr)
			}
			if tc.check == "" {
				return
			}
			// The ledger, for a debugger: the same error, every check.
			ires, ierr := assertion.Inspect(response, md, want)
			if ierr == nil || ierr.Error() != err.Error() {
				t.Errorf("Inspect's error %v, Verify's %v", ierr, err)
			}
			if ires == nil || len(ires.Checks) != 9 || ires.Check(tc.check).Outcome != assertion.Failed {
				t.Fatalf("Inspect's checks: %+v", ires)
			}
			if l, lerr := ires.Login(); !errors.Is(lerr, assertion.ErrSignature) || l.Attributes != nil || l.Identity != "" {
				t.Errorf("Login of an inspected refusal = %+v, %v; want nothing and ErrSignature", l, lerr)
			}
			if l := ires.UnverifiedLogin(); l.Identity == "" {
				t.Errorf("UnverifiedLogin lost the claims: %+v", l)
			}
		})
	}
}

// Inspect of an accepted response is Verify's: the Result makes the login.
func TestInspectAcceptedMakesLogin(t *testing.T) {
	f := goodFixture(t)
	md := testMetadata(t, testIDP, f.signer)
	res, err := assertion.Inspect(bytesOf(t, f.build(t)), md, testExpectations())
	if err != nil {
		t.Fatal(err)
	}
	if l, err := res.Login(); err != nil || l.Identity != "ada@example.com" {
		t.Errorf("Login = %+v, %v", l, err)
	}
	// A Result not made by Verify or Inspect makes no login, whatever it
	// says of itself.
	forged := assertion.Result{Checks: res.Checks, Signature: res.Signature, Response: res.Response, Assertion: res.Assertion}
	if _, err := forged.Login(); !errors.Is(err, assertion.ErrSignature) {
		t.Errorf("Login of a Result built by hand: err = %v, want ErrSignature", err)
	}
}

// The verifier's messages speak of expectations, never of a command's
// flags: a check without an expected value, and an expired response, as
// the bridge and any other caller see them.
func TestMessagesNameNoFlags(t *testing.T) {
	f := goodFixture(t)
	md := testMetadata(t, testIDP, f.signer)
	for _, want := range []assertion.Expectations{
		{Now: testNow},                       // nothing expected, unchecked checks fail
		{Now: testNow, AllowUnchecked: true}, // nothing expected, not run
		{Now: testNow.Add(time.Hour), Audience: testAudience, ACS: testACS, RequestIDs: []string{testRequest}}, // expired
	} {
		res, err := assertion.Inspect(bytesOf(t, f.build(t)), md, want)
		if res == nil {
			t.Fatalf("no Result: %v", err)
		}
		texts := []string{fmt.Sprint(err)}
		for _, c := range res.Checks {
			texts = append(texts, c.Detail)
		}
		for _, s := range texts {
			if strings.Contains(s, "--") || strings.Contains(s, "flexroles saml") {
				t.Errorf("a message names a command's flag: %q", s)
			}
		}
	}
}

// BenchmarkVerify verifies the fixture response (Response and Assertion
// signed) with goxmldsig, and with this package's own signature check,
// which serves the signatures goxmldsig refuses (ADFS's SHA-384 URI,
// short RSA keys).
func BenchmarkVerify(b *testing.B) {
	f := goodFixture(b)
	doc, md := bytesOf(b, f.build(b)), testMetadata(b, testIDP, f.signer)
	for _, bc := range []struct {
		name string
		want assertion.Expectations
	}{
		{"goxmldsig", testExpectations()},
		{"own check", assertion.WithOwnSignatureCheck(testExpectations())},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := assertion.Verify(doc, md, bc.want); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
