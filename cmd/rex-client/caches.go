package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/bytesize"
	"github.com/rexbuild/rex/localcache"
)

// caches says where compiles are looked up: the local cache, and the
// server unless there is none.
type caches struct {
	Server          string `json:"server"` // "" with no server
	ServerIsDefault bool   `json:"server_is_default,omitempty"`
	LocalCacheBytes int64  `json:"local_cache_bytes"`
	LocalCacheMax   int64  `json:"local_cache_max"`
	Direct          bool   `json:"direct_mode"`
}

func describeCaches(c *cli.Context, dir string) caches {
	max, _ := bytesize.Parse(c.String("local-cache-size"))
	w := caches{
		Server:          c.String("server"),
		ServerIsDefault: !c.IsSet("server"),
		LocalCacheBytes: localcache.Usage(filepath.Join(dir, "cache")),
		LocalCacheMax:   max,
		Direct:          c.Bool("direct"),
	}
	if w.Server == "none" {
		w.Server = ""
	}
	return w
}

func (w caches) print(out io.Writer) {
	switch {
	case w.Server == "":
		fmt.Fprintf(out, "server             none (REX_SERVER=none): a local compiler cache\n")
	case w.ServerIsDefault:
		fmt.Fprintf(out, "server             %s (the default; while nothing answers there, a local compiler cache)\n", w.Server)
	default:
		fmt.Fprintf(out, "server             %s\n", w.Server)
	}
	if w.LocalCacheMax == 0 {
		fmt.Fprintf(out, "local cache        off (REX_LOCAL_CACHE_SIZE=0)\n")
	} else {
		fmt.Fprintf(out, "local cache        %s of %s\n", bytesize.Format(w.LocalCacheBytes), bytesize.Format(w.LocalCacheMax))
	}
	direct := "on"
	if !w.Direct {
		direct = "off (REX_DIRECT=0)"
	}
	fmt.Fprintf(out, "direct mode        %s\n", direct)
}
