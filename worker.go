package flexroles

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flexroles/flexroles/internal/rawjson"
)

// EscapeIdentity escapes a Flex identity the way Flex builds a worker's
// contact_uri: ASCII letters and digits stay, every other byte (UTF-8 bytes
// of non-ASCII characters included, and "_" itself) becomes "_" and two
// uppercase hex digits, so "a.b@c" becomes "a_2Eb_40c" and the escaping can
// be reversed.
func EscapeIdentity(identity string) string {
	const hex = "0123456789ABCDEF"
	n := len(identity)
	for i := 0; i < len(identity); i++ {
		if !identityByte(identity[i]) {
			n += 2
		}
	}
	if n == len(identity) {
		return identity
	}
	b := make([]byte, 0, n)
	for i := 0; i < len(identity); i++ {
		c := identity[i]
		if identityByte(c) {
			b = append(b, c)
		} else {
			b = append(b, '_', hex[c>>4], hex[c&0xf])
		}
	}
	return string(b)
}

func identityByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// ContactURI returns the contact_uri Flex gives the worker of identity:
// "client:" + EscapeIdentity(identity).
func ContactURI(identity string) string { return contactScheme + EscapeIdentity(identity) }

const contactScheme = "client:"

// Worker attribute names this package reads or writes besides the mandatory
// SAML ones.
const (
	attrContactURI = "contact_uri"
	attrRole       = "role" // Insights' free-text reporting attribute, not roles
)

// MaxWorkerAttributesSize bounds the worker attributes WorkerAttributes and
// CheckWorker read; larger input is refused with ErrInvalidWorker.
// TaskRouter itself keeps worker attributes far smaller.
const MaxWorkerAttributesSize = 1 << 20

// WorkerAttributes returns the worker attributes JSON object a login writes, given the
// current attributes (nil or "{}" for a new worker): what Flex overwrites, clears and keeps.
//
// d must be the Decision Resolve (or a Policy) returned for l. The result:
//   - "roles" is d's roles, in canonical order;
//   - on an SSO login, every other attribute of the assertion overwrites the
//     worker's value, one value as a string and several as an array of
//     strings; an attribute sent with no value, or only empty values, clears
//     it (""); attributes the assertion does not send keep their value;
//   - a typed attribute name ("skill.int", "languages.stringarray", with the
//     suffixes string, int, boolean, stringarray, intarray, booleanarray) is
//     stored without its suffix and with its JSON type; a value that does not
//     fit the type refuses the whole update with ErrInvalidAttribute;
//   - "contact_uri", when neither the worker nor the assertion has one, is
//     ContactURI of l.Identity, or of the email attribute when l.Identity is
//     empty;
//   - everything else (routing, disabled_skills, custom keys, nested objects,
//     numbers of any size) is kept byte for byte, white space aside;
//   - keys are sorted, so equal inputs give equal bytes.
//
// A Console login writes only "roles" (and contact_uri, as above). current
// that is not a JSON object, or has a key twice, is ErrInvalidWorker; a
// Decision with no roles, or with roles that this login's source never
// gives, is ErrInvalidLogin. On error the result is nil and nothing is
// half-applied.
func WorkerAttributes(current []byte, l Login, d Decision) ([]byte, error) {
	roles, err := decisionRoles(l, d)
	if err != nil {
		return nil, err
	}
	members, err := workerMembers(current)
	if err != nil {
		return nil, err
	}
	w := workerUpdate{members: members}
	w.set(attrRoles, appendRoles(nil, roles))
	if l.Source == SSO {
		if err := w.applyAssertion(l.Attributes); err != nil {
			return nil, err
		}
	}
	if !w.hasContactURI() {
		identity := l.Identity
		if identity == "" && l.Source == SSO {
			identity = firstValue(l.Attributes[attrEmail])
		}
		if identity != "" {
			w.set(attrContactURI, rawjson.AppendQuote(nil, ContactURI(identity)))
		}
	}
	return w.encode(), nil
}

// decisionRoles checks that d is a decision l can lead to and returns its
// roles as a set.
func decisionRoles(l Login, d Decision) (roleSet, error) {
	var set roleSet
	for _, r := range d.Roles {
		bit := setOf(r)
		if bit == 0 {
			return 0, &Error{Kind: ErrUnknownRole, Attribute: attrRoles, Value: string(r), Suggestion: suggestRole(string(r)), problem: problemUnknownRole}
		}
		set |= bit
	}
	fits := false
	switch l.Source {
	case Console:
		fits = set == consoleAdmins || set == readOnlyPair
	case SSO:
		fits = set&flexUIRoles != 0 && set&readOnlyPair == 0
	default:
		return 0, &Error{Kind: ErrInvalidLogin, Value: string(l.Source), problem: problemSource}
	}
	if !fits {
		return 0, &Error{Kind: ErrInvalidLogin, Attribute: attrRoles, Value: set.String(), problem: problemDecision, roles: set}
	}
	return set, nil
}

// member is one key of a worker attributes object and its JSON value;
// del marks a key the login removes.
type member struct {
	key   string
	lit   []byte // the key as the current attributes write it, if they do
	value []byte
	del   bool
}

// workerMembers splits the current attributes into members, refusing what is
// not one JSON object with distinct keys.
func workerMembers(current []byte) ([]member, error) {
	current = bytes.TrimSpace(current)
	if len(current) == 0 {
		return nil, nil
	}
	if len(current) > MaxWorkerAttributesSize {
		return nil, &Error{Kind: ErrInvalidWorker, Value: strconv.Itoa(len(current)) + " bytes", problem: problemWorkerSize}
	}
	if !rawjson.Valid(current) {
		return nil, &Error{Kind: ErrInvalidWorker, Value: string(current), problem: problemWorkerJSON}
	}
	var members []member
	var seen keySet
	var err error
	isObject := rawjson.Members(current, func(k, v []byte) bool {
		key := string(rawjson.AppendUnquote(nil, k))
		if seen.add(k) {
			err = &Error{Kind: ErrInvalidWorker, Attribute: key, problem: problemWorkerDuplicate}
			return false
		}
		members = append(members, member{key: key, lit: k, value: v})
		return true
	})
	if !isObject {
		return nil, &Error{Kind: ErrInvalidWorker, Value: string(current), problem: problemWorkerJSON}
	}
	return members, err
}

// workerUpdate is the worker attributes object being rewritten by a login.
type workerUpdate struct {
	members []member
	index   map[string]int    // key → position in members, once there are many
	written map[string]string // stored key → the assertion attribute that wrote it
}

// find returns the position of key in members, or -1.
func (w *workerUpdate) find(key string) int {
	if w.index == nil && len(w.members) > keySetFew {
		w.index = make(map[string]int, 2*len(w.members))
		for i, m := range w.members {
			w.index[m.key] = i
		}
	}
	if w.index != nil {
		if i, ok := w.index[key]; ok {
			return i
		}
		return -1
	}
	for i := range w.members {
		if w.members[i].key == key {
			return i
		}
	}
	return -1
}

func (w *workerUpdate) set(key string, value []byte) {
	if i := w.find(key); i >= 0 {
		w.members[i] = member{key: key, lit: w.members[i].lit, value: value}
		return
	}
	w.members = append(w.members, member{key: key, value: value})
	if w.index != nil {
		w.index[key] = len(w.members) - 1
	}
}

func (w *workerUpdate) remove(key string) {
	if i := w.find(key); i >= 0 {
		w.members[i].del = true
	}
}

// hasContactURI reports whether the worker ends up with a contact_uri that
// is not empty.
func (w *workerUpdate) hasContactURI() bool {
	i := w.find(attrContactURI)
	if i < 0 || w.members[i].del {
		return false
	}
	v := w.members[i].value
	return !bytes.Equal(v, []byte(`""`)) && !bytes.Equal(v, []byte("null"))
}

// applyAssertion writes every attribute of an SSO assertion but roles, in
// name order so that the error for a bad assertion does not depend on map
// order.
func (w *workerUpdate) applyAssertion(attrs map[string][]string) error {
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		if name != attrRoles {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	w.written = make(map[string]string, len(names))
	for _, name := range names {
		values := attrs[name]
		if name == "" || !utf8.ValidString(name) {
			return &Error{Kind: ErrInvalidAttribute, Attribute: name, problem: problemAttrName}
		}
		for _, v := range values {
			if !utf8.ValidString(v) {
				return &Error{Kind: ErrInvalidAttribute, Attribute: name, Value: v, problem: problemBadBytes}
			}
		}
		key, typ := splitTyped(name)
		if key == attrRoles {
			return &Error{Kind: ErrInvalidAttribute, Attribute: name, problem: problemTypedRoles}
		}
		if other, ok := w.written[key]; ok {
			return &Error{Kind: ErrInvalidAttribute, Attribute: name, Value: other, problem: problemSameKey}
		}
		w.written[key] = name
		value, err := typedValue(name, typ, values)
		if err != nil {
			return err
		}
		if value == nil {
			w.remove(key)
		} else {
			w.set(key, value)
		}
	}
	return nil
}

// encode writes the members as one JSON object, keys sorted.
func (w *workerUpdate) encode() []byte {
	sort.Slice(w.members, func(i, j int) bool { return w.members[i].key < w.members[j].key })
	size := 2
	for _, m := range w.members {
		size += len(m.key) + len(m.value) + 4
	}
	out := make([]byte, 0, size)
	out = append(out, '{')
	first := true
	for _, m := range w.members {
		if m.del {
			continue
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		if m.lit != nil {
			out = append(out, m.lit...)
		} else {
			out = rawjson.AppendQuote(out, m.key)
		}
		out = append(out, ':')
		out = appendCompact(out, m.value)
	}
	return append(out, '}')
}

// appendCompact appends the valid JSON value v without insignificant white
// space; strings, numbers and key order are kept exactly.
func appendCompact(dst, v []byte) []byte {
	if bytes.IndexAny(v, " \t\r\n") < 0 {
		return append(dst, v...)
	}
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return append(dst, v...)
	}
	return append(dst, b.Bytes()...)
}

// The typed attribute suffixes Flex knows.
type attrType uint8

const (
	typeNone attrType = iota
	typeString
	typeInt
	typeBoolean
	typeStringArray
	typeIntArray
	typeBooleanArray
)

// splitTyped splits "skill.int" into "skill" and its type; a name without a
// known lowercase suffix, or with nothing before it, is untyped.
func splitTyped(name string) (string, attrType) {
	dot := strings.LastIndexByte(name, '.')
	if dot <= 0 {
		return name, typeNone
	}
	var t attrType
	switch name[dot+1:] {
	case "string":
		t = typeString
	case "int":
		t = typeInt
	case "boolean":
		t = typeBoolean
	case "stringarray":
		t = typeStringArray
	case "intarray":
		t = typeIntArray
	case "booleanarray":
		t = typeBooleanArray
	default:
		return name, typeNone
	}
	return name[:dot], t
}

// typedValue returns the JSON value an attribute's values store, nil when
// they clear a key that cannot hold an empty value (int, boolean).
func typedValue(name string, t attrType, values []string) ([]byte, error) {
	switch t {
	case typeStringArray, typeIntArray, typeBooleanArray:
		out := []byte{'['}
		var err error
		forEachItem(values, func(item string, _ bool) bool {
			if len(out) > 1 {
				out = append(out, ',')
			}
			out, err = appendTyped(out, name, t, item)
			return err == nil
		})
		return append(out, ']'), err
	}
	var one string
	n := 0
	for _, v := range values {
		if isBlank(v) {
			continue
		}
		if n++; n == 1 {
			one = v
		}
	}
	switch {
	case n == 0 && (t == typeInt || t == typeBoolean):
		return nil, nil
	case n == 0:
		return []byte(`""`), nil
	case n == 1:
		return appendTyped(nil, name, t, one)
	case t == typeNone:
		out := []byte{'['}
		for _, v := range values {
			if !isBlank(v) {
				if len(out) > 1 {
					out = append(out, ',')
				}
				out = rawjson.AppendQuote(out, v)
			}
		}
		return append(out, ']'), nil
	}
	return nil, &Error{Kind: ErrInvalidAttribute, Attribute: name, Value: one, problem: problemTypedSeveral}
}

// appendTyped appends one value of type t (or of an array of t) as JSON.
func appendTyped(dst []byte, name string, t attrType, v string) ([]byte, error) {
	switch t {
	case typeInt, typeIntArray:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, &Error{Kind: ErrInvalidAttribute, Attribute: name, Value: v, problem: problemTypedValue}
		}
		return strconv.AppendInt(dst, n, 10), nil
	case typeBoolean, typeBooleanArray:
		switch s := strings.TrimSpace(v); {
		case strings.EqualFold(s, "true"):
			return append(dst, "true"...), nil
		case strings.EqualFold(s, "false"):
			return append(dst, "false"...), nil
		}
		return nil, &Error{Kind: ErrInvalidAttribute, Attribute: name, Value: v, problem: problemTypedValue}
	}
	return rawjson.AppendQuote(dst, v), nil
}

// appendRoles appends roles as a JSON array of strings, in canonical order.
func appendRoles(dst []byte, roles roleSet) []byte {
	dst = append(dst, '[')
	for i := 0; i < roleCount; i++ {
		if roles&(1<<i) != 0 {
			if dst[len(dst)-1] != '[' {
				dst = append(dst, ',')
			}
			dst = rawjson.AppendQuote(dst, string(roleAt(i)))
		}
	}
	return append(dst, ']')
}

// firstValue returns the first non-blank value, trimmed.
func firstValue(values []string) string {
	for _, v := range values {
		if !isBlank(v) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
