package assertion

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/crewjam/saml"
)

// MaxMetadataSize bounds an IdP metadata document; federation aggregates
// run to tens of megabytes.
const MaxMetadataSize = 64 << 20

// Metadata is the IdPs of a SAML metadata document, each with the signing
// certificates the metadata gives it. A key is good only for the entity it
// is given to: a response signed by one member of a federation and
// claiming to come from another does not verify. Metadata is immutable and
// safe for concurrent use; parse it once.
type Metadata struct {
	entities []Entity
}

// Entity is one IdP of the metadata.
type Entity struct {
	ID           string // entityID; "" for a bare certificate
	Certificates []*x509.Certificate
}

// Entities returns the IdPs of the metadata in document order.
func (m *Metadata) Entities() []Entity {
	return append([]Entity(nil), m.entities...)
}

// ParseMetadata reads IdP metadata: an EntityDescriptor, or an
// EntitiesDescriptor (nested ones too) of which it keeps the entities with
// an IDPSSODescriptor. A KeyDescriptor with use "signing" or no use gives
// its certificates to its entity. A PEM file of certificates is taken as one
// entity without an entityID, whose issuer cannot be checked. It returns
// ErrMetadata, saying why, for anything else, a DOCTYPE, or no IdP with a
// signing certificate.
func ParseMetadata(data []byte) (*Metadata, error) {
	if len(data) > MaxMetadataSize {
		return nil, errorf(ErrMetadata, fmt.Sprintf("the metadata is %d bytes, over the limit of %d", len(data), MaxMetadataSize))
	}
	if bytes.Contains(data, []byte("-----BEGIN CERTIFICATE-----")) {
		return pemMetadata(data)
	}
	if bytes.Contains(data, []byte("<!DOCTYPE")) || bytes.Contains(data, []byte("<!ENTITY")) {
		return nil, errorf(ErrMetadata, "the metadata has a DOCTYPE declaration; SAML metadata never needs one")
	}
	root, err := rootName(data)
	if err != nil {
		return nil, err
	}
	var descriptors []saml.EntityDescriptor
	switch root.Local {
	case "EntityDescriptor":
		var e saml.EntityDescriptor
		if err := xml.Unmarshal(data, &e); err != nil {
			return nil, &Error{Kind: ErrMetadata, Detail: "the EntityDescriptor does not parse", cause: err}
		}
		descriptors = append(descriptors, e)
	case "EntitiesDescriptor":
		var es saml.EntitiesDescriptor
		if err := xml.Unmarshal(data, &es); err != nil {
			return nil, &Error{Kind: ErrMetadata, Detail: "the EntitiesDescriptor does not parse", cause: err}
		}
		descriptors = flatten(es, descriptors, 0)
	default:
		return nil, errorf(ErrMetadata, fmt.Sprintf("the root element is %s, want an EntityDescriptor or EntitiesDescriptor of SAML 2.0 metadata", qualified(root)))
	}
	m := &Metadata{}
	seen := map[string]bool{}
	for _, d := range descriptors {
		if len(d.IDPSSODescriptors) == 0 {
			continue
		}
		if seen[d.EntityID] {
			return nil, errorf(ErrMetadata, fmt.Sprintf("the entityID %q is given twice; its keys would be ambiguous", d.EntityID))
		}
		seen[d.EntityID] = true
		e := Entity{ID: strings.TrimSpace(d.EntityID)}
		for _, idp := range d.IDPSSODescriptors {
			for _, kd := range idp.KeyDescriptors {
				if kd.Use != "" && kd.Use != "signing" {
					continue
				}
				for _, xc := range kd.KeyInfo.X509Data.X509Certificates {
					c, err := parseCertificate(xc.Data)
					if err != nil {
						return nil, &Error{Kind: ErrMetadata, Detail: fmt.Sprintf("a signing certificate of %q does not parse", e.ID), cause: err}
					}
					if !hasCertificate(e.Certificates, c) {
						e.Certificates = append(e.Certificates, c)
					}
				}
			}
		}
		if len(e.Certificates) > 0 {
			m.entities = append(m.entities, e)
		}
	}
	if len(m.entities) == 0 {
		return nil, errorf(ErrMetadata, "no IDPSSODescriptor with a signing certificate (KeyDescriptor use=\"signing\" or without use, holding an X509Certificate)")
	}
	return m, nil
}

// flatten appends the EntityDescriptors of es and of its nested
// EntitiesDescriptors to out.
func flatten(es saml.EntitiesDescriptor, out []saml.EntityDescriptor, depth int) []saml.EntityDescriptor {
	out = append(out, es.EntityDescriptors...)
	if depth < MaxDepth {
		for _, nested := range es.EntitiesDescriptors {
			out = flatten(nested, out, depth+1)
		}
	}
	return out
}

func rootName(data []byte) (xml.Name, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.Name{}, &Error{Kind: ErrMetadata, Detail: "the metadata is not XML", cause: err}
		}
		if t, ok := tok.(xml.StartElement); ok {
			return t.Name, nil
		}
	}
}

func pemMetadata(data []byte) (*Metadata, error) {
	var e Entity
	for rest := data; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, &Error{Kind: ErrMetadata, Detail: "a PEM certificate does not parse", cause: err}
		}
		e.Certificates = append(e.Certificates, c)
	}
	if len(e.Certificates) == 0 {
		return nil, errorf(ErrMetadata, "no certificate in the PEM file")
	}
	return &Metadata{entities: []Entity{e}}, nil
}

func parseCertificate(b64 string) (*x509.Certificate, error) {
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
	if err != nil {
		return nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		// Old IdP certificates break rules Go's parser enforces (a
		// negative serial number); the metadata vouches for the key, and
		// the key is all a signature check needs.
		if lenient, lerr := parseKeyOnly(der); lerr == nil {
			return lenient, nil
		}
	}
	return c, err
}

// parseKeyOnly reads the validity and public key of a DER certificate
// that x509.ParseCertificate refuses, without judging the rest.
func parseKeyOnly(der []byte) (*x509.Certificate, error) {
	var cert struct {
		TBS struct {
			Raw      asn1.RawContent
			Version  int `asn1:"optional,explicit,default:0,tag:0"`
			Serial   asn1.RawValue
			SigAlg   asn1.RawValue
			Issuer   asn1.RawValue
			Validity struct{ NotBefore, NotAfter time.Time }
			Subject  asn1.RawValue
			Key      asn1.RawValue
		}
		SigAlg asn1.RawValue
		Sig    asn1.BitString
	}
	rest, err := asn1.Unmarshal(der, &cert)
	if err != nil {
		return nil, fmt.Errorf("not a DER certificate: %w", err)
	}
	if len(rest) > 0 {
		return nil, errors.New("not a DER certificate: data after it")
	}
	key, err := x509.ParsePKIXPublicKey(cert.TBS.Key.FullBytes)
	if err != nil {
		return nil, err
	}
	return &x509.Certificate{
		Raw: der, RawTBSCertificate: cert.TBS.Raw, PublicKey: key,
		NotBefore: cert.TBS.Validity.NotBefore, NotAfter: cert.TBS.Validity.NotAfter,
	}, nil
}

func hasCertificate(certs []*x509.Certificate, c *x509.Certificate) bool {
	for _, x := range certs {
		if x.Equal(c) {
			return true
		}
	}
	return false
}

// keysFor returns the entity whose keys may verify a response from issuer:
// the entity with that entityID, or the only entity of metadata that names
// one IdP (the issuer check then says whether the names agree).
func (m *Metadata) keysFor(issuer string) (Entity, bool) {
	for _, e := range m.entities {
		if e.ID == issuer {
			return e, true
		}
	}
	if len(m.entities) == 1 {
		return m.entities[0], true
	}
	return Entity{}, false
}
