package assertion

import (
	"slices"

	"github.com/flexroles/flexroles"
)

// Login returns the SSO login the signed assertion makes, for a policy to
// decide: its attributes by name with their values in document order (a
// name sent twice has the values of both; nil values left out), and the
// NameID as Identity. It makes a login only of a Result that Verify (or
// Inspect) returned with a nil error: for any other, and for a nil Result,
// it returns ErrSignature, so that a refused or merely inspected response
// lets no one in.
func (r *Result) Login() (flexroles.Login, error) {
	if r == nil || !r.accepted || !r.Assertion.Signed || !r.Signature.Verified {
		return flexroles.Login{}, errorf(ErrSignature, "the response was not accepted: nothing in it makes a login")
	}
	return r.login(), nil
}

// UnverifiedLogin returns the login the assertion's claims would make as
// they stand, signed or not, accepted or not, as Login reads them: for
// explaining a response (a debugger, a playground), never for letting
// anyone in. A nil Result makes an SSO login with no attributes.
func (r *Result) UnverifiedLogin() flexroles.Login {
	if r == nil {
		return flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{}}
	}
	return r.login()
}

// login builds the login of the assertion's attributes.
func (r *Result) login() flexroles.Login {
	attrs := make(map[string][]string, len(r.Assertion.Attributes))
	for _, a := range r.Assertion.Attributes {
		attrs[a.Name] = append(attrs[a.Name], a.Strings()...)
	}
	return flexroles.Login{Source: flexroles.SSO, Attributes: attrs, Identity: r.Assertion.NameID.Value}
}

// MissingAttribute is one of Flex's attributes that an assertion lacks
// (absent, or saying nothing), with the attributes that look meant for it.
type MissingAttribute struct {
	Flex       flexroles.FlexAttribute // roles, email or full_name
	Name       string                  // the attribute name the login needs: Flex's, or the policy's
	Empty      bool                    // it is there, but with no value, only blank ones, or (roles) no item
	Candidates []Attribute             // attributes of the assertion that look meant for it: rename one to Name
}

// MissingFlexAttributes returns every one of Flex's attributes the
// assertion lacks under the policy's names (nil: Flex's own), in the order
// roles, email, full_name, as flexroles reads the login
// ((*flexroles.Policy).ReadAsFlex), each with the attributes that look
// meant for it by Name or FriendlyName (FlexClaim), in document order.
func (a *Assertion) MissingFlexAttributes(p *flexroles.Policy) []MissingAttribute {
	attrs := make(map[string][]string, len(a.Attributes))
	for _, at := range a.Attributes {
		attrs[at.Name] = append(attrs[at.Name], at.Strings()...)
	}
	read := p.ReadAsFlex(flexroles.Login{Source: flexroles.SSO, Attributes: attrs})
	var out []MissingAttribute
	for _, m := range read.Missing {
		ma := MissingAttribute{Flex: m.Attribute, Name: m.Name, Empty: m.Empty}
		for _, at := range a.Attributes {
			if at.Name != m.Name && (slices.Contains(m.Candidates, at.Name) || FlexClaim(at) == m.Attribute) {
				ma.Candidates = append(ma.Candidates, at)
			}
		}
		out = append(out, ma)
	}
	return out
}

// FlexClaim returns which of Flex's attributes roles, email and full_name
// the attribute looks meant for although Flex will not map it, or "": what
// flexroles.MisnamedAttribute says of its Name, or else of its
// FriendlyName (an urn:oid name whose FriendlyName is "mail").
func FlexClaim(a Attribute) flexroles.FlexAttribute {
	if c := flexroles.MisnamedAttribute(a.Name); c != "" {
		return c
	}
	return flexroles.MisnamedAttribute(a.FriendlyName)
}
