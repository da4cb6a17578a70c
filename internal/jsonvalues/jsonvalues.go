package jsonvalues

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxRecord bounds one top-level JSON value of audit input: a worker, or a
// ListWorkers page of up to 1,000 workers. A larger one is skipped and
// reported, so memory stays bounded whatever the input.
const MaxRecord = 64 << 20

// Value is one top-level JSON value of audit input, not yet decoded.
type Value struct {
	Line int    // 1-based line where it starts
	Data []byte // nil when too large or cut short; Err says why
	Err  error
}

// Reader splits audit input into top-level JSON values: the elements of
// one JSON array, or a sequence of objects (NDJSON, or ListWorkers pages
// written one after another). It reads NDJSON line by line, so that a
// broken line costs only that line.
type Reader struct {
	br      *bufio.Reader
	line    int  // 1-based line of the next byte
	inArray bool // inside the top-level array
	started bool
	ndjson  bool // one object per line
	done    bool
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 256<<10), line: 1}
}

// LineError is an input error at a line; it prints as "line N: message",
// and callers that know the file name print "FILE:N: message".
type LineError struct {
	Line int   // 1-based line
	Err  error // what is wrong there
}

// Error returns "line N: message".
func (e *LineError) Error() string { return "line " + strconv.Itoa(e.Line) + ": " + e.Err.Error() }

// Unwrap returns the error at the line.
func (e *LineError) Unwrap() error { return e.Err }

// LineErrorf returns a LineError at line with the message of format and a.
func LineErrorf(line int, format string, a ...any) error {
	return &LineError{Line: line, Err: fmt.Errorf(format, a...)}
}

// InFile prefixes err with the file name, as "FILE:N: message" for an
// error at a line.
func InFile(name string, err error) error {
	var le *LineError
	if errors.As(err, &le) {
		return fmt.Errorf("%s:%d: %w", name, le.Line, le.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// ErrNotWorkers is the error, at line 1, of input that starts with neither an array nor an object.
var ErrNotWorkers = errors.New("input is not JSON workers: want a JSON array of workers, NDJSON (one worker per line) or TaskRouter ListWorkers pages")

// Next appends the next value to buf and returns it; io.EOF at the end.
// Errors other than a value's own (Value.err) end the input.
func (vr *Reader) Next(buf []byte) (Value, error) {
	if vr.done {
		return Value{}, io.EOF
	}
	c, err := vr.skipSpace()
	if err != nil {
		if errors.Is(err, io.EOF) {
			vr.done = true
			if vr.inArray {
				return Value{}, LineErrorf(vr.line, "the array of workers is not closed")
			}
			if !vr.started {
				return Value{}, errors.New("input is empty: want a JSON array of workers, NDJSON or ListWorkers pages")
			}
		}
		return Value{}, err
	}
	if !vr.started {
		vr.started = true
		switch c {
		case '[':
			vr.skip(1)
			vr.inArray = true
			return vr.Next(buf)
		case '{':
			ndjson, decided := vr.looksLikeNDJSON()
			if !decided {
				// A first line longer than the buffer: read it as a value,
				// and it is NDJSON when it ends on its own line.
				v := vr.scanValue(buf)
				vr.ndjson = v.Err == nil && v.Line == vr.line
				return v, nil
			}
			vr.ndjson = ndjson
		case 0xEF: // a UTF-8 byte order mark, as some editors write
			if bom, _ := vr.br.Peek(3); string(bom) == "\xEF\xBB\xBF" {
				vr.skip(3)
				vr.started = false
				return vr.Next(buf)
			}
			fallthrough
		default:
			vr.done = true
			return Value{}, &LineError{Line: vr.line, Err: ErrNotWorkers}
		}
	}
	if vr.inArray {
		if c == ']' {
			vr.skip(1)
			vr.inArray, vr.done = false, true
			if c, err := vr.skipSpace(); err == nil {
				return Value{}, LineErrorf(vr.line, "unexpected %q after the array of workers", c)
			}
			return Value{}, io.EOF
		}
	}
	if vr.ndjson {
		return vr.nextLine(buf)
	}
	v := vr.scanValue(buf)
	if vr.inArray {
		c, err := vr.skipSpace()
		switch {
		case err != nil:
			return v, nil // the next call reports the open array
		case c == ',':
			vr.skip(1)
		case c != ']':
			vr.done = true
			return Value{}, LineErrorf(vr.line, "want , or ] between workers, found %q", c)
		}
	}
	return v, nil
}

// looksLikeNDJSON reports whether input that starts with an object holds
// one object per line. JSON strings never hold a raw newline, so the first
// line is NDJSON when it is a whole JSON value, or when it ends inside a
// string: a line cut short. A first line that ends outside a string but
// leaves brackets open is a value written over several lines, such as a
// pretty-printed ListWorkers page. When the first line is longer than the
// read buffer, it is scanned as a value and NDJSON when it ends on its own
// line.
func (vr *Reader) looksLikeNDJSON() (ndjson, decided bool) {
	peek, _ := vr.br.Peek(vr.br.Size())
	first, _, found := bytes.Cut(peek, []byte{'\n'})
	if !found && len(peek) == vr.br.Size() {
		return false, false
	}
	return json.Valid(first) || endsInString(first), true
}

// endsInString reports whether the JSON text b ends inside a string.
func endsInString(b []byte) bool {
	in := false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		}
	}
	return in
}

// skipSpace returns the next byte that is not white space, unread.
// skip drops n bytes that have been peeked, which cannot fail.
func (vr *Reader) skip(n int) { _, _ = vr.br.Discard(n) }

func (vr *Reader) skipSpace() (byte, error) {
	for {
		c, err := vr.br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case '\n':
			vr.line++
		case ' ', '\t', '\r':
		default:
			_ = vr.br.UnreadByte() // right after a ReadByte: cannot fail
			return c, nil
		}
	}
}

// nextLine reads the rest of the current line as one value.
func (vr *Reader) nextLine(buf []byte) (Value, error) {
	v := Value{Line: vr.line}
	data := buf
	for {
		chunk, err := vr.br.ReadSlice('\n')
		if len(data)+len(chunk) <= MaxRecord {
			data = append(data, chunk...)
		} else {
			v.Err = fmt.Errorf("record longer than %d bytes", MaxRecord)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == nil {
			vr.line++
		} else if !errors.Is(err, io.EOF) {
			return Value{}, err
		}
		break
	}
	if v.Err == nil {
		v.Data = data
	}
	return v, nil
}

// scanValue reads one JSON value, which may span lines, by its brackets and
// strings; it does not validate it.
func (vr *Reader) scanValue(buf []byte) Value {
	v := Value{Line: vr.line}
	data, tooLong := buf, false
	add := func(c byte) {
		if c == '\n' {
			vr.line++
		}
		if len(data) < MaxRecord {
			data = append(data, c)
		} else {
			tooLong = true
		}
	}
	first, err := vr.br.ReadByte()
	if err != nil {
		v.Err = errors.New("the input ends inside this record")
		return v
	}
	add(first)
	depth, inString, escaped := 0, first == '"', false
	switch first {
	case '{', '[':
		depth = 1
	case '"':
	default: // a number or literal: read to the next separator
		for {
			p, err := vr.br.Peek(1)
			if err != nil || bytes.IndexByte([]byte(",]} \t\r\n"), p[0]) >= 0 {
				break
			}
			vr.skip(1)
			add(p[0])
		}
	}
	for depth > 0 || inString {
		c, err := vr.br.ReadByte()
		if err != nil {
			v.Err = errors.New("the input ends inside this record")
			if !tooLong {
				v.Data = data
			}
			return v
		}
		add(c)
		switch {
		case escaped:
			escaped = false
		case inString:
			escaped = c == '\\'
			inString = c != '"'
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	if tooLong {
		v.Err = fmt.Errorf("record longer than %d bytes", MaxRecord)
		return v
	}
	v.Data = data
	return v
}
