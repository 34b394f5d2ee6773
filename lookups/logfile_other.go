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

// imageFile returns a file that holds image.
func imageFile(image []byte) (*os.File, error) {
	f, err := logFile()
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(image); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
