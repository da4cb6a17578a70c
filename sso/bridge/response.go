package bridge

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/sso/assertion"
)

// assertionLifetime is how long Flex may accept the bridge's assertion:
// at most five minutes, 30 seconds of them before it was made for Flex's
// clock skew.
const (
	assertionLifetime = 5 * time.Minute
	assertionBackdate = 30 * time.Second
)

// flexAttributes are the attributes the bridge sends Flex, in the order
// sent: roles, email, full_name, then the pass-through ones by name.
type flexAttributes struct {
	email string
	attrs []saml.Attribute
	sent  map[string][]string // the same by name, as checked
}

// flexAttributes builds what Flex receives for a granted decision, and
// checks it as Flex will, with flexroles.WorkerAttributes: a typed
// pass-through value that does not fit its type refuses the login here
// rather than at Flex. read is the login as the deciding policy reads it;
// on error, sent holds what was checked.
func (b *Bridge) flexAttributes(read flexroles.FlexRead, in map[string][]string, d flexroles.Decision) (flexAttributes, error) {
	sent := b.sentAttributes(read, in, d.RoleStrings())
	email := sent["email"][0]
	names := sortedKeys(b.cfg.PassThrough)
	login := flexroles.Login{Source: flexroles.SSO, Attributes: sent, Identity: email}
	if _, err := flexroles.WorkerAttributes(nil, login, d); err != nil {
		return flexAttributes{sent: sent}, err
	}
	out := flexAttributes{email: email, sent: sent}
	for _, name := range append([]string{"roles", "email", "full_name"}, names...) {
		values, ok := sent[name]
		if !ok {
			continue
		}
		attr := saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}
		for _, v := range values {
			attr.Values = append(attr.Values, saml.AttributeValue{Value: v})
		}
		out.attrs = append(out.attrs, attr)
	}
	return out, nil
}

// sentAttributes are the attributes Flex is sent, by name: roles, the
// email and full name as Flex reads them (read, of the login whose
// attributes are in, under the policy's names: the first value that is
// not blank, trimmed), and the pass_through attributes found in in.
func (b *Bridge) sentAttributes(read flexroles.FlexRead, in map[string][]string, roles []string) map[string][]string {
	sent := map[string][]string{
		"roles":     roles,
		"email":     {read.Email},
		"full_name": {read.FullName},
	}
	for to, from := range b.cfg.PassThrough {
		if v, ok := in[from]; ok {
			sent[to] = v
		}
	}
	return sent
}

// checkPassThrough refuses a pass-through entry that would replace what the
// policy decides.
func checkPassThrough(to, from string, p *flexroles.Policy) error {
	switch to {
	case "roles", "email", "full_name":
		return errors.New("flexroles: pass_through." + to + ": the bridge sends " + to + " itself, from the policy's decision; remove the entry")
	}
	if to == "" || from == "" {
		return errors.New("flexroles: pass_through: names cannot be empty")
	}
	if p.AttributeName(flexroles.RolesAttribute) == from {
		return errors.New("flexroles: pass_through." + to + ": " + quote(from) + " is the attribute the policy reads roles from; the decision's roles are sent as roles")
	}
	return nil
}

// flexResponse builds, signs and encodes the Response for Flex with
// crewjam/saml's types: Response and Assertion signed with RSA-SHA256 and
// exclusive canonicalisation, bound to Flex's request and ACS.
func (b *Bridge) flexResponse(r *http.Request, st loginState, out flexAttributes, authn assertion.AuthnStatement, now time.Time) (saml.IdpAuthnRequestForm, error) {
	req := b.flexRequest(r, st, now)
	req.Assertion = flexAssertion(b.idp.MetadataURL.String(), b.flex, st.FlexRequestID, out, authn, now)
	return req.PostBinding() // signs the Assertion, then the Response
}

// noAuthnContextResponse builds the signed Response that tells Flex its
// RequestedAuthnContext could not be met: status Responder with
// NoAuthnContext and no assertion (saml-core §3.2.2.2, §3.3.2.2.1).
func (b *Bridge) noAuthnContextResponse(r *http.Request, st loginState, now time.Time) (saml.IdpAuthnRequestForm, error) {
	req := b.flexRequest(r, st, now)
	if err := req.MakeErrorResponse(saml.StatusResponder, saml.StatusNoAuthnContext, ""); err != nil {
		return saml.IdpAuthnRequestForm{}, err
	}
	return req.PostBinding()
}

// flexRequest is Flex's AuthnRequest as the login state remembers it,
// answered at Flex's ACS from the configuration.
func (b *Bridge) flexRequest(r *http.Request, st loginState, now time.Time) *saml.IdpAuthnRequest {
	sso := &b.flexMD.SPSSODescriptors[0]
	return &saml.IdpAuthnRequest{
		IDP:                     b.idp,
		HTTPRequest:             r,
		RelayState:              st.RelayState,
		Request:                 saml.AuthnRequest{ID: st.FlexRequestID},
		ServiceProviderMetadata: b.flexMD,
		SPSSODescriptor:         sso,
		ACSEndpoint:             &sso.AssertionConsumerServices[0],
		Now:                     now,
	}
}

// flexAssertion is the assertion Flex receives: Issuer the bridge, NameID
// the email, bearer confirmation bound to Flex's request and ACS, five
// minutes of validity, audience Flex's; the upstream IdP's AuthnInstant,
// AuthnContextClassRef (unspecified when it gave none) and
// SessionNotOnOrAfter (none when it gave none), so that Flex learns when
// and how the user was authenticated, not when the bridge answered.
func flexAssertion(issuer string, flex flexSP, inResponseTo string, out flexAttributes, authn assertion.AuthnStatement, now time.Time) *saml.Assertion {
	notBefore := now.Add(-assertionBackdate)
	notOnOrAfter := notBefore.Add(assertionLifetime)
	id := newID()
	class := authn.ClassRef
	if class == "" {
		class = unspecifiedAuthnContext
	}
	var sessionEnd *time.Time
	if !authn.SessionNotOnOrAfter.IsZero() {
		sessionEnd = &authn.SessionNotOnOrAfter
	}
	return &saml.Assertion{
		ID:           id,
		IssueInstant: now,
		Version:      "2.0",
		Issuer:       saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: issuer},
		Subject: &saml.Subject{
			NameID: &saml.NameID{Format: string(saml.EmailAddressNameIDFormat), Value: out.email},
			SubjectConfirmations: []saml.SubjectConfirmation{{
				Method: "urn:oasis:names:tc:SAML:2.0:cm:bearer",
				SubjectConfirmationData: &saml.SubjectConfirmationData{
					InResponseTo: inResponseTo,
					NotOnOrAfter: notOnOrAfter,
					Recipient:    flex.acs,
				},
			}},
		},
		Conditions: &saml.Conditions{
			NotBefore:            notBefore,
			NotOnOrAfter:         notOnOrAfter,
			AudienceRestrictions: []saml.AudienceRestriction{{Audience: saml.Audience{Value: flex.audience}}},
		},
		AuthnStatements: []saml.AuthnStatement{{
			AuthnInstant:        authn.AuthnInstant,
			SessionIndex:        id,
			SessionNotOnOrAfter: sessionEnd,
			AuthnContext:        saml.AuthnContext{AuthnContextClassRef: &saml.AuthnContextClassRef{Value: class}},
		}},
		AttributeStatements: []saml.AttributeStatement{{Attributes: out.attrs}},
	}
}

// newID is a SAML ID: a letter, then 40 hex digits.
func newID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return "id-" + hex.EncodeToString(b[:])
}

func xmlBytes(el *etree.Element) ([]byte, error) {
	doc := etree.NewDocument()
	doc.SetRoot(el)
	return doc.WriteToBytes()
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
