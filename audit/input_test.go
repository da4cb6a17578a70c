package audit_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles/audit"
	"github.com/flexroles/flexroles/internal/jsonvalues"
)

// TestInputErrors checks the errors of input that File cannot read as a
// whole, which end the audit: each says what is wrong and, when it is at a
// line, which.
func TestInputErrors(t *testing.T) {
	tests := []struct {
		name     string
		reason   string
		input    string
		wantLine int // the error's line; 0 for the input as a whole
		want     string
	}{
		{
			name:   "empty input",
			reason: "no workers at all is no input, not a clean audit",
			want:   "input is empty",
		},
		{
			name:   "blank input",
			reason: "white space only is empty input",
			input:  " \n\t\r\n\n",
			want:   "input is empty",
		},
		{
			name:     "not JSON",
			reason:   "input must be JSON workers; hello is not",
			input:    "hello\n",
			wantLine: 1,
			want:     "input is not JSON workers",
		},
		{
			name:     "not JSON after blank lines",
			reason:   "the error gives the line where the input starts",
			input:    "\n\nsid,attributes\n",
			wantLine: 3,
			want:     "input is not JSON workers",
		},
		{
			name:     "a number",
			reason:   "a top-level number is not workers",
			input:    "42\n",
			wantLine: 1,
			want:     "input is not JSON workers",
		},
		{
			name:     "unclosed array",
			reason:   "an array without its ] was cut short: the whole input is suspect",
			input:    "[\n" + `{"sid":"WK1","attributes":{"roles":["agent"]}}` + ",\n",
			wantLine: 3,
			want:     "the array of workers is not closed",
		},
		{
			name:     "unclosed array inside a worker",
			reason:   "an array cut inside its last worker is still an unclosed array",
			input:    "[\n" + `{"sid":"WK1","attributes":{"roles":["ag`,
			wantLine: 2,
			want:     "the array of workers is not closed",
		},
		{
			name:     "text after the array",
			reason:   "the array is the whole input",
			input:    "[]\nx\n",
			wantLine: 2,
			want:     "after the array of workers",
		},
		{
			name:     "array elements without a comma",
			reason:   "the array's own syntax is broken, not one worker",
			input:    "[\n" + `{"sid":"WK1","attributes":{}}` + "\n" + `{"sid":"WK2","attributes":{}}` + "\n]\n",
			wantLine: 3,
			want:     "want , or ] between workers",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var a audit.Auditor
			_, err := a.Run(audit.NewFile(strings.NewReader(tt.input)), func([]audit.Finding, int) error { return nil })
			require.Error(t, err, "the input cannot be read (audit exits 2); %s", tt.reason)
			assert.Contains(t, err.Error(), tt.want, tt.reason)
			var le *jsonvalues.LineError
			if tt.wantLine == 0 {
				assert.False(t, errors.As(err, &le), "an error of the input as a whole, at no line: %v; %s", err, tt.reason)
				return
			}
			if assert.True(t, errors.As(err, &le), "an error at a line: %v; %s", err, tt.reason) {
				assert.Equal(t, tt.wantLine, le.Line, tt.reason)
			}
		})
	}
}
