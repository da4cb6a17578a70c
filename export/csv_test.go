package export_test

import (
	"strings"
	"testing"

	"github.com/flexroles/flexroles/export"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadCSVHeader reads the header rows users write, in the case and
// with the names their IdP gives, and the mistakes that must not pass.
func TestReadCSVHeader(t *testing.T) {
	for _, tc := range []struct {
		name, header string
		want         export.User // the user of the row "a@x.co,A B,G1;G2" read under header, Line 2
		wantErr      []string    // the error holds each, at line 1
		reason       string
	}{
		{name: "lower case", header: "email,name,groups",
			want:   export.User{Line: 2, Email: "a@x.co", Name: "A B", Groups: []string{"G1", "G2"}},
			reason: "the documented header"},
		{name: "title case", header: "Email,Name,Groups",
			want:   export.User{Line: 2, Email: "a@x.co", Name: "A B", Groups: []string{"G1", "G2"}},
			reason: "email, name, groups and roles are matched ignoring case"},
		{name: "upper case and spaces", header: " EMAIL , Name,ROLES",
			want:   export.User{Line: 2, Email: "a@x.co", Name: "A B", Roles: []string{"G1", "G2"}},
			reason: "header names are trimmed"},
		{name: "attribute keeps its case", header: "email,name,Department",
			want:   export.User{Line: 2, Email: "a@x.co", Name: "A B", Attributes: map[string][]string{"Department": {"G1", "G2"}}},
			reason: "an attribute column is named as written: SAML attribute names are case-sensitive"},
		{name: "display_name for name", header: "email,display_name,groups",
			wantErr: []string{`line 1: column "display_name" is not one the export reads (did you mean "name"?) and the header has no name column: rename it to "name"`},
			reason:  "issue 18: every user would be refused 45050 for a missing full_name"},
		{name: "full_name for name", header: "email,full_name,groups",
			wantErr: []string{`column "full_name"`, `did you mean "name"?`},
			reason:  "Flex's attribute name is not the export's column name"},
		{name: "mail for email", header: "mail,name,groups",
			wantErr: []string{`column "mail"`, `did you mean "email"?`},
			reason:  "a name IdPs use"},
		{name: "typo of email", header: "Emial,name,groups",
			wantErr: []string{`column "Emial"`, `did you mean "email"?`},
			reason:  "two letters swapped, ignoring case"},
		{name: "Group is an attribute", header: "email,name,Group",
			want:   export.User{Line: 2, Email: "a@x.co", Name: "A B", Attributes: map[string][]string{"Group": {"G1", "G2"}}},
			reason: "a look-alike of the optional groups is read as an attribute, as a policy may read its groups under that name; review catches a policy that then cannot judge"},
		{name: "memberOf is an attribute", header: "email,name,memberOf",
			want:   export.User{Line: 2, Email: "a@x.co", Name: "A B", Attributes: map[string][]string{"memberOf": {"G1", "G2"}}},
			reason: "a policy with sso.attributes {groups: memberOf} reads it as its groups"},
		{name: "role is an attribute", header: "email,name,role",
			want:   export.User{Line: 2, Email: "a@x.co", Name: "A B", Attributes: map[string][]string{"role": {"G1", "G2"}}},
			reason: "the same for the optional roles"},
		{name: "no name column", header: "email,groups",
			wantErr: []string{"line 1: the header has no name column", "full_name", "45050"},
			reason:  "every SSO login needs a full name"},
		{name: "no email column", header: "name,groups",
			wantErr: []string{"line 1: the header has no email column"},
			reason:  "users are matched by email"},
		{name: "twice ignoring case", header: "email,name,Email",
			wantErr: []string{`column "Email" is given twice (as "email" before`},
			reason:  "two columns that read the same field"},
		{name: "empty column", header: "email,,name",
			wantErr: []string{"column 2 of the header is empty"},
			reason:  "every column is named"},
		{name: "group beside groups is an attribute", header: "email,name,groups,group",
			want:   export.User{Line: 2, Email: "a@x.co", Name: "A B", Groups: []string{"G1", "G2"}, Attributes: map[string][]string{"group": {"X"}}},
			reason: "a look-alike is a mistake only when the column it looks like is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row := "a@x.co,A B,G1;G2"
			if strings.Count(tc.header, ",") == 3 {
				row += ",X"
			}
			var got []export.User
			err := export.Read(strings.NewReader(tc.header+"\n"+row+"\n"), func(u *export.User) error {
				got = append(got, *u)
				return nil
			})
			if tc.wantErr != nil {
				require.Error(t, err, tc.reason)
				for _, want := range tc.wantErr {
					assert.Contains(t, err.Error(), want, tc.reason)
				}
				assert.Empty(t, got, "no user is read under a header in error")
				return
			}
			require.NoError(t, err, tc.reason)
			require.Len(t, got, 1)
			assert.Equal(t, tc.want, got[0], tc.reason)
		})
	}
}
