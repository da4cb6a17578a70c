package samltest

import (
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// Browser does what a person's browser does in a login, for tests: it
// keeps cookies and follows redirects, reads each answer with the form it
// holds, and posts a form only when told to (where a browser's script
// would post it at once), so that a test can look at or change each step.
type Browser struct {
	Client *http.Client   // follows redirects; its Jar is Jar
	Jar    *cookiejar.Jar // the browser's cookies
}

// NewBrowser returns a browser with no cookies whose requests go through
// transport (nil: http.DefaultTransport).
func NewBrowser(transport http.RoundTripper) *Browser {
	jar, _ := cookiejar.New(nil) // no public suffix list: never fails
	return &Browser{Client: &http.Client{Jar: jar, Transport: transport}, Jar: jar}
}

// Page is an HTTP answer with the first form it holds: the form's action
// and its hidden fields (SAMLRequest or SAMLResponse, RelayState).
type Page struct {
	Status int
	Header http.Header
	Body   string
	Action string     // the form's action, "" without a form
	Fields url.Values // the form's hidden fields
}

// maxPage bounds a page the browser reads.
const maxPage = 4 << 20

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	formInput  = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
)

// ReadPage reads resp's body, closes it, and returns the page with its
// form.
func ReadPage(resp *http.Response) (Page, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPage))
	if err != nil {
		return Page{}, err
	}
	p := Page{Status: resp.StatusCode, Header: resp.Header, Body: string(body), Fields: url.Values{}}
	if m := formAction.FindStringSubmatch(p.Body); m != nil {
		p.Action = html.UnescapeString(m[1])
	}
	for _, m := range formInput.FindAllStringSubmatch(p.Body, -1) {
		p.Fields.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return p, nil
}

// Get gets u, following redirects.
func (b *Browser) Get(u string) (Page, error) {
	resp, err := b.Client.Get(u)
	if err != nil {
		return Page{}, err
	}
	return ReadPage(resp)
}

// Post posts fields to action as a form does, following redirects.
func (b *Browser) Post(action string, fields url.Values) (Page, error) {
	resp, err := b.Client.PostForm(action, fields)
	if err != nil {
		return Page{}, err
	}
	return ReadPage(resp)
}

// SignIn signs in as user as a person does, from login, the stand-in for
// Flex's Login URL: it picks user on the identity provider's chooser page,
// posts the IdP's response on (to the bridge), and the bridge's form, when
// it has one, to Flex. It returns the last page: what Flex receives, or
// the bridge's refusal.
func (b *Browser) SignIn(login, user string) (Page, error) {
	chooser, err := b.Get(login)
	if err != nil {
		return Page{}, err
	}
	if !strings.Contains(chooser.Body, `name="user" value="`+html.EscapeString(user)+`"`) {
		return chooser, errors.New("flexroles: the identity provider's page at " + login + " does not list the user " + user)
	}
	chooser.Fields.Set("user", user)
	up, err := b.Post(chooser.Action, chooser.Fields)
	if err != nil {
		return Page{}, err
	}
	bridge, err := b.Post(up.Action, up.Fields)
	if err != nil || bridge.Fields.Get("SAMLResponse") == "" {
		return bridge, err
	}
	return b.Post(bridge.Action, bridge.Fields)
}
