package bridge

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"slices"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
)

// DemoUser is a user of the demo identity provider: a name to pick from and
// the attributes its assertion carries.
type DemoUser struct {
	Login      string              // shown on the sign-in page; the NameID when there is no email
	Attributes map[string][]string // sent as they are, one AttributeValue per value
}

// demoIDP is the organisation's IdP in bridge demo and in the tests: a
// crewjam/saml identity provider whose users are picked on a page (or by
// the demo_user cookie) instead of typing a password.
type demoIDP struct {
	idp   *saml.IdentityProvider
	users []DemoUser
	sp    func() *saml.EntityDescriptor // the bridge's SP metadata, when asked
}

// demoUserCookie picks the signed-in user without the page, for tests.
const demoUserCookie = "demo_user"

func newDemoIDP(base url.URL, key *rsa.PrivateKey, cert *x509.Certificate, users []DemoUser, sp func() *saml.EntityDescriptor) *demoIDP {
	d := &demoIDP{users: users, sp: sp}
	d.idp = &saml.IdentityProvider{
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

// GetServiceProvider knows one service provider: the bridge.
func (d *demoIDP) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	if md := d.sp(); md != nil && md.EntityID == id {
		return md, nil
	}
	return nil, os.ErrNotExist
}

// GetSession signs in the user the page (or the cookie) picked, or shows
// the page.
func (d *demoIDP) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	login := r.PostFormValue("user")
	if c, err := r.Cookie(demoUserCookie); login == "" && err == nil {
		login = c.Value
	}
	i := slices.IndexFunc(d.users, func(u DemoUser) bool { return u.Login == login })
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
	names := make([]string, 0, len(u.Attributes))
	for name := range u.Attributes {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
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

// choose shows the users; the form posts the bridge's request again with
// the user picked.
func (d *demoIDP) choose(w http.ResponseWriter, req *saml.IdpAuthnRequest) {
	type row struct{ Login, Summary string }
	rows := make([]row, len(d.users))
	for i, u := range d.users {
		rows[i] = row{u.Login, summary(u.Attributes)}
	}
	nonce := newNonce()
	var buf bytes.Buffer
	err := chooserPage.Execute(&buf, struct {
		Action, Request, RelayState, Nonce string
		Users                              []row
	}{d.idp.SSOURL.String(), base64.StdEncoding.EncodeToString(req.RequestBuffer), req.RelayState, nonce, rows})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	setCSP(w, nonce)
	_, _ = w.Write(buf.Bytes())
}

// summary is a user's attributes on one line, for the chooser.
func summary(attrs map[string][]string) string {
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	slices.Sort(names)
	var b bytes.Buffer
	for _, n := range names {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(n + "=")
		for i, v := range attrs[n] {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(v)
		}
	}
	return b.String()
}
