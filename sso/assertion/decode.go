package assertion

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxSize bounds a SAML response as XML. Real ones are a few kilobytes; a
// larger one is refused before it is parsed. Its encoded form may be up to
// twice as long.
const MaxSize = 256 << 10

// Decode turns a SAMLResponse as it reaches a service provider or is copied
// from a browser into its XML. It takes the XML itself; the base64 value of
// the SAMLResponse form field (standard or URL alphabet, padded or not,
// wrapped or not); that value URL-encoded; a whole form body such as
// "SAMLResponse=...&RelayState=..." (fields in any order); and a deflated
// response (HTTP-Redirect encoding). It returns ErrUnreadable, saying why,
// for anything else, and for input over twice MaxSize or XML over MaxSize.
func Decode(in []byte) ([]byte, error) {
	if len(in) > 2*MaxSize {
		return nil, errorf(ErrUnreadable, fmt.Sprintf("the SAMLResponse is %d bytes, over the limit of %d", len(in), 2*MaxSize))
	}
	s := strings.TrimSpace(string(in))
	s = strings.TrimPrefix(s, "\ufeff")
	if s == "" {
		return nil, errorf(ErrUnreadable, "the SAMLResponse is empty")
	}
	if strings.HasPrefix(s, "<") {
		return checkXML([]byte(s))
	}
	s = formField(s)
	if strings.Contains(s, "%") {
		// PathUnescape keeps '+': base64 uses it, and a form encoder
		// would have written it as %2B.
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, errorf(ErrUnreadable, "the SAMLResponse is neither base64 nor URL-encoded base64: "+err.Error())
		}
		s = u
	}
	raw, err := decodeBase64(s)
	if err != nil {
		return nil, err
	}
	if looksLikeXML(raw) {
		return checkXML(raw)
	}
	inflated, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(raw)), MaxSize+1))
	if err != nil {
		return nil, errorf(ErrUnreadable, "the SAMLResponse decodes from base64 but is neither XML nor deflated XML")
	}
	if !looksLikeXML(inflated) {
		return nil, errorf(ErrUnreadable, "the SAMLResponse inflates to something that is not XML")
	}
	return checkXML(inflated)
}

// formField returns the SAMLResponse field of a form body or query string
// ("SAMLResponse=...&RelayState=..."), or s itself when it has none.
func formField(s string) string {
	if !strings.Contains(s, "SAMLResponse=") {
		return s
	}
	for _, field := range strings.Split(s, "&") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(field), "SAMLResponse="); ok {
			return v
		}
	}
	return s
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return nil, errorf(ErrUnreadable, fmt.Sprintf("the SAMLResponse is not valid base64: %q at offset %d", c, i))
		}
	}
	if len(s)%4 == 1 {
		return nil, errorf(ErrUnreadable, fmt.Sprintf("the SAMLResponse base64 is cut short (%d characters); copy the whole value", len(s)))
	}
	raw, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, errorf(ErrUnreadable, "the SAMLResponse is not valid base64: "+err.Error())
	}
	return raw, nil
}

func looksLikeXML(b []byte) bool {
	b = bytes.TrimPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("\ufeff"))
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '<' && utf8.Valid(b)
}

func checkXML(b []byte) ([]byte, error) {
	b = bytes.TrimLeft(bytes.TrimPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("\ufeff")), " \t\r\n")
	if len(b) > MaxSize {
		return nil, errorf(ErrUnreadable, fmt.Sprintf("the SAML XML is %d bytes, over the limit of %d", len(b), MaxSize))
	}
	if !utf8.Valid(b) {
		return nil, errorf(ErrUnreadable, "the SAML XML is not valid UTF-8")
	}
	return b, nil
}
