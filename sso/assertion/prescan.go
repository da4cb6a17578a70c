package assertion

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The structure limits of a SAML response, checked by a streaming scan
// before any XML tree is built or any signature is checked. Real responses
// stay far below them (the largest of six SAML libraries' test responses:
// depth 9, 87 elements, 25 namespace declarations, 11 attributes on an
// element; IdPs that declare xs and xsi on every AttributeValue declare
// two more per value, but only in that value's scope). They bound what the
// XML signature library does, whose cost grows with the namespace
// declarations in scope at every element.
const (
	MaxDepth                 = 32    // nesting of elements
	MaxElements              = 4_000 // elements in the document
	MaxNamespaceDeclarations = 32    // xmlns declarations in scope at any element
	MaxXMLAttributes         = 32    // XML attributes on one element
)

// The XML namespaces this package reads.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsSignature = "http://www.w3.org/2000/09/xmldsig#"
	nsXSI       = "http://www.w3.org/2001/XMLSchema-instance"
	nsX500      = "urn:oasis:names:tc:SAML:2.0:profiles:attribute:X500"
	nsXML       = "http://www.w3.org/XML/1998/namespace"
)

// prescan reads doc as a stream of tokens and refuses, with ErrRefused or
// ErrUnreadable, what this package does not verify: anything but one SAML
// 2.0 Response element, a DOCTYPE or processing instruction, a document
// past the structure limits, XML attributes in a namespace other than
// xsi:type, xsi:nil, x500:Encoding and xml:lang, duplicate XML attributes,
// namespace prefixes that start with anything but a lower-case letter (they
// can pose as attribute names), undeclared prefixes, and every shape in
// which the element read could differ from the element verified: a
// Signature whose parent is not the Response or an Assertion, an Assertion
// outside the Response or an Advice, several assertions in the Response,
// two elements with the same ID.
func prescan(doc []byte) error {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var (
		stack              []xml.Name
		scope              []int // namespace declarations of each open element
		elements, inScope  int
		rootDone           bool
		assertionsInResult int
		ids                = map[string]bool{}
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return errorf(ErrUnreadable, "the SAML response is not well-formed XML (cut short when copied?): "+err.Error())
		}
		switch t := tok.(type) {
		case xml.Directive:
			return errorf(ErrRefused, "the XML has a DOCTYPE or other declaration; SAML responses never do, and DOCTYPEs carry entity attacks")
		case xml.ProcInst:
			if t.Target != "xml" || elements > 0 {
				return errorf(ErrRefused, fmt.Sprintf("the XML has a processing instruction <?%s?>; SAML responses have none", t.Target))
			}
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return errorf(ErrRefused, "the XML has text outside its root element")
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			inScope -= scope[len(scope)-1]
			scope = scope[:len(scope)-1]
			if len(stack) == 0 {
				rootDone = true
			}
		case xml.StartElement:
			elements++
			switch {
			case rootDone:
				return errorf(ErrRefused, "the XML has several root elements; a SAML response has one")
			case elements > MaxElements:
				return errorf(ErrRefused, fmt.Sprintf("the response has over %d elements", MaxElements))
			case len(stack) >= MaxDepth:
				return errorf(ErrRefused, fmt.Sprintf("the response nests elements over %d deep", MaxDepth))
			case len(t.Attr) > MaxXMLAttributes:
				return errorf(ErrRefused, fmt.Sprintf("<%s> has %d XML attributes, over the limit of %d", t.Name.Local, len(t.Attr), MaxXMLAttributes))
			}
			if t.Name.Space != "" && !strings.Contains(t.Name.Space, ":") {
				return errorf(ErrRefused, fmt.Sprintf("<%s:%s> uses a namespace prefix that is not declared", t.Name.Space, t.Name.Local))
			}
			n, err := scanAttributes(t, ids)
			if err != nil {
				return err
			}
			if inScope += n; inScope > MaxNamespaceDeclarations {
				return errorf(ErrRefused, fmt.Sprintf("<%s> has over %d XML namespace declarations in scope", t.Name.Local, MaxNamespaceDeclarations))
			}
			scope = append(scope, n)
			if len(stack) == 0 && t.Name != (xml.Name{Space: nsProtocol, Local: "Response"}) {
				return errorf(ErrRefused, fmt.Sprintf("the root element is %s, want a SAML 2.0 Response (<Response> in %s)", qualified(t.Name), nsProtocol))
			}
			if err := checkPlace(t.Name, stack); err != nil {
				return err
			}
			if len(stack) == 1 && t.Name.Space == nsAssertion && (t.Name.Local == "Assertion" || t.Name.Local == "EncryptedAssertion") {
				if assertionsInResult++; assertionsInResult > 1 {
					return errorf(ErrRefused, "the response holds several assertions; Flex reads one, and several are the mark of a signature-wrapping forgery")
				}
			}
			stack = append(stack, t.Name)
		}
	}
	if elements == 0 {
		return errorf(ErrUnreadable, "the XML has no element")
	}
	if !rootDone {
		return errorf(ErrUnreadable, "the SAML response is cut short")
	}
	return nil
}

// scanAttributes checks the XML attributes of one element and returns how
// many namespace declarations it has.
func scanAttributes(t xml.StartElement, ids map[string]bool) (int, error) {
	decls := 0
	seen := make(map[xml.Name]bool, len(t.Attr))
	for _, a := range t.Attr {
		if seen[a.Name] {
			return 0, errorf(ErrRefused, fmt.Sprintf("<%s> has the XML attribute %s twice", t.Name.Local, a.Name.Local))
		}
		seen[a.Name] = true
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			decls++
		case a.Name.Space == "xmlns":
			decls++
			if p := a.Name.Local; p == "" || p[0] < 'a' || p[0] > 'z' {
				return 0, errorf(ErrRefused, fmt.Sprintf("the namespace prefix %q does not start with a lower-case letter; such a prefix can pose as an XML attribute", p))
			}
		case strings.Contains(a.Name.Local, ":"):
			return 0, errorf(ErrRefused, fmt.Sprintf("<%s> has a malformed XML attribute name %q", t.Name.Local, a.Name.Local))
		case a.Name.Space == "":
			if a.Name.Local == "ID" || a.Name.Local == "Id" {
				if ids[a.Value] {
					return 0, errorf(ErrRefused, fmt.Sprintf("two elements have the ID %q; a signature reference must name one element", a.Value))
				}
				ids[a.Value] = true
			}
		case a.Name.Space == nsXSI && (a.Name.Local == "type" || a.Name.Local == "nil"),
			a.Name.Space == nsX500 && a.Name.Local == "Encoding",
			a.Name.Space == nsXML && a.Name.Local == "lang":
		default:
			return 0, errorf(ErrRefused, fmt.Sprintf("<%s> has the namespace-prefixed XML attribute %s in %s; SAML reads attributes without a prefix, and a prefixed one can stand in for them", t.Name.Local, a.Name.Local, a.Name.Space))
		}
	}
	return decls, nil
}

// checkPlace refuses a Signature, Assertion, EncryptedAssertion or Advice
// where a SAML response never has one: the places signature-wrapping
// attacks hide the signed original in.
func checkPlace(name xml.Name, stack []xml.Name) error {
	var parent xml.Name
	if len(stack) > 0 {
		parent = stack[len(stack)-1]
	}
	root := len(stack) == 1
	isAssertion := parent == xml.Name{Space: nsAssertion, Local: "Assertion"}
	ok := true
	switch name {
	case xml.Name{Space: nsSignature, Local: "Signature"}:
		ok = root || isAssertion
	case xml.Name{Space: nsAssertion, Local: "Assertion"}:
		ok = root || parent == xml.Name{Space: nsAssertion, Local: "Advice"}
	case xml.Name{Space: nsAssertion, Local: "EncryptedAssertion"}:
		ok = root
	case xml.Name{Space: nsAssertion, Local: "Advice"}:
		ok = isAssertion
	}
	if !ok {
		return errorf(ErrRefused, fmt.Sprintf("a %s sits inside %s, where SAML never puts one: the shape of a signature-wrapping forgery", qualified(name), qualified(parent)))
	}
	return nil
}

func qualified(n xml.Name) string {
	if n.Space == "" {
		return "<" + n.Local + ">"
	}
	return "<" + n.Local + "> in " + n.Space
}
