package bridge

import (
	"slices"

	"github.com/flexroles/flexroles"
)

// decision is one verified login as the bridge decided it: what the policy
// decides, and what Flex is sent, which is the policy's decision in
// enforce mode and, in shadow mode, the upstream IdP's roles as Twilio's
// rules alone read them.
type decision struct {
	login  flexroles.Login
	policy *flexroles.Policy

	// The policy's decision and the grant rules that fired.
	byPolicy    flexroles.Decision
	policyErr   error
	policyFired []flexroles.RuleTrace

	// What Flex is sent: the roles, or the refusal. sendErr may come from
	// the decision, from the Flex attributes (a pass-through value of the
	// wrong type) or from the bridge (outcome error).
	send    flexroles.Decision
	sendErr error
	outcome string // outcomeGranted, outcomeRefused or outcomeError once answered
}

// decide resolves login with policy p and chooses what Flex receives by
// the bridge's mode; read is the login as p reads it (ReadAsFlex).
func (b *Bridge) decide(p *flexroles.Policy, login flexroles.Login, read flexroles.FlexRead) *decision {
	dc := &decision{login: login, policy: p}
	dc.byPolicy, dc.policyErr = p.Resolve(login)
	if dc.policyErr == nil {
		dc.policyFired = p.Fired(login)
	}
	if b.cfg.Mode != ModeShadow {
		dc.send, dc.sendErr = dc.byPolicy, dc.policyErr
		return dc
	}
	dc.send, dc.sendErr = flexroles.Resolve(b.asFlexReceives(read, login.Attributes))
	return dc
}

// asFlexReceives is the login Flex would read if the bridge passed the
// upstream IdP's roles on: what the bridge sends (sentAttributes), with
// roles the values of shadow_roles_attribute as the IdP sent them.
func (b *Bridge) asFlexReceives(read flexroles.FlexRead, in map[string][]string) flexroles.Login {
	return flexroles.Login{Source: flexroles.SSO, Attributes: b.sentAttributes(read, in, in[b.cfg.ShadowRolesAttribute])}
}

// agree says, in shadow mode, whether the policy's decision is what Flex
// was sent: the same roles, or both refused.
func (dc *decision) agree() bool {
	if (dc.policyErr == nil) != (dc.outcome == outcomeGranted) {
		return false
	}
	return dc.policyErr != nil || slices.Equal(dc.byPolicy.Roles, dc.send.Roles)
}

// disagreements are the kinds of a shadow-mode disagreement, each counted
// in flexroles_bridge_shadow_disagreements_total: gain (the policy gives a
// role Flex did not receive, every role of a login Flex refused), loss
// (Flex received a role the policy does not give) and refused_by_policy
// (Flex received roles the policy would refuse). A login can both gain and
// lose.
func (dc *decision) disagreements() []string {
	if dc.agree() {
		return nil
	}
	var received, policy []flexroles.Role
	if dc.outcome == outcomeGranted {
		received = dc.send.Roles
	}
	if dc.policyErr != nil {
		return []string{"refused_by_policy"}
	}
	policy = dc.byPolicy.Roles
	var kinds []string
	if slices.ContainsFunc(policy, func(r flexroles.Role) bool { return !slices.Contains(received, r) }) {
		kinds = append(kinds, "gain")
	}
	if slices.ContainsFunc(received, func(r flexroles.Role) bool { return !slices.Contains(policy, r) }) {
		kinds = append(kinds, "loss")
	}
	return kinds
}
