package bridge

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/sso/assertion"
)

// refusal is one login the bridge did not complete: what its page tells
// the person in front of it and their administrator, and what its one log
// line says. Page fields hold nothing a stranger wrote: a value from an
// unverified message is named by its field on the page and goes, escaped by
// the log handler, only to the log.
type refusal struct {
	ID      string
	Kind    string // the metrics kind: a flexroles error kind, or the bridge's
	outcome string // the metrics outcome
	status  int
	level   slog.Level

	// For the person: plain words.
	Title   string
	Summary string // what happened, in one sentence
	User    string // the account they signed in as, only when verified
	next    nextStep

	// For the administrator, on the page and in the log.
	refusedBy string        // who refused, as the log names it
	Who       string        // the same, in words for the page
	rule      string        // the policy's deny rule that refused
	Attribute string        // the attribute involved, by name
	Field     string        // the field of Flex's request that was wrong
	Message   string        // what went wrong; nothing a stranger wrote
	Checks    []failedCheck // every upstream check that failed, in order
	Fix       string        // what an administrator changes

	// Only for the log.
	logMessage string // the error's own words; "" logs Message
	flexError  int    // Flex's error code, such as 45050
	login      *flexroles.Login
	policy     string      // the digest of the policy that decided
	received   []slog.Attr // values a stranger sent, cut short
}

// failedCheck is one check of the upstream response that failed.
type failedCheck struct {
	Name     string // an assertion.CheckName, or one of the bridge's own checks
	Expected string // what the bridge expected: its configuration or the IdP's metadata
	Received string // what the response holds, only when the IdP signed it
	Withheld bool   // the response holds a value that is not signed: the page names the field only
	Fix      string
	got      string // what the response holds, signed or not, for the log
	detail   string // the verifier's words, for the log
}

// nextStep is what the person in front of a refusal page can do.
type nextStep int

const (
	askAdministrator nextStep = iota // trying again changes nothing
	startAgain                       // start again from Flex
	reloadPage                       // the bridge was busy: post the same response again
	tryLater                         // the bridge failed
)

// Next says, in plain words, what the person can do.
func (r refusal) Next() string {
	switch r.next {
	case startAgain:
		return "Go back to Flex and sign in again. If this page comes back, ask your administrator for help and give them the reference below."
	case reloadPage:
		return "Wait a few seconds and reload this page, or go back to Flex and sign in again. If this page comes back, tell your administrator and give them the reference below."
	case tryLater:
		return "Try again in a minute. If this page comes back, tell your administrator and give them the reference below."
	}
	return "Signing in again will not change this. Ask your administrator for access and give them the reference below."
}

// Who refuses, as the log's refused_by names it.
const (
	byUpstream    = "upstream"     // a check of the IdP's response; the log's checks say which
	byState       = "state"        // the login state cookie
	byFlexRequest = "flex_request" // Flex's AuthnRequest; the log's field says which part
	byBridge      = "bridge"       // the bridge itself: busy or failed
)

// logRefusal writes the refused login's one log line.
func (b *Bridge) logRefusal(r refusal) {
	args := make([]any, 0, 16)
	args = append(args, slog.String("id", r.ID), slog.String("outcome", r.outcome), slog.String("kind", r.Kind), slog.String("refused_by", r.refusedBy))
	if r.rule != "" {
		args = append(args, slog.String("rule", r.rule))
	}
	if r.Attribute != "" {
		args = append(args, slog.String("attribute", r.Attribute))
	}
	if r.Field != "" {
		args = append(args, slog.String("field", r.Field))
	}
	if len(r.Checks) > 0 {
		checks := make([]slog.Attr, len(r.Checks))
		for i, c := range r.Checks {
			about := make([]slog.Attr, 0, 3)
			if c.Expected != "" {
				about = append(about, slog.String("expected", c.Expected))
			}
			if c.got != "" {
				about = append(about, slog.String("received", cut(c.got)))
			}
			about = append(about, slog.String("detail", c.detail))
			checks[i] = slog.Attr{Key: c.Name, Value: slog.GroupValue(about...)}
		}
		args = append(args, slog.Attr{Key: "checks", Value: slog.GroupValue(checks...)})
	}
	msg := r.logMessage
	if msg == "" {
		msg = r.Message
	}
	args = append(args, slog.String("message", msg))
	if r.flexError != 0 {
		args = append(args, slog.Int("flex_error", r.flexError))
	}
	if r.User != "" {
		args = append(args, slog.String("user", b.loggedUser(r.User)))
	}
	if r.policy != "" {
		args = append(args, slog.String("policy", r.policy))
	}
	if len(r.received) > 0 {
		args = append(args, slog.Attr{Key: "received", Value: slog.GroupValue(r.received...)})
	}
	if r.login != nil {
		args = append(args, slog.Any("login", *r.login))
	}
	b.log.Log(context.Background(), r.level, "login refused", args...)
}

// loggedUser is the identity as the log shows it: itself, or "[redacted]"
// with redact_identity.
func (b *Bridge) loggedUser(user string) string {
	if b.cfg.RedactIdentity {
		return "[redacted]"
	}
	return user
}

// refusalFor fills what every refusal of an outcome shares.
func refusalFor(id, outcome, kind string, status int) refusal {
	r := refusal{ID: id, outcome: outcome, Kind: kind, status: status, Title: "Sign-in to Flex was refused", level: slog.LevelWarn}
	switch outcome {
	case outcomeRefused:
		r.level = slog.LevelInfo
	case outcomeError:
		r.level = slog.LevelError
		r.Title = "Sign-in to Flex failed"
	case outcomeBusy:
		r.Title = "Sign-in to Flex is busy"
	}
	return r
}

// policyRefusal is a verified login that the policy or Twilio's rules
// refuse, or whose pass-through attributes Flex would refuse. attrs are the
// attributes the failing check read (the upstream ones, or those bound for
// Flex): a value of theirs in the message is redacted in the log.
func (b *Bridge) policyRefusal(id string, err error, login flexroles.Login, user string, p *flexroles.Policy, attrs map[string][]string) refusal {
	r := refusalFor(id, outcomeRefused, flexroles.ErrorKindName(err), http.StatusForbidden)
	r.User, r.login, r.policy = user, &login, p.Digest()
	r.Message = err.Error()
	r.refusedBy, r.Who = "twilio", "Twilio's rules for Flex"
	r.Summary = "Your organisation's sign-in service did not send what Flex needs to know about this account."
	var fe *flexroles.Error
	if !errors.As(err, &fe) {
		r.refusedBy, r.Who = byBridge, "the bridge"
		r.Fix = "Read the bridge's log line for this reference."
		return r
	}
	r.Attribute, r.flexError, r.rule = fe.Attribute, fe.Code, fe.Rule
	if fe.Value != "" && fe.Attribute != p.AttributeName(flexroles.RolesAttribute) && hasValue(attrs[fe.Attribute], fe.Value) {
		// The message repeats a value of the user's attributes: the log
		// keeps it out, as the login's own LogValue does.
		redacted := *fe
		redacted.Value = "[redacted]"
		r.logMessage = redacted.Error()
	}
	if fe.Code != 0 {
		r.Who += " (Flex error " + strconv.Itoa(fe.Code) + ")"
	}
	switch fe.RefusedBy {
	case flexroles.RefusedByDenyRule:
		r.refusedBy, r.Who = fe.RefusedBy.String(), "the policy's deny rule "+strconv.Quote(r.rule)
		r.Summary = "Your organisation's access policy for Flex does not let this account in."
		r.Fix = "If this user should sign in, change what the deny rule " + strconv.Quote(r.rule) + " matches in the policy file, or the user's groups or attributes at the identity provider. Then the user signs in again."
		return r
	case flexroles.RefusedBySSOAllow, flexroles.RefusedByConsoleAllow:
		r.refusedBy, r.Who = fe.RefusedBy.String(), "the policy's allow list ("+fe.RefusedBy.String()+")"
		r.Summary = "Your organisation's access policy for Flex does not let this account in with the roles it would get."
		r.Fix = "Add the roles the message names to " + fe.RefusedBy.String() + " in the policy file, or change the rules or the roles the identity provider sends for this user. Then the user signs in again."
		return r
	}
	r.Fix = b.twilioFix(fe, p)
	return r
}

// twilioFix says what an administrator changes for a refusal by Twilio's
// rules.
func (b *Bridge) twilioFix(fe *flexroles.Error, p *flexroles.Policy) string {
	a := strconv.Quote(fe.Attribute)
	switch {
	case errors.Is(fe, flexroles.ErrMissingAttribute) && fe.Attribute == p.AttributeName(flexroles.RolesAttribute):
		return "Give this user a Flex role (admin, supervisor or agent): with a grant rule of the policy that matches them, or in a " + a + " attribute statement at the identity provider. Then the user signs in again."
	case errors.Is(fe, flexroles.ErrMissingAttribute) && fe.Attribute != "":
		return "Add an attribute statement named exactly " + a + " to the bridge's application at the identity provider, with a value for every user. Then the user signs in again."
	case errors.Is(fe, flexroles.ErrInvalidAttribute) && fe.Attribute != "":
		if from, ok := b.cfg.PassThrough[fe.Attribute]; ok {
			return "The identity provider's " + strconv.Quote(from) + " attribute goes to Flex as " + a + " (pass_through), and this user's value does not fit it: correct the value at the identity provider, or change the pass_through entry. Then the user signs in again."
		}
		return "Correct this user's " + a + " attribute at the identity provider as the message says. Then the user signs in again."
	case errors.Is(fe, flexroles.ErrUnknownRole), errors.Is(fe, flexroles.ErrConsoleOnlyRole):
		return "Send only Flex's roles, spelt exactly, in the " + a + " attribute at the identity provider, or grant roles with the policy's rules instead. Then the user signs in again."
	}
	return "Change what the identity provider sends for this user, or the policy, as the message says. Then the user signs in again."
}

func hasValue(values []string, v string) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}

// upstreamRefusal is an upstream response that failed a check: every
// failed check is listed.
func (b *Bridge) upstreamRefusal(id string, err error) refusal {
	r := refusalFor(id, outcomeRejected, "upstream_response", http.StatusForbidden)
	r.refusedBy, r.Who = byUpstream, "the bridge's checks of the identity provider's response"
	r.Summary = "Your organisation's sign-in service answered, but the answer could not be accepted."
	r.next = startAgain
	r.logMessage = err.Error()
	r.Checks = b.failedChecks(err)
	if errors.Is(err, errReplayCacheFull) {
		r.level = slog.LevelError
	}
	names := make([]string, len(r.Checks))
	for i, c := range r.Checks {
		names[i] = c.Name
	}
	if len(names) == 1 {
		r.Message = "The identity provider's response failed the check " + names[0] + "."
		r.Fix = r.Checks[0].Fix
	} else {
		r.Message = "The identity provider's response failed " + strconv.Itoa(len(names)) + " checks: " + strings.Join(names, ", ") + "."
		r.Fix = "Change what each failed check below says. Then start the sign-in again from Flex."
	}
	return r
}

// The bridge's own checks of an upstream response, beside sso/assertion's.
const (
	checkReadable   = "readable"        // a base64 SAML 2.0 Response
	checkStructure  = "structure"       // a shape the verifier accepts
	checkEncryption = "encryption"      // a plain assertion
	checkReplay     = "replay"          // an assertion used once
	checkCapacity   = "replay_cache"    // room to remember the assertion
	checkOneTimeUse = "one_time_use"    // an ID and a NotOnOrAfter to remember it by
	checkAuthn      = "authn_statement" // when and how the user was authenticated
)

// errNotBase64 is a SAMLResponse form value that is not base64.
var errNotBase64 = errors.New("the SAMLResponse form value is not base64")

// errNoReplayWindow is an assertion whose single use cannot be enforced.
var errNoReplayWindow = errors.New("the assertion has no ID or no NotOnOrAfter, so its one-time use cannot be enforced; the identity provider must send both")

// errNoAuthnStatement is an assertion that does not say when the user was
// authenticated, which the bridge passes on to Flex.
var errNoAuthnStatement = errors.New("the assertion has no AuthnStatement saying when the user was authenticated; the SAML web browser SSO profile requires one")

// failedChecks lists what failed in an upstream response, in the
// verifier's order.
func (b *Bridge) failedChecks(err error) []failedCheck {
	one := func(name, fix string) []failedCheck {
		return []failedCheck{{Name: name, Fix: fix, detail: err.Error()}}
	}
	switch {
	case errors.Is(err, errNotBase64), errors.Is(err, assertion.ErrUnreadable):
		return one(checkReadable, "The form did not hold a readable SAML 2.0 Response. Check that the identity provider's application for the bridge uses SAML 2.0 with the HTTP-POST binding to "+b.paths.acs.String()+".")
	case errors.Is(err, assertion.ErrRefused):
		return one(checkStructure, "The response has a shape the bridge refuses before checking any signature (a DOCTYPE, several assertions, a signature or assertion out of place, or a size past the verifier's limits). An identity provider does not send this: look for something between it and the bridge that changes responses.")
	case errors.Is(err, errReplayed):
		return one(checkReplay, "This response was used already. Start the sign-in again from Flex, so that the identity provider sends a new one.")
	case errors.Is(err, errReplayCacheFull):
		return one(checkCapacity, "More logins than replay_cache_size ("+strconv.Itoa(b.cfg.ReplayCacheSize)+") are remembered within their validity: raise replay_cache_size, or shorten the identity provider's assertion lifetime.")
	case errors.Is(err, errNoAuthnStatement):
		return one(checkAuthn, "Make the identity provider send an AuthnStatement with an AuthnInstant in the assertion (every SAML 2.0 identity provider does for a login): the bridge passes when and how the user signed in on to Flex.")
	case errors.Is(err, errNoReplayWindow):
		return one(checkOneTimeUse, "Make the identity provider send an assertion ID and a NotOnOrAfter time (every SAML 2.0 identity provider can); the bridge remembers each assertion until then, to refuse a second use.")
	}
	var out []failedCheck
	var re *responseError
	if errors.As(err, &re) && re.res != nil {
		for _, c := range re.res.Checks {
			if c.Outcome == assertion.Failed {
				out = append(out, b.failedCheck(c, re.res))
			}
		}
		if re.res.Assertion.Encrypted || errors.Is(err, assertion.ErrEncrypted) && len(out) == 0 {
			out = append(out, failedCheck{Name: checkEncryption, detail: err.Error(),
				Fix: "Turn assertion encryption off in the identity provider's application for the bridge: the bridge reads a plain assertion (its metadata offers no encryption key)."})
		}
	}
	if len(out) == 0 {
		if errors.Is(err, assertion.ErrEncrypted) {
			return one(checkEncryption, "Turn assertion encryption off in the identity provider's application for the bridge: the bridge reads a plain assertion (its metadata offers no encryption key).")
		}
		return one(string(assertion.CheckSignature), signatureFix)
	}
	return out
}

const signatureFix = "Make the identity provider sign the response, the assertion or both with the key its metadata publishes, and give the bridge that metadata (upstream.metadata_url picks up a new key at the next refresh). A response changed after it was signed fails this check too."

// failedCheck says what an administrator changes for a failed check, and
// shows what the response held only where the IdP signed it.
func (b *Bridge) failedCheck(c assertion.Check, res *assertion.Result) failedCheck {
	fc := failedCheck{Name: string(c.Name), Expected: c.Want, got: c.Got, detail: c.Detail}
	signed := func(ok bool) {
		if ok && res.Signature.Verified {
			fc.Received = c.Got
		} else if c.Got != "" && c.Got != "(none)" {
			fc.Withheld = true
		}
	}
	acs := "Set the ACS URL (Reply URL, single sign-on URL) of the bridge's application at the identity provider to " + b.paths.acs.String() + "."
	switch c.Name {
	case assertion.CheckSignature:
		fc.Fix = signatureFix
	case assertion.CheckAlgorithm:
		signed(true) // the algorithms of the signature that verified
		fc.Expected = "RSA-SHA256 or stronger"
		fc.Fix = "Set the identity provider's signing algorithm to RSA-SHA256 (digest SHA-256), with a key of 2048 bits or more: SHA-1 signatures and RSA keys under 1024 bits are refused."
	case assertion.CheckIssuer:
		signed(res.Response.Signed || c.Got == res.Assertion.Issuer)
		fc.Fix = "The identity provider must name itself " + strconv.Quote(c.Want) + " (its entity ID in the metadata the bridge has) in the assertion's Issuer: give the bridge the identity provider's current metadata, or correct its entity ID."
	case assertion.CheckStatus:
		fc.Expected = "Success"
		fc.Received = standardStatus(res.Response.Status)
		// The codes only: the StatusMessage is the IdP's free text, which
		// may name the user, and is kept out of the log too.
		st := res.Response.Status
		fc.got = strings.Join(append([]string{st.Code}, st.SubCodes...), " / ")
		fc.Fix = "The identity provider did not sign the user in. Its own log for this sign-in says why: an account that is disabled or not assigned to the bridge's application, a failed second factor, a policy of the identity provider."
	case assertion.CheckAudience:
		signed(true) // the signed assertion's
		fc.Fix = "Set the audience (SP entity ID, Identifier) of the bridge's application at the identity provider to " + c.Want + "."
	case assertion.CheckDestination:
		signed(res.Response.Signed)
		fc.Fix = acs
	case assertion.CheckRecipient:
		signed(true) // the signed assertion's
		fc.Fix = acs
	case assertion.CheckValidity:
		signed(true) // the signed assertion's times
		fc.Expected = "valid now, within " + plainDuration(b.cfg.ClockSkew) + " of the bridge's clock"
		fc.Fix = "The response is used outside its validity times. Check that the clocks of the identity provider and the bridge are right (NTP), then start the sign-in again from Flex; a response is good for minutes."
	case assertion.CheckInResponseTo:
		signed(false) // request IDs mean nothing to a person; the log has them
		fc.Expected = "the ID of the bridge's request for this sign-in"
		fc.Fix = "The response does not answer the request the bridge sent for this sign-in. Start the sign-in from Flex, not from the identity provider's dashboard or a bookmark; logins started at the identity provider need upstream.allow_idp_initiated."
	default:
		fc.Fix = "Compare the identity provider's settings with what flexroles bridge check prints."
	}
	return fc
}

// samlStatus is the prefix of the standard SAML status codes.
const samlStatus = "urn:oasis:names:tc:SAML:2.0:status:"

// standardStatuses are the status codes of SAML 2.0 core §3.2.2.2, the
// only status text a page shows: an unsigned Response can carry any text.
var standardStatuses = []string{
	"Success", "Requester", "Responder", "VersionMismatch",
	"AuthnFailed", "InvalidAttrNameOrValue", "InvalidNameIDPolicy", "NoAuthnContext", "NoAvailableIDP",
	"NoPassive", "NoSupportedIDP", "PartialLogout", "ProxyCountExceeded", "RequestDenied",
	"RequestUnsupported", "RequestVersionDeprecated", "RequestVersionTooHigh", "RequestVersionTooLow",
	"ResourceNotRecognized", "TooManyResponses", "UnknownAttrProfile", "UnknownPrincipal", "UnsupportedBinding",
}

// standardStatus names a status by the standard codes it carries, top
// level first, such as "Responder / AuthnFailed"; any other code is counted,
// not shown.
func standardStatus(s assertion.Status) string {
	var names []string
	other := 0
	for _, code := range append([]string{s.Code}, s.SubCodes...) {
		name, ok := strings.CutPrefix(code, samlStatus)
		if ok && hasValue(standardStatuses, name) {
			names = append(names, name)
		} else if code != "" {
			other++
		}
	}
	out := strings.Join(names, " / ")
	if other > 0 {
		if out != "" {
			out += " and "
		}
		out += strconv.Itoa(other) + " code(s) that are not standard SAML statuses (in the log)"
	}
	if out == "" {
		return "no status"
	}
	return out
}

// stateRefusal is a response without a usable login state of this
// browser.
func (b *Bridge) stateRefusal(id string, err error, relayState string) refusal {
	r := refusalFor(id, outcomeRejected, "state", http.StatusForbidden)
	r.refusedBy, r.Who = byState, "the bridge's login state (a cookie set when the sign-in started)"
	r.Summary = "This sign-in could not be matched to one started from Flex in this browser, or it took too long."
	r.next = startAgain
	r.Message = "The sign-in could not be matched to one this browser started here: " + err.Error() + "."
	ttl := plainDuration(b.cfg.StateTTL)
	switch {
	case errors.Is(err, errStateExpired):
		r.Fix = "The user took longer than " + ttl + " (state_ttl) at the identity provider: start again from Flex and finish within " + ttl + ", or raise state_ttl."
	case errors.Is(err, errReplayed):
		r.Fix = "This sign-in was finished already (a reload, the back button, or a second post): start again from Flex."
	case errors.Is(err, errStateForged):
		r.Fix = "Start again from Flex. If this keeps happening behind a load balancer, every instance needs the same keys.state_key (or the same keys.key)."
	default:
		r.Fix = "Start the sign-in from Flex, in one browser that accepts the bridge's cookie, within " + ttl + ". Logins started at the identity provider's dashboard are refused unless upstream.allow_idp_initiated is true."
	}
	if relayState != "" {
		r.received = []slog.Attr{slog.String("relay_state", cut(relayState))}
	}
	return r
}

// flexRequestRefusal is an AuthnRequest refused at saml/sso: the page
// names the field that was wrong and what the bridge expects, never what
// the request held, which anyone can write into a link.
func (b *Bridge) flexRequestRefusal(id string, err error, req *saml.IdpAuthnRequest) refusal {
	r := refusalFor(id, outcomeBadRequest, "flex_request", http.StatusBadRequest)
	r.refusedBy, r.Who = byFlexRequest, "the bridge's checks of the sign-in request from Flex"
	r.Summary = "The request to sign you in to Flex was not accepted."
	r.next = startAgain
	r.logMessage = err.Error()
	expected := ""
	switch {
	case errors.Is(err, errRelayStateTooLong), errors.Is(err, errStateTooLarge):
		r.Field, expected = "RelayState", "at most "+strconv.Itoa(maxRelayState)+" bytes, of which quotes, backslashes and control characters count twice or more"
	case errors.Is(err, errAuthnContextTooLarge):
		r.Field, expected = "RequestedAuthnContext", "at most "+strconv.Itoa(maxRequestedClasses)+" classes of at most "+strconv.Itoa(maxAuthnClassRefSize)+" bytes each"
	case errors.Is(err, saml.ErrDestinationMismatch):
		r.Field, expected = "Destination", b.paths.sso.String()
	case errors.Is(err, saml.ErrUnknownServiceProvider):
		r.Field, expected = "Issuer", b.flex.audience
	case errors.Is(err, saml.ErrMissingElement) && req != nil && req.Request.Issuer == nil:
		r.Field, expected = "Issuer", b.flex.audience
	case errors.Is(err, saml.ErrMissingElement):
		r.Field, expected = "ID", "a request ID"
	case errors.Is(err, saml.ErrExpired), errors.Is(err, saml.ErrNotYetValid):
		r.Field, expected = "IssueInstant", "within "+plainDuration(saml.MaxIssueDelay)+" before the bridge's clock"
	case errors.Is(err, saml.ErrUnknownAssertionConsumerService), errors.Is(err, errOtherACS):
		r.Field, expected = "AssertionConsumerServiceURL", b.flex.acs
	case errors.Is(err, saml.ErrInvalidSignature):
		r.Field, expected = "Signature", "none, or a valid one"
	default:
		r.Field, expected = "SAMLRequest", "a SAML 2.0 AuthnRequest (HTTP-Redirect or HTTP-POST binding)"
	}
	r.Message = "The request's " + r.Field + " is not what the bridge expects (" + expected + ")."
	r.Fix = "Start the sign-in again from Flex. If it keeps failing, check that Flex's SSO settings name this bridge (" + b.paths.sso.String() + ") and that the bridge's flex account or connection is the one Flex uses."
	if r.Field == "RelayState" {
		r.Fix = "Start the sign-in again from Flex's login page, without a long return address."
	}
	if req != nil {
		var got []slog.Attr
		if req.Request.Issuer != nil {
			got = append(got, slog.String("issuer", cut(req.Request.Issuer.Value)))
		}
		for _, v := range []struct{ key, value string }{
			{"destination", req.Request.Destination},
			{"acs_url", req.Request.AssertionConsumerServiceURL},
			{"relay_state", req.RelayState},
		} {
			if v.value != "" {
				got = append(got, slog.String(v.key, cut(v.value)))
			}
		}
		r.received = got
	}
	return r
}

// Refusals of Flex's request that the bridge adds to crewjam/saml's.
var (
	errRelayStateTooLong = errors.New("the RelayState is longer than " + strconv.Itoa(maxRelayState) + " bytes")
	errStateTooLarge     = errors.New("the login state with this RelayState is too large")
	errOtherACS          = errors.New("the request names another assertion consumer service")
)

// maxLoggedValue bounds a stranger's value in the log.
const maxLoggedValue = 256

// cut shortens a stranger's value for the log, saying how long it was.
func cut(s string) string {
	if len(s) <= maxLoggedValue {
		return s
	}
	n := maxLoggedValue
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// plainDuration writes d for people: "10 minutes", "1 hour and 30
// minutes", "30 seconds"; under a second, in milliseconds.
func plainDuration(d time.Duration) string {
	if d < time.Second {
		return unit(int64(d/time.Millisecond), "millisecond")
	}
	d = d.Round(time.Second)
	var parts []string
	for _, u := range []struct {
		size time.Duration
		name string
	}{{time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}} {
		if n := d / u.size; n > 0 {
			parts = append(parts, unit(int64(n), u.name))
			d -= n * u.size
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func unit(n int64, name string) string {
	if n == 1 {
		return "1 " + name
	}
	return strconv.FormatInt(n, 10) + " " + name + "s"
}
