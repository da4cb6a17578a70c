// Command loginhandler is a SAML service provider that decides, at each
// login, the roles Twilio Flex gives the user, with flexroles and a policy
// file.
//
// It starts a login at /login, publishes its metadata at /saml/metadata and
// receives the identity provider's response at /saml/acs, which answers with
// the decision as JSON: the roles, what Flex Insights allows and why, or the
// refusal and what to change. A real login handler would then write the
// roles to the user's TaskRouter worker (flexroles.WorkerAttributes).
//
// From the examples directory:
//
//	go run ./loginhandler -idp-metadata https://idp.example.com/metadata
//
// Flags:
//
//	-addr          listen address (default 127.0.0.1:8000)
//	-policy        flexroles policy file (default policy.yaml)
//	-idp-metadata  the identity provider's SAML metadata: a file or an http(s) URL
//	-key, -cert    PEM private key and certificate of this service provider;
//	               when both are absent a self-signed pair is generated in memory
//	-root-url      URL at which browsers reach this service (default http://ADDR)
package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
)

func main() {
	var cfg config
	addr := flag.String("addr", "127.0.0.1:8000", "listen address")
	flag.StringVar(&cfg.PolicyFile, "policy", "policy.yaml", "flexroles policy file")
	flag.StringVar(&cfg.IDPMetadata, "idp-metadata", "", "identity provider SAML metadata: a file or an http(s) URL (required)")
	flag.StringVar(&cfg.KeyFile, "key", "", "PEM private key of this service provider (generated when absent)")
	flag.StringVar(&cfg.CertFile, "cert", "", "PEM certificate of this service provider (generated when absent)")
	flag.StringVar(&cfg.RootURL, "root-url", "", "URL at which browsers reach this service (default http://ADDR)")
	flag.Parse()
	if cfg.RootURL == "" {
		cfg.RootURL = "http://" + *addr
	}

	s, err := newServer(cfg)
	if err != nil {
		log.Fatal(err)
	}
	sp := &s.sp.ServiceProvider
	log.Printf("SP entity ID %s, ACS URL %s", sp.EntityID, sp.AcsURL.String())
	log.Printf("listening on %s; log in at %s/login", *addr, cfg.RootURL)
	srv := &http.Server{Addr: *addr, Handler: s, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// loadIDPMetadata reads the identity provider's metadata from an http(s) URL
// or a file. The metadata holds the certificate that every response must be
// signed with: fetch it over https, or keep a copy with the service.
func loadIDPMetadata(src string) (*saml.EntityDescriptor, error) {
	if src == "" {
		return nil, errors.New("-idp-metadata is required: the identity provider's metadata file or URL")
	}
	if u, err := url.Parse(src); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		md, err := samlsp.FetchMetadata(ctx, nil, *u)
		if err != nil {
			return nil, fmt.Errorf("IdP metadata %s: %w", src, err)
		}
		return md, nil
	}
	data, err := os.ReadFile(src) //nolint:gosec // G304: the metadata file the operator configured
	if err != nil {
		return nil, fmt.Errorf("IdP metadata: %w", err)
	}
	md, err := samlsp.ParseMetadata(data)
	if err != nil {
		return nil, fmt.Errorf("IdP metadata %s: %w", src, err)
	}
	return md, nil
}

// loadKeyPair reads the service provider's key and certificate, or generates
// a self-signed pair when neither file is given.
func loadKeyPair(keyFile, certFile, host string, logf func(string, ...any)) (crypto.Signer, *x509.Certificate, error) {
	switch {
	case keyFile == "" && certFile == "":
		logf("no -key and -cert: using a self-signed SP certificate generated in memory, new at each start")
		return generateKeyPair(host)
	case keyFile == "" || certFile == "":
		return nil, nil, errors.New("-key and -cert must be given together")
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("SP key pair: %w", err)
	}
	key, ok := pair.PrivateKey.(crypto.Signer)
	if !ok {
		return nil, nil, fmt.Errorf("SP key pair: %T cannot sign", pair.PrivateKey)
	}
	return key, pair.Leaf, nil
}

func generateKeyPair(host string) (crypto.Signer, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	return key, cert, nil
}
