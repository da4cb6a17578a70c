package assertion

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// signedElement is one element whose enveloped signature verified.
type signedElement struct {
	el          *etree.Element // what the signature covers, parsed from the digested canonical bytes
	certificate *x509.Certificate
	method      string // SignatureMethod algorithm
	digest      string // DigestMethod algorithm
}

// signatureChild returns the ds:Signature child of el, or nil.
func signatureChild(el *etree.Element) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == "Signature" && c.NamespaceURI() == nsSignature {
			return c
		}
	}
	return nil
}

// childElement returns the child of el in namespace ns called tag, or nil.
func childElement(el *etree.Element, ns, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

// verifyElement checks the enveloped signature sig, a Signature child of
// el or (for a Reference URI "", which names the whole document) of an
// element inside it, with the keys of entity, and returns what it covers.
//
// The element is verified in its document context: it is detached with
// every namespace declaration in scope at it, so that an Assertion signed
// with inclusive canonicalization, or using a prefix declared on the
// Response, digests as the IdP digested it. The KeyInfo of the signature
// is dropped: keys come only from the metadata, whatever the response says
// (an RSAKeyValue, a malformed or foreign certificate). White space is
// dropped from the SignatureValue, which the signature does not cover.
// Each metadata certificate is tried on its own, with its validity dates
// widened: the metadata names the key, and an expired certificate is a
// warning the caller reports, not a forgery.
//
// A signature that goxmldsig refuses although the metadata's key made it
// (ownCheckNeeded), and with own every signature, is verified by
// verifyEnveloped instead; an algorithm neither verifies is an
// *errUnsupported naming it.
func verifyElement(el, sig *etree.Element, entity Entity, own bool) (*signedElement, error) {
	refs, method, digest := signedInfo(sig)
	if len(refs) != 1 {
		return nil, fmt.Errorf("the signature has %d References; a SAML signature has exactly one", len(refs))
	}
	id := el.SelectAttrValue("ID", "")
	if uri := refs[0]; uri != "" && uri != "#"+id {
		return nil, fmt.Errorf("the signature references %q, not this %s (ID %q)", uri, el.Tag, id)
	}
	if err := unsupportedAlgorithm(sig); err != nil {
		return nil, err
	}
	path := pathTo(el, sig)
	if path == nil {
		return nil, errors.New("the signature is not inside the element it signs")
	}
	ctx, err := parentContext(el)
	if err != nil {
		return nil, err
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, err
	}
	s := follow(detached, path)
	if ki := childElement(s, nsSignature, "KeyInfo"); ki != nil {
		s.RemoveChild(ki)
	}
	if sv := childElement(s, nsSignature, "SignatureValue"); sv != nil {
		sv.SetText(strings.Join(strings.Fields(sv.Text()), ""))
	}
	var last error
	for _, cert := range entity.Certificates {
		var signed *etree.Element
		if own || ownCheckNeeded(digest, cert) {
			signed, err = verifyEnveloped(detached, s, path, cert)
		} else {
			vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{undated(cert)}})
			vc.IdAttribute = "ID"
			signed, err = vc.Validate(detached)
		}
		if err == nil {
			return &signedElement{el: signed, certificate: cert, method: method, digest: digest}, nil
		}
		last = err
	}
	return nil, last
}

// pathTo returns the child indexes that lead from el down to target, or
// nil when target is not inside el.
func pathTo(el, target *etree.Element) []int {
	var rev []int
	for e := target; e != el; e = e.Parent() {
		if e == nil || e.Parent() == nil {
			return nil
		}
		rev = append(rev, childIndex(e.Parent(), e))
	}
	path := make([]int, 0, len(rev))
	for i := len(rev) - 1; i >= 0; i-- {
		path = append(path, rev[i])
	}
	return path
}

// childIndex returns the index of child among the tokens of parent.
func childIndex(parent, child *etree.Element) int {
	for i, t := range parent.Child {
		if t == etree.Token(child) {
			return i
		}
	}
	return -1
}

// follow returns the element path leads to from el (see pathTo).
func follow(el *etree.Element, path []int) *etree.Element {
	for _, i := range path {
		el = el.Child[i].(*etree.Element)
	}
	return el
}

// signedInfo returns the Reference URIs, the SignatureMethod and the
// DigestMethod of the first Reference of a Signature element.
func signedInfo(sig *etree.Element) (refs []string, method, digest string) {
	si := childElement(sig, nsSignature, "SignedInfo")
	if si == nil {
		return nil, "", ""
	}
	if m := childElement(si, nsSignature, "SignatureMethod"); m != nil {
		method = m.SelectAttrValue("Algorithm", "")
	}
	for _, c := range si.ChildElements() {
		if c.Tag != "Reference" || c.NamespaceURI() != nsSignature {
			continue
		}
		refs = append(refs, c.SelectAttrValue("URI", ""))
		if d := childElement(c, nsSignature, "DigestMethod"); d != nil && digest == "" {
			digest = d.SelectAttrValue("Algorithm", "")
		}
	}
	return refs, method, digest
}

// parentContext returns the namespace declarations in scope at el's
// parent, without the traversal budget of etreeutils.NSBuildParentContext
// (which refuses an assertion of over 1000 nodes, such as one listing many
// groups); prescan has bounded the document instead.
func parentContext(el *etree.Element) (etreeutils.NSContext, error) {
	parent := el.Parent()
	if parent == nil {
		return etreeutils.EmptyNSContext, nil
	}
	ctx, err := parentContext(parent)
	if err != nil {
		return ctx, err
	}
	return ctx.SubContext(parent)
}

// undated returns a copy of cert valid at all times, for goxmldsig, which
// refuses a certificate outside its dates. Raw and the public key are
// unchanged.
func undated(cert *x509.Certificate) *x509.Certificate {
	c := *cert
	c.NotBefore = time.Time{}
	c.NotAfter = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	return &c
}

// The SHA-1 algorithms of XML signatures.
const (
	algRSASHA1   = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	algDSASHA1   = "http://www.w3.org/2000/09/xmldsig#dsa-sha1"
	algECDSASHA1 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"
	algSHA1      = "http://www.w3.org/2000/09/xmldsig#sha1"
)

func isSHA1(alg string) bool {
	switch alg {
	case algRSASHA1, algDSASHA1, algECDSASHA1, algSHA1:
		return true
	}
	return false
}
