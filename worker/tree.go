package worker

import (
	"os"
	"path/filepath"
	"slices"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// uploads gathers the blobs of an ActionResult, each once.
type uploads struct {
	fn    digest.Function
	blobs map[digest.Digest]client.Blob
}

func newUploads(fn digest.Function) *uploads {
	return &uploads{fn: fn, blobs: map[digest.Digest]client.Blob{}}
}

// file digests the file at p and schedules it for upload.
func (u *uploads) file(p string) (digest.Digest, error) {
	d, err := u.fn.FromFile(p)
	if err != nil {
		return digest.Digest{}, err
	}
	if _, ok := u.blobs[d]; !ok {
		u.blobs[d] = client.Blob{Digest: d, Path: p}
	}
	return d, nil
}

// data schedules an in-memory blob.
func (u *uploads) data(b []byte) digest.Digest {
	d := u.fn.FromBytes(b)
	u.blobs[d] = client.Blob{Digest: d, Data: b}
	return d
}

// message schedules a proto message, serialised deterministically.
func (u *uploads) message(m proto.Message) (digest.Digest, error) {
	d, b, err := u.fn.FromMessage(m)
	if err != nil {
		return digest.Digest{}, err
	}
	u.blobs[d] = client.Blob{Digest: d, Data: b}
	return d, nil
}

func (u *uploads) list() []client.Blob {
	out := make([]client.Blob, 0, len(u.blobs))
	for _, b := range u.blobs {
		out = append(out, b)
	}
	return out
}

// outputDirectory uploads the directory at p as a Tree (root plus every
// distinct child, parents before children) and, when the Command asks for
// the Directory form too, as Directory blobs.
func (u *uploads) outputDirectory(p string, format repb.Command_OutputDirectoryFormat) (*repb.OutputDirectory, error) {
	w := &treeWalk{u: u, seen: map[digest.Digest]bool{},
		dirBlobs: format != repb.Command_TREE_ONLY}
	root, err := w.directory(p)
	if err != nil {
		return nil, err
	}
	slices.Reverse(w.children) // post-order reversed: parents first
	td, err := u.message(&repb.Tree{Root: root, Children: w.children})
	if err != nil {
		return nil, err
	}
	od := &repb.OutputDirectory{TreeDigest: td.Proto(), IsTopologicallySorted: true}
	if w.dirBlobs {
		rd, err := u.message(root)
		if err != nil {
			return nil, err
		}
		od.RootDirectoryDigest = rd.Proto()
	}
	return od, nil
}

// treeWalk builds the Directory messages of one output directory.
type treeWalk struct {
	u        *uploads
	seen     map[digest.Digest]bool
	children []*repb.Directory // distinct, in post-order
	dirBlobs bool
}

// directory builds the Directory message of p; entries come sorted by name
// from os.ReadDir. Symlinks are kept as symlinks; other special files are
// left out.
func (w *treeWalk) directory(p string) (*repb.Directory, error) {
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	dir := &repb.Directory{}
	for _, e := range entries {
		child := filepath.Join(p, e.Name())
		switch t := e.Type(); {
		case t.IsRegular():
			if err := w.addFile(dir, child, e); err != nil {
				return nil, err
			}
		case t&os.ModeSymlink != 0:
			target, err := os.Readlink(child)
			if err != nil {
				return nil, err
			}
			dir.Symlinks = append(dir.Symlinks, &repb.SymlinkNode{Name: e.Name(), Target: target})
		case t.IsDir():
			if err := w.addDir(dir, child, e.Name()); err != nil {
				return nil, err
			}
		}
	}
	return dir, nil
}

func (w *treeWalk) addFile(dir *repb.Directory, p string, e os.DirEntry) error {
	fi, err := e.Info()
	if err != nil {
		return err
	}
	d, err := w.u.file(p)
	if err != nil {
		return err
	}
	dir.Files = append(dir.Files, &repb.FileNode{
		Name: e.Name(), Digest: d.Proto(), IsExecutable: fi.Mode()&0o100 != 0,
	})
	return nil
}

func (w *treeWalk) addDir(dir *repb.Directory, p, name string) error {
	sub, err := w.directory(p)
	if err != nil {
		return err
	}
	d, b, err := w.u.fn.FromMessage(sub)
	if err != nil {
		return err
	}
	if !w.seen[d] {
		w.seen[d] = true
		w.children = append(w.children, sub)
		if w.dirBlobs {
			w.u.blobs[d] = client.Blob{Digest: d, Data: b}
		}
	}
	dir.Directories = append(dir.Directories, &repb.DirectoryNode{Name: name, Digest: d.Proto()})
	return nil
}
