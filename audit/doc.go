// Package audit checks TaskRouter workers' attributes for roles that break
// Flex's rules or will change at the next login, and reports every finding.
//
// An audit, for each worker its Source gives, in order:
//
//  1. A worker that cannot be read (not JSON, no "attributes", attributes
//     neither a JSON string nor an object, a record over the size limit) is
//     one finding RuleMalformed, at LevelError, with its line and, when it
//     can be found, its SID; the audit goes on with the next worker.
//  2. Attributes that flexroles.CheckWorker cannot read are RuleMalformed
//     too; otherwise each of CheckWorker's reasons is a finding under the
//     reason's rule id, LevelWarning when the reason is a warning:
//     {"roles":["Admin"]} gives worker.roles.unknown at LevelError.
//  3. With Auditor.Policy and Auditor.Users (an IdP export, see package
//     export), the drift: the worker is matched by its "email" attribute,
//     ignoring case, and its next SSO login under the policy is resolved.
//     A Console Support worker (flex.readonlyadmin or flex.readteams) is
//     left out. No email, or no user with it: RuleDriftNoUser, a warning. A
//     refused login: RuleDriftRefused, an error. Other roles than it holds:
//     RuleDriftRoles, an error, "the next SSO login rewrites roles to
//     [agent]: gains agent; loses supervisor", gains in the login's order,
//     losses in the worker's.
//
// Findings come in input order, a worker's in the order above. An error of
// the input as a whole (a JSON array not closed, unreadable bytes, the API
// failing) ends the audit with that error; the findings handed to the
// report before it stand.
//
// File reads workers from a file or stdin; any other Source (the command
// reads a workspace live through the TaskRouter API) gives Records. Run
// checks workers on every CPU with a fixed number of batches in flight, so
// memory stays flat however many workers there are. JSONReport and
// TableReport print findings as JSON lines or grouped by rule.
package audit
