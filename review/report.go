package review

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// MarkdownRows is how many changed users MarkdownReporter lists at most: a
// pull-request comment is limited to 65,536 characters.
const MarkdownRows = 100

// Reporter prints a review as it goes: Start with the names of the two
// policies and the RenameNotes, Change with each change, Finish with the
// summary. It writes to a bufio.Writer, whose Flush reports any error.
// TextReporter, JSONReporter and MarkdownReporter implement it.
type Reporter interface {
	Start(oldSrc, newSrc string, notes []RenameNote)
	Change(c *Change)
	Finish(s *Summary)
}

// TextReporter prints the readable form: each changed user as it is found,
// then the summary.
type TextReporter struct {
	w     *bufio.Writer
	users string // the users file, for positions
}

// NewTextReporter returns a TextReporter writing to w; users names the
// IdP export in positions, as "users.csv:12".
func NewTextReporter(w *bufio.Writer, users string) *TextReporter {
	return &TextReporter{w: w, users: users}
}

// Start begins the output.
func (t *TextReporter) Start(oldSrc, newSrc string, notes []RenameNote) {
	fmt.Fprintf(t.w, "Comparing %s (old) with %s (new) for the users of %s\n", oldSrc, newSrc, t.users)
	for _, n := range notes {
		fmt.Fprintf(t.w, "note: %s\n", n.Text(strconv.Quote))
	}
	fmt.Fprintln(t.w)
}

// Change prints one user as
//
//	~ EMAIL (FILE:LINE)
//	    + ROLE   FROM
//	    - ROLE   was FROM
//	    insights + CAP, - CAP
//
// with "~" for other roles, "-" newly refused, "+" newly admitted and "!"
// refused on both sides for other reasons.
func (t *TextReporter) Change(c *Change) {
	w := t.w
	at := c.Email + " (" + t.users + ":" + strconv.Itoa(c.Line) + ")"
	switch c.Change {
	case ChangeRoles:
		fmt.Fprintf(w, "~ %s\n", at)
	case ChangeRefused:
		fmt.Fprintf(w, "- %s: newly refused by %s\n", at, c.New.Refused.By)
	case ChangeAdmitted:
		fmt.Fprintf(w, "+ %s: newly admitted, was refused by %s\n", at, c.Old.Refused.By)
	case ChangeRefusal:
		fmt.Fprintf(w, "! %s: still refused, now by %s, was by %s\n", at, c.New.Refused.By, c.Old.Refused.By)
	}
	width := 0
	for _, list := range [][]RoleChange{c.Gained, c.Lost} {
		for _, r := range list {
			width = max(width, len(r.Role))
		}
	}
	for _, r := range c.Gained {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("    + %-*s  %s", width, r.Role, fromText(r.From, "")), " "))
	}
	for _, r := range c.Lost {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("    - %-*s  %s", width, r.Role, fromText(r.From, "was ")), " "))
	}
	if len(c.GainedInsights)+len(c.LostInsights) > 0 {
		fmt.Fprintf(w, "    insights %s\n", insightsChange(c.GainedInsights, c.LostInsights))
	}
	if c.Change == ChangeRefused || c.Change == ChangeRefusal {
		fmt.Fprintf(w, "    %s\n", c.New.Refused.Message)
	}
	if len(c.FailedOn) > 0 {
		fmt.Fprintf(w, "    fails on %s\n", strings.Join(c.FailedOn, ", "))
	}
}

// fromText says what gives a role, "" when nothing the diff can name does.
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

// Finish ends the output with the summary: the changes, or "No change"
// when every user was judged and none changes; then the users not judged,
// by cause, each with its first user and the refusal.
func (t *TextReporter) Finish(s *Summary) {
	switch {
	case s.Changed > 0:
		fmt.Fprintf(t.w, "\n%s\n", headline(s))
		for _, l := range s.lines() {
			fmt.Fprintf(t.w, "  %s: %s\n", l.text(), users(l.users))
		}
	case s.NotJudged == 0:
		fmt.Fprintf(t.w, "No change: the %s of %s %s.\n", users(s.Users), t.users, pick(s.Users, "keeps its outcome", "keep their outcome"))
	}
	if s.NotJudged > 0 {
		if s.Changed > 0 {
			fmt.Fprintln(t.w)
		}
		fmt.Fprintf(t.w, "Not judged: %s\n", notJudgedHeadline(s))
		for _, l := range sortedCounts(s.NotJudgedBy, "") {
			first := s.NotJudgedFirst[l.item]
			fmt.Fprintf(t.w, "  %s: %s, first %s (%s:%d): %s\n", l.item, users(l.users), first.Email, t.users, first.Line, first.Message)
		}
		if judged := s.Judged(); s.Changed == 0 && judged > 0 {
			fmt.Fprintf(t.w, "The other %s %s.\n", users(judged), pick(judged, "keeps its outcome", "keep their outcome"))
		}
	}
	for _, l := range sortedCounts(s.FailedOn, "fails on") {
		fmt.Fprintf(t.w, "%s: %s\n", l.text(), users(l.users))
	}
	if len(s.Absent) > 0 {
		fmt.Fprintf(t.w, "note: %s\n", absentNote(s.Absent, strconv.Quote))
	}
}

// absentNote says that no user carries the attributes absent, which the
// policies' conditions test, with quote the way each name is shown.
func absentNote(absent []string, quote func(string) string) string {
	names := make([]string, len(absent))
	for i, a := range absent {
		names[i] = quote(a)
	}
	return fmt.Sprintf("no user of the export carries %s, which the policies' rules test: a condition on %s holds for no one here; check the export's column names",
		strings.Join(names, ", "), pick(len(absent), "it", "them"))
}

// pick returns one when n is 1, else many.
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// headline is the summary's first line: how many users change and how.
func headline(s *Summary) string {
	var how []string
	for _, part := range []struct {
		n    int
		what string
	}{
		{s.Gaining, pick(s.Gaining, "gains roles", "gain roles")}, {s.Losing, pick(s.Losing, "loses roles", "lose roles")},
		{s.NewlyRefused, "newly refused"},
		{s.NewlyAdmitted, "newly admitted"}, {s.RefusalChanged, "refused for another reason"},
	} {
		if part.n > 0 {
			how = append(how, strconv.Itoa(part.n)+" "+part.what)
		}
	}
	return fmt.Sprintf("%d of %s %s: %s.", s.Changed, users(s.Users), pick(s.Changed, "changes", "change"), strings.Join(how, ", "))
}

// notJudgedHeadline says how many users were not judged and why, for the
// text and Markdown forms.
func notJudgedHeadline(s *Summary) string {
	return fmt.Sprintf("%d of %s %s refused under both policies for what the export does not give %s, so no rule could judge %s and this review cannot say what the change does to %s; fix the export and compare again.",
		s.NotJudged, users(s.Users), pick(s.NotJudged, "is", "are"), pick(s.NotJudged, "it", "them"), pick(s.NotJudged, "that user", "them"), pick(s.NotJudged, "that user", "them"))
}

// JSONReporter prints one JSON document, streaming the changes:
// {"old":OLD,"new":NEW,"changes":[Change...],"summary":Summary}.
type JSONReporter struct {
	w *bufio.Writer
	n int
}

// NewJSONReporter returns a JSONReporter writing to w.
func NewJSONReporter(w *bufio.Writer) *JSONReporter { return &JSONReporter{w: w} }

// Start begins the output.
func (j *JSONReporter) Start(oldSrc, newSrc string, _ []RenameNote) { // the notes go in the summary
	fmt.Fprintf(j.w, "{\"old\":%s,\"new\":%s,\"changes\":[", jsonString(oldSrc), jsonString(newSrc))
}

// Change writes one change of the "changes" array.
func (j *JSONReporter) Change(c *Change) {
	if j.n > 0 {
		fmt.Fprint(j.w, ",")
	}
	j.n++
	fmt.Fprint(j.w, "\n")
	writeJSON(j.w, c)
}

// Finish ends the output with the summary.
func (j *JSONReporter) Finish(s *Summary) {
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
	_, _ = w.Write(b) // a bufio.Writer keeps its error for Flush, which the caller checks
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// MarkdownReporter prints Markdown for a pull-request comment: the summary
// first, so it keeps the table rows of the first changes, up to
// MarkdownRows rows and markdownBytes bytes, until the end.
type MarkdownReporter struct {
	w              *bufio.Writer
	oldSrc, newSrc string
	notes          []RenameNote
	rows           []string
	size           int
	full           bool // a row did not fit: no more are kept
}

// NewMarkdownReporter returns a MarkdownReporter writing to w.
func NewMarkdownReporter(w *bufio.Writer) *MarkdownReporter { return &MarkdownReporter{w: w} }

// MarkdownMarker begins every Markdown comment, so that a workflow can find
// and update its own comment on a pull request.
const MarkdownMarker = "<!-- flexroles diff -->"

// markdownBytes bounds the table of users, so that the whole comment
// stays under GitHub's limit of 65,536 characters.
const markdownBytes = 48 << 10

// Start begins the output.
func (m *MarkdownReporter) Start(oldSrc, newSrc string, notes []RenameNote) {
	m.oldSrc, m.newSrc, m.notes = oldSrc, newSrc, notes
}

// Change keeps the change's table row while there is room.
func (m *MarkdownReporter) Change(c *Change) {
	if m.full || len(m.rows) == MarkdownRows {
		return
	}
	row := fmt.Sprintf("| %s | %d | %s | %s | %s |\n", mdCode(c.Email), c.Line, mdSide(c.Old), mdSide(c.New), mdWhy(c))
	if m.size+len(row) > markdownBytes {
		m.full = true
		return
	}
	m.rows = append(m.rows, row)
	m.size += len(row)
}

// Finish ends the output with the summary.
func (m *MarkdownReporter) Finish(s *Summary) {
	w := m.w
	fmt.Fprint(w, MarkdownMarker+"\n")
	fmt.Fprintf(w, "### Flex role policy: %s → %s\n\n", mdCode(m.oldSrc), mdCode(m.newSrc))
	for _, n := range m.notes {
		fmt.Fprintf(w, "> [!NOTE]\n> %s\n\n", n.Text(mdCode))
	}
	if len(s.Absent) > 0 {
		fmt.Fprintf(w, "> [!NOTE]\n> %s\n\n", absentNote(s.Absent, mdCode))
	}
	if s.NotJudged > 0 {
		fmt.Fprintf(w, "> [!WARNING]\n> **Not judged:** %s\n>\n", md(notJudgedHeadline(s)))
		for _, l := range sortedCounts(s.NotJudgedBy, "") {
			first := s.NotJudgedFirst[l.item]
			fmt.Fprintf(w, "> - %s: %s, first %s (line %d)\n", mdCode(l.item), users(l.users), mdCode(first.Email), first.Line)
		}
		fmt.Fprintln(w)
	}
	if s.Changed == 0 {
		if s.NotJudged == 0 {
			fmt.Fprintf(w, "No change: the %s %s.\n", users(s.Users), pick(s.Users, "keeps its roles and Insights capabilities", "keep their roles and Insights capabilities"))
		} else if judged := s.Judged(); judged > 0 {
			fmt.Fprintf(w, "The other %s %s.\n", users(judged), pick(judged, "keeps its roles and Insights capabilities", "keep their roles and Insights capabilities"))
		}
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
		for _, l := range sortedCounts(s.FailedOn, "") {
			items = append(items, mdCode(l.item)+" "+users(l.users))
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

// mdSide is one Side of a change in a table cell: the roles, or why the
// login is refused.
func mdSide(s Side) string {
	if s.Refused != nil {
		return "refused by " + mdCode(s.Refused.By)
	}
	roles := make([]string, len(s.Roles))
	for i, r := range s.Roles {
		roles[i] = mdCode(r)
	}
	return strings.Join(roles, " ")
}

// mdWhy lists the roles and capabilities gained and lost with their rules.
func mdWhy(c *Change) string {
	var parts []string
	for _, r := range c.Gained {
		parts = append(parts, "+"+mdCode(r.Role)+mdFrom(r.From, ""))
	}
	for _, r := range c.Lost {
		parts = append(parts, "−"+mdCode(r.Role)+mdFrom(r.From, "was "))
	}
	if len(c.GainedInsights)+len(c.LostInsights) > 0 {
		var caps []string
		for _, cp := range c.GainedInsights {
			caps = append(caps, "+"+mdCode(cp))
		}
		for _, cp := range c.LostInsights {
			caps = append(caps, "−"+mdCode(cp))
		}
		parts = append(parts, "Insights "+strings.Join(caps, " "))
	}
	return strings.Join(parts, "<br>")
}

// mdFrom is " from A, B" with each source as code, prefix before "from".
func mdFrom(from []string, prefix string) string {
	if len(from) == 0 {
		return ""
	}
	parts := make([]string, len(from))
	for i, f := range from {
		parts[i] = mdCode(f)
	}
	return " " + prefix + "from " + strings.Join(parts, ", ")
}

// md escapes the command's own text for a Markdown table cell: Markdown and
// HTML punctuation is backslash-escaped and line breaks become spaces.
// Text from the policy or the users file goes through mdCode instead.
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

// mdCode is s as an inline code span, which GitHub shows as text: no link,
// autolink, mention, issue reference, emoji or markup. The fence is one
// backtick longer than the longest run of backticks in s, "|" is escaped
// as a table cell needs, and line breaks become spaces.
func mdCode(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "|", `\|`).Replace(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if s == "" || s[0] == '`' || s[len(s)-1] == '`' {
		s = " " + s + " "
	}
	return fence + s + fence
}
