package assertion

import (
	"crypto/x509"
	"time"
)

// CheckName names one check of Verify. The checks run, and are listed in
// Result.Checks, in the order of the constants.
type CheckName string

// The checks of Verify, in the order they are listed.
const (
	CheckSignature    CheckName = "signature"      // an XML signature over the Response or the Assertion verifies with a key of the issuer's metadata
	CheckAlgorithm    CheckName = "algorithm"      // the signature and digest algorithms (SHA-1 warns, or fails with RejectSHA1) and the key (an RSA key under 1024 bits fails)
	CheckIssuer       CheckName = "issuer"         // the signed Issuer is the metadata's entityID (and an unsigned Response Issuer agrees)
	CheckStatus       CheckName = "status"         // the top-level StatusCode is Success
	CheckAudience     CheckName = "audience"       // every AudienceRestriction names Expectations.Audience
	CheckDestination  CheckName = "destination"    // the Response Destination is Expectations.ACS
	CheckRecipient    CheckName = "recipient"      // a bearer SubjectConfirmationData Recipient is Expectations.ACS
	CheckValidity     CheckName = "validity"       // NotBefore/NotOnOrAfter of Conditions and the bearer confirmation hold at Now, within ClockSkew
	CheckInResponseTo CheckName = "in_response_to" // InResponseTo of the Response and the bearer confirmation is one of RequestIDs
)

// checkOrder is the order of Result.Checks.
var checkOrder = [...]CheckName{CheckSignature, CheckAlgorithm, CheckIssuer, CheckStatus, CheckAudience, CheckDestination, CheckRecipient, CheckValidity, CheckInResponseTo}

// Outcome is what became of one check. The zero Outcome is NotRun, which
// never counts as passed.
type Outcome int

// The outcomes of a check.
const (
	NotRun Outcome = iota // nothing to compare with (no expectation given), or an earlier refusal stopped it
	Passed
	Failed
)

// String returns "not run", "passed" or "failed".
func (o Outcome) String() string {
	switch o {
	case Passed:
		return "passed"
	case Failed:
		return "failed"
	}
	return "not run"
}

// Check is one check of Verify with what it compared.
type Check struct {
	Name    CheckName
	Outcome Outcome
	Want    string // what was expected, "" when nothing was
	Got     string // what the response holds
	Detail  string // why it failed or was not run, and what to change
}

// Result is what Verify or Inspect found. Fields of the Response and of the Assertion
// each say whether they were read from a verified signed element (Signed);
// anything not Signed is what the response claims, and anyone could have
// written it.
type Result struct {
	Checks    []Check   // every check, in the order of the Check constants
	Warnings  []string  // what does not refuse the response but needs fixing: expired certificate, SHA-1, encrypted NameID or attributes
	Signature Signature // how the response was signed
	Response  Response
	Assertion Assertion

	accepted bool // Verify or Inspect returned no error: Login may make a login
}

// Counts returns how many checks passed, failed and were not run.
func (r *Result) Counts() (passed, failed, notRun int) {
	for _, c := range r.Checks {
		switch c.Outcome {
		case Passed:
			passed++
		case Failed:
			failed++
		default:
			notRun++
		}
	}
	return passed, failed, notRun
}

// Check returns the check called name.
func (r *Result) Check(name CheckName) Check {
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	return Check{Name: name}
}

// Signature says which elements carried a signature that verified, and
// with what.
type Signature struct {
	Verified    bool              // Response or Assertion (or both) verified
	Elements    []string          // the verified elements: "Response", "Assertion"
	Entity      string            // the entityID whose key verified it
	Certificate *x509.Certificate // the metadata certificate that verified it
	Method      string            // SignatureMethod algorithm URI
	Digest      string            // DigestMethod algorithm URI
}

// Response holds the fields of the SAML Response element.
type Response struct {
	Signed       bool // read from the verified Response; false: what lies outside the signed Assertion
	ID           string
	Issuer       string
	Destination  string
	InResponseTo string
	IssueInstant time.Time
	Status       Status
}

// Status is a SAML Status: the top-level code, the nested (second-level)
// codes and the message, as the IdP sent them.
type Status struct {
	Code     string   // "urn:oasis:names:tc:SAML:2.0:status:Success" and the like
	SubCodes []string // nested StatusCode values, outermost first
	Message  string
}

// Success reports whether the top-level status code is Success.
func (s Status) Success() bool { return s.Code == statusSuccess }

const statusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success"

// Assertion holds what the SAML Assertion says about the user.
type Assertion struct {
	Signed bool // read from a verified signed element (the Assertion, or the Response around it)
	// Encrypted is an EncryptedAssertion: nothing below is known.
	Encrypted    bool
	ID           string
	Issuer       string
	IssueInstant time.Time
	NameID       NameID
	// NameIDEncrypted is an EncryptedID in place of the NameID.
	NameIDEncrypted      bool
	SubjectConfirmations []SubjectConfirmation
	Conditions           Conditions
	// AuthnStatements say when and how the IdP authenticated the
	// subject, in document order.
	AuthnStatements []AuthnStatement
	Attributes      []Attribute // in document order, same-name attributes kept apart
	// EncryptedAttributes counts EncryptedAttribute elements, which only
	// the service provider's private key can read.
	EncryptedAttributes int
}

// NameID is a SAML NameID.
type NameID struct {
	Value           string
	Format          string
	NameQualifier   string
	SPNameQualifier string
}

// SubjectConfirmation is one SubjectConfirmation of the Subject.
type SubjectConfirmation struct {
	Method       string
	Recipient    string
	InResponseTo string
	NotBefore    time.Time // zero when absent
	NotOnOrAfter time.Time // zero when absent
}

// Conditions is the Conditions element of the assertion.
type Conditions struct {
	Present      bool
	NotBefore    time.Time // zero when absent
	NotOnOrAfter time.Time // zero when absent
	// Audiences holds the audiences of each AudienceRestriction.
	Audiences [][]string
}

// AuthnStatement is one AuthnStatement of the assertion.
type AuthnStatement struct {
	AuthnInstant time.Time // when the IdP authenticated the subject
	SessionIndex string
	// SessionNotOnOrAfter is when the service provider's session must end;
	// zero when absent.
	SessionNotOnOrAfter time.Time
	// ClassRef is the AuthnContextClassRef, such as
	// "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
	// "" when the context gives none (only a declaration).
	ClassRef string
}

// Attribute is one SAML Attribute.
type Attribute struct {
	Name         string
	FriendlyName string
	NameFormat   string
	Values       []Value
}

// Value is one AttributeValue.
type Value struct {
	Text   string  // the text, or for a NameID value the NameID's text
	Nil    bool    // xsi:nil="true": a null value, not an empty string
	Type   string  // xsi:type as written ("xs:string")
	NameID *NameID // a NameID nested in the value, or nil
}

// String returns the value as other SAML libraries give it: the text; for
// a nested NameID its NameQualifier, "/" and its text when it has a
// NameQualifier (as ruby-saml does); "" for a nil value.
func (v Value) String() string {
	if v.NameID != nil && v.NameID.NameQualifier != "" {
		return v.NameID.NameQualifier + "/" + v.NameID.Value
	}
	return v.Text
}

// Strings returns the attribute's values as strings (see Value.String),
// nil values left out.
func (a Attribute) Strings() []string {
	out := make([]string, 0, len(a.Values))
	for _, v := range a.Values {
		if !v.Nil {
			out = append(out, v.String())
		}
	}
	return out
}
