package cas

import (
	"bytes"
	"os"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
)

// diskResults keeps each action result in its own file in the disk store,
// renamed into place like a blob and indexed with the blobs, so results
// count toward the bound and age out in the same LRU order.
type diskResults struct{ s *diskStore }

// instanceTag names an instance in file names: "" for the default instance
// (the layout rex used before instances were kept apart), else a hash of
// the name, which may hold any characters and be of any length.
func instanceTag(instance string) string {
	if instance == "" {
		return ""
	}
	return digest.SHA256.FromBytes([]byte(instance)).Hash[:32]
}

func resultEntry(k ActionKey) entryKey {
	return entryKey{result: true, instance: instanceTag(k.Instance), Key: k.Key}
}

func (d diskResults) load(k ActionKey) ([]byte, error) {
	if !validKey(k.Key) {
		return nil, status.Errorf(codes.InvalidArgument, "invalid action key %s", k.Key)
	}
	s, e := d.s, resultEntry(k)
	s.mu.Lock()
	le, ok := s.idx.touch(e)
	var stale []string
	if ok {
		stale = s.staleLocked(le, time.Now())
	}
	s.mu.Unlock()
	if !ok {
		return nil, status.Errorf(codes.NotFound, "action %s not in cache", k.Key)
	}
	b, err := os.ReadFile(s.entryPath(e))
	if err != nil {
		return nil, s.lost(e, err)
	}
	s.touchFiles(stale)
	return b, nil
}

func (d diskResults) store(k ActionKey, b []byte) error {
	if !validKey(k.Key) {
		return status.Errorf(codes.InvalidArgument, "invalid action key %s", k.Key)
	}
	s := d.s
	what := "action " + k.Key.String()
	tmp, err := s.writeTemp(what, int64(len(b)), bytes.NewReader(b), syncNow)
	if isNoSpace(err) {
		// writeTemp evicted to make room; the result is in memory, so retry.
		tmp, err = s.writeTemp(what, int64(len(b)), bytes.NewReader(b), syncNow)
	}
	if err != nil {
		return err
	}
	return s.commit(resultEntry(k), int64(len(b)), tmp)
}
