package bridge

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/flexroles/flexroles"
)

// Setup is what an administrator enters in Flex's SSO settings and in the
// upstream IdP for the bridge to work.
type Setup struct {
	Flex     FlexSetup
	Upstream UpstreamSetup
	// Warnings name the settings that weaken the bridge, each with what
	// it allows; none for the defaults.
	Warnings []string
}

// warnIDPInitiated is the warning for upstream.allow_idp_initiated.
const warnIDPInitiated = "upstream.allow_idp_initiated is true: any web page can post an unsolicited response of the attacker's own account to saml/acs from the victim's browser, which then reaches Flex signed in as the attacker (login CSRF); a response posted twice is accepted once per instance. Turn it off unless users must start at the IdP's dashboard."

// FlexSetup is what Flex's SSO settings take.
type FlexSetup struct {
	Flavour     string // "legacy" (account SID) or "enhanced" (connection ID)
	SSOURL      string // the bridge's SSO URL: Flex's "SSO URL"
	Issuer      string // the bridge's entity ID: Flex's "Identity provider issuer"
	Certificate string // PEM: Flex's "X.509 certificate"
	ACS         string // where the bridge posts (Flex's ACS), for checking
	Audience    string // the audience the bridge asserts, for checking
}

// UpstreamSetup is what the organisation's IdP takes for its SAML
// application.
type UpstreamSetup struct {
	ACSURL      string   // Single sign-on URL / Reply URL
	EntityID    string   // Audience URI / Identifier
	MetadataURL string   // the bridge's SP metadata, for IdPs that import it
	NameID      string   // what the NameID should be
	Attributes  []string // attribute statements the policy reads, by name
}

// warnShadow is the warning for mode: shadow, whose roles come from the
// upstream attribute roles.
func warnShadow(roles string) string {
	return "mode is shadow: Flex receives the roles the identity provider sends in " + strconv.Quote(roles) + ", and the policy's decision is only recorded (decision log, metrics); set mode: enforce once flexroles diff --logins shows only the changes you mean."
}

// warnDecisionLogAttributes is the warning for decision_log_attributes.
const warnDecisionLogAttributes = "decision_log_attributes is true: every decision-log line holds the user's attribute values (email, name, groups: personal data). Turn it off once the next policy is reviewed."

// Setup returns the bridge's settings for Flex and the upstream IdP.
func (b *Bridge) Setup() Setup {
	policy := b.policyInForce()
	attrs := []string{policy.AttributeName(flexroles.EmailAttribute), policy.AttributeName(flexroles.FullNameAttribute), policy.AttributeName(flexroles.GroupsAttribute)}
	if r := policy.AttributeName(flexroles.RolesAttribute); r != "" {
		attrs = append(attrs, r)
	}
	if b.cfg.Mode == ModeShadow {
		attrs = append(attrs, b.cfg.ShadowRolesAttribute) // the roles Flex receives
	}
	seen := map[string]bool{}
	var names []string
	for _, a := range append(append(attrs, policy.Attributes()...), b.passThroughSources()...) {
		if a != "" && !seen[a] {
			seen[a] = true
			names = append(names, a)
		}
	}
	var warnings []string
	if b.cfg.Upstream.AllowIDPInitiated {
		warnings = append(warnings, warnIDPInitiated)
	}
	if b.cfg.Mode == ModeShadow {
		warnings = append(warnings, warnShadow(b.cfg.ShadowRolesAttribute))
	}
	if b.cfg.DecisionLogAttributes {
		warnings = append(warnings, warnDecisionLogAttributes)
	}
	return Setup{
		Warnings: warnings,
		Flex: FlexSetup{
			Flavour:     b.flex.flavour,
			SSOURL:      b.paths.sso.String(),
			Issuer:      b.paths.idpMetadata.String(),
			Certificate: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: b.idp.Certificate.Raw})),
			ACS:         b.flex.acs,
			Audience:    b.flex.audience,
		},
		Upstream: UpstreamSetup{
			ACSURL:      b.paths.acs.String(),
			EntityID:    b.paths.spMetadata.String(),
			MetadataURL: b.paths.spMetadata.String(),
			NameID:      "the user's email address (format emailAddress or unspecified)",
			Attributes:  names,
		},
	}
}

// passThroughSources are the upstream names of the pass-through
// attributes, in the order of their Flex names.
func (b *Bridge) passThroughSources() []string {
	var out []string
	for _, to := range sortedKeys(b.cfg.PassThrough) {
		out = append(out, b.cfg.PassThrough[to])
	}
	return out
}

// WriteText writes the setup for people, Flex first.
func (s Setup) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "In Flex (Console → Flex → Manage → Single sign-on, %s SSO):\n", s.Flex.Flavour)
	fmt.Fprintf(&b, "  SSO URL:                   %s\n", s.Flex.SSOURL)
	fmt.Fprintf(&b, "  Identity provider issuer:  %s\n", s.Flex.Issuer)
	fmt.Fprintf(&b, "  X.509 certificate:\n")
	for _, line := range strings.Split(strings.TrimSpace(s.Flex.Certificate), "\n") {
		b.WriteString("    " + line + "\n")
	}
	fmt.Fprintf(&b, "  (the bridge posts to %s for audience %s)\n\n", s.Flex.ACS, s.Flex.Audience)
	b.WriteString("In the identity provider (a SAML 2.0 application for the bridge):\n")
	fmt.Fprintf(&b, "  ACS URL (Single sign-on URL, Reply URL):  %s\n", s.Upstream.ACSURL)
	fmt.Fprintf(&b, "  Entity ID (Audience URI, Identifier):     %s\n", s.Upstream.EntityID)
	fmt.Fprintf(&b, "  SP metadata:                              %s\n", s.Upstream.MetadataURL)
	fmt.Fprintf(&b, "  NameID:                                   %s\n", s.Upstream.NameID)
	b.WriteString("  Attribute statements, named exactly so, without namespace:\n")
	for _, a := range s.Upstream.Attributes {
		b.WriteString("    " + a + "\n")
	}
	b.WriteString("  Signing: sign the response and/or the assertion with SHA-256; no assertion encryption.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Check loads everything cfg names, as Serve does, asks a Redis store to
// answer (which Serve does not need: it starts not ready), and runs the
// policy's own test cases; it returns the setup to enter in Flex and the
// upstream IdP (with its Warnings), and the cases' results in file order.
// A decision_log is opened for appending (so made if missing) and closed.
func Check(ctx context.Context, cfg Config) (Setup, []flexroles.PolicyTestResult, error) {
	b, err := New(ctx, cfg, nil)
	if err != nil {
		return Setup{}, nil, err
	}
	defer func() { _ = b.Close() }()
	ping, cancel := context.WithTimeout(ctx, storePingTimeout)
	defer cancel()
	if err := b.replay.ping(ping); err != nil {
		return Setup{}, nil, errors.New("flexroles: store.url " + quote(cfg.Store.URL) + ": " + err.Error())
	}
	return b.Setup(), b.policyInForce().Test(), nil
}
