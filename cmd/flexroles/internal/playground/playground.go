package playground

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/sso/assertion"
)

// webFiles are the page, its script and style, and the example policy the
// editor starts with.
//
//go:embed web
var webFiles embed.FS

// Limits of the playground's requests.
const (
	maxRequestBody = 1 << 20 // bytes of a request body
	// MaxStartPolicy is the largest policy file StartPolicy reads, in
	// bytes: the page sends the policy in every request, escaped as JSON
	// and with a login, in at most 1 MiB.
	MaxStartPolicy = 768 << 10
)

// StartPolicy returns the text the policy editor starts with: the file at
// path, at most MaxStartPolicy bytes, or the embedded example policy.
func StartPolicy(path string) (string, error) {
	if path == "" {
		b, err := webFiles.ReadFile("web/policy.yaml")
		return string(b), err
	}
	f, err := os.Open(path) //nolint:gosec // G304: the policy file the user named, read once
	if err != nil {
		return "", err
	}
	defer f.Close()
	return StartPolicyFrom(f, path)
}

// StartPolicyFrom returns the text the policy editor starts with read from
// r, such as standard input, at most MaxStartPolicy bytes; name names r in
// errors.
func StartPolicyFrom(r io.Reader, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxStartPolicy+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > MaxStartPolicy {
		return "", fmt.Errorf("%s: larger than %d KiB, more than the page can send in a request of %d MiB", name, MaxStartPolicy>>10, maxRequestBody>>20)
	}
	return string(b), nil
}

// playground serves the page and its API.
type playground struct {
	page     *template.Template
	start    string   // the policy the editor starts with
	loopback bool     // listening on loopback: only loopback host names are served
	allowed  []string // --allow-host: more names to serve
	static   http.Handler
	metadata *assertion.Metadata // --idp-metadata: verify pasted responses; nil reads them unverified
}

// New returns the playground's handler: the page at /, its script and
// style under /static/, and the API under /api/. start is the policy the
// editor starts with; on loopback (loopback true) it answers loopback host
// names only, elsewhere IP addresses too, and the names in allowed (in
// lower case) in both cases. A pasted SAMLResponse is verified against md,
// and the login read only from what its signature covers; with a nil md it
// is read as it stands, unverified.
func New(start string, loopback bool, allowed []string, md *assertion.Metadata) (http.Handler, error) {
	page, err := template.ParseFS(webFiles, "web/index.html")
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(webFiles, "web/static")
	if err != nil {
		return nil, err
	}
	p := &playground{page: page, start: start, loopback: loopback, allowed: allowed, metadata: md,
		static: http.StripPrefix("/static/", http.FileServer(http.FS(static)))}
	mux := http.NewServeMux()
	mux.HandleFunc("/", p.index)
	mux.Handle("/static/", p.static)
	mux.HandleFunc("/api/validate", api(p.validate))
	mux.HandleFunc("/api/resolve", api(p.resolve))
	mux.HandleFunc("/api/matrix", api(p.matrix))
	return p.guard(mux), nil
}

// guard sets the headers every response carries and refuses requests for
// a host name it does not know, so that a web page elsewhere cannot reach
// the playground through DNS rebinding: on loopback it answers for loopback
// names only, elsewhere for those, IP addresses and --allow-host names.
func (p *playground) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		if !p.knownHost(r.Host) {
			writeAPIError(w, http.StatusMisdirectedRequest, "invalid_request",
				"the playground does not answer for "+strconv.Quote(r.Host)+": open it at localhost, 127.0.0.1 or [::1], or start it with --allow-host")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// knownHost reports whether the playground answers for a Host header.
func (p *playground) knownHost(host string) bool {
	if loopbackHost(host) {
		return true
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(name, "["), "]"))
	if slices.Contains(p.allowed, name) {
		return true
	}
	return !p.loopback && net.ParseIP(name) != nil
}

// loopbackHost reports whether a Host header names the loopback interface.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// indexData is what the page's template shows.
type indexData struct {
	Policy       string
	ConsoleRoles []string
}

// index serves the page at / only.
func (p *playground) index(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		writeAPIError(w, http.StatusNotFound, "not_found", "no such page: "+r.URL.Path)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeAPIError(w, http.StatusMethodNotAllowed, "invalid_request", "the page takes GET")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	data := indexData{Policy: p.start, ConsoleRoles: []string{
		string(flexroles.Owner), string(flexroles.Administrator), string(flexroles.Developer),
		string(flexroles.BillingManager), string(flexroles.Support)}}
	if err := p.page.Execute(w, data); err != nil {
		// The headers are sent; the page is cut short and the browser shows it so.
		return
	}
}
