package flexroles

import (
	"math/rand"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// generalSSO decides an SSO login by the general rules alone, with the
// shortcut for the usual assertion turned off.
func generalSSO(attrs map[string][]string) (Decision, error) {
	defer SetOptimize(SetOptimize(false))
	return Resolve(Login{Source: SSO, Attributes: attrs})
}

// generalParseSSO is parseSSO with the shortcut turned off.
func generalParseSSO(attrs map[string][]string, s *ssoSettings) (ssoRoles, error) {
	defer SetOptimize(SetOptimize(false))
	return parseSSO(attrs, s)
}

// TestShortcutsMatchGeneralRules resolves many assertions, usual and not,
// with and without the shortcut, under Flex's settings and a policy's:
// decisions and errors must be the same.
func TestShortcutsMatchGeneralRules(t *testing.T) {
	roleValues := []string{"admin", "supervisor", "agent", "wfo.team_leader", "wfo.full_access", "wfo.dashboard_viewer",
		"flex.readonlyadmin", "flex.readteams", "Admin", "adm in", " agent", "agent,admin", "", "  ", "sup\x00", "wfo.data_analyst",
		"wfo.data_auditor", "wfo.quality_manager", "wfo.quality_process_manager", "nope", "a", "ádmin", ","}
	lineValues := []string{"ana@example.com", "Ana Diaz", "", " ", "  x", "ana\x00", "ánа", "x\ty", "short", "a@b"}
	extraNames := []string{"department", "Roles", "EMAIL", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", "groups", "display-name"}
	settings := []ssoSettings{{}, {rolesOptional: true}, {foldRoles: true}, {dropUnknown: true}, {rolesOptional: true, foldRoles: true, dropUnknown: true}}
	pick := func(r *rand.Rand, from []string, max int) []string {
		if r.Intn(8) == 0 {
			return nil
		}
		out := make([]string, 1+r.Intn(max))
		for i := range out {
			out[i] = from[r.Intn(len(from))]
		}
		return out
	}
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 20000; n++ {
		attrs := map[string][]string{}
		for name, v := range map[string][]string{attrRoles: pick(r, roleValues, 4), attrEmail: pick(r, lineValues, 2), attrFullName: pick(r, lineValues, 2)} {
			if v != nil || r.Intn(2) == 0 {
				attrs[name] = v
			}
		}
		for i := r.Intn(3); i > 0; i-- {
			attrs[extraNames[r.Intn(len(extraNames))]] = []string{"x"}
		}
		want, wantErr := generalSSO(attrs)
		got, gotErr := Resolve(Login{Source: SSO, Attributes: attrs})
		require.Equal(t, wantErr, gotErr, "%q", attrs)
		require.Equal(t, want, got, "%q", attrs)
		for i := range settings {
			s := &settings[i]
			wantRoles, wantErr := generalParseSSO(attrs, s)
			gotRoles, gotErr := parseSSO(attrs, s)
			require.Equal(t, wantErr, gotErr, "%+v %q", *s, attrs)
			require.Equal(t, wantRoles, gotRoles, "%+v %q", *s, attrs)
		}
	}
}

// FuzzRolesItems holds the roles splitter to its definition: each value
// split on commas, each part trimmed of Unicode white space, empty parts
// skipped; an item is trimmed when it is not its whole value. Values are
// separated by '|'.
func FuzzRolesItems(f *testing.F) {
	for _, s := range []string{"agent", "agent,admin", " agent , admin ", "a,,b|c", ",|", "\u00a0admin\u2003", "x\u0085", "\xffa, b\xfe", "|"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		values := strings.Split(in, "|")
		type item struct {
			s       string
			trimmed bool
		}
		var want, got []item
		for _, v := range values {
			for _, part := range strings.Split(v, ",") {
				if s := strings.TrimSpace(part); s != "" {
					want = append(want, item{s, len(s) != len(v)})
				}
			}
		}
		forEachItem(values, func(s string, trimmed bool) bool {
			got = append(got, item{s, trimmed})
			return true
		})
		require.Equal(t, want, got)
	})
}

// FuzzShortcuts holds Resolve and parseSSO to the general rules on
// arbitrary assertions (values separated by '|'), under Flex's settings and
// a policy's.
func FuzzShortcuts(f *testing.F) {
	f.Add("supervisor|wfo.team_leader", "ana@example.com", "Ana Diaz", "", uint8(0))
	f.Add("agent|Admin", "ana@example.com", "Ana Diaz", "Roles", uint8(1))
	f.Add("flex.readteams", "a", " b", "department", uint8(2))
	f.Add("agent,admin", "a@b", "\x00", "", uint8(3))
	f.Fuzz(func(t *testing.T, roles, email, fullName, extra string, mode uint8) {
		attrs := map[string][]string{}
		for name, v := range map[string]string{attrRoles: roles, attrEmail: email, attrFullName: fullName} {
			if v != "" {
				attrs[name] = strings.Split(v, "|")
			}
		}
		if extra != "" {
			attrs[extra] = append(attrs[extra], "x")
		}
		want, wantErr := generalSSO(attrs)
		got, gotErr := Resolve(Login{Source: SSO, Attributes: attrs})
		require.Equal(t, wantErr, gotErr)
		require.Equal(t, want, got)
		s := &ssoSettings{rolesOptional: mode&1 != 0, foldRoles: mode&2 != 0, dropUnknown: mode&4 != 0}
		wantRoles, wantErr := generalParseSSO(attrs, s)
		gotRoles, gotErr := parseSSO(attrs, s)
		require.Equal(t, wantErr, gotErr)
		require.Equal(t, wantRoles, gotRoles)
	})
}

// TestPlainConsoleDecision holds the literal decisions of Console logins
// that ask for no roles to the decision of the same Console role with a
// request, less the console.requested reason.
func TestPlainConsoleDecision(t *testing.T) {
	for decider := idxOwner; decider <= idxSupport; decider++ {
		if decider == idxBillingManager {
			continue
		}
		asked := consoleDecision(decider, true)
		require.Equal(t, RuleConsoleRequested, asked.Reasons[1].Rule)
		asked.Reasons = append(asked.Reasons[:1:1], asked.Reasons[2])
		require.Equal(t, asked, consoleDecision(decider, false), "%s", consoleRoleAt(decider))
	}
}

// TestASCIIWord puts each byte value at each place of words of 1 to 17
// bytes: a roles item as it stands is not empty and holds only 0x21 to
// 0x7e, but the comma.
func TestASCIIWord(t *testing.T) {
	for n := 1; n <= 17; n++ {
		for at := 0; at < n; at++ {
			for c := 0; c < 256; c++ {
				b := []byte(strings.Repeat("a", n))
				b[at] = byte(c)
				want := c >= 0x21 && c <= 0x7e && c != ','
				require.Equal(t, want, asciiWord(string(b)), "%q", b)
			}
		}
	}
}

// TestErrorSize holds an *Error at 80 bytes on 64-bit machines: a refusal
// allocates it, and the peers benchmark's refusal case measures that
// allocation. RefusedBy sits in the padding beside the one-byte fields, and
// the deny rule's name is read from Value (Error.DenyRule).
func TestErrorSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes are stated for 64-bit machines")
	}
	require.LessOrEqual(t, unsafe.Sizeof(Error{}), uintptr(80))
}
