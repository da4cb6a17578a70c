package assertion

// WithOwnSignatureCheck returns want set to verify every XML signature
// with this package's own check (verifyEnveloped) instead of goxmldsig's,
// so that tests can hold the two to the same verdicts.
func WithOwnSignatureCheck(want Expectations) Expectations {
	want.ownSignatureCheck = true
	return want
}
