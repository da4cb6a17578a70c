package main

import (
	"bytes"
	"errors"
	"github.com/flexroles/flexroles/internal/jsonvalues"

	"github.com/flexroles/flexroles/internal/rawjson"
)

// decodeValue turns one top-level value into worker records: one for a
// worker, one per worker for a ListWorkers page. A value that cannot be read
// gives one record with Err set. Decoded attributes go to scratch, which is
// returned grown.
func decodeValue(v jsonvalues.Value, out []workerRecord, scratch []byte) ([]workerRecord, []byte) {
	if v.Err != nil {
		return append(out, workerRecord{Line: v.Line, SID: guessSID(v.Data), Err: v.Err}), scratch
	}
	if !rawjson.Valid(v.Data) {
		return append(out, workerRecord{Line: v.Line, SID: guessSID(v.Data), Err: errors.New("not valid JSON")}), scratch
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
		return append(out, workerRecord{Line: v.Line, Err: errors.New("a worker is a JSON object")}), scratch
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
		var rec workerRecord
		rec, scratch = decodeWorker(w, line, scratch)
		out = append(out, rec)
		return true
	})
	if !isArray {
		out = append(out, workerRecord{Line: v.Line, Err: errors.New(`the page's "workers" is not an array`)})
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
