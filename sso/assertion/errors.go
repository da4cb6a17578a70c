package assertion

import (
	"errors"
	"strings"
)

// The kinds of error Verify, Decode, ParseMetadata and the Flex service
// provider constructors return. Each error is an *Error that unwraps to one
// of these, so callers test them with errors.Is.
var (
	// ErrUnreadable is input that is not a SAML response at all: empty,
	// not base64, not XML, cut short, or over MaxSize.
	ErrUnreadable = errors.New("flexroles: unreadable SAML response")
	// ErrRefused is a response refused before any cryptography: a DOCTYPE,
	// a root other than a SAML 2.0 Response, a namespace-prefixed XML
	// attribute, a document past one of the structure limits, or a shape in
	// which the element read could differ from the element verified
	// (several assertions, a signature or assertion out of place, duplicate
	// IDs).
	ErrRefused = errors.New("flexroles: SAML response refused")
	// ErrMetadata is IdP metadata that cannot be used: not SAML metadata, no
	// IdP with a signing certificate, a certificate that does not parse;
	// or none given to Verify.
	ErrMetadata = errors.New("flexroles: unusable IdP metadata")
	// ErrSignature is a response whose signature does not verify against
	// the keys the metadata gives its issuer: unsigned, signed by another
	// key, tampered with after signing, or claiming an issuer the metadata
	// does not name.
	ErrSignature = errors.New("flexroles: SAML signature not valid")
	// ErrEncrypted is a response whose assertion is encrypted: it can be
	// read only with the service provider's private key.
	ErrEncrypted = errors.New("flexroles: SAML assertion is encrypted")
	// ErrStatus is a response whose top-level status is not Success: the
	// login failed at the IdP. Its message names the status codes, never
	// the IdP's StatusMessage (Result.Response.Status holds it).
	ErrStatus = errors.New("flexroles: IdP status is not Success")
	// ErrCheck is a verified response that fails one of the checks of
	// Expectations: issuer, audience, destination, recipient, validity
	// times, InResponseTo or algorithm.
	ErrCheck = errors.New("flexroles: SAML check failed")
	// ErrServiceProvider is an account SID or SSO connection id that is not
	// one (see NewFlexServiceProvider).
	ErrServiceProvider = errors.New("flexroles: invalid Flex service provider id")
)

// Error is the detail type behind every error of this package; Unwrap
// returns Kind.
type Error struct {
	Kind  error     // one of the Err… kinds above
	Check CheckName // the check that failed, for ErrCheck and ErrSignature
	// Want and Got are what was expected and what the response holds, when
	// a check compared them.
	Want, Got string
	// Detail says what is wrong and what to change, in words for an
	// administrator.
	Detail string
	cause  error // the library error behind Detail, if any
}

// Error returns "flexroles: <kind>: <detail>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.cause != nil {
		b.WriteString(" (")
		b.WriteString(e.cause.Error())
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns Kind, so that errors.Is(err, ErrSignature) and the like
// hold.
func (e *Error) Unwrap() error { return e.Kind }

func errorf(kind error, detail string) *Error {
	return &Error{Kind: kind, Detail: detail}
}
