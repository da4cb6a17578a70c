package bridge

import (
	"errors"
	"slices"
	"strconv"

	"github.com/crewjam/saml"
)

// unspecifiedAuthnContext is the class the bridge asserts when the upstream
// assertion names none.
const unspecifiedAuthnContext = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"

// exactAuthnContext returns the classes of a RequestedAuthnContext the
// bridge enforces itself: those of Comparison exact, which is also the
// comparison when none is given (saml-core §3.3.2.2.1). For minimum,
// maximum and better it returns nil: SAML defines no order of classes, so
// the bridge passes the request upstream and the upstream IdP's class on,
// and leaves the comparison to them.
func exactAuthnContext(r *saml.RequestedAuthnContext) []string {
	if r == nil || (r.Comparison != "" && r.Comparison != "exact") {
		return nil
	}
	return slices.Clone(r.ClassRefs())
}

// authnContextMet reports whether the upstream's class meets the exact
// classes Flex requested (none: any class).
func authnContextMet(requested []string, got string) bool {
	return len(requested) == 0 || slices.Contains(requested, got)
}

// Bounds on Flex's RequestedAuthnContext, whose classes the login state
// keeps: a class reference is a URI of a few dozen bytes, and SAML's list
// of classes has 25.
const (
	maxRequestedClasses  = 8
	maxAuthnClassRefSize = 256
)

// errAuthnContextTooLarge refuses a RequestedAuthnContext of more than
// maxRequestedClasses classes or a class longer than maxAuthnClassRefSize.
var errAuthnContextTooLarge = errors.New("the RequestedAuthnContext names more than " + strconv.Itoa(maxRequestedClasses) +
	" classes, or a class longer than " + strconv.Itoa(maxAuthnClassRefSize) + " bytes")

// checkRequestedAuthnContext refuses a RequestedAuthnContext larger than
// the login state keeps, before anything goes upstream.
func checkRequestedAuthnContext(r *saml.RequestedAuthnContext) error {
	if r == nil {
		return nil
	}
	refs := r.ClassRefs()
	if len(refs) > maxRequestedClasses || slices.ContainsFunc(refs, func(c string) bool { return len(c) > maxAuthnClassRefSize }) {
		return errAuthnContextTooLarge
	}
	return nil
}
