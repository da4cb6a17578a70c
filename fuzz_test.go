package flexroles_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/flexroles/flexroles"
)

// FuzzResolve checks the invariants of Resolve on arbitrary logins: no panic;
// an error is an *Error of a known kind with the zero Decision; a success
// lists only known roles, in canonical order, each asked for by the roles
// attribute (SSO) or one of the two Console sets, with Insights matching
// InsightsFor and at least one reason; the same login gives the same answer.
// Values are separated by '|' so one input can carry several.
func FuzzResolve(f *testing.F) {
	f.Add(true, "", "supervisor|wfo.quality_manager, wfo.team_leader", "a@b.co", "Ana", "")
	f.Add(true, "", "agent,admin", "a@b.co", "Ana", "Roles")
	f.Add(true, "", "Admin", "a@b.co", "Ana", "")
	f.Add(true, "", "wfo.team_leader", "a@b.co|b@c.d", "Ana\x00", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role")
	f.Add(true, "Support", "agent", "", "", "")
	f.Add(false, "Support", "wfo.quality_manager", "", "", "")
	f.Add(false, "developer|billing_manager", "admin", "", "", "")
	f.Add(false, "Billing Manager", "", "", "", "email")
	f.Add(false, "owner", "flex.readteams,", "", "", "")
	f.Fuzz(func(t *testing.T, sso bool, console, roles, email, fullName, extra string) {
		l := flexroles.Login{Source: flexroles.Console}
		if sso {
			l.Source = flexroles.SSO
		}
		if console != "" {
			for _, c := range strings.Split(console, "|") {
				l.ConsoleRoles = append(l.ConsoleRoles, flexroles.ConsoleRole(c))
			}
		}
		attrs := map[string][]string{}
		for name, v := range map[string]string{"roles": roles, "email": email, "full_name": fullName} {
			if v != "" {
				attrs[name] = strings.Split(v, "|")
			}
		}
		if extra != "" {
			attrs[extra] = append(attrs[extra], "x")
		}
		if len(attrs) > 0 {
			l.Attributes = attrs
		}

		d, err := flexroles.Resolve(l)
		again, err2 := flexroles.Resolve(l)
		if !slices.Equal(d.Roles, again.Roles) || !slices.Equal(d.Reasons, again.Reasons) || (err == nil) != (err2 == nil) {
			t.Fatalf("same login, different answers: %v %v / %v %v", d, err, again, err2)
		}
		if err != nil {
			checkError(t, d, err)
			return
		}
		if len(d.Reasons) == 0 {
			t.Fatalf("success without a reason: %+v", d)
		}
		if d.Insights != flexroles.InsightsFor(d.Roles) {
			t.Fatalf("Insights %+v, InsightsFor says %+v", d.Insights, flexroles.InsightsFor(d.Roles))
		}
		last := -1
		for _, r := range d.Roles {
			i := slices.Index(canonicalOrder, r)
			if i <= last {
				t.Fatalf("roles %v: unknown, repeated or out of canonical order", d.Roles)
			}
			last = i
		}
		if !sso {
			if !slices.Equal(d.Roles, []flexroles.Role{flexroles.Admin, flexroles.WFOFullAccess}) &&
				!slices.Equal(d.Roles, []flexroles.Role{flexroles.ReadTeams, flexroles.ReadOnlyAdmin}) {
				t.Fatalf("Console login got %v", d.Roles)
			}
			return
		}
		asked := map[string]bool{}
		for _, v := range attrs["roles"] {
			for _, item := range strings.Split(v, ",") {
				asked[strings.TrimSpace(item)] = true
			}
		}
		for _, r := range d.Roles {
			if !asked[string(r)] {
				t.Fatalf("granted %q, which roles %q did not ask for", r, attrs["roles"])
			}
		}
	})
}

func checkError(t *testing.T, d flexroles.Decision, err error) {
	t.Helper()
	if d.Roles != nil || d.Reasons != nil || d.Insights != (flexroles.Insights{}) {
		t.Fatalf("error %v with a non-zero decision %+v", err, d)
	}
	var e *flexroles.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *Error", err)
	}
	if !slices.Contains(allErrorKinds, e.Kind) {
		t.Fatalf("error %v has an unknown kind %v", err, e.Kind)
	}
	if !strings.HasPrefix(err.Error(), "flexroles: ") {
		t.Fatalf("error %q lacks the flexroles: prefix", err)
	}
	if (e.Code == 45050) != errors.Is(err, flexroles.ErrMissingAttribute) {
		t.Fatalf("error %v has code %d", err, e.Code)
	}
}

// FuzzLoadPolicy checks that no input makes LoadPolicy panic, that it
// returns either a Policy or a *PolicyError with at least one issue, and
// that a loaded policy resolves and runs its tests without panicking.
func FuzzLoadPolicy(f *testing.F) {
	if seed, err := os.ReadFile("examples/policy.yaml"); err == nil {
		f.Add(seed)
	}
	f.Add([]byte("version: 1\nsso:\n  rules:\n    - {name: a, when: {group: G}, grant: [agent]}\n"))
	f.Add([]byte("version: 1\nx: &a [1]\ny: *a\n"))
	f.Add([]byte("version: 1\nsso:\n\trules: []\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := flexroles.LoadPolicy(bytes.NewReader(data))
		if err != nil {
			var pe *flexroles.PolicyError
			if p != nil || !errors.As(err, &pe) || len(pe.Issues) == 0 {
				t.Fatalf("LoadPolicy: policy %v, error %v", p, err)
			}
			return
		}
		p.Test()
		l := flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
			"email": {"a@b.co"}, "full_name": {"A"}, "groups": {"G", "CC-Leads"}, "department": {"Quality"},
		}}
		d, err := p.Resolve(l)
		if err != nil {
			checkError(t, d, err)
		}
		p.Explain(l)
		p.Lint()
	})
}
