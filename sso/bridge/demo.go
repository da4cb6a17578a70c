package bridge

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/crewjam/saml"

	"github.com/flexroles/flexroles/decisionlog"
)

// DemoOptions configure Demo; the zero value runs examples/bridge.yaml on
// the address it names.
type DemoOptions struct {
	// Config is the demo's bridge configuration; default
	// examples/bridge.yaml. Its keys and the IdP's metadata are made in
	// the directory of its keys.key on the first run, never shipped.
	Config string
	// Users is a CSV of the demo IdP's users (email, name, groups separated
	// by ";", department, location, and optionally roles separated by ";",
	// which the IdP then sends as Flex's roles attribute); default
	// users.csv beside Config, or users-roles.csv in shadow mode.
	Users string
	// Mode, when set, replaces the configuration's mode: with ModeShadow
	// the stand-in for Flex shows, beside what Flex receives (the IdP's
	// roles), what the policy would decide.
	Mode Mode
	// Listener, when set, replaces the configuration's address (listen,
	// base_url, flex.acs_url): for tests, and to run on another port.
	Listener net.Listener
	// Ready is called once the demo serves, with the URL to open.
	Ready func(startURL string)
	// PrepareOnly makes the files PrepareDemo makes, for the configuration's
	// own address, and returns without serving (Listener is not used):
	// then "bridge check" can read the configuration.
	PrepareOnly bool
	// Log receives the bridge's log lines; nil discards.
	Log *slog.Logger
}

// Demo runs a whole login on one machine with no account anywhere, until
// ctx ends: a demo identity provider with the example users (at /idp/), the
// bridge (at the configuration's base URL), and a page standing in for Flex
// at Flex's ACS path, which verifies what the bridge posts and shows what
// Flex would receive, or the bridge's refusal page. All on one loopback
// address.
func Demo(ctx context.Context, opt DemoOptions) error {
	if opt.Config == "" {
		opt.Config = filepath.Join("examples", "bridge.yaml")
	}
	cfg, err := LoadConfigFile(opt.Config)
	if err != nil {
		return err
	}
	if opt.Mode != "" {
		cfg.Mode = opt.Mode
	}
	if opt.Users == "" {
		opt.Users = filepath.Join(filepath.Dir(opt.Config), "users.csv")
		if cfg.Mode == ModeShadow {
			opt.Users = filepath.Join(filepath.Dir(opt.Config), "users-roles.csv")
		}
	}
	if opt.PrepareOnly {
		origin, err := demoOrigin(cfg, cfg.withDefaults().Listen)
		if err == nil {
			_, _, err = PrepareDemo(&cfg, origin)
		}
		return err
	}
	ln := opt.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", cfg.withDefaults().Listen); err != nil {
			return errors.New("flexroles: bridge demo: " + err.Error())
		}
	}
	defer ln.Close()
	origin, err := demoOrigin(cfg, ln.Addr().String())
	if err != nil {
		return err
	}
	users, err := readDemoUsers(opt.Users)
	if err != nil {
		return err
	}
	idpKey, idpCert, err := PrepareDemo(&cfg, origin)
	if err != nil {
		return err
	}

	idpBase := origin.JoinPath("idp")
	var b *Bridge
	idp := newDemoIDP(*idpBase, idpKey, idpCert, users, func() *saml.EntityDescriptor {
		if b == nil {
			return nil
		}
		return b.spMetadata()
	})
	if b, err = New(ctx, cfg, opt.Log); err != nil {
		return err
	}
	defer func() { _ = b.Close() }()
	flex, err := newFlexStandIn(b.flex, b.idpMetadata(), "/flex/login")
	if err != nil {
		return err
	}
	if cfg.Mode == ModeShadow {
		flex.policyDecisions = &policyDecisions{last: map[string]decisionlog.Record{}}
		b.observe = flex.policyDecisions.note
	}
	acs, _ := url.Parse(b.flex.acs)
	mux := http.NewServeMux()
	mux.Handle(b.base.Path+"/", b)
	mux.Handle("/idp/", idp.idp.Handler())
	mux.HandleFunc("GET /flex/login", flex.login)
	mux.HandleFunc("POST "+acs.Path, flex.acs)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		nonce := newNonce()
		setCSP(w, nonce)
		_ = demoIndex.Execute(w, struct{ Nonce, Flavour string }{nonce, b.flex.flavour})
	})
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if opt.Ready != nil {
		opt.Ready(origin.String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	down, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	return srv.Shutdown(down)
}

var demoIndex = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>flexroles bridge demo</title>
<style nonce="{{.Nonce}}">body{font:16px/1.5 system-ui,sans-serif;max-width:44em;margin:2em auto;padding:0 1em}</style>
</head><body>
<h1>flexroles bridge demo</h1>
<p>Three parts on this machine: a demo identity provider with the example users, the bridge with examples/policy.yaml, and a page standing in for Flex ({{.Flavour}} SSO).</p>
<p><a id="start" href="/flex/login">Sign in to Flex</a>: the stand-in sends you to the bridge, the bridge to the identity provider; pick a user and see what Flex receives, or why the bridge refused.</p>
</body></html>
`))

// demoOrigin is the scheme and host the demo serves at: the base URL's,
// with addr's host and port.
func demoOrigin(cfg Config, addr string) (*url.URL, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if base.Scheme != "http" || !loopback(base.Hostname()) {
		return nil, errors.New("flexroles: bridge demo runs on a loopback http address; base_url " + quote(cfg.BaseURL) + " is not one")
	}
	if base.Path == "" || base.Path == "/idp" || base.Path == "/flex" {
		return nil, errors.New("flexroles: bridge demo serves the bridge below a path of its own, such as http://127.0.0.1:8080/bridge; base_url " + quote(cfg.BaseURL) + " has none")
	}
	return &url.URL{Scheme: "http", Host: addr, Path: "/"}, nil
}

// PrepareDemo makes what the demo configuration names and no repository
// ships, in the directory of its keys.key: the bridge's key pair and the
// demo IdP's (on the first run), and the IdP's metadata for origin (at each
// run). It points cfg at origin and returns the IdP's key pair.
func PrepareDemo(cfg *Config, origin *url.URL) (*rsa.PrivateKey, *x509.Certificate, error) {
	dir := filepath.Dir(cfg.Keys.Key)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, errors.New("flexroles: bridge demo: " + err.Error())
	}
	if _, err := os.Stat(cfg.Keys.Key); errors.Is(err, os.ErrNotExist) {
		key, cert, err := newKeyPair(2048, "flexroles bridge demo")
		if err == nil {
			err = writeKeyPair(cfg.Keys.Key, cfg.Keys.Certificate, key, cert)
		}
		if err != nil {
			return nil, nil, errors.New("flexroles: bridge demo: " + err.Error())
		}
	}
	idpKeyPath, idpCertPath := filepath.Join(dir, "idp.key"), filepath.Join(dir, "idp.crt")
	if _, err := os.Stat(idpKeyPath); errors.Is(err, os.ErrNotExist) {
		key, cert, err := newKeyPair(2048, "flexroles demo identity provider")
		if err == nil {
			err = writeKeyPair(idpKeyPath, idpCertPath, key, cert)
		}
		if err != nil {
			return nil, nil, errors.New("flexroles: bridge demo: " + err.Error())
		}
	}
	idpKey, err := readRSAKey(idpKeyPath)
	if err != nil {
		return nil, nil, err
	}
	idpCert, err := readCertificate(idpCertPath, "demo IdP certificate")
	if err != nil {
		return nil, nil, err
	}
	base, _ := parseBaseURL(cfg.BaseURL)
	base.Scheme, base.Host = origin.Scheme, origin.Host
	cfg.BaseURL = base.String()
	cfg.Listen = origin.Host
	cfg.Flex.ACSURL = "http://" + origin.Host
	idp := newDemoIDP(*origin.JoinPath("idp"), idpKey, idpCert, nil, nil)
	md, err := xml.MarshalIndent(idp.idp.Metadata(), "", "  ")
	if err == nil && cfg.Upstream.MetadataFile != "" {
		err = os.WriteFile(cfg.Upstream.MetadataFile, md, 0o600)
	}
	if err != nil {
		return nil, nil, errors.New("flexroles: bridge demo: " + err.Error())
	}
	return idpKey, idpCert, nil
}

// readDemoUsers reads the demo IdP's users from a CSV with the header
// email,name,groups,department,location, optionally followed by roles, and
// adds one user without an email, whose login the bridge refuses.
func readDemoUsers(path string) ([]DemoUser, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the users file the demo was given
	if err != nil {
		return nil, errors.New("flexroles: bridge demo users: " + err.Error())
	}
	defer f.Close()
	r := csv.NewReader(io.LimitReader(f, 1<<20))
	rows, err := r.ReadAll()
	if header := strings.Join(rows0(rows), ","); err != nil || len(rows) < 2 || header != "email,name,groups,department,location" && header != "email,name,groups,department,location,roles" {
		return nil, errors.New("flexroles: bridge demo users: " + path + " is not a CSV with the header email,name,groups,department,location (and optionally roles)")
	}
	var users []DemoUser
	for _, row := range rows[1:] {
		attrs := map[string][]string{"email": {row[0]}, "full_name": {row[1]}, "groups": strings.Split(row[2], ";")}
		if row[3] != "" {
			attrs["department"] = []string{row[3]}
		}
		if row[4] != "" {
			attrs["location"] = []string{row[4]}
		}
		if len(row) > 5 && row[5] != "" {
			attrs["roles"] = strings.Split(row[5], ";")
		}
		users = append(users, DemoUser{Login: strings.SplitN(row[0], "@", 2)[0], Attributes: attrs})
	}
	noEmail := maps.Clone(users[0].Attributes)
	delete(noEmail, "email")
	users = append(users, DemoUser{Login: "no.email", Attributes: noEmail})
	return users, nil
}

// rows0 is the first row of a CSV, or nothing.
func rows0(rows [][]string) []string {
	if len(rows) == 0 {
		return nil
	}
	return rows[0]
}
