package explain

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
)

// storedKey is a key as the keys file holds it. Keys of one output share
// most inputs (a C++ compile reads some 200 toolchain headers), so only
// the latest holds its inputs in full; an older one holds what differs
// from it ("" for a file the older key did not read): a record of four
// keys of a kernel compile takes some 60 KB.
type storedKey struct {
	Key
	InputsDelta map[string]string `json:"inputs_delta,omitempty"`
}

func pack(keys []Key) []storedKey {
	out := make([]storedKey, len(keys))
	for i, k := range keys {
		out[i].Key = k
		if i == 0 {
			continue
		}
		latest := keys[0].Inputs
		out[i].Inputs, out[i].InputsDelta = nil, map[string]string{}
		for p, d := range k.Inputs {
			if latest[p] != d {
				out[i].InputsDelta[p] = d
			}
		}
		for p := range latest {
			if _, ok := k.Inputs[p]; !ok {
				out[i].InputsDelta[p] = ""
			}
		}
	}
	return out
}

func unpack(stored []storedKey) []Key {
	out := make([]Key, len(stored))
	for i, s := range stored {
		out[i] = s.Key
		if i == 0 {
			continue
		}
		inputs := make(map[string]string, len(stored[0].Inputs))
		for p, d := range stored[0].Inputs {
			inputs[p] = d
		}
		for p, d := range s.InputsDelta {
			if d == "" {
				delete(inputs, p)
			} else {
				inputs[p] = d
			}
		}
		out[i].Inputs = inputs
	}
	return out
}

// writeKeys stores keys, packed. It runs on every miss, so the JSON is
// not compressed: gzip, even at its fastest, cost a kernel compile's miss
// about a millisecond of CPU (mostly setting up its tables) to halve a
// file that only rex explain reads.
func writeKeys(path string, keys []Key) error {
	b, err := json.Marshal(pack(keys))
	if err != nil {
		return err
	}
	return writeFile(path, b)
}

// readKeys reads what writeKeys stored, or a record written gzipped by an
// earlier rex; nothing when there is no record or it does not read.
func readKeys(path string) []Key {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	if bytes.HasPrefix(b, []byte{0x1f, 0x8b}) { // gzip's magic; JSON starts with '['
		r, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil
		}
		if b, err = io.ReadAll(r); err != nil {
			return nil
		}
	}
	var stored []storedKey
	if json.Unmarshal(b, &stored) != nil {
		return nil
	}
	return unpack(stored)
}
