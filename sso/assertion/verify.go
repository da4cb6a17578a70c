package assertion

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// DefaultClockSkew is the clock skew allowed between the IdP and the
// service provider when Expectations.ClockSkew is zero: three minutes, as
// Shibboleth and crewjam/saml allow.
const DefaultClockSkew = 3 * time.Minute

// Expectations is what the service provider expects of a response. The
// zero value checks everything and expects nothing, so every check that
// needs an expected value fails until it is given one: a login handler sets
// Audience, ACS and RequestIDs. Fields that relax a check say so in their
// names.
type Expectations struct {
	Audience   string   // the service provider's entity ID (Flex: FlexServiceProvider.Audience)
	ACS        string   // the assertion consumer service URL: Destination and Recipient (Flex: FlexServiceProvider.ACS)
	RequestIDs []string // IDs of the AuthnRequests sent; InResponseTo must be one of them

	Now       time.Time     // the time to check validity at; zero is time.Now()
	ClockSkew time.Duration // leeway on validity times; zero is DefaultClockSkew

	// RejectSHA1 fails the algorithm check on a SHA-1 signature or digest;
	// otherwise SHA-1 is a warning.
	RejectSHA1 bool
	// AllowUnsolicited lets a response answer no request (IdP-initiated
	// login): no InResponseTo passes the InResponseTo check. One that
	// names a request must still name one of RequestIDs.
	AllowUnsolicited bool
	// AllowUnchecked reports a check without an expected value (Audience,
	// ACS, RequestIDs empty) as not run instead of failing it. For
	// debugging tools that explain a captured response; a login handler
	// leaves it false: a Result verified with it never makes a login
	// (Result.Login fails).
	AllowUnchecked bool

	// ownSignatureCheck verifies every signature with verifyEnveloped
	// rather than goxmldsig, for the tests that hold the two to the same
	// verdicts.
	ownSignatureCheck bool
}

// Verify checks a SAML 2.0 Response (its XML; see Decode for what a
// browser posts) against the IdP metadata md and the service provider's
// expectations, and returns every check with its outcome and what the
// response holds, each part labelled signed or not.
//
// The response is accepted only when the error is nil: its signature
// verified, its status is Success, and no check failed. Otherwise the
// Result is nil, so that nothing of a refused response can be used, and
// the error is an *Error of one kind, in this order of precedence:
// ErrMetadata (md is nil: Verify verifies against metadata or not at all),
// ErrUnreadable, ErrRefused, ErrEncrypted for an encrypted assertion in an
// unsigned Response, ErrSignature, ErrStatus, ErrCheck (the first failed
// check), ErrEncrypted for an encrypted assertion in a signed Response.
// Inspect returns the same error with the checks and the response's
// claims, for a debugger to explain a refusal.
func Verify(response []byte, md *Metadata, want Expectations) (*Result, error) {
	if md == nil {
		return nil, errorf(ErrMetadata, "no IdP metadata given: nothing can be verified without the IdP's keys")
	}
	res, err := Inspect(response, md, want)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Inspect runs what Verify runs and returns what it found whether or not
// the response is accepted, for explaining a response (a debugger, a
// playground, a refusal page): every check with its outcome in
// Result.Checks, and what the response holds, each part labelled signed or
// not. The error is the one Verify returns for the same input; the Result
// is nil only when nothing could be read (ErrUnreadable, or ErrRefused
// before any tree was built). A nil md verifies nothing: the Result holds
// the response's claims, unsigned, and the error is ErrEncrypted or
// ErrStatus when they apply, else ErrSignature.
//
// Result.Login makes a login only when the error is nil and want does not
// allow unchecked expectations (AllowUnchecked); otherwise it fails, so
// that an inspected response, or one addressed to any service provider,
// lets no one in by accident. Result.UnverifiedLogin shows the claims as
// they stand.
func Inspect(response []byte, md *Metadata, want Expectations) (*Result, error) {
	res, err := examine(response, md, want)
	if err == nil && !want.AllowUnchecked {
		res.accepted = true
	}
	return res, err
}

// examine runs every step of Verify in order and returns the first error
// of the precedence.
func examine(response []byte, md *Metadata, want Expectations) (*Result, error) {
	doc, err := checkXML(response)
	if err != nil {
		return nil, err
	}
	if err := prescan(doc); err != nil {
		return nil, err
	}
	tree := etree.NewDocument()
	if err := tree.ReadFromBytes(doc); err != nil {
		return nil, &Error{Kind: ErrUnreadable, Detail: "the XML does not parse", cause: err}
	}
	root := tree.Root()
	res := &Result{Checks: make([]Check, len(checkOrder))}
	for i, name := range checkOrder {
		res.Checks[i] = Check{Name: name}
	}
	resp, a, err := readResponse(root, false)
	if err != nil {
		return nil, &Error{Kind: ErrUnreadable, Detail: "the Response does not parse as SAML 2.0", cause: err}
	}
	res.Response = resp
	if a != nil {
		res.Assertion = *a
	}
	if a == nil {
		// A failed login: the IdP sends a status and no assertion.
		res.check(CheckSignature, NotRun, "", "", "the response holds no assertion")
		if !resp.Status.Success() {
			res.checkStatus()
			return res, statusError(res)
		}
		return res, errorf(ErrRefused, "the response holds no Assertion")
	}
	if md == nil {
		res.check(CheckSignature, NotRun, "", "", "no IdP metadata given: nothing in the response is verified")
		res.checkStatus()
		switch {
		case res.Assertion.Encrypted:
			return res, errorf(ErrEncrypted, encryptedDetail)
		case !resp.Status.Success():
			return res, statusError(res)
		}
		return res, errorf(ErrSignature, "no IdP metadata given: nothing in the response is verified")
	}
	if err := res.verifySignature(root, md, want.ownSignatureCheck); err != nil {
		return res, err
	}
	res.checkAlgorithm(want)
	res.checkIssuer()
	res.checkStatus()
	res.checkAudience(want)
	res.checkDestination(want)
	res.checkRecipient(want)
	res.checkValidity(want)
	res.checkInResponseTo(want)
	if res.Assertion.Encrypted {
		for _, name := range []CheckName{CheckAudience, CheckRecipient, CheckValidity} {
			res.check(name, NotRun, "", "", "the assertion is encrypted")
		}
	}
	if res.Assertion.NameIDEncrypted {
		res.Warnings = append(res.Warnings, "the NameID is encrypted (EncryptedID): only the service provider's private key can read it; Flex needs a plain NameID, the user's email: turn NameID encryption off in the IdP")
	}
	if n := res.Assertion.EncryptedAttributes; n > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d attributes are encrypted (EncryptedAttribute): only the service provider's private key can read them; Flex needs roles, email and full_name in the clear: turn attribute encryption off in the IdP", n))
	}
	if !res.Response.Status.Success() {
		return res, statusError(res)
	}
	for _, c := range res.Checks {
		if c.Outcome == Failed {
			return res, &Error{Kind: ErrCheck, Check: c.Name, Want: c.Want, Got: c.Got, Detail: string(c.Name) + ": " + c.Detail}
		}
	}
	if res.Assertion.Encrypted {
		return res, errorf(ErrEncrypted, encryptedDetail)
	}
	return res, nil
}

const encryptedDetail = "the assertion is encrypted (EncryptedAssertion): only the service provider's private key can read it; Flex reads a plain assertion: turn assertion encryption off in the IdP"

// check sets the outcome of the check called name.
func (r *Result) check(name CheckName, o Outcome, want, got, detail string) {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			r.Checks[i] = Check{Name: name, Outcome: o, Want: want, Got: got, Detail: detail}
		}
	}
}

// verifySignature verifies the Response signature, the Assertion
// signature, or both, with the keys of the issuer's entity, and replaces
// what it read of the response by what the signatures cover.
func (r *Result) verifySignature(root *etree.Element, md *Metadata, own bool) error {
	fail := func(detail string, cause error) error {
		r.check(CheckSignature, Failed, "a signature by "+entityNames(md), "", detail)
		return &Error{Kind: ErrSignature, Check: CheckSignature, Detail: detail, cause: cause}
	}
	assertionEl := childElement(root, nsAssertion, "Assertion")
	responseSig := signatureChild(root)
	var assertionSig *etree.Element
	if assertionEl != nil {
		assertionSig = signatureChild(assertionEl)
	}
	if r.Assertion.Encrypted && responseSig == nil {
		r.check(CheckSignature, NotRun, "", "", "the assertion is encrypted and the Response is not signed: the signature, if any, is inside the encryption")
		return errorf(ErrEncrypted, encryptedDetail)
	}
	if responseSig == nil && assertionSig == nil {
		return fail("neither the Response nor its Assertion is signed; the IdP must sign the response, the assertion, or both", nil)
	}
	// The entity whose keys may verify it: by the Issuer the response
	// claims. Verification then proves the claim.
	issuer := r.Assertion.Issuer
	if issuer == "" {
		issuer = r.Response.Issuer
	}
	entity, ok := md.keysFor(issuer)
	if !ok {
		return fail(fmt.Sprintf("the response claims the issuer %q, which the metadata does not name (it names %s)", issuer, entityNames(md)), nil)
	}
	// A Reference URI of "" names the whole document: an Assertion
	// signature that says so signs the Response around it.
	var whole []*etree.Element
	if responseSig != nil {
		whole = append(whole, responseSig)
	}
	if assertionSig != nil && referencesDocument(assertionSig) {
		whole = append(whole, assertionSig)
		assertionSig = nil
	}
	var signedBy *signedElement
	for _, sig := range whole {
		s, err := verifyElement(root, sig, entity, own)
		if err != nil {
			return fail(signatureFailure("Response", entity, err))
		}
		resp, a, err := readResponse(s.el, true)
		r.Response = resp
		r.Assertion = Assertion{}
		if a != nil {
			r.Assertion = *a
		}
		if err != nil {
			return fail("the signed Response does not parse", err)
		}
		if len(r.Signature.Elements) == 0 {
			r.Signature.Elements = append(r.Signature.Elements, "Response")
		}
		signedBy = weaker(signedBy, s)
	}
	if assertionSig != nil {
		s, err := verifyElement(assertionEl, assertionSig, entity, own)
		if err != nil {
			return fail(signatureFailure("Assertion", entity, err))
		}
		// Read from the Assertion signature's bytes only when the
		// Response is not signed: a Response signature that verified
		// covers the assertion too, and it has been read from there.
		if len(whole) == 0 {
			a, err := readAssertion(s.el)
			if err != nil {
				return fail("the signed Assertion does not parse", err)
			}
			r.Assertion = a
		}
		r.Signature.Elements = append(r.Signature.Elements, "Assertion")
		signedBy = weaker(signedBy, s)
	}
	r.Signature.Verified = true
	r.Signature.Entity = entity.ID
	r.Signature.Certificate = signedBy.certificate
	r.Signature.Method, r.Signature.Digest = signedBy.method, signedBy.digest
	r.check(CheckSignature, Passed, "a signature by "+quoteEntity(entity.ID), strings.Join(r.Signature.Elements, " and ")+" signed", "")
	return nil
}

// signatureFailure returns what to say of a signature of the element what
// ("Response" or "Assertion") that did not verify with entity's keys, and
// the library error to keep behind it: an algorithm this package does not
// verify is named as unsupported, never as a change after signing.
func signatureFailure(what string, entity Entity, err error) (string, error) {
	var u *errUnsupported
	if errors.As(err, &u) {
		return "the " + what + " is signed with " + u.Error() + ": set the IdP to sign with RSA-SHA256", nil
	}
	return "the " + what + " signature does not verify with the keys the metadata gives " + quoteEntity(entity.ID) + ": the " + strings.ToLower(what) + " was changed after signing, or signed by another key", err
}

// referencesDocument reports whether a signature's one Reference has the
// URI "", the whole document.
func referencesDocument(sig *etree.Element) bool {
	refs, _, _ := signedInfo(sig)
	return len(refs) == 1 && refs[0] == ""
}

// weaker returns whichever of a and b (a may be nil) has an RSA key under
// minRSAKeyBits, else uses SHA-1, so that the algorithm check sees the
// weakest signature.
func weaker(a, b *signedElement) *signedElement {
	if a == nil {
		return b
	}
	if wa, wb := weakRSAKey(a.certificate) > 0, weakRSAKey(b.certificate) > 0; wa != wb {
		if wb {
			return b
		}
		return a
	}
	if isSHA1(b.method) || isSHA1(b.digest) {
		return b
	}
	return a
}

func quoteEntity(id string) string {
	if id == "" {
		return "the certificate file"
	}
	return fmt.Sprintf("%q", id)
}

func entityNames(md *Metadata) string {
	var names []string
	for _, e := range md.entities {
		names = append(names, quoteEntity(e.ID))
	}
	return strings.Join(names, ", ")
}

// statusError names the status codes only: the StatusMessage is free text
// from the IdP, unsigned when the Response is, and may hold personal data
// or markup, so it stays in Result.Response.Status for a caller that labels
// it, out of an error that is logged and shown.
func statusError(r *Result) error {
	s := r.Response.Status
	codes := statusText(Status{Code: s.Code, SubCodes: s.SubCodes})
	detail := "the IdP answered " + codes
	if !r.Response.Signed {
		detail += " (unsigned)"
	}
	detail += ": the login failed at the IdP; its logs say why"
	return &Error{Kind: ErrStatus, Check: CheckStatus, Want: "Success", Got: codes, Detail: detail}
}

// statusText returns a status as "Responder/AuthnFailed: message".
func statusText(s Status) string {
	if s.Code == "" {
		return "no status"
	}
	t := shortStatus(s.Code)
	for _, c := range s.SubCodes {
		t += "/" + shortStatus(c)
	}
	if s.Message != "" {
		t += ": " + s.Message
	}
	return t
}

func shortStatus(code string) string {
	return code[strings.LastIndexByte(code, ':')+1:]
}
