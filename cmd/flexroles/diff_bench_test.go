package main

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flexroles/flexroles/internal/workergen"
)

// BenchmarkDiff diffs the example policy against its proposed change over
// generated IdP exports of 20,000 and 200,000 users (NDJSON, a fifth of
// them changing), printing JSON, and reports users/s and the peak of the
// live heap during the run: flat memory means the same peak for both sizes.
func BenchmarkDiff(b *testing.B) {
	for _, n := range []int{20000, 200000} {
		b.Run("users="+strconv.Itoa(n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "users.ndjson")
			f, err := os.Create(path) //nolint:gosec // G304: a file in the benchmark's temporary directory
			if err != nil {
				b.Fatal(err)
			}
			if err := workergen.WriteUsers(f, n); err != nil {
				b.Fatal(err)
			}
			if err := f.Close(); err != nil {
				b.Fatal(err)
			}
			args := []string{"diff", "--json", "--fail-on", "refuse", "--users", path, examplePolicy, exampleNext}
			b.ReportAllocs()
			b.ResetTimer()
			var peak uint64
			for i := 0; i < b.N; i++ {
				runtime.GC()
				stop := watchHeap(&peak)
				code := run(args, nil, io.Discard, io.Discard)
				stop()
				if code != exitFailed {
					b.Fatalf("exit %d, want %d", code, exitFailed)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "users/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// watchHeap samples the bytes of live and not yet swept heap objects every
// millisecond, raising *peak to the largest, until the returned function is
// called.
func watchHeap(peak *uint64) (stop func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
