package rawjson

import (
	"encoding/binary"
	"math/bits"
)

// The scans below test eight bytes at a time: for a word x, (x - lsb*n) &^
// x & msb flags the bytes of x below n (n ≤ 0x80), and a byte equal to c is
// a zero byte of x ^ lsb*c. Flags above the lowest one may be false, so only
// the lowest is used, and that one is exact.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

func below(x, n uint64) uint64 { return (x - lsb*n) &^ x & msb }

func equal(x, c uint64) uint64 { return below(x^(lsb*c), 1) }

// firstSpecial returns the index of the first byte at or after i that is a
// quote, a backslash or a control character, or len(b).
func firstSpecial(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := equal(x, '"') | equal(x, '\\') | below(x, 0x20); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return i
}

// firstQuoteOrEscape returns the index of the first quote or backslash at
// or after i, or len(b).
func firstQuoteOrEscape(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := equal(x, '"') | equal(x, '\\'); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' {
			return i
		}
	}
	return i
}

// firstEscapeOrHigh returns the index of the first backslash or non-ASCII
// byte at or after i, or len(b).
func firstEscapeOrHigh(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := equal(x, '\\') | x&msb; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '\\' || c >= 0x80 {
			return i
		}
	}
	return i
}
