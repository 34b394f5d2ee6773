package worker

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
)

// outputKind is what the Command expects at an output path.
type outputKind int

const (
	anyOutput  outputKind = iota // output_paths (v2.1): file, directory or symlink
	fileOutput                   // output_files (v2.0)
	dirOutput                    // output_directories (v2.0)
)

// output is one declared output path.
type output struct {
	declared string // as the Command names it, relative to the working directory
	rel      string // cleaned, relative to the input root
	kind     outputKind
}

// parseOutputs checks the working directory and every output path
// (nothing absolute, nothing that escapes the input root) and returns them
// relative to the root.
func parseOutputs(cmd *repb.Command) (string, []output, error) {
	wd, err := cleanRel(cmd.GetWorkingDirectory())
	if err != nil {
		return "", nil, fmt.Errorf("working directory: %w", err)
	}
	var outs []output
	add := func(paths []string, kind outputKind) error {
		for _, p := range paths {
			rel, err := outputRel(wd, p)
			if err != nil {
				return err
			}
			outs = append(outs, output{declared: p, rel: rel, kind: kind})
		}
		return nil
	}
	if len(cmd.GetOutputPaths()) > 0 {
		return wd, outs, add(cmd.GetOutputPaths(), anyOutput)
	}
	if err := add(cmd.GetOutputFiles(), fileOutput); err != nil {
		return "", nil, err
	}
	return wd, outs, add(cmd.GetOutputDirectories(), dirOutput)
}

// prepareOutputs creates the working directory wd and each output's parent
// directories below root, as the REAPI asks, before the command runs; own
// (when not nil) is given what it creates.
func prepareOutputs(root, wd string, outs []output, own *owner) error {
	if err := mkdirInRoot(root, wd, own); err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	for _, o := range outs {
		if err := mkdirInRoot(root, path.Dir(o.rel), own); err != nil {
			return fmt.Errorf("output %q: %w", o.declared, err)
		}
	}
	return nil
}

// mkdirInRoot creates the directories of rel below root one by one,
// refusing to pass through anything that is not a real directory (a
// symlink from the input tree could otherwise lead outside the root). own
// (when not nil) is given the directories it creates.
func mkdirInRoot(root, rel string, own *owner) error {
	if rel == "." {
		return nil
	}
	dir := root
	for _, part := range strings.Split(rel, "/") {
		dir = filepath.Join(dir, part)
		fi, err := os.Lstat(dir)
		if errors.Is(err, fs.ErrNotExist) {
			if err := os.Mkdir(dir, 0o755); err != nil {
				return err
			}
			if err := own.give(dir); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			return withCode(codes.InvalidArgument, fmt.Errorf("%s is not a directory", dir))
		}
	}
	return nil
}

// collectOutputs records every output the command left into ar, and the
// blobs to upload into up. Missing outputs are omitted, as the REAPI says.
func collectOutputs(up *uploads, root string, outs []output, format repb.Command_OutputDirectoryFormat, ar *repb.ActionResult) error {
	for _, o := range outs {
		if err := checkNoSymlinkParents(root, o.rel); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return err
		}
		p := underRoot(root, o.rel)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := collectOne(up, p, o, fi, format, ar); err != nil {
			return err
		}
	}
	return nil
}

func collectOne(up *uploads, p string, o output, fi fs.FileInfo, format repb.Command_OutputDirectoryFormat, ar *repb.ActionResult) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			return err
		}
		link := &repb.OutputSymlink{Path: o.declared, Target: target}
		ar.OutputSymlinks = append(ar.OutputSymlinks, link)
		switch o.kind {
		case fileOutput:
			ar.OutputFileSymlinks = append(ar.OutputFileSymlinks, link)
		case dirOutput:
			ar.OutputDirectorySymlinks = append(ar.OutputDirectorySymlinks, link)
		}
	case fi.Mode().IsRegular() && o.kind != dirOutput:
		d, err := up.file(p)
		if err != nil {
			return err
		}
		ar.OutputFiles = append(ar.OutputFiles, &repb.OutputFile{
			Path: o.declared, Digest: d.Proto(), IsExecutable: fi.Mode()&0o100 != 0,
		})
	case fi.IsDir() && o.kind != fileOutput:
		od, err := up.outputDirectory(p, format)
		if err != nil {
			return err
		}
		od.Path = o.declared
		ar.OutputDirectories = append(ar.OutputDirectories, od)
	default:
		return withCode(codes.FailedPrecondition,
			fmt.Errorf("output %q: found %s, not what the command declares", o.declared, fi.Mode().Type()))
	}
	return nil
}
