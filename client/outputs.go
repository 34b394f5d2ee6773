package client

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sync"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/digest"
)

// DownloadOutputs writes the outputs of r (files, directories, symlinks)
// under workDir. Before writing anything it refuses any path that is empty,
// absolute, escapes workDir, is listed twice, lies inside another output,
// or runs through an existing symlink; and any symlink whose target is
// absolute or leaves workDir. Every file and symlink is first written to a
// temporary name in its directory and renamed into place only once all
// content is fetched and verified; on failure the temporary files are
// removed, so no half-written output remains.
func (c *Client) DownloadOutputs(ctx context.Context, r *repb.ActionResult, workDir string) error {
	fn, err := c.Function(ctx)
	if err != nil {
		return err
	}
	p, err := c.planOutputs(ctx, fn, r)
	if err != nil {
		return fmt.Errorf("download outputs: %w", err)
	}
	if err := p.checkNoSymlinkParents(workDir); err != nil {
		return fmt.Errorf("download outputs: %w", err)
	}
	if err := c.writeOutputs(ctx, p, workDir); err != nil {
		return fmt.Errorf("download outputs: %w", err)
	}
	return nil
}

// checkNoSymlinkParents refuses outputs whose existing parent directories
// inside workDir are symlinks: writing through one could land outside.
func (p *outputPlan) checkNoSymlinkParents(workDir string) error {
	var all []string
	for _, f := range p.files {
		all = append(all, f.path)
	}
	for _, l := range p.links {
		all = append(all, l.path)
	}
	for _, d := range p.dirs {
		all = append(all, d+"/.") // so that d itself is checked too
	}
	checked := map[string]bool{}
	for _, out := range all {
		for dir := path.Dir(out); dir != "." && !checked[dir]; dir = path.Dir(dir) {
			checked[dir] = true
			fi, err := os.Lstat(filepath.Join(workDir, filepath.FromSlash(dir)))
			if err == nil && fi.Mode()&os.ModeSymlink != 0 {
				return status.Errorf(codes.InvalidArgument, "output parent %q is a symlink", dir)
			}
		}
	}
	return nil
}

// staged is a temporary file or symlink waiting to be renamed to final.
type staged struct{ tmp, final string }

func (c *Client) writeOutputs(ctx context.Context, p *outputPlan, workDir string) error {
	local := func(rel string) string { return filepath.Join(workDir, filepath.FromSlash(rel)) }
	for _, d := range p.dirs {
		if err := os.MkdirAll(local(d), 0o755); err != nil {
			return err
		}
	}
	var mu sync.Mutex
	var temps []staged
	add := func(s staged) { mu.Lock(); temps = append(temps, s); mu.Unlock() }
	err := c.stageFiles(ctx, p.files, local, add)
	if err == nil {
		err = stageLinks(p.links, local, add)
	}
	if err == nil {
		for i, s := range temps {
			if err = os.Rename(s.tmp, s.final); err != nil {
				temps = temps[i:]
				break
			}
		}
		if err == nil {
			return nil
		}
	}
	for _, s := range temps {
		os.Remove(s.tmp)
	}
	return err
}

// stageFiles writes every file to a temporary name: inline and small ones
// from one batched read, big ones streamed.
func (c *Client) stageFiles(ctx context.Context, files []outFile, local func(string) string, add func(staged)) error {
	var want []digest.Digest
	for _, f := range files {
		if f.contents == nil && c.fitsBatch(f.digest.Size) {
			want = append(want, f.digest)
		}
	}
	data, err := c.ReadBlobs(ctx, want)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(local(f.path)), 0o755); err != nil {
			return err
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.cfg.Concurrency)
	for _, f := range files {
		final := local(f.path)
		content, ok := f.contents, f.contents != nil
		if !ok {
			content, ok = data[f.digest]
		}
		g.Go(func() error {
			var tmp string
			var err error
			if ok {
				tmp, err = writeTemp(final, content, f.exec)
			} else {
				tmp, err = c.fetchToTemp(gctx, f.digest, final, f.exec)
			}
			if err == nil {
				add(staged{tmp, final})
			}
			return err
		})
	}
	return g.Wait()
}

// writeTemp writes data to a new temporary file next to final.
func writeTemp(final string, data []byte, executable bool) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".rex-*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(atomicfile.OutputMode(executable))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// stageLinks creates every symlink under a temporary name.
func stageLinks(links []outLink, local func(string) string, add func(staged)) error {
	for i, l := range links {
		final := local(l.path)
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			return err
		}
		tmp := filepath.Join(filepath.Dir(final), fmt.Sprintf(".%s.rex-link-%d-%s", filepath.Base(final), i, newUUID()[:8]))
		if err := os.Symlink(filepath.FromSlash(l.target), tmp); err != nil {
			return err
		}
		add(staged{tmp, final})
	}
	return nil
}
