package audit_test

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles/audit"
	"github.com/flexroles/flexroles/internal/workergen"
)

// generatedPage returns one ListWorkers page of n generated workers, on one
// line, as the TaskRouter API returns it.
func generatedPage(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, workergen.Write(&buf, n))
	workers := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	page := append([]byte(`{"workers":[`), bytes.Join(workers, []byte(","))...)
	return append(page, `],"meta":{"page":0,"page_size":1000,"key":"workers"}}`+"\n"...)
}

// TestPageMistakenForNDJSON: a pretty-printed ListWorkers page whose
// first line opens brackets and whose worker sits alone on the next line is
// one value, not NDJSON.
func TestPageMistakenForNDJSON(t *testing.T) {
	const page = `{"workers":[` + "\n" +
		`{"sid":"WK1","friendly_name":"ana","attributes":"{\"roles\":[\"agent\"],\"email\":\"ana@example.com\"}"}` + "\n" +
		`],"meta":{"page":0,"page_size":50,"key":"workers"}}` + "\n"
	got, _, stats := auditFile(t, &audit.Auditor{}, page)
	assert.Zero(t, stats.Errors, "a clean page (audit exits 0)")
	assert.Equal(t, 1, stats.Workers, "one worker")
	assert.Empty(t, got, "a clean worker has no findings")
}

// TestCutPageSwallowsTheNext: ListWorkers pages of 1,000 workers, one
// page a line, are longer than the reader's buffer; a page cut short costs
// that line only, and the next page is read in full.
func TestCutPageSwallowsTheNext(t *testing.T) {
	page := generatedPage(t, 1000)
	require.Greater(t, len(page), 256<<10)
	cut := page[:len(page)/2]
	input := string(page) + string(cut) + "\n" + string(page)
	_, table, stats := auditFile(t, &audit.Auditor{}, input)
	require.Positive(t, stats.Errors, "error-level findings (audit exits 1)")
	lines := strings.Split(strings.TrimSpace(table), "\n")
	assert.True(t, strings.HasPrefix(lines[len(lines)-1], "2001 workers audited"),
		"pages 1 and 3 in full, page 2 as one malformed record; got summary %q", lines[len(lines)-1])
}

// pagesReader streams n copies of one ListWorkers page without holding
// them all.
type pagesReader struct {
	page []byte
	n    int
	off  int
}

func (r *pagesReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.page[r.off:])
	if r.off += k; r.off == len(r.page) {
		r.off, r.n = 0, r.n-1
	}
	return k, nil
}

// peakHeap runs fn and returns the largest HeapAlloc seen meanwhile.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	return peak.Load()
}

// TestPagesMemoryFlat: memory stays flat however many workers, for
// ListWorkers pages (up to 1,000 workers a value) as for NDJSON: batches are
// bounded by bytes as well as by values.
func TestPagesMemoryFlat(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("reads 200,000 workers and measures the heap, which the race detector inflates")
	}
	const pages, perPage, limit = 200, 1000, 64 << 20
	page := generatedPage(t, perPage)
	var ndjson bytes.Buffer
	require.NoError(t, workergen.Write(&ndjson, perPage))

	auditAll := func(r io.Reader) {
		var a audit.Auditor
		report := audit.NewTableReport()
		stats, err := a.Run(audit.NewFile(r), func(f []audit.Finding, _ int) error { return report.Add(f) })
		require.NoError(t, err)
		require.Positive(t, stats.Errors, "error-level findings (audit exits 1)")
	}
	flat := peakHeap(func() { auditAll(&pagesReader{page: ndjson.Bytes(), n: pages}) })
	paged := peakHeap(func() { auditAll(&pagesReader{page: page, n: pages}) })
	t.Logf("peak heap for %d workers: NDJSON %d MB, ListWorkers pages %d MB", pages*perPage, flat>>20, paged>>20)
	assert.Less(t, flat, uint64(limit), "control: NDJSON workers")
	assert.Less(t, paged, uint64(limit), "the same workers as ListWorkers pages (%d MB of input)", pages*len(page)>>20)
}
