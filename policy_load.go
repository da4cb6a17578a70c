package flexroles

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// loader walks a policy's YAML nodes, compiling what is right and noting
// every problem with its position, so that one pass reports them all.
type loader struct {
	issues []PolicyIssue
}

func (ld *loader) add(n *yaml.Node, field, msg string) {
	if n == nil {
		ld.addAt(position{}, field, msg)
		return
	}
	ld.addAt(position{n.Line, n.Column}, field, msg)
}

func (ld *loader) addAt(at position, field, msg string) {
	ld.issues = append(ld.issues, PolicyIssue{Line: at.line, Column: at.column, Field: field, Message: msg})
}

func at(n *yaml.Node) position { return position{n.Line, n.Column} }

// compilePolicy parses and checks a policy; a Policy comes back only when
// there is no issue.
func compilePolicy(data []byte) (*Policy, []PolicyIssue) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) { // only comments
			return nil, []PolicyIssue{{Line: 1, Column: 1, Message: "the policy is empty; it needs at least \"version: 1\""}}
		}
		return nil, []PolicyIssue{yamlIssue(err, data)}
	}
	ld := &loader{}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		ld.addAt(position{1, 1}, "", "the policy is not a YAML document")
		return nil, ld.issues
	}
	// A second document would be ignored by this loader: refuse it rather
	// than load half of what the author wrote.
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		ld.addAt(position{next.Line, next.Column}, "", "the file holds several YAML documents (---); a policy is one document")
		return nil, ld.issues
	}
	ld.refuseAliases(doc.Content[0], 0)
	if len(ld.issues) > 0 {
		return nil, ld.issues
	}
	p := &Policy{groups: attrGroups, sso: ssoSettings{rolesOptional: true}}
	version := false
	ld.mapping(doc.Content[0], "", func(key string, k, v *yaml.Node, field string) {
		switch key {
		case "version":
			version = true
			if n, ok := ld.integer(v, field); ok && n != 1 {
				ld.add(v, field, "unsupported version "+strconv.Itoa(n)+"; this library reads version: 1")
			}
		case "sso":
			ld.ssoSection(p, v, field)
		case "console":
			ld.consoleSection(p, v, field)
		case "tests":
			p.tests = ld.tests(v, field)
		default:
			ld.unknownKey(k, field, "version", "sso", "console", "tests")
		}
	})
	if !version && doc.Content[0].Kind == yaml.MappingNode {
		ld.add(doc.Content[0], "version", "missing \"version: 1\"")
	}
	if len(ld.issues) > 0 {
		// In file order, whatever order the checks ran in.
		slices.SortStableFunc(ld.issues, func(a, b PolicyIssue) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		return nil, ld.issues
	}
	p.compileGroups()
	p.sso.groups, p.sso.mapped = p.groups, p.attrNames
	return p, nil
}

// yamlIssue turns a YAML syntax error into an issue, with the line the
// parser names ("yaml: line 3: …").
func yamlIssue(err error, data []byte) PolicyIssue {
	msg := err.Error()
	is := PolicyIssue{Message: "not valid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
		if num, _, ok := strings.Cut(rest, ":"); ok {
			if n, err := strconv.Atoi(num); err == nil {
				is.Line = n
			}
		}
	}
	if strings.Contains(msg, "found character that cannot start any token") {
		if is.Line == 0 {
			is.Line = 1 // the parser names no line for the first
		}
		if col := tabColumn(data, is.Line); col > 0 {
			is.Message += " (tabs cannot indent YAML: use spaces)"
			is.Column = col
		}
	}
	return is
}

// tabColumn returns the 1-based column of the first tab on line, or 0.
func tabColumn(data []byte, line int) int {
	lines := bytes.Split(data, []byte("\n"))
	if line < 1 || line > len(lines) {
		return 0
	}
	return bytes.IndexByte(lines[line-1], '\t') + 1
}

// maxPolicyDepth bounds how deep the loader looks for anchors; a policy is
// a few levels deep.
const maxPolicyDepth = 64

// refuseAliases refuses anchors and aliases anywhere: a policy does not need
// them, and they make expansion bombs possible.
func (ld *loader) refuseAliases(n *yaml.Node, depth int) {
	if depth > maxPolicyDepth {
		ld.add(n, "", "the policy nests deeper than "+strconv.Itoa(maxPolicyDepth)+" levels")
		return
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		ld.add(n, "", "YAML anchors and aliases are not allowed in a policy; write each value out")
		return
	}
	for _, c := range n.Content {
		ld.refuseAliases(c, depth+1)
		if len(ld.issues) > 0 {
			return
		}
	}
}

// mapping calls each with every key of mapping node n in file order,
// refusing a node of another kind and duplicate keys.
func (ld *loader) mapping(n *yaml.Node, field string, each func(key string, k, v *yaml.Node, field string)) {
	if n.Kind != yaml.MappingNode {
		ld.add(n, field, "want a mapping (key: value lines), got "+kindName(n))
		return
	}
	seen := map[string]bool{}
	for pair := range len(n.Content) / 2 {
		k, v := n.Content[2*pair], n.Content[2*pair+1]
		if k.Kind != yaml.ScalarNode {
			ld.add(k, field, "want a plain key")
			continue
		}
		f := join(field, k.Value)
		if seen[k.Value] {
			ld.add(k, f, "duplicate key "+strconv.Quote(k.Value))
			continue
		}
		seen[k.Value] = true
		each(k.Value, k, v, f)
	}
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func index(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

func (ld *loader) unknownKey(k *yaml.Node, field string, known ...string) {
	s := suggest(k.Value, len(known), func(i int) string { return known[i] })
	ld.add(k, field, "unknown key "+strconv.Quote(k.Value)+didYouMean(s)+"; known here: "+strings.Join(known, ", "))
}

func (ld *loader) str(n *yaml.Node, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		ld.add(n, field, "want a string, got "+kindName(n))
		return "", false
	}
	return n.Value, true
}

func (ld *loader) boolean(n *yaml.Node, field string) bool {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		ld.add(n, field, "want true or false, got "+kindName(n))
		return false
	}
	return n.Value == "true"
}

func (ld *loader) integer(n *yaml.Node, field string) (int, bool) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if v, err := strconv.Atoi(n.Value); err == nil {
			return v, true
		}
	}
	ld.add(n, field, "want a whole number, got "+kindName(n))
	return 0, false
}

// strings reads a list of strings; a single string is not a list.
func (ld *loader) strings(n *yaml.Node, field string) []string {
	if n.Kind != yaml.SequenceNode {
		ld.add(n, field, "want a list, got "+kindName(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, c := range n.Content {
		if s, ok := ld.str(c, index(field, i)); ok {
			out = append(out, s)
		}
	}
	return out
}

// role reads one role for the sso section: known, not Console-only.
func (ld *loader) role(n *yaml.Node, field string) roleSet {
	s, ok := ld.str(n, field)
	if !ok {
		return 0
	}
	bit := setOf(Role(s))
	switch {
	case bit == 0:
		ld.add(n, field, "unknown role "+strconv.Quote(s)+didYouMean(suggestRole(s)))
	case bit&readOnlyPair != 0:
		ld.add(n, field, strconv.Quote(s)+" cannot come from SSO: only the Console Support role gives the read-only administrator pair")
		return 0
	}
	return bit
}

// roles reads a list of roles, each checked as role does.
func (ld *loader) roles(n *yaml.Node, field string) roleSet {
	if n.Kind != yaml.SequenceNode {
		ld.add(n, field, "want a list of roles, got "+kindName(n))
		return 0
	}
	var set roleSet
	for i, c := range n.Content {
		set |= ld.role(c, index(field, i))
	}
	return set
}

func (ld *loader) ssoSection(p *Policy, n *yaml.Node, field string) {
	var defaultNode *yaml.Node
	ld.mapping(n, field, func(key string, k, v *yaml.Node, f string) {
		switch key {
		case "attributes":
			ld.attributeNames(p, v, f)
		case "allow":
			p.allow, p.limited = ld.roles(v, f), true
			p.settingLines[settingSSOAllow] = k.Line
			if v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
				ld.add(v, f, "an empty allow list refuses every SSO login; list the roles SSO may give, or remove the key")
			}
		case "unknown_roles":
			if s, ok := ld.str(v, f); ok {
				switch s {
				case "reject":
				case "drop":
					p.sso.dropUnknown = true
					p.settingLines[settingDropUnknown] = k.Line
				default:
					ld.add(v, f, "want reject or drop, got "+strconv.Quote(s))
				}
			}
		case "case_insensitive_roles":
			p.sso.foldRoles = ld.boolean(v, f)
		case "case_insensitive_groups":
			p.foldGroups = ld.boolean(v, f)
		case "default_insights_role":
			if s, ok := ld.str(v, f); ok && s != "" {
				p.defaultInsights = ld.role(v, f)
				p.settingLines[settingDefaultInsights] = k.Line
				if p.defaultInsights != 0 && p.defaultInsights&wfoRoles == 0 {
					ld.add(v, f, "default_insights_role must be a wfo.* Insights role, got "+strconv.Quote(s))
					p.defaultInsights = 0
				}
				defaultNode = v
			}
		case "rules":
			p.rules = ld.rules(v, f, true)
		case "deny":
			p.deny = ld.rules(v, f, false)
		default:
			ld.unknownKey(k, f, "attributes", "allow", "unknown_roles", "case_insensitive_roles",
				"case_insensitive_groups", "default_insights_role", "rules", "deny")
		}
	})
	names := map[string]bool{}
	for _, list := range [][]policyRule{p.rules, p.deny} {
		for i := range list {
			if list[i].name != "" && names[list[i].name] {
				ld.addAt(list[i].nameAt, list[i].field+".name", "duplicate rule name "+strconv.Quote(list[i].name)+"; rule names must be unique across rules and deny")
			}
			names[list[i].name] = true
		}
	}
	for _, list := range [][]policyRule{p.rules, p.deny} {
		for _, r := range list {
			if id, ok := reservedRuleName(r.name); ok {
				ld.addAt(r.nameAt, r.field+".name", "rule name "+strconv.Quote(r.name)+" could be taken for the library's own "+id+
					": errors, reasons and coverage would not tell them apart; rename the rule (names starting with "+
					strings.Join(reservedPrefixes(), ", ")+" or equal to \"twilio\" are reserved)")
			}
		}
	}
	for _, list := range [][]policyRule{p.rules, p.deny} {
		for _, r := range list {
			for _, c := range r.attrs {
				if c.name == p.sso.name(slotRoles) {
					ld.addAt(c.at, r.field+".when", "a condition cannot test the roles attribute "+strconv.Quote(c.name)+
						": Flex splits and trims it, so a raw match is easy to dodge; restrict roles with sso.allow")
				}
			}
		}
	}
	if !p.limited {
		return
	}
	for _, r := range p.rules {
		for i, role := range r.grantRole {
			if role&^p.allow != 0 {
				ld.addAt(r.grantAt[i], index(r.field+".grant", i), "grants "+role.String()+", which sso.allow does not list; every login this rule matches would be denied")
			}
		}
	}
	if defaultNode != nil && p.defaultInsights&^p.allow != 0 {
		ld.add(defaultNode, field+".default_insights_role", "the default Insights role is not in sso.allow")
	}
}

func (ld *loader) attributeNames(p *Policy, n *yaml.Node, field string) {
	ld.mapping(n, field, func(key string, k, v *yaml.Node, f string) {
		name, ok := ld.str(v, f)
		if ok && strings.TrimSpace(name) == "" {
			ld.add(v, f, "an attribute name cannot be empty")
			return
		}
		switch key {
		case "roles":
			p.sso.names[slotRoles] = name
		case "email":
			p.sso.names[slotEmail] = name
		case "full_name":
			p.sso.names[slotFullName] = name
		case "groups":
			p.groups = name
		default:
			ld.unknownKey(k, f, "roles", "email", "full_name", "groups")
		}
	})
	seen := map[string]bool{}
	for _, name := range [...]string{p.sso.name(slotRoles), p.sso.name(slotEmail), p.sso.name(slotFullName), p.groups} {
		if seen[name] {
			ld.add(n, field, "roles, email, full_name and groups need four different attribute names; "+strconv.Quote(name)+" stands for two")
			return
		}
		seen[name] = true
	}
}

// rules reads the rules list (grant true) or the deny list (grant false).
func (ld *loader) rules(n *yaml.Node, field string, grant bool) []policyRule {
	if n.Kind != yaml.SequenceNode {
		ld.add(n, field, "want a list of rules, got "+kindName(n))
		return nil
	}
	out := make([]policyRule, 0, len(n.Content))
	for i, c := range n.Content {
		f := index(field, i)
		r := policyRule{at: at(c), field: f, deny: !grant}
		hasWhen, hasGrant := false, false
		ld.mapping(c, f, func(key string, k, v *yaml.Node, kf string) {
			switch {
			case key == "name":
				if s, ok := ld.str(v, kf); ok {
					if strings.TrimSpace(s) == "" {
						ld.add(v, kf, "a rule name cannot be empty")
					}
					r.name, r.nameAt = s, at(v)
				}
			case key == "when":
				hasWhen = true
				ld.when(&r, v, kf)
			case key == "grant" && grant:
				hasGrant = true
				r.grant = ld.roles(v, kf)
				for _, item := range v.Content {
					r.grantAt = append(r.grantAt, at(item))
					r.grantRole = append(r.grantRole, setOf(Role(item.Value)))
				}

				if v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
					ld.add(v, kf, "an empty grant does nothing; list the roles this rule gives")
				}
			case grant:
				ld.unknownKey(k, kf, "name", "when", "grant")
			default:
				ld.unknownKey(k, kf, "name", "when")
			}
		})
		if c.Kind != yaml.MappingNode {
			continue
		}
		if r.name == "" {
			ld.add(c, f+".name", "every rule needs a name, used in reasons and errors")
		}
		if !hasWhen {
			ld.add(c, f+".when", "every rule needs a when; a rule for everyone belongs in the IdP's roles")
		}
		if grant && !hasGrant {
			ld.add(c, f+".grant", "every rule needs a grant: the roles it gives")
		}
		if grant {
			r.reason = Reason{Rule: RulePolicyRule, Message: "policy rule " + strconv.Quote(r.name) + " grants " + r.grant.String()}
		}
		out = append(out, r)
	}
	return out
}

// when reads a rule's conditions, all of which must hold.
func (ld *loader) when(r *policyRule, n *yaml.Node, field string) {
	var single attrCondition
	var singleAt *yaml.Node
	ops := 0
	ld.mapping(n, field, func(key string, k, v *yaml.Node, f string) {
		switch key {
		case "group":
			if s, ok := ld.str(v, f); ok {
				r.anyGroups = append(r.anyGroups, []string{s})
			}
		case "any_group":
			// An empty list is an issue already: the policy does not load.
			r.anyGroups = append(r.anyGroups, ld.nonEmpty(v, f))
		case "all_groups":
			r.allGroups = append(r.allGroups, ld.nonEmpty(v, f)...)
		case "attribute":
			singleAt = k
			single.at = at(k)
			single.name, _ = ld.str(v, f)
		case "equals", "prefix", "in":
			ops++
			ld.operator(&single, key, v, f)
		case "attributes":
			ld.attributeConditions(r, v, f)
		default:
			ld.unknownKey(k, f, "group", "any_group", "all_groups", "attribute", "equals", "in", "prefix", "attributes")
		}
	})
	if n.Kind != yaml.MappingNode {
		return
	}
	switch {
	case len(n.Content) == 0:
		ld.add(n, field, "an empty when matches everyone; give at least one condition")
	case singleAt == nil && ops > 0:
		ld.add(n, field, "equals, in and prefix need an attribute: the name of the attribute they test")
	case singleAt != nil && ops != 1:
		ld.add(singleAt, field, "an attribute condition needs exactly one of equals, in, prefix")
	case singleAt != nil:
		r.attrs = append(r.attrs, single)
	}
}

func (ld *loader) attributeConditions(r *policyRule, n *yaml.Node, field string) {
	if !ld.list(n, field, "a list of {name, equals|in|prefix}",
		"an empty list of attribute conditions would match everyone; give at least one") {
		return
	}
	for i, c := range n.Content {
		f := index(field, i)
		cond := attrCondition{at: at(c)}
		ops := 0
		ld.mapping(c, f, func(key string, k, v *yaml.Node, kf string) {
			switch key {
			case "name":
				cond.name, _ = ld.str(v, kf)
			case "equals", "prefix", "in":
				ops++
				ld.operator(&cond, key, v, kf)
			default:
				ld.unknownKey(k, kf, "name", "equals", "in", "prefix")
			}
		})
		if c.Kind != yaml.MappingNode {
			continue
		}
		if cond.name == "" {
			ld.add(c, f+".name", "an attribute condition needs the attribute's name")
		}
		if ops != 1 {
			ld.add(c, f, "an attribute condition needs exactly one of equals, in, prefix")
		}
		r.attrs = append(r.attrs, cond)
	}
}

// operator reads the value of an attribute condition's equals or prefix (a
// string) or in (a list of strings) into c.
func (ld *loader) operator(c *attrCondition, op string, v *yaml.Node, field string) {
	if op == "in" {
		c.op, c.values = op, ld.nonEmpty(v, field)
		return
	}
	if s, ok := ld.str(v, field); ok {
		if op == "prefix" && s == "" {
			ld.add(v, field, "an empty prefix matches every value; name the prefix, or test the attribute with equals or in")
		}
		c.op, c.values = op, []string{s}
	}
}

// list reports whether n is a list, noting want (what it should be) when it
// is not, and empty when it is a list with nothing in it.
func (ld *loader) list(n *yaml.Node, field, want, empty string) bool {
	if n.Kind != yaml.SequenceNode {
		ld.add(n, field, "want "+want+", got "+kindName(n))
		return false
	}
	if len(n.Content) == 0 {
		ld.add(n, field, empty)
	}
	return true
}

// nonEmpty reads a list of strings that must not be empty.
func (ld *loader) nonEmpty(n *yaml.Node, field string) []string {
	list := ld.strings(n, field)
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		ld.add(n, field, "an empty list matches nothing")
	}
	return list
}

func (ld *loader) consoleSection(p *Policy, n *yaml.Node, field string) {
	ld.mapping(n, field, func(key string, k, v *yaml.Node, f string) {
		if key != "allow" {
			ld.add(k, f, "a policy cannot give Console users roles or change theirs: a Console login gets only "+
				"admin, wfo.full_access or flex.readteams, flex.readonlyadmin; wfo.quality_manager and the other granular "+
				"roles need an SSO login. console takes only allow")
			return
		}
		p.consoleLimited = true
		p.settingLines[settingConsoleAllow] = k.Line
		if !ld.list(v, f, "a list of Console roles",
			"an empty allow list refuses every Console login; list the Console roles that may use Flex, or remove the key") {
			return
		}
		for i, c := range v.Content {
			cf := index(f, i)
			s, ok := ld.str(c, cf)
			if !ok {
				continue
			}
			cr, ok := consoleRoleFold(s)
			if !ok {
				ld.add(c, cf, "unknown Console role "+strconv.Quote(s)+didYouMean(suggestConsoleRole(s))+consoleRoleHint(s))
				continue
			}
			if cr == BillingManager {
				ld.add(c, cf, "Billing Manager never opens Flex; allowing it changes nothing")
				continue
			}
			p.console |= 1 << consoleIndex(cr)
		}
	})
}

// reservedPrefixes are how the library's own ids begin: the Reason rule
// ids, the settings that refuse a login (sso.allow, console.allow), the
// platform refusals Coverage lists (error.…) and CheckWorker's findings.
func reservedPrefixes() []string {
	return []string{"sso.", "console.", "insights.", "policy.", "worker.", "error."}
}

// reservedRuleName reports whether a rule name could be taken for one of
// the library's ids, ignoring case and surrounding space, and says which
// kind of id.
func reservedRuleName(name string) (string, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case SettingSSOAllow, SettingConsoleAllow:
		return "setting " + strconv.Quote(n) + ", which refuses logins too", true
	case RefusedByTwilio.String():
		return "name for Twilio's platform rules", true
	}
	for _, p := range reservedPrefixes() {
		if strings.HasPrefix(n, p) {
			return "ids starting with " + strconv.Quote(p), true
		}
	}
	return "", false
}
