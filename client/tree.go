package client

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/digest"
)

// Input is one entry of an action's input root.
type Input struct {
	// Path is slash-separated and relative to the input root.
	Path string
	// Source is a file on disk holding the content; if empty, Data is.
	Source string
	Data   []byte
	// Executable marks the file executable in the tree.
	Executable bool
	// IsDir makes Path an (empty, unless other inputs fill it) directory.
	IsDir bool
	// Symlink, when set, makes Path a symlink with this target.
	Symlink string
	// Digest, when set, is Source's digest, known from an earlier hashing
	// (a captured toolchain): the file is not read again.
	Digest digest.Digest
}

// dirNode is a directory under construction.
type dirNode struct {
	files map[string]*repb.FileNode
	links map[string]*repb.SymlinkNode
	dirs  map[string]*dirNode
}

func newDirNode() *dirNode {
	return &dirNode{files: map[string]*repb.FileNode{}, links: map[string]*repb.SymlinkNode{}, dirs: map[string]*dirNode{}}
}

// BuildTree turns inputs into canonical REAPI Directory messages: one path
// segment per name, children sorted by name, serialised deterministically.
// It returns the root digest and every blob the tree needs: the Directory
// messages (as Data) and the files (as Path, or Data for in-memory inputs),
// each once. Paths that are empty, absolute, contain "." or ".." or empty
// segments, or that name one entry twice or as both file and directory are
// rejected. Each file input's Digest is set to the digest its node took,
// so that the caller can tell what the tree holds without decoding it.
func BuildTree(f digest.Function, inputs []Input) (digest.Digest, []Blob, error) {
	root := newDirNode()
	var blobs []Blob
	seen := map[digest.Digest]bool{}
	for i := range inputs {
		in := inputs[i]
		segs, err := splitPath(in.Path)
		if err != nil {
			return digest.Digest{}, nil, err
		}
		if in.IsDir {
			if _, err := root.mkdirs(segs, in.Path); err != nil {
				return digest.Digest{}, nil, err
			}
			continue
		}
		if in.Symlink != "" {
			if err := root.addLink(segs, in); err != nil {
				return digest.Digest{}, nil, err
			}
			continue
		}
		b, err := inputBlob(f, in)
		if err != nil {
			return digest.Digest{}, nil, err
		}
		if err := root.addFile(segs, in, b.Digest); err != nil {
			return digest.Digest{}, nil, err
		}
		inputs[i].Digest = b.Digest
		if !seen[b.Digest] {
			seen[b.Digest] = true
			blobs = append(blobs, b)
		}
	}
	d, err := root.finish(f, &blobs, seen)
	if err != nil {
		return digest.Digest{}, nil, err
	}
	return d, blobs, nil
}

// splitPath validates an input path and returns its segments.
func splitPath(p string) ([]string, error) {
	if p == "" || strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("input path %q: must be relative and non-empty", p)
	}
	segs := strings.Split(p, "/")
	for _, s := range segs {
		if err := checkName(s); err != nil {
			return nil, fmt.Errorf("input path %q: %w", p, err)
		}
	}
	return segs, nil
}

// checkName validates one path segment as a Directory child name.
func checkName(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("empty name")
	case s == "." || s == "..":
		return fmt.Errorf("name %q not allowed", s)
	case strings.ContainsAny(s, "/\x00"):
		return fmt.Errorf("name %q contains '/' or NUL", s)
	}
	return nil
}

func inputBlob(f digest.Function, in Input) (Blob, error) {
	if in.Source != "" && !in.Digest.IsZero() {
		return Blob{Digest: in.Digest, Path: in.Source}, nil
	}
	if in.Source == "" {
		return Blob{Digest: f.FromBytes(in.Data), Data: in.Data}, nil
	}
	d, err := f.FromFile(in.Source)
	if err != nil {
		return Blob{}, fmt.Errorf("input %q: %w", in.Path, err)
	}
	return Blob{Digest: d, Path: in.Source}, nil
}

// mkdirs walks segs from n, creating directories, and returns the last one.
func (n *dirNode) mkdirs(segs []string, full string) (*dirNode, error) {
	for _, s := range segs {
		if n.taken(s) {
			return nil, fmt.Errorf("input path %q: %q is both a file and a directory", full, s)
		}
		child, ok := n.dirs[s]
		if !ok {
			child = newDirNode()
			n.dirs[s] = child
		}
		n = child
	}
	return n, nil
}

func (n *dirNode) addFile(segs []string, in Input, d digest.Digest) error {
	parent, err := n.mkdirs(segs[:len(segs)-1], in.Path)
	if err != nil {
		return err
	}
	name := segs[len(segs)-1]
	if _, ok := parent.dirs[name]; ok || parent.taken(name) {
		return fmt.Errorf("input path %q: listed twice, or both a file and a directory", in.Path)
	}
	parent.files[name] = &repb.FileNode{Name: name, Digest: d.Proto(), IsExecutable: in.Executable}
	return nil
}

func (n *dirNode) addLink(segs []string, in Input) error {
	parent, err := n.mkdirs(segs[:len(segs)-1], in.Path)
	if err != nil {
		return err
	}
	name := segs[len(segs)-1]
	if _, ok := parent.dirs[name]; ok || parent.taken(name) {
		return fmt.Errorf("input path %q: listed twice, or both a symlink and a directory", in.Path)
	}
	parent.links[name] = &repb.SymlinkNode{Name: name, Target: in.Symlink}
	return nil
}

// taken reports whether name is a file or a symlink of n.
func (n *dirNode) taken(name string) bool {
	_, file := n.files[name]
	_, link := n.links[name]
	return file || link
}

// finish builds n's Directory message bottom-up, appends it and its
// subdirectories to blobs (once per digest) and returns its digest.
func (n *dirNode) finish(f digest.Function, blobs *[]Blob, seen map[digest.Digest]bool) (digest.Digest, error) {
	dir := &repb.Directory{}
	for _, name := range slices.Sorted(maps.Keys(n.files)) {
		dir.Files = append(dir.Files, n.files[name])
	}
	for _, name := range slices.Sorted(maps.Keys(n.links)) {
		dir.Symlinks = append(dir.Symlinks, n.links[name])
	}
	for _, name := range slices.Sorted(maps.Keys(n.dirs)) {
		d, err := n.dirs[name].finish(f, blobs, seen)
		if err != nil {
			return digest.Digest{}, err
		}
		dir.Directories = append(dir.Directories, &repb.DirectoryNode{Name: name, Digest: d.Proto()})
	}
	d, data, err := f.FromMessage(dir)
	if err != nil {
		return digest.Digest{}, err
	}
	if !seen[d] {
		seen[d] = true
		*blobs = append(*blobs, Blob{Digest: d, Data: data})
	}
	return d, nil
}
