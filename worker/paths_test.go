package worker

import (
	"os"
	"path/filepath"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

func TestOutputRel(t *testing.T) {
	for _, tc := range []struct {
		wd, p, want string
		code        codes.Code
	}{
		{".", "out/a.o", "out/a.o", codes.OK},
		{"sub", "../a.o", "a.o", codes.OK},
		{".", "../x", "", codes.InvalidArgument},
		{"sub", "../../x", "", codes.InvalidArgument},
		{".", "/etc/passwd", "", codes.InvalidArgument},
		{".", "a/../..", "", codes.InvalidArgument},
		{".", ".", "", codes.InvalidArgument},
	} {
		got, err := outputRel(tc.wd, tc.p)
		if got != tc.want || status.Code(err) != tc.code {
			t.Errorf("outputRel(%q, %q) = %q, %v; want %q, %v", tc.wd, tc.p, got, err, tc.want, tc.code)
		}
	}
}

// A symlink in the input tree must not lead output preparation or
// collection outside the root.
func TestSymlinkParentsRefused(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	os.Symlink(outside, filepath.Join(root, "out"))
	if err := mkdirInRoot(root, "out/sub", nil); err == nil {
		t.Error("mkdirInRoot went through a symlink")
	}
	if _, err := os.Stat(filepath.Join(outside, "sub")); err == nil {
		t.Error("directory created outside the root")
	}
	os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o644)
	if err := checkNoSymlinkParents(root, "out/secret"); err == nil {
		t.Error("collection would follow a symlinked parent")
	}
}

func TestOutputDirectoryFormats(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a/b"), 0o755)
	os.WriteFile(filepath.Join(dir, "a/b/f"), []byte("f"), 0o644)
	for _, format := range []repb.Command_OutputDirectoryFormat{repb.Command_TREE_ONLY, repb.Command_TREE_AND_DIRECTORY} {
		up := newUploads(digest.SHA256)
		od, err := up.outputDirectory(dir, format)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := up.blobs[mustDigest(t, od.GetTreeDigest())]; !ok || !od.GetIsTopologicallySorted() {
			t.Fatalf("%v: tree blob missing or unsorted", format)
		}
		root := od.GetRootDirectoryDigest()
		if (root != nil) != (format == repb.Command_TREE_AND_DIRECTORY) {
			t.Errorf("%v: root directory digest %v", format, root)
		}
		if root != nil {
			if _, ok := up.blobs[mustDigest(t, root)]; !ok {
				t.Errorf("%v: root Directory not uploaded", format)
			}
		}
		wantBlobs := 2 // tree, f
		if format == repb.Command_TREE_AND_DIRECTORY {
			wantBlobs += 3 // root, a, a/b as Directory blobs
		}
		if len(up.blobs) != wantBlobs {
			t.Errorf("%v: %d blobs, want %d", format, len(up.blobs), wantBlobs)
		}
	}
}

func mustDigest(t *testing.T, p *repb.Digest) digest.Digest {
	t.Helper()
	d, err := digest.FromProto(p)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
