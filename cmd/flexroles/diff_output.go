package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// diffWriter prints a diff as it goes: start, each change, then finish.
type diffWriter interface {
	start(oldSrc, newSrc string)
	change(c *userChange)
	finish(s *diffSummary)
}

// diffText prints the readable form: each changed user as it is found,
// then the summary.
type diffText struct {
	w     *bufio.Writer
	users string // the users file, for positions
}

func (t *diffText) start(oldSrc, newSrc string) {
	fmt.Fprintf(t.w, "Comparing %s (old) with %s (new) for the users of %s\n\n", oldSrc, newSrc, t.users)
}

// change prints one user as
//
//	~ EMAIL (FILE:LINE)
//	    + ROLE   FROM
//	    - ROLE   was FROM
//	    insights + CAP, - CAP
//
// with "~" for other roles, "-" newly refused, "+" newly admitted and "!"
// refused on both sides for other reasons.
func (t *diffText) change(c *userChange) {
	w := t.w
	at := c.Email + " (" + t.users + ":" + strconv.Itoa(c.Line) + ")"
	switch c.Change {
	case changeRoles:
		fmt.Fprintf(w, "~ %s\n", at)
	case changeRefused:
		fmt.Fprintf(w, "- %s: newly refused by %s\n", at, c.New.Refused.By)
	case changeAdmitted:
		fmt.Fprintf(w, "+ %s: newly admitted, was refused by %s\n", at, c.Old.Refused.By)
	case changeRefusal:
		fmt.Fprintf(w, "! %s: still refused, now by %s, was by %s\n", at, c.New.Refused.By, c.Old.Refused.By)
	}
	width := 0
	for _, list := range [][]roleChange{c.Gained, c.Lost} {
		for _, r := range list {
			width = max(width, len(r.Role))
		}
	}
	for _, r := range c.Gained {
		fmt.Fprintf(w, "    + %-*s  %s\n", width, r.Role, fromText(r.From, ""))
	}
	for _, r := range c.Lost {
		fmt.Fprintf(w, "    - %-*s  %s\n", width, r.Role, fromText(r.From, "was "))
	}
	if len(c.GainedInsights)+len(c.LostInsights) > 0 {
		fmt.Fprintf(w, "    insights %s\n", insightsChange(c.GainedInsights, c.LostInsights))
	}
	if c.Change == changeRefused || c.Change == changeRefusal {
		fmt.Fprintf(w, "    %s\n", c.New.Refused.Message)
	}
	if len(c.FailedOn) > 0 {
		fmt.Fprintf(w, "    fails on %s\n", strings.Join(c.FailedOn, ", "))
	}
}

// fromText says what gives a role, "by nothing" when nothing does.
func fromText(from []string, prefix string) string {
	if len(from) == 0 {
		return ""
	}
	return prefix + "from " + strings.Join(from, ", ")
}

// insightsChange is "+ a, + b, - c".
func insightsChange(gained, lost []string) string {
	parts := make([]string, 0, len(gained)+len(lost))
	for _, cp := range gained {
		parts = append(parts, "+ "+cp)
	}
	for _, cp := range lost {
		parts = append(parts, "- "+cp)
	}
	return strings.Join(parts, ", ")
}

func (t *diffText) finish(s *diffSummary) {
	if s.Changed == 0 {
		fmt.Fprintf(t.w, "No change: the %s of %s keep their outcome.\n", users(s.Users), t.users)
	} else {
		fmt.Fprintf(t.w, "\n%s\n", headline(s))
		for _, l := range s.lines() {
			fmt.Fprintf(t.w, "  %s: %s\n", l.text(), users(l.users))
		}
	}
	for _, item := range sortedCounts(s.FailedOn, "") {
		fmt.Fprintf(t.w, "fails on %s: %s\n", item.what, users(item.users))
	}
}

// headline is the summary's first line: how many users change and how.
func headline(s *diffSummary) string {
	var how []string
	for _, part := range []struct {
		n    int
		what string
	}{
		{s.Gaining, "gain roles"}, {s.Losing, "lose roles"}, {s.NewlyRefused, "newly refused"},
		{s.NewlyAdmitted, "newly admitted"}, {s.RefusalChanged, "refused for another reason"},
	} {
		if part.n > 0 {
			how = append(how, strconv.Itoa(part.n)+" "+part.what)
		}
	}
	verb := "change"
	if s.Changed == 1 {
		verb = "changes"
	}
	return fmt.Sprintf("%d of %s %s: %s.", s.Changed, users(s.Users), verb, strings.Join(how, ", "))
}

// diffJSON prints one JSON document, streaming the changes.
type diffJSON struct {
	w *bufio.Writer
	n int
}

func (j *diffJSON) start(oldSrc, newSrc string) {
	fmt.Fprintf(j.w, "{\"old\":%s,\"new\":%s,\"changes\":[", jsonString(oldSrc), jsonString(newSrc))
}

func (j *diffJSON) change(c *userChange) {
	if j.n > 0 {
		fmt.Fprint(j.w, ",")
	}
	j.n++
	fmt.Fprint(j.w, "\n")
	writeJSON(j.w, c)
}

func (j *diffJSON) finish(s *diffSummary) {
	if j.n > 0 {
		fmt.Fprint(j.w, "\n")
	}
	fmt.Fprint(j.w, "],\"summary\":")
	writeJSON(j.w, s)
	fmt.Fprint(j.w, "}\n")
}

// writeJSON writes v, which only holds strings, numbers, slices and maps
// of them and so always encodes.
func writeJSON(w *bufio.Writer, v any) {
	b, _ := json.Marshal(v)
	_, _ = w.Write(b) // a bufio.Writer keeps its error for Flush, which runDiff checks
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// diffMarkdown prints Markdown for a pull-request comment: the summary
// first, so it keeps the table rows of the first changes, up to
// diffMarkdownRows rows and diffMarkdownBytes bytes, until the end.
type diffMarkdown struct {
	w              *bufio.Writer
	oldSrc, newSrc string
	rows           []string
	size           int
	full           bool // a row did not fit: no more are kept
}

// diffMarkdownBytes bounds the table of users, so that the whole comment
// stays under GitHub's limit of 65,536 characters.
const diffMarkdownBytes = 48 << 10

func (m *diffMarkdown) start(oldSrc, newSrc string) { m.oldSrc, m.newSrc = oldSrc, newSrc }

func (m *diffMarkdown) change(c *userChange) {
	if m.full || len(m.rows) == diffMarkdownRows {
		return
	}
	row := fmt.Sprintf("| %s | %d | %s | %s | %s |\n", md(c.Email), c.Line, mdSide(c.Old), mdSide(c.New), mdWhy(c))
	if m.size+len(row) > diffMarkdownBytes {
		m.full = true
		return
	}
	m.rows = append(m.rows, row)
	m.size += len(row)
}

func (m *diffMarkdown) finish(s *diffSummary) {
	w := m.w
	fmt.Fprintf(w, "### Flex role policy: %s → %s\n\n", mdCode(m.oldSrc), mdCode(m.newSrc))
	if s.Changed == 0 {
		fmt.Fprintf(w, "No change: the %s keep their roles and Insights capabilities.\n", users(s.Users))
		return
	}
	fmt.Fprintf(w, "**%s**\n\n", headline(s)) // numbers and fixed words only
	fmt.Fprint(w, "| change | users |\n|---|---:|\n")
	for _, l := range s.lines() {
		what := md(l.what)
		if l.item != "" {
			what += " " + mdCode(l.item)
		}
		fmt.Fprintf(w, "| %s | %d |\n", what, l.users)
	}
	if len(s.FailedOn) > 0 {
		var items []string
		for _, item := range sortedCounts(s.FailedOn, "") {
			items = append(items, mdCode(item.what)+" "+users(item.users))
		}
		fmt.Fprintf(w, "\n> [!CAUTION]\n> This change fails the review on %s.\n", strings.Join(items, ", "))
	}
	title := fmt.Sprintf("The %s who change", users(s.Changed))
	if s.Changed == 1 {
		title = "The user who changes"
	}
	if s.Changed > len(m.rows) {
		title = fmt.Sprintf("The first %d of %s who change (run flexroles diff for all)", len(m.rows), users(s.Changed))
	}
	fmt.Fprintf(w, "\n<details><summary>%s</summary>\n\n", title)
	fmt.Fprint(w, "| user | line | before | after | why |\n|---|---:|---|---|---|\n")
	for _, row := range m.rows {
		fmt.Fprint(w, row)
	}
	fmt.Fprint(w, "\n</details>\n")
}

// mdSide is one side of a change in a table cell: the roles, or why the
// login is refused.
func mdSide(s side) string {
	if s.Refused != nil {
		return "refused by " + md(s.Refused.By)
	}
	roles := make([]string, len(s.Roles))
	for i, r := range s.Roles {
		roles[i] = mdCode(r)
	}
	return strings.Join(roles, " ")
}

// mdWhy lists the roles and capabilities gained and lost with their rules.
func mdWhy(c *userChange) string {
	var parts []string
	for _, r := range c.Gained {
		parts = append(parts, "+"+mdCode(r.Role)+" "+md(fromText(r.From, "")))
	}
	for _, r := range c.Lost {
		parts = append(parts, "−"+mdCode(r.Role)+" "+md(fromText(r.From, "was ")))
	}
	if len(c.GainedInsights)+len(c.LostInsights) > 0 {
		parts = append(parts, "Insights "+md(insightsChange(c.GainedInsights, c.LostInsights)))
	}
	return strings.Join(parts, "<br>")
}

// md escapes text from the policy or the users file for a Markdown table
// cell: Markdown and HTML punctuation is backslash-escaped and line breaks
// become spaces, so nothing in the input can format, link or break the
// table.
func md(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			b.WriteByte(' ')
		case strings.ContainsRune("\\`*_[]<>|~&@:", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode is s as inline code, escaped as md escapes text when it holds a
// backtick or a line break that a code span cannot take.
func mdCode(s string) string {
	if strings.ContainsAny(s, "`\n\r|") {
		return md(s)
	}
	return "`" + s + "`"
}
