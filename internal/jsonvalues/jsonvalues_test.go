package jsonvalues_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/flexroles/flexroles/internal/jsonvalues"
	"github.com/stretchr/testify/require"
)

// values reads every value of input and returns them as "LINE:TEXT" or
// "LINE!ERROR", with the error that ended the input.
func values(input string) ([]string, error) {
	r := jsonvalues.NewReader(strings.NewReader(input))
	var out []string
	for {
		v, err := r.Next(nil)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if v.Err != nil {
			out = append(out, fmt.Sprintf("%d!%v", v.Line, v.Err))
		} else {
			out = append(out, fmt.Sprintf("%d:%s", v.Line, strings.TrimSpace(string(v.Data))))
		}
	}
}

// TestReader checks the forms of the package doc, in order, with the line
// each value starts on.
func TestReader(t *testing.T) {
	for _, tt := range []struct {
		name, input string
		want        []string
		wantErr     string
	}{
		{name: "array", input: "[{\"a\":1},\n {\"b\":[2]}]\n", want: []string{`1:{"a":1}`, `2:{"b":[2]}`}},
		{name: "ndjson", input: "{\"a\":1}\n{\"b\":\n{\"c\":3}\n", want: []string{`1:{"a":1}`, `2:{"b":`, `3:{"c":3}`}},
		{name: "objects over lines", input: "{\n \"workers\": []\n}\n{\"a\":1}", want: []string{"1:{\n \"workers\": []\n}", `4:{"a":1}`}},
		{name: "byte order mark", input: "\xEF\xBB\xBF[1]", want: []string{"1:1"}},
		{name: "not JSON values", input: "email,name\n", wantErr: "line 1: " + jsonvalues.ErrNotWorkers.Error()},
		{name: "open array", input: "[{\"a\":1},\n", want: []string{`1:{"a":1}`}, wantErr: "line 2: the array of workers is not closed"},
		{name: "cut short", input: "{\n\"a\":", want: []string{"1!the input ends inside this record"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := values(tt.input)
			require.Equal(t, tt.want, got)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.EqualError(t, err, tt.wantErr)
			}
		})
	}
}

// TestInFile checks that an error at a line prints as FILE:LINE.
func TestInFile(t *testing.T) {
	require.EqualError(t, jsonvalues.InFile("w.json", jsonvalues.LineErrorf(3, "bad %s", "thing")), "w.json:3: bad thing")
	require.EqualError(t, jsonvalues.InFile("w.json", errors.New("empty")), "w.json: empty")
}
