package mdtext

import "testing"

const doc = "# Title\n\n## Setup\n\nRun:\n\n```sh\ngo test work\n```\n\n### Detail\n\n```yaml\na: 1\n```\n\n## Next\n\nand this file:\n\n```yaml\nb: 2\n```\n"

func TestSection(t *testing.T) {
	for _, tc := range []struct{ heading, want, err string }{
		{"## Setup", "\n\nRun:\n\n```sh\ngo test work\n```\n\n### Detail\n\n```yaml\na: 1\n```\n", ""},
		{"### Detail", "\n\n```yaml\na: 1\n```\n", ""},
		{"## Next", "\n\nand this file:\n\n```yaml\nb: 2\n```\n", ""},
		{"## Missing", "", `no heading "## Missing"`},
	} {
		got, err := Section(doc, tc.heading)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("Section(%q) = %q, %v; want %q, %q", tc.heading, got, err, tc.want, tc.err)
		}
	}
}

func TestBlock(t *testing.T) {
	for _, tc := range []struct{ heading, lang, want, err string }{
		{"## Setup", "sh", "go test work\n", ""},
		{"## Setup", "yaml", "a: 1\n", ""}, // the first after the heading, past a subheading
		{"and this file:", "yaml", "b: 2\n", ""},
		{"## Next", "sh", "", `no sh block after "## Next"`},
		{"## Missing", "sh", "", `no heading "## Missing"`},
	} {
		got, err := Block(doc, tc.heading, tc.lang)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("Block(%q, %q) = %q, %v; want %q, %q", tc.heading, tc.lang, got, err, tc.want, tc.err)
		}
	}
	if got, err := Block("\n## Open\n```sh\nnever closed\n", "## Open", "sh"); got != "" || err != nil {
		t.Errorf("an unclosed block: %q, %v; want \"\", nil", got, err)
	}
}
