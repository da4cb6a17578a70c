package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/cmd/flexroles/internal/outcome"
	"github.com/flexroles/flexroles/cmd/flexroles/internal/samlresp"
)

// samlUsage is the usage of the saml command, printed by saml -h.
const samlUsage = `usage:
  flexroles saml [--json] [--policy POLICY] [--idp-metadata FILE] [RESPONSE]

Explains a SAMLResponse as Flex reads it: the NameID, every attribute with
its values, which of them Flex maps (roles, email, full_name), which it
ignores and the exact rename that fixes a misnamed claim, what it stores on
the worker, the contact_uri, and the decision with its reasons.

RESPONSE is a file holding the SAMLResponse as copied from the browser's
developer tools or a SAML tracer: base64, URL-encoded or not, deflated or
not, or the XML itself; standard input when absent or "-".

  --idp-metadata   verify the signature against the signing certificates in
                   this IdP metadata file (or a PEM certificate); without it
                   the signature is not checked, and the output says so
  --policy         decide through this policy file
  --json           print one JSON object

Exit status: 0 the login is granted, 1 it is refused or the signature is
invalid, 2 bad usage or a response that cannot be read.
`

// samlAttributeOutput is the JSON form of one assertion attribute.
type samlAttributeOutput struct {
	Name   string   `json:"name"`
	Values []string `json:"values"` // never null
	// Flex says what Flex does with it: "roles", "email" or "full_name"
	// (mapped), "ignored" (a misnamed claim; Rename says the name to use),
	// or "worker" (stored on the worker as WorkerKey).
	Flex      string `json:"flex"`
	Rename    string `json:"rename,omitempty"`
	WorkerKey string `json:"worker_key,omitempty"`
}

// samlOutput is the JSON form of an explained SAMLResponse.
type samlOutput struct {
	Issuer       string                `json:"issuer"`
	Status       string                `json:"status"`
	Signature    string                `json:"signature"` // "valid" or "not_checked"
	NameID       string                `json:"name_id"`
	NameIDFormat string                `json:"name_id_format"`
	ContactURI   string                `json:"contact_uri"`
	Attributes   []samlAttributeOutput `json:"attributes"`
	Decision     any                   `json:"decision"` // as resolve --json prints it
}

// runSAML runs "flexroles saml" with the arguments after the command name
// and returns the exit status.
func runSAML(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var asJSON bool
	var policyPath, metadataPath string
	fs := flag.NewFlagSet("saml", flag.ContinueOnError)
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	fs.StringVar(&policyPath, "policy", "", "decide through this policy file")
	fs.StringVar(&metadataPath, "idp-metadata", "", "verify the signature against this IdP metadata file")
	if code, done := parseCommand(fs, args, samlUsage, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 1 {
		return usageError(stderr, "saml takes at most one RESPONSE file, got %d", fs.NArg())
	}
	var p *flexroles.Policy
	if policyPath != "" {
		var err error
		if p, err = flexroles.LoadPolicyFile(policyPath); err != nil {
			return policyUnusable(stderr, "saml", policyPath, err)
		}
	}
	in, name, closeInput, err := openInput(fs.Arg(0), stdin)
	if err != nil {
		fmt.Fprintf(stderr, "flexroles: saml: %v\n", err)
		return exitUsage
	}
	defer closeInput()
	raw, err := io.ReadAll(io.LimitReader(in, 2*samlresp.MaxSize+1))
	if err == nil {
		raw, err = samlresp.Decode(raw)
	}
	var resp *samlresp.Response
	if err == nil {
		resp, err = samlresp.Parse(raw)
	}
	if err != nil {
		fmt.Fprintf(stderr, "flexroles: saml: %s: %v\n", name, err)
		return exitUsage
	}

	signature := "not_checked"
	if metadataPath != "" {
		certs, err := loadIDPCertificates(metadataPath)
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: saml: --idp-metadata %v\n", err)
			return exitUsage
		}
		verified, err := verifySAML(raw, certs)
		if err != nil {
			fmt.Fprintf(stdout, "signature: INVALID: %v\nrefused: the response is not what the IdP signed; nothing in it can be trusted\n", err)
			return exitRefused
		}
		// Read the user only from what the signature covers; the issuer and
		// status of an unsigned Response around a signed Assertion are shown
		// as they are.
		signed, err := samlresp.Parse(verified)
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: saml: %s: the signed element: %v\n", name, err)
			return exitUsage
		}
		resp.NameID, resp.NameIDFormat, resp.Attributes = signed.NameID, signed.NameIDFormat, signed.Attributes
		signature = "valid"
	}

	login := flexroles.Login{Source: flexroles.SSO, Attributes: resp.Map(), Identity: resp.NameID}
	d, rerr := p.Resolve(login)
	out := samlOutput{
		Issuer: resp.Issuer, Status: resp.Status, Signature: signature,
		NameID: resp.NameID, NameIDFormat: resp.NameIDFormat,
		Attributes: make([]samlAttributeOutput, 0, len(resp.Attributes)),
	}
	if identity := contactIdentity(resp, login); identity != "" {
		out.ContactURI = flexroles.ContactURI(identity)
	}
	for _, a := range resp.Attributes {
		out.Attributes = append(out.Attributes, explainAttribute(a, p))
	}
	status := exitGranted
	if rerr != nil {
		status = exitRefused
	}
	if asJSON {
		if rerr != nil {
			out.Decision = outcome.RefusalOf(rerr)
		} else {
			out.Decision = outcome.DecisionOf(d)
		}
		if !writeIndentedJSON(stdout, stderr, out) {
			return exitRefused
		}
		return status
	}
	writeSAML(stdout, out, metadataPath)
	return report(stdout, stderr, false, d, rerr)
}

// contactIdentity returns the identity Flex derives contact_uri from: the
// NameID, or the email attribute when there is none.
func contactIdentity(resp *samlresp.Response, l flexroles.Login) string {
	if resp.NameID != "" {
		return resp.NameID
	}
	if v := l.Attributes["email"]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// explainAttribute says what Flex (and the policy, if any) does with one
// attribute.
func explainAttribute(a samlresp.Attribute, p *flexroles.Policy) samlAttributeOutput {
	out := samlAttributeOutput{Name: a.Name, Values: a.Values}
	for _, std := range []string{"roles", "email", "full_name"} {
		if a.Name == p.AttributeName(std) {
			out.Flex = std
			return out
		}
	}
	if std := flexroles.MisnamedAttribute(a.Name); std != "" {
		out.Flex, out.Rename = "ignored", p.AttributeName(std)
		return out
	}
	out.Flex, out.WorkerKey = "worker", workerKey(a.Name)
	return out
}

// workerKey returns the worker attribute a SAML attribute is stored under:
// a typed name ("skill.int") loses its suffix.
func workerKey(name string) string {
	if dot := strings.LastIndexByte(name, '.'); dot > 0 {
		switch name[dot+1:] {
		case "string", "int", "boolean", "stringarray", "intarray", "booleanarray":
			return name[:dot] + " (" + name[dot+1:] + ")"
		}
	}
	return name
}

// writeSAML prints the explanation for people, before the decision.
func writeSAML(w io.Writer, out samlOutput, metadataPath string) {
	var b strings.Builder
	b.WriteString("SAMLResponse from " + orNone(out.Issuer))
	if out.Status != "" {
		b.WriteString(" (status " + out.Status[strings.LastIndexByte(out.Status, ':')+1:] + ")")
	}
	b.WriteString("\n")
	if out.Signature == "valid" {
		b.WriteString("signature: valid, signed by a certificate in " + metadataPath + "\n")
	} else {
		b.WriteString("signature: NOT CHECKED (give --idp-metadata FILE to verify it); anyone can forge what follows\n")
	}
	b.WriteString("NameID: " + orNone(out.NameID))
	if out.NameIDFormat != "" {
		b.WriteString(" (" + out.NameIDFormat + ")")
	}
	b.WriteString("\ncontact_uri: " + orNone(out.ContactURI) + "\n\n")
	fmt.Fprintf(&b, "attributes (%d):\n", len(out.Attributes))
	for _, a := range out.Attributes {
		b.WriteString("  " + a.Name + " = ")
		if len(a.Values) == 0 {
			b.WriteString("(no value)")
		}
		for i, v := range a.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(v))
		}
		b.WriteString("\n      ")
		switch a.Flex {
		case "ignored":
			b.WriteString("Flex ignores it: Flex maps attribute names exactly; rename it to " + strconv.Quote(a.Rename))
		case "worker":
			b.WriteString("stored on the worker as " + a.WorkerKey)
		default:
			b.WriteString("Flex maps it as " + a.Flex)
			if a.Flex == "roles" && len(a.Values) == 1 && strings.Contains(a.Values[0], ",") {
				b.WriteString(" (one value: split on commas)")
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	fmt.Fprint(w, b.String())
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
