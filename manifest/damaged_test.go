package manifest

import (
	"bytes"
	"os"
	"testing"
)

// A record with a byte of an absent place's name changed still decodes,
// and states another place absent: with the directory's stamp zero (or
// changed), a header created at the recorded place must not hold.
func TestDamagedAbsentNameDoesNotHold(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/b/h.h", "#define HV 1\n")
	os.Mkdir(dir+"/a", 0o755)
	data := Encode([]Entry{{Action: "ab/1", Files: []File{readFact(t, dir+"/b/h.h")},
		Dirs: []Dir{{Path: dir + "/a", Absent: []string{"h.h"}}}}})
	if _, ok := Lookup(data); !ok {
		t.Fatal("the record's facts do not hold")
	}
	damaged := bytes.Replace(data, []byte("\x03h.h"), []byte("\x03h.g"), 1)
	if bytes.Equal(damaged, data) {
		t.Fatal("the record does not hold the absent name")
	}
	write(t, dir+"/a/h.h", "#define HV 2\n")
	if e, ok := Lookup(damaged); ok {
		t.Errorf("a damaged record held though a/h.h exists: absent %v", e.Dirs[0].absentPaths())
	}
}

// No record with one byte changed gives an entry: any fact, the action
// or the replay data may be the changed byte.
func TestRecordWithAByteChangedGivesNoEntry(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/b/h.h", "#define HV 1\n")
	os.Mkdir(dir+"/a", 0o755)
	f := readFact(t, dir+"/b/h.h")
	f.Stamp = Stamp{} // held by content: a changed stamp does not end the check
	data := Encode([]Entry{{Action: "ab/1", Replay: []byte(`{"o":"x.o"}`), Files: []File{f},
		Dirs: []Dir{{Path: dir + "/a", Absent: []string{"h.h", "g.h"}}}}})
	if _, ok := Lookup(data); !ok {
		t.Fatal("the record's facts do not hold")
	}
	for i := len(header); i < len(data); i++ {
		damaged := bytes.Clone(data)
		damaged[i] ^= 0x01
		if e, ok := Lookup(damaged); ok {
			t.Errorf("byte %d changed: entry for %q held", i, e.Action)
		}
	}
}
