package main

import (
	"fmt"
	"log/slog"
	"os"
)

// setLogFormat chooses how the server logs. "json" makes every line,
// those of the log package included, one JSON object (log/slog), for log
// collectors; "text" keeps the plain lines.
func setLogFormat(format string) error {
	switch format {
	case "text":
	case "json":
		slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	default:
		return fmt.Errorf("--log-format %q: want text or json", format)
	}
	return nil
}
