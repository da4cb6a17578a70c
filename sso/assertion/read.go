package assertion

import (
	"encoding/xml"
	"io"
	"strings"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
)

// unmarshalTree reads el into v with encoding/xml, as xml.Unmarshal reads
// el written out as a document, without writing it out and lexing it
// again: the decoder is given el's tokens as its parser gave them to etree
// (prefixes as written, text unescaped), and resolves the prefixes itself.
// el is the root of its own document (the one Verify parsed, or one that
// goxmldsig parsed from the bytes a signature digested), so every prefix
// it uses is declared inside it. TestReadTreeAsBytes holds the two reads
// equal.
func unmarshalTree(el *etree.Element, v any) error {
	return xml.NewTokenDecoder(&treeTokens{toks: appendTokens(nil, el)}).Decode(v)
}

// treeTokens is an xml.TokenReader over a list of tokens.
type treeTokens struct {
	toks []xml.Token
}

func (t *treeTokens) Token() (xml.Token, error) {
	if len(t.toks) == 0 {
		return nil, io.EOF
	}
	tok := t.toks[0]
	t.toks = t.toks[1:]
	return tok, nil
}

// appendTokens appends the raw tokens of el, its start, content and end,
// to toks. The depth of the recursion is the tree's, which prescan bounds.
func appendTokens(toks []xml.Token, el *etree.Element) []xml.Token {
	start := xml.StartElement{Name: xml.Name{Space: el.Space, Local: el.Tag}}
	if len(el.Attr) > 0 {
		start.Attr = make([]xml.Attr, len(el.Attr))
		for i, a := range el.Attr {
			start.Attr[i] = xml.Attr{Name: xml.Name{Space: a.Space, Local: a.Key}, Value: a.Value}
		}
	}
	toks = append(toks, start)
	for _, c := range el.Child {
		switch c := c.(type) {
		case *etree.Element:
			toks = appendTokens(toks, c)
		case *etree.CharData:
			toks = append(toks, xml.CharData(c.Data))
		case *etree.Comment:
			toks = append(toks, xml.Comment(c.Data))
		case *etree.ProcInst:
			toks = append(toks, xml.ProcInst{Target: c.Target, Inst: []byte(c.Inst)})
		case *etree.Directive:
			toks = append(toks, xml.Directive(c.Data))
		}
	}
	return append(toks, start.End())
}

// readResponse reads the fields of the Response element el with
// crewjam/saml's types, and its assertion when it has one in the clear.
func readResponse(el *etree.Element, signed bool) (Response, *Assertion, error) {
	var x saml.Response
	if err := unmarshalTree(el, &x); err != nil {
		return Response{}, nil, err
	}
	r := Response{
		Signed: signed, ID: x.ID, Destination: x.Destination,
		InResponseTo: x.InResponseTo, IssueInstant: x.IssueInstant,
		Status: readStatus(x.Status),
	}
	if x.Issuer != nil {
		r.Issuer = strings.TrimSpace(x.Issuer.Value)
	}
	switch {
	case x.Assertion != nil:
		a, err := readAssertionFields(x.Assertion, el, signed)
		return r, &a, err
	case x.EncryptedAssertion != nil:
		return r, &Assertion{Signed: signed, Encrypted: true}, nil
	}
	return r, nil, nil
}

// readAssertion reads the Assertion element el on its own (the element an
// Assertion signature covers).
func readAssertion(el *etree.Element) (Assertion, error) {
	var x saml.Assertion
	if err := unmarshalTree(el, &x); err != nil {
		return Assertion{}, err
	}
	return readAssertionFields(&x, el, true)
}

// encryptedAttributes counts the EncryptedAttribute elements of the
// assertion el is or holds (a Response or an Assertion); crewjam/saml's
// types leave them out. It counts them in the tree of the element read,
// as encoding/xml would match them: by local name and namespace, in the
// AttributeStatements of el and of its Assertion children.
func encryptedAttributes(el *etree.Element) int {
	n := 0
	for _, c := range el.ChildElements() {
		switch {
		case isElement(c, nsAssertion, "AttributeStatement"):
			n += countChildren(c, nsAssertion, "EncryptedAttribute")
		case isElement(c, nsAssertion, "Assertion"):
			for _, st := range c.ChildElements() {
				if isElement(st, nsAssertion, "AttributeStatement") {
					n += countChildren(st, nsAssertion, "EncryptedAttribute")
				}
			}
		}
	}
	return n
}

// isElement reports whether el is called tag in namespace ns.
func isElement(el *etree.Element, ns, tag string) bool {
	return el.Tag == tag && el.NamespaceURI() == ns
}

// countChildren counts the children of el called tag in namespace ns.
func countChildren(el *etree.Element, ns, tag string) int {
	n := 0
	for _, c := range el.ChildElements() {
		if isElement(c, ns, tag) {
			n++
		}
	}
	return n
}

func readAssertionFields(x *saml.Assertion, el *etree.Element, signed bool) (Assertion, error) {
	a := Assertion{
		Signed: signed, ID: x.ID, Issuer: strings.TrimSpace(x.Issuer.Value),
		IssueInstant:        x.IssueInstant,
		EncryptedAttributes: encryptedAttributes(el),
	}
	if s := x.Subject; s != nil {
		if s.NameID != nil {
			a.NameID = readNameID(s.NameID)
		}
		a.NameIDEncrypted = s.EncryptedID != nil
		for _, sc := range s.SubjectConfirmations {
			c := SubjectConfirmation{Method: sc.Method}
			if d := sc.SubjectConfirmationData; d != nil {
				c.Recipient, c.InResponseTo = d.Recipient, d.InResponseTo
				c.NotBefore, c.NotOnOrAfter = d.NotBefore, d.NotOnOrAfter
			}
			a.SubjectConfirmations = append(a.SubjectConfirmations, c)
		}
	}
	if c := x.Conditions; c != nil {
		a.Conditions = Conditions{Present: true, NotBefore: c.NotBefore, NotOnOrAfter: c.NotOnOrAfter}
		for _, ar := range c.AudienceRestrictions {
			var auds []string
			for _, au := range ar.AllAudiences() {
				auds = append(auds, strings.TrimSpace(au.Value))
			}
			a.Conditions.Audiences = append(a.Conditions.Audiences, auds)
		}
	}
	for _, st := range x.AuthnStatements {
		as := AuthnStatement{AuthnInstant: st.AuthnInstant, SessionIndex: st.SessionIndex}
		if st.SessionNotOnOrAfter != nil {
			as.SessionNotOnOrAfter = *st.SessionNotOnOrAfter
		}
		if c := st.AuthnContext.AuthnContextClassRef; c != nil {
			as.ClassRef = strings.TrimSpace(c.Value)
		}
		a.AuthnStatements = append(a.AuthnStatements, as)
	}
	for _, st := range x.AttributeStatements {
		for _, at := range st.Attributes {
			attr := Attribute{Name: at.Name, FriendlyName: at.FriendlyName, NameFormat: at.NameFormat, Values: []Value{}}
			for _, v := range at.Values {
				val := Value{Text: v.Value, Nil: v.Nil, Type: v.Type}
				if v.NameID != nil {
					n := readNameID(v.NameID)
					val.NameID, val.Text = &n, n.Value
				}
				if val.Nil {
					val.Text = ""
				}
				attr.Values = append(attr.Values, val)
			}
			a.Attributes = append(a.Attributes, attr)
		}
	}
	return a, nil
}

func readNameID(n *saml.NameID) NameID {
	return NameID{Value: strings.TrimSpace(n.Value), Format: n.Format, NameQualifier: n.NameQualifier, SPNameQualifier: n.SPNameQualifier}
}

func readStatus(s saml.Status) Status {
	st := Status{Code: strings.TrimSpace(s.StatusCode.Value)}
	for c, depth := s.StatusCode.StatusCode, 0; c != nil && depth < MaxDepth; c, depth = c.StatusCode, depth+1 {
		st.SubCodes = append(st.SubCodes, strings.TrimSpace(c.Value))
	}
	if s.StatusMessage != nil {
		st.Message = strings.TrimSpace(s.StatusMessage.Value)
	}
	return st
}
