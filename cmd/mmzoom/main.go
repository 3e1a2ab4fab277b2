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
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	// Scheduled meetings are read and shown in users' IANA timezones: the database is embedded so that
	// mmzoom does not depend on the host having one (minimal container images do not).
	_ "time/tzdata"

	"github.com/mmzoom/mmzoom/seal"
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
	tx := newCLIText(cliLocale(getenv))
	usage := tx.T("cli.usage")
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
	case "serve", "keygen", "dead-letters":
	case "revoke":
		revoke = newRevokeFlags(flags)
	case "demo":
		demo = newDemoFlags(flags)
	case "loadtest":
		load = newLoadFlags(flags)
	case "setup":
		setup = newSetupFlags(flags)
	case "doctor":
		doctor = newDoctorFlags(flags)
	case "healthcheck":
		health = newHealthcheckFlags(flags)
	default:
		fmt.Fprintf(stderr, "%s\n\n%s", tx.T("cli.unknown_command", "Name", strconv.Quote(name)), usage)
		return 2
	}
	help = tx.T("cli.help." + name)
	if code, done := parseFlags(tx, name, flags, args[1:], help, stdout, stderr); done {
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
		cfg, problems := loadConfigIn(tx, getenv, os.ReadFile)
		if len(problems) > 0 {
			fmt.Fprintln(stderr, "mmzoom serve: "+tx.T("cli.serve.invalid_config"))
			for _, p := range problems {
				fmt.Fprintln(stderr, "  "+p)
			}
			return 2
		}
		if pct, ok := serveGCPercent(getenv); ok {
			debug.SetGCPercent(pct)
		}
		logger := newLogger(stderr, cfg.LogLevel)
		// The command line's catalog is the service's too: read once (the catalogs are 140 KB of JSON).
		if err := serve(ctx, cfg, logger, tx.cat, nil); err != nil {
			var se *startError
			if errors.As(err, &se) {
				// mmzoom never came up: a plain sentence, like the configuration problems above.
				var be *botCheckError
				if errors.As(se.err, &be) {
					return fail(errors.New(be.text(tx)))
				}
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
		if err := deadLettersIn(ctx, tx, getenv, stdout); err != nil {
			return fail(err)
		}
	case "loadtest":
		if err := runLoadtest(ctx, load, getenv, stdout, stderr); err != nil {
			return fail(err)
		}
	case "revoke":
		if err := runRevoke(ctx, tx, revoke, getenv, stdout); err != nil {
			return fail(err)
		}
	case "setup":
		var confirm func(string) bool
		if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			confirm = promptConfirm(os.Stdin, stdout) // a person at a terminal may agree; scripts use --yes
		}
		err := runSetup(ctx, setup, getenv, stdout, setupDeps{lookupIP: lookupIP, confirm: confirm, text: tx})
		if errors.Is(err, errSetupFailed) {
			return 1 // the failing step's line says what to fix
		}
		if err != nil {
			return fail(err)
		}
	case "doctor":
		err := runDoctor(ctx, doctor, getenv, stdout, doctorDeps{text: tx})
		if errors.Is(err, errDoctorFailed) {
			return 1 // the failing checks' lines say what to fix
		}
		if err != nil {
			return fail(err)
		}
	case "healthcheck":
		if err := healthcheck(ctx, tx, health, getenv, stdout); err != nil {
			return fail(err)
		}
	}
	return 0
}

// parseFlags parses a command's arguments. done says run must return code now: 0 after printing the help
// (asked for with -h, -help or --help), 2 after printing a usage error once. No command takes positional
// arguments.
func parseFlags(tx cliText, command string, flags *flag.FlagSet, args []string, help string, stdout, stderr io.Writer) (code int, done bool) {
	// The flag package would print the error and the defaults itself, before run printed it again.
	flags.SetOutput(io.Discard)
	err := flags.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		// Each flag's description in the admin's language (cli.flag.<command>.<flag>).
		flags.VisitAll(func(f *flag.Flag) {
			if key := "cli.flag." + command + "." + f.Name; tx.has(key) {
				f.Usage = tx.T(key)
			}
		})
		fmt.Fprint(stdout, help)
		var defaults strings.Builder
		flags.SetOutput(&defaults)
		flags.PrintDefaults()
		// The flag package writes "(default …)" itself.
		fmt.Fprint(stdout, strings.ReplaceAll(defaults.String(), " (default ", " "+tx.T("cli.flag.default")))
		return 0, true
	}
	if err == nil && flags.NArg() > 0 {
		err = errors.New(tx.T("cli.unexpected_argument", "Arg", strconv.Quote(flags.Arg(0))))
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n%s\n", flags.Name(), err, tx.T("cli.run_help", "Command", flags.Name()))
		return 2, true
	}
	return 0, false
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// serveGCPercent is the garbage collector's target for a replica: the heap may grow to 1.5 times what is
// live before a collection, not Go's default of 2 times. A burst of 1,000 concurrent starts then held a
// median of 141 MB against 165 MB, for the same CPU per start (11 interleaved pairs, BENCHMARKS.md). The GOGC
// environment variable, when set, decides instead (ok is false).
func serveGCPercent(getenv func(string) string) (pct int, ok bool) {
	if getenv("GOGC") != "" {
		return 0, false
	}
	return 50, true
}

// deadLetters prints the jobs that can never succeed, newest first. A missing or invalid setting is a
// *usageError naming the variable.
func deadLetters(ctx context.Context, getenv func(string) string, w io.Writer) error {
	return deadLettersIn(ctx, cliText{}, getenv, w)
}

// deadLettersIn is deadLetters in the admin's language (tx).
func deadLettersIn(ctx context.Context, tx cliText, getenv func(string) string, w io.Writer) error {
	tx = tx.orEnglish()
	db := strings.TrimSpace(getenv("MMZOOM_DATABASE"))
	if db == "" {
		db = "sqlite://mmzoom.db"
	}
	target, err := parseDatabase(db)
	if err != nil {
		return &usageError{databaseProblem(tx, err)}
	}
	raw := strings.TrimSpace(getenv("MMZOOM_ENCRYPTION_KEY"))
	if raw == "" {
		return &usageError{tx.T("cli.dead.key_required")}
	}
	key, err := seal.ParseKey(raw)
	if err != nil {
		return &usageError{tx.T("cli.config.key_invalid", "Err", err)}
	}
	var old []seal.Key
	for i, raw := range strings.Split(getenv("MMZOOM_ENCRYPTION_OLD_KEYS"), ",") {
		if raw = strings.TrimSpace(raw); raw == "" {
			continue
		}
		k, err := seal.ParseKey(raw)
		if err != nil {
			return &usageError{tx.T("cli.config.old_key_invalid", "N", i+1, "Err", err)}
		}
		old = append(old, k)
	}
	// Opening a SQLite database creates it: looking in the wrong directory must say so, not list an empty
	// new one.
	if _, err := os.Stat(target.target); !target.postgres && errors.Is(err, fs.ErrNotExist) {
		return &usageError{tx.T("cli.dead.database_missing", "Path", target.target)}
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
		fmt.Fprintln(w, tx.T("cli.dead.none"))
		return nil
	}
	rows := [][]string{strings.Split(tx.T("cli.dead.header"), "|")}
	for _, j := range jobs {
		rows = append(rows, []string{j.CreatedAt.Format(time.RFC3339), j.Kind, j.Key, strconv.Itoa(j.Attempts), j.LastError})
	}
	return writeColumns(w, rows)
}
