//go:build !linux

package depscan

import (
	"os"

	"golang.org/x/sys/unix"
)

const mapFlags = unix.MAP_SHARED

// outputFile returns the file the scan's compiler writes its output to.
func outputFile() (*os.File, error) { return tempOutputFile() }
