package assertion_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/flexroles/flexroles/sso/assertion"
)

// The service provider and clock of the fixtures.
const (
	testACS      = "https://iam.twilio.com/v1/Accounts/AC0123456789abcdef0123456789abcdef/saml2"
	testAudience = testACS + "/metadata"
	testRequest  = "_req-1"
	testIDP      = "https://idp.example.com/saml"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testExpectations are the expectations of a Flex login at testNow.
func testExpectations() assertion.Expectations {
	return assertion.Expectations{Audience: testAudience, ACS: testACS, RequestIDs: []string{testRequest}, Now: testNow}
}

// idp is a test IdP: a key and a self-signed certificate.
type idp struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

var (
	idpMu    sync.Mutex
	idpCache = map[string]*idp{}
)

// testIDPKey returns the IdP called name, made once per test binary; its
// certificate is valid from notBefore for a year.
func testIDPKey(t testing.TB, name string, notBefore time.Time) *idp {
	t.Helper()
	idpMu.Lock()
	defer idpMu.Unlock()
	cacheKey := name + notBefore.String()
	if k := idpCache[cacheKey]; k != nil {
		return k
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	k := selfSigned(t, key, name, notBefore, notBefore.AddDate(1, 0, 0))
	idpCache[cacheKey] = k
	return k
}

// selfSigned returns the IdP with key and a self-signed certificate for
// name, valid from notBefore to notAfter. The certificate is the same for
// the same arguments: RSA PKCS #1 v1.5 signatures are deterministic.
func selfSigned(t testing.TB, key *rsa.PrivateKey, name string, notBefore, notAfter time.Time) *idp {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: notBefore, NotAfter: notAfter,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &idp{key: key, cert: cert}
}

// current returns the IdP called name with a certificate valid at testNow.
func current(t testing.TB, name string) *idp {
	return testIDPKey(t, name, testNow.AddDate(0, -1, 0))
}

// metadataXML returns an EntityDescriptor giving k to entityID, built with
// crewjam/saml's metadata types.
func metadataXML(entityID string, k *idp) *etree.Element {
	ed := saml.EntityDescriptor{
		EntityID: entityID,
		IDPSSODescriptors: []saml.IDPSSODescriptor{{
			SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
				ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol",
				KeyDescriptors: []saml.KeyDescriptor{{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
					X509Certificates: []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(k.cert.Raw)}},
				}}}},
			}},
			SingleSignOnServices: []saml.Endpoint{{Binding: saml.HTTPPostBinding, Location: entityID + "/sso"}},
		}},
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(mustMarshal(ed)); err != nil {
		panic(err)
	}
	return doc.Root()
}

// testMetadata parses the metadata of one IdP.
func testMetadata(t testing.TB, entityID string, k *idp) *assertion.Metadata {
	t.Helper()
	doc := etree.NewDocument()
	doc.SetRoot(metadataXML(entityID, k))
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	md, err := assertion.ParseMetadata(b)
	if err != nil {
		t.Fatal(err)
	}
	return md
}

// fixture describes a response; build makes it, signed as it says.
type fixture struct {
	signer          *idp
	issuer          string // of the Assertion and the Response
	nameID          string
	attrs           []saml.Attribute
	status          string
	audience        string
	acs             string
	inResponseTo    string
	issued          time.Time
	signResponse    bool
	signAssertion   bool
	signatureMethod string
	authn           []saml.AuthnStatement // nil: one at issued, without context
}

// goodFixture is a response to testRequest from testIDP, valid at testNow,
// with both the Response and the Assertion signed.
func goodFixture(t testing.TB) fixture {
	return fixture{
		signer: current(t, testIDP), issuer: testIDP, nameID: "ada@example.com",
		attrs: []saml.Attribute{
			attr("roles", "agent", "supervisor"),
			attr("email", "ada@example.com"),
			attr("full_name", "Ada Lovelace"),
		},
		status: saml.StatusSuccess, audience: testAudience, acs: testACS, inResponseTo: testRequest,
		issued: testNow.Add(-time.Minute), signResponse: true, signAssertion: true,
	}
}

func attr(name string, values ...string) saml.Attribute {
	a := saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}
	for _, v := range values {
		a.Values = append(a.Values, saml.AttributeValue{Type: "xs:string", Value: v})
	}
	return a
}

// assertionElement builds the (unsigned) Assertion with crewjam/saml's
// types.
func (f fixture) assertionElement() *etree.Element {
	a := saml.Assertion{
		ID: "_a-1", IssueInstant: f.issued, Version: "2.0",
		Issuer: saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: f.issuer},
		Subject: &saml.Subject{
			NameID: &saml.NameID{Format: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", Value: f.nameID},
			SubjectConfirmations: []saml.SubjectConfirmation{{
				Method: "urn:oasis:names:tc:SAML:2.0:cm:bearer",
				SubjectConfirmationData: &saml.SubjectConfirmationData{
					InResponseTo: f.inResponseTo, NotOnOrAfter: f.issued.Add(5 * time.Minute), Recipient: f.acs,
				},
			}},
		},
		Conditions: &saml.Conditions{
			NotBefore: f.issued.Add(-time.Minute), NotOnOrAfter: f.issued.Add(5 * time.Minute),
			AudienceRestrictions: []saml.AudienceRestriction{{Audience: saml.Audience{Value: f.audience}}},
		},
		AuthnStatements:     f.authn,
		AttributeStatements: []saml.AttributeStatement{{Attributes: f.attrs}},
	}
	if a.AuthnStatements == nil {
		a.AuthnStatements = []saml.AuthnStatement{{AuthnInstant: f.issued, SessionIndex: "_s-1"}}
	}
	return a.Element()
}

// responseElement builds the unsigned Response around assertion.
func (f fixture) responseElement(assertionEl *etree.Element) *etree.Element {
	r := saml.Response{
		ID: "_r-1", InResponseTo: f.inResponseTo, Version: "2.0", IssueInstant: f.issued,
		Destination: f.acs,
		Issuer:      &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: f.issuer},
		Status:      saml.Status{StatusCode: saml.StatusCode{Value: f.status}},
	}
	el := r.Element()
	if assertionEl != nil {
		el.AddChild(assertionEl)
	}
	return el
}

// sign returns el with an enveloped signature by k, placed after its
// Issuer as SAML wants it.
func sign(t testing.TB, k *idp, el *etree.Element, method string) *etree.Element {
	t.Helper()
	ctx, err := dsig.NewSigningContext(k.key, [][]byte{k.cert.Raw})
	if err != nil {
		t.Fatal(err)
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if method != "" {
		if err := ctx.SetSignatureMethod(method); err != nil {
			t.Fatal(err)
		}
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		t.Fatal(err)
	}
	// Move the Signature from the end to just after the Issuer, through
	// the serialised form: SignEnveloped appends it without telling etree.
	signed = reparse(t, signed)
	sig := signed.ChildElements()[len(signed.ChildElements())-1]
	signed.RemoveChild(sig)
	signed.InsertChildAt(signed.ChildElements()[0].Index()+1, sig)
	return signed
}

// build returns the response document.
func (f fixture) build(t testing.TB) *etree.Document {
	t.Helper()
	// Each signed element is read back from its bytes before it is put
	// in a larger one, as an IdP's output is.
	a := f.assertionElement()
	if f.signAssertion {
		a = reparse(t, sign(t, f.signer, reparse(t, a), f.signatureMethod))
	}
	r := reparse(t, f.responseElement(a))
	if f.signResponse {
		r = reparse(t, sign(t, f.signer, r, f.signatureMethod))
	}
	doc := etree.NewDocument()
	doc.SetRoot(r)
	return doc
}

// reparse returns el as read back from its serialisation.
func reparse(t testing.TB, el *etree.Element) *etree.Element {
	t.Helper()
	doc := etree.NewDocument()
	doc.SetRoot(el.Copy())
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	back := etree.NewDocument()
	if err := back.ReadFromBytes(b); err != nil {
		t.Fatal(err)
	}
	return back.Root()
}

// bytesOf serialises doc.
func bytesOf(t testing.TB, doc *etree.Document) []byte {
	t.Helper()
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// find returns the first element under el (or el) with the given local
// name, or fails.
func find(t testing.TB, el *etree.Element, tag string) *etree.Element {
	t.Helper()
	if el.Tag == tag {
		return el
	}
	if f := el.FindElement(".//" + tag); f != nil {
		return f
	}
	t.Fatalf("no <%s> in the fixture", tag)
	return nil
}

func mustMarshal(v any) []byte {
	b, err := xml.Marshal(v)
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return b
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
