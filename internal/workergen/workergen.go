// Package workergen writes realistic TaskRouter workers as NDJSON, in the
// shape the ListWorkers API returns them, for benchmarks and load tests of
// the audit: mostly healthy agents and supervisors, with the mistakes audits
// find mixed in at a fixed rate. WriteUsers writes the matching IdP export,
// for the drift audit and policy diffs.
package workergen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// attributes are the worker attribute objects the generator cycles through;
// one in ten has a finding.
var attributes = []string{
	`{"roles":["agent"],"email":"%[1]s","full_name":"%[2]s","contact_uri":"%[3]s","routing":{"skills":["sales","support"],"levels":{"sales":5,"support":3}},"department":"Sales","location":"EU-West"}`,
	`{"roles":["agent"],"email":"%[1]s","full_name":"%[2]s","contact_uri":"%[3]s","routing":{"skills":["billing"],"levels":{"billing":7}},"disabled_skills":{"skills":[],"levels":{}}}`,
	`{"roles":["supervisor","wfo.team_leader"],"email":"%[1]s","full_name":"%[2]s","contact_uri":"%[3]s","routing":{"skills":["sales"],"levels":{"sales":9}},"team_name":"North"}`,
	`{"roles":["agent"],"email":"%[1]s","full_name":"%[2]s","contact_uri":"%[3]s","languages":["en","fr"],"skill":42}`,
	`{"roles":["supervisor","wfo.team_leader","wfo.quality_manager"],"email":"%[1]s","full_name":"%[2]s","contact_uri":"%[3]s"}`,
	`{"roles":["agent"],"email":"%[1]s","full_name":"%[2]s","contact_uri":"%[3]s","routing":{"skills":["support"],"levels":{"support":4}}}`,
	`{"roles":["agent"],"email":"%[1]s","full_name":"%[2]s","contact_uri":"%[3]s","department":"Support"}`,
	`{"roles":["admin","wfo.full_access"],"email":"%[1]s","full_name":"%[2]s","contact_uri":"%[3]s"}`,
	`{"roles":["agent"],"email":"%[1]s","full_name":"%[2]s","contact_uri":"%[3]s","routing":{"skills":["sales"],"levels":{"sales":2}}}`,
	`{"roles":["supervisor","wfo.dashboards_viewer"],"email":"%[1]s","full_name":"%[2]s","contact_uri":"%[3]s"}`,
}

// Write writes n workers to w as NDJSON, one ListWorkers worker object per
// line with its attributes as a JSON string. The output depends only on n.
func Write(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	for i := 0; i < n; i++ {
		email := "user" + strconv.Itoa(i) + "@example.com"
		attrs := fmt.Sprintf(attributes[i%len(attributes)], email, "User "+strconv.Itoa(i), contactURI(email))
		quoted, err := json.Marshal(attrs)
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, `{"account_sid":"AC00000000000000000000000000000000","activity_name":"Offline","attributes":%s,"available":false,"date_created":"2026-01-05T10:00:00Z","friendly_name":"%s","sid":"WK%032x","workspace_sid":"WS00000000000000000000000000000000"}`+"\n",
			quoted, email, i)
	}
	return bw.Flush()
}

// contactURI escapes email the way Flex writes contact_uri.
func contactURI(email string) string {
	const hex = "0123456789ABCDEF"
	b := []byte("client:")
	for i := 0; i < len(email); i++ {
		c := email[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b = append(b, c)
		} else {
			b = append(b, '_', hex[c>>4], hex[c&0xf])
		}
	}
	return string(b)
}

// users are the IdP export rows WriteUsers cycles through, in the terms of
// examples/policy.yaml: agents, leads, QA, analysts in and out of the EU,
// a leaver, and a supervisor whose role comes from the roles attribute.
var users = []string{
	`"groups":["CC-Agents"],"attributes":{"department":"Sales","location":"EU-West"}`,
	`"groups":["CC-Agents"],"attributes":{"department":"Support","location":"EU-West"}`,
	`"groups":["CC-Leads"],"attributes":{"department":"Sales","location":"EU-West"}`,
	`"groups":["CC-Agents"],"attributes":{"department":"Support","location":"US-East"}`,
	`"groups":["CC-Leads","CC-QA"],"attributes":{"department":"Quality","location":"EU-West"}`,
	`"groups":["CC-Analytics"],"attributes":{"department":"Sales","location":"EU-North"}`,
	`"groups":["CC-Analytics"],"attributes":{"department":"Sales","location":"US-East"}`,
	`"groups":["CC-Agents","Offboarded"],"attributes":{"department":"Support","location":"EU-West"}`,
	`"groups":[],"roles":["supervisor"],"attributes":{"department":"Support","location":"EU-West"}`,
	`"groups":["CC-Agents","CC-Support-Tier2"],"attributes":{"department":"Support","location":"EU-South"}`,
}

// WriteUsers writes n users of an IdP export to w as NDJSON, one
// {"email","name","groups","roles","attributes"} object per line, with the
// emails Write gives its workers. The output depends only on n.
func WriteUsers(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	for i := 0; i < n; i++ {
		fmt.Fprintf(bw, `{"email":"user%d@example.com","name":"User %d",%s}`+"\n", i, i, users[i%len(users)])
	}
	return bw.Flush()
}
