package depscan

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
)

// SearchList is the include search list a compile uses, as the compiler
// reports it with -v: the directories searched for #include "..." only,
// then for both forms, in order. Entries are as the compiler spelled them
// (a ".." after a symlink is the symlink's parent); relative ones are
// relative to the compile's directory.
type SearchList struct {
	Quote []string
	Angle []string
	// Ignored are the directories the compiler was given but left out of
	// the search (nonexistent, or duplicates): one that appears later
	// joins the search.
	Ignored []string
}

// ParseSearchList reads the search list out of a compiler's -v output
// (gcc and clang print it alike). Lines it does not know are ignored.
func ParseSearchList(stderr []byte) SearchList {
	var sl SearchList
	var into *[]string
	for _, line := range strings.Split(string(stderr), "\n") {
		switch {
		case strings.HasPrefix(line, `#include "..." search starts here:`):
			into = &sl.Quote
		case strings.HasPrefix(line, "#include <...> search starts here:"):
			into = &sl.Angle
		case strings.HasPrefix(line, "End of search list."):
			into = nil
		case strings.HasPrefix(line, "ignoring ") && strings.HasSuffix(line, `"`):
			if _, dir, ok := strings.Cut(line, ` directory "`); ok {
				sl.Ignored = append(sl.Ignored, strings.TrimSuffix(dir, `"`))
			}
		case into != nil && strings.HasPrefix(line, " "):
			dir := strings.TrimSuffix(strings.TrimPrefix(line, " "), " (framework directory)")
			*into = append(*into, dir)
		}
	}
	return sl
}

// Search runs req's compiler over an empty input for the include search
// list of req.Inv (see compiler.Invocation.SearchArgs): the list a compile
// that ran with no scan before it searched.
func Search(ctx context.Context, req Request) (SearchList, error) {
	args := req.Inv.SearchArgs()
	if args == nil {
		return SearchList{}, ErrNotRemotable
	}
	cmd := exec.CommandContext(ctx, req.Compiler, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Dir, cmd.Env = req.Dir, req.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return SearchList{}, runError(args, stderr.Bytes(), err)
	}
	return ParseSearchList(stderr.Bytes()), nil
}
