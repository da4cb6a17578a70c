// Package mdtext finds parts of the project's Markdown documents exactly as
// written, for the tests that run what the docs show, in every module.
//
// The rules, in order:
//
//  1. A heading is a whole line, written with its #s ("## Configuration"),
//     or any other whole line standing before a block ("and this
//     Deployment:").
//  2. [Section] is the text after a heading up to the next heading of the
//     same or a higher level (a line starting "# ", "## " or "### ", up to
//     the heading's own level), or to the end.
//  3. [Block] is the body of the first fenced block of a language after a
//     heading (a line "```yaml" up to the next line starting "```"), with
//     its last newline; "" when the block is not closed.
//  4. Either returns an error naming what is not there: the heading, or
//     the block after it.
package mdtext

import (
	"fmt"
	"strings"
)

// Section returns the text of doc after the line heading up to the next
// heading of the same or a higher level (rule 2).
func Section(doc, heading string) (string, error) {
	i := strings.Index(doc, "\n"+heading+"\n")
	if i < 0 {
		return "", fmt.Errorf("no heading %q", heading)
	}
	level := heading[:strings.Index(heading, " ")+1]
	rest := doc[i+1+len(heading):]
	for _, h := range []string{"\n# ", "\n## ", "\n### "} {
		if len(h)-2 > len(level)-1 {
			break
		}
		if j := strings.Index(rest, h); j >= 0 {
			rest = rest[:j]
		}
	}
	return rest, nil
}

// Block returns the body of the first fenced block of language lang after
// the line heading in doc (rule 3).
func Block(doc, heading, lang string) (string, error) {
	i := strings.Index(doc, "\n"+heading+"\n")
	if i < 0 {
		return "", fmt.Errorf("no heading %q", heading)
	}
	s := doc[i:]
	open := "\n```" + lang + "\n"
	j := strings.Index(s, open)
	if j < 0 {
		return "", fmt.Errorf("no %s block after %q", lang, heading)
	}
	s = s[j+len(open):]
	return s[:strings.Index(s, "\n```")+1], nil
}
