package main

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// metadataKeyDescriptor is a KeyDescriptor of an IdP's SAML metadata.
type metadataKeyDescriptor struct {
	Use          string   `xml:"use,attr"`
	Certificates []string `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo>X509Data>X509Certificate"`
}

// metadataIDP is the part of an EntityDescriptor that says how the IdP
// signs.
type metadataIDP struct {
	Keys []metadataKeyDescriptor `xml:"urn:oasis:names:tc:SAML:2.0:metadata IDPSSODescriptor>KeyDescriptor"`
}

// loadIDPCertificates reads the signing certificates of an IdP from its
// SAML metadata (an EntityDescriptor, or an EntitiesDescriptor holding
// one), or from a PEM file of certificates.
func loadIDPCertificates(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path) //nolint:gosec // G304: the metadata file the user named
	if err != nil {
		return nil, err
	}
	if bytes.Contains(data, []byte("-----BEGIN CERTIFICATE-----")) {
		var certs []*x509.Certificate
		for rest := data; ; {
			var block *pem.Block
			if block, rest = pem.Decode(rest); block == nil {
				break
			}
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			certs = append(certs, c)
		}
		return certs, nil
	}
	if bytes.Contains(data, []byte("<!DOCTYPE")) {
		return nil, fmt.Errorf("%s: metadata with a DOCTYPE declaration is refused", path)
	}
	var entities struct {
		metadataIDP
		Nested []metadataIDP `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
	}
	if err := xml.Unmarshal(data, &entities); err != nil {
		return nil, fmt.Errorf("%s: not SAML metadata: %w", path, err)
	}
	keys := entities.Keys
	for _, n := range entities.Nested {
		keys = append(keys, n.Keys...)
	}
	var certs []*x509.Certificate
	for _, k := range keys {
		if k.Use != "" && k.Use != "signing" {
			continue
		}
		for _, c := range k.Certificates {
			der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
			if err != nil {
				return nil, fmt.Errorf("%s: a signing certificate is not base64: %w", path, err)
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			certs = append(certs, cert)
		}
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: no signing certificate in an IDPSSODescriptor", path)
	}
	return certs, nil
}

// verifySAML checks the XML signature of a SAML response against certs and
// returns the signed element, the Response or else its Assertion, as XML:
// only what a valid signature covers may be read.
func verifySAML(doc []byte, certs []*x509.Certificate) ([]byte, error) {
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		return nil, err
	}
	root := d.Root()
	if root == nil {
		return nil, errors.New("no XML element")
	}
	ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: certs})
	signed := root
	if !hasSignature(root) {
		var assertion *etree.Element
		for _, el := range root.ChildElements() {
			if el.Tag == "Assertion" {
				assertion = el
			}
		}
		if assertion == nil || !hasSignature(assertion) {
			return nil, errors.New("neither the response nor its assertion is signed")
		}
		signed = assertion
	}
	valid, err := ctx.Validate(signed)
	if err != nil {
		return nil, err
	}
	out := etree.NewDocument()
	out.SetRoot(valid)
	return out.WriteToBytes()
}

func hasSignature(el *etree.Element) bool {
	for _, c := range el.ChildElements() {
		if c.Tag == "Signature" && c.NamespaceURI() == dsig.Namespace {
			return true
		}
	}
	return false
}
