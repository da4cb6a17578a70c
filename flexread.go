package flexroles

import (
	"slices"
	"strings"
)

// FlexAttribute names one of the assertion attributes Flex maps itself
// (roles, email, full_name), or a policy's attribute of IdP groups. A
// policy may read each under another name: (*Policy).AttributeName gives
// it.
type FlexAttribute string

// The attributes of an SSO login that Flex, or a policy, reads.
const (
	RolesAttribute    FlexAttribute = attrRoles
	EmailAttribute    FlexAttribute = attrEmail
	FullNameAttribute FlexAttribute = attrFullName
	GroupsAttribute   FlexAttribute = attrGroups
)

// FlexRead is an SSO login as Flex reads it: the values every tool that
// shows, checks or forwards a login takes from here, so that none derives
// its own (the bridge sends Flex these email, full name and NameID; the
// SAML debugger and the playground show them).
type FlexRead struct {
	// Email and FullName are the first non-blank value of the email and
	// full_name attributes, trimmed of white space; "" when there is none.
	// A login Resolve grants has both.
	Email    string `json:"email"`
	FullName string `json:"full_name"`
	// Identity is the login's Identity (the NameID) trimmed, or Email
	// when it is blank: what Flex derives contact_uri from.
	Identity string `json:"identity"`
	// Missing lists the attributes of roles, email and full_name, in that
	// order, that the login lacks or sends empty, as Flex error 45050
	// counts them.
	Missing []MissingAttribute `json:"missing"`
	// Misnamed lists the login's attributes that look meant for roles,
	// email, full_name or a policy's groups but are not read, because
	// only the exact name is, by name.
	Misnamed []MisnamedClaim `json:"misnamed"`
}

// MissingAttribute is one of roles, email and full_name that a login lacks.
type MissingAttribute struct {
	Attribute FlexAttribute `json:"attribute"` // which one
	Name      string        `json:"name"`      // the name it is read under: Flex's, or the policy's
	// Empty says it is there but says nothing: no value, only blank
	// values, or (roles) no item once split on commas, as in [","].
	Empty bool `json:"empty"`
	// Candidates are the login's attributes that look meant for it, by
	// name: rename one to Name. For roles, the singular "role" (the
	// Insights reporting attribute) is one when nothing else is.
	Candidates []string `json:"candidates"`
}

// MisnamedClaim is an attribute whose name looks meant for one that is
// read, but is not that name.
type MisnamedClaim struct {
	Name   string        `json:"name"`    // the attribute's name, as sent
	Meant  FlexAttribute `json:"meant"`   // what it looks meant for
	ReadAs string        `json:"read_as"` // the name that is read: rename the attribute to it
}

// ReadAsFlex reads an SSO login under Flex's own attribute names. A Console
// login has only an Identity.
func ReadAsFlex(l Login) FlexRead { return (*Policy)(nil).ReadAsFlex(l) }

// ReadAsFlex reads an SSO login under the policy's attribute names (a nil
// policy reads Flex's own), as ReadAsFlex does.
func (p *Policy) ReadAsFlex(l Login) FlexRead {
	var s ssoSettings
	if p != nil {
		s = p.sso
	}
	out := FlexRead{Identity: strings.TrimSpace(l.Identity)}
	if l.Source != SSO {
		return out
	}
	out.Email = firstValue(l.Attributes[s.name(slotEmail)])
	out.FullName = firstValue(l.Attributes[s.name(slotFullName)])
	if out.Identity == "" {
		out.Identity = out.Email
	}
	for name := range l.Attributes {
		if s.reads(name) {
			continue
		}
		c, _ := claimOf(name)
		if m := s.meant(c); m != "" {
			out.Misnamed = append(out.Misnamed, MisnamedClaim{Name: name, Meant: FlexAttribute(c), ReadAs: m})
		}
	}
	slices.SortFunc(out.Misnamed, func(a, b MisnamedClaim) int { return strings.Compare(a.Name, b.Name) })
	for i := range slotCount {
		name, std := s.name(i), stdName(i)
		values, ok := l.Attributes[name]
		if ok && !isEmpty(std, values) {
			continue
		}
		m := MissingAttribute{Attribute: FlexAttribute(std), Name: name, Empty: ok}
		for _, c := range out.Misnamed {
			if string(c.Meant) == std {
				m.Candidates = append(m.Candidates, c.Name)
			}
		}
		if i == slotRoles && m.Candidates == nil {
			for name := range l.Attributes {
				if isRoleAttribute(name) {
					m.Candidates = append(m.Candidates, name)
				}
			}
			slices.Sort(m.Candidates)
		}
		out.Missing = append(out.Missing, m)
	}
	return out
}
