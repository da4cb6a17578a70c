package flexroles

import (
	"bytes"
	"cmp"
	"slices"
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
	w := workerUpdate{members: members, sorted: len(members), buf: make([]byte, 0, 256)}
	w.set(attrRoles, w.value(appendRoles(w.buf, roles)))
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
			w.set(attrContactURI, w.value(rawjson.AppendQuote(w.buf, ContactURI(identity))))
		}
	}
	return w.encode(len(current)), nil
}

// decisionRoles checks that d is a decision l can lead to and returns its
// roles as a set.
func decisionRoles(l Login, d Decision) (roleSet, error) {
	var set roleSet
	for _, r := range d.Roles {
		bit := setOf(r)
		if bit == 0 {
			return 0, unknownRoleError(attrRoles, string(r))
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

// workerObject splits worker attributes into their members, appended to
// buf, refusing what is over MaxWorkerAttributesSize or not one valid JSON
// object; it does not look for duplicate keys.
func workerObject(attributes []byte, buf []rawjson.Member) ([]rawjson.Member, error) {
	if len(attributes) > MaxWorkerAttributesSize {
		return nil, &Error{Kind: ErrInvalidWorker, Value: strconv.Itoa(len(attributes)) + " bytes", problem: problemWorkerSize}
	}
	members, ok := rawjson.ValidObject(attributes, buf)
	if !ok {
		return nil, &Error{Kind: ErrInvalidWorker, Value: string(attributes), problem: problemWorkerJSON}
	}
	return members, nil
}

// member is one key of a worker attributes object and its JSON value;
// del marks a key the login removes.
type member struct {
	key   []byte // decoded
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
	var buf [32]rawjson.Member
	raw, err := workerObject(current, buf[:0])
	if err != nil {
		return nil, err
	}
	var keyBuf [32][]byte
	var orderBuf [32]int
	keys, order, err := workerKeys(raw, keyBuf[:0], orderBuf[:0])
	if err != nil {
		return nil, err
	}
	members := make([]member, len(raw), len(raw)+8)
	for i, j := range order {
		members[i] = member{key: keys[j], lit: raw[j].Key, value: raw[j].Value}
	}
	return members, nil
}

// workerKeys appends the decoded keys of members to keys, and to order the
// positions of members sorted by key (positions, not members, which are
// large to move), refusing a key written twice: sorted, it sits next to
// itself.
func workerKeys(members []rawjson.Member, keys [][]byte, order []int) ([][]byte, []int, error) {
	for i, m := range members {
		keys, order = append(keys, keyText(m.Key)), append(order, i)
	}
	slices.SortStableFunc(order, func(a, b int) int { return bytes.Compare(keys[a], keys[b]) })
	for i := 1; i < len(order); i++ {
		if bytes.Equal(keys[order[i-1]], keys[order[i]]) {
			return nil, nil, &Error{Kind: ErrInvalidWorker, Attribute: string(keys[order[i]]), problem: problemWorkerDuplicate}
		}
	}
	return keys, order, nil
}

// keyText returns the text of a key literal: its bytes when it has no
// escapes, else its decoded text.
func keyText(lit []byte) []byte {
	inner := lit[1 : len(lit)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return inner
	}
	return rawjson.AppendUnquote(nil, lit)
}

// workerUpdate is the worker attributes object being rewritten by a login.
type workerUpdate struct {
	members []member // sorted by key up to sorted, then the keys a login added
	sorted  int
	buf     []byte // the new values, one after another
}

// value returns the value just appended to w.buf (which grew to b) and
// keeps the buffer; earlier values stay valid if it moves.
func (w *workerUpdate) value(b []byte) []byte {
	v := b[len(w.buf):len(b):len(b)]
	w.buf = b
	return v
}

// find returns the position of key in members, or -1: by binary search
// among the current attributes, which workerMembers sorted, and one by one
// among the few keys the login added.
func (w *workerUpdate) find(key string) int {
	i, ok := slices.BinarySearchFunc(w.members[:w.sorted], key, func(m member, k string) int {
		return compareKey(m.key, k)
	})
	if ok {
		return i
	}
	for i := w.sorted; i < len(w.members); i++ {
		if string(w.members[i].key) == key {
			return i
		}
	}
	return -1
}

// compareKey compares a key's text with s, as bytes.Compare would.
func compareKey(key []byte, s string) int {
	n := min(len(key), len(s))
	for i := range n {
		if key[i] != s[i] {
			return cmp.Compare(key[i], s[i])
		}
	}
	return len(key) - len(s)
}

func (w *workerUpdate) set(key string, value []byte) {
	if i := w.find(key); i >= 0 {
		w.members[i].value, w.members[i].del = value, false
		return
	}
	w.members = append(w.members, member{key: []byte(key), value: value})
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
	var nameBuf [16]string
	names := nameBuf[:0]
	for name := range attrs {
		if name != attrRoles {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var keyBuf [16]string
	keys := keyBuf[:0] // the stored key of each name so far
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
		if i := slices.Index(keys, key); i >= 0 {
			return &Error{Kind: ErrInvalidAttribute, Attribute: name, Value: names[i], problem: problemSameKey}
		}
		keys = append(keys, key)
		b, err := typedValue(w.buf, name, typ, values)
		if err != nil {
			return err
		}
		if b == nil {
			w.remove(key)
		} else {
			w.set(key, w.value(b))
		}
	}
	return nil
}

// encode writes the members as one JSON object, keys sorted.
func (w *workerUpdate) encode(sizeHint int) []byte {
	slices.SortFunc(w.members, func(a, b member) int { return bytes.Compare(a.key, b.key) })
	out := make([]byte, 0, sizeHint+len(w.buf)+64)
	out = append(out, '{')
	first := true
	for i := range w.members {
		m := &w.members[i]
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
			out = rawjson.AppendQuote(out, string(m.key))
		}
		out = append(out, ':')
		out = rawjson.AppendCompact(out, m.value)
	}
	return append(out, '}')
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

// WorkerKey returns the key of the worker attributes under which Flex stores
// the SAML attribute called name, and its type when the name carries one of
// Flex's lowercase type suffixes: "skill.int" → "skill", "int";
// "languages.stringarray" → "languages", "stringarray"; any other name is
// its own key, untyped ("team.name" → "team.name", "").
func WorkerKey(name string) (key, typ string) {
	key, t := splitTyped(name)
	if t == typeNone {
		return name, ""
	}
	return key, name[len(key)+1:]
}

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
func typedValue(dst []byte, name string, t attrType, values []string) ([]byte, error) {
	start := len(dst)
	switch t {
	case typeStringArray, typeIntArray, typeBooleanArray:
		out := append(dst, '[')
		var err error
		forEachItem(values, func(item string, _ bool) bool {
			if len(out) > start+1 {
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
		return append(dst, `""`...), nil
	case n == 1:
		return appendTyped(dst, name, t, one)
	case t == typeNone:
		out := append(dst, '[')
		for _, v := range values {
			if !isBlank(v) {
				if len(out) > start+1 {
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
		case asciiEqualFold(s, "true"):
			return append(dst, "true"...), nil
		case asciiEqualFold(s, "false"):
			return append(dst, "false"...), nil
		}
		return nil, &Error{Kind: ErrInvalidAttribute, Attribute: name, Value: v, problem: problemTypedValue}
	}
	return rawjson.AppendQuote(dst, v), nil
}

// asciiEqualFold reports whether s equals lower, a lower-case ASCII word,
// ignoring ASCII case only: "TRUE" matches, the look-alike "tſue" does not.
// Of the same length in bytes, a rune of several bytes leaves s fewer runes
// than lower, and an invalid byte folds to no ASCII letter, so EqualFold
// can only match ASCII letter for letter.
func asciiEqualFold(s, lower string) bool {
	return len(s) == len(lower) && strings.EqualFold(s, lower)
}

// appendRoles appends roles as a JSON array of strings, in canonical order.
func appendRoles(dst []byte, roles roleSet) []byte {
	dst = append(dst, '[')
	for i := range roleCount {
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
