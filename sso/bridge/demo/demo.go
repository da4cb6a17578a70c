package demo

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/flexroles/flexroles/sso/bridge"
	"github.com/flexroles/flexroles/sso/samltest"
)

// Options configure Run; the zero value runs examples/bridge.yaml on the
// address it names.
type Options struct {
	// Config is the demo's bridge configuration; default
	// examples/bridge.yaml. Its keys and the IdP's metadata are made in
	// the directory of its keys.key on the first run, never shipped.
	Config string
	// Users is a CSV of the demo IdP's users, as samltest.ReadUsers reads
	// it: email, name, groups separated by ";", department, location, and
	// optionally roles separated by ";", which the IdP then sends as
	// Flex's roles attribute; default users.csv beside Config, or
	// users-roles.csv in shadow mode.
	Users string
	// Mode, when set, replaces the configuration's mode: with
	// bridge.ModeShadow the stand-in for Flex shows, beside what Flex
	// receives (the IdP's roles), what the policy would decide.
	Mode bridge.Mode
	// Listener, when set, replaces the configuration's address (listen,
	// base_url, flex.acs_url): for tests, and to run on another port.
	Listener net.Listener
	// Ready is called once the demo serves, with the URL to open.
	Ready func(startURL string)
	// PrepareOnly makes the files Prepare makes, for the configuration's
	// own address, and returns without serving (Listener is not used):
	// then "bridge check" can read the configuration.
	PrepareOnly bool
	// Log receives the bridge's log lines; nil discards.
	Log *slog.Logger
}

// shutdownGrace is how long requests under way get when ctx ends.
const shutdownGrace = 10 * time.Second

// Run runs the demo until ctx ends (rules 1 to 5): the demo identity
// provider, the bridge and the stand-in for Flex on one loopback address.
func Run(ctx context.Context, opt Options) error {
	if opt.Config == "" {
		opt.Config = filepath.Join("examples", "bridge.yaml")
	}
	cfg, err := bridge.LoadConfigFile(opt.Config)
	if err != nil {
		return err
	}
	if opt.Mode != "" {
		cfg.Mode = opt.Mode
	}
	if cfg.Mode == bridge.ModeShadow && cfg.RedactIdentity {
		return errors.New("flexroles: bridge demo: in shadow mode the page shows the policy's decision of each user beside what Flex received, which it finds by the user the bridge records; redact_identity hides the user: remove it from " + opt.Config + " for the demo")
	}
	if opt.Users == "" {
		opt.Users = filepath.Join(filepath.Dir(opt.Config), "users.csv")
		if cfg.Mode == bridge.ModeShadow {
			opt.Users = filepath.Join(filepath.Dir(opt.Config), "users-roles.csv")
		}
	}
	listen := cfg.Listen
	if listen == "" {
		listen = bridge.DefaultListen
	}
	if opt.PrepareOnly {
		origin, err := demoOrigin(cfg, listen)
		if err == nil {
			_, _, err = Prepare(&cfg, origin)
		}
		return err
	}
	ln := opt.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", listen); err != nil {
			return errors.New("flexroles: bridge demo: " + err.Error())
		}
	}
	defer ln.Close()
	origin, err := demoOrigin(cfg, ln.Addr().String())
	if err != nil {
		return err
	}
	users, err := samltest.ReadUsers(opt.Users)
	if err != nil {
		return err
	}
	idpKey, idpCert, err := Prepare(&cfg, origin)
	if err != nil {
		return err
	}

	var b *bridge.Bridge
	idp := samltest.NewIDP(*origin.JoinPath("idp"), idpKey, idpCert, users, func() *saml.EntityDescriptor {
		if b == nil {
			return nil
		}
		return b.SPMetadata()
	})
	if b, err = bridge.New(ctx, cfg, opt.Log); err != nil {
		return err
	}
	defer func() { _ = b.Close() }()
	flexSetup := b.Setup().Flex
	flex, err := samltest.NewFlexStandIn(flexSetup.ACS, flexSetup.Audience, b.IDPMetadata(), "/flex/login")
	if err != nil {
		return err
	}
	if cfg.Mode == bridge.ModeShadow {
		b.OnDecision(flex.NoteDecision)
	}
	acs, err := url.Parse(flexSetup.ACS)
	if err != nil {
		return errors.New("flexroles: bridge demo: " + err.Error())
	}
	base, _ := url.Parse(cfg.BaseURL) // demoOrigin parsed it
	mux := http.NewServeMux()
	mux.Handle(strings.TrimSuffix(base.Path, "/")+"/", b)
	mux.Handle("/idp/", idp)
	mux.HandleFunc("GET /flex/login", flex.Login)
	mux.HandleFunc("POST "+acs.Path, flex.ACS)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Security-Policy", indexCSP)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = indexPage.Execute(w, struct{ Flavour string }{flexSetup.Flavour})
	})
	srv := bridge.NewServer(mux, opt.Log)
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
	down, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return srv.Shutdown(down)
}

// indexStyle is the start page's only style, allowed by its hash.
const indexStyle = `body{font:16px/1.5 system-ui,sans-serif;max-width:44em;margin:2em auto;padding:0 1em}`

var indexCSP = func() string {
	sum := sha256.Sum256([]byte(indexStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; frame-ancestors 'none'"
}()

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>flexroles bridge demo</title>
<style>` + indexStyle + `</style>
</head><body>
<h1>flexroles bridge demo</h1>
<p>Three parts on this machine: a demo identity provider with the example users, the bridge with examples/policy.yaml, and a page standing in for Flex ({{.Flavour}} SSO).</p>
<p><a id="start" href="/flex/login">Sign in to Flex</a>: the stand-in sends you to the bridge, the bridge to the identity provider; pick a user and see what Flex receives, or why the bridge refused.</p>
</body></html>
`))

// demoOrigin is the scheme and host the demo serves at (rule 1): the base
// URL's, with addr's host and port.
func demoOrigin(cfg bridge.Config, addr string) (*url.URL, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || base.Scheme != "http" || !loopback(base.Hostname()) || base.RawQuery != "" || base.Fragment != "" {
		return nil, errors.New("flexroles: bridge demo runs on a loopback http address; base_url " + strconv.Quote(cfg.BaseURL) + " is not one")
	}
	if p := strings.TrimSuffix(base.Path, "/"); p == "" || p == "/idp" || p == "/flex" {
		return nil, errors.New("flexroles: bridge demo serves the bridge below a path of its own, such as http://127.0.0.1:8080/bridge; base_url " + strconv.Quote(cfg.BaseURL) + " has none")
	}
	return &url.URL{Scheme: "http", Host: addr, Path: "/"}, nil
}

// loopback says whether host is localhost or a loopback IP address.
func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// Prepare makes what the demo configuration names and no repository ships
// (rule 2), in the directory of its keys.key: the bridge's key pair and the
// demo IdP's (on the first run), and the IdP's metadata for origin (at each
// run). It points cfg at origin and returns the IdP's key pair.
func Prepare(cfg *bridge.Config, origin *url.URL) (*rsa.PrivateKey, *x509.Certificate, error) {
	failed := func(err error) error { return errors.New("flexroles: bridge demo: " + err.Error()) }
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, nil, failed(err)
	}
	dir := filepath.Dir(cfg.Keys.Key)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, failed(err)
	}
	idpKeyPath, idpCertPath := filepath.Join(dir, "idp.key"), filepath.Join(dir, "idp.crt")
	for _, pair := range []struct{ key, cert, name string }{
		{cfg.Keys.Key, cfg.Keys.Certificate, "flexroles bridge demo"},
		{idpKeyPath, idpCertPath, "flexroles demo identity provider"},
	} {
		if _, err := os.Stat(pair.key); !errors.Is(err, os.ErrNotExist) {
			continue
		}
		key, cert, err := samltest.NewKeyPair(2048, pair.name)
		if err == nil {
			err = samltest.WriteKeyPair(pair.key, pair.cert, key, cert)
		}
		if err != nil {
			return nil, nil, failed(err)
		}
	}
	idpKey, idpCert, err := samltest.ReadKeyPair(idpKeyPath, idpCertPath)
	if err != nil {
		return nil, nil, err
	}
	base.Scheme, base.Host = origin.Scheme, origin.Host
	cfg.BaseURL = base.String()
	cfg.Listen = origin.Host
	cfg.Flex.ACSURL = "http://" + origin.Host
	idp := samltest.NewIDP(*origin.JoinPath("idp"), idpKey, idpCert, nil, nil)
	md, err := xml.MarshalIndent(idp.SAML.Metadata(), "", "  ")
	if err == nil && cfg.Upstream.MetadataFile != "" {
		err = os.WriteFile(cfg.Upstream.MetadataFile, md, 0o600) //nolint:gosec // G703: the metadata_file the demo's configuration names
	}
	if err != nil {
		return nil, nil, failed(err)
	}
	return idpKey, idpCert, nil
}
