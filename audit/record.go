package audit

import (
	"bytes"
	"errors"
	"io"

	"github.com/flexroles/flexroles/internal/jsonvalues"
	"github.com/flexroles/flexroles/internal/rawjson"
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
	if !rawjson.Valid(v.Data) {
		return append(out, Record{Line: v.Line, SID: guessSID(v.Data), Err: errors.New("not valid JSON")}), scratch
	}
	var workers []byte
	isObject := rawjson.Members(v.Data, func(k, val []byte) bool {
		if rawjson.Equal(k, "workers") {
			workers = val
			return false
		}
		return true
	})
	if !isObject {
		return append(out, Record{Line: v.Line, Err: errors.New("a worker is a JSON object")}), scratch
	}
	if workers == nil {
		rec, scratch := decodeWorker(v.Data, v.Line, scratch)
		return append(out, rec), scratch
	}
	line, from := v.Line, 0
	isArray := rawjson.Elements(workers, func(w []byte) bool {
		at := offsetIn(v.Data, w)
		line += bytes.Count(v.Data[from:at], []byte{'\n'})
		from = at
		var rec Record
		rec, scratch = decodeWorker(w, line, scratch)
		out = append(out, rec)
		return true
	})
	if !isArray {
		out = append(out, Record{Line: v.Line, Err: errors.New(`the page's "workers" is not an array`)})
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
func decodeWorker(w []byte, line int, scratch []byte) (Record, []byte) {
	rec := Record{Line: line}
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
func (rec *Record) names() {
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
