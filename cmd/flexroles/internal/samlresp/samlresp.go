// Package samlresp reads a SAMLResponse as people copy it from a browser's
// developer tools or a SAML tracer: base64, URL-encoded or not, deflated or
// not. It reads what Flex reads from it (the NameID and the attributes of
// the one assertion) and refuses, with an error that says why, what is not
// a plain SAML 2.0 response: other XML, DOCTYPE declarations and entities,
// several assertions, encrypted assertions, oversized input. It checks no
// signature; callers that can verify one pass the verified element to
// Parse.
package samlresp

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxSize bounds a SAMLResponse, encoded or decoded. Real ones are a few
// kilobytes; a larger one is refused before it is decoded or inflated.
const MaxSize = 1 << 20

// The XML namespaces of SAML 2.0 and XML signatures.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsSignature = "http://www.w3.org/2000/09/xmldsig#"
)

// ErrNotSAML is input that is not a SAML 2.0 Response or Assertion.
var ErrNotSAML = errors.New("not a SAML 2.0 response")

// Decode turns a SAMLResponse as copied into its XML: it drops white space,
// undoes URL encoding (a "SAMLResponse=" prefix too), decodes base64
// (standard or URL alphabet, padded or not) and inflates a deflated
// response. Input that already is XML is returned as it is.
func Decode(in []byte) ([]byte, error) {
	if len(in) > MaxSize*2 {
		return nil, fmt.Errorf("the SAMLResponse is %d bytes, over the limit of %d", len(in), MaxSize*2)
	}
	s := strings.TrimSpace(string(in))
	if s == "" {
		return nil, errors.New("the SAMLResponse is empty")
	}
	if strings.HasPrefix(s, "<") {
		return checkSize([]byte(s))
	}
	s = strings.TrimPrefix(s, "SAMLResponse=")
	if strings.ContainsAny(s, "%") {
		u, err := url.QueryUnescape(s)
		if err != nil {
			return nil, fmt.Errorf("the SAMLResponse is neither base64 nor URL-encoded base64: %w", err)
		}
		s = u
	}
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	raw, err := decodeBase64(s)
	if err != nil {
		return nil, err
	}
	if looksLikeXML(raw) {
		return checkSize(raw)
	}
	inflated, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(raw)), MaxSize+1))
	if err != nil {
		return nil, errors.New("the SAMLResponse decodes from base64 but is neither XML nor deflated XML")
	}
	if !looksLikeXML(inflated) {
		return nil, errors.New("the SAMLResponse inflates to something that is not XML")
	}
	return checkSize(inflated)
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return nil, fmt.Errorf("the SAMLResponse is not valid base64: %q at offset %d", c, i)
		}
	}
	if len(s)%4 == 1 {
		return nil, fmt.Errorf("the SAMLResponse base64 is cut short (%d characters); copy the whole value", len(s))
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func looksLikeXML(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n\ufeff")
	return len(b) > 0 && b[0] == '<' && utf8.Valid(b)
}

func checkSize(b []byte) ([]byte, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("the SAML XML is over the limit of %d bytes", MaxSize)
	}
	return b, nil
}

// Response is what a SAML response tells about the user, as Flex reads it.
type Response struct {
	Issuer       string
	Destination  string
	Status       string // the top-level StatusCode, "" when absent
	NameID       string
	NameIDFormat string
	Attributes   []Attribute // in document order
	// ResponseSigned and AssertionSigned say where a Signature element
	// is; that says nothing about whether it is valid.
	ResponseSigned, AssertionSigned bool
}

// Attribute is one SAML attribute with its values as sent.
type Attribute struct {
	Name         string
	FriendlyName string
	Values       []string
}

// Map returns the attributes by name, values in document order, as Flex
// (and flexroles.Login) takes them; an attribute sent twice has the values
// of both.
func (r *Response) Map() map[string][]string {
	m := make(map[string][]string, len(r.Attributes))
	for _, a := range r.Attributes {
		m[a.Name] = append(m[a.Name], a.Values...)
	}
	return m
}

// The SAML elements Parse reads.
type (
	xmlResponse struct {
		XMLName     xml.Name
		Destination string         `xml:"Destination,attr"`
		Issuer      string         `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
		Status      xmlStatus      `xml:"urn:oasis:names:tc:SAML:2.0:protocol Status"`
		Signature   []struct{}     `xml:"http://www.w3.org/2000/09/xmldsig# Signature"`
		Assertions  []xmlAssertion `xml:"urn:oasis:names:tc:SAML:2.0:assertion Assertion"`
		Encrypted   []struct{}     `xml:"urn:oasis:names:tc:SAML:2.0:assertion EncryptedAssertion"`
	}
	xmlStatus struct {
		Code struct {
			Value string `xml:"Value,attr"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:protocol StatusCode"`
	}
	xmlAssertion struct {
		XMLName   xml.Name
		Issuer    string     `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
		Signature []struct{} `xml:"http://www.w3.org/2000/09/xmldsig# Signature"`
		NameID    struct {
			Format string `xml:"Format,attr"`
			Value  string `xml:",chardata"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Subject>NameID"`
		Statements []struct {
			Attributes []struct {
				Name         string `xml:"Name,attr"`
				FriendlyName string `xml:"FriendlyName,attr"`
				Values       []struct {
					Value string `xml:",chardata"`
					Nil   string `xml:"http://www.w3.org/2001/XMLSchema-instance nil,attr"`
				} `xml:"urn:oasis:names:tc:SAML:2.0:assertion AttributeValue"`
			} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Attribute"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:assertion AttributeStatement"`
	}
)

// Parse reads a SAML 2.0 Response, or a bare Assertion (such as the element
// a signature check returns). It refuses DOCTYPE declarations, several or
// encrypted assertions, and a response with no assertion.
func Parse(doc []byte) (*Response, error) {
	if len(doc) > MaxSize {
		return nil, fmt.Errorf("the SAML XML is over the limit of %d bytes", MaxSize)
	}
	root, err := rootElement(doc)
	if err != nil {
		return nil, err
	}
	var r Response
	var a xmlAssertion
	switch root {
	case xml.Name{Space: nsProtocol, Local: "Response"}:
		var x xmlResponse
		if err := xml.Unmarshal(doc, &x); err != nil {
			return nil, fmt.Errorf("the SAML response is not well-formed XML (cut short when copied?): %w", err)
		}
		r.Issuer, r.Destination, r.Status = strings.TrimSpace(x.Issuer), x.Destination, x.Status.Code.Value
		r.ResponseSigned = len(x.Signature) > 0
		switch {
		case len(x.Encrypted) > 0:
			return nil, errors.New("the assertion is encrypted (EncryptedAssertion): it can be read only with the service provider's private key; turn assertion encryption off in the IdP while debugging, or decrypt it first")
		case len(x.Assertions) == 0:
			if r.Status != "" && !strings.HasSuffix(r.Status, ":Success") {
				return nil, fmt.Errorf("the IdP answered with status %s and no assertion: the login failed at the IdP", r.Status)
			}
			return nil, errors.New("the SAML response has no Assertion")
		case len(x.Assertions) > 1:
			return nil, fmt.Errorf("the SAML response has %d assertions; Flex reads one, and several are a sign of a forged (signature-wrapping) response", len(x.Assertions))
		}
		a = x.Assertions[0]
	case xml.Name{Space: nsAssertion, Local: "Assertion"}:
		if err := xml.Unmarshal(doc, &a); err != nil {
			return nil, fmt.Errorf("the SAML assertion is not well-formed XML: %w", err)
		}
		r.Issuer = strings.TrimSpace(a.Issuer)
	default:
		return nil, fmt.Errorf("%w: the root element is %s, want a SAML 2.0 Response (%s)", ErrNotSAML, qualified(root), nsProtocol)
	}
	if r.Issuer == "" {
		r.Issuer = strings.TrimSpace(a.Issuer)
	}
	r.AssertionSigned = len(a.Signature) > 0
	r.NameID, r.NameIDFormat = strings.TrimSpace(a.NameID.Value), a.NameID.Format
	for _, st := range a.Statements {
		for _, at := range st.Attributes {
			attr := Attribute{Name: at.Name, FriendlyName: at.FriendlyName, Values: []string{}}
			for _, v := range at.Values {
				if v.Nil == "true" || v.Nil == "1" {
					continue
				}
				attr.Values = append(attr.Values, v.Value)
			}
			r.Attributes = append(r.Attributes, attr)
		}
	}
	return &r, nil
}

// rootElement returns the name of the document's root element, refusing
// DOCTYPE declarations (and with them entity definitions) before any
// element is read.
func rootElement(doc []byte) (xml.Name, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return xml.Name{}, fmt.Errorf("%w: no XML element", ErrNotSAML)
			}
			return xml.Name{}, fmt.Errorf("the SAML response is not well-formed XML (cut short when copied?): %w", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return xml.Name{}, errors.New("the SAML XML has a DOCTYPE declaration; SAML responses never do, and DOCTYPEs carry entity attacks: refused")
		case xml.StartElement:
			// RawToken leaves prefixes unresolved; resolve the root's own.
			name := t.Name
			for _, at := range t.Attr {
				if at.Name.Space == "xmlns" && at.Name.Local == name.Space || at.Name.Space == "" && at.Name.Local == "xmlns" && name.Space == "" {
					name.Space = at.Value
				}
			}
			if name.Space == t.Name.Space && name.Space != "" {
				return xml.Name{}, fmt.Errorf("%w: the root element's prefix %q is not declared", ErrNotSAML, name.Space)
			}
			return name, nil
		}
	}
}

func qualified(n xml.Name) string {
	if n.Space == "" {
		return "<" + n.Local + ">"
	}
	return "<" + n.Local + "> in namespace " + n.Space
}
