package main

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"flag"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/require"
)

// update rewrites the SAML fixtures in testdata/saml: go test -run TestSAMLFixtures -update
var update = flag.Bool("update", false, "rewrite the SAML fixtures in testdata/saml")

const samlData = "testdata/saml"

// samlFixture is one SAMLResponse in the shape an IdP really sends, and how
// it is signed and encoded as people copy it.
type samlFixture struct {
	file         string
	xml          string
	signResponse bool // sign the Response; else the Assertion
	urlEncoded   bool // as copied from a form post body
	deflated     bool
}

// The service provider the fixtures are for: Flex's legacy SSO of a test
// account, and the time they were issued at (give --now to verify them).
const (
	fixtureAccount = "AC0123456789abcdef0123456789abcdef"
	fixtureACS     = "https://iam.twilio.com/v1/Accounts/" + fixtureAccount + "/saml2"
	fixtureNow     = "2026-11-25T10:00:00Z"
)

// samlResponseXML wraps an attribute statement in a response from issuer
// to Flex's legacy ACS of fixtureAccount, issued at fixtureNow.
func samlResponseXML(issuer, nameID, attributes string) string {
	at, _ := time.Parse(time.RFC3339, fixtureNow)
	return samlResponseXMLAt(issuer, nameID, attributes, at)
}

// samlResponseXMLAt is samlResponseXML issued at at, good from five
// minutes before to five minutes after.
func samlResponseXMLAt(issuer, nameID, attributes string, at time.Time) string {
	stamp := func(d time.Duration) string { return at.Add(d).UTC().Format(time.RFC3339) }
	return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_resp1" Version="2.0" IssueInstant="` + stamp(0) + `" Destination="` + fixtureACS + `">` +
		`<saml:Issuer>` + issuer + `</saml:Issuer>` +
		`<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
		`<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_assert1" Version="2.0" IssueInstant="` + stamp(0) + `">` +
		`<saml:Issuer>` + issuer + `</saml:Issuer>` +
		`<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">` + nameID + `</saml:NameID>` +
		`<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="` + stamp(5*time.Minute) + `" Recipient="` + fixtureACS + `"/></saml:SubjectConfirmation></saml:Subject>` +
		`<saml:Conditions NotBefore="` + stamp(-5*time.Minute) + `" NotOnOrAfter="` + stamp(5*time.Minute) + `"><saml:AudienceRestriction><saml:Audience>` + fixtureACS + `/metadata</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
		`<saml:AttributeStatement>` + attributes + `</saml:AttributeStatement>` +
		`</saml:Assertion></samlp:Response>`
}

func samlAttr(name string, values ...string) string {
	var b strings.Builder
	b.WriteString(`<saml:Attribute Name="` + name + `" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">`)
	for _, v := range values {
		b.WriteString(`<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">` + v + `</saml:AttributeValue>`)
	}
	return b.String() + `</saml:Attribute>`
}

// fixtureIssuers are the entity IDs of the fixtures' IdPs.
var fixtureIssuers = []string{"http://www.okta.com/exk1owlbank", "https://sts.windows.net/0b6a7d7e-1f2e-4c3d-9a8b-7c6d5e4f3a2b/", "https://accounts.google.com/o/saml2?idpid=C01abcdef"}

// samlFixtures are the claim shapes each IdP sends by default or as Flex's
// setup guides configure it.
var samlFixtures = []samlFixture{
	{
		// Okta: the roles profile attribute joined into one value.
		file: "okta.txt",
		xml: samlResponseXML(fixtureIssuers[0], "ana.diaz@owlbank.example",
			samlAttr("roles", "agent,supervisor,wfo.team_leader")+
				samlAttr("email", "ana.diaz@owlbank.example")+
				samlAttr("full_name", "Ana Diaz")+
				samlAttr("department", "Sales")),
	},
	{
		// Entra ID: the default namespaced claims, and app roles as several
		// values of the namespaced role claim, which Flex does not map.
		file:         "entra.txt",
		urlEncoded:   true,
		signResponse: false,
		xml: samlResponseXML(fixtureIssuers[1], "ben.okafor@owlbank.example",
			samlAttr("http://schemas.microsoft.com/identity/claims/tenantid", "0b6a7d7e-1f2e-4c3d-9a8b-7c6d5e4f3a2b")+
				samlAttr("http://schemas.microsoft.com/identity/claims/objectidentifier", "5e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b")+
				samlAttr("http://schemas.microsoft.com/identity/claims/displayname", "Ben Okafor")+
				samlAttr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "Ben")+
				samlAttr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "Okafor")+
				samlAttr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "ben.okafor@owlbank.example")+
				samlAttr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "ben.okafor@owlbank.example")+
				samlAttr("http://schemas.microsoft.com/ws/2008/06/identity/claims/role", "supervisor", "wfo.quality_manager")),
	},
	{
		// Google Workspace: a multi-value custom attribute, one role per
		// value, and the user's groups.
		file:         "google.txt",
		deflated:     true,
		signResponse: true,
		xml: samlResponseXML(fixtureIssuers[2], "chen.li@owlbank.example",
			samlAttr("roles", "supervisor", "wfo.data_analyst")+
				samlAttr("email", "chen.li@owlbank.example")+
				samlAttr("full_name", "Chen Li")+
				samlAttr("groups", "CC-Analytics", "All Staff")),
	},
}

// TestSAMLFixtures checks that the committed fixtures are what the
// generator makes of samlFixtures, and rewrites them with -update.
func TestSAMLFixtures(t *testing.T) {
	if !*update {
		for _, f := range samlFixtures {
			_, err := os.Stat(filepath.Join(samlData, f.file))
			require.NoError(t, err, "run go test -run TestSAMLFixtures -update ./cmd/flexroles")
		}
		return
	}
	key, cert := fixtureKey(t)
	for _, f := range samlFixtures {
		signed := signFixture(t, f, key, cert)
		require.NoError(t, os.WriteFile(filepath.Join(samlData, f.file), []byte(encodeFixture(t, f, signed)+"\n"), 0o644))
	}
	// Federation metadata naming each fixture's IdP, all with the test key.
	meta := `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">`
	for _, issuer := range fixtureIssuers {
		meta += `<md:EntityDescriptor entityID="` + issuer + `">` +
			`<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
			`<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` +
			base64.StdEncoding.EncodeToString(cert.Raw) +
			`</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
			`<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + issuer + `/sso"/>` +
			`</md:IDPSSODescriptor></md:EntityDescriptor>`
	}
	meta += `</md:EntitiesDescriptor>` + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(samlData, "idp-metadata.xml"), []byte(meta), 0o644))
}

// fixtureKey makes the test IdP's key and a self-signed certificate valid
// for a century, so the fixtures keep verifying.
func fixtureKey(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "idp.owlbank.example test IdP"},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2126, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return key, cert
}

// signFixture signs the fixture's Assertion (or Response) with an enveloped
// signature, as IdPs do.
func signFixture(t *testing.T, f samlFixture, key *rsa.PrivateKey, cert *x509.Certificate) []byte {
	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromString(f.xml))
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key}))
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	target := doc.Root()
	if !f.signResponse {
		target = doc.Root().SelectElement("Assertion")
	}
	signed, err := ctx.SignEnveloped(target)
	require.NoError(t, err)
	if f.signResponse {
		doc.SetRoot(signed)
	} else {
		parent := doc.Root()
		i := target.Index()
		parent.RemoveChildAt(i)
		parent.InsertChildAt(i, signed)
	}
	out, err := doc.WriteToBytes()
	require.NoError(t, err)
	return out
}

// encodeFixture encodes signed XML the way it is copied from a browser.
func encodeFixture(t *testing.T, f samlFixture, xml []byte) string {
	if f.deflated {
		var b bytes.Buffer
		w, err := flate.NewWriter(&b, flate.BestCompression)
		require.NoError(t, err)
		_, err = w.Write(xml)
		require.NoError(t, err)
		require.NoError(t, w.Close())
		xml = b.Bytes()
	}
	s := base64.StdEncoding.EncodeToString(xml)
	if f.urlEncoded {
		s = "SAMLResponse=" + url.QueryEscape(s)
	}
	return s
}
