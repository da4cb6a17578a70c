package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/cmd/flexroles/internal/outcome"
	"github.com/flexroles/flexroles/sso/assertion"
)

// samlUsage is the usage of the saml command, printed by saml -h.
const samlUsage = `usage:
  flexroles saml [--json] [--policy POLICY] [--idp-metadata FILE]
                 [--flex-account AC... | --flex-connection JQ... | --audience ID --acs URL]
                 [--request-id ID] [--now TIME] [RESPONSE]

Verifies and explains a SAMLResponse as Flex reads it: the signature against
the IdP's metadata, every check a service provider makes (each passed,
failed or not run), what the signature covers and what lies outside it,
the NameID, every attribute with its values, which of them Flex maps
(roles, email, full_name), every Flex attribute missing with the rename
that fixes it, what Flex stores on the worker, the contact_uri, and the
decision with its reasons.

RESPONSE is a file holding the SAMLResponse as copied from the browser's
developer tools or a SAML tracer: base64, URL-encoded or not, a whole form
body (SAMLResponse=...&RelayState=...), deflated or not, or the XML itself;
standard input when absent or "-". --policy and --idp-metadata take "-" for
standard input too, when RESPONSE is a file: it can be read once.

  --idp-metadata     the IdP's SAML metadata (EntityDescriptor, or an
                     EntitiesDescriptor whose keys each serve their own
                     entity) or a PEM certificate; without it nothing is
                     verified, and the output says so
  --flex-account     Flex's legacy SSO for this account SID: expect its ACS
                     URL and audience
  --flex-connection  Flex's enhanced SSO for this connection id (JQ...):
                     expect its ACS URL and audience
  --audience         the service provider entity ID to expect (not Flex)
  --acs              the ACS URL to expect as Destination and Recipient
  --request-id       the AuthnRequest ID to expect as InResponseTo
  --now              check validity times at this RFC 3339 time, for an
                     old capture (default: now, with 3 minutes of skew)
  --policy           decide through this policy file
  --json             print one JSON object, whatever the outcome

A check with nothing to compare with is "not run". The verdict line counts
the checks that passed, failed and were not run; a failed check, an invalid
signature or a non-Success status is never granted.

Exit status: 0 the login is granted, 1 it is refused (the signature, a
check, the status or the decision), 2 bad usage or a response that cannot
be read.
`

// samlAttributeOutput is the JSON form of one assertion attribute.
type samlAttributeOutput struct {
	Name         string    `json:"name"`
	FriendlyName string    `json:"friendly_name,omitempty"`
	NameFormat   string    `json:"name_format,omitempty"`
	Values       []*string `json:"values"` // never null; a null value is xsi:nil
	// Flex says what Flex does with it: "roles", "email" or "full_name"
	// (mapped), "ignored" (a misnamed claim; Rename says the name to use),
	// or "worker" (stored on the worker as WorkerKey).
	Flex      string `json:"flex"`
	Rename    string `json:"rename,omitempty"`
	WorkerKey string `json:"worker_key,omitempty"`
}

// samlCheckOutput is the JSON form of one check.
type samlCheckOutput struct {
	Name    string `json:"name"`
	Outcome string `json:"outcome"` // "passed", "failed" or "not run"
	Want    string `json:"want,omitempty"`
	Got     string `json:"got,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// samlMissingOutput is a Flex attribute the assertion lacks.
type samlMissingOutput struct {
	Attribute  string   `json:"attribute"`  // the name Flex (or the policy) reads
	Candidates []string `json:"candidates"` // attributes to rename to it; never null
}

// samlResponseOutput is the Response element around the assertion.
type samlResponseOutput struct {
	Signed       bool     `json:"signed"`
	Issuer       string   `json:"issuer"`
	Destination  string   `json:"destination"`
	InResponseTo string   `json:"in_response_to"`
	Status       string   `json:"status"`
	SubStatus    []string `json:"sub_status"`
	Message      string   `json:"status_message"`
}

// samlVerdictOutput counts the checks and says whether the response is
// accepted.
type samlVerdictOutput struct {
	Accepted bool           `json:"accepted"`
	Passed   int            `json:"passed"`
	Failed   int            `json:"failed"`
	NotRun   int            `json:"not_run"`
	Error    *samlErrOutput `json:"error,omitempty"`
}

type samlErrOutput struct {
	Kind    string `json:"kind"`
	Check   string `json:"check,omitempty"`
	Message string `json:"message"`
}

// samlOutput is the JSON form of a verified and explained SAMLResponse.
type samlOutput struct {
	// Signature is "valid" (verified against the metadata), "invalid",
	// "not_checked" (no metadata) or "refused" (refused before any
	// signature check).
	Signature       string                `json:"signature"`
	SignedElements  []string              `json:"signed_elements"`
	Verdict         samlVerdictOutput     `json:"verdict"`
	Checks          []samlCheckOutput     `json:"checks"`
	Warnings        []string              `json:"warnings"`
	Issuer          string                `json:"issuer"` // of the Assertion
	AssertionSigned bool                  `json:"assertion_signed"`
	Status          string                `json:"status"`
	Response        *samlResponseOutput   `json:"response,omitempty"`
	NameID          string                `json:"name_id"`
	NameIDFormat    string                `json:"name_id_format"`
	ContactURI      string                `json:"contact_uri"`
	Attributes      []samlAttributeOutput `json:"attributes"`
	Missing         []samlMissingOutput   `json:"missing"`
	Decision        any                   `json:"decision"` // as resolve --json prints it; null when the response is refused
}

// samlFlags are the flags of the saml command.
type samlFlags struct {
	asJSON                                      bool
	policyPath, metadataPath                    string
	account, connection, audience, acs, request string
	now                                         string
}

// expectations returns what the flags say to expect of the response.
func (f samlFlags) expectations() (assertion.Expectations, error) {
	want := assertion.Expectations{AllowUnchecked: true}
	switch {
	case f.account != "" && f.connection != "":
		return want, errors.New("give --flex-account or --flex-connection, not both")
	case f.account != "" || f.connection != "":
		sp, err := assertion.NewFlexServiceProvider(f.account+f.connection, "")
		if err != nil {
			return want, err
		}
		if f.account != "" && sp.Enhanced || f.connection != "" && !sp.Enhanced {
			return want, fmt.Errorf("%q is not a %s", f.account+f.connection, map[bool]string{true: "connection id (JQ...)", false: "account SID (AC...)"}[f.connection != ""])
		}
		want.Audience, want.ACS = sp.Audience, sp.ACS
	}
	if f.audience != "" {
		want.Audience = f.audience
	}
	if f.acs != "" {
		want.ACS = f.acs
	}
	if f.request != "" {
		want.RequestIDs = []string{f.request}
	}
	if f.now != "" {
		t, err := time.Parse(time.RFC3339, f.now)
		if err != nil {
			return want, fmt.Errorf("--now %q is not an RFC 3339 time such as 2026-03-01T12:00:00Z", f.now)
		}
		want.Now = t
	}
	return want, nil
}

// runSAML runs "flexroles saml" with the arguments after the command name
// and returns the exit status.
func runSAML(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var f samlFlags
	fs := flag.NewFlagSet("saml", flag.ContinueOnError)
	fs.BoolVar(&f.asJSON, "json", false, "print one JSON object")
	fs.StringVar(&f.policyPath, "policy", "", "decide through this policy file")
	fs.StringVar(&f.metadataPath, "idp-metadata", "", "verify the response against this IdP metadata file")
	fs.StringVar(&f.account, "flex-account", "", "expect Flex's legacy SSO ACS URL and audience for this account SID")
	fs.StringVar(&f.connection, "flex-connection", "", "expect Flex's enhanced SSO ACS URL and audience for this connection id")
	fs.StringVar(&f.audience, "audience", "", "expect this service provider entity ID")
	fs.StringVar(&f.acs, "acs", "", "expect this ACS URL as Destination and Recipient")
	fs.StringVar(&f.request, "request-id", "", "expect this AuthnRequest ID as InResponseTo")
	fs.StringVar(&f.now, "now", "", "check validity times at this RFC 3339 time")
	if code, done := parseCommand(fs, args, samlUsage, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 1 {
		return usageError(stderr, "saml takes at most one RESPONSE file, got %d", fs.NArg())
	}
	want, err := f.expectations()
	if err != nil {
		return usageError(stderr, "saml: %v", err)
	}
	response := fs.Arg(0)
	if response == "" {
		response = stdinArg // no RESPONSE: standard input
	}
	if msg := oneStdin("saml", pathArg{"--policy", f.policyPath}, pathArg{"--idp-metadata", f.metadataPath}, pathArg{"RESPONSE", response}); msg != "" {
		return usageError(stderr, "%s", msg)
	}
	var p *flexroles.Policy
	if f.policyPath != "" {
		var name string
		if p, name, err = loadPolicyArg(f.policyPath, stdin); err != nil {
			return policyUnusable(stderr, "saml", name, err)
		}
	}
	var md *assertion.Metadata
	if f.metadataPath != "" {
		data, err := readArg(f.metadataPath, stdin, assertion.MaxMetadataSize)
		if err == nil {
			md, err = assertion.ParseMetadata(data)
		}
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: saml: --idp-metadata %s: %v\n", f.metadataPath, err)
			return exitUsage
		}
	}
	in, name, closeInput, err := openInput(response, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "flexroles: saml: %v\n", err)
		return exitUsage
	}
	defer closeInput()
	raw, err := io.ReadAll(io.LimitReader(in, 2*assertion.MaxSize+1))
	if err == nil {
		raw, err = assertion.Decode(raw)
	}
	if err != nil {
		return samlUnreadable(stdout, stderr, f.asJSON, name, err)
	}
	// Inspect, not Verify: the debugger shows every check of a refused
	// response too. Its Result makes a login only when verr is nil.
	res, verr := assertion.Inspect(raw, md, want)
	if res == nil {
		// Refused before anything was read: unreadable or a refused shape.
		if errors.Is(verr, assertion.ErrUnreadable) {
			return samlUnreadable(stdout, stderr, f.asJSON, name, verr)
		}
		return samlRefused(stdout, stderr, f.asJSON, verr)
	}
	return explainSAML(stdout, stderr, f, p, md != nil, res, verr)
}

// samlUnreadable reports input that is not a SAML response; exit 2.
func samlUnreadable(stdout, stderr io.Writer, asJSON bool, name string, err error) int {
	if asJSON {
		out := samlOutput{Signature: "refused", Verdict: samlVerdictOutput{Error: samlError(err)}}
		writeIndentedJSON(stdout, stderr, out.normalise())
	}
	fmt.Fprintf(stderr, "flexroles: saml: %s: %v\n", name, err)
	return exitUsage
}

// samlRefused reports a response refused before its signature was
// checked: nothing in it was read; exit 1.
func samlRefused(stdout, stderr io.Writer, asJSON bool, err error) int {
	if asJSON {
		out := samlOutput{Signature: "refused", Verdict: samlVerdictOutput{Error: samlError(err)}}
		writeIndentedJSON(stdout, stderr, out.normalise())
		return exitRefused
	}
	fmt.Fprintf(stdout, "refused before any signature check: %v\nnothing in the response was read; it is not what an IdP sends\n", err)
	return exitRefused
}

func samlError(err error) *samlErrOutput {
	if err == nil {
		return nil
	}
	out := &samlErrOutput{Kind: samlErrorKind(err), Message: err.Error()}
	var e *assertion.Error
	if errors.As(err, &e) {
		out.Check = string(e.Check)
	}
	return out
}

// samlErrorKind names the kind of a verification error.
func samlErrorKind(err error) string {
	for _, k := range []struct {
		err  error
		name string
	}{
		{assertion.ErrUnreadable, "unreadable"}, {assertion.ErrRefused, "refused"},
		{assertion.ErrSignature, "signature"}, {assertion.ErrEncrypted, "encrypted"},
		{assertion.ErrStatus, "status"}, {assertion.ErrCheck, "check"},
	} {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "error"
}

// explainSAML prints a verified (or unverifiable) response and decides it.
func explainSAML(stdout, stderr io.Writer, f samlFlags, p *flexroles.Policy, verifying bool, res *assertion.Result, verr error) int {
	a := res.Assertion
	out := samlOutput{
		Signature:       "not_checked",
		SignedElements:  append([]string{}, res.Signature.Elements...),
		Warnings:        append([]string{}, res.Warnings...),
		Issuer:          a.Issuer,
		AssertionSigned: a.Signed,
		Status:          res.Response.Status.Code,
		NameID:          a.NameID.Value, NameIDFormat: a.NameID.Format,
	}
	switch {
	case res.Signature.Verified:
		out.Signature = "valid"
	case verifying:
		out.Signature = "invalid"
	}
	passed, failed, notRun := res.Counts()
	out.Verdict = samlVerdictOutput{Accepted: verr == nil, Passed: passed, Failed: failed, NotRun: notRun}
	// Without metadata the only refusal is the unverified signature, which
	// the output says; the claims are then explained as they stand.
	refused := verr != nil && (verifying || !errors.Is(verr, assertion.ErrSignature))
	if refused {
		out.Verdict.Error = samlError(verr)
	}
	for _, c := range res.Checks {
		out.Checks = append(out.Checks, samlCheckOutput{Name: string(c.Name), Outcome: c.Outcome.String(), Want: c.Want, Got: c.Got, Detail: c.Detail + samlFlagHint(c)})
	}
	r := res.Response
	out.Response = &samlResponseOutput{
		Signed: r.Signed, Issuer: r.Issuer, Destination: r.Destination, InResponseTo: r.InResponseTo,
		Status: r.Status.Code, SubStatus: append([]string{}, r.Status.SubCodes...), Message: r.Status.Message,
	}
	for _, at := range a.Attributes {
		out.Attributes = append(out.Attributes, explainAttribute(at, p))
	}
	for _, m := range a.MissingFlexAttributes(p) {
		mo := samlMissingOutput{Attribute: m.Name, Candidates: []string{}}
		for _, c := range m.Candidates {
			mo.Candidates = append(mo.Candidates, c.Name)
		}
		out.Missing = append(out.Missing, mo)
	}
	login := flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{}, Identity: a.NameID.Value}
	if !verifying || verr == nil {
		// Without metadata, the claims as they stand, labelled unsigned;
		// verified, the signed claims (the debugger allows unchecked
		// expectations, so Result.Login makes no login of them).
		login = res.UnverifiedLogin()
	}
	if identity := p.ReadAsFlex(login).Identity; identity != "" {
		out.ContactURI = flexroles.ContactURI(identity)
	}
	var d flexroles.Decision
	var rerr error
	status := exitRefused
	if !refused {
		d, rerr = p.Resolve(login)
		if rerr == nil {
			status = exitGranted
		}
		if rerr != nil {
			out.Decision = outcome.RefusalOf(rerr)
		} else {
			out.Decision = outcome.DecisionOf(d)
		}
	}
	if f.asJSON {
		if !writeIndentedJSON(stdout, stderr, out.normalise()) {
			return exitRefused
		}
		return status
	}
	writeSAML(stdout, out, f.metadataPath, res)
	if refused {
		return status
	}
	return report(stdout, stderr, false, d, rerr)
}

// samlFlagHint returns what to add to a check's detail to name the flag
// that gives it something to compare with: the library speaks of
// expectations, the command of its flags.
func samlFlagHint(c assertion.Check) string {
	switch {
	case c.Outcome == assertion.NotRun && c.Name == assertion.CheckAudience:
		return ": give --flex-account, --flex-connection or --audience"
	case c.Outcome == assertion.NotRun && (c.Name == assertion.CheckDestination || c.Name == assertion.CheckRecipient):
		return ": give --flex-account, --flex-connection or --acs"
	case c.Outcome == assertion.NotRun && c.Name == assertion.CheckInResponseTo:
		return ": give --request-id"
	case c.Outcome == assertion.Failed && c.Name == assertion.CheckValidity:
		return "; give --now for an old capture"
	}
	return ""
}

// normalise makes the slices of out empty rather than null.
func (o samlOutput) normalise() samlOutput {
	if o.SignedElements == nil {
		o.SignedElements = []string{}
	}
	if o.Checks == nil {
		o.Checks = []samlCheckOutput{}
	}
	if o.Warnings == nil {
		o.Warnings = []string{}
	}
	if o.Attributes == nil {
		o.Attributes = []samlAttributeOutput{}
	}
	if o.Missing == nil {
		o.Missing = []samlMissingOutput{}
	}
	return o
}

// explainAttribute says what Flex (and the policy, if any) does with one
// attribute.
func explainAttribute(a assertion.Attribute, p *flexroles.Policy) samlAttributeOutput {
	out := samlAttributeOutput{Name: a.Name, FriendlyName: a.FriendlyName, NameFormat: a.NameFormat, Values: make([]*string, 0, len(a.Values))}
	for _, v := range a.Values {
		if v.Nil {
			out.Values = append(out.Values, nil)
			continue
		}
		s := v.String()
		out.Values = append(out.Values, &s)
	}
	for _, std := range []flexroles.FlexAttribute{flexroles.RolesAttribute, flexroles.EmailAttribute, flexroles.FullNameAttribute} {
		if a.Name == p.AttributeName(std) {
			out.Flex = string(std)
			return out
		}
	}
	if std := assertion.FlexClaim(a); std != "" {
		out.Flex, out.Rename = "ignored", p.AttributeName(std)
		return out
	}
	out.Flex, out.WorkerKey = "worker", workerKey(a.Name)
	return out
}

// workerKey returns the worker attribute a SAML attribute is stored under:
// a typed name ("skill.int") loses its suffix.
func workerKey(name string) string {
	if key, typ := flexroles.WorkerKey(name); typ != "" {
		return key + " (" + typ + ")"
	}
	return name
}

// writeSAML prints the verification and the explanation for people,
// before the decision.
func writeSAML(w io.Writer, out samlOutput, metadataPath string, res *assertion.Result) {
	var b strings.Builder
	b.WriteString("SAMLResponse from " + orNone(out.Issuer))
	if out.Status != "" {
		b.WriteString(" (status " + out.Status[strings.LastIndexByte(out.Status, ':')+1:] + ")")
	}
	b.WriteString("\n")
	switch out.Signature {
	case "valid":
		fmt.Fprintf(&b, "signature: valid: the %s signed with a key %s gives to %s\n", strings.Join(out.SignedElements, " and "), metadataPath, quotedEntity(res.Signature.Entity))
	case "invalid":
		b.WriteString("signature: INVALID: " + res.Check(assertion.CheckSignature).Detail + "\n")
		b.WriteString("  nothing below is signed: it is what the response claims\n")
	default:
		b.WriteString("signature: NOT CHECKED (give --idp-metadata FILE to verify it); anyone can forge what follows\n")
	}
	for _, warn := range out.Warnings {
		b.WriteString("warning: " + warn + "\n")
	}
	b.WriteString("\nchecks:\n")
	for _, c := range out.Checks {
		fmt.Fprintf(&b, "  %-8s %-15s", c.Outcome, c.Name)
		switch {
		case c.Want != "" || c.Got != "":
			fmt.Fprintf(&b, " want %s, got %s", orNone(c.Want), orNone(c.Got))
		}
		if c.Detail != "" {
			if c.Want != "" || c.Got != "" {
				b.WriteString(":")
			}
			b.WriteString(" " + c.Detail)
		}
		b.WriteString("\n")
	}
	r := out.Response
	label := "unsigned (outside the signed Assertion)"
	if r.Signed {
		label = "signed"
	} else if !out.AssertionSigned {
		label = "unsigned"
	}
	fmt.Fprintf(&b, "\nResponse, %s: issuer %s, destination %s, InResponseTo %s, status %s\n",
		label, orNone(r.Issuer), orNone(r.Destination), orNone(r.InResponseTo), statusLine(r))
	label = "unsigned"
	if out.AssertionSigned {
		label = "signed"
	}
	fmt.Fprintf(&b, "Assertion, %s:\n", label)
	b.WriteString("NameID: " + orNone(out.NameID))
	if out.NameIDFormat != "" {
		b.WriteString(" (" + out.NameIDFormat + ")")
	}
	if res.Assertion.NameIDEncrypted {
		b.WriteString(" (encrypted: EncryptedID)")
	}
	b.WriteString("\ncontact_uri: " + orNone(out.ContactURI) + "\n\n")
	fmt.Fprintf(&b, "attributes (%d):\n", len(out.Attributes))
	for _, a := range out.Attributes {
		b.WriteString("  " + a.Name)
		if a.FriendlyName != "" {
			b.WriteString(" (FriendlyName " + strconv.Quote(a.FriendlyName) + ")")
		}
		b.WriteString(" = ")
		if len(a.Values) == 0 {
			b.WriteString("(no value)")
		}
		for i, v := range a.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			if v == nil {
				b.WriteString("(nil)")
			} else {
				b.WriteString(strconv.Quote(*v))
			}
		}
		b.WriteString("\n      ")
		switch a.Flex {
		case "ignored":
			b.WriteString("Flex ignores it: Flex maps attribute names exactly; rename it to " + strconv.Quote(a.Rename))
		case "worker":
			b.WriteString("stored on the worker as " + a.WorkerKey)
		default:
			b.WriteString("Flex maps it as " + a.Flex)
			if a.Flex == "roles" && len(a.Values) == 1 && a.Values[0] != nil && strings.Contains(*a.Values[0], ",") {
				b.WriteString(" (one value: split on commas)")
			}
		}
		b.WriteString("\n")
	}
	if n := res.Assertion.EncryptedAttributes; n > 0 {
		fmt.Fprintf(&b, "  (%d encrypted attributes: EncryptedAttribute)\n", n)
	}
	if len(out.Missing) > 0 {
		b.WriteString("\nmissing Flex attributes:\n")
		for _, m := range out.Missing {
			b.WriteString("  " + m.Attribute + ": ")
			if len(m.Candidates) == 0 {
				b.WriteString("no attribute looks meant for it; add one named " + strconv.Quote(m.Attribute))
			} else {
				b.WriteString("rename " + quotedList(m.Candidates) + " to " + strconv.Quote(m.Attribute))
			}
			b.WriteString("\n")
		}
	}
	v := out.Verdict
	fmt.Fprintf(&b, "\nverdict: %s: %d checks passed, %d failed, %d not run", verdictWord(out), v.Passed, v.Failed, v.NotRun)
	if v.Error != nil {
		b.WriteString("\n  " + v.Error.Message)
	}
	b.WriteString("\n\n")
	fmt.Fprint(w, b.String())
}

func verdictWord(out samlOutput) string {
	switch {
	case out.Verdict.Error != nil:
		return "REFUSED"
	case out.Signature == "not_checked":
		return "NOT VERIFIED"
	}
	return "verified"
}

func statusLine(r *samlResponseOutput) string {
	if r.Status == "" {
		return "(none)"
	}
	s := r.Status[strings.LastIndexByte(r.Status, ':')+1:]
	for _, c := range r.SubStatus {
		s += "/" + c[strings.LastIndexByte(c, ':')+1:]
	}
	if r.Message != "" {
		s += " (" + strconv.Quote(r.Message) + ")"
	}
	return s
}

func quotedEntity(id string) string {
	if id == "" {
		return "its certificate"
	}
	return strconv.Quote(id)
}

func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, " or ")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
