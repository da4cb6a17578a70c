// Package export reads IdP user exports, the lists of users an identity
// provider can write out, into the SSO logins those users' next assertions
// make. The review and audit packages read them to predict every user's next
// login under a policy.
//
// An export is, by its first byte that is not white space or a UTF-8 byte
// order mark:
//
//  1. JSON ("[" or "{"): an array, or NDJSON (one object a line), of objects
//     {"email","name","groups","roles","attributes"}, decoded strictly: an
//     unknown field is an error. An attribute is one string or a list:
//     {"email":"ana@example.com","groups":["CC-Leads"],"attributes":{"department":"Quality"}}
//     is a user in group CC-Leads with department=[Quality].
//  2. CSV otherwise, whose header row names the columns email, name, groups,
//     roles and any other attribute; a cell holds several values separated
//     by ";", trimmed, empty ones dropped: the row
//     "ana@example.com,Ana Diaz,CC-Leads;CC-Agents" under the header
//     "email,name,groups" is a user in CC-Leads and CC-Agents. Header names
//     are trimmed and email, name, groups and roles are matched ignoring
//     case ("Email,Name,Groups" reads the same); other columns are
//     attributes under their names as written. The header is an error at
//     line 1, in this order, when a column is empty or given twice
//     (ignoring case); when it has no email or no name column, which every
//     SSO login needs, naming the column that looks like the missing one,
//     by one edit or a name IdPs use ("display_name": did you mean
//     "name"?). A column that looks like the optional groups or roles
//     ("memberOf", "role") is an attribute under its name, as any other:
//     a policy may read its groups or roles under that name.
//
// Every user has an email; emails are compared trimmed and in lower case
// (EmailKey). Errors, first found first reported, in file order: a record
// that is not JSON or CSV, a user without an email, an email an earlier
// user has ("email "x" already given on line N"), then, at the end, an
// export without users. Read reports users in file order and stops at the
// first error, which prints "line N: message" when it is at a line; File.Each
// adds the email checks and the file's name ("FILE:N: message"). Every such
// error is an *Error, with its Kind for errors.Is (ErrSyntax, ErrHeader,
// ErrAttribute, ErrNoEmail, ErrDuplicateEmail, ErrEmpty, ErrTooLarge,
// ErrRead), its File, Line, Column (of CSV) and the Field at fault:
// {"email":"a@x.co","nme":"A"} is ErrSyntax at line 1, Field "nme". File.Each
// streams a regular file in constant memory
// whatever its size (up to MaxFileSize). NewFile reads an export from any
// reader, such as standard input, once: it keeps the emails to find a
// duplicate.
//
// User.Login turns a user into the SSO login a policy resolves: the email,
// name, groups and roles under the attribute names the policy reads
// (Policy.AttributeName), the other attributes as they are.
package export
