package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flexroles/flexroles"
)

// serveUsage is the usage of the serve command, printed by serve -h.
const serveUsage = `usage:
  flexroles serve [--addr HOST:PORT] [--allow-host NAME,...] [--policy POLICY]

Serves the playground, a local web page to try a role policy: edit the
policy (YAML, checked as you type, problems pinned to their lines), enter a
login (Console roles, SSO attributes, or a pasted SAMLResponse) and see the
roles, the Insights capabilities, the Flex pages they open and the reasons;
a second tab shows every rule, and every user of an IdP export you load,
against the roles and capabilities it yields.

The page works offline: no external assets, nothing written to disk. Its
JSON API, POST /api/validate, /api/resolve and /api/matrix, runs the
library's LoadPolicy and Resolve, as every other command does.

  --addr        where to listen (default 127.0.0.1:8080; port 0 picks a
                free one). The playground has no authentication: an
                address other than loopback shows it to the network, with
                a warning.
  --allow-host  host names besides localhost and IP addresses that the
                playground answers for, comma-separated, such as the
                machine's name when --addr is not loopback. Any other
                name is refused, so that a web page elsewhere cannot reach
                the playground through DNS rebinding.
  --policy      the policy to start with (default: the example policy,
                examples/policy.yaml); it is read once and never written,
                and must fit in a request (1 MiB)

The address is printed on stdout when the server is ready. Ctrl-C stops it.

Exit status: 0 after Ctrl-C, 2 bad usage, a policy file that cannot be
read, or an address that cannot be listened on.
`

// webFiles are the page, its script and style, and the example policy the
// editor starts with.
//
//go:embed web
var webFiles embed.FS

// Limits of the playground's server.
const (
	maxRequestBody    = 1 << 20   // bytes of a request body
	maxStartPolicy    = 768 << 10 // bytes of --policy: a request carries it, escaped as JSON, and a login
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 60 * time.Second
)

// runServe runs "flexroles serve" with the arguments after the command name
// and returns the exit status.
func runServe(args []string, stdout, stderr io.Writer) int {
	var addr, policyPath, allowHosts string
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&addr, "addr", "127.0.0.1:8080", "where to listen")
	fs.StringVar(&allowHosts, "allow-host", "", "host names to answer for besides localhost and IP addresses")
	fs.StringVar(&policyPath, "policy", "", "the policy to start with")
	if code, done := parseCommand(fs, args, serveUsage, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "serve: unexpected argument %q", fs.Arg(0))
	}
	start, err := startPolicy(policyPath)
	if err != nil {
		fmt.Fprintf(stderr, "flexroles: serve: --policy %v\n", err)
		return exitUsage
	}
	ln, loopback, err := listen(addr, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "flexroles: serve: %v\n", err)
		return exitUsage
	}
	h, err := newPlayground(start, loopback, splitHosts(allowHosts))
	if err != nil {
		_ = ln.Close()
		fmt.Fprintf(stderr, "flexroles: serve: %v\n", err)
		return exitUsage
	}
	srv := newServer(h)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "flexroles playground: %s (Ctrl-C to stop)\n", playgroundURL(ln.Addr()))
	select {
	case err := <-done:
		fmt.Fprintf(stderr, "flexroles: serve: %v\n", err)
		return exitUsage
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	return exitOK
}

// newServer returns the playground's server: h behind timeouts on every
// phase of a request, so that a slow client cannot hold it.
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// startPolicy returns the text the policy editor starts with: the file at
// path, or the embedded example policy.
func startPolicy(path string) (string, error) {
	if path == "" {
		b, err := webFiles.ReadFile("web/policy.yaml")
		return string(b), err
	}
	f, err := os.Open(path) //nolint:gosec // G304: the policy file the user named, read once
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxStartPolicy+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxStartPolicy {
		return "", fmt.Errorf("%s: larger than %d KiB, more than the page can send in a request of %d MiB", path, maxStartPolicy>>10, maxRequestBody>>20)
	}
	return string(b), nil
}

// listen listens on addr and reports whether that is loopback only; when
// it is not, it warns on stderr.
func listen(addr string, stderr io.Writer) (net.Listener, bool, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, false, err
	}
	loopback := isLoopback(ln.Addr())
	if !loopback {
		fmt.Fprintf(stderr, "flexroles: serve: warning: listening on %s, not loopback: anyone who can reach it can use the playground and read the policy it starts with\n", ln.Addr())
	}
	return ln, loopback, nil
}

// playgroundURL is the address to open for a listener: localhost's when it
// listens on every interface, whose address is no place to go to.
func playgroundURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if ok && tcp.IP.IsUnspecified() {
		return "http://localhost:" + strconv.Itoa(tcp.Port) + "/"
	}
	return "http://" + a.String() + "/"
}

// splitHosts reads --allow-host: names separated by commas, in lower case.
func splitHosts(s string) []string {
	var out []string
	for _, h := range strings.Split(s, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// isLoopback reports whether a listener's address is on the loopback
// interface only.
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// playground serves the page and its API.
type playground struct {
	page     *template.Template
	start    string   // the policy the editor starts with
	loopback bool     // listening on loopback: only loopback host names are served
	allowed  []string // --allow-host: more names to serve
	static   http.Handler
}

// newPlayground returns the playground's handler.
func newPlayground(start string, loopback bool, allowed []string) (http.Handler, error) {
	page, err := template.ParseFS(webFiles, "web/index.html")
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(webFiles, "web/static")
	if err != nil {
		return nil, err
	}
	p := &playground{page: page, start: start, loopback: loopback, allowed: allowed,
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
