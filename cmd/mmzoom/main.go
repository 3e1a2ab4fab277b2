// Command mmzoom runs the mmzoom service: Zoom meetings for Mattermost.
//
//	mmzoom serve    run the service (configuration from MMZOOM_* environment variables)
//	mmzoom demo     run mmzoom with built-in Zoom and Mattermost simulators on loopback
//	mmzoom keygen   print a new MMZOOM_ENCRYPTION_KEY
//	mmzoom dead-letters   list the card updates that could never be delivered
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
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/mmzoom/mmzoom/seal"
	"github.com/mmzoom/mmzoom/sqlite"
)

const usage = `usage: mmzoom <command>

commands:
  serve    run the service; configuration comes from MMZOOM_* environment variables (see README)
  demo     run mmzoom with built-in Zoom and Mattermost simulators on loopback and print the URL to open
  keygen   print a new random MMZOOM_ENCRYPTION_KEY
  dead-letters
           list the card updates that can never be delivered (the card was deleted, the channel archived)
           using MMZOOM_DATABASE and MMZOOM_ENCRYPTION_KEY
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
	case "dead-letters":
		if err := deadLetters(ctx, getenv, stdout); err != nil {
			fmt.Fprintln(stderr, "mmzoom dead-letters:", err)
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

// deadLetters prints the jobs that can never succeed, newest first.
func deadLetters(ctx context.Context, getenv func(string) string, w io.Writer) error {
	db := getenv("MMZOOM_DATABASE")
	if db == "" {
		db = "sqlite://mmzoom.db"
	}
	path, ok := strings.CutPrefix(db, "sqlite://")
	if !ok {
		return fmt.Errorf("MMZOOM_DATABASE must be sqlite://<path>")
	}
	key, err := seal.ParseKey(getenv("MMZOOM_ENCRYPTION_KEY"))
	if err != nil {
		return fmt.Errorf("MMZOOM_ENCRYPTION_KEY is invalid: %v", err)
	}
	var old []seal.Key
	for _, raw := range strings.Split(getenv("MMZOOM_ENCRYPTION_OLD_KEYS"), ",") {
		if k, err := seal.ParseKey(raw); err == nil {
			old = append(old, k)
		}
	}
	box, err := seal.NewBox(key, old...)
	if err != nil {
		return err
	}
	store, err := sqlite.Open(ctx, path, box, time.Now)
	if err != nil {
		return err
	}
	defer store.Close()
	jobs, err := store.DeadLetters(ctx, 100)
	if err != nil {
		return err
	}
	if len(jobs) == 0 {
		fmt.Fprintln(w, "No dead letters: every card update was delivered.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CREATED\tKIND\tKEY\tATTEMPTS\tLAST ERROR")
	for _, j := range jobs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", j.CreatedAt.Format(time.RFC3339), j.Kind, j.Key, j.Attempts, j.LastError)
	}
	return tw.Flush()
}
