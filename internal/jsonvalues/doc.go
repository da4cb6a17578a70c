// Package jsonvalues splits JSON input into its top-level values, with the
// line each starts on, for the readers of worker files (package audit) and
// IdP exports (package export).
//
// The input is, in order of what its first byte says:
//
//  1. a JSON array (first byte "["): each element is a value;
//     [{"sid":"WK1"},{"sid":"WK2"}] gives two values, at line 1.
//  2. objects (first byte "{"), one a line (NDJSON) when the first line is
//     a whole JSON value or ends inside a string, else objects written over
//     several lines one after another, such as pretty-printed TaskRouter
//     ListWorkers pages.
//  3. anything else is ErrNotWorkers at line 1; a UTF-8 byte order mark is
//     skipped first.
//
// A value longer than MaxRecord, or cut short by the end of the input, is
// returned with Value.Err set and the reading goes on: a broken record costs
// only itself. Errors of the input as a whole (an array that is not closed,
// a missing comma between elements, text after the array) end the input and
// are LineErrors, which InFile prints as "FILE:LINE: message". Values are
// returned in input order and are not validated: the caller decodes them
// with encoding/json.
//
// Values are found by their brackets and strings only, not parsed:
// encoding/json's Decoder stops at the first malformed value, and a broken
// record must cost only itself.
package jsonvalues
