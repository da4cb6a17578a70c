package bridge

import (
	"encoding/xml"
	"net/http"
	"slices"
	"time"

	"github.com/crewjam/saml"
)

// metadataCacheDuration is the cacheDuration of both metadata documents:
// a consumer that fetches them again picks up a next certificate within
// it. They carry no validUntil: a copy imported by hand stays valid, and
// what limits the trust in it is the certificate it names.
const metadataCacheDuration = time.Hour

// IDPMetadata is the bridge as Flex's identity provider, as served at
// saml/metadata: its SSO URL with the HTTP-Redirect and HTTP-POST bindings
// and its signing certificates (the next one too, when configured). It
// offers no encryption key, since the bridge decrypts nothing. Each call
// returns a new copy, which the caller may change.
func (b *Bridge) IDPMetadata() *saml.EntityDescriptor {
	md := b.idp.Metadata()
	md.ValidUntil, md.CacheDuration = time.Time{}, metadataCacheDuration
	d := &md.IDPSSODescriptors[0]
	d.KeyDescriptors = slices.DeleteFunc(d.KeyDescriptors, func(k saml.KeyDescriptor) bool { return k.Use != "signing" })
	// crewjam/saml hands over the identity provider's own list of NameID
	// formats; the copy must not share it.
	d.NameIDFormats = slices.Clone(d.NameIDFormats)
	return md
}

// SPMetadata is the bridge as the upstream IdP's service provider, as
// served at saml/sp-metadata: its ACS with the HTTP-POST binding only, no
// key (it signs no requests and decrypts nothing), no logout service. Each
// call returns a new copy, which the caller may change.
func (b *Bridge) SPMetadata() *saml.EntityDescriptor {
	md := b.up.current().Metadata()
	md.ValidUntil, md.CacheDuration = time.Time{}, metadataCacheDuration
	for i := range md.SPSSODescriptors {
		md.SPSSODescriptors[i].ValidUntil = nil
	}
	return md
}

func (b *Bridge) serveIDPMetadata(w http.ResponseWriter, _ *http.Request) {
	writeMetadata(w, b.IDPMetadata())
}

func (b *Bridge) serveSPMetadata(w http.ResponseWriter, _ *http.Request) {
	writeMetadata(w, b.SPMetadata())
}

func writeMetadata(w http.ResponseWriter, md *saml.EntityDescriptor) {
	buf, err := xml.MarshalIndent(md, "", "  ")
	if err != nil {
		http.Error(w, "metadata could not be written", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = w.Write(buf)
}
