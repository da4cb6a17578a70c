package export

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The kinds of Error, for errors.Is.
var (
	// ErrSyntax: a record that is not JSON or CSV as the export's form
	// writes it, or a JSON user with a field the export does not read.
	ErrSyntax = errors.New("export: not a valid record")
	// ErrHeader: a CSV header with an empty column, a column twice, or no
	// email or name column.
	ErrHeader = errors.New("export: invalid CSV header")
	// ErrAttribute: a JSON attribute that is neither a string nor a list of
	// strings.
	ErrAttribute = errors.New("export: invalid attribute value")
	// ErrNoEmail: a user without an email.
	ErrNoEmail = errors.New("export: user without an email")
	// ErrDuplicateEmail: a user whose email an earlier user has.
	ErrDuplicateEmail = errors.New("export: email given twice")
	// ErrEmpty: an export without users.
	ErrEmpty = errors.New("export: no users")
	// ErrTooLarge: a file over MaxFileSize.
	ErrTooLarge = errors.New("export: file too large")
	// ErrRead: the export could not be read (the reader's own error, such
	// as reading a file again to tell a duplicate email from a hash
	// collision).
	ErrRead = errors.New("export: read error")
)

// Error is an error of an IdP export, at a place in it. It prints as
// "FILE:LINE: message", "line LINE: message" from Read, or "FILE: message"
// for the export as a whole, as the command prints it.
type Error struct {
	Kind   error  // one of the Err values above
	File   string // the export's name; "" from Read
	Line   int    // 1-based line where the record starts; 0 for the export as a whole
	Column int    // 1-based CSV column (the column of the header for ErrHeader); 0 when not known
	Field  string // the field, column or attribute at fault ("email", "nme", "department"); "" when none
	Err    error  // what is wrong, in words; its message is the message
}

// Error returns the message with its place.
func (e *Error) Error() string {
	msg := e.Err.Error()
	switch {
	case e.File != "" && e.Line > 0:
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + msg
	case e.File != "":
		return e.File + ": " + msg
	case e.Line > 0:
		return "line " + strconv.Itoa(e.Line) + ": " + msg
	}
	return msg
}

// Unwrap returns the kind and the detail, so that errors.Is finds the kind
// and errors.As the detail (a *csv.ParseError, a *json.SyntaxError).
func (e *Error) Unwrap() []error { return []error{e.Kind, e.Err} }

// recordError is the Error of a record that cannot be read at line, with
// the line and column a CSV reader names and the field encoding/json names.
func recordError(line int, err error) *Error {
	e := &Error{Kind: ErrSyntax, Line: line, Err: err}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		e.Line, e.Err = pe.StartLine, pe.Err
		if !errors.Is(pe.Err, csv.ErrFieldCount) {
			e.Column = pe.Column
			e.Err = fmt.Errorf("column %d: %w", pe.Column, pe.Err)
		}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		e.Field = te.Field
	}
	// encoding/json has no type for an unknown field, only this message.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if f, err := strconv.Unquote(name); err == nil {
			e.Field = f
		}
	}
	return e
}

// csvError is the Error of a CSV reader's error: ErrSyntax at its line for
// a record it cannot parse, ErrRead otherwise.
func csvError(err error) *Error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return recordError(pe.StartLine, err)
	}
	return &Error{Kind: ErrRead, Err: err}
}
