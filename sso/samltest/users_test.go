package samltest_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flexroles/flexroles/sso/samltest"
)

// writeFile writes content to a new file in a temporary directory and
// returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReadUsers reads each column by its rule: the Login is the email's
// local part, groups and roles split at ";", an empty department, location
// or roles is no attribute, and no.email, the first user without email,
// comes last.
func TestReadUsers(t *testing.T) {
	path := writeFile(t, "users.csv", "email,name,groups,department,location,roles\n"+
		"quinn.qa@owlbank.example,Quinn QA,CC-Leads;QA,Quality,,\n"+
		"ray.roles@owlbank.example,Ray Roles,CC-Agents,,EU-West,admin;agent\n")
	users, err := samltest.ReadUsers(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []samltest.User{
		{Login: "quinn.qa", Attributes: map[string][]string{"email": {"quinn.qa@owlbank.example"}, "full_name": {"Quinn QA"}, "groups": {"CC-Leads", "QA"}, "department": {"Quality"}}},
		{Login: "ray.roles", Attributes: map[string][]string{"email": {"ray.roles@owlbank.example"}, "full_name": {"Ray Roles"}, "groups": {"CC-Agents"}, "location": {"EU-West"}, "roles": {"admin", "agent"}}},
		{Login: "no.email", Attributes: map[string][]string{"full_name": {"Quinn QA"}, "groups": {"CC-Leads", "QA"}, "department": {"Quality"}}},
	}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("ReadUsers:\n got %+v\nwant %+v", users, want)
	}
}

// TestReadUsersShipped: the example users the demo ships read, each with
// an email whose local part is its Login.
func TestReadUsersShipped(t *testing.T) {
	for _, name := range []string{"users.csv", "users-roles.csv"} {
		users, err := samltest.ReadUsers(filepath.Join("..", "..", "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users[:len(users)-1] {
			if email := u.Attributes["email"]; len(email) != 1 || !strings.HasPrefix(email[0], u.Login+"@") {
				t.Errorf("%s: user %q has email %q", name, u.Login, email)
			}
		}
	}
}

// TestReadUsersRefuses names the file in every refusal: another header, a
// header alone, rows of another width, and no file.
func TestReadUsersRefuses(t *testing.T) {
	for _, tc := range []struct{ reason, content, errHas string }{
		{"another header", "mail,name,groups,department,location\na@x,A,G,,\n", "is not a CSV with the header"},
		{"a header and no user", "email,name,groups,department,location\n", "is not a CSV with the header"},
		{"a row of another width", "email,name,groups,department,location\na@x,A,G\n", "is not a CSV with the header"},
	} {
		path := writeFile(t, "users.csv", tc.content)
		if _, err := samltest.ReadUsers(path); err == nil || !strings.Contains(err.Error(), tc.errHas) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s and %q", tc.reason, err, path, tc.errHas)
		}
	}
	if _, err := samltest.ReadUsers(filepath.Join(t.TempDir(), "none.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}
