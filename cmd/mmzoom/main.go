// Command mmzoom runs the mmzoom service: Zoom meetings for Mattermost.
//
//	mmzoom serve    run the service (configuration from MMZOOM_* environment variables)
//	mmzoom demo     run mmzoom with built-in Zoom and Mattermost simulators on loopback
//	mmzoom keygen   print a new MMZOOM_ENCRYPTION_KEY
//	mmzoom dead-letters   list the card updates that could never be delivered
//	mmzoom loadtest       measure mmzoom's HTTP surface against the simulators (see BENCHMARKS.md)
//	mmzoom revoke   revoke users' Zoom connections at Zoom and delete their tokens
//	mmzoom setup    prepare Mattermost for mmzoom with a system admin's token
//	mmzoom doctor   check every setting and connection, one line each
//	mmzoom healthcheck    exit 0 if the mmzoom on this host answers /healthz (the container's HEALTHCHECK)
//
// This is the only package that reads the environment; everything else gets explicit dependencies.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
	// Scheduled meetings are read and shown in users' IANA timezones: the database is embedded so that
	// mmzoom does not depend on the host having one (minimal container images do not).
	_ "time/tzdata"

	"github.com/mmzoom/mmzoom/seal"
)

const usage = `usage: mmzoom <command>

commands:
  serve    run the service; configuration comes from MMZOOM_* environment variables (see README)
  demo     run mmzoom with built-in Zoom and Mattermost simulators on loopback and print the URL to open
  keygen   print a new random MMZOOM_ENCRYPTION_KEY
  dead-letters
           list the card updates that can never be delivered (the card was deleted, the channel archived)
           using MMZOOM_DATABASE and MMZOOM_ENCRYPTION_KEY
  loadtest measure /zoom start, webhook ingest, memory and cold start of mmzoom processes against the
           simulators (see BENCHMARKS.md)
  revoke   revoke Zoom connections (--user NAME, or --all --yes) at Zoom and delete their tokens
  setup    prepare Mattermost for mmzoom (bot, roles, teams, /zoom command, plugin) with a system admin's
           token in MMZOOM_MATTERMOST_ADMIN_TOKEN, and write the tokens to the config file
  doctor   check the configuration, the database, Mattermost, Zoom and the webhook, one line each
           (--json for monitoring); exit status 1 when a check fails
  healthcheck
           exit 0 if the mmzoom on this host answers GET /healthz, 1 if not (for container health checks)

Run 'mmzoom <command> --help' for more about a command.
`

// The help of each command, printed by 'mmzoom <command> --help' (flags, when a command has any, follow).
const (
	serveHelp = `usage: mmzoom serve

Runs mmzoom. The configuration comes from MMZOOM_* environment variables (the README lists them);
MMZOOM_CONFIG may name a JSON file with the finer settings. Before it listens, mmzoom checks the
configuration and asks Mattermost whether it accepts MMZOOM_MATTERMOST_BOT_TOKEN, and exits with a
message saying what is wrong if either fails.

Exit status: 0 after a clean stop (SIGINT, SIGTERM), 1 on a failure, 2 on a configuration error.
`
	keygenHelp = `usage: mmzoom keygen

Prints a new random MMZOOM_ENCRYPTION_KEY (32 bytes, base64). Keep the old key in
MMZOOM_ENCRYPTION_OLD_KEYS when you rotate: mmzoom still opens what the old key sealed.
`
	deadLettersHelp = `usage: mmzoom dead-letters

Lists the 100 newest card updates Mattermost refused for good (the card was deleted, the channel
archived, the bot lost access). It reads the database named by MMZOOM_DATABASE (default
sqlite://mmzoom.db; a postgres:// URL reads the database several replicas share) with
MMZOOM_ENCRYPTION_KEY (and MMZOOM_ENCRYPTION_OLD_KEYS), as serve does.
`
	demoHelp = `usage: mmzoom demo [flags]

Runs mmzoom with built-in Zoom and Mattermost simulators on loopback and prints the page to open.
Nothing leaves the machine; the database is a temporary file removed at exit.

flags:
`
)

// usageError is a mistake in how mmzoom was invoked or configured: exit status 2, and the message alone
// (no log line) on stderr.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is mmzoom's command line: it returns the exit status (0 done, 1 failed, 2 usage or configuration
// error). Help goes to stdout; every error is printed once, on stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	name := args[0]
	flags := flag.NewFlagSet("mmzoom "+name, flag.ContinueOnError)
	var help string
	var demo demoFlags
	var load loadFlags
	var revoke revokeFlags
	var setup setupFlags
	var doctor doctorFlags
	var health healthcheckFlags
	switch name {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "serve":
		help = serveHelp
	case "keygen":
		help = keygenHelp
	case "dead-letters":
		help = deadLettersHelp
	case "revoke":
		help, revoke = revokeHelp, newRevokeFlags(flags)
	case "demo":
		help = demoHelp
		demo = newDemoFlags(flags)
	case "loadtest":
		help = loadtestHelp
		load = newLoadFlags(flags)
	case "setup":
		help = setupHelp
		setup = newSetupFlags(flags)
	case "doctor":
		help = doctorHelp
		doctor = newDoctorFlags(flags)
	case "healthcheck":
		help = healthcheckHelp
		health = newHealthcheckFlags(flags)
	default:
		fmt.Fprintf(stderr, "mmzoom: unknown command %q\n\n%s", name, usage)
		return 2
	}
	if code, done := parseFlags(flags, args[1:], help, stdout, stderr); done {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "mmzoom %s: %v\n", name, err)
		var ue *usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	switch name {
	case "keygen":
		k, err := seal.GenerateKey()
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, k)
	case "serve":
		cfg, problems := loadConfig(getenv, os.ReadFile)
		if len(problems) > 0 {
			fmt.Fprintln(stderr, "mmzoom serve: invalid configuration:")
			for _, p := range problems {
				fmt.Fprintln(stderr, "  "+p)
			}
			return 2
		}
		logger := newLogger(stderr, cfg.LogLevel)
		if err := serve(ctx, cfg, logger, nil); err != nil {
			var se *startError
			if errors.As(err, &se) {
				// mmzoom never came up: a plain sentence, like the configuration problems above.
				return fail(se.err)
			}
			logger.Error("mmzoom stopped", "err", err)
			return 1
		}
	case "demo":
		if err := runDemo(ctx, demo, stdout, stderr); err != nil {
			return fail(err)
		}
	case "dead-letters":
		if err := deadLetters(ctx, getenv, stdout); err != nil {
			return fail(err)
		}
	case "loadtest":
		if err := runLoadtest(ctx, load, getenv, stdout, stderr); err != nil {
			return fail(err)
		}
	case "revoke":
		if err := runRevoke(ctx, revoke, getenv, stdout); err != nil {
			return fail(err)
		}
	case "setup":
		var confirm func(string) bool
		if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			confirm = promptConfirm(os.Stdin, stdout) // a person at a terminal may agree; scripts use --yes
		}
		err := runSetup(ctx, setup, getenv, stdout, setupDeps{lookupIP: lookupIP, confirm: confirm})
		if errors.Is(err, errSetupFailed) {
			return 1 // the failing step's line says what to fix
		}
		if err != nil {
			return fail(err)
		}
	case "doctor":
		err := runDoctor(ctx, doctor, getenv, stdout, doctorDeps{})
		if errors.Is(err, errDoctorFailed) {
			return 1 // the failing checks' lines say what to fix
		}
		if err != nil {
			return fail(err)
		}
	case "healthcheck":
		if err := healthcheck(ctx, health, getenv, stdout); err != nil {
			return fail(err)
		}
	}
	return 0
}

// parseFlags parses a command's arguments. done says run must return code now: 0 after printing the help
// (asked for with -h, -help or --help), 2 after printing a usage error once. No command takes positional
// arguments.
func parseFlags(flags *flag.FlagSet, args []string, help string, stdout, stderr io.Writer) (code int, done bool) {
	// The flag package would print the error and the defaults itself, before run printed it again.
	flags.SetOutput(io.Discard)
	err := flags.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, help)
		flags.SetOutput(stdout)
		flags.PrintDefaults()
		return 0, true
	}
	if err == nil && flags.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", flags.Arg(0))
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for usage.\n", flags.Name(), err, flags.Name())
		return 2, true
	}
	return 0, false
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// deadLetters prints the jobs that can never succeed, newest first. A missing or invalid setting is a
// *usageError naming the variable.
func deadLetters(ctx context.Context, getenv func(string) string, w io.Writer) error {
	db := strings.TrimSpace(getenv("MMZOOM_DATABASE"))
	if db == "" {
		db = "sqlite://mmzoom.db"
	}
	target, err := parseDatabase(db)
	if err != nil {
		return &usageError{err.Error()}
	}
	raw := strings.TrimSpace(getenv("MMZOOM_ENCRYPTION_KEY"))
	if raw == "" {
		return &usageError{"MMZOOM_ENCRYPTION_KEY is required: the key mmzoom serve runs with, which opens the database"}
	}
	key, err := seal.ParseKey(raw)
	if err != nil {
		return &usageError{fmt.Sprintf("MMZOOM_ENCRYPTION_KEY is invalid: %v", err)}
	}
	var old []seal.Key
	for i, raw := range strings.Split(getenv("MMZOOM_ENCRYPTION_OLD_KEYS"), ",") {
		if raw = strings.TrimSpace(raw); raw == "" {
			continue
		}
		k, err := seal.ParseKey(raw)
		if err != nil {
			return &usageError{fmt.Sprintf("MMZOOM_ENCRYPTION_OLD_KEYS entry %d is invalid: %v", i+1, err)}
		}
		old = append(old, k)
	}
	// Opening a SQLite database creates it: looking in the wrong directory must say so, not list an empty
	// new one.
	if _, err := os.Stat(target.target); !target.postgres && errors.Is(err, fs.ErrNotExist) {
		return &usageError{fmt.Sprintf("MMZOOM_DATABASE names %s, which does not exist", target.target)}
	}
	box, err := seal.NewBox(key, old...)
	if err != nil {
		return err
	}
	opened, err := openDatabase(ctx, target, box, time.Now)
	if err != nil {
		return err
	}
	defer opened.store.Close()
	jobs, err := opened.store.DeadLetters(ctx, 100)
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
