package explain

import (
	"fmt"
	"sort"
	"strings"
)

// Difference is one thing that differs between two keys.
type Difference struct {
	// Kind is "input", "argument", "environment", "compiler", "platform",
	// "probe" or "working directory".
	Kind string `json:"kind"`
	// Name is the input's path, the variable's or property's name; empty
	// for arguments and compiler facts.
	Name string `json:"name,omitempty"`
	// Old and New are the values; an empty one means absent.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

func (d Difference) String() string {
	what := d.Kind
	if d.Name != "" {
		what += " " + d.Name
	}
	switch {
	case d.Old == "":
		return fmt.Sprintf("%s appeared: %s", what, d.New)
	case d.New == "":
		return fmt.Sprintf("%s is gone (was %s)", what, d.Old)
	}
	return fmt.Sprintf("%s changed: %s -> %s", what, d.Old, d.New)
}

// Compare lists what differs from old to new.
func Compare(old, new Key) []Difference {
	var ds []Difference
	ds = append(ds, compareMaps("input", old.Inputs, new.Inputs)...)
	ds = append(ds, compareLists("argument", old.Argv, new.Argv)...)
	ds = append(ds, compareMaps("environment", old.Env, new.Env)...)
	ds = append(ds, compareLists("compiler", old.Compiler, new.Compiler)...)
	ds = append(ds, compareMaps("platform", old.Platform, new.Platform)...)
	ds = append(ds, compareLists("probe", old.Probes, new.Probes)...)
	if old.WorkDir != new.WorkDir {
		ds = append(ds, Difference{Kind: "working directory", Old: old.WorkDir, New: new.WorkDir})
	}
	return ds
}

// compareMaps names each key whose value changed, appeared or went.
func compareMaps(kind string, old, new map[string]string) []Difference {
	var ds []Difference
	for name, v := range new {
		if old[name] != v {
			ds = append(ds, Difference{Kind: kind, Name: name, Old: old[name], New: v})
		}
	}
	for name, v := range old {
		if _, ok := new[name]; !ok {
			ds = append(ds, Difference{Kind: kind, Name: name, Old: v})
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].Name < ds[j].Name })
	return ds
}

// compareLists names the elements only one list has (as multisets: an
// argument given twice counts twice). Order changes alone are reported as
// one difference.
func compareLists(kind string, old, new []string) []Difference {
	count := map[string]int{}
	for _, s := range old {
		count[s]++
	}
	for _, s := range new {
		count[s]--
	}
	var ds []Difference
	for _, s := range old {
		if count[s] > 0 {
			count[s]--
			ds = append(ds, Difference{Kind: kind, Old: s})
		}
	}
	for _, s := range new {
		if count[s] < 0 {
			count[s]++
			ds = append(ds, Difference{Kind: kind, New: s})
		}
	}
	if len(ds) == 0 && strings.Join(old, "\x00") != strings.Join(new, "\x00") {
		ds = append(ds, Difference{Kind: kind, Old: strings.Join(old, " "), New: strings.Join(new, " ")})
	}
	return ds
}

// Closest is the earlier key (of another action) that differs least from
// k, and how; ok is false when there is none.
func Closest(k Key, earlier []Key) (best Key, diffs []Difference, ok bool) {
	for _, e := range earlier {
		if e.Action == k.Action {
			continue
		}
		d := Compare(e, k)
		if !ok || len(d) < len(diffs) {
			best, diffs, ok = e, d, true
		}
	}
	return best, diffs, ok
}
