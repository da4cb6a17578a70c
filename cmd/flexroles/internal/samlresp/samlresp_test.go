package samlresp

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Destination="https://flex.example/acs">` +
	`<saml:Issuer>https://idp.example</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
	`<saml:Assertion><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"> a@example.com </saml:NameID></saml:Subject>` +
	`<saml:AttributeStatement>` +
	`<saml:Attribute Name="roles"><saml:AttributeValue>agent</saml:AttributeValue><saml:AttributeValue>supervisor</saml:AttributeValue></saml:Attribute>` +
	`<saml:Attribute Name="email" FriendlyName="mail"><saml:AttributeValue>a@example.com</saml:AttributeValue></saml:Attribute>` +
	`<saml:Attribute Name="nothing"/>` +
	`<saml:Attribute Name="nil"><saml:AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/></saml:Attribute>` +
	`<saml:Attribute Name="roles"><saml:AttributeValue>wfo.team_leader</saml:AttributeValue></saml:Attribute>` +
	`</saml:AttributeStatement></saml:Assertion></samlp:Response>`

func TestParse(t *testing.T) {
	r, err := Parse([]byte(sample))
	require.NoError(t, err)
	assert.Equal(t, "https://idp.example", r.Issuer)
	assert.Equal(t, "urn:oasis:names:tc:SAML:2.0:status:Success", r.Status)
	assert.Equal(t, "a@example.com", r.NameID, "NameID trimmed")
	assert.Equal(t, []Attribute{
		{Name: "roles", Values: []string{"agent", "supervisor"}},
		{Name: "email", FriendlyName: "mail", Values: []string{"a@example.com"}},
		{Name: "nothing", Values: []string{}},
		{Name: "nil", Values: []string{}},
		{Name: "roles", Values: []string{"wfo.team_leader"}},
	}, r.Attributes)
	assert.Equal(t, []string{"agent", "supervisor", "wfo.team_leader"}, r.Map()["roles"], "an attribute sent twice has both values")
	assert.False(t, r.ResponseSigned || r.AssertionSigned)
}

func TestDecodeForms(t *testing.T) {
	var deflated bytes.Buffer
	w, _ := flate.NewWriter(&deflated, flate.DefaultCompression)
	_, err := w.Write([]byte(sample))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	std := base64.StdEncoding.EncodeToString([]byte(sample))
	for name, in := range map[string]string{
		"xml":        "\n " + sample,
		"base64":     std,
		"unpadded":   strings.TrimRight(std, "="),
		"url":        base64.URLEncoding.EncodeToString([]byte(sample)),
		"urlencoded": "SAMLResponse=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(std),
		"deflated":   base64.StdEncoding.EncodeToString(deflated.Bytes()),
	} {
		got, err := Decode([]byte(in))
		require.NoError(t, err, name)
		assert.Equal(t, sample, strings.TrimSpace(string(got)), name)
	}
}

func TestDecodeBombIsBounded(t *testing.T) {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	_, err := w.Write(append([]byte("<"), bytes.Repeat([]byte("a"), 4*MaxSize)...))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.Less(t, b.Len(), 2*MaxSize, "the bomb itself is small")
	_, err = Decode([]byte(base64.StdEncoding.EncodeToString(b.Bytes())))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "over the limit")
}

// FuzzDecodeParse feeds arbitrary bytes to Decode and Parse: no panic, and
// an attribute list only on success.
func FuzzDecodeParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(base64.StdEncoding.EncodeToString([]byte(sample))))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><x/>`))
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Response>`))
	f.Fuzz(func(t *testing.T, in []byte) {
		doc, err := Decode(in)
		if err != nil {
			return
		}
		if len(doc) > MaxSize {
			t.Fatalf("Decode returned %d bytes, over MaxSize", len(doc))
		}
		r, err := Parse(doc)
		if err == nil && r == nil {
			t.Fatal("nil response without an error")
		}
	})
}
