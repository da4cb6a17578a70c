package bridge

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
)

// refusal is what the refusal page shows: what was refused, why, what an
// administrator changes, and the id that finds the log line.
type refusal struct {
	ID      string
	Kind    string
	Title   string
	Message string
	Fix     string
}

var refusalPage = template.Must(template.New("refusal").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width">
<style nonce="{{.Nonce}}">body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#222}code{background:#f3f3f3;padding:0 .2em}.kind{color:#a00}</style>
</head><body>
<h1>{{.Title}}</h1>
<p class="kind" id="kind">Refused: <code>{{.Kind}}</code></p>
<p id="message">{{.Message}}</p>
<h2>What to change</h2>
<p id="fix">{{.Fix}}</p>
<p>Nothing was sent to Flex. Give this id to your administrator: <code id="correlation">{{.ID}}</code></p>
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

func (b *Bridge) refuse(w http.ResponseWriter, status int, page refusal) {
	nonce := newNonce()
	var buf bytes.Buffer
	if err := refusalPage.Execute(&buf, struct {
		refusal
		Nonce string
	}{page, nonce}); err != nil {
		http.Error(w, "refused: "+page.Kind+" (id "+page.ID+")", status)
		return
	}
	setCSP(w, nonce)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
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
