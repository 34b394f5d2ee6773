package client

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/rexbuild/rex/digest"
)

// outputPlan lists everything DownloadOutputs will write, with paths
// cleaned and checked, relative to the working directory.
type outputPlan struct {
	files []outFile
	links []outLink
	dirs  []string // directories of output trees, created even if empty
	roots map[string]bool
}

type outFile struct {
	path     string
	digest   digest.Digest
	exec     bool
	contents []byte // inline content, verified; nil means fetch
}

type outLink struct{ path, target string }

// maxTreeEntries bounds the entries one output tree may expand to.
const maxTreeEntries = 1 << 20

// cleanOutputPath checks that p names a place strictly inside the working
// directory and returns it cleaned (slash-separated).
func cleanOutputPath(p string) (string, error) {
	if p == "" || strings.ContainsRune(p, 0) || path.IsAbs(p) || !filepath.IsLocal(filepath.FromSlash(p)) {
		return "", status.Errorf(codes.InvalidArgument, "output path %q: not inside the working directory", p)
	}
	c := path.Clean(p)
	if c == "." {
		return "", status.Errorf(codes.InvalidArgument, "output path %q: names the working directory", p)
	}
	return c, nil
}

// checkLinkTarget refuses a symlink at link whose target is absolute or
// climbs above the working directory at any step.
func checkLinkTarget(link, target string) error {
	if target == "" || strings.ContainsRune(target, 0) || path.IsAbs(target) {
		return status.Errorf(codes.InvalidArgument, "symlink %q -> %q: target must be relative", link, target)
	}
	depth := strings.Count(link, "/")
	for _, s := range strings.Split(target, "/") {
		switch s {
		case "", ".":
		case "..":
			if depth--; depth < 0 {
				return status.Errorf(codes.InvalidArgument, "symlink %q -> %q: target escapes the working directory", link, target)
			}
		default:
			depth++
		}
	}
	return nil
}

// addRoot records a top-level output path, refusing duplicates and
// outputs nested in one another.
func (p *outputPlan) addRoot(raw string) (string, error) {
	c, err := cleanOutputPath(raw)
	if err != nil {
		return "", err
	}
	if p.roots[c] {
		return "", status.Errorf(codes.InvalidArgument, "output path %q: listed twice", raw)
	}
	for dir := path.Dir(c); dir != "."; dir = path.Dir(dir) {
		if p.roots[dir] {
			return "", status.Errorf(codes.InvalidArgument, "output path %q: inside output %q", raw, dir)
		}
	}
	for other := range p.roots {
		if strings.HasPrefix(other, c+"/") {
			return "", status.Errorf(codes.InvalidArgument, "output path %q: contains output %q", raw, other)
		}
	}
	p.roots[c] = true
	return c, nil
}

// planOutputs checks every path of r and expands output directories. It
// reads Tree blobs but writes nothing.
func (c *Client) planOutputs(ctx context.Context, fn digest.Function, r *repb.ActionResult) (*outputPlan, error) {
	p := &outputPlan{roots: map[string]bool{}}
	for _, f := range r.GetOutputFiles() {
		if err := p.addFile(fn, f); err != nil {
			return nil, err
		}
	}
	links := append(append(append([]*repb.OutputSymlink{}, r.GetOutputSymlinks()...),
		r.GetOutputFileSymlinks()...), r.GetOutputDirectorySymlinks()...)
	for _, l := range links {
		lp, err := p.addRoot(l.GetPath())
		if err != nil {
			return nil, err
		}
		if err := checkLinkTarget(lp, l.GetTarget()); err != nil {
			return nil, err
		}
		p.links = append(p.links, outLink{path: lp, target: l.GetTarget()})
	}
	for _, d := range r.GetOutputDirectories() {
		dp, err := p.addRoot(d.GetPath())
		if err != nil {
			return nil, err
		}
		if err := c.expandTree(ctx, fn, p, dp, d.GetTreeDigest()); err != nil {
			return nil, fmt.Errorf("output directory %q: %w", d.GetPath(), err)
		}
	}
	return p, nil
}

func (p *outputPlan) addFile(fn digest.Function, f *repb.OutputFile) error {
	fp, err := p.addRoot(f.GetPath())
	if err != nil {
		return err
	}
	d, err := digest.FromProto(f.GetDigest())
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "output file %q: %v", f.GetPath(), err)
	}
	of := outFile{path: fp, digest: d, exec: f.GetIsExecutable()}
	if len(f.GetContents()) > 0 || d.Size == 0 {
		if got := fn.FromBytes(f.GetContents()); got != d {
			return status.Errorf(codes.DataLoss, "output file %q: inline content is %s, want %s", f.GetPath(), got, d)
		}
		of.contents = f.GetContents()
		if of.contents == nil {
			of.contents = []byte{}
		}
	}
	p.files = append(p.files, of)
	return nil
}

// expandTree fetches and validates a Tree blob and adds its entries under dir.
func (c *Client) expandTree(ctx context.Context, fn digest.Function, p *outputPlan, dir string, tp *repb.Digest) error {
	td, err := digest.FromProto(tp)
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "tree digest: %v", err)
	}
	data, err := c.ReadBlob(ctx, td)
	if err != nil {
		return err
	}
	root, children, err := parseTree(fn, data)
	if err != nil {
		return fmt.Errorf("tree %s: %w", td, err)
	}
	budget := maxTreeEntries
	return p.walk(root, dir, children, &budget)
}

// parseTree decodes a Tree message, validating every Directory and keying
// the children by the digest of their bytes as encoded in the Tree (not
// re-encoded, which another implementation may do differently).
func parseTree(fn digest.Function, data []byte) (*repb.Directory, map[digest.Digest]*repb.Directory, error) {
	var root *repb.Directory
	children := map[digest.Digest]*repb.Directory{}
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return nil, nil, status.Errorf(codes.DataLoss, "bad Tree encoding: %v", protowire.ParseError(n))
		}
		data = data[n:]
		if (num != 1 && num != 2) || typ != protowire.BytesType {
			if n = protowire.ConsumeFieldValue(num, typ, data); n < 0 {
				return nil, nil, status.Errorf(codes.DataLoss, "bad Tree encoding: %v", protowire.ParseError(n))
			}
			data = data[n:]
			continue
		}
		b, n := protowire.ConsumeBytes(data)
		if n < 0 {
			return nil, nil, status.Errorf(codes.DataLoss, "bad Tree encoding: %v", protowire.ParseError(n))
		}
		data = data[n:]
		d := &repb.Directory{}
		if err := proto.Unmarshal(b, d); err != nil {
			return nil, nil, status.Errorf(codes.DataLoss, "bad Directory in Tree: %v", err)
		}
		if err := ValidateDirectory(d); err != nil {
			return nil, nil, err
		}
		if num == 1 {
			if root != nil {
				return nil, nil, status.Error(codes.DataLoss, "Tree with two roots")
			}
			root = d
		} else {
			children[fn.FromBytes(b)] = d
		}
	}
	if root == nil {
		return nil, nil, status.Error(codes.DataLoss, "Tree without a root")
	}
	return root, children, nil
}

func (p *outputPlan) walk(d *repb.Directory, dir string, children map[digest.Digest]*repb.Directory, budget *int) error {
	p.dirs = append(p.dirs, dir)
	if *budget -= 1 + len(d.GetFiles()) + len(d.GetSymlinks()); *budget < 0 {
		return status.Errorf(codes.InvalidArgument, "tree has more than %d entries", maxTreeEntries)
	}
	for _, f := range d.GetFiles() {
		fd, _ := digest.FromProto(f.GetDigest()) // validated
		p.files = append(p.files, outFile{path: dir + "/" + f.GetName(), digest: fd, exec: f.GetIsExecutable()})
	}
	for _, s := range d.GetSymlinks() {
		lp := dir + "/" + s.GetName()
		if err := checkLinkTarget(lp, s.GetTarget()); err != nil {
			return err
		}
		p.links = append(p.links, outLink{path: lp, target: s.GetTarget()})
	}
	for _, sub := range d.GetDirectories() {
		sd, _ := digest.FromProto(sub.GetDigest()) // validated
		child, ok := children[sd]
		if !ok {
			return status.Errorf(codes.DataLoss, "directory %s missing from the tree", sd)
		}
		if err := p.walk(child, dir+"/"+sub.GetName(), children, budget); err != nil {
			return err
		}
	}
	return nil
}
