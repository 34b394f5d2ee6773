package wrapper

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/toolchain"
)

// confirmedTTL bounds how long rex trusts a server's word that it holds a
// toolchain: within it, a hermetic miss leaves the toolchain's files (tens
// of MB, a few dozen digests) out of FindMissing. A server that evicted
// them meanwhile answers Execute with missing blobs, and execute uploads
// again with everything.
const confirmedTTL = 10 * time.Minute

// toolchainSeen remembers, under REX_DIR, when a CAS last confirmed it held
// one toolchain tree.
type toolchainSeen struct {
	file  string // one per CAS endpoint, instance and digest function
	root  string // the tree's digest
	blobs map[digest.Digest]bool
	now   func() time.Time
}

func newToolchainSeen(cfg Config, fn digest.Function, tree *toolchain.Tree) *toolchainSeen {
	if cfg.StateDir == "" {
		return nil
	}
	cas := cfg.Client.CASServer
	if cas == "" {
		cas = cfg.Client.Server
	}
	key := digest.SHA256.FromBytes([]byte(cas + "\x00" + cfg.Client.Instance + "\x00" + fn.Name()))
	s := &toolchainSeen{file: filepath.Join(cfg.StateDir, "toolchains", "confirmed-"+key.Hash[:32]),
		root: tree.Root, blobs: map[digest.Digest]bool{}, now: time.Now}
	for _, f := range tree.Files {
		s.blobs[f.Digest] = true
	}
	return s
}

// recent reports whether the CAS confirmed the tree within confirmedTTL.
func (s *toolchainSeen) recent() bool {
	data, err := os.ReadFile(s.file)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		root, at, ok := strings.Cut(line, " ")
		if !ok || root != s.root {
			continue
		}
		ns, err := strconv.ParseInt(at, 10, 64)
		age := s.now().Sub(time.Unix(0, ns))
		return err == nil && age >= 0 && age < confirmedTTL
	}
	return false
}

// record notes that the CAS holds the tree now; other trees' lines stay
// while they are fresh. Failing costs only a longer FindMissing.
func (s *toolchainSeen) record() {
	lines := []string{fmt.Sprintf("%s %d", s.root, s.now().UnixNano())}
	if data, err := os.ReadFile(s.file); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			root, at, ok := strings.Cut(line, " ")
			ns, err := strconv.ParseInt(at, 10, 64)
			if ok && err == nil && root != s.root && s.now().Sub(time.Unix(0, ns)) < confirmedTTL {
				lines = append(lines, line)
			}
		}
	}
	os.MkdirAll(filepath.Dir(s.file), 0o755)
	tmp := s.file + fmt.Sprintf(".%d", os.Getpid())
	if os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o644) != nil || os.Rename(tmp, s.file) != nil {
		os.Remove(tmp)
	}
}

// uploads are the blobs execute's attempt sends to Upload: on the first,
// without the toolchain's files when the CAS confirmed them recently.
func (plan *actionPlan) uploads(attempt int) []client.Blob {
	s := plan.toolchainSeen
	if s == nil || attempt > 0 || !s.recent() {
		return plan.blobs
	}
	out := make([]client.Blob, 0, len(plan.blobs))
	for _, b := range plan.blobs {
		if !s.blobs[b.Digest] {
			out = append(out, b)
		}
	}
	return out
}

// uploaded notes a successful upload of every blob of the plan.
func (plan *actionPlan) uploaded(blobs []client.Blob) {
	if s := plan.toolchainSeen; s != nil && len(blobs) == len(plan.blobs) {
		s.record()
	}
}
