package rawjson

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMembersAndElements(t *testing.T) {
	obj := []byte(` { "a" : 1 , "b\"c":{"x":[1,{"y":"}"}]}, "d":[ "e" , null ] ,"f":"\\"} `)
	var keys, values []string
	require.True(t, Members(obj, func(k, v []byte) bool {
		keys = append(keys, string(k))
		values = append(values, string(v))
		return true
	}))
	assert.Equal(t, []string{`"a"`, `"b\"c"`, `"d"`, `"f"`}, keys)
	assert.Equal(t, []string{`1`, `{"x":[1,{"y":"}"}]}`, `[ "e" , null ]`, `"\\"`}, values)

	var elems []string
	require.True(t, Elements([]byte(values[2]), func(v []byte) bool { elems = append(elems, string(v)); return true }))
	assert.Equal(t, []string{`"e"`, `null`}, elems)

	assert.False(t, Members([]byte(`[1]`), func(k, v []byte) bool { return true }))
	assert.False(t, Elements([]byte(`{}`), func(v []byte) bool { return true }))
	n := 0
	Members(obj, func(k, v []byte) bool { n++; return false })
	assert.Equal(t, 1, n, "stops when fn returns false")
}

func TestUnquoteMatchesEncodingJSON(t *testing.T) {
	for _, lit := range []string{`""`, `"plain"`, `"a\"b\\c\/d"`, `"\b\f\n\r\t"`, `"\u00e9\u20AC"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00x"`, `"\ud83d\u0041"`, `"é"`} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(lit), &want), lit)
		assert.Equal(t, want, string(AppendUnquote(nil, []byte(lit))), lit)
		assert.Equal(t, true, Equal([]byte(lit), want), lit)
	}
}

func TestQuoteRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", "a\"b\\c", "<&>", "\x00\x1f\n\t", "é€😀", "\u2028\u2029", "bad\xffutf8"} {
		lit := AppendQuote(nil, s)
		require.True(t, json.Valid(lit), "%q → %s", s, lit)
		var back string
		require.NoError(t, json.Unmarshal(lit, &back))
		want := s
		if !utf8.ValidString(s) {
			want = "bad\ufffdutf8"
		}
		assert.Equal(t, want, back)
		assert.Equal(t, want, string(AppendUnquote(nil, lit)))
	}
}

// FuzzWalk checks that on any valid JSON object the walk finds the keys and
// values encoding/json finds, and that no input panics.
func FuzzWalk(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":{"b":[1,"]"]},"c":"\u0041"}`, `[1,[2],{"x":"y"}]`, `"s"`, `{"a":`, `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		Members(b, func(k, v []byte) bool { AppendUnquote(nil, k); return true })
		Elements(b, func(v []byte) bool { return true })
		if !json.Valid(b) {
			return
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) != nil {
			return
		}
		got := map[string]string{}
		Members(b, func(k, v []byte) bool {
			got[string(AppendUnquote(nil, k))] = string(v)
			return true
		})
		require.Len(t, got, len(m))
		for k, v := range m {
			var a, b any
			require.NoError(t, json.Unmarshal(v, &a))
			require.NoError(t, json.Unmarshal([]byte(got[k]), &b), "key %q value %q", k, got[k])
			assert.Equal(t, a, b)
		}
	})
}

func TestValidMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		``, ` `, `{}`, `[]`, `""`, `0`, `-0`, `-`, `01`, `1.`, `1.5`, `1e5`, `1E+5`, `1e`, `.5`, `true`, `tru`, `nul`, `null `,
		`{"a":1,}`, `{"a" 1}`, `{a:1}`, `[1,]`, `[1 2]`, `"\u12"`, `"\u12G4"`, `"\x"`, "\"\t\"", `"\ud800"`, "\"\xff\"",
		`{"a":[{"b":{"c":[]}}]}`, `{} {}`, `[`, `{"a":`, `{"a"`, `1 2`,
	} {
		assert.Equal(t, json.Valid([]byte(s)), Valid([]byte(s)), "%q", s)
	}
	deep := make([]byte, 0, 2*maxDepth+4)
	for i := 0; i < maxDepth+1; i++ {
		deep = append(deep, '[')
	}
	for i := 0; i < maxDepth+1; i++ {
		deep = append(deep, ']')
	}
	assert.Equal(t, json.Valid(deep), Valid(deep), "nesting past the limit")
	assert.Equal(t, json.Valid(deep[1:len(deep)-1]), Valid(deep[1:len(deep)-1]), "nesting at the limit")
}

// FuzzValid checks that Valid agrees with encoding/json.Valid on any input.
func FuzzValid(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,-2.5e3,true,null,"\u00e9"]}`, `[`, `"\x"`, `01`, `{"a":1}x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}

// FuzzValidObject checks that ValidObject agrees with Valid on objects and
// finds the members Members finds.
func FuzzValidObject(f *testing.F) {
	for _, s := range []string{`{}`, ` {"a":1 , "b":[{"c":"}"}]} `, `{"a":1,}`, `{"a":1}x`, `[]`, `{"a"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := ValidObject(b, nil)
		_, isObject := Object(b)
		want := Valid(b) && isObject
		if ok != want {
			t.Fatalf("ValidObject(%q) = %v, want %v", b, ok, want)
		}
		if !ok {
			return
		}
		var members []Member
		Members(b, func(k, v []byte) bool { members = append(members, Member{k, v}); return true })
		if len(members) != len(got) {
			t.Fatalf("%q: %d members, Members finds %d", b, len(got), len(members))
		}
		for i := range got {
			if string(got[i].Key) != string(members[i].Key) || string(got[i].Value) != string(members[i].Value) {
				t.Fatalf("%q: member %d is %q:%q, Members finds %q:%q", b, i, got[i].Key, got[i].Value, members[i].Key, members[i].Value)
			}
		}
	})
}
