package digest

import (
	"fmt"
	"strconv"
	"strings"
)

// Resource is a parsed ByteStream resource name.
type Resource struct {
	Instance   string
	Function   Function
	Digest     Digest
	Compressor string // "" for plain blobs, "zstd" for compressed-blobs/zstd
	UUID       string // uploads only
}

// Compressors the resource names may carry, besides none.
const CompressorZstd = "zstd"

// ReadName builds "{instance}/blobs/{fn/}{hash}/{size}", or the
// compressed-blobs form when compressor is set. The function segment is
// written for BLAKE3 only: SHA-256 is inferred from the hash length.
func ReadName(instance string, f Function, d Digest, compressor string) string {
	return joinInstance(instance, blobPath(f, d, compressor))
}

// WriteName builds "{instance}/uploads/{uuid}/blobs/{fn/}{hash}/{size}".
func WriteName(instance, uuid string, f Function, d Digest, compressor string) string {
	return joinInstance(instance, "uploads/"+uuid+"/"+blobPath(f, d, compressor))
}

func joinInstance(instance, rest string) string {
	if instance == "" {
		return rest
	}
	return instance + "/" + rest
}

func blobPath(f Function, d Digest, compressor string) string {
	var b strings.Builder
	if compressor != "" {
		b.WriteString("compressed-blobs/" + compressor + "/")
	} else {
		b.WriteString("blobs/")
	}
	if f == BLAKE3 {
		b.WriteString("blake3/")
	}
	b.WriteString(d.String())
	return b.String()
}

// ParseReadName parses a ByteStream Read resource name.
func ParseReadName(name string) (Resource, error) {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		if s == "blobs" || s == "compressed-blobs" {
			r, err := parseBlobPath(segs[i:])
			if err != nil {
				return Resource{}, fmt.Errorf("resource name %q: %w", name, err)
			}
			r.Instance = strings.Join(segs[:i], "/")
			return r, nil
		}
		if s == "uploads" {
			break
		}
	}
	return Resource{}, fmt.Errorf("resource name %q: want [instance/]blobs/[function/]hash/size", name)
}

// ParseWriteName parses a ByteStream Write resource name.
func ParseWriteName(name string) (Resource, error) {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		if s != "uploads" {
			continue
		}
		if i+2 > len(segs) || segs[i+1] == "" {
			break
		}
		r, err := parseBlobPath(segs[i+2:])
		if err != nil {
			return Resource{}, fmt.Errorf("resource name %q: %w", name, err)
		}
		r.Instance = strings.Join(segs[:i], "/")
		r.UUID = segs[i+1]
		return r, nil
	}
	return Resource{}, fmt.Errorf("resource name %q: want [instance/]uploads/uuid/blobs/[function/]hash/size", name)
}

// parseBlobPath reads "blobs/[fn/]hash/size[/metadata...]" or
// "compressed-blobs/compressor/[fn/]hash/size[/metadata...]".
func parseBlobPath(segs []string) (Resource, error) {
	var r Resource
	if len(segs) == 0 || segs[0] != "blobs" && segs[0] != "compressed-blobs" {
		return r, fmt.Errorf("want blobs/ or compressed-blobs/")
	}
	if segs[0] == "compressed-blobs" {
		if len(segs) < 2 {
			return r, fmt.Errorf("missing compressor")
		}
		r.Compressor = segs[1]
		if r.Compressor != CompressorZstd {
			return r, fmt.Errorf("unsupported compressor %q", r.Compressor)
		}
		segs = segs[2:]
	} else {
		segs = segs[1:]
	}
	r.Function = SHA256
	if len(segs) > 0 {
		if f, err := FunctionFromName(segs[0]); err == nil && len(segs[0]) != hashHexLen {
			r.Function = f
			segs = segs[1:]
		}
	}
	if len(segs) < 2 {
		return r, fmt.Errorf("missing hash or size")
	}
	size, err := strconv.ParseInt(segs[1], 10, 64)
	if err != nil {
		return r, fmt.Errorf("bad size %q", segs[1])
	}
	d, err := New(segs[0], size)
	if err != nil {
		return r, err
	}
	r.Digest = d
	return r, nil
}
