package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Report prints findings as Auditor.Run hands them over (Add) and the
// summary at the end (Finish). JSONReport and TableReport implement it.
type Report interface {
	Add(findings []Finding) error
	Finish(w io.Writer, s Stats) error
}

// JSONReport writes each finding as one JSON object per line, as it comes:
// {"line":3,"sid":"WK…","friendly_name":"…","rule":"…","level":"error","message":"…"},
// with line, sid and friendly_name left out when unknown. It writes no
// summary.
type JSONReport struct {
	w   io.Writer
	buf []byte
}

// NewJSONReport returns a JSONReport that writes to w.
func NewJSONReport(w io.Writer) *JSONReport { return &JSONReport{w: w} }

// Add writes findings, one JSON object a line.
func (r *JSONReport) Add(fs []Finding) error {
	r.buf = r.buf[:0]
	for i := range fs {
		b, err := json.Marshal(&fs[i])
		if err != nil {
			return err
		}
		r.buf = append(append(r.buf, b...), '\n')
	}
	_, err := r.w.Write(r.buf)
	return err
}

// Finish writes nothing: JSON lines have no summary.
func (r *JSONReport) Finish(io.Writer, Stats) error { return nil }

// maxExamples is how many findings of one rule the table lists; --json
// gives them all.
const maxExamples = 20

// TableReport groups findings by rule, errors first, with counts.
type TableReport struct {
	groups map[string]*ruleGroup
}

// ruleGroup is one rule's findings: how many, and the first few.
type ruleGroup struct {
	rule, level string
	count       int
	examples    []Finding
}

// NewTableReport returns an empty TableReport.
func NewTableReport() *TableReport { return &TableReport{groups: map[string]*ruleGroup{}} }

// Add takes findings into their rules' groups.
func (r *TableReport) Add(fs []Finding) error {
	for _, f := range fs {
		g := r.groups[f.Rule]
		if g == nil {
			g = &ruleGroup{rule: f.Rule, level: f.Level}
			r.groups[f.Rule] = g
		}
		g.count++
		if len(g.examples) < maxExamples {
			g.examples = append(g.examples, f)
		}
	}
	return nil
}

// Finish writes the table and the counts to w.
func (r *TableReport) Finish(w io.Writer, s Stats) error {
	groups := make([]*ruleGroup, 0, len(r.groups))
	for _, g := range r.groups {
		groups = append(groups, g)
	}
	sortGroups(groups)
	var b strings.Builder
	for _, g := range groups {
		fmt.Fprintf(&b, "%-7s  %s  (%s)\n", g.level, g.rule, plural(g.count, "finding"))
		for _, f := range g.examples {
			b.WriteString("    " + workerLabel(f) + "\n        " + f.Message + "\n")
		}
		if g.count > len(g.examples) {
			fmt.Fprintf(&b, "    … and %d more; --json lists them all\n", g.count-len(g.examples))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s audited: %d with findings, %s, %s\n",
		plural(s.Workers, "worker"), s.WithFindings, plural(s.Errors, "error"), plural(s.Warnings, "warning"))
	_, err := io.WriteString(w, b.String())
	return err
}

// workerLabel names a worker in the table: SID, friendly name and line.
func workerLabel(f Finding) string {
	parts := make([]string, 0, 3)
	if f.SID != "" {
		parts = append(parts, f.SID)
	}
	if f.FriendlyName != "" {
		parts = append(parts, f.FriendlyName)
	}
	if f.Line > 0 {
		parts = append(parts, "line "+strconv.Itoa(f.Line))
	}
	if len(parts) == 0 {
		return "(worker)"
	}
	return strings.Join(parts, "  ")
}

// sortGroups orders rule groups errors first, then by rule id.
func sortGroups(gs []*ruleGroup) {
	less := func(a, b *ruleGroup) bool {
		if a.level != b.level {
			return a.level == LevelError
		}
		return a.rule < b.rule
	}
	for i := 1; i < len(gs); i++ {
		for j := i; j > 0 && less(gs[j], gs[j-1]); j-- {
			gs[j], gs[j-1] = gs[j-1], gs[j]
		}
	}
}

// plural returns n and noun, with an "s" unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
