//go:build !linux

package lookups

import "os"

// logFile returns the file the library writes to (Prepare serves Linux
// alone: this keeps the package building elsewhere).
func logFile() (*os.File, error) {
	f, err := os.CreateTemp("", "rex-lookups-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	return f, nil
}
