package flexroles

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
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
//     numbers of any size) keeps its value byte for byte, white space aside;
//   - keys are sorted and written as encoding/json writes their decoded
//     text ("\u0061" becomes "a"), so equal inputs give equal bytes.
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
			w.set(attrContactURI, w.value(appendQuote(w.buf, ContactURI(identity))))
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

// workerObject decodes worker attributes into their members, refusing what
// is over MaxWorkerAttributesSize, not one valid JSON object, or has a key
// twice, compared by its decoded text (where invalid UTF-8 reads as U+FFFD,
// as encoding/json decodes it). Values keep their bytes as written.
func workerObject(attributes []byte) (map[string]json.RawMessage, error) {
	if len(attributes) > MaxWorkerAttributesSize {
		return nil, &Error{Kind: ErrInvalidWorker, Value: strconv.Itoa(len(attributes)) + " bytes", problem: problemWorkerSize}
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(attributes, &members) != nil || members == nil {
		return nil, &Error{Kind: ErrInvalidWorker, Value: string(attributes), problem: problemWorkerJSON}
	}
	if memberCount(attributes) != len(members) {
		return nil, &Error{Kind: ErrInvalidWorker, Attribute: duplicateKey(attributes), problem: problemWorkerDuplicate}
	}
	return members, nil
}

// memberCount returns how many members the valid JSON object obj writes,
// a key written twice counted twice. json.Indent begins each member of the
// object on its own line, indented once, and nested members deeper; a
// string never holds a raw newline, so each "\n\t\"" is one member.
func memberCount(obj []byte) int {
	var b bytes.Buffer
	_ = json.Indent(&b, obj, "", "\t") // obj was decoded: it is valid JSON
	return bytes.Count(b.Bytes(), []byte("\n\t\""))
}

// duplicateKey returns the first key the valid JSON object obj writes a
// second time; it is called only once a key is known to repeat.
func duplicateKey(obj []byte) string {
	dec := json.NewDecoder(bytes.NewReader(obj))
	_, _ = dec.Token() // {
	seen := map[string]bool{}
	for dec.More() {
		tok, _ := dec.Token()
		key, _ := tok.(string)
		if seen[key] {
			return key
		}
		seen[key] = true
		var skip json.RawMessage
		_ = dec.Decode(&skip)
	}
	return ""
}

// member is one key of a worker attributes object and its JSON value;
// del marks a key the login removes.
type member struct {
	key   string // decoded
	value []byte
	del   bool
}

// workerMembers decodes the current attributes into members sorted by key.
func workerMembers(current []byte) ([]member, error) {
	current = bytes.TrimSpace(current)
	if len(current) == 0 {
		return nil, nil
	}
	raw, err := workerObject(current)
	if err != nil {
		return nil, err
	}
	members := make([]member, 0, len(raw)+8)
	for k, v := range raw {
		members = append(members, member{key: k, value: v})
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	return members, nil
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
		return strings.Compare(m.key, k)
	})
	if ok {
		return i
	}
	for i := w.sorted; i < len(w.members); i++ {
		if w.members[i].key == key {
			return i
		}
	}
	return -1
}

func (w *workerUpdate) set(key string, value []byte) {
	if i := w.find(key); i >= 0 {
		w.members[i].value, w.members[i].del = value, false
		return
	}
	w.members = append(w.members, member{key: key, value: value})
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
	slices.SortFunc(w.members, func(a, b member) int { return strings.Compare(a.key, b.key) })
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
		out = appendQuote(out, m.key)
		out = append(out, ':')
		out = appendCompact(out, m.value)
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
				out = appendQuote(out, v)
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
	return appendQuote(dst, v), nil
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
			dst = appendQuote(dst, string(roleAt(i)))
		}
	}
	return append(dst, ']')
}

// appendQuote appends s to dst as a JSON string literal, as encoding/json
// writes it but with <, > and & left as they are: the attributes are read
// by Flex, not embedded in HTML. Invalid UTF-8 becomes U+FFFD (the callers
// refuse it before).
func appendQuote(dst []byte, s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(dst, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
}

// appendCompact appends the valid JSON value v without the white space
// between its tokens; strings, numbers and key order keep their bytes.
func appendCompact(dst, v []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(v))
	_ = json.Compact(&b, v) // v was read by encoding/json: it is valid
	return append(dst, b.Bytes()...)
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
