//go:build !linux

package worker

// subtreeID is a lent subtree's identity; without the jail, which only
// Linux has, no subtree is lent.
type subtreeID struct{}

// subtreeIDOf reports no subtree as the worker's, so none is kept.
func subtreeIDOf(string) (subtreeID, bool) { return subtreeID{}, false }
