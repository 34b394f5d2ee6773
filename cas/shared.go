package cas

import (
	"context"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
)

// NewSharedInstances makes every instance name share one set of action
// results, as rex did before instances were kept apart. It exists for
// deployments whose clients name instances inconsistently but mean one
// cache; by default an instance never sees another's results.
func NewSharedInstances(inner ActionCache) ActionCache {
	return sharedInstances{inner}
}

type sharedInstances struct{ inner ActionCache }

func (s sharedInstances) Get(ctx context.Context, k ActionKey) (*repb.ActionResult, error) {
	return s.inner.Get(ctx, ActionKey{Key: k.Key})
}

func (s sharedInstances) Put(ctx context.Context, k ActionKey, r *repb.ActionResult) error {
	return s.inner.Put(ctx, ActionKey{Key: k.Key}, r)
}
