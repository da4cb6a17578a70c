package assertion

import (
	"strings"

	"github.com/flexroles/flexroles"
)

// Login returns the SSO login the signed assertion makes, for a policy to
// decide: its attributes by name with their values in document order (a
// name sent twice has the values of both; nil values left out), and the
// NameID as Identity. rename maps an IdP's attribute names to the names the
// login should carry (a bridge renaming an upstream IdP's
// "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" to
// "email"); names it does not hold are kept. It returns ErrSignature when
// the assertion was not read from a verified signed element: only signed
// attributes make a login.
func (r *Result) Login(rename map[string]string) (flexroles.Login, error) {
	if r == nil || !r.Assertion.Signed || !r.Signature.Verified {
		return flexroles.Login{}, errorf(ErrSignature, "the assertion is not signed and verified: nothing in it makes a login")
	}
	return r.login(rename), nil
}

// UnverifiedLogin returns the login the assertion's claims would make as
// they stand, signed or not, as Login reads them without renames: for
// explaining a response (a debugger, a playground), never for letting
// anyone in. A nil Result makes an SSO login with no attributes.
func (r *Result) UnverifiedLogin() flexroles.Login {
	if r == nil {
		return flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{}}
	}
	return r.login(nil)
}

// login builds the login of the assertion's attributes, renamed by rename.
func (r *Result) login(rename map[string]string) flexroles.Login {
	attrs := make(map[string][]string, len(r.Assertion.Attributes))
	for _, a := range r.Assertion.Attributes {
		name := a.Name
		if to, ok := rename[name]; ok {
			name = to
		}
		attrs[name] = append(attrs[name], a.Strings()...)
	}
	return flexroles.Login{Source: flexroles.SSO, Attributes: attrs, Identity: r.Assertion.NameID.Value}
}

// FlexNames are the attribute names a login needs for Flex's roles, email
// and full_name; a zero field is Flex's own name. A policy that renames
// them gives its names with (*flexroles.Policy).AttributeName.
type FlexNames struct {
	Roles, Email, FullName string
}

func (n FlexNames) names() [3][2]string {
	or := func(s, d string) string {
		if s == "" {
			return d
		}
		return s
	}
	return [3][2]string{
		{"roles", or(n.Roles, "roles")},
		{"email", or(n.Email, "email")},
		{"full_name", or(n.FullName, "full_name")},
	}
}

// MissingAttribute is one of Flex's attributes that an assertion lacks
// (absent, or without a non-empty value), with the attributes that look
// meant for it.
type MissingAttribute struct {
	Flex       string      // "roles", "email" or "full_name"
	Name       string      // the attribute name the login needs (FlexNames)
	Candidates []Attribute // attributes of the assertion that look meant for it: rename one to Name
}

// MissingFlexAttributes returns every one of Flex's attributes the
// assertion lacks, in the order roles, email, full_name, each with the
// attributes that FlexClaim says are meant for it.
func (a *Assertion) MissingFlexAttributes(names FlexNames) []MissingAttribute {
	var out []MissingAttribute
	for _, n := range names.names() {
		if a.hasValue(n[1]) {
			continue
		}
		m := MissingAttribute{Flex: n[0], Name: n[1]}
		for _, at := range a.Attributes {
			if at.Name != n[1] && FlexClaim(at) == n[0] {
				m.Candidates = append(m.Candidates, at)
			}
		}
		out = append(out, m)
	}
	return out
}

func (a *Assertion) hasValue(name string) bool {
	for _, at := range a.Attributes {
		if at.Name != name {
			continue
		}
		for _, v := range at.Strings() {
			if strings.TrimSpace(v) != "" {
				return true
			}
		}
	}
	return false
}

// oidClaims are the LDAP and eduPerson attributes, in the urn:oid form
// Shibboleth and other SAML 2.0 IdPs send, that carry what Flex's email and
// full_name do.
var oidClaims = map[string]string{
	"urn:oid:0.9.2342.19200300.100.1.3": "email",     // mail
	"urn:oid:2.16.840.1.113730.3.1.241": "full_name", // displayName
}

// FlexClaim returns which of Flex's attributes "roles", "email" and
// "full_name" the attribute looks meant for although Flex will not map it,
// or "". It reads the Name, then the FriendlyName: a namespaced claim or a
// name in another case or spelling (flexroles.MisnamedAttribute, such as
// Entra ID's ".../claims/emailaddress" or "displayName"), the urn:oid form
// of mail and displayName, and a dotted name whose last part is one
// (OneLogin's "User.email").
func FlexClaim(a Attribute) string {
	if c := claim(a.Name); c != "" {
		return c
	}
	return claim(a.FriendlyName)
}

func claim(name string) string {
	if name == "" {
		return ""
	}
	if c := oidClaims[name]; c != "" {
		return c
	}
	if c := flexroles.MisnamedAttribute(name); c != "" {
		return c
	}
	if dot := strings.LastIndexByte(name, '.'); dot >= 0 && !strings.Contains(name, ":") {
		switch last := name[dot+1:]; last {
		case "roles", "email", "full_name":
			return last
		default:
			return flexroles.MisnamedAttribute(last)
		}
	}
	return ""
}
