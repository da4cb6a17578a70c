package assertion_test

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/internal/oddlogins"
	"github.com/flexroles/flexroles/sso/assertion"
)

func TestDecode(t *testing.T) {
	xml := []byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`)
	b64 := "PHNhbWxwOlJlc3BvbnNlIHhtbG5zOnNhbWxwPSJ1cm46b2FzaXM6bmFtZXM6dGM6U0FNTDoyLjA6cHJvdG9jb2wiLz4="
	deflate := func(b []byte) string {
		var out bytes.Buffer
		w, _ := flate.NewWriter(&out, flate.BestCompression)
		_, _ = w.Write(b)
		_ = w.Close()
		return base64.StdEncoding.EncodeToString(out.Bytes())
	}
	// A deflate bomb: a small input that inflates past MaxSize.
	bomb := deflate(append([]byte("<"), bytes.Repeat([]byte("a"), 4*assertion.MaxSize)...))
	if len(bomb) > assertion.MaxSize/16 {
		t.Fatalf("the bomb is %d bytes, not small", len(bomb))
	}
	for _, tc := range []struct {
		name, in string
		wantErr  error
	}{
		{"XML", string(xml), nil},
		{"base64", b64, nil},
		{"base64 wrapped, unpadded", b64[:40] + "\n" + strings.TrimRight(b64[40:], "="), nil},
		{"URL-encoded", strings.ReplaceAll(b64, "=", "%3D"), nil},
		{"form body with RelayState", "SAMLResponse=" + strings.ReplaceAll(b64, "=", "%3D") + "&RelayState=https%3A%2F%2Fflex.twilio.com%2F", nil},
		{"form body, RelayState first", "RelayState=abc&SAMLResponse=" + b64, nil},
		{"URL alphabet", base64.RawURLEncoding.EncodeToString(xml), nil},
		{"deflated", deflate(xml), nil},
		{"deflate bomb", bomb, assertion.ErrUnreadable},
		{"empty", "  ", assertion.ErrUnreadable},
		{"not base64", "SAMLResponse=@@@", assertion.ErrUnreadable},
		{"cut short", b64[:41], assertion.ErrUnreadable},
		{"over the limit", strings.Repeat("A", 2*assertion.MaxSize+1), assertion.ErrUnreadable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := assertion.Decode([]byte(tc.in))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr == nil && string(got) != string(xml) {
				t.Errorf("got %q", got)
			}
		})
	}
}

func TestNewFlexServiceProvider(t *testing.T) {
	const (
		account    = "AC0123456789abcdef0123456789abcdef"
		connection = "JQ0123456789abcdef0123456789abcdef"
		legacyACS  = "https://iam.twilio.com/v1/Accounts/" + account + "/saml2"
	)
	for _, tc := range []struct {
		id, region    string
		enhanced      bool
		acs, audience string
		wantErr       error
		reason        string
	}{
		{account, "", false, legacyACS, legacyACS + "/metadata", nil, "legacy SSO: the account's ACS at iam.twilio.com"},
		{account, "us1", false, legacyACS, legacyACS + "/metadata", nil, "us1 is the default region"},
		{account, "ie1", false, "", "", assertion.ErrServiceProvider, "legacy SSO has one ACS: another region is a mistake"},
		{connection, "", true, "https://login.flex.us1.twilio.com/login/callback?connection=" + connection, "urn:flex:" + connection, nil, "enhanced SSO in the default region"},
		{connection, "ie1", true, "https://login.flex.ie1.twilio.com/login/callback?connection=" + connection, "urn:flex:" + connection, nil, "enhanced SSO's ACS is in the region"},
		{connection, "Europe", false, "", "", assertion.ErrServiceProvider, "not a region's name"},
		{connection, "ie1.evil.example/x?", false, "", "", assertion.ErrServiceProvider, "a region cannot move the ACS to another host"},
		{"", "", false, "", "", assertion.ErrServiceProvider, "no id"},
		{"AC123", "", false, "", "", assertion.ErrServiceProvider, "too short"},
		{"US0123456789abcdef0123456789abcdef", "", false, "", "", assertion.ErrServiceProvider, "neither AC nor JQ"},
		{"AC0123456789abcdef0123456789abcdeg", "", false, "", "", assertion.ErrServiceProvider, "not hexadecimal"},
		{connection + "0", "", false, "", "", assertion.ErrServiceProvider, "too long"},
	} {
		sp, err := assertion.NewFlexServiceProvider(tc.id, tc.region)
		if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
			t.Errorf("%q in %q (%s): err = %v, want %v", tc.id, tc.region, tc.reason, err, tc.wantErr)
			continue
		}
		if sp.Enhanced != tc.enhanced || sp.ACS != tc.acs || sp.Audience != tc.audience {
			t.Errorf("%q in %q (%s): %+v", tc.id, tc.region, tc.reason, sp)
		}
	}
}

// Values are read as other SAML libraries read them: xsi:nil is a null
// value, not an empty string; a nested NameID is its NameQualifier and
// text (ruby-saml); nested status codes and the message are kept;
// encrypted NameIDs and attributes are named.
func TestVerifyReadsValuesAsOtherLibraries(t *testing.T) {
	f := goodFixture(t)
	f.attrs = append(f.attrs,
		saml.Attribute{Name: "urn:oid:1.3.6.1.4.1.5923.1.1.1.10", FriendlyName: "eduPersonTargetedID", Values: []saml.AttributeValue{
			{NameID: &saml.NameID{NameQualifier: "https://idp.example.com", Value: "abc="}},
		}},
		saml.Attribute{Name: "manager", Values: []saml.AttributeValue{{Nil: true}, {Value: ""}}},
	)
	f.signResponse = false
	doc := f.build(t)
	res, err := assertion.Verify(bytesOf(t, doc), testMetadata(t, testIDP, f.signer), testExpectations())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	var nilSeen bool
	for _, a := range res.Assertion.Attributes {
		got[a.Name] = a.Strings()
		for _, v := range a.Values {
			nilSeen = nilSeen || v.Nil
		}
	}
	if !reflect.DeepEqual(got["urn:oid:1.3.6.1.4.1.5923.1.1.1.10"], []string{"https://idp.example.com/abc="}) || !reflect.DeepEqual(got["manager"], []string{""}) || !nilSeen {
		t.Errorf("attributes %q (nil seen %v)", got, nilSeen)
	}
}

// TestVerifyReadsAuthnStatements: each AuthnStatement's instant, session
// end and context class come back signed, in document order; a statement
// without a class reference or a session end gives empty values.
func TestVerifyReadsAuthnStatements(t *testing.T) {
	f := goodFixture(t)
	authnAt, sessionEnd := f.issued.Add(-20*time.Minute), f.issued.Add(8*time.Hour)
	mfa := "urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor"
	f.authn = []saml.AuthnStatement{
		{AuthnInstant: authnAt, SessionIndex: "_s-1", SessionNotOnOrAfter: &sessionEnd,
			AuthnContext: saml.AuthnContext{AuthnContextClassRef: &saml.AuthnContextClassRef{Value: mfa}}},
		{AuthnInstant: f.issued, SessionIndex: "_s-2"},
	}
	res, err := assertion.Verify(bytesOf(t, f.build(t)), testMetadata(t, testIDP, f.signer), testExpectations())
	if err != nil {
		t.Fatal(err)
	}
	want := []assertion.AuthnStatement{
		{AuthnInstant: authnAt, SessionIndex: "_s-1", SessionNotOnOrAfter: sessionEnd, ClassRef: mfa},
		{AuthnInstant: f.issued, SessionIndex: "_s-2"},
	}
	got := res.Assertion.AuthnStatements
	if len(got) != len(want) {
		t.Fatalf("%d statements, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].AuthnInstant.Equal(want[i].AuthnInstant) || !got[i].SessionNotOnOrAfter.Equal(want[i].SessionNotOnOrAfter) ||
			got[i].SessionIndex != want[i].SessionIndex || got[i].ClassRef != want[i].ClassRef {
			t.Errorf("statement %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestVerifyNamesEncryptedParts(t *testing.T) {
	f := goodFixture(t)
	f.signResponse = false
	a := f.assertionElement()
	subject := a.SelectElement("saml:Subject")
	subject.RemoveChild(subject.SelectElement("saml:NameID"))
	subject.InsertChildAt(0, etree.NewElement("saml:EncryptedID"))
	st := a.SelectElement("saml:AttributeStatement")
	st.AddChild(etree.NewElement("saml:EncryptedAttribute"))
	a = reparse(t, sign(t, f.signer, reparse(t, a), ""))
	doc := etree.NewDocument()
	doc.SetRoot(reparse(t, f.responseElement(a)))
	res, err := assertion.Verify(bytesOf(t, doc), testMetadata(t, testIDP, f.signer), testExpectations())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Assertion.NameIDEncrypted || res.Assertion.EncryptedAttributes != 1 || len(res.Warnings) != 2 {
		t.Errorf("NameIDEncrypted %v, EncryptedAttributes %d, warnings %q", res.Assertion.NameIDEncrypted, res.Assertion.EncryptedAttributes, res.Warnings)
	}
}

func TestVerifyReportsStatus(t *testing.T) {
	f := goodFixture(t)
	r := f.responseElement(nil)
	st := r.FindElement(".//StatusCode")
	st.CreateAttr("Value", saml.StatusResponder)
	st.CreateElement("samlp:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed")
	r.SelectElement("samlp:Status").CreateElement("samlp:StatusMessage").SetText("no such user")
	doc := etree.NewDocument()
	doc.SetRoot(reparse(t, sign(t, f.signer, reparse(t, r), "")))
	res, err := assertion.Inspect(bytesOf(t, doc), testMetadata(t, testIDP, f.signer), testExpectations())
	if !errors.Is(err, assertion.ErrStatus) {
		t.Fatalf("err = %v, want ErrStatus", err)
	}
	s := res.Response.Status
	if s.Code != saml.StatusResponder || len(s.SubCodes) != 1 || s.Message != "no such user" || !strings.Contains(err.Error(), "Responder/AuthnFailed") {
		t.Errorf("status %+v, err %v", s, err)
	}
	// The StatusMessage is the IdP's free text: kept in the inspected Result, kept
	// out of the error that callers log and show.
	if strings.Contains(err.Error(), "no such user") {
		t.Errorf("the error holds the StatusMessage: %v", err)
	}
}

func TestMissingFlexAttributes(t *testing.T) {
	a := assertion.Assertion{Attributes: []assertion.Attribute{
		{Name: "urn:oid:0.9.2342.19200300.100.1.3", FriendlyName: "mail", Values: []assertion.Value{{Text: "ada@example.com"}}},
		{Name: "urn:oid:2.16.840.1.113730.3.1.241", Values: []assertion.Value{{Text: "Ada"}}},
		{Name: "urn:x:1", FriendlyName: "Roles", Values: []assertion.Value{{Text: "agent"}}},
		{Name: "User.email", Values: []assertion.Value{{Text: "ada@example.com"}}},
	}}
	missing := a.MissingFlexAttributes(nil)
	var got []string
	for _, m := range missing {
		var names []string
		for _, c := range m.Candidates {
			names = append(names, c.Name)
		}
		got = append(got, m.Name+"<-"+strings.Join(names, ","))
	}
	want := []string{"roles<-urn:x:1", "email<-urn:oid:0.9.2342.19200300.100.1.3,User.email", "full_name<-urn:oid:2.16.840.1.113730.3.1.241"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("missing %q, want %q", got, want)
	}
	a.Attributes = append(a.Attributes, assertion.Attribute{Name: "email", Values: []assertion.Value{{Text: " "}, {Text: "ada@example.com"}}})
	if m := a.MissingFlexAttributes(nil); len(m) != 2 {
		t.Errorf("with email present after a blank value: %d missing, want 2", len(m))
	}
	// A roles attribute of only commas has no item: Flex refuses it with
	// 45050, so it is missing (and empty), as the core reads it.
	a.Attributes = append(a.Attributes, assertion.Attribute{Name: "roles", Values: []assertion.Value{{Text: ","}}})
	m := a.MissingFlexAttributes(nil)
	if len(m) != 2 || m[0].Flex != flexroles.RolesAttribute || !m[0].Empty || m[1].Empty {
		t.Errorf("with roles [\",\"]: %+v, want roles missing and empty, then full_name absent", m)
	}
	// A policy reads its own names.
	p, err := flexroles.LoadPolicy(strings.NewReader("version: 1\nsso:\n  attributes: {full_name: urn:oid:2.16.840.1.113730.3.1.241}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m := a.MissingFlexAttributes(p); len(m) != 1 || m[0].Flex != flexroles.RolesAttribute {
		t.Errorf("under a policy reading the displayName OID: %+v, want roles alone", m)
	}
}

// Login keeps every attribute under the name the IdP sent, values of a
// name sent twice in document order: mapping names is a policy's job.
func TestLoginKeepsIdPNames(t *testing.T) {
	f := goodFixture(t)
	const role = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"
	f.attrs = []saml.Attribute{attr(role, "agent"), attr("email", "ada@example.com"), attr(role, "supervisor")}
	res, err := assertion.Verify(bytesOf(t, f.build(t)), testMetadata(t, testIDP, f.signer), testExpectations())
	if err != nil {
		t.Fatal(err)
	}
	l, err := res.Login()
	if err != nil || !reflect.DeepEqual(l.Attributes, map[string][]string{role: {"agent", "supervisor"}, "email": {"ada@example.com"}}) {
		t.Errorf("Login = %+v, %v", l, err)
	}
}

// TestOddLoginsMissing: for every odd login of the project
// (internal/oddlogins), MissingFlexAttributes lists what
// flexroles.ReadAsFlex finds missing, with the same candidates.
func TestOddLoginsMissing(t *testing.T) {
	for _, ol := range oddlogins.All() {
		var a assertion.Assertion
		names := make([]string, 0, len(ol.Attributes))
		for name := range ol.Attributes {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			at := assertion.Attribute{Name: name}
			for _, v := range ol.Attributes[name] {
				at.Values = append(at.Values, assertion.Value{Text: v})
			}
			a.Attributes = append(a.Attributes, at)
		}
		read := flexroles.ReadAsFlex(flexroles.Login{Source: flexroles.SSO, Attributes: ol.Attributes})
		got := a.MissingFlexAttributes(nil)
		if len(got) != len(read.Missing) {
			t.Errorf("%s: %d missing, the core reads %d", ol.Name, len(got), len(read.Missing))
			continue
		}
		for i, m := range got {
			want := read.Missing[i]
			var cands []string
			for _, c := range m.Candidates {
				cands = append(cands, c.Name)
			}
			if m.Flex != want.Attribute || m.Name != want.Name || m.Empty != want.Empty || !slices.Equal(cands, want.Candidates) {
				t.Errorf("%s: %+v (candidates %q), the core reads %+v", ol.Name, m, cands, want)
			}
		}
		for _, at := range a.Attributes {
			if got, want := assertion.FlexClaim(at), flexroles.MisnamedAttribute(at.Name); got != want {
				t.Errorf("%s: FlexClaim(%q) = %q, the core says %q", ol.Name, at.Name, got, want)
			}
		}
	}
}
