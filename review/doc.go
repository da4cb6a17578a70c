// Package review compares two versions of a role policy over the users of
// an IdP export: who gains and loses which roles and Insights capabilities,
// who is newly refused or admitted, and the rules behind each, so that a
// policy change can be reviewed before it ships.
//
// New takes the OLD and NEW policies; Compare takes each user (package
// export), resolves the user's next SSO login under both, each policy
// reading the export under its own attribute names, and returns a Change,
// or nil when the outcome is the same:
//
//  1. Granted on both sides with the same roles: no change. Otherwise
//     ChangeRoles, with the roles gained and lost, each with what gives it
//     on the side that has it ("rule \"team leads\"", "roles attribute",
//     "default_insights_role").
//  2. Granted under OLD, refused under NEW: ChangeRefused; the reverse:
//     ChangeAdmitted. The granted side's roles and capabilities are all
//     gained (or lost).
//  3. Refused on both sides for an InputProblem, a problem of the
//     export's data that refuses the login before a policy's rules apply
//     (no email or full_name, an invalid value, an unknown role in roles):
//     not judged, neither changed nor unchanged. Summary.NotJudged counts
//     such users, NotJudgedBy per problem, `missing_attribute "full_name"`,
//     and NotJudgedFirst keeps the first of each with NEW's error.
//  4. Refused on both sides for the same reason (RefusedBy: deny rule
//     "NAME", sso.allow, console.allow, or the error kind with its Flex
//     code) in an export no user of which carries any of the attributes
//     the policies read to grant roles (each policy's groups and roles
//     attributes and every attribute its conditions test): not judged
//     either, as the cause `no "groups" (nor "roles", "department") for
//     the policies' rules`, since an export without those columns leaves
//     the rules nothing to read. Once one user carries one, the export has
//     them, and a user in no group is judged (the users counted before are
//     taken back from the cause).
//  5. Refused on both sides otherwise: no change when the same thing
//     refuses; otherwise ChangeRefusal, with no gain or loss.
//
// Summary.Absent lists the attributes the policies' conditions test that
// no user of the export carries, which the reporters print as a note.
//
// NewLogins compares, instead of two policies over an export, what Flex
// received at the logins of a bridge's decision log (package decisionlog;
// LatestLogins keeps each identity's latest login) with what a policy
// decides: the decision the log records of the policy in force, or with a
// next policy its decision on the attributes the log keeps (none kept:
// ErrNoAttributes). CompareLogin returns the Change of one login by rules
// 1, 2 and 5 (a log holds what was decided, so nothing is not judged), as
// Compare does, with Line the log's line and Email the logged identity.
//
// Insights capabilities (enabled, play_calls, export_calls, assess_calls,
// questionnaires, dashboards) are compared by level: one that NEW allows
// more of is gained, less of lost; a level that moves is one gain or one
// loss, "dashboards=viewer→editor".
//
// ParseFailOn reads the changes that fail a review: any, refuse, admit,
// gain, lose, gain:ROLE, lose:ROLE, gain:CAP, lose:CAP, comma-separated;
// an unknown item or role is an error, with a did-you-mean when there is
// one. Each Change lists the items it matches in FailedOn, and the
// Summary counts the users per item.
//
// The Summary counts users compared and changed, per role and capability
// gained and lost, per cause of refusal, and the users not judged.
// Reporters print a review as it goes: TextReporter for people,
// JSONReporter as one document, MarkdownReporter as a pull-request comment
// (the summary first, then at most MarkdownRows changed users). The text
// and Markdown forms say "No change" only when every user was judged and
// none changes; users not judged are listed by problem, most users first. Their lines of counts come in a fixed
// order: roles in the order a Decision lists them, capabilities in the
// order above, causes by number of users and then by name.
package review
