package client

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/digest"
)

func mustMessage(t *testing.T, m proto.Message) (digest.Digest, []byte) {
	t.Helper()
	d, b, err := digest.SHA256.FromMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	return d, b
}

// TestBuildTreeCanonical checks BuildTree against Directory messages built
// by hand: sorted children, one segment per name, executables marked,
// empty directories kept, blobs listed once.
func TestBuildTreeCanonical(t *testing.T) {
	src := filepath.Join(t.TempDir(), "x.c")
	if err := os.WriteFile(src, []byte("int x;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inputs := []Input{
		{Path: "b.txt", Data: []byte("bee")},
		{Path: "a/x.c", Source: src},
		{Path: "a/run.sh", Data: []byte("#!/bin/sh\n"), Executable: true},
		{Path: "a/empty", IsDir: true},
		{Path: "a/copy.c", Data: []byte("int x;\n")},
	}
	root, blobs, err := BuildTree(digest.SHA256, inputs)
	if err != nil {
		t.Fatal(err)
	}
	f := digest.SHA256
	xc := f.FromBytes([]byte("int x;\n"))
	empty, _ := mustMessage(t, &repb.Directory{})
	a, _ := mustMessage(t, &repb.Directory{
		Files: []*repb.FileNode{
			{Name: "copy.c", Digest: xc.Proto()},
			{Name: "run.sh", Digest: f.FromBytes([]byte("#!/bin/sh\n")).Proto(), IsExecutable: true},
			{Name: "x.c", Digest: xc.Proto()},
		},
		Directories: []*repb.DirectoryNode{{Name: "empty", Digest: empty.Proto()}},
	})
	want, _ := mustMessage(t, &repb.Directory{
		Files:       []*repb.FileNode{{Name: "b.txt", Digest: f.FromBytes([]byte("bee")).Proto()}},
		Directories: []*repb.DirectoryNode{{Name: "a", Digest: a.Proto()}},
	})
	if root != want {
		t.Fatalf("root = %s, want %s", root, want)
	}
	if empty.Hash != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatalf("empty Directory digest %s: not the empty blob", empty)
	}
	// 3 distinct file contents + 3 directories; x.c and copy.c share one blob.
	if len(blobs) != 6 {
		t.Fatalf("got %d blobs, want 6: %v", len(blobs), blobs)
	}
	for _, b := range blobs {
		if b.Digest == xc && b.Path != src {
			t.Errorf("x.c blob: Path %q, want %q", b.Path, src)
		}
	}
	// Each file input now carries the digest its node took.
	for _, in := range inputs {
		if want := map[string]digest.Digest{"b.txt": f.FromBytes([]byte("bee")), "a/x.c": xc,
			"a/run.sh": f.FromBytes([]byte("#!/bin/sh\n")), "a/copy.c": xc}[in.Path]; in.Digest != want {
			t.Errorf("input %s: Digest %v, want %v", in.Path, in.Digest, want)
		}
	}
}

// TestBuildTreeWireBytes checks the serialisation against bytes encoded by
// hand from the protobuf wire format.
func TestBuildTreeWireBytes(t *testing.T) {
	root, blobs, err := BuildTree(digest.SHA256, []Input{{Path: "a", Data: []byte("x")}})
	if err != nil {
		t.Fatal(err)
	}
	x := digest.SHA256.FromBytes([]byte("x"))
	digestMsg := append([]byte{0x0a, 64}, x.Hash...) // Digest.hash
	digestMsg = append(digestMsg, 0x10, 1)           // Digest.size_bytes = 1
	file := append([]byte{0x0a, 1, 'a', 0x12, byte(len(digestMsg))}, digestMsg...)
	dir := append([]byte{0x0a, byte(len(file))}, file...) // Directory.files
	if want := digest.SHA256.FromBytes(dir); root != want {
		t.Fatalf("root = %s, want %s (%s)", root, want, hex.EncodeToString(dir))
	}
	for _, b := range blobs {
		if b.Digest == root && !bytes.Equal(b.Data, dir) {
			t.Fatalf("root blob bytes differ from hand encoding")
		}
	}
}

func TestBuildTreeRejects(t *testing.T) {
	cases := map[string][]Input{
		"empty":         {{Path: ""}},
		"absolute":      {{Path: "/etc/passwd"}},
		"dotdot":        {{Path: "../x"}},
		"inner dotdot":  {{Path: "a/../b"}},
		"dot":           {{Path: "./a"}},
		"double slash":  {{Path: "a//b"}},
		"trailing":      {{Path: "a/"}},
		"duplicate":     {{Path: "a/b"}, {Path: "a/b"}},
		"file then dir": {{Path: "a", Data: []byte("1")}, {Path: "a/b"}},
		"dir then file": {{Path: "a/b"}, {Path: "a"}},
		"isdir vs file": {{Path: "a"}, {Path: "a", IsDir: true}},
		"missing src":   {{Path: "a", Source: "/nonexistent/rex-test"}},
	}
	for name, inputs := range cases {
		if _, _, err := BuildTree(digest.SHA256, inputs); err == nil {
			t.Errorf("%s: BuildTree accepted %v", name, inputs)
		}
	}
	if _, _, err := BuildTree(digest.SHA256, []Input{{Path: "a/b", IsDir: true}, {Path: "a", IsDir: true}, {Path: "a/b/c"}}); err != nil {
		t.Errorf("nested directories: %v", err)
	}
}

func TestValidateDirectory(t *testing.T) {
	d := digest.SHA256.FromBytes([]byte("x")).Proto()
	file := func(n string) *repb.FileNode { return &repb.FileNode{Name: n, Digest: d} }
	sub := func(n string) *repb.DirectoryNode { return &repb.DirectoryNode{Name: n, Digest: d} }
	good := &repb.Directory{
		Files:       []*repb.FileNode{file("a"), file("b")},
		Directories: []*repb.DirectoryNode{sub("c")},
		Symlinks:    []*repb.SymlinkNode{{Name: "d", Target: "a"}},
	}
	if err := ValidateDirectory(good); err != nil {
		t.Fatalf("good directory: %v", err)
	}
	bad := map[string]*repb.Directory{
		"nil":            nil,
		"empty name":     {Files: []*repb.FileNode{file("")}},
		"slash":          {Files: []*repb.FileNode{file("a/b")}},
		"dot":            {Directories: []*repb.DirectoryNode{sub(".")}},
		"dotdot":         {Directories: []*repb.DirectoryNode{sub("..")}},
		"unsorted":       {Files: []*repb.FileNode{file("b"), file("a")}},
		"duplicate":      {Files: []*repb.FileNode{file("a"), file("a")}},
		"file and dir":   {Files: []*repb.FileNode{file("a")}, Directories: []*repb.DirectoryNode{sub("a")}},
		"bad digest":     {Files: []*repb.FileNode{{Name: "a", Digest: &repb.Digest{Hash: "xyz"}}}},
		"missing digest": {Directories: []*repb.DirectoryNode{{Name: "a"}}},
		"empty target":   {Symlinks: []*repb.SymlinkNode{{Name: "a"}}},
		"nul":            {Files: []*repb.FileNode{file("a\x00b")}},
	}
	for name, dir := range bad {
		if err := ValidateDirectory(dir); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), "directory") {
			t.Errorf("%s: unhelpful error %v", name, err)
		}
	}
}

func FuzzValidateDirectory(f *testing.F) {
	d := digest.SHA256.FromBytes([]byte("x")).Proto()
	seed, _ := proto.Marshal(&repb.Directory{Files: []*repb.FileNode{{Name: "a", Digest: d}}})
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := &repb.Directory{}
		if proto.Unmarshal(b, dir) != nil {
			return
		}
		if ValidateDirectory(dir) == nil {
			// Anything accepted must be safe to join as path segments.
			for _, f := range dir.GetFiles() {
				if checkName(f.GetName()) != nil {
					t.Fatalf("accepted bad name %q", f.GetName())
				}
			}
		}
	})
}
