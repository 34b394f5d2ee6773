package client

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/digest"
)

// listTree returns every path under dir with a one-letter kind prefix.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, e.Type().String()[:1]+" "+rel)
		return nil
	})
	return out
}

func putTree(t *testing.T, f *fakeServer, root *repb.Directory, children ...*repb.Directory) *repb.Digest {
	b, err := proto.Marshal(&repb.Tree{Root: root, Children: children})
	if err != nil {
		t.Fatal(err)
	}
	return f.put(b).Proto()
}

func TestDownloadOutputs(t *testing.T) {
	f := newFake()
	c := f.start(t, Config{})
	obj := f.put([]byte("object code"))
	big := f.put(bytes.Repeat([]byte("L"), 5<<20))
	sub := &repb.Directory{Files: []*repb.FileNode{{Name: "deep.txt", Digest: obj.Proto()}}}
	subd, _ := mustMessage(t, sub)
	empty := &repb.Directory{}
	emptyd, _ := mustMessage(t, empty)
	root := &repb.Directory{
		Files:       []*repb.FileNode{{Name: "run", Digest: obj.Proto(), IsExecutable: true}},
		Directories: []*repb.DirectoryNode{{Name: "e", Digest: emptyd.Proto()}, {Name: "s", Digest: subd.Proto()}},
		Symlinks:    []*repb.SymlinkNode{{Name: "up", Target: "../a.o"}},
	}
	r := &repb.ActionResult{
		OutputFiles: []*repb.OutputFile{
			{Path: "a.o", Digest: obj.Proto()},
			{Path: "sub/a.d", Digest: digest.SHA256.FromBytes([]byte("a.o: a.c")).Proto(), Contents: []byte("a.o: a.c")},
			{Path: "big.bin", Digest: big.Proto(), IsExecutable: true},
			{Path: "empty", Digest: digest.SHA256.Empty().Proto()},
		},
		OutputDirectories: []*repb.OutputDirectory{{Path: "gen", TreeDigest: putTree(t, f, root, sub, empty)}},
		OutputSymlinks:    []*repb.OutputSymlink{{Path: "link.o", Target: "a.o"}},
	}
	work := t.TempDir()
	if err := c.DownloadOutputs(context.Background(), r, work); err != nil {
		t.Fatal(err)
	}
	want := "- a.o|- big.bin|- empty|d gen|d gen/e|- gen/run|d gen/s|- gen/s/deep.txt|L gen/up|L link.o|d sub|- sub/a.d"
	got := strings.Join(listTree(t, work), "|")
	if got != want {
		t.Fatalf("work dir:\n got %s\nwant %s", got, want)
	}
	checkFile := func(rel, content string, mode os.FileMode) {
		b, err := os.ReadFile(filepath.Join(work, rel))
		fi, _ := os.Stat(filepath.Join(work, rel))
		if err != nil || (content != "" && string(b) != content) || fi.Mode().Perm() != mode {
			t.Errorf("%s: %q %v %v", rel, b, err, fi.Mode())
		}
	}
	checkFile("a.o", "object code", atomicfile.OutputMode(false))
	checkFile("gen/run", "object code", atomicfile.OutputMode(true))
	checkFile("big.bin", "", atomicfile.OutputMode(true))
	checkFile("sub/a.d", "a.o: a.c", atomicfile.OutputMode(false))
	checkFile("gen/up", "object code", atomicfile.OutputMode(false))
	checkFile("link.o", "object code", atomicfile.OutputMode(false))
}

// TestDownloadOutputsRefuses: every unsafe result is refused before
// anything (even its safe outputs) is written.
func TestDownloadOutputsRefuses(t *testing.T) {
	f := newFake()
	c := f.start(t, Config{})
	obj := f.put([]byte("x")).Proto()
	file := func(p string) *repb.OutputFile { return &repb.OutputFile{Path: p, Digest: obj} }
	link := func(p, target string) *repb.OutputSymlink { return &repb.OutputSymlink{Path: p, Target: target} }
	escaping := putTree(t, f, &repb.Directory{Symlinks: []*repb.SymlinkNode{{Name: "s", Target: "../../x"}}})
	dotdot := putTree(t, f, &repb.Directory{Files: []*repb.FileNode{{Name: "..", Digest: obj}}})
	cases := map[string]*repb.ActionResult{
		"dotdot":         {OutputFiles: []*repb.OutputFile{file("../x")}},
		"inner dotdot":   {OutputFiles: []*repb.OutputFile{file("a/../../x")}},
		"absolute":       {OutputFiles: []*repb.OutputFile{file("/tmp/x")}},
		"empty":          {OutputFiles: []*repb.OutputFile{file("")}},
		"dot":            {OutputFiles: []*repb.OutputFile{file(".")}},
		"duplicate":      {OutputFiles: []*repb.OutputFile{file("b"), file("./b")}},
		"nested":         {OutputFiles: []*repb.OutputFile{file("b"), file("b/c")}},
		"abs symlink":    {OutputSymlinks: []*repb.OutputSymlink{link("l", "/etc/passwd")}},
		"escape symlink": {OutputFileSymlinks: []*repb.OutputSymlink{link("d/l", "../../x")}},
		"escape midway":  {OutputSymlinks: []*repb.OutputSymlink{link("l", "../w/x")}},
		"tree symlink":   {OutputDirectories: []*repb.OutputDirectory{{Path: "g", TreeDigest: escaping}}},
		"tree dotdot":    {OutputDirectories: []*repb.OutputDirectory{{Path: "g", TreeDigest: dotdot}}},
		"bad digest":     {OutputFiles: []*repb.OutputFile{{Path: "c", Digest: &repb.Digest{Hash: "zz"}}}},
	}
	for name, r := range cases {
		r.OutputFiles = append([]*repb.OutputFile{file("good.o")}, r.OutputFiles...)
		work := t.TempDir()
		err := c.DownloadOutputs(context.Background(), r, work)
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
		if got := listTree(t, work); len(got) != 0 {
			t.Errorf("%s: wrote %v", name, got)
		}
	}
	// An existing symlink among the parents could redirect writes outside.
	work, outside := t.TempDir(), t.TempDir()
	os.Symlink(outside, filepath.Join(work, "sub"))
	err := c.DownloadOutputs(context.Background(), &repb.ActionResult{OutputFiles: []*repb.OutputFile{file("sub/x.o")}}, work)
	if err == nil || len(listTree(t, outside)) != 0 {
		t.Errorf("write through a symlinked parent: err %v, outside %v", err, listTree(t, outside))
	}
	os.Symlink(outside, filepath.Join(work, "gen"))
	tree := putTree(t, f, &repb.Directory{Files: []*repb.FileNode{{Name: "x.o", Digest: obj}}})
	err = c.DownloadOutputs(context.Background(), &repb.ActionResult{
		OutputDirectories: []*repb.OutputDirectory{{Path: "gen", TreeDigest: tree}}}, work)
	if err == nil || len(listTree(t, outside)) != 0 {
		t.Errorf("output directory that is a symlink: err %v, outside %v", err, listTree(t, outside))
	}
}

// TestDownloadOutputsCorruptKeepsOldFiles: one corrupt blob fails the whole
// download, leaves the previous outputs untouched and no temporary files.
func TestDownloadOutputsCorruptKeepsOldFiles(t *testing.T) {
	f := newFake()
	c := f.start(t, Config{})
	good, bad := f.put([]byte("new good")), f.put([]byte("new bad"))
	f.corrupt[bad] = true
	work := t.TempDir()
	os.WriteFile(filepath.Join(work, "a.o"), []byte("old a"), 0o644)
	r := &repb.ActionResult{OutputFiles: []*repb.OutputFile{
		{Path: "a.o", Digest: good.Proto()}, {Path: "b.o", Digest: bad.Proto()}}}
	err := c.DownloadOutputs(context.Background(), r, work)
	if status.Code(err) != codes.DataLoss {
		t.Fatalf("err = %v, want DataLoss", err)
	}
	if got := listTree(t, work); strings.Join(got, "|") != "- a.o" {
		t.Fatalf("work dir after failure: %v", got)
	}
	if b, _ := os.ReadFile(filepath.Join(work, "a.o")); string(b) != "old a" {
		t.Fatalf("a.o = %q, want the old content", b)
	}
}

func TestStdoutStderr(t *testing.T) {
	f := newFake()
	c := f.start(t, Config{})
	ctx := context.Background()
	errd := f.put([]byte("warning: x"))
	r := &repb.ActionResult{StdoutRaw: []byte("hi"), StderrDigest: errd.Proto()}
	if out, err := c.Stdout(ctx, r); string(out) != "hi" || err != nil {
		t.Errorf("stdout %q %v", out, err)
	}
	if out, err := c.Stderr(ctx, r); string(out) != "warning: x" || err != nil {
		t.Errorf("stderr %q %v", out, err)
	}
	r.StdoutDigest = errd.Proto() // inline bytes that do not match the digest
	if _, err := c.Stdout(ctx, r); status.Code(err) != codes.DataLoss {
		t.Errorf("mismatched inline stdout: %v, want DataLoss", err)
	}
}

// TestDownloadOutputsNonCanonicalTree: a Tree whose child Directory is
// encoded in another field order (as another implementation may) is still
// found by the digest of its bytes as sent.
func TestDownloadOutputsNonCanonicalTree(t *testing.T) {
	f := newFake()
	c := f.start(t, Config{})
	obj := f.put([]byte("o")).Proto()
	links, _ := proto.Marshal(&repb.Directory{Symlinks: []*repb.SymlinkNode{{Name: "l", Target: "f"}}})
	files, _ := proto.Marshal(&repb.Directory{Files: []*repb.FileNode{{Name: "f", Digest: obj}}})
	child := append(links, files...) // field 3 before field 1
	root, _ := proto.Marshal(&repb.Directory{Directories: []*repb.DirectoryNode{
		{Name: "sub", Digest: digest.SHA256.FromBytes(child).Proto()}}})
	var tree []byte
	tree = protowire.AppendTag(tree, 1, protowire.BytesType)
	tree = protowire.AppendBytes(tree, root)
	tree = protowire.AppendTag(tree, 2, protowire.BytesType)
	tree = protowire.AppendBytes(tree, child)
	r := &repb.ActionResult{OutputDirectories: []*repb.OutputDirectory{{Path: "out", TreeDigest: f.put(tree).Proto()}}}
	work := t.TempDir()
	if err := c.DownloadOutputs(context.Background(), r, work); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(listTree(t, work), "|"); got != "d out|d out/sub|- out/sub/f|L out/sub/l" {
		t.Fatalf("work dir: %s", got)
	}
}
