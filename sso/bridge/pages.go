package bridge

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
)

// refusalPage is the page of a login the bridge did not complete: plain
// words for the person first (what happened, the account when verified,
// what they can do, the reference), then the administrator's details.
// Everything on it comes from the bridge, the configuration or what the
// IdP signed; html/template escapes it.
var refusalPage = template.Must(template.New("refusal").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width">
<style nonce="{{.Nonce}}">
body{font:16px/1.5 system-ui,sans-serif;max-width:44em;margin:2.5em auto;padding:0 1em;color:#222}
h1{font-size:1.6em;margin:0 0 .4em}
h2{font-size:1.1em;margin:1.6em 0 .3em}
.lead{font-size:1.15em}
.ref{background:#f6f6f6;border-radius:6px;padding:.6em .9em}
code{background:#eee;padding:0 .25em;border-radius:3px;overflow-wrap:anywhere}
.ref code{font-size:1.1em;background:#fff}
#admin{margin-top:2.5em;border-top:2px solid #ccc;padding-top:.5em;font-size:.95em;color:#333}
#admin dl{display:grid;grid-template-columns:max-content 1fr;gap:.4em 1em;margin:0}
#admin dt{font-weight:600}
#admin dd{margin:0;overflow-wrap:anywhere}
h3{font-size:1em;margin:1.4em 0 .4em}
#checks{list-style:none;padding:0;margin:0}
.check{border:1px solid #ddd;border-left:4px solid #b33;border-radius:4px;padding:.5em .8em;margin:0 0 .7em}
.check .name{font-weight:600;display:inline-block;margin-bottom:.3em}
.withheld{color:#666;font-style:italic}
</style>
</head><body>
<h1>{{.Title}}</h1>
<p class="lead" id="summary">{{.Summary}}</p>
{{if .User}}<p id="account">You signed in as <strong>{{.User}}</strong>.</p>
{{end}}<h2>What you can do</h2>
<p id="next">{{.Next}}</p>
<p class="ref">Reference: <code id="correlation">{{.ID}}</code></p>
<p>Nothing was sent to Flex.</p>
<section id="admin">
<h2>For your administrator</h2>
<dl>
<dt>Refused by</dt><dd id="who">{{.Who}}</dd>
<dt>Kind</dt><dd id="kind"><code>{{.Kind}}</code></dd>
{{if .Attribute}}<dt>Attribute</dt><dd><code id="attribute">{{.Attribute}}</code></dd>
{{end}}{{if .Field}}<dt>Field</dt><dd><code id="field">{{.Field}}</code></dd>
{{end}}<dt>What happened</dt><dd id="message">{{.Message}}</dd>
<dt>What to change</dt><dd id="fix">{{.Fix}}</dd>
</dl>
{{if .Checks}}<h3>Checks that failed</h3>
<ol id="checks">
{{range .Checks}}<li class="check"><code class="name">{{.Name}}</code>
<dl>
{{if .Expected}}<dt>Expected</dt><dd>{{.Expected}}</dd>
{{end}}{{if .Received}}<dt>Received</dt><dd>{{.Received}}</dd>
{{else if .Withheld}}<dt>Received</dt><dd class="withheld">not shown: not signed by the identity provider (the log has it)</dd>
{{end}}<dt>What to change</dt><dd>{{.Fix}}</dd>
</dl></li>
{{end}}</ol>
{{end}}<p>The bridge's log has one line for this sign-in, with <code>"id":"{{.ID}}"</code>.</p>
</section>
</body></html>
`))

// postPage posts a SAML message with the HTTP-POST binding: a form that a
// script submits at once, and a button for browsers without scripts.
var postPage = template.Must(template.New("post").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signing in…</title></head><body>
<form method="post" action="{{.Action}}" id="saml">
<input type="hidden" name="{{.Field}}" value="{{.Message}}">
{{if .RelayState}}<input type="hidden" name="RelayState" value="{{.RelayState}}">{{end}}
<noscript><button type="submit">Continue</button></noscript>
</form>
<script nonce="{{.Nonce}}">document.getElementById("saml").submit();</script>
</body></html>
`))

// newNonce is a CSP nonce: 128 random bits.
func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// setCSP allows nothing but the page's own nonce-bearing script and style.
// form-action is left out: Flex's ACS answers the form with a redirect to
// Flex, which form-action would block in some browsers; html/template
// escapes every value, so the page holds no form but the bridge's.
func setCSP(w http.ResponseWriter, nonce string) {
	w.Header().Set("Content-Security-Policy",
		"default-src 'none'; script-src 'nonce-"+nonce+"'; style-src 'nonce-"+nonce+"'; base-uri 'none'; frame-ancestors 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	noCache(w)
}

// writeRefusal writes r's page with its HTTP status.
func (b *Bridge) writeRefusal(w http.ResponseWriter, r refusal) {
	nonce := newNonce()
	var buf bytes.Buffer
	if err := refusalPage.Execute(&buf, struct {
		refusal
		Nonce string
	}{r, nonce}); err != nil {
		http.Error(w, "refused: "+r.Kind+" (id "+r.ID+")", r.status)
		return
	}
	setCSP(w, nonce)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(r.status)
	_, _ = w.Write(buf.Bytes())
}

// autoPost writes the page that posts field=message (and RelayState) to
// action, a URL from the configuration or the upstream metadata, never
// from the request.
func (b *Bridge) autoPost(w http.ResponseWriter, action, field, message, relayState string) {
	nonce := newNonce()
	var buf bytes.Buffer
	if err := postPage.Execute(&buf, struct {
		Action, Field, Message, RelayState, Nonce string
	}{action, field, message, relayState, nonce}); err != nil {
		http.Error(w, "the sign-in page could not be written", http.StatusInternalServerError)
		return
	}
	setCSP(w, nonce)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
}
