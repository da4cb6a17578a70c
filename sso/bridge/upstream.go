package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
)

// verifiedAssertion is what the bridge takes from an upstream response once
// every check has passed: only the signed assertion's content.
type verifiedAssertion struct {
	ID           string              // the assertion's ID, used once
	NotOnOrAfter time.Time           // end of its validity, the replay window
	NameID       string              // the subject's NameID
	Attributes   map[string][]string // attributes by Name, values as received
}

// verifier checks an upstream SAML response with every check on: the
// signature against the upstream metadata, issuer, audience and
// destination (the bridge's SP), validity times with skew, InResponseTo
// equal to requestID (empty for an IdP-initiated login), and Status.
type verifier interface {
	verify(response []byte, requestID string, now time.Time) (verifiedAssertion, error)
}

// crewjamVerifier verifies with crewjam/saml's service provider.
type crewjamVerifier struct {
	sp   *saml.ServiceProvider // IDPMetadata set; no replay cache: the bridge keeps its own
	skew time.Duration
}

func (v crewjamVerifier) verify(response []byte, requestID string, now time.Time) (verifiedAssertion, error) {
	var ids []string
	if requestID != "" {
		ids = []string{requestID}
	}
	a, err := v.sp.ParseXMLResponse(response, ids, v.sp.AcsURL)
	if err != nil {
		var invalid *saml.InvalidResponseError
		if errors.As(err, &invalid) && invalid.PrivateErr != nil {
			return verifiedAssertion{}, invalid.PrivateErr
		}
		return verifiedAssertion{}, err
	}
	out := verifiedAssertion{ID: a.ID, Attributes: map[string][]string{}}
	if a.Conditions != nil {
		// crewjam/saml allows its own fixed skew; hold the configured one.
		if !a.Conditions.NotBefore.IsZero() && now.Add(v.skew).Before(a.Conditions.NotBefore) {
			return verifiedAssertion{}, fmt.Errorf("the assertion is not valid before %s", a.Conditions.NotBefore.UTC().Format(time.RFC3339))
		}
		out.NotOnOrAfter = a.Conditions.NotOnOrAfter
	}
	if out.NotOnOrAfter.IsZero() {
		return verifiedAssertion{}, errors.New("the assertion has no NotOnOrAfter: it could be replayed for ever")
	}
	if !now.Before(out.NotOnOrAfter.Add(v.skew)) {
		return verifiedAssertion{}, fmt.Errorf("the assertion expired at %s", out.NotOnOrAfter.UTC().Format(time.RFC3339))
	}
	if a.Subject != nil && a.Subject.NameID != nil {
		out.NameID = a.Subject.NameID.Value
	}
	for _, st := range a.AttributeStatements {
		for _, attr := range st.Attributes {
			for _, val := range attr.Values {
				out.Attributes[attr.Name] = append(out.Attributes[attr.Name], val.Value)
			}
			if len(attr.Values) == 0 {
				out.Attributes[attr.Name] = append(out.Attributes[attr.Name], []string(nil)...)
			}
		}
	}
	return out, nil
}

// upstreamIdP is the organisation's IdP: its metadata, refreshed from a URL
// on a schedule, and the bridge's service provider towards it.
type upstreamIdP struct {
	mu       sync.RWMutex
	sp       *saml.ServiceProvider // replaced whole on refresh
	loadedAt time.Time

	cfg      Upstream
	template saml.ServiceProvider // everything but the metadata
	skew     time.Duration
	client   *http.Client
}

// maxMetadataBytes bounds upstream metadata; federation files can be large.
const maxMetadataBytes = 8 << 20

func newUpstream(ctx context.Context, cfg Upstream, template saml.ServiceProvider, skew time.Duration) (*upstreamIdP, error) {
	if (cfg.MetadataFile == "") == (cfg.MetadataURL == "") {
		return nil, errors.New("flexroles: upstream: give metadata_file or metadata_url, exactly one")
	}
	u := &upstreamIdP{cfg: cfg, template: template, skew: skew, client: &http.Client{Timeout: 20 * time.Second}}
	if err := u.load(ctx); err != nil {
		return nil, err
	}
	return u, nil
}

// load reads the metadata and, only when it parses, replaces the current
// service provider.
func (u *upstreamIdP) load(ctx context.Context) error {
	data, err := u.read(ctx)
	if err != nil {
		return err
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
	u.sp, u.loadedAt = &sp, time.Now()
	u.mu.Unlock()
	return nil
}

func (u *upstreamIdP) source() string {
	if u.cfg.MetadataFile != "" {
		return u.cfg.MetadataFile
	}
	return u.cfg.MetadataURL
}

func (u *upstreamIdP) read(ctx context.Context) ([]byte, error) {
	if u.cfg.MetadataFile != "" {
		data, err := os.ReadFile(u.cfg.MetadataFile)
		if err != nil {
			return nil, errors.New("flexroles: upstream.metadata_file: " + err.Error())
		}
		return data, nil
	}
	parsed, err := url.Parse(u.cfg.MetadataURL)
	if err != nil || (parsed.Scheme != "https" && !(parsed.Scheme == "http" && loopback(parsed.Hostname()))) {
		return nil, errors.New("flexroles: upstream.metadata_url " + quote(u.cfg.MetadataURL) + " must be an https URL")
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

// refresh reloads URL metadata every cfg.Refresh until ctx ends; a failed
// refresh keeps the metadata already loaded and is reported to failed.
func (u *upstreamIdP) refresh(ctx context.Context, failed func(error)) {
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
func (u *upstreamIdP) current() *saml.ServiceProvider {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return u.sp
}

// verify is the verifier over the latest metadata.
func (u *upstreamIdP) verify(response []byte, requestID string, now time.Time) (verifiedAssertion, error) {
	return crewjamVerifier{sp: u.current(), skew: u.skew}.verify(response, requestID, now)
}
