package wrapper

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/dirlist"
	"github.com/rexbuild/rex/explain"
	"github.com/rexbuild/rex/lookups"
	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/toolchain"
)

// actionPlan is everything needed to look up, run and materialise one
// remote compile.
type actionPlan struct {
	action       *repb.Action
	actionDigest digest.Digest
	command      *repb.Command
	// blobs holds the input tree, the Command and the Action: everything
	// the server needs before Execute. messages is its last part, the
	// Command and the Action alone.
	blobs, messages []client.Blob
	// outputs are the files the compile writes, relative to the cwd (which
	// is the remote working directory).
	outputs []string
	// object is the main output, removed after a failed compile as gcc does.
	object string
	// depFile is the dependency file relative to the cwd, or "". The scan
	// wrote it to depTemp; it is renamed into place after the outputs.
	depFile, depTemp string
	// pathOutputs are the text outputs that name source paths
	// (-fstack-usage's .su files): no prefix map reaches them, so a
	// portable command rewrites the worker's root in them.
	pathOutputs []string
	// portable is set when the command is the root-independent script:
	// its dep file and stderr carry rootPlaceholder for localRoot.
	portable  bool
	localRoot string
	// hermetic results carry hermeticRoot for localRoot (see hermetic.go);
	// toolchainSeen remembers when the CAS last held its toolchain.
	hermetic      bool
	toolchainSeen *toolchainSeen
	// inputPaths are the absolute paths of the inputs the key hashes;
	// inputStamps their stat data from before the hashing (cache-only).
	inputPaths  []string
	inputStamps inputStamps
	// watchAssembler says a local compile that fills a cache checks what
	// the assembler read (see asmreads.go).
	watchAssembler bool
	// lookups, when set, tells what the scan's compiler looked up, and
	// then what a local compile of source that fills a cache did (see
	// lookups.go).
	lookups *lookups.Library
	source  string
	// scanLookups are the scan's lookups, as its compiler told them.
	scanLookups lookups.Log
	// workerBeyond says the worker that compiled the result served looked
	// in vain where the scan never looked (see workerlookups.go);
	// fromRecord says the plan is a direct-mode record's.
	workerBeyond, fromRecord bool
	// once are the inputs that may be read once, by size (see
	// readOnceBySize).
	once map[int64][]inputFile
	// function names the digest function of actionDigest; inputs is what
	// the key covers and facts what the scan learnt, for the compile's
	// direct-mode record (nil when direct mode is off).
	function string
	inputs   inputSet
	facts    *directFacts
	// key describes what actionDigest covers, for `rex explain`.
	key *explain.Key
	// missing, when set, is the FindMissingBlobs asked during the lookup.
	missing *missingQuery
	// predicted, when set, stands for the dependency scan: the plan is a
	// speculation (see speculate.go). observed, when set, stands for it
	// too: the account of a compile that ran (see depend.go). scanned is
	// the scan that ran.
	predicted, observed, scanned *depscan.Result
	// lists holds the directories the plan read, for the record's facts.
	lists *dirlist.Cache
}

func planAction(ctx context.Context, cfg Config, inv Invocation, p *compiler.Invocation, tc *toolchain.Toolchain, fn digest.Function, ph *stats.Phases) (*actionPlan, error) {
	return planWith(ctx, cfg, inv, p, tc, fn, ph, nil)
}

// planWith plans the action from the scan, or from predicted when it is
// not nil; a predicted plan writes no dependency file and no record.
func planWith(ctx context.Context, cfg Config, inv Invocation, p *compiler.Invocation, tc *toolchain.Toolchain, fn digest.Function, ph *stats.Phases, predicted *depscan.Result) (*actionPlan, error) {
	plan := &actionPlan{function: fn.Name(), predicted: predicted, lists: dirLists(cfg)}
	if cfg.direct() && predicted == nil && recordable(p, tc, inv.Dir) {
		plan.facts = &directFacts{since: time.Now()}
	}
	return plan.build(ctx, cfg, inv, p, tc, fn, ph)
}

// planObserved plans the action of a compile that ran from its account of
// what it read and of the directories it looked in (see depend.go), taken
// since.
func planObserved(ctx context.Context, cfg Config, inv Invocation, p *compiler.Invocation, tc *toolchain.Toolchain, fn digest.Function, ph *stats.Phases, observed *depscan.Result, lookedIn []string, since time.Time) (*actionPlan, error) {
	plan := &actionPlan{function: fn.Name(), observed: observed, lists: dirLists(cfg)}
	if cfg.direct() {
		plan.facts = &directFacts{since: since, localFill: true, lookedIn: lookedIn, compiled: true}
	}
	return plan.build(ctx, cfg, inv, p, tc, fn, ph)
}

// build plans the action; a failure discards what planning left behind.
func (plan *actionPlan) build(ctx context.Context, cfg Config, inv Invocation, p *compiler.Invocation, tc *toolchain.Toolchain, fn digest.Function, ph *stats.Phases) (_ *actionPlan, err error) {
	env := envMap(inv.Env)
	defer func() {
		if err != nil {
			plan.discard()
		}
	}()
	digests := newDigestCaches(cfg.StateDir)
	defer digests.save()
	set, search, err := plan.gatherInputs(ctx, cfg, inv, p, tc, fn, digests, ph)
	if err != nil {
		return nil, err
	}
	l := newLayout(cfg.ProjectRoot, inv.Dir)
	l.isToolchain, l.toolchainDirs = tc.Contains, tc.Dirs
	if err := widenForCompile(&l, p, set, search, env); err != nil {
		return nil, err
	}
	if err := set.buildTree(l); err != nil {
		return nil, err
	}
	plan.localRoot = l.rootText()
	if err := plan.setOutputs(l, p); err != nil {
		return nil, err
	}
	identity := tc.Identity
	if cfg.Hermetic {
		if identity, err = plan.makeHermetic(ctx, cfg, inv, p, l, &set, tc, fn); err != nil {
			return nil, err
		}
	} else {
		plan.command, plan.portable = buildCommand(p, l, env, plan, tc)
	}
	err = plan.finish(fn, cfg, set, identity)
	plan.inputs = set
	ph.Mark("key")
	return plan, err
}

// discard removes what planning left behind for a compile that does not
// run remotely.
func (plan *actionPlan) discard() {
	if plan != nil && plan.depTemp != "" {
		os.Remove(plan.depTemp)
	}
}

// finish builds the Merkle tree, the salt and the Action, and collects the
// blobs to upload.
func (plan *actionPlan) finish(fn digest.Function, cfg Config, inputs inputSet, identity string) error {
	root, treeBlobs, err := client.BuildTree(fn, inputs.tree)
	if err != nil {
		return fmt.Errorf("input tree: %w", err)
	}
	cmdDigest, cmdBytes, err := fn.FromMessage(plan.command)
	if err != nil {
		return err
	}
	plan.action = &repb.Action{
		CommandDigest:   cmdDigest.Proto(),
		InputRootDigest: root.Proto(),
		Salt:            salt(fn, identity, inputs.system, inputs.probed),
		Platform:        platform(cfg.Platform),
	}
	if plan.action.Platform != nil {
		plan.command.Platform = plan.action.Platform
		if cmdDigest, cmdBytes, err = fn.FromMessage(plan.command); err != nil {
			return err
		}
		plan.action.CommandDigest = cmdDigest.Proto()
	}
	actionDigest, actionBytes, err := fn.FromMessage(plan.action)
	if err != nil {
		return err
	}
	plan.actionDigest = actionDigest
	plan.blobs = append(treeBlobs,
		client.Blob{Digest: cmdDigest, Data: cmdBytes},
		client.Blob{Digest: actionDigest, Data: actionBytes})
	plan.messages = plan.blobs[len(treeBlobs):]
	plan.key = plan.describe(inputs, identity, cfg.Platform)
	return nil
}

// salt folds what the input tree cannot show into the key: the compiler's
// identity, the content of every system header the compile reads, and the
// toolchain files its probes found.
func salt(fn digest.Function, identity string, system []systemFile, probed []string) []byte {
	var b strings.Builder
	b.WriteString("rex action v2\n")
	b.WriteString(identity)
	b.WriteByte('\n')
	for _, f := range system {
		fmt.Fprintf(&b, "%s %s\n", f.path, f.digest)
	}
	for _, p := range probed {
		fmt.Fprintf(&b, "probed %s\n", p)
	}
	return []byte(fn.FromBytes([]byte(b.String())).Hash)
}

func platform(props map[string]string) *repb.Platform {
	if len(props) == 0 {
		return nil
	}
	p := &repb.Platform{}
	for name, value := range props {
		p.Properties = append(p.Properties, &repb.Platform_Property{Name: name, Value: value})
	}
	sort.Slice(p.Properties, func(i, j int) bool {
		a, b := p.Properties[i], p.Properties[j]
		return a.Name < b.Name || a.Name == b.Name && a.Value < b.Value
	})
	return p
}

// removeStale deletes the object after a failed compile, as the compiler
// itself does, so make never mistakes an old object for a fresh one.
func removeStale(dir, object string) {
	os.Remove(filepath.Join(dir, object))
}

// dirLists is the plan's cache of directory reads, kept under the state
// directory for later compiles.
func dirLists(cfg Config) *dirlist.Cache {
	if cfg.StateDir == "" {
		return dirlist.New()
	}
	return dirlist.Open(filepath.Join(cfg.StateDir, "dirs"))
}
