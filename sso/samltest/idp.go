package samltest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
)

// User is a user of the identity provider: a name to pick and the
// attributes its assertion carries.
type User struct {
	Login      string              // shown on the chooser page; the NameID when there is no single email
	Attributes map[string][]string // sent as they are, one AttributeValue per value
}

// UserCookie is the cookie that picks the signed-in user by Login without
// the chooser page (rule 3), for tests.
const UserCookie = "demo_user"

// IDP is the organisation's identity provider: a crewjam/saml identity
// provider whose users are picked on a page (rules 2 to 4). Its SAML field
// is crewjam's provider, which a test may change (its AssertionMaker, Key,
// SignatureMethod) before a login.
type IDP struct {
	SAML  *saml.IdentityProvider
	users []User
	sp    func() *saml.EntityDescriptor // the one service provider's metadata, when asked
}

// NewIDP returns the identity provider at base (metadata at base/metadata,
// SSO at base/sso), signing with key and cert, with users; sp returns the
// metadata of the one service provider it knows, or nil while there is
// none.
func NewIDP(base url.URL, key *rsa.PrivateKey, cert *x509.Certificate, users []User, sp func() *saml.EntityDescriptor) *IDP {
	d := &IDP{users: users, sp: sp}
	d.SAML = &saml.IdentityProvider{
		Key:                     key,
		Certificate:             cert,
		MetadataURL:             *base.JoinPath("metadata"),
		SSOURL:                  *base.JoinPath("sso"),
		ServiceProviderProvider: d,
		SessionProvider:         d,
		SignatureMethod:         dsig.RSASHA256SignatureMethod,
	}
	return d
}

// ServeHTTP serves the identity provider's metadata and SSO endpoint.
func (d *IDP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.SAML.Handler().ServeHTTP(w, r)
}

// GetServiceProvider knows one service provider: the one sp returns
// (rule 2). It implements saml.ServiceProviderProvider.
func (d *IDP) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	if d.sp == nil {
		return nil, os.ErrNotExist
	}
	if md := d.sp(); md != nil && md.EntityID == id {
		return md, nil
	}
	return nil, os.ErrNotExist
}

// GetSession signs in the user the form or the cookie picked, or shows the
// chooser page and returns nil (rules 3 and 4). It implements
// saml.SessionProvider.
func (d *IDP) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	login := r.PostFormValue("user")
	if c, err := r.Cookie(UserCookie); login == "" && err == nil {
		login = c.Value
	}
	i := slices.IndexFunc(d.users, func(u User) bool { return u.Login == login })
	if i < 0 {
		d.choose(w, req)
		return nil
	}
	u := d.users[i]
	s := &saml.Session{
		ID:           newID(),
		CreateTime:   time.Now(),
		ExpireTime:   time.Now().Add(time.Hour),
		Index:        newID(),
		NameID:       u.Login,
		NameIDFormat: string(saml.UnspecifiedNameIDFormat),
	}
	if email := u.Attributes["email"]; len(email) == 1 {
		s.NameID, s.NameIDFormat = email[0], string(saml.EmailAddressNameIDFormat)
	}
	for _, name := range sortedNames(u.Attributes) {
		attr := saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}
		for _, v := range u.Attributes[name] {
			attr.Values = append(attr.Values, saml.AttributeValue{Type: "xs:string", Value: v})
		}
		s.CustomAttributes = append(s.CustomAttributes, attr)
	}
	return s
}

var chooserPage = template.Must(template.New("chooser").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo identity provider</title>
<style nonce="{{.Nonce}}">body{font:16px/1.5 system-ui,sans-serif;max-width:44em;margin:2em auto;padding:0 1em}button{display:block;margin:.3em 0;padding:.4em .8em;font:inherit;text-align:left;width:100%}small{color:#666}</style>
</head><body>
<h1>Demo identity provider</h1>
<p>Stands in for Okta, Entra ID or Google Workspace. Pick a user to sign in as; the bridge then decides, with the policy, what Flex receives.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="SAMLRequest" value="{{.Request}}">
<input type="hidden" name="RelayState" value="{{.RelayState}}">
{{range .Users}}<button type="submit" name="user" value="{{.Login}}" id="user-{{.Login}}">{{.Login}} <small>{{.Summary}}</small></button>
{{end}}</form></body></html>
`))

// choose shows the users; the form posts the request again with the user
// picked.
func (d *IDP) choose(w http.ResponseWriter, req *saml.IdpAuthnRequest) {
	type row struct{ Login, Summary string }
	rows := make([]row, len(d.users))
	for i, u := range d.users {
		rows[i] = row{u.Login, summary(u.Attributes)}
	}
	writePage(w, chooserPage, func(nonce string) any {
		return struct {
			Action, Request, RelayState, Nonce string
			Users                              []row
		}{d.SAML.SSOURL.String(), base64.StdEncoding.EncodeToString(req.RequestBuffer), req.RelayState, nonce, rows}
	})
}

// summary is a user's attributes on one line, for the chooser.
func summary(attrs map[string][]string) string {
	var b strings.Builder
	for _, n := range sortedNames(attrs) {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(n + "=" + strings.Join(attrs[n], ","))
	}
	return b.String()
}

// sortedNames are m's keys in order.
func sortedNames(m map[string][]string) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// newID is a SAML ID: a letter, then 40 hex digits.
func newID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return "id-" + hex.EncodeToString(b[:])
}

// writePage writes t, executed with what data makes of a new nonce, under a
// CSP that allows only that nonce's style, not cached.
func writePage(w http.ResponseWriter, t *template.Template, data func(nonce string) any) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	nonce := base64.StdEncoding.EncodeToString(b[:])
	var buf bytes.Buffer
	if err := t.Execute(&buf, data(nonce)); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Security-Policy",
		"default-src 'none'; style-src 'nonce-"+nonce+"'; base-uri 'none'; frame-ancestors 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
