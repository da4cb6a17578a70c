package main

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"net/url"
	"strings"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"

	"github.com/flexroles/flexroles"
)

// config is what newServer needs; main fills it from the flags.
type config struct {
	PolicyFile  string // flexroles policy YAML
	IDPMetadata string // IdP metadata: file or http(s) URL
	KeyFile     string // PEM key of this SP; with CertFile, or both empty
	CertFile    string // PEM certificate of this SP
	RootURL     string // URL at which browsers reach this service

	Logf func(format string, args ...any) // nil: log.Printf
}

// server is the SAML service provider. crewjam/saml starts the login and
// verifies the response; the assertion consumer (serveACS) turns the verified
// assertion into a flexroles.Login and resolves it.
type server struct {
	sp      *samlsp.Middleware
	resolve func(flexroles.Login) (flexroles.Decision, error) // the policy's Resolve
	logf    func(format string, args ...any)
	mux     *http.ServeMux
}

func newServer(cfg config) (*server, error) {
	logf := cfg.Logf
	if logf == nil {
		logf = log.Printf
	}
	policy, err := flexroles.LoadPolicyFile(cfg.PolicyFile)
	if err != nil {
		return nil, err
	}
	root, err := url.Parse(cfg.RootURL)
	if err != nil || (root.Scheme != "http" && root.Scheme != "https") || root.Host == "" {
		return nil, errors.New("-root-url must be an absolute http(s) URL")
	}
	if !strings.HasSuffix(root.Path, "/") {
		root.Path += "/" // the SAML endpoints go below it
	}
	idp, err := loadIDPMetadata(cfg.IDPMetadata)
	if err != nil {
		return nil, err
	}
	key, cert, err := loadKeyPair(cfg.KeyFile, cfg.CertFile, root.Hostname(), logf)
	if err != nil {
		return nil, err
	}

	sp, err := samlsp.New(samlsp.Options{
		URL:         *root, // entity ID ROOT/saml/metadata, ACS ROOT/saml/acs
		Key:         key,
		Certificate: cert,
		IDPMetadata: idp,
		ReplayCache: samlsp.NewMemoryReplayCache(10000), // an assertion is accepted once
	})
	if err != nil {
		return nil, err
	}
	// The entity ID to register at the IdP is the metadata URL.
	sp.ServiceProvider.EntityID = sp.ServiceProvider.MetadataURL.String()
	// Ask for no NameID format: the IdP sends the one it is configured
	// with (an email address, usually), not the transient one samlsp asks for.
	sp.ServiceProvider.AuthnNameIDFormat = saml.UnspecifiedNameIDFormat

	s := &server{sp: sp, resolve: policy.Resolve, logf: logf, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET "+root.JoinPath("login").Path, sp.HandleStartAuthFlow)
	s.mux.HandleFunc("GET "+sp.ServiceProvider.MetadataURL.Path, sp.ServeMetadata)
	s.mux.HandleFunc("POST "+sp.ServiceProvider.AcsURL.Path, s.serveACS)
	return s, nil
}

// ServeHTTP serves the login start, the SP metadata and the assertion
// consumer.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// serveACS is the assertion consumer service: the browser posts the IdP's
// SAMLResponse here.
func (s *server) serveACS(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20) // a SAML response is a few kilobytes
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, refusal{Kind: "bad_request", Error: err.Error()})
		return
	}

	// crewjam/saml checks the signature against the IdP metadata, the
	// audience, issuer, destination, validity times and that the response
	// answers a login started here (InResponseTo). Nothing in an assertion
	// that fails these checks may be used.
	assertion, err := s.sp.ServiceProvider.ParseResponse(r, s.requestIDs(r))
	if err != nil {
		detail := err
		var invalid *saml.InvalidResponseError
		if errors.As(err, &invalid) {
			detail = invalid.PrivateErr // for the log only
		}
		s.logf("SAML response rejected: %v", detail)
		writeJSON(w, http.StatusForbidden, refusal{
			Kind:  "saml_response_rejected",
			Error: "the SAML response was rejected: " + rejectReason(err),
		})
		return
	}
	if relayState := r.PostForm.Get("RelayState"); relayState != "" {
		_ = s.sp.RequestTracker.StopTrackingRequest(w, r, relayState) // this login is done
	}

	login := flexroles.Login{
		Source:     flexroles.SSO,
		Attributes: attributes(assertion),
		Identity:   nameID(assertion),
	}
	d, err := s.resolve(login)
	if err != nil {
		writeJSON(w, http.StatusForbidden, refusal{Kind: flexroles.ErrorKindName(err), Error: err.Error()})
		return
	}
	// A real login handler would now write the worker's attributes
	// (flexroles.WorkerAttributes) and start the user's session.
	writeJSON(w, http.StatusOK, grant{Granted: true, Decision: d})
}

// requestIDs returns the IDs of the AuthnRequests this browser was sent with:
// the only responses accepted are answers to them.
func (s *server) requestIDs(r *http.Request) []string {
	var ids []string
	for _, t := range s.sp.RequestTracker.GetTrackedRequests(r) {
		ids = append(ids, t.SAMLRequestID)
	}
	return ids
}

// attributes returns the assertion's attributes by Name, each with all its
// values as received: exactly what Flex reads.
func attributes(a *saml.Assertion) map[string][]string {
	attrs := map[string][]string{}
	for _, statement := range a.AttributeStatements {
		for _, attr := range statement.Attributes {
			values := attrs[attr.Name]
			for _, v := range attr.Values {
				values = append(values, v.Value)
			}
			attrs[attr.Name] = values
		}
	}
	return attrs
}

func nameID(a *saml.Assertion) string {
	if a.Subject == nil || a.Subject.NameID == nil {
		return ""
	}
	return a.Subject.NameID.Value
}

// rejectReason names the check a response failed, for whoever sets up the
// IdP. crewjam/saml keeps the full detail private; it goes to the log.
func rejectReason(err error) string {
	for _, c := range []struct {
		kind error
		text string
	}{
		{saml.ErrUntrustedCertificate, "signed with a certificate that is not in the IdP metadata (update -idp-metadata)"},
		{saml.ErrInvalidSignature, "missing or invalid signature"},
		{saml.ErrAudienceMismatch, "the audience is not this service provider's entity ID"},
		{saml.ErrDestinationMismatch, "not addressed to this ACS URL"},
		{saml.ErrIssuerMismatch, "the issuer is not the IdP of -idp-metadata"},
		{saml.ErrRequestIDMismatch, "it answers no login started here (InResponseTo)"},
		{saml.ErrExpired, "expired (check the clocks)"},
		{saml.ErrNotYetValid, "not yet valid (check the clocks)"},
		{saml.ErrMalformedMessage, "malformed"},
	} {
		if errors.Is(err, c.kind) {
			return c.text
		}
	}
	return "unsigned, or another check failed; the server log says which"
}

type grant struct {
	Granted bool `json:"granted"`
	flexroles.Decision
}

type refusal struct {
	Granted bool   `json:"granted"`
	Kind    string `json:"kind"`
	Error   string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
