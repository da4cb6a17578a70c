package assertion

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// bearer is the SubjectConfirmation method of a browser login.
const bearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer" //nolint:gosec // G101: a URN, not a credential

func (w Expectations) now() time.Time {
	if w.Now.IsZero() {
		return time.Now()
	}
	return w.Now
}

func (w Expectations) skew() time.Duration {
	if w.ClockSkew <= 0 {
		return DefaultClockSkew
	}
	return w.ClockSkew
}

// unchecked records a check that has no expected value: not run when the
// caller allows it, failed otherwise.
func (r *Result) unchecked(name CheckName, want Expectations, got, field string) {
	if want.AllowUnchecked {
		r.check(name, NotRun, "", got, "no expected value given ("+field+")")
		return
	}
	r.check(name, Failed, "", got, "no expected value configured ("+field+"): the check cannot pass")
}

// checkAlgorithm checks the signature and digest algorithms, and warns
// about a signing certificate outside its dates.
func (r *Result) checkAlgorithm(want Expectations) {
	s := r.Signature
	got := s.Method + " with " + s.Digest
	if bits := weakRSAKey(s.Certificate); bits > 0 {
		r.check(CheckAlgorithm, Failed, fmt.Sprintf("an RSA key of %d bits or more", minRSAKeyBits), fmt.Sprintf("a %d-bit RSA key", bits),
			fmt.Sprintf("the metadata's certificate holds a %d-bit RSA key, which anyone can factor to forge the IdP's signatures: give the IdP a new key of 2048 bits and put its certificate in the metadata", bits))
	} else if isSHA1(s.Method) || isSHA1(s.Digest) {
		msg := "the IdP signs with SHA-1 (" + got + "), which is broken for signatures: set it to RSA-SHA256 in the IdP"
		if want.RejectSHA1 {
			r.check(CheckAlgorithm, Failed, "SHA-256 or stronger", got, msg)
		} else {
			r.check(CheckAlgorithm, Passed, "SHA-256 or stronger", got, "SHA-1 accepted with a warning")
			r.Warnings = append(r.Warnings, msg)
		}
	} else {
		r.check(CheckAlgorithm, Passed, "SHA-256 or stronger", got, "")
	}
	if c := s.Certificate; c != nil {
		now := want.now()
		if now.Before(c.NotBefore) || now.After(c.NotAfter) {
			r.Warnings = append(r.Warnings, fmt.Sprintf("the signing certificate %q in the metadata is valid from %s to %s, not at %s: the signature verifies because the metadata names the key; renew the certificate in the IdP and in the metadata",
				c.Subject.String(), c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
		}
	}
}

// checkIssuer checks the signed Assertion's Issuer against the entity
// whose key verified it, and that a Response Issuer agrees. The Response
// Issuer stands in for a missing Assertion Issuer only when the Response is
// signed: an unsigned value may fail a check, never pass it.
func (r *Result) checkIssuer() {
	entity := r.Signature.Entity
	got := r.Assertion.Issuer
	if got == "" && r.Response.Signed {
		got = r.Response.Issuer
	}
	switch {
	case entity == "":
		r.check(CheckIssuer, NotRun, "", orNone(got), "the metadata is a bare certificate and names no entityID")
	case got == "":
		r.check(CheckIssuer, Failed, entity, "(none)", "nothing signed names the issuer (the Assertion has no Issuer, and the Response has none or is not signed): the IdP must put its entity ID in the Assertion's Issuer")
	case got != entity:
		r.check(CheckIssuer, Failed, entity, got, fmt.Sprintf("the signed issuer is %q, but the key that verified it is %q's: set the IdP's entity ID, or use its metadata", got, entity))
	case r.Response.Issuer != "" && r.Response.Issuer != entity:
		r.check(CheckIssuer, Failed, entity, r.Response.Issuer, fmt.Sprintf("the Response says its issuer is %q but the signed Assertion says %q", r.Response.Issuer, got))
	default:
		r.check(CheckIssuer, Passed, entity, got, "")
	}
}

// checkStatus checks the Response's status. An unsigned Success cannot
// pass it on its own: it passes then on the signed Assertion, which the IdP
// issues only for a login it made; an unsigned non-Success status fails it.
func (r *Result) checkStatus() {
	s := r.Response.Status
	unsigned := ""
	if !r.Response.Signed {
		unsigned = "the Response is not signed"
	}
	if s.Success() {
		if unsigned != "" {
			if !r.Signature.Verified {
				r.check(CheckStatus, NotRun, "Success", statusText(s), unsigned+" and no signature verified: nothing signed says the login succeeded")
				return
			}
			unsigned += ": passed on the signed Assertion; an unsigned failure status would fail it"
		}
		r.check(CheckStatus, Passed, "Success", statusText(s), unsigned)
		return
	}
	detail := "the IdP did not log the user in"
	if unsigned != "" {
		detail += "; " + unsigned
	}
	r.check(CheckStatus, Failed, "Success", statusText(s), detail)
}

func (r *Result) checkAudience(want Expectations) {
	var got []string
	for _, auds := range r.Assertion.Conditions.Audiences {
		got = append(got, strings.Join(auds, " | "))
	}
	gotText := strings.Join(got, "; ")
	if want.Audience == "" {
		r.unchecked(CheckAudience, want, gotText, "the service provider's entity ID")
		return
	}
	if len(r.Assertion.Conditions.Audiences) == 0 {
		r.check(CheckAudience, Failed, want.Audience, "(none)", "the assertion has no AudienceRestriction, so it is good at every service provider that trusts the IdP: set the audience (SP entity ID) in the IdP to "+want.Audience)
		return
	}
	for _, auds := range r.Assertion.Conditions.Audiences {
		if !slices.Contains(auds, want.Audience) {
			r.check(CheckAudience, Failed, want.Audience, gotText, "the assertion is for another service provider: set the audience (SP entity ID, Identifier) in the IdP to "+want.Audience)
			return
		}
	}
	r.check(CheckAudience, Passed, want.Audience, gotText, "")
}

func (r *Result) checkDestination(want Expectations) {
	got := r.Response.Destination
	if want.ACS == "" {
		r.unchecked(CheckDestination, want, got, "the ACS URL")
		return
	}
	switch {
	case got != "" && got != want.ACS:
		r.check(CheckDestination, Failed, want.ACS, got, "the response is addressed elsewhere: set the ACS (Reply, single sign-on) URL in the IdP to "+want.ACS)
	case r.Response.Signed && got == want.ACS:
		r.check(CheckDestination, Passed, want.ACS, got, "")
	case r.Response.Signed:
		r.check(CheckDestination, Failed, want.ACS, "(none)", "the signed Response names no Destination: set the ACS (Reply, single sign-on) URL in the IdP to "+want.ACS)
	case r.signedRecipient(want.ACS):
		// An unsigned Destination may only fail the check: it passes on
		// the signed bearer Recipient.
		r.check(CheckDestination, Passed, want.ACS, orNone(got), "the Response is not signed: passed on the signed Recipient")
	default:
		r.check(CheckDestination, Failed, want.ACS, orNone(got), "the Response is not signed and no signed Recipient names the ACS: set the ACS (Reply, Recipient) URL in the IdP to "+want.ACS)
	}
}

// signedRecipient reports whether a bearer SubjectConfirmationData of the
// signed Assertion names acs.
func (r *Result) signedRecipient(acs string) bool {
	for _, sc := range r.Assertion.SubjectConfirmations {
		if sc.Method == bearer && sc.Recipient == acs {
			return true
		}
	}
	return false
}

func (r *Result) checkRecipient(want Expectations) {
	var got []string
	found := false
	for _, sc := range r.Assertion.SubjectConfirmations {
		if sc.Method != bearer {
			continue
		}
		got = append(got, orNone(sc.Recipient))
		found = found || (want.ACS != "" && sc.Recipient == want.ACS)
	}
	gotText := strings.Join(got, ", ")
	switch {
	case want.ACS == "":
		r.unchecked(CheckRecipient, want, gotText, "the ACS URL")
	case len(got) == 0:
		r.check(CheckRecipient, Failed, want.ACS, "(no bearer SubjectConfirmation)", "the assertion has no bearer SubjectConfirmation, which a browser login needs")
	case found:
		r.check(CheckRecipient, Passed, want.ACS, gotText, "")
	default:
		r.check(CheckRecipient, Failed, want.ACS, gotText, "the assertion is for another ACS URL: set the ACS (Reply, Recipient) URL in the IdP to "+want.ACS)
	}
}

// checkValidity checks NotBefore and NotOnOrAfter of the Conditions and
// of the bearer confirmations at Now, allowing ClockSkew each way. An
// assertion with no NotOnOrAfter at all would be good for ever and fails.
func (r *Result) checkValidity(want Expectations) {
	now, skew := want.now(), want.skew()
	a := r.Assertion
	var windows []string
	var problems []string
	hasEnd := false
	consider := func(what string, nb, noa time.Time) {
		if nb.IsZero() && noa.IsZero() {
			return
		}
		windows = append(windows, what+" "+window(nb, noa))
		if !nb.IsZero() && now.Add(skew).Before(nb) {
			problems = append(problems, fmt.Sprintf("%s is not valid before %s", what, stamp(nb)))
		}
		if !noa.IsZero() {
			hasEnd = true
			if !now.Add(-skew).Before(noa) {
				problems = append(problems, fmt.Sprintf("%s expired at %s", what, stamp(noa)))
			}
		}
	}
	consider("Conditions", a.Conditions.NotBefore, a.Conditions.NotOnOrAfter)
	for _, sc := range a.SubjectConfirmations {
		if sc.Method == bearer {
			consider("SubjectConfirmationData", sc.NotBefore, sc.NotOnOrAfter)
		}
	}
	wantText := fmt.Sprintf("valid at %s (±%s)", stamp(now), skew)
	got := strings.Join(windows, "; ")
	switch {
	case len(problems) > 0:
		r.check(CheckValidity, Failed, wantText, got, strings.Join(problems, "; ")+": a response is good for minutes: capture a fresh one, or check the IdP's clock")
	case !hasEnd:
		r.check(CheckValidity, Failed, wantText, orNone(got), "the assertion has no NotOnOrAfter, so it would be good for ever")
	default:
		r.check(CheckValidity, Passed, wantText, got, "")
	}
}

// checkInResponseTo checks that the response answers one of the requests
// sent. Only signed values can make it pass: the bearer
// SubjectConfirmationData's InResponseTo in the signed Assertion, and the
// Response's when the Response is signed. An unsigned Response InResponseTo
// can only fail it, when it names another request; it never makes an
// unsolicited assertion answer a request.
func (r *Result) checkInResponseTo(want Expectations) {
	var got, signed []string
	add := func(v string, isSigned bool) {
		if v == "" {
			return
		}
		if !slices.Contains(got, v) {
			got = append(got, v)
		}
		if isSigned && !slices.Contains(signed, v) {
			signed = append(signed, v)
		}
	}
	add(r.Response.InResponseTo, r.Response.Signed)
	for _, sc := range r.Assertion.SubjectConfirmations {
		if sc.Method == bearer {
			add(sc.InResponseTo, true)
		}
	}
	gotText := strings.Join(got, ", ")
	if len(want.RequestIDs) == 0 {
		if len(got) == 0 && want.AllowUnsolicited {
			r.check(CheckInResponseTo, Passed, "(unsolicited allowed)", "(none)", "an IdP-initiated response")
			return
		}
		r.unchecked(CheckInResponseTo, want, gotText, "the AuthnRequest IDs")
		return
	}
	wantText := strings.Join(want.RequestIDs, " | ")
	for _, g := range got {
		if !slices.Contains(want.RequestIDs, g) {
			r.check(CheckInResponseTo, Failed, wantText, gotText, fmt.Sprintf("the response answers %q, a request this service provider did not send (or no longer waits for)", g))
			return
		}
	}
	switch {
	case len(signed) > 0:
		r.check(CheckInResponseTo, Passed, wantText, gotText, "")
	case want.AllowUnsolicited:
		r.check(CheckInResponseTo, Passed, wantText, orNone(gotText), "an IdP-initiated response: nothing signed answers a request")
	case len(got) > 0:
		r.check(CheckInResponseTo, Failed, wantText, gotText+" (unsigned)", "only the unsigned Response names the request, and the signed Assertion answers none (IdP-initiated); unsolicited responses are not allowed: the IdP must put InResponseTo in the bearer SubjectConfirmationData, or sign the Response")
	default:
		r.check(CheckInResponseTo, Failed, wantText, "(none)", "the response answers no request (IdP-initiated), and unsolicited responses are not allowed")
	}
}

func window(nb, noa time.Time) string {
	from, to := "…", "…"
	if !nb.IsZero() {
		from = stamp(nb)
	}
	if !noa.IsZero() {
		to = stamp(noa)
	}
	return from + " to " + to
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
