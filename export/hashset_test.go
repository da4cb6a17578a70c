package export

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHashSet checks the duplicate check's set against a map, across the
// table's growth, with 0 and hashes that share their low bits.
func TestHashSet(t *testing.T) {
	var s hashSet
	want := map[uint64]bool{}
	for i := uint64(0); i < 20000; i++ {
		for _, h := range []uint64{i * 0x9E3779B97F4A7C15, i << 40, i % 700} {
			h = max(h, 1) // the set stores 0 as 1
			require.Equal(t, !want[h], s.add(h), "add %#x", h)
			want[h] = true
		}
	}
	require.Equal(t, len(want), s.n)
	require.LessOrEqual(t, 4*s.n, 3*len(s.slots), "at most three quarters full")
}
