package export_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles/export"
)

// TestLoadErrors checks that an IdP export that cannot be used is an
// *Error that names the file and the line of the problem, in each form.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		file   string // the users file's name, which gives its form
		text   string
		want   []string // substrings of the error, after the file's path
	}{
		{
			name:   "duplicate email in CSV",
			reason: "users are keyed by email, compared ignoring case",
			file:   "users.csv",
			text:   "email,name,groups\na@example.com,A,CC-Agents\nb@example.com,B,CC-Agents\nA@Example.com,A2,CC-Leads\n",
			want:   []string{`:4: email "A@Example.com" already given on line 2`},
		},
		{
			name:   "duplicate email in NDJSON",
			reason: "the line of each NDJSON user is its own",
			file:   "users.ndjson",
			text:   `{"email":"a@example.com","name":"A"}` + "\n" + `{"email":"b@example.com","name":"B"}` + "\n" + `{"email":"a@example.com","name":"A2"}` + "\n",
			want:   []string{`:3: email "a@example.com" already given on line 1`},
		},
		{
			name:   "duplicate email in a pretty JSON array",
			reason: "the line of a user in an array is where its object starts",
			file:   "users.json",
			text:   "[\n  {\"email\": \"a@example.com\", \"name\": \"A\"},\n  {\"email\": \"b@example.com\", \"name\": \"B\"},\n  {\"email\": \"a@example.com\", \"name\": \"A2\"}\n]\n",
			want:   []string{`:4: email "a@example.com" already given on line 2`},
		},
		{
			name:   "CSV without an email column",
			reason: "the email column is what workers are matched by",
			file:   "users.csv",
			text:   "mail,name,groups\na@example.com,A,CC-Agents\n",
			want:   []string{`:1: column "mail" is not one the export reads (did you mean "email"?)`},
		},
		{
			name:   "CSV whose full name column is display_name",
			reason: "issue 18: every user's next login would be refused 45050 for its full_name, and drift would blame the workers",
			file:   "users.csv",
			text:   "email,display_name,groups\na@example.com,A,CC-Agents\n",
			want:   []string{`:1: column "display_name" is not one the export reads (did you mean "name"?)`},
		},
		{
			name:   "CSV without a name column",
			reason: "every SSO login needs a full name",
			file:   "users.csv",
			text:   "email,groups\na@example.com,CC-Agents\n",
			want:   []string{":1: the header has no name column"},
		},
		{
			name:   "CSV user without an email",
			reason: "a user without an email can match no worker",
			file:   "users.csv",
			text:   "email,name,groups\na@example.com,A,CC-Agents\n,B,CC-Agents\n",
			want:   []string{":3: user without an email"},
		},
		{
			name:   "unknown field in NDJSON",
			reason: "a misspelt field would silently drop the user's groups",
			file:   "users.ndjson",
			text:   `{"email":"a@example.com","name":"A","groups":["CC-Agents"]}` + "\n" + `{"email":"b@example.com","name":"B","group":["CC-Agents"]}` + "\n",
			want:   []string{":2: ", `unknown field "group"`},
		},
		{
			name:   "unknown field in the first user of a JSON array",
			reason: "the first user's line is where its object starts",
			file:   "users.json",
			text:   "[\n  {\"email\": \"a@example.com\", \"nam\": \"A\"}\n]\n",
			want:   []string{":2: ", `unknown field "nam"`},
		},
		{
			name:   "unknown field in a later user of a JSON array",
			reason: "a later user's line is where its object starts",
			file:   "users.json",
			text:   "[\n  {\"email\": \"a@example.com\", \"name\": \"A\"},\n  {\"email\": \"b@example.com\", \"nam\": \"B\"}\n]\n",
			want:   []string{":3: ", `unknown field "nam"`},
		},
		{
			name:   "empty users file",
			reason: "an empty export would make every worker drift.no_user",
			file:   "users.csv",
			text:   "\n",
			want:   []string{"empty file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), tt.file)
			require.NoError(t, os.WriteFile(path, []byte(tt.text), 0o600))
			users, err := export.Load(path)
			require.Error(t, err, tt.reason)
			assert.Nil(t, users, tt.reason)
			var e *export.Error
			require.True(t, errors.As(err, &e), "an *export.Error: %v; %s", err, tt.reason)
			assert.Equal(t, path, e.File, tt.reason)
			require.True(t, strings.HasPrefix(err.Error(), path), "%v; %s", err, tt.reason)
			rest := strings.TrimPrefix(err.Error(), path)
			for _, s := range tt.want {
				assert.Contains(t, rest, s, tt.reason)
			}
		})
	}
}
