package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/flexroles/flexroles/internal/jsonvalues"
)

// Record is one TaskRouter worker as a Source gives it to the audit.
type Record struct {
	Line         int    // 1-based input line where the record starts; 0 for workers read live
	SID          string // WKxxx, "" when unknown
	FriendlyName string
	Attributes   []byte // the worker's attributes JSON object (as the API's "attributes" string holds it)
	Err          error  // the record is malformed (only file input sets it); Attributes is then nil

	// For records read from a file, the JSON literals of sid and
	// friendly_name, decoded into SID and FriendlyName only when the worker
	// has a Finding.
	sid, friendlyName []byte
}

// File is a Source that reads workers from a file or stdin: a JSON array of
// workers, NDJSON (one worker a line), or TaskRouter ListWorkers pages
// ({"workers":[...],"meta":{...}}) one after another, each worker's
// "attributes" a JSON string as the API returns it, or an object. Auditor.Run
// splits it into values on one goroutine and decodes them on every CPU.
type File struct {
	values *jsonvalues.Reader
}

// NewFile returns a File that reads r.
func NewFile(r io.Reader) *File { return &File{values: jsonvalues.NewReader(r)} }

// Workers calls emit with each worker of the file in input order, a
// malformed one as a Record with Err set, and returns the first error that
// ends the input (see package jsonvalues) or of emit.
func (f *File) Workers(emit func(Record) error) error {
	var records []Record
	for {
		v, err := f.values.Next(nil)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		records, _ = decodeValue(v, records[:0], nil) // fresh attribute bytes: emit may keep them
		for i := range records {
			records[i].names()
			if err := emit(records[i]); err != nil {
				return err
			}
		}
	}
}

// decodeValue turns one top-level value into worker records: one for a
// worker, one per worker for a ListWorkers page. A value that cannot be read
// gives one record with Err set. Decoded attributes go to scratch, which is
// returned grown.
func decodeValue(v jsonvalues.Value, out []Record, scratch []byte) ([]Record, []byte) {
	if v.Err != nil {
		return append(out, Record{Line: v.Line, SID: guessSID(v.Data), Err: v.Err}), scratch
	}
	var w workerJSON
	err := json.Unmarshal(v.Data, &w)
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return append(out, Record{Line: v.Line, SID: guessSID(v.Data), Err: errors.New("not valid JSON")}), scratch
	case err != nil || !isObject(v.Data):
		return append(out, Record{Line: v.Line, Err: errors.New("a worker is a JSON object")}), scratch
	}
	if w.Workers == nil {
		rec, scratch := w.record(v.Line, scratch)
		return append(out, rec), scratch
	}
	elements, isArray := pageWorkers(v.Data)
	if !isArray {
		return append(out, Record{Line: v.Line, Err: errors.New(`the page's "workers" is not an array`)}), scratch
	}
	line, from := v.Line, 0
	for _, e := range elements {
		at := offsetIn(v.Data, e)
		line += bytes.Count(v.Data[from:at], []byte{'\n'})
		from = at
		var rec Record
		if isObject(e) && json.Unmarshal(e, &w) == nil {
			rec, scratch = w.record(line, scratch)
		} else {
			rec = Record{Line: line, Err: errors.New("a worker is a JSON object")}
		}
		out = append(out, rec)
	}
	return out, scratch
}

// pageWorkers returns the workers of a ListWorkers page as they are
// written in page, so that each one's line can be counted, and whether its
// "workers" member is an array (the last one, if written twice).
func pageWorkers(page []byte) ([][]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(page))
	_, _ = dec.Token() // {: page is a valid JSON object
	var workers [][]byte
	isArray := false // no "workers" at all: not a page
	var raw json.RawMessage
	value := func() []byte {
		_ = dec.Decode(&raw)
		end := int(dec.InputOffset())
		return page[end-len(raw) : end]
	}
	for dec.More() {
		tok, _ := dec.Token()
		if tok != "workers" {
			value()
			continue
		}
		if tok, _ := dec.Token(); tok != json.Delim('[') {
			return nil, false
		}
		workers, isArray = workers[:0], true
		for dec.More() {
			workers = append(workers, value())
		}
		_, _ = dec.Token() // ]
	}
	return workers, isArray
}

// isObject reports whether the valid JSON value v is an object.
func isObject(v []byte) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && v[0] == '{'
}

// offsetIn returns where sub, a subslice of b, starts in b.
func offsetIn(b, sub []byte) int {
	return cap(b) - cap(sub)
}

// workerJSON is what the audit reads of a worker, as the TaskRouter API
// writes it, or of a ListWorkers page (workers). Keys match as
// encoding/json matches struct fields: exactly, else ignoring case; a key
// written twice counts once, the last time.
type workerJSON struct {
	SID          json.RawMessage `json:"sid"`
	FriendlyName json.RawMessage `json:"friendly_name"`
	Attributes   json.RawMessage `json:"attributes"`
	Workers      json.RawMessage `json:"workers"`
}

// record reads one worker: attributes is a string holding a JSON object
// (or, in hand-written files, the object itself). A string's decoded
// attributes are appended to scratch, which is returned grown.
func (w *workerJSON) record(line int, scratch []byte) (Record, []byte) {
	rec := Record{Line: line, sid: w.SID, friendlyName: w.FriendlyName}
	attrs := w.Attributes
	switch {
	case attrs == nil:
		rec.Err = errors.New(`the worker has no "attributes"`)
	case attrs[0] == '"':
		var s string
		_ = json.Unmarshal(attrs, &s) // a string that json.Unmarshal accepted
		n := len(scratch)
		scratch = append(scratch, s...)
		rec.Attributes = scratch[n:len(scratch):len(scratch)]
	case attrs[0] == '{':
		rec.Attributes = attrs
	default:
		rec.Err = errors.New(`"attributes" is neither a JSON string nor an object`)
	}
	if rec.Err != nil {
		rec.names()
	}
	*w = workerJSON{}
	return rec, scratch
}

// names decodes the SID and friendly name of a record read from a file,
// which the audit needs only for workers with findings; a value that is not
// a JSON string reads as "".
func (rec *Record) names() {
	if rec.sid != nil {
		rec.SID, rec.sid = jsonString(rec.sid), nil
	}
	if rec.friendlyName != nil {
		rec.FriendlyName, rec.friendlyName = jsonString(rec.friendlyName), nil
	}
}

// jsonString decodes the JSON value v when it is a string, else gives "".
func jsonString(v []byte) string {
	var s string
	if len(v) > 0 && v[0] == '"' {
		_ = json.Unmarshal(v, &s) // read from valid JSON: cannot fail
	}
	return s
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
