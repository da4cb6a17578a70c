// Package decisionlog is the format of the flexroles bridge's decision log:
// one JSON object a line (NDJSON) for each login the bridge decided, in
// enforce and in shadow mode, and Read, which reads such a log back.
//
// The rules, in order:
//
//  1. A line is a Record. Every field is always present but agree and
//     attributes, and in a Decision refused (a refusal only) and
//     default_insights; roles, rules and grant are arrays, never null. An unknown
//     field, a missing one or a value of the wrong type makes the line,
//     and so the log, unreadable: Read says which line.
//  2. flex is what Flex received: the roles of the assertion the bridge
//     posted (granted), or the refusal that sent Flex nothing. policy is
//     the policy's decision on the same login. In enforce mode the two
//     differ only when a pass-through value of the wrong type refused a
//     login the policy granted; in shadow mode flex is the upstream IdP's
//     roles as Twilio's rules read them and policy is only recorded.
//  3. agree is present in shadow mode only: true when both sides grant the
//     same roles or both refuse.
//  4. identity is the verified NameID (or the email when there is none);
//     with the bridge's redact_identity it is "hmac-sha256:" and 32 hex
//     digits, a pseudonym keyed by the bridge's state key, so that the
//     review still counts each person once without naming anyone.
//  5. attributes, every attribute of the verified assertion with its
//     values, is present only when the bridge's decision_log_attributes is
//     true. Those values are personal data.
//
// For example, a shadow-mode line for a user whose IdP sends roles
// [agent] and whom the policy's rule "team leads" would make a supervisor:
//
//	{"time":"2026-12-06T20:15:04.211Z","id":"6f1c…","mode":"shadow","identity":"lee.lead@owlbank.example",
//	 "outcome":"granted","flex":{"granted":true,"roles":["agent"],"rules":[]},
//	 "policy":{"granted":true,"roles":["supervisor","agent","wfo.team_leader"],"rules":[{"name":"agents","grant":["agent"]},{"name":"team leads","grant":["supervisor","wfo.team_leader"]}]},
//	 "policy_digest":"sha256:…","agree":false}
//
// (one line in the file). docs/decision-log.schema.json is the JSON Schema
// of a line.
package decisionlog
