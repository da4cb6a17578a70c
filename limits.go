package flexroles

import "strconv"

// The limits on what Resolve reads from a login. A login past any of them is
// refused with an *Error naming the limit, at the step the package
// documentation's Errors section gives: the attribute and Console role
// counts first, then each attribute's values before the rules that read
// them. Nothing is ever truncated. They sit far above what identity providers send: a SAML
// response is read whole by Flex, and these keep one login's cost bounded
// whatever a caller hands over.
const (
	// MaxAttributes is the most attributes one login may carry
	// (ErrInvalidLogin, with the count in Error.Value).
	MaxAttributes = 1000
	// MaxAttributeValues is the most values an attribute that Resolve reads
	// may hold: roles, email, full_name and, under a policy, its groups
	// attribute and the attributes its rules test (ErrInvalidAttribute, with
	// the count in Error.Value).
	MaxAttributeValues = 10000
	// MaxValueSize is the longest value, in bytes, of an attribute that
	// Resolve reads (ErrInvalidAttribute).
	MaxValueSize = 64 << 10
	// MaxRoleItems is the most role items the roles attribute may name once
	// split on commas, and the most Console roles one Console login may
	// carry (ErrInvalidAttribute, with the count in Error.Value). The
	// vocabulary has twelve roles.
	MaxRoleItems = 100
)

// checkValues refuses the values of attribute name when there are more than
// MaxAttributeValues or one is longer than MaxValueSize.
func checkValues(name string, values []string) error {
	if len(values) > MaxAttributeValues {
		return &Error{Kind: ErrInvalidAttribute, Attribute: name, Value: strconv.Itoa(len(values)), problem: problemManyValues}
	}
	for _, v := range values {
		if len(v) > MaxValueSize {
			return &Error{Kind: ErrInvalidAttribute, Attribute: name, Value: v, problem: problemLongValue}
		}
	}
	return nil
}

// checkRoleItems refuses a roles attribute, named name, of more than
// MaxRoleItems items.
func checkRoleItems(name string, values []string) error {
	if len(values) == 0 {
		return nil
	}
	n := 0
	forEachItem(values, func(string, bool) bool {
		n++
		return true
	})
	if n > MaxRoleItems {
		return manyRoleItems(name, n)
	}
	return nil
}

// manyRoleItems refuses a roles attribute, named name, of n items, more
// than MaxRoleItems.
func manyRoleItems(name string, n int) error {
	return &Error{Kind: ErrInvalidAttribute, Attribute: name, Value: strconv.Itoa(n), problem: problemManyRoles}
}

// manyAttributes refuses a login of n attributes, more than MaxAttributes.
func manyAttributes(n int) error {
	return &Error{Kind: ErrInvalidLogin, Value: strconv.Itoa(n), problem: problemManyAttributes}
}

// manyConsoleRoles refuses a login that carries n Console roles, more than
// MaxRoleItems.
func manyConsoleRoles(n int) error {
	return &Error{Kind: ErrInvalidAttribute, Attribute: attrConsoleRole, Value: strconv.Itoa(n), problem: problemManyRoles}
}
