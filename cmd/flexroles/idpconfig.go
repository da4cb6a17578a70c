package main

import (
	"crypto/sha1" //nolint:gosec // G505: see roleGUID
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/flexroles/flexroles"
)

// idpConfigUsage is the usage of the idp-config command, printed by
// idp-config -h.
const idpConfigUsage = `usage:
  flexroles idp-config --idp okta|entra|google [--policy POLICY]

Prints what to configure in the identity provider so that its SAML
assertions carry what Flex (and the policy, if given) reads: the attribute
statements or claims with their exact names and no namespace, and for
Entra ID the app roles to create, one per role, as the JSON the app
manifest's "appRoles" takes, with stable ids derived from the role names.

Exit status: 0 printed, 2 bad usage or a policy that does not load.
`

// runIDPConfig runs "flexroles idp-config" with the arguments after the
// command name and returns the exit status.
func runIDPConfig(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var idp, policyPath string
	fs := flag.NewFlagSet("idp-config", flag.ContinueOnError)
	fs.StringVar(&idp, "idp", "", "okta, entra or google")
	fs.StringVar(&policyPath, "policy", "", "the policy file whose attributes and roles to configure")
	if code, done := parseCommand(fs, args, idpConfigUsage, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "idp-config: unexpected argument %q", fs.Arg(0))
	}
	var p *flexroles.Policy
	if policyPath != "" {
		var err error
		var name string
		if p, name, err = loadPolicyArg(policyPath, stdin); err != nil {
			return policyUnusable(stderr, "idp-config", name, err)
		}
	}
	var b strings.Builder
	switch strings.ToLower(idp) {
	case "okta":
		writeOkta(&b, p, policyPath != "")
	case "entra", "azure", "azuread":
		if err := writeEntra(&b, p, policyPath != ""); err != nil {
			fmt.Fprintf(stderr, "flexroles: idp-config: %v\n", err)
			return exitUsage
		}
	case "google":
		writeGoogle(&b, p, policyPath != "")
	case "":
		return usageError(stderr, "idp-config: --idp is required: okta, entra or google")
	default:
		return usageError(stderr, "idp-config: unknown --idp %q: want okta, entra or google", idp)
	}
	fmt.Fprint(stdout, b.String())
	return exitOK
}

// rolesList joins roles for a sentence.
func rolesList(roles []flexroles.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// attributeNote says, once, the rule every IdP breaks by default.
const attributeNote = "Attribute names are exact and case-sensitive, with no namespace: Flex maps\n" +
	"roles, email and full_name and nothing like them (error 45050 otherwise).\n"

func writeOkta(b *strings.Builder, p *flexroles.Policy, withPolicy bool) {
	b.WriteString("Okta: Applications > your Flex app > General > SAML Settings > Attribute Statements\n")
	b.WriteString(attributeNote + "\n")
	b.WriteString("Attribute Statements (Name format: Unspecified):\n")
	fmt.Fprintf(b, "  %-12s  %s\n", p.AttributeName(flexroles.RolesAttribute), `String.join(",", user.flexRoles)   (a profile attribute of type string array; Okta sends one comma-joined value, which Flex splits)`)
	fmt.Fprintf(b, "  %-12s  %s\n", p.AttributeName(flexroles.EmailAttribute), "user.email")
	fmt.Fprintf(b, "  %-12s  %s\n", p.AttributeName(flexroles.FullNameAttribute), `user.firstName + " " + user.lastName`)
	for _, a := range p.Attributes() {
		fmt.Fprintf(b, "  %-12s  the user profile attribute that holds it (the policy's conditions read it)\n", a)
	}
	if withPolicy {
		b.WriteString("\nGroup Attribute Statements:\n")
		fmt.Fprintf(b, "  %-12s  Matches regex: .*   (or Starts with a prefix your policy's groups share)\n", p.AttributeName(flexroles.GroupsAttribute))
	}
	fmt.Fprintf(b, "\nValues of %s: %s\n", p.AttributeName(flexroles.RolesAttribute), rolesList(p.Roles()))
}

func writeGoogle(b *strings.Builder, p *flexroles.Policy, withPolicy bool) {
	b.WriteString("Google Workspace: Admin console > Apps > Web and mobile apps > your Flex app > SAML attribute mapping\n")
	b.WriteString(attributeNote + "\n")
	b.WriteString("First add a custom attribute category Flex (Directory > Users > More options >\nManage custom attributes) with fields Roles (multi-value text) and Full name.\n\n")
	b.WriteString("Google Directory attribute  →  App attribute:\n")
	fmt.Fprintf(b, "  %-28s →  %s   (several values, one role each)\n", "Flex > Roles", p.AttributeName(flexroles.RolesAttribute))
	fmt.Fprintf(b, "  %-28s →  %s\n", "Basic Information > Primary email", p.AttributeName(flexroles.EmailAttribute))
	fmt.Fprintf(b, "  %-28s →  %s\n", "Flex > Full name", p.AttributeName(flexroles.FullNameAttribute))
	for _, a := range p.Attributes() {
		fmt.Fprintf(b, "  %-28s →  %s   (the policy's conditions read it)\n", "the field that holds it", a)
	}
	if withPolicy {
		fmt.Fprintf(b, "\nGroup membership: add the groups your policy names; App attribute: %s\n", p.AttributeName(flexroles.GroupsAttribute))
	}
	fmt.Fprintf(b, "\nValues of %s: %s\n", p.AttributeName(flexroles.RolesAttribute), rolesList(p.Roles()))
}

// entraAppRole is one entry of an Entra ID app manifest's appRoles.
type entraAppRole struct {
	AllowedMemberTypes []string `json:"allowedMemberTypes"`
	Description        string   `json:"description"`
	DisplayName        string   `json:"displayName"`
	ID                 string   `json:"id"`
	IsEnabled          bool     `json:"isEnabled"`
	Value              string   `json:"value"`
}

func writeEntra(b *strings.Builder, p *flexroles.Policy, withPolicy bool) error {
	b.WriteString("Entra ID: Enterprise applications > your Flex app > Single sign-on > Attributes & Claims\n")
	b.WriteString(attributeNote)
	b.WriteString("Entra's default claims are namespaced (…/claims/emailaddress, …/claims/role):\nFlex ignores them. Add these claims with an empty Namespace:\n\n")
	fmt.Fprintf(b, "  %-12s  user.assignedroles   (the app roles below; several values, one role each)\n", p.AttributeName(flexroles.RolesAttribute))
	fmt.Fprintf(b, "  %-12s  user.mail\n", p.AttributeName(flexroles.EmailAttribute))
	fmt.Fprintf(b, "  %-12s  user.displayname\n", p.AttributeName(flexroles.FullNameAttribute))
	for _, a := range p.Attributes() {
		fmt.Fprintf(b, "  %-12s  the user attribute that holds it (the policy's conditions read it)\n", a)
	}
	if withPolicy {
		fmt.Fprintf(b, "  %-12s  a group claim (Add a group claim > Groups assigned to the application; customise its name to %q, no namespace)\n", p.AttributeName(flexroles.GroupsAttribute), p.AttributeName(flexroles.GroupsAttribute))
	}
	b.WriteString("\nApp roles: App registrations > your Flex app > Manifest, \"appRoles\" (then assign users and groups to them):\n")
	roles := p.Roles()
	appRoles := make([]entraAppRole, 0, len(roles))
	for _, r := range roles {
		appRoles = append(appRoles, entraAppRole{
			AllowedMemberTypes: []string{"User"},
			Description:        "Twilio Flex role " + string(r),
			DisplayName:        string(r),
			ID:                 roleGUID(r),
			IsEnabled:          true,
			Value:              string(r),
		})
	}
	out, err := json.MarshalIndent(appRoles, "", "  ")
	if err != nil {
		return err
	}
	b.Write(out)
	b.WriteString("\n")
	return nil
}

// roleNamespace is the name-based UUID namespace of the app role ids, so a
// role has the same id in every tenant and every run.
var roleNamespace = [16]byte{0x6f, 0x1c, 0x2e, 0x0a, 0x5b, 0x3d, 0x4e, 0x8f, 0x9a, 0x7b, 0x1c, 0x2d, 0x3e, 0x4f, 0x50, 0x61}

// roleGUID returns the version 5 (SHA-1, name-based) UUID of r in
// roleNamespace.
func roleGUID(r flexroles.Role) string {
	h := sha1.New() //nolint:gosec // G401: UUID version 5 is defined with SHA-1 (RFC 9562); the id names a role, it protects nothing
	h.Write(roleNamespace[:])
	h.Write([]byte(r))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
