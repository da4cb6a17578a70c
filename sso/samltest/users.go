package samltest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"
)

// maxUsersFile bounds the users file ReadUsers reads.
const maxUsersFile = 1 << 20

// ReadUsers reads users from a CSV file with the header
// email,name,groups,department,location and optionally roles: each row a
// user whose Login is the email's local part, with attributes email,
// full_name, groups (split at ";"), department and location when not
// empty, and roles (split at ";") when not empty. It adds a last user,
// no.email, with the first user's attributes but email, whose login the
// bridge refuses. The row
// "quinn.qa@owlbank.example,Quinn QA,CC-Leads;QA,Quality," is the user
// quinn.qa with email, full_name, groups [CC-Leads QA] and department.
func ReadUsers(path string) ([]User, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the users file the caller names
	if err != nil {
		return nil, fmt.Errorf("flexroles: demo users: %w", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(io.LimitReader(f, maxUsersFile)).ReadAll()
	var header string
	if len(rows) > 0 {
		header = strings.Join(rows[0], ",")
	}
	if err != nil || len(rows) < 2 || header != "email,name,groups,department,location" && header != "email,name,groups,department,location,roles" {
		return nil, errors.New("flexroles: demo users: " + path + " is not a CSV with the header email,name,groups,department,location (and optionally roles)")
	}
	var users []User
	for _, row := range rows[1:] {
		attrs := map[string][]string{"email": {row[0]}, "full_name": {row[1]}, "groups": strings.Split(row[2], ";")}
		if row[3] != "" {
			attrs["department"] = []string{row[3]}
		}
		if row[4] != "" {
			attrs["location"] = []string{row[4]}
		}
		if len(row) > 5 && row[5] != "" {
			attrs["roles"] = strings.Split(row[5], ";")
		}
		users = append(users, User{Login: strings.SplitN(row[0], "@", 2)[0], Attributes: attrs})
	}
	noEmail := maps.Clone(users[0].Attributes)
	delete(noEmail, "email")
	return append(users, User{Login: "no.email", Attributes: noEmail}), nil
}
