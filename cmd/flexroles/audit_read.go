package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

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
				return rawValue{}, fmt.Errorf("line %d: the array of workers is not closed", vr.line)
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
			vr.br.ReadByte()
			vr.inArray = true
			return vr.next(buf)
		case '{':
		default:
			vr.done = true
			return rawValue{}, fmt.Errorf("line %d: %w", vr.line, errNotWorkers)
		}
	}
	if vr.inArray {
		if c == ']' {
			vr.br.ReadByte()
			vr.inArray, vr.done = false, true
			if c, err := vr.skipSpace(); err == nil {
				return rawValue{}, fmt.Errorf("line %d: unexpected %q after the array of workers", vr.line, c)
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
			vr.br.ReadByte()
		case c != ']':
			vr.done = true
			return rawValue{}, fmt.Errorf("line %d: want , or ] between workers, found %q", vr.line, c)
		}
	} else if vr.line == v.line && v.err == nil {
		// The first object sat on one line: the input is NDJSON, or a
		// single object; from here on read it line by line.
		vr.ndjson = true
	}
	return v, nil
}

// skipSpace returns the next byte that is not white space, unread.
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
			vr.br.UnreadByte()
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
			v.err = fmt.Errorf("worker record longer than %d bytes", maxRecord)
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
		v.data = bytes.TrimSpace(data)
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
		v.err = errors.New("the input ends inside this worker record")
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
			vr.br.ReadByte()
			add(p[0])
		}
	}
	for depth > 0 || inString {
		c, err := vr.br.ReadByte()
		if err != nil {
			v.err = errors.New("the input ends inside this worker record")
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
		v.err = fmt.Errorf("worker record longer than %d bytes", maxRecord)
		return v
	}
	v.data = data
	return v
}

// decodeValue turns one top-level value into worker records: one for a
// worker, one per worker for a ListWorkers page. A value that cannot be read
// gives one record with Err set.
func decodeValue(v rawValue, out []workerRecord) []workerRecord {
	if v.err != nil {
		return append(out, workerRecord{Line: v.line, SID: guessSID(v.data), Err: v.err})
	}
	if !json.Valid(v.data) {
		return append(out, workerRecord{Line: v.line, SID: guessSID(v.data), Err: errors.New("not valid JSON")})
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
		return append(out, workerRecord{Line: v.line, Err: errors.New("a worker is a JSON object")})
	}
	if workers == nil {
		return append(out, decodeWorker(v.data, v.line))
	}
	line, from := v.line, 0
	isArray := rawjson.Elements(workers, func(w []byte) bool {
		at := offsetIn(v.data, w)
		line += bytes.Count(v.data[from:at], []byte{'\n'})
		from = at
		out = append(out, decodeWorker(w, line))
		return true
	})
	if !isArray {
		out = append(out, workerRecord{Line: v.line, Err: errors.New(`the page's "workers" is not an array`)})
	}
	return out
}

// offsetIn returns where sub, a subslice of b, starts in b.
func offsetIn(b, sub []byte) int {
	return cap(b) - cap(sub)
}

// decodeWorker reads one worker object as the TaskRouter API writes it:
// sid, friendly_name and attributes, a string holding a JSON object (or,
// in hand-written files, the object itself).
func decodeWorker(w []byte, line int) workerRecord {
	rec := workerRecord{Line: line}
	var attrs []byte
	found := false
	isObject := rawjson.Members(w, func(k, v []byte) bool {
		switch {
		case rawjson.Equal(k, "sid"):
			rec.SID = string(rawjson.AppendUnquote(nil, v))
		case rawjson.Equal(k, "friendly_name"):
			rec.FriendlyName = string(rawjson.AppendUnquote(nil, v))
		case rawjson.Equal(k, "attributes"):
			found, attrs = true, v
		}
		return true
	})
	switch {
	case !isObject:
		rec.Err = errors.New("a worker is a JSON object")
	case !found:
		rec.Err = errors.New(`the worker has no "attributes"`)
	case rawjson.IsString(attrs):
		rec.Attributes = rawjson.AppendUnquote(nil, attrs)
	case len(attrs) > 0 && attrs[0] == '{':
		rec.Attributes = attrs
	default:
		rec.Err = errors.New(`"attributes" is neither a JSON string nor an object`)
	}
	return rec
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
