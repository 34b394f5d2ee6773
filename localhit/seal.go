package localhit

import (
	"encoding/binary"

	"github.com/rexbuild/rex/filesum"
)

// A result the local cache keeps ends in a field no REAPI message defines:
// a checksum of every byte before it (package filesum). A result cut short after its outputs
// (a crash before its data reached the disk) still reads as a result, one
// without the compile's warnings, and a byte changed in a stream reads as
// other diagnostics: a hit would replay them. One whose sum does not match
// is a miss. The field keeps the entry an ActionResult to any reader.

// sealField is the trailing field's number; its wire type is fixed32.
const sealField = 2047

var sealTag = binary.AppendUvarint(nil, sealField<<3|5)

// seal appends the sum of b to it.
func seal(b []byte) []byte {
	sum := filesum.Sum(b)
	return binary.LittleEndian.AppendUint32(append(b, sealTag...), sum)
}

// unseal returns the result data sealed, or false when data does not end
// in the sum of the bytes before it.
func unseal(data []byte) ([]byte, bool) {
	n := len(data) - len(sealTag) - filesum.Size
	if n < 0 || string(data[n:n+len(sealTag)]) != string(sealTag) {
		return nil, false
	}
	body := data[:n]
	return body, filesum.Sum(body) == binary.LittleEndian.Uint32(data[len(data)-filesum.Size:])
}
