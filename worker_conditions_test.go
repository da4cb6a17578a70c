package flexroles_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// TestEscapeIdentityEveryByte escapes each of the 256 bytes alone and between
// letters: ASCII letters and digits stay, every other byte becomes "_" and
// its two uppercase hex digits (the edges '0', '9', 'A', 'Z', 'a', 'z' and
// their neighbours included).
func TestEscapeIdentityEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		want := fmt.Sprintf("_%02X", c)
		if 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' {
			want = string(rune(b))
		}
		assert.Equal(t, want, flexroles.EscapeIdentity(string([]byte{b})), "byte %#x", c)
		assert.Equal(t, "x"+want+"y", flexroles.EscapeIdentity(string([]byte{'x', b, 'y'})), "byte %#x", c)
	}
}

// workerRuleIDs returns the Rule ids CheckWorker reports for attributes.
func workerRuleIDs(t *testing.T, attributes string) []string {
	t.Helper()
	reasons, err := flexroles.CheckWorker([]byte(attributes))
	require.NoError(t, err, attributes)
	var rules []string
	for _, r := range reasons {
		rules = append(rules, r.Rule)
	}
	return rules
}

// TestCheckWorkerContactURI pins the contact_uri findings at their edges: an
// escape cut short at the end, hex digits just outside 0-9 and A-F, and an
// email whose escape the contact_uri ends too early or too late for.
func TestCheckWorkerContactURI(t *testing.T) {
	const unescaped, mismatch = "worker.contact_uri.unescaped", "worker.contact_uri.mismatch"
	tests := []struct {
		name, contact, email string
		want                 []string
	}{
		{"escaped, no email", "client:ab_2E", "", nil},
		{"an escape at the very start", "client:_40b", "", nil},
		{"every hex digit edge", "client:_09_AF_90_FA", "", nil},
		{"an escape missing its last digit", "client:ab_2", "", []string{unescaped}},
		{"an escape missing both digits", "client:ab_", "", []string{unescaped}},
		{"a lower-case hex digit", "client:ab_2e", "", []string{unescaped}},
		{"a hex digit past F", "client:ab_2G", "", []string{unescaped}},
		{"a hex digit past 9", "client:ab_:0", "", []string{unescaped}},
		{"a hex digit before 0", "client:ab_/0", "", []string{unescaped}},
		{"a hex digit before A", "client:ab_@0", "", []string{unescaped}},
		{"a byte Flex escapes", "client:a.b", "", []string{unescaped}},
		{"nothing after the scheme", "client:", "", []string{unescaped}},
		{"not a client: URI", "sip:a.b@example.com", "a.b@example.com", nil},

		{"the email's escape", "client:a_2Eb_40c", "a.b@c", nil},
		{"the email's escape ending in an escape", "client:ab_2E", "ab.", nil},
		{"the email's escape, email padded", "client:a_2Eb_40c", "  a.b@c ", nil},
		{"one letter more than the email's escape", "client:a_2Eb_40cd", "a.b@c", []string{mismatch}},
		{"one letter less than the email's escape", "client:a_2Eb_40", "a.b@c", []string{mismatch}},
		{"an escape less than the email's", "client:ab", "ab.", []string{mismatch}},
		{"a letter where the email has an escape", "client:abc", "ab.", []string{mismatch}},
		{"an escape where the email has a letter", "client:a_2E", "ab", []string{mismatch}},
		{"another escape", "client:a_2D", "a.", []string{mismatch}},
		{"another first hex digit", "client:a_3E", "a.", []string{mismatch}},
		{"another letter", "client:ab", "ac", []string{mismatch}},
		{"a blank email is not compared", "client:ab", "  ", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			attrs := `{"roles":["admin","wfo.full_access"],"contact_uri":` + quoteJSON(tc.contact)
			if tc.email != "" {
				attrs += `,"email":` + quoteJSON(tc.email)
			}
			attrs += "}"
			assert.Equal(t, tc.want, workerRuleIDs(t, attrs))
		})
	}
}

func quoteJSON(s string) string { return fmt.Sprintf("%q", s) }

// TestCheckWorkerRoleFindings gives each role finding a worker that just
// meets its condition and one that just misses it.
func TestCheckWorkerRoleFindings(t *testing.T) {
	tests := []struct {
		roles string
		want  []string
	}{
		{`["admin","wfo.full_access"]`, nil},
		{`["flex.readteams","flex.readonlyadmin"]`, nil},
		{`["flex.readteams"]`, []string{"worker.readonly.mixed"}},
		{`["flex.readonlyadmin"]`, []string{"worker.readonly.mixed"}},
		{`["agent","flex.readteams","flex.readonlyadmin"]`, []string{"worker.readonly.mixed"}},
		{`["flex.readteams","flex.readonlyadmin","wfo.dashboard_viewer"]`, []string{"worker.console.sso_only_role"}},
		{`["agent","wfo.dashboard_viewer"]`, []string{"worker.insights.agent_wfo"}},
		{`["supervisor"]`, []string{"worker.insights.no_wfo"}},
		{`["agent"]`, nil},
		{`["wfo.team_leader"]`, []string{"worker.roles.no_flex_role", "worker.insights.agent_wfo"}},
		{`[]`, []string{"worker.roles.no_flex_role"}},
		{`["agent","agent"]`, []string{"worker.roles.duplicate"}},
		{`["agent","Agent"]`, []string{"worker.roles.unknown"}},
		{`["agent",1]`, []string{"worker.roles.not_array"}},
		{`"agent"`, []string{"worker.roles.not_array"}},
	}
	for _, tc := range tests {
		t.Run(tc.roles, func(t *testing.T) {
			assert.Equal(t, tc.want, workerRuleIDs(t, `{"roles":`+tc.roles+`}`))
		})
	}
	assert.Equal(t, []string{"worker.roles.missing"}, workerRuleIDs(t, `{"skills":[]}`))
	assert.Equal(t, []string{"worker.roles.missing", "worker.roles.singular"}, workerRuleIDs(t, `{"role":"agent"}`))
}

// TestWorkerAttributesSizeLimit reads worker attributes of exactly
// MaxWorkerAttributesSize bytes and refuses one byte more, in
// WorkerAttributes and CheckWorker alike.
func TestWorkerAttributesSizeLimit(t *testing.T) {
	sized := func(n int) []byte {
		head := `{"roles":["agent"],"pad":"`
		return []byte(head + strings.Repeat("p", n-len(head)-2) + `"}`)
	}
	l := flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner}}
	d, err := flexroles.Resolve(l)
	require.NoError(t, err)

	at := sized(flexroles.MaxWorkerAttributesSize)
	require.Len(t, at, flexroles.MaxWorkerAttributesSize)
	out, err := flexroles.WorkerAttributes(at, l, d)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"roles":["admin","wfo.full_access"]`)
	_, err = flexroles.CheckWorker(at)
	require.NoError(t, err)

	past := sized(flexroles.MaxWorkerAttributesSize + 1)
	_, err = flexroles.WorkerAttributes(past, l, d)
	require.ErrorIs(t, err, flexroles.ErrInvalidWorker)
	assert.Contains(t, err.Error(), fmt.Sprint(flexroles.MaxWorkerAttributesSize+1))
	_, err = flexroles.CheckWorker(past)
	require.ErrorIs(t, err, flexroles.ErrInvalidWorker)
}

// TestWorkerAttributesExact pins WorkerAttributes' output byte for byte where
// a wrong comparison would still give valid JSON: keys that are prefixes of
// one another, typed arrays after other values, and several values.
func TestWorkerAttributesExact(t *testing.T) {
	sso := func(attrs map[string][]string) flexroles.Login {
		return limitSSO(func(a map[string][]string) {
			for k, v := range attrs {
				a[k] = v
			}
		})
	}
	tests := []struct {
		name, current string
		login         flexroles.Login
		want          string
	}{
		{
			name:    "keys that are prefixes of roles",
			current: `{"r":1,"rol":2,"role":"x","roles":["admin"],"rolesz":3,"contact_uri":"client:a"}`,
			login:   sso(nil),
			want:    `{"contact_uri":"client:a","email":"ana@example.com","full_name":"Ana Diaz","r":1,"rol":2,"role":"x","roles":["agent"],"rolesz":3}`,
		},
		{
			name:    "a current key after every key the login sets",
			current: `{"zz":1,"contact_uri":"client:a"}`,
			login:   sso(map[string][]string{"team": {"blue"}}),
			want:    `{"contact_uri":"client:a","email":"ana@example.com","full_name":"Ana Diaz","roles":["agent"],"team":"blue","zz":1}`,
		},
		{
			name:    "typed arrays written after other values",
			current: `{"contact_uri":"client:a"}`,
			login: sso(map[string][]string{
				"a.stringarray": {"x", "y"}, "b.intarray": {"1", " 2"}, "c.booleanarray": {"true, FALSE"},
				"d.stringarray": {}, "e.intarray": {"7"},
			}),
			want: `{"a":["x","y"],"b":[1,2],"c":[true,false],"contact_uri":"client:a","d":[],"e":[7],"email":"ana@example.com","full_name":"Ana Diaz","roles":["agent"]}`,
		},
		{
			name:    "several values, blanks skipped",
			current: `{"contact_uri":"client:a"}`,
			login:   sso(map[string][]string{"langs": {"", "en", " ", "fr"}, "one": {" ", "x"}, "none": {" "}}),
			want:    `{"contact_uri":"client:a","email":"ana@example.com","full_name":"Ana Diaz","langs":["en","fr"],"none":"","one":"x","roles":["agent"]}`,
		},
		{
			name:    "an empty int or boolean removes the key",
			current: `{"contact_uri":"client:a","n":5,"b":true,"s":"x"}`,
			login:   sso(map[string][]string{"n.int": {" "}, "b.boolean": {}, "s.string": {}}),
			want:    `{"contact_uri":"client:a","email":"ana@example.com","full_name":"Ana Diaz","roles":["agent"],"s":""}`,
		},
		{
			name:    "contact_uri from the email when the worker's is empty",
			current: `{"contact_uri":""}`,
			login:   sso(nil),
			want:    `{"contact_uri":"client:ana_40example_2Ecom","email":"ana@example.com","full_name":"Ana Diaz","roles":["agent"]}`,
		},
		{
			name:    "contact_uri from the email when the worker's is null",
			current: `{"contact_uri":null}`,
			login:   sso(nil),
			want:    `{"contact_uri":"client:ana_40example_2Ecom","email":"ana@example.com","full_name":"Ana Diaz","roles":["agent"]}`,
		},
		{
			name:    "a dotted name with an unknown suffix is untyped",
			current: `{"contact_uri":"client:a"}`,
			login:   sso(map[string][]string{"a.b": {"1"}, ".int": {"x"}, "c.Int": {"y"}}),
			want:    `{".int":"x","a.b":"1","c.Int":"y","contact_uri":"client:a","email":"ana@example.com","full_name":"Ana Diaz","roles":["agent"]}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := flexroles.Resolve(tc.login)
			require.NoError(t, err)
			got, err := flexroles.WorkerAttributes([]byte(tc.current), tc.login, d)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

// TestWorkerAttributesRefusals gives each refusal of WorkerAttributes the
// assertion that just triggers it.
func TestWorkerAttributesRefusals(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string][]string
		want  error
		attr  string
	}{
		{"an empty attribute name", map[string][]string{"": {"x"}}, flexroles.ErrInvalidAttribute, ""},
		{"an invalid UTF-8 name", map[string][]string{"a\xff": {"x"}}, flexroles.ErrInvalidAttribute, "a\xff"},
		{"an invalid UTF-8 value", map[string][]string{"team": {"ok", "b\xff"}}, flexroles.ErrInvalidAttribute, "team"},
		{"a typed roles", map[string][]string{"roles.stringarray": {"admin"}}, flexroles.ErrInvalidAttribute, "roles.stringarray"},
		{"two names of one key", map[string][]string{"n": {"1"}, "n.int": {"2"}}, flexroles.ErrInvalidAttribute, "n.int"},
		{"an int that is not one", map[string][]string{"n.int": {"1.5"}}, flexroles.ErrInvalidAttribute, "n.int"},
		{"an int past 64 bits", map[string][]string{"n.int": {"9223372036854775808"}}, flexroles.ErrInvalidAttribute, "n.int"},
		{"a boolean that is not one", map[string][]string{"b.boolean": {"yes"}}, flexroles.ErrInvalidAttribute, "b.boolean"},
		{"a boolean one letter short", map[string][]string{"b.boolean": {"tru"}}, flexroles.ErrInvalidAttribute, "b.boolean"},
		{"a bad item in an int array", map[string][]string{"n.intarray": {"1,x,3"}}, flexroles.ErrInvalidAttribute, "n.intarray"},
		{"several values of a scalar type", map[string][]string{"s.string": {"a", "b"}}, flexroles.ErrInvalidAttribute, "s.string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := limitSSO(func(a map[string][]string) {
				for k, v := range tc.attrs {
					a[k] = v
				}
			})
			d, err := flexroles.Resolve(flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
				"roles": {"agent"}, "email": {"ana@example.com"}, "full_name": {"Ana Diaz"}}})
			require.NoError(t, err)
			out, err := flexroles.WorkerAttributes(nil, l, d)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, out)
			var e *flexroles.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.attr, e.Attribute)
		})
	}
}
