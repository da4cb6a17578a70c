package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/flexroles/flexroles/internal/rawjson"
)

// maxRecord bounds one top-level JSON value of audit input: a worker, or a
// ListWorkers page of up to 1,000 workers. A larger one is skipped and
// reported, so memory stays bounded whatever the input.
const maxRecord = 64 << 20

// rawValue is one top-level JSON value of audit input, not yet decoded.
type rawValue struct {
	line int    // 1-based line where it starts
	data []byte // nil when too large or cut short; err says why
	err  error
}

// valueReader splits audit input into top-level JSON values: the elements of
// one JSON array, or a sequence of objects (NDJSON, or ListWorkers pages
// written one after another). It reads NDJSON line by line, so that a
// broken line costs only that line.
type valueReader struct {
	br      *bufio.Reader
	line    int  // 1-based line of the next byte
	inArray bool // inside the top-level array
	started bool
	ndjson  bool // one object per line
	done    bool
}

func newValueReader(r io.Reader) *valueReader {
	return &valueReader{br: bufio.NewReaderSize(r, 256<<10), line: 1}
}

// lineError is an input error at a line; it prints as "line N: message",
// and callers that know the file name print "FILE:N: message".
type lineError struct {
	line int
	err  error
}

// Error returns "line N: message".
func (e *lineError) Error() string { return "line " + strconv.Itoa(e.line) + ": " + e.err.Error() }

// Unwrap returns the error at the line.
func (e *lineError) Unwrap() error { return e.err }

func lineErrorf(line int, format string, a ...any) error {
	return &lineError{line: line, err: fmt.Errorf(format, a...)}
}

// inFile prefixes err with the file name, as "FILE:N: message" for an
// error at a line.
func inFile(name string, err error) error {
	var le *lineError
	if errors.As(err, &le) {
		return fmt.Errorf("%s:%d: %w", name, le.line, le.err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// errNotWorkers is input that starts with neither an array nor an object.
var errNotWorkers = errors.New("input is not JSON workers: want a JSON array of workers, NDJSON (one worker per line) or TaskRouter ListWorkers pages")

// next appends the next value to buf and returns it; io.EOF at the end.
// Errors other than a value's own (rawValue.err) end the input.
func (vr *valueReader) next(buf []byte) (rawValue, error) {
	if vr.done {
		return rawValue{}, io.EOF
	}
	c, err := vr.skipSpace()
	if err != nil {
		if errors.Is(err, io.EOF) {
			vr.done = true
			if vr.inArray {
				return rawValue{}, lineErrorf(vr.line, "the array of workers is not closed")
			}
			if !vr.started {
				return rawValue{}, errors.New("input is empty: want a JSON array of workers, NDJSON or ListWorkers pages")
			}
		}
		return rawValue{}, err
	}
	if !vr.started {
		vr.started = true
		switch c {
		case '[':
			vr.skip(1)
			vr.inArray = true
			return vr.next(buf)
		case '{':
			ndjson, decided := vr.looksLikeNDJSON()
			if !decided {
				// A first line longer than the buffer: read it as a value,
				// and it is NDJSON when it ends on its own line.
				v := vr.scanValue(buf)
				vr.ndjson = v.err == nil && v.line == vr.line
				return v, nil
			}
			vr.ndjson = ndjson
		case 0xEF: // a UTF-8 byte order mark, as some editors write
			if bom, _ := vr.br.Peek(3); string(bom) == "\xEF\xBB\xBF" {
				vr.skip(3)
				vr.started = false
				return vr.next(buf)
			}
			fallthrough
		default:
			vr.done = true
			return rawValue{}, &lineError{line: vr.line, err: errNotWorkers}
		}
	}
	if vr.inArray {
		if c == ']' {
			vr.skip(1)
			vr.inArray, vr.done = false, true
			if c, err := vr.skipSpace(); err == nil {
				return rawValue{}, lineErrorf(vr.line, "unexpected %q after the array of workers", c)
			}
			return rawValue{}, io.EOF
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
			return rawValue{}, lineErrorf(vr.line, "want , or ] between workers, found %q", c)
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
func (vr *valueReader) looksLikeNDJSON() (ndjson, decided bool) {
	peek, _ := vr.br.Peek(vr.br.Size())
	first, _, found := bytes.Cut(peek, []byte{'\n'})
	if !found && len(peek) == vr.br.Size() {
		return false, false
	}
	return rawjson.Valid(first) || endsInString(first), true
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
func (vr *valueReader) skip(n int) { _, _ = vr.br.Discard(n) }

func (vr *valueReader) skipSpace() (byte, error) {
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
func (vr *valueReader) nextLine(buf []byte) (rawValue, error) {
	v := rawValue{line: vr.line}
	data := buf
	for {
		chunk, err := vr.br.ReadSlice('\n')
		if len(data)+len(chunk) <= maxRecord {
			data = append(data, chunk...)
		} else {
			v.err = fmt.Errorf("record longer than %d bytes", maxRecord)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == nil {
			vr.line++
		} else if !errors.Is(err, io.EOF) {
			return rawValue{}, err
		}
		break
	}
	if v.err == nil {
		v.data = data
	}
	return v, nil
}

// scanValue reads one JSON value, which may span lines, by its brackets and
// strings; it does not validate it.
func (vr *valueReader) scanValue(buf []byte) rawValue {
	v := rawValue{line: vr.line}
	data, tooLong := buf, false
	add := func(c byte) {
		if c == '\n' {
			vr.line++
		}
		if len(data) < maxRecord {
			data = append(data, c)
		} else {
			tooLong = true
		}
	}
	first, err := vr.br.ReadByte()
	if err != nil {
		v.err = errors.New("the input ends inside this record")
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
			v.err = errors.New("the input ends inside this record")
			if !tooLong {
				v.data = data
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
		v.err = fmt.Errorf("record longer than %d bytes", maxRecord)
		return v
	}
	v.data = data
	return v
}

// decodeValue turns one top-level value into worker records: one for a
// worker, one per worker for a ListWorkers page. A value that cannot be read
// gives one record with Err set. Decoded attributes go to scratch, which is
// returned grown.
func decodeValue(v rawValue, out []workerRecord, scratch []byte) ([]workerRecord, []byte) {
	if v.err != nil {
		return append(out, workerRecord{Line: v.line, SID: guessSID(v.data), Err: v.err}), scratch
	}
	if !rawjson.Valid(v.data) {
		return append(out, workerRecord{Line: v.line, SID: guessSID(v.data), Err: errors.New("not valid JSON")}), scratch
	}
	var workers []byte
	isObject := rawjson.Members(v.data, func(k, val []byte) bool {
		if rawjson.Equal(k, "workers") {
			workers = val
			return false
		}
		return true
	})
	if !isObject {
		return append(out, workerRecord{Line: v.line, Err: errors.New("a worker is a JSON object")}), scratch
	}
	if workers == nil {
		rec, scratch := decodeWorker(v.data, v.line, scratch)
		return append(out, rec), scratch
	}
	line, from := v.line, 0
	isArray := rawjson.Elements(workers, func(w []byte) bool {
		at := offsetIn(v.data, w)
		line += bytes.Count(v.data[from:at], []byte{'\n'})
		from = at
		var rec workerRecord
		rec, scratch = decodeWorker(w, line, scratch)
		out = append(out, rec)
		return true
	})
	if !isArray {
		out = append(out, workerRecord{Line: v.line, Err: errors.New(`the page's "workers" is not an array`)})
	}
	return out, scratch
}

// offsetIn returns where sub, a subslice of b, starts in b.
func offsetIn(b, sub []byte) int {
	return cap(b) - cap(sub)
}

// decodeWorker reads one worker object as the TaskRouter API writes it:
// sid, friendly_name and attributes, a string holding a JSON object (or,
// in hand-written files, the object itself). A string's decoded attributes
// are appended to scratch, which is returned grown.
func decodeWorker(w []byte, line int, scratch []byte) (workerRecord, []byte) {
	rec := workerRecord{Line: line}
	var attrs []byte
	found := false
	it, isObject := rawjson.Object(w)
	for k, v, more := it.Next(); more; k, v, more = it.Next() {
		switch {
		case rawjson.Equal(k, "sid"):
			rec.sid = v
		case rawjson.Equal(k, "friendly_name"):
			rec.friendlyName = v
		case rawjson.Equal(k, "attributes"):
			found, attrs = true, v
		}
	}
	switch {
	case !isObject:
		rec.Err = errors.New("a worker is a JSON object")
	case !found:
		rec.Err = errors.New(`the worker has no "attributes"`)
	case rawjson.IsString(attrs):
		n := len(scratch)
		scratch = rawjson.AppendUnquote(scratch, attrs)
		rec.Attributes = scratch[n:len(scratch):len(scratch)]
	case len(attrs) > 0 && attrs[0] == '{':
		rec.Attributes = attrs
	default:
		rec.Err = errors.New(`"attributes" is neither a JSON string nor an object`)
	}
	if rec.Err != nil {
		rec.names()
	}
	return rec, scratch
}

// names decodes the SID and friendly name of a record read from a file,
// which the audit needs only for workers with findings.
func (rec *workerRecord) names() {
	if rec.sid != nil {
		rec.SID, rec.sid = rawjson.String(rec.sid), nil
	}
	if rec.friendlyName != nil {
		rec.FriendlyName, rec.friendlyName = rawjson.String(rec.friendlyName), nil
	}
}

// guessSID finds a worker SID in a record that is not valid JSON, so the
// report can still name the worker.
func guessSID(b []byte) string {
	i := bytes.Index(b, []byte(`"sid"`))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(b[i+5:], " \t:")
	if len(rest) < 3 || rest[0] != '"' {
		return ""
	}
	end := bytes.IndexByte(rest[1:], '"')
	if end < 0 || end > 64 {
		return ""
	}
	return string(rest[1 : 1+end])
}
