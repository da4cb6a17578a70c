// Package rawjson walks JSON objects and arrays in place, without decoding
// them, so that values the caller does not look at keep their exact bytes
// (numbers of any size, nested key order) and cost nothing.
//
// Every function takes input that encoding/json.Valid accepts; on other input
// the results are unspecified but the functions never panic.
package rawjson

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// Iter walks the members of a JSON object or the elements of a JSON array
// without a callback, so that what the caller keeps between steps can stay
// on its stack.
type Iter struct {
	b      []byte
	i      int
	object bool
	closer byte
}

// Object returns an Iter over the members of obj, and whether obj is an
// object.
func Object(obj []byte) (Iter, bool) { return open(obj, '{', '}') }

// Array returns an Iter over the elements of arr, and whether arr is an
// array.
func Array(arr []byte) (Iter, bool) { return open(arr, '[', ']') }

func open(b []byte, opener, closer byte) (Iter, bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != opener {
		return Iter{}, false
	}
	return Iter{b: b, i: skipSpace(b, i+1), object: opener == '{', closer: closer}, true
}

// Next returns the next member's key as written (quotes included, escapes
// not decoded) and value, or an array's next element as value with a nil
// key; ok is false at the end.
func (it *Iter) Next() (key, value []byte, ok bool) {
	b, i := it.b, it.i
	if i >= len(b) || b[i] == it.closer {
		return nil, nil, false
	}
	if it.object {
		if b[i] != '"' {
			it.i = len(b)
			return nil, nil, false
		}
		k := skipString(b, i)
		key = b[i:k]
		i = skipSpace(b, k)
		if i >= len(b) || b[i] != ':' {
			it.i = len(b)
			return nil, nil, false
		}
		i = skipSpace(b, i+1)
	}
	end := Skip(b, i)
	if end == i {
		it.i = len(b)
		return nil, nil, false
	}
	value = b[i:end]
	i = skipSpace(b, end)
	if i < len(b) && b[i] == ',' {
		i = skipSpace(b, i+1)
	}
	it.i = i
	return key, value, true
}

// Members calls fn for each member of the JSON object obj, in input order,
// with the key as written (quotes included, escapes not decoded) and the
// value's bytes, until fn returns false. It reports whether obj is an object.
func Members(obj []byte, fn func(key, value []byte) bool) bool {
	it, ok := Object(obj)
	for k, v, more := it.Next(); more && fn(k, v); k, v, more = it.Next() {
	}
	return ok
}

// Elements calls fn for each element of the JSON array arr, in order, until
// fn returns false. It reports whether arr is an array.
func Elements(arr []byte, fn func(value []byte) bool) bool {
	it, ok := Array(arr)
	for _, v, more := it.Next(); more && fn(v); _, v, more = it.Next() {
	}
	return ok
}

// Skip returns the index just past the JSON value that starts at b[i].
func Skip(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// skipString returns the index just past the string literal at b[i].
func skipString(b []byte, i int) int {
	for i++; ; i += 2 {
		i = firstQuoteOrEscape(b, i)
		if i >= len(b) {
			return len(b)
		}
		if b[i] == '"' {
			return i + 1
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// AppendCompact appends the JSON value v without the white space between
// its tokens; strings, numbers and key order are kept exactly.
func AppendCompact(dst, v []byte) []byte {
	for i := 0; i < len(v); {
		switch c := v[i]; c {
		case ' ', '\t', '\r', '\n':
			i++
		case '"':
			end := skipString(v, i)
			dst = append(dst, v[i:end]...)
			i = end
		default:
			j := i + 1
			for j < len(v) && v[j] != '"' && v[j] != ' ' && v[j] != '\t' && v[j] != '\r' && v[j] != '\n' {
				j++
			}
			dst = append(dst, v[i:j]...)
			i = j
		}
	}
	return dst
}

// IsString reports whether the value v is a JSON string.
func IsString(v []byte) bool { return len(v) >= 2 && v[0] == '"' }

// Equal reports whether the JSON string literal lit decodes to s.
func Equal(lit []byte, s string) bool {
	if !IsString(lit) {
		return false
	}
	inner := lit[1 : len(lit)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == s
	}
	var buf [64]byte
	d := AppendUnquote(buf[:0], lit)
	return string(d) == s
}

// String returns the decoded text of the JSON string literal lit, "" for
// anything else.
func String(lit []byte) string {
	if !IsString(lit) {
		return ""
	}
	inner := lit[1 : len(lit)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	var buf [128]byte
	return string(AppendUnquote(buf[:0], lit))
}

// AppendUnquote appends the decoded text of the JSON string literal lit to
// dst. Invalid UTF-8 and unpaired surrogate escapes become U+FFFD, as
// encoding/json decodes them.
func AppendUnquote(dst, lit []byte) []byte {
	if !IsString(lit) {
		return dst
	}
	s := lit[1 : len(lit)-1]
	for i := 0; i < len(s); {
		if j := firstEscapeOrHigh(s, i); j > i {
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		c := s[i]
		if c != '\\' {
			r, n := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && n == 1 {
				dst = append(dst, "\ufffd"...)
			} else {
				dst = append(dst, s[i:i+n]...)
			}
			i += n
			continue
		}
		i++
		if i >= len(s) {
			return dst
		}
		c = s[i]
		i++
		switch c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, n := hex4(s[i:])
			i += n
			if utf16.IsSurrogate(r) {
				if len(s) >= i+6 && s[i] == '\\' && s[i+1] == 'u' {
					r2, _ := hex4(s[i+2:])
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
	}
	return dst
}

// hex4 decodes the four hex digits at the start of s.
func hex4(s []byte) (rune, int) {
	if len(s) < 4 {
		return utf8.RuneError, len(s)
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return utf8.RuneError, 4
		}
		r = r<<4 | rune(c)
	}
	return r, 4
}

// AppendQuote appends s to dst as a JSON string literal. Unlike
// encoding/json it leaves <, > and & as they are; invalid UTF-8 becomes
// U+FFFD.
func AppendQuote(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += n
			start = i
			continue
		}
		i += n
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
