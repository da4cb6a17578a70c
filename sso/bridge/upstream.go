package bridge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"

	"github.com/flexroles/flexroles/sso/assertion"
)

// verifiedAssertion is what the bridge takes from an upstream response once
// every check has passed: only the signed assertion's content.
type verifiedAssertion struct {
	ID           string              // the assertion's ID, used once
	NotOnOrAfter time.Time           // end of its validity, the replay window
	NameID       string              // the subject's NameID
	Attributes   map[string][]string // attributes by Name, values as received
	// Authn is the first AuthnStatement: when and how the upstream IdP
	// authenticated the user, passed on to Flex.
	Authn assertion.AuthnStatement
}

// upstreamIDP is the organisation's IdP: its metadata, refreshed from a URL
// on a schedule, and the bridge's service provider towards it.
type upstreamIDP struct {
	mu       sync.RWMutex
	sp       *saml.ServiceProvider // replaced whole on refresh: finds the SSO URL, makes AuthnRequests
	md       *assertion.Metadata   // the same metadata, for the verifier
	loadedAt time.Time

	cfg      Upstream
	template saml.ServiceProvider // everything but the metadata
	skew     time.Duration
	client   *http.Client
}

// maxMetadataBytes bounds upstream metadata; federation files can be large.
const maxMetadataBytes = 8 << 20

func newUpstream(ctx context.Context, cfg Upstream, template saml.ServiceProvider, skew time.Duration, client *http.Client) (*upstreamIDP, error) {
	if (cfg.MetadataFile == "") == (cfg.MetadataURL == "") {
		return nil, errors.New("flexroles: upstream: give metadata_file or metadata_url, exactly one")
	}
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	// A redirect is followed only to a URL metadata_url itself could be:
	// https never leads to metadata over plain http.
	c := *client
	c.CheckRedirect = checkMetadataRedirect
	u := &upstreamIDP{cfg: cfg, template: template, skew: skew, client: &c}
	if err := u.load(ctx); err != nil {
		return nil, err
	}
	return u, nil
}

// load reads the metadata and, only when it parses, replaces the current
// service provider.
func (u *upstreamIDP) load(ctx context.Context) error {
	data, err := u.read(ctx)
	if err != nil {
		return err
	}
	if pemCertificate(data) {
		return fmt.Errorf("flexroles: upstream metadata %s is a PEM certificate, not SAML metadata: give the identity provider's metadata XML (its metadata URL, or the file its SAML application offers for download), which holds the certificate and the sign-in URL", u.source())
	}
	keys, err := assertion.ParseMetadata(data)
	if err != nil {
		return fmt.Errorf("flexroles: upstream metadata %s: %w", u.source(), err)
	}
	md, err := samlsp.ParseMetadata(data)
	if err != nil {
		return fmt.Errorf("flexroles: upstream metadata %s: %w", u.source(), err)
	}
	if len(md.IDPSSODescriptors) == 0 {
		return fmt.Errorf("flexroles: upstream metadata %s describes no identity provider (no IDPSSODescriptor)", u.source())
	}
	sp := u.template
	sp.IDPMetadata = md
	if sp.GetSSOBindingLocation(saml.HTTPRedirectBinding) == "" && sp.GetSSOBindingLocation(saml.HTTPPostBinding) == "" {
		return fmt.Errorf("flexroles: upstream metadata %s has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding", u.source())
	}
	u.mu.Lock()
	u.sp, u.md, u.loadedAt = &sp, keys, time.Now()
	u.mu.Unlock()
	return nil
}

func (u *upstreamIDP) source() string {
	if u.cfg.MetadataFile != "" {
		return u.cfg.MetadataFile
	}
	return u.cfg.MetadataURL
}

func (u *upstreamIDP) read(ctx context.Context) ([]byte, error) {
	if u.cfg.MetadataFile != "" {
		return readFileAtMost(u.cfg.MetadataFile, "upstream.metadata_file", maxMetadataBytes)
	}
	parsed, err := url.Parse(u.cfg.MetadataURL)
	if err != nil || !metadataURLAllowed(parsed) {
		return nil, errors.New("flexroles: upstream.metadata_url " + quote(u.cfg.MetadataURL) + " must be an https URL (plain http only on a loopback address, for trying the bridge)")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.cfg.MetadataURL, nil)
	if err != nil {
		return nil, errors.New("flexroles: upstream.metadata_url: " + err.Error())
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return nil, errors.New("flexroles: upstream.metadata_url: " + err.Error())
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("flexroles: upstream.metadata_url %s answered HTTP %d", u.cfg.MetadataURL, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBytes+1))
	if err != nil {
		return nil, errors.New("flexroles: upstream.metadata_url: " + err.Error())
	}
	if len(data) > maxMetadataBytes {
		return nil, fmt.Errorf("flexroles: upstream.metadata_url %s is larger than %d bytes", u.cfg.MetadataURL, maxMetadataBytes)
	}
	return data, nil
}

// pemCertificate tells a PEM certificate, which IdPs offer for download
// beside their metadata, from the metadata XML the bridge needs.
func pemCertificate(data []byte) bool {
	t := bytes.TrimSpace(data)
	return bytes.HasPrefix(t, []byte("-----BEGIN ")) || bytes.HasPrefix(t, []byte("MII")) // PEM, or its base64 body alone
}

// metadataURLAllowed reports whether metadata may be fetched from u: over
// https, or plain http on a loopback address only, since the metadata
// holds the keys the bridge trusts.
func metadataURLAllowed(u *url.URL) bool {
	return u.Host != "" && (u.Scheme == "https" || u.Scheme == "http" && loopback(u.Hostname()))
}

// checkMetadataRedirect follows a redirect of metadata_url only to a URL
// metadataURLAllowed allows, and at most 10.
func checkMetadataRedirect(req *http.Request, via []*http.Request) error {
	if !metadataURLAllowed(req.URL) {
		return errors.New("redirected to " + quote(req.URL.String()) + ", which is not https")
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// refresh reloads URL metadata every cfg.Refresh until ctx ends; a failed
// refresh keeps the metadata already loaded and is reported to failed.
func (u *upstreamIDP) refresh(ctx context.Context, failed func(error)) {
	if u.cfg.MetadataURL == "" {
		return
	}
	t := time.NewTicker(u.cfg.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := u.load(ctx); err != nil && ctx.Err() == nil {
				failed(err)
			}
		}
	}
}

// current returns the service provider built on the latest metadata.
func (u *upstreamIDP) current() *saml.ServiceProvider {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return u.sp
}

// verify checks an upstream response with sso/assertion and every check
// on: the signature against the latest metadata (keys bound to their
// entity), the signed Issuer, Status, audience and destination (the
// bridge's service provider), validity times with the configured skew,
// InResponseTo equal to requestID, and SHA-1 refused. An empty requestID
// accepts only an unsolicited response, and only when IdP-initiated login
// is allowed. Only the signed assertion's content comes back.
func (u *upstreamIDP) verify(response []byte, requestID string, now time.Time) (verifiedAssertion, error) {
	u.mu.RLock()
	sp, md := u.sp, u.md
	u.mu.RUnlock()
	want := assertion.Expectations{
		Audience:   sp.EntityID,
		ACS:        sp.AcsURL.String(),
		Now:        now,
		ClockSkew:  u.skew,
		RejectSHA1: true,
	}
	if requestID != "" {
		want.RequestIDs = []string{requestID}
	} else {
		want.AllowUnsolicited = sp.AllowIDPInitiated
	}
	// Inspect rather than Verify: a refusal is explained check by check
	// (responseError). Its Result makes a login only when err is nil.
	res, err := assertion.Inspect(response, md, want)
	if err != nil {
		return verifiedAssertion{}, &responseError{err: err, res: res}
	}
	login, err := res.Login()
	if err != nil {
		return verifiedAssertion{}, &responseError{err: err, res: res}
	}
	out := verifiedAssertion{ID: res.Assertion.ID, NotOnOrAfter: res.Assertion.Conditions.NotOnOrAfter, NameID: login.Identity, Attributes: login.Attributes}
	for _, sc := range res.Assertion.SubjectConfirmations {
		if !sc.NotOnOrAfter.IsZero() && (out.NotOnOrAfter.IsZero() || sc.NotOnOrAfter.After(out.NotOnOrAfter)) {
			out.NotOnOrAfter = sc.NotOnOrAfter // the replay window covers the longest validity
		}
	}
	if out.ID == "" || out.NotOnOrAfter.IsZero() {
		return verifiedAssertion{}, errNoReplayWindow
	}
	if len(res.Assertion.AuthnStatements) == 0 || res.Assertion.AuthnStatements[0].AuthnInstant.IsZero() {
		return verifiedAssertion{}, errNoAuthnStatement
	}
	out.Authn = res.Assertion.AuthnStatements[0]
	return out, nil
}

// responseError is an upstream response the verifier refused: its error,
// and the Result it returned with it (nil when nothing could be read),
// which says every check that failed and which values were signed. Nothing
// of the Result is used but to explain the refusal.
type responseError struct {
	err error
	res *assertion.Result
}

func (e *responseError) Error() string { return e.err.Error() }

func (e *responseError) Unwrap() error { return e.err }
