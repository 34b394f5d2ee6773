// Package filesum is the checksum that ends each record rex keeps in its
// own files (direct-mode records, local results, cache lines, kept
// directory reads), so that one cut short or with a byte changed reads as
// none rather than as another record.
//
// It is CRC-32 (IEEE), not CRC-32C: both catch a torn write or a changed
// byte alike, but Go's CRC-32C builds its hardware path's tables on first
// use, about a quarter of a millisecond of every rex process (most of a
// cache hit's start-up beyond the runtime's own), where CRC-32's cost
// some 20 µs.
package filesum

import "hash/crc32"

// Size is the length of a sum in bytes.
const Size = crc32.Size

// Sum is the checksum of b.
func Sum(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// Update is the checksum of the bytes summed into sum followed by b.
func Update(sum uint32, b []byte) uint32 { return crc32.Update(sum, crc32.IEEETable, b) }
