// Command mmzoom runs the mmzoom service: Zoom meetings for Mattermost.
//
//	mmzoom serve    run the service (configuration from MMZOOM_* environment variables)
//	mmzoom demo     run mmzoom with built-in Zoom and Mattermost simulators on loopback
//	mmzoom keygen   print a new MMZOOM_ENCRYPTION_KEY
//
// This is the only package that reads the environment; everything else gets explicit dependencies.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/mmzoom/mmzoom/seal"
)

const usage = `usage: mmzoom <command>

commands:
  serve    run the service; configuration comes from MMZOOM_* environment variables (see README)
  demo     run mmzoom with built-in Zoom and Mattermost simulators on loopback and print the URL to open
  keygen   print a new random MMZOOM_ENCRYPTION_KEY
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "keygen":
		k, err := seal.GenerateKey()
		if err != nil {
			fmt.Fprintln(stderr, "mmzoom keygen:", err)
			return 1
		}
		fmt.Fprintln(stdout, k)
		return 0
	case "serve":
		cfg, problems := loadConfig(getenv, os.ReadFile)
		if len(problems) > 0 {
			fmt.Fprintln(stderr, "mmzoom: invalid configuration:")
			for _, p := range problems {
				fmt.Fprintln(stderr, "  "+p)
			}
			return 2
		}
		logger := newLogger(stderr, cfg.LogLevel)
		if err := serve(ctx, cfg, logger, nil); err != nil {
			logger.Error("mmzoom stopped", "err", err)
			return 1
		}
		return 0
	case "demo":
		if err := runDemo(ctx, args[1:], stdout, stderr); err != nil {
			fmt.Fprintln(stderr, "mmzoom demo:", err)
			return 1
		}
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "mmzoom: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
