package export_test

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flexroles/flexroles/export"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErrorKinds checks that every error of an export is an *Error a caller
// can name: its kind for errors.Is, its place (file, line, column) and the
// field at fault, and that it prints as FILE:LINE: message.
func TestErrorKinds(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, input string
		want        export.Error // Err is compared by its message
		message     string
		reason      string
	}{
		{name: "not JSON", input: "[{\"email\":\"a@x.co\"},\n{\"email\":}]\n",
			want:    export.Error{Kind: export.ErrSyntax, Line: 2, Err: errors.New("invalid character '}' looking for beginning of value")},
			message: "users:2: invalid character '}' looking for beginning of value",
			reason:  "a JSON record that does not parse is ErrSyntax at its line"},
		{name: "unknown JSON field", input: `{"email":"a@x.co","nme":"A"}` + "\n",
			want:    export.Error{Kind: export.ErrSyntax, Line: 1, Field: "nme", Err: errors.New(`json: unknown field "nme"`)},
			message: `users:1: json: unknown field "nme"`,
			reason:  "JSON users are decoded strictly, and the error names the field"},
		{name: "attribute of the wrong type", input: `{"email":"a@x.co","name":"A","attributes":{"department":1}}` + "\n",
			want:    export.Error{Kind: export.ErrAttribute, Line: 1, Field: "department", Err: errors.New(`attribute "department": want a string or a list of strings`)},
			message: `users:1: attribute "department": want a string or a list of strings`,
			reason:  "an attribute is one string or a list of strings"},
		{name: "CSV quote", input: "email,name\na@x.co,A \"B\"\"\n",
			want:    export.Error{Kind: export.ErrSyntax, Line: 2, Column: 10, Err: errors.New(`column 10: bare " in non-quoted-field`)},
			message: `users:2: column 10: bare " in non-quoted-field`,
			reason:  "a CSV row that does not parse is ErrSyntax at its line and column"},
		{name: "CSV field count", input: "email,name\na@x.co,A,extra\n",
			want:    export.Error{Kind: export.ErrSyntax, Line: 2, Err: errors.New("wrong number of fields")},
			message: "users:2: wrong number of fields",
			reason:  "a row with another number of cells than the header"},
		{name: "header column twice", input: "email,name,Email\na@x.co,A,b\n",
			want:    export.Error{Kind: export.ErrHeader, Line: 1, Column: 3, Field: "Email", Err: errors.New(`column "Email" is given twice (as "email" before; header names are compared ignoring case)`)},
			message: `users:1: column "Email" is given twice (as "email" before; header names are compared ignoring case)`,
			reason:  "a header error names its column"},
		{name: "header without name", input: "email,groups\na@x.co,G\n",
			want: export.Error{Kind: export.ErrHeader, Line: 1, Field: "name",
				Err: errors.New("the header has no name column: add one with the users' full names, which their logins send as full_name (Flex refuses a login without one: error 45050); the header names email, name, groups, roles and attribute columns, in any order and case")},
			reason: "a missing column names the column it wants"},
		{name: "no email", input: "email,name\n,A\n",
			want:    export.Error{Kind: export.ErrNoEmail, Line: 2, Field: "email", Err: errors.New("user without an email")},
			message: "users:2: user without an email",
			reason:  "every user has an email"},
		{name: "email twice", input: "email,name\na@x.co,A\nA@X.co ,B\n",
			want:    export.Error{Kind: export.ErrDuplicateEmail, Line: 3, Field: "email", Err: errors.New(`email "A@X.co " already given on line 2`)},
			message: `users:3: email "A@X.co " already given on line 2`,
			reason:  "emails are compared trimmed and ignoring case"},
		{name: "no users", input: "email,name\n",
			want:    export.Error{Kind: export.ErrEmpty, Err: errors.New("no users: the export is empty")},
			message: "users: no users: the export is empty",
			reason:  "an export without users is an error of the export as a whole"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := export.NewFile("users", strings.NewReader(tc.input)).Each(func(*export.User) error { return nil })
			var e *export.Error
			require.ErrorAs(t, err, &e, tc.reason)
			assert.ErrorIs(t, err, tc.want.Kind, tc.reason)
			assert.Equal(t, "users", e.File)
			assert.Equal(t, tc.want.Line, e.Line, "line: %s", tc.reason)
			assert.Equal(t, tc.want.Column, e.Column, "column: %s", tc.reason)
			assert.Equal(t, tc.want.Field, e.Field, "field: %s", tc.reason)
			assert.EqualError(t, e.Err, tc.want.Err.Error(), tc.reason)
			if tc.message != "" {
				assert.EqualError(t, err, tc.message, tc.reason)
			}

			// Read, which knows no file name, gives the same error
			// without one, at its line, for what Read itself checks.
			if errors.Is(err, export.ErrSyntax) || errors.Is(err, export.ErrHeader) || errors.Is(err, export.ErrAttribute) {
				err := export.Read(strings.NewReader(tc.input), func(*export.User) error { return nil })
				require.ErrorAs(t, err, &e)
				assert.Empty(t, e.File)
				assert.True(t, strings.HasPrefix(err.Error(), "line "), "Read's error prints its line: %v", err)
			}

			// A regular file, which Each streams, gives the same error.
			path := filepath.Join(dir, "users")
			require.NoError(t, os.WriteFile(path, []byte(tc.input), 0o600))
			f, err := export.Open(path)
			require.NoError(t, err)
			defer f.Close()
			err = f.Each(func(*export.User) error { return nil })
			require.ErrorAs(t, err, &e)
			assert.ErrorIs(t, err, tc.want.Kind)
			assert.Equal(t, path, e.File)
			assert.Equal(t, tc.want.Line, e.Line)
		})
	}
	var pe *csv.ParseError
	err := export.Read(strings.NewReader("email,name\na@x.co,A,extra\n"), func(*export.User) error { return nil })
	assert.ErrorIs(t, err, csv.ErrFieldCount, "the CSV reader's own kind stays in the chain")
	assert.False(t, errors.As(err, &pe), "its position is the Error's, not a second ParseError's")
}

// TestErrorTooLarge: a file over MaxFileSize is ErrTooLarge before anything
// is read.
func TestErrorTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(export.MaxFileSize+1))
	require.NoError(t, f.Close())
	_, err = export.Open(path)
	var e *export.Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, export.ErrTooLarge)
	assert.Equal(t, path, e.File)
}
