package export

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/internal/jsonvalues"
)

// User is one user of an IdP export (the --users file): what the IdP
// would send in the SAML assertion at the user's next login.
type User struct {
	Line       int                 // 1-based line of the user in the file
	Email      string              // the email attribute, also how workers are matched
	Name       string              // the full_name attribute
	Groups     []string            // the groups attribute, one group per value
	Roles      []string            // the roles attribute, if the IdP sends one
	Attributes map[string][]string // any other attributes, by name
}

// Login returns the SSO login the user's next assertion makes, with each
// value under the attribute name the policy reads.
func (u *User) Login(p *flexroles.Policy) flexroles.Login {
	attrs := make(map[string][]string, len(u.Attributes)+4)
	for k, v := range u.Attributes {
		attrs[k] = v
	}
	attrs[p.AttributeName(flexroles.EmailAttribute)] = []string{u.Email}
	attrs[p.AttributeName(flexroles.FullNameAttribute)] = []string{u.Name}
	if len(u.Groups) > 0 {
		attrs[p.AttributeName(flexroles.GroupsAttribute)] = u.Groups
	}
	if len(u.Roles) > 0 {
		attrs[p.AttributeName(flexroles.RolesAttribute)] = u.Roles
	}
	return flexroles.Login{Source: flexroles.SSO, Attributes: attrs, Identity: u.Email}
}

// MaxFileSize bounds the users file; an IdP export of a very large
// organisation fits well below it.
const MaxFileSize = 1 << 30

// Load reads an IdP export (see File.Each) into a map keyed by
// email in lower case.
func Load(path string) (map[string]*User, error) {
	uf, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer uf.Close()
	return uf.Load()
}

// Load reads the export (see File.Each) into a map keyed by email in lower
// case.
func (uf *File) Load() (map[string]*User, error) {
	byEmail := map[string]*User{}
	err := uf.Each(func(u *User) error {
		byEmail[EmailKey(u.Email)] = u
		return nil
	})
	if err != nil {
		return nil, err
	}
	return byEmail, nil
}

// EmailKey is how users are matched by email: trimmed, in lower case.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// File is an IdP export opened for reading.
type File struct {
	path    string    // the file's path, or the name NewFile was given
	r       io.Reader // the file, or NewFile's reader
	f       *os.File  // the file Open opened, nil for NewFile
	regular bool      // a regular file, which can be read again
}

// NewFile returns the IdP export read from r, such as standard input,
// named name in messages. It is read once, as a pipe is: Each keeps the
// emails to find a duplicate.
func NewFile(name string, r io.Reader) *File { return &File{path: name, r: r} }

// Open opens the IdP export at path; a file over MaxFileSize is an
// error before anything is read.
func Open(path string) (*File, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the users file the user named
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if fi.Size() > MaxFileSize {
		_ = f.Close()
		return nil, &Error{Kind: ErrTooLarge, File: path, Err: fmt.Errorf("%d bytes, over the limit of %d", fi.Size(), int64(MaxFileSize))}
	}
	return &File{path: path, r: f, f: f, regular: fi.Mode().IsRegular()}, nil
}

// Close closes the file Open opened; it leaves NewFile's reader alone.
func (uf *File) Close() {
	if uf.f != nil {
		_ = uf.f.Close()
	}
}

// Each reads the export and calls fn with each user in file order,
// stopping at fn's first error: a JSON array or NDJSON of objects with
// email, name, groups, roles and attributes, or CSV whose header names the
// columns email, name, groups, roles and any other attribute, with several
// groups or roles in one cell separated by ";". A user without an email, a
// user whose email (compared ignoring case) an earlier user has, and an
// export without users are errors.
//
// From a regular file it streams: all it keeps per user is a 64-bit hash of
// the email, in a hashSet. When a hash comes again, the file is read again
// up to that user to find the earlier one, so that a duplicate is reported
// with both lines and a hash collision is told from a duplicate. A pipe
// cannot be read again, so from one the emails themselves are kept.
func (uf *File) Each(fn func(*User) error) error {
	seed := maphash.MakeSeed()
	var seen hashSet
	exact := map[string]int{}
	n := 0
	err := Read(io.LimitReader(uf.r, MaxFileSize), func(u *User) error {
		n++
		key := EmailKey(u.Email)
		if key == "" {
			return &Error{Kind: ErrNoEmail, Line: u.Line, Field: "email", Err: errors.New("user without an email")}
		}
		earlier := 0
		switch {
		case !uf.regular:
			earlier = exact[key]
			exact[key] = u.Line
		case !seen.add(maphash.String(seed, key)):
			line, err := uf.earlierLine(key, n)
			if err != nil {
				return &Error{Kind: ErrRead, Line: u.Line, Field: "email", Err: fmt.Errorf("reading the file again to check email %q: %w", u.Email, err)}
			}
			earlier = line
		}
		if earlier > 0 {
			return &Error{Kind: ErrDuplicateEmail, Line: u.Line, Field: "email", Err: fmt.Errorf("email %q already given on line %d", u.Email, earlier)}
		}
		return fn(u)
	})
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.File == "" {
			e.File = uf.path // the error Read or these checks made
			return e
		}
		return fmt.Errorf("%s: %w", uf.path, err)
	}
	if n == 0 {
		return &Error{Kind: ErrEmpty, File: uf.path, Err: errors.New("no users: the export is empty")}
	}
	return nil
}

// errFound stops earlierLine's reading.
var errFound = errors.New("found")

// earlierLine reads the file again and returns the line of the first user
// among the n-1 before the n-th whose email has key, or 0 when there is none
// (the hashes collided).
func (uf *File) earlierLine(key string, n int) (int, error) {
	f, err := os.Open(uf.path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	found, i := 0, 0
	err = Read(io.LimitReader(f, MaxFileSize), func(u *User) error {
		if i++; i >= n {
			return errFound
		}
		if EmailKey(u.Email) == key {
			found = u.Line
			return errFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFound) {
		return 0, err
	}
	return found, nil
}

// Read reads an IdP export from r, JSON or CSV by its first byte.
func Read(r io.Reader, fn func(*User) error) error {
	br := bufio.NewReader(r)
	first, err := firstByte(br)
	if err != nil {
		return err
	}
	if first == '[' || first == '{' {
		return readJSONUsers(br, fn)
	}
	return readCSVUsers(br, fn)
}

// firstByte returns the first byte that is not white space or a UTF-8 byte
// order mark, without consuming it.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, &Error{Kind: ErrEmpty, Err: errors.New("empty file")}
			}
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			_, _ = br.Discard(1) // peeked: cannot fail
		case 0xEF:
			if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
				_, _ = br.Discard(3) // peeked: cannot fail
				continue
			}
			return b[0], nil
		default:
			return b[0], nil
		}
	}
}

// userJSON is one user as the JSON forms write it; attribute values may be
// one string or a list.
type userJSON struct {
	Email      string                     `json:"email"`
	Name       string                     `json:"name"`
	Groups     []string                   `json:"groups"`
	Roles      []string                   `json:"roles"`
	Attributes map[string]json.RawMessage `json:"attributes"`
}

// readJSONUsers reads a JSON array or NDJSON of users, each decoded
// strictly (an unknown field is an error), and calls fn with each.
func readJSONUsers(r io.Reader, fn func(*User) error) error {
	vr := jsonvalues.NewReader(r)
	for {
		v, err := vr.Next(nil)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var le *jsonvalues.LineError
			if errors.As(err, &le) {
				return recordError(le.Line, le.Err)
			}
			return err
		}
		if v.Err != nil {
			return recordError(v.Line, v.Err)
		}
		dec := json.NewDecoder(bytes.NewReader(v.Data))
		dec.DisallowUnknownFields()
		var u userJSON
		if err := dec.Decode(&u); err != nil {
			return recordError(v.Line, err)
		}
		user := &User{Line: v.Line, Email: u.Email, Name: u.Name, Groups: u.Groups, Roles: u.Roles}
		if len(u.Attributes) > 0 {
			user.Attributes = make(map[string][]string, len(u.Attributes))
			for k, raw := range u.Attributes {
				values, err := attributeValues(raw)
				if err != nil {
					return &Error{Kind: ErrAttribute, Line: v.Line, Field: k, Err: fmt.Errorf("attribute %q: %w", k, err)}
				}
				user.Attributes[k] = values
			}
		}
		if err := fn(user); err != nil {
			return err
		}
	}
}

// attributeValues reads an attribute given as one string or a list of them.
func attributeValues(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, errors.New("want a string or a list of strings")
	}
	return many, nil
}

// splitCell splits a CSV cell holding several values on ";".
func splitCell(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ";") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// readCSVUsers reads users as CSV with a header row and calls fn with each.
func readCSVUsers(br *bufio.Reader, fn func(*User) error) error {
	r := csv.NewReader(br)
	r.FieldsPerRecord = 0
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return csvError(err)
	}
	cols, err := readHeader(header)
	if err != nil {
		return err
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return csvError(err)
		}
		line, _ := r.FieldPos(0)
		u := &User{Line: line}
		for i, c := range cols {
			v := rec[i]
			switch c.field {
			case "email":
				u.Email = v
			case "name":
				u.Name = v
			case "groups":
				u.Groups = splitCell(v)
			case "roles":
				u.Roles = splitCell(v)
			default:
				if v != "" {
					if u.Attributes == nil {
						u.Attributes = map[string][]string{}
					}
					u.Attributes[c.name] = splitCell(v)
				}
			}
		}
		if err := fn(u); err != nil {
			return err
		}
	}
}

// headerError is the Error of the header's column i (0-based), named
// name.
func headerError(i int, name string, err error) *Error {
	return &Error{Kind: ErrHeader, Line: 1, Column: i + 1, Field: name, Err: err}
}

// csvColumn is one column of a CSV export's header.
type csvColumn struct {
	name  string // as the header writes it, trimmed
	field string // "email", "name", "groups" or "roles", or "" for an attribute
}

// csvFields are the columns a CSV export reads into a User's fields, in
// the order messages list them; email and name are required, since every
// SSO login carries an email and a full name.
var csvFields = []string{"email", "name", "groups", "roles"}

// csvRequired says what a required column holds, for the message when it
// is missing.
var csvRequired = map[string]string{
	"email": "the users' email addresses, which their logins send as email and workers are matched by",
	"name":  "the users' full names, which their logins send as full_name (Flex refuses a login without one: error 45050)",
}

// csvAliases are header names IdP exports use for the required columns,
// which the did-you-mean offers besides near spellings.
var csvAliases = map[string]string{
	"mail": "email", "e-mail": "email", "email_address": "email", "emailaddress": "email", "email address": "email",
	"full_name": "name", "fullname": "name", "full name": "name", "display_name": "name", "displayname": "name",
	"display name": "name", "username": "name",
}

// readHeader reads a CSV export's header row. Column names are trimmed;
// email, name, groups and roles are recognised whatever their case, and
// any other column is an attribute under its name as written, a look-alike
// of the optional groups or roles too ("memberOf", "role"), since a policy
// may read its groups or roles under that name (sso.attributes). Errors,
// in order: an empty column or one given twice (compared ignoring case);
// no email or no name column, with the column that looks like it
// ("display_name", "mail") named as a did-you-mean when there is one.
func readHeader(header []string) ([]csvColumn, error) {
	cols := make([]csvColumn, len(header))
	has := map[string]bool{}
	seen := map[string]string{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		key := strings.ToLower(h)
		if h == "" {
			return nil, headerError(i, "", fmt.Errorf("column %d of the header is empty; name every column", i+1))
		}
		if earlier, dup := seen[key]; dup {
			return nil, headerError(i, h, fmt.Errorf("column %q is given twice (as %q before; header names are compared ignoring case)", h, earlier))
		}
		seen[key] = h
		cols[i] = csvColumn{name: h}
		if slices.Contains(csvFields, key) {
			cols[i].field = key
			has[key] = true
		}
	}
	for _, want := range []string{"email", "name"} {
		if has[want] {
			continue
		}
		for i, c := range cols {
			if c.field == "" && lookalikeField(c.name) == want {
				return nil, headerError(i, c.name, fmt.Errorf("column %q is not one the export reads (did you mean %q?) and the header has no %s column: rename it to %q, the column of %s",
					c.name, want, want, want, csvRequired[want]))
			}
		}
		return nil, &Error{Kind: ErrHeader, Line: 1, Field: want, Err: fmt.Errorf("the header has no %s column: add one with %s; the header names email, name, groups, roles and attribute columns, in any order and case",
			want, csvRequired[want])}
	}
	return cols, nil
}

// lookalikeField returns the required column, email or name, that the
// header name h looks like, ignoring case: a known alias ("display_name"
// for name), or a spelling one edit away: a letter added, dropped,
// changed, or two swapped ("emial"); "" when none.
func lookalikeField(h string) string {
	key := strings.ToLower(h)
	if f, ok := csvAliases[key]; ok {
		return f
	}
	if len(key) > len("email")+1 {
		return "" // more than one edit from both
	}
	for _, f := range []string{"email", "name"} {
		if editDistance(key, f) <= 1 {
			return f
		}
	}
	return ""
}

// editDistance is the number of bytes to add, drop or change, or
// adjacent pairs to swap, to turn a into b (optimal string alignment).
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// hashSet is a set of 64-bit hashes in one open-addressed table, at most
// three quarters full: 11 to 21 bytes a hash, a third of what a Go map
// takes. Hashes are uniform, so their low bits index the table.
type hashSet struct {
	slots []uint64 // 0 is an empty slot
	n     int
}

// add puts h in the set and reports whether it was not there already. The
// hash 0 is stored as 1.
func (s *hashSet) add(h uint64) bool {
	h = max(h, 1)
	if 4*(s.n+1) > 3*len(s.slots) {
		old := s.slots
		s.slots, s.n = make([]uint64, max(1024, 2*len(old))), 0
		for _, v := range old {
			if v != 0 {
				s.add(v)
			}
		}
	}
	mask := uint64(len(s.slots) - 1) //nolint:gosec // G115: the table has at least 1024 slots
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			s.n++
			return true
		case h:
			return false
		}
	}
}
