package main

import (
	"bytes"
	"io"
	"testing"

	"github.com/flexroles/flexroles/internal/workergen"
)

// BenchmarkAudit audits generated NDJSON workers and reports workers/s; the
// 1,000,000-worker figure in docs/performance.md comes from the same
// generator (internal/workergen/genworkers) run through the built command.
func BenchmarkAudit(b *testing.B) {
	const n = 100000
	var in bytes.Buffer
	if err := workergen.Write(&in, n); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(in.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		code := run([]string{"audit", "--json"}, bytes.NewReader(in.Bytes()), io.Discard, io.Discard)
		if code != exitFailed {
			b.Fatalf("exit %d, want %d", code, exitFailed)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "workers/s")
}
