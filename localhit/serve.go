package localhit

import (
	"os"
	"path/filepath"
	"time"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/localcache"
)

// Serve writes the outputs of rec's result from the local cache into dir,
// the dependency file among them, and returns the result for its streams.
// ok is false on a miss or when anything fails, and nothing was written
// (the dependency file written aside stays for the caller to discard).
func Serve(cache *localcache.Store, dir string, rec *Recorded) (r Result, ok bool) {
	if cache == nil {
		return Result{}, false
	}
	data, ok := cache.Get(localcache.Results, ResultKey(rec.Action, rec.Portable, rec.LocalRoot))
	if !ok {
		return Result{}, false
	}
	if data, ok = unseal(data); !ok {
		return Result{}, false
	}
	r, err := DecodeResult(data)
	if err != nil || !r.Complete(rec.Outputs) || r.inline() {
		return Result{}, false
	}
	if copyOutputs(cache, dir, r.Files) != nil {
		return Result{}, false
	}
	if rec.DepTemp != "" {
		if os.Rename(rec.DepTemp, filepath.Join(dir, rec.DepFile)) != nil {
			return Result{}, false
		}
	}
	return r, true
}

// copyOutputs copies every output out of the cache (placeOutputs).
// Outputs are copies, never links: the build may change an object in
// place later.
func copyOutputs(cache *localcache.Store, dir string, files []OutputFile) error {
	return placeOutputs(dir, files, func(f OutputFile, dir string) (string, error) {
		return cache.CopyBlob(f.Digest, dir, atomicfile.OutputMode(f.Executable))
	})
}

// WriteInline writes outputs whose contents came inline (placeOutputs).
func WriteInline(dir string, files []OutputFile) error {
	return placeOutputs(dir, files, func(f OutputFile, dir string) (string, error) {
		tmp, err := os.CreateTemp(dir, ".rex-*")
		if err != nil {
			return "", err
		}
		err = tmp.Chmod(atomicfile.OutputMode(f.Executable))
		if err == nil {
			_, err = tmp.Write(f.Contents)
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(tmp.Name())
			return "", err
		}
		return tmp.Name(), nil
	})
}

// placeOutputs writes each output to a temporary file beside its place
// (stage, given the directory), then renames them all: a failure leaves
// the build tree untouched.
func placeOutputs(dir string, files []OutputFile, stage func(f OutputFile, dir string) (string, error)) error {
	tmps := make([]string, len(files))
	defer func() {
		for _, tmp := range tmps {
			if tmp != "" {
				os.Remove(tmp)
			}
		}
	}()
	for i, f := range files {
		tmp, err := stage(f, filepath.Dir(filepath.Join(dir, filepath.FromSlash(f.Path))))
		if err != nil {
			return err
		}
		tmps[i] = tmp
	}
	for i, f := range files {
		if err := os.Rename(tmps[i], filepath.Join(dir, filepath.FromSlash(f.Path))); err != nil {
			return err
		}
		tmps[i] = ""
	}
	return nil
}

// inline says whether a file of r came inline: the local cache keeps none
// that way, so such an entry is not one of its own.
func (r Result) inline() bool {
	for _, f := range r.Files {
		if f.Contents != nil {
			return true
		}
	}
	return false
}

// Keep stores a successful compile's outputs, in place under dir, and its
// streams as the local cache's result under key (ResultKey): the outputs
// by their digest, then the result naming them, with what the compile
// cost where it ran (for the time a later hit saves), sealed (see seal.go).
// r's files need only their paths and modes. Failing costs a later miss
// only.
func Keep(cache *localcache.Store, dir, key string, r Result) error {
	kept := r
	kept.Files = make([]OutputFile, 0, len(r.Files))
	for _, f := range r.Files {
		d, err := cache.AddFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			return err
		}
		kept.Files = append(kept.Files, OutputFile{Path: f.Path, Digest: d, Executable: f.Executable})
	}
	return cache.Put(localcache.Results, key, seal(EncodeResult(kept, time.Now())))
}
