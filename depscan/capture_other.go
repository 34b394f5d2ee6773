//go:build !linux

package depscan

import "os"

// outputFile returns the file the scan's compiler writes its output to.
func outputFile() (*os.File, error) { return tempOutputFile() }
