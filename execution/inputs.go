package execution

import (
	"context"
	"fmt"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// checkTree walks the input tree under root and records in miss every
// Directory and file blob the CAS lacks, so the client learns all of them
// at once rather than one per round trip.
func (s *Scheduler) checkTree(ctx context.Context, fn digest.Function, root digest.Digest, miss *missingSet) error {
	seen := map[digest.Digest]bool{}
	files := map[digest.Digest]bool{}
	kept := map[digest.Digest]bool{} // Directories known from an earlier check
	dirs := []digest.Digest{root}
	for len(dirs) > 0 {
		d := dirs[len(dirs)-1]
		dirs = dirs[:len(dirs)-1]
		if seen[d] {
			continue
		}
		seen[d] = true
		dir, err := s.inputDirectory(ctx, fn, d, miss, kept)
		if err != nil {
			return err
		}
		for _, f := range dir.GetFiles() {
			fd, err := digest.FromProto(f.GetDigest())
			if err != nil {
				return status.Errorf(codes.InvalidArgument, "input file %q in directory %s: %v", f.GetName(), d, err)
			}
			if fd != fn.Empty() {
				files[fd] = true
			}
		}
		for _, sub := range dir.GetDirectories() {
			sd, err := digest.FromProto(sub.GetDigest())
			if err != nil {
				return status.Errorf(codes.InvalidArgument, "input directory %q in directory %s: %v", sub.GetName(), d, err)
			}
			dirs = append(dirs, sd)
		}
	}
	if err := s.findMissing(ctx, fn, kept, "input directory", miss); err != nil {
		return err
	}
	return s.findMissing(ctx, fn, files, "input file", miss)
}

// inputDirectory returns the Directory d: kept from an earlier check (and
// noted in kept, whose blobs are then looked up with the files'), or read
// and, when valid, kept. A missing one is recorded in miss and reads as
// empty. An invalid one passes here as it always did: the worker refuses it.
func (s *Scheduler) inputDirectory(ctx context.Context, fn digest.Function, d digest.Digest, miss *missingSet,
	kept map[digest.Digest]bool) (*repb.Directory, error) {
	k := cas.Key{Function: fn, Digest: d}
	if dir, ok := s.opts.Directories.Get(k); ok {
		kept[d] = true
		return dir, nil
	}
	dir := &repb.Directory{}
	missed := len(miss.digests)
	if err := s.readMessage(ctx, fn, d, dir, "input directory", miss); err != nil {
		return nil, err
	}
	if len(miss.digests) == missed && d != fn.Empty() && client.ValidateDirectory(dir) == nil {
		s.opts.Directories.Add(k, dir, k.Digest.Size)
	}
	return dir, nil
}

func (s *Scheduler) findMissing(ctx context.Context, fn digest.Function, files map[digest.Digest]bool, what string,
	miss *missingSet) error {
	if len(files) == 0 {
		return nil
	}
	keys := make([]cas.Key, 0, len(files))
	for d := range files {
		keys = append(keys, cas.Key{Function: fn, Digest: d})
	}
	missing, err := s.blobs.FindMissing(ctx, keys)
	if err != nil {
		return fmt.Errorf("find missing inputs: %w", err)
	}
	for _, k := range missing {
		miss.add(k.Digest, what)
	}
	return nil
}

// missingSet collects blobs absent from the CAS, in the order found.
type missingSet struct {
	digests []digest.Digest
	what    []string
	seen    map[digest.Digest]bool
}

func (m *missingSet) add(d digest.Digest, what string) {
	if m.seen == nil {
		m.seen = map[digest.Digest]bool{}
	}
	if m.seen[d] {
		return
	}
	m.seen[d] = true
	m.digests = append(m.digests, d)
	m.what = append(m.what, what)
}

func (m *missingSet) any() bool { return len(m.digests) > 0 }

// err is the FAILED_PRECONDITION error the spec asks for: one MISSING
// violation per blob, its subject the blob's resource name without instance.
func (m *missingSet) err(fn digest.Function) error {
	st := status.Newf(codes.FailedPrecondition, "%d blob(s) missing from the CAS, the first being %s %s",
		len(m.digests), m.what[0], m.digests[0])
	pf := &errdetails.PreconditionFailure{}
	for i, d := range m.digests {
		pf.Violations = append(pf.Violations, &errdetails.PreconditionFailure_Violation{
			Type:        "MISSING",
			Subject:     digest.ReadName("", fn, d, ""),
			Description: m.what[i] + " is missing",
		})
	}
	withDetails, err := st.WithDetails(pf)
	if err != nil {
		return st.Err()
	}
	return withDetails.Err()
}
