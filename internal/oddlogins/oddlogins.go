// Package oddlogins holds SSO logins at the edges of how Flex reads an
// assertion's attributes, for the tests of every part of the project that
// reads one: the core (flexroles.ReadAsFlex and Resolve), the SAML
// verifier's Flex helpers, the bridge (what Flex receives), the saml
// debugger and the playground. Each of those tests feeds every login here
// and requires the core's answer, so that no part derives its own.
//
// Every login carries the groups [CC-Agents] of the repository's example
// policy (examples/policy.yaml), which grants agent for them, so that a
// login Twilio's rules accept is granted there too.
package oddlogins

// Login is one odd login: its NameID (empty: none) and its attributes by
// name, values as an IdP sends them.
type Login struct {
	Name       string // what is odd about it
	NameID     string
	Attributes map[string][]string
}

// All returns the odd logins, new each call.
func All() []Login {
	agents := func(attrs map[string][]string) map[string][]string {
		attrs["groups"] = []string{"CC-Agents"}
		return attrs
	}
	return []Login{
		{Name: "blank first email and full_name", Attributes: agents(map[string][]string{
			"roles": {"agent"}, "email": {" ", "ana.diaz@example.com"}, "full_name": {"", "Ana Diaz"}})},
		{Name: "values with white space around them", NameID: "  ana.diaz@example.com ", Attributes: agents(map[string][]string{
			"roles": {" agent "}, "email": {"  ana.diaz@example.com\t"}, "full_name": {" Ana Diaz "}})},
		{Name: "roles of only commas", Attributes: agents(map[string][]string{
			"roles": {","}, "email": {"ana.diaz@example.com"}, "full_name": {"Ana Diaz"}})},
		{Name: "roles empty and blank", Attributes: agents(map[string][]string{
			"roles": {"", " "}, "email": {"ana.diaz@example.com"}, "full_name": {"Ana Diaz"}})},
		{Name: "email only blank", NameID: "ana.diaz@example.com", Attributes: agents(map[string][]string{
			"roles": {"agent"}, "email": {" "}, "full_name": {"Ana Diaz"}})},
		{Name: "namespaced email claim", Attributes: agents(map[string][]string{
			"roles": {"agent"}, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": {"ana.diaz@example.com"}, "full_name": {"Ana Diaz"}})},
		{Name: "OID names of mail and displayName", Attributes: agents(map[string][]string{
			"roles": {"agent"}, "urn:oid:0.9.2342.19200300.100.1.3": {"ana.diaz@example.com"}, "urn:oid:2.16.840.1.113730.3.1.241": {"Ana Diaz"}})},
		{Name: "OneLogin's dotted names", Attributes: agents(map[string][]string{
			"User.roles": {"agent"}, "User.email": {"ana.diaz@example.com"}, "full_name": {"Ana Diaz"}})},
		{Name: "a namespaced role claim beside roles", Attributes: agents(map[string][]string{
			"roles": {"agent"}, "http://schemas.microsoft.com/ws/2008/06/identity/claims/role": {"admin"}, "email": {"ana.diaz@example.com"}, "full_name": {"Ana Diaz"}})},
		{Name: "the singular role only", Attributes: agents(map[string][]string{
			"role": {"agent"}, "email": {"ana.diaz@example.com"}, "full_name": {"Ana Diaz"}})},
	}
}
