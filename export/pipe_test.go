//go:build unix

package export_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/flexroles/flexroles/export"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEachFromAPipe reads an export from a named pipe, which cannot be read
// twice: File.Each keeps the emails themselves, so that a duplicate is still
// found with both lines, and no user is lost.
func TestEachFromAPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "users.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	var b strings.Builder
	b.WriteString("email,name,groups,department\n")
	for i := 0; i < 5000; i++ {
		b.WriteString("u" + strconv.Itoa(i) + "@x.co,U,CC-Agents,Sales\n")
	}
	each := func(extra string) (int, error) {
		go func() {
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer f.Close()
			_, _ = f.WriteString(b.String() + extra)
		}()
		f, err := export.Open(fifo)
		require.NoError(t, err)
		defer f.Close()
		n := 0
		err = f.Each(func(*export.User) error { n++; return nil })
		return n, err
	}
	n, err := each("")
	require.NoError(t, err)
	assert.Equal(t, 5000, n)

	n, err = each("U17@X.CO,U,CC-Agents,Sales\n")
	assert.Equal(t, 5000, n, "every user before the duplicate is read")
	var e *export.Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, export.ErrDuplicateEmail)
	assert.Equal(t, 5002, e.Line)
	assert.EqualError(t, err, fifo+`:5002: email "U17@X.CO" already given on line 19`)
}
