package flexroles_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flexroles/flexroles"
)

// TestDuplicateKeysByDecodedText: keys are compared by their decoded text,
// where invalid UTF-8 reads as U+FFFD as encoding/json decodes it, by
// WorkerAttributes and CheckWorker alike, however many keys lie between.
func TestDuplicateKeysByDecodedText(t *testing.T) {
	var far strings.Builder
	far.WriteString("{\"\xff\":1,")
	for i := 0; i < 32; i++ {
		fmt.Fprintf(&far, `"k%d":1,`, i)
	}
	far.WriteString("\"\xff\":2}")
	cases := []struct{ name, attrs, reason string }{
		{"two invalid bytes", "{\"\x83s\":[],\"\xe9s\":[]}", "both keys decode to \"\\ufffds\" (fuzz crasher testdata/fuzz/FuzzCheckWorker/88337cedc9e85313)"},
		{"same key 33 keys apart", far.String(), "the very same key bytes twice, 33 keys apart"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, waErr := flexroles.WorkerAttributes([]byte(tc.attrs), ssoRoles("agent"), mustResolve(t, ssoRoles("agent")))
			assert.ErrorIs(t, waErr, flexroles.ErrInvalidWorker, "WorkerAttributes refuses it: %s", tc.reason)
			reasons, err := flexroles.CheckWorker([]byte(tc.attrs))
			assert.ErrorIs(t, err, flexroles.ErrInvalidWorker, "CheckWorker refuses it too (got reasons %v): %s", reasons, tc.reason)
		})
	}
	adjacent := "{\"\xff\":1,\"\xff\":2}"
	_, err := flexroles.CheckWorker([]byte(adjacent))
	assert.ErrorIs(t, err, flexroles.ErrInvalidWorker, "control: the same duplicate side by side is refused")
}

// TestTypedBooleanLookalike: a boolean is true or false in any ASCII case
// (SPEC §3); a Unicode look-alike such as "falſe" (U+017F), or another word
// of the same length, does not fit the type and refuses the whole update.
func TestTypedBooleanLookalike(t *testing.T) {
	for _, name := range []string{"vip.boolean", "flags.booleanarray"} {
		for _, v := range []string{"falſe", "FALſE", "treu", "FALSY"} {
			l := ssoRoles("agent")
			l.Attributes[name] = []string{v}
			out, err := flexroles.WorkerAttributes(nil, l, mustResolve(t, l))
			if !errors.Is(err, flexroles.ErrInvalidAttribute) {
				t.Errorf("%s=%q: want ErrInvalidAttribute, got %v and %s", name, v, err, out)
			}
		}
	}
}

// TestWorkerKey names the worker key and type of SAML attribute names: the
// six lowercase type suffixes after something, and nothing else.
func TestWorkerKey(t *testing.T) {
	for name, want := range map[string][2]string{
		"skill.int": {"skill", "int"}, "languages.stringarray": {"languages", "stringarray"},
		"a.b.boolean": {"a.b", "boolean"}, "x.string": {"x", "string"}, "n.intarray": {"n", "intarray"},
		"f.booleanarray": {"f", "booleanarray"},
		"team.name":      {"team.name", ""}, "skill.Int": {"skill.Int", ""}, ".int": {".int", ""},
		"department": {"department", ""}, "": {"", ""},
	} {
		key, typ := flexroles.WorkerKey(name)
		assert.Equal(t, want, [2]string{key, typ}, "%q", name)
	}
}
