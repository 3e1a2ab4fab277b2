package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/mmzoom/mmzoom/meeting"
)

// revokeFlags are the flags of `mmzoom revoke`.
type revokeFlags struct {
	users    *userList
	all, yes *bool
}

// userList is a repeatable --user.
type userList []string

func (l *userList) String() string { return strings.Join(*l, ",") }

// Set adds one user (a comma-separated list adds several).
func (l *userList) Set(v string) error {
	for _, u := range strings.Split(v, ",") {
		if u = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(u), "@")); u != "" {
			*l = append(*l, u)
		}
	}
	return nil
}

func newRevokeFlags(fs *flag.FlagSet) revokeFlags {
	f := revokeFlags{users: &userList{}}
	fs.Var(f.users, "user", "Mattermost username or user id whose Zoom connection to revoke (repeatable)")
	f.all = fs.Bool("all", false, "revoke every stored Zoom connection")
	f.yes = fs.Bool("yes", false, "with --all: really revoke them")
	return f
}

// runRevoke is `mmzoom revoke`.
func runRevoke(ctx context.Context, tx cliText, f revokeFlags, getenv func(string) string, stdout io.Writer) error {
	if (len(*f.users) == 0) == !*f.all {
		return &usageError{tx.T("cli.revoke.usage")}
	}
	cfg, problems := loadConfigIn(tx, getenv, os.ReadFile)
	if len(problems) > 0 {
		return &usageError{tx.T("cli.serve.invalid_config") + "\n  " + strings.Join(problems, "\n  ")}
	}
	if cfg.Kind == meeting.KindS2S {
		return &usageError{tx.T("cli.revoke.s2s")}
	}
	a, err := build(ctx, cfg, slog.New(slog.DiscardHandler), options{})
	if err != nil {
		return err
	}
	defer a.store.Close()
	if *f.all {
		grants, err := a.store.Grants(ctx)
		if err != nil {
			return err
		}
		if !*f.yes {
			return &usageError{tx.T("cli.revoke.confirm_all", "Count", len(grants))}
		}
		res, err := a.svc.RevokeAll(ctx)
		if err != nil {
			return err
		}
		printRevoked(tx, stdout, res)
		return nil
	}
	owners, err := resolveOwners(ctx, tx, a, *f.users)
	if err != nil {
		return err
	}
	res, err := a.svc.RevokeOwners(ctx, owners)
	if err != nil {
		return err
	}
	printRevoked(tx, stdout, res)
	return nil
}

// resolveOwners finds the token owners of users given by Mattermost user id or username. Only users with a
// stored connection are looked up, so a username is matched against them, one Mattermost lookup each.
func resolveOwners(ctx context.Context, tx cliText, a *app, users []string) ([]meeting.Owner, error) {
	grants, err := a.store.Grants(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]meeting.Owner{}
	byID := map[string]meeting.Owner{}
	for _, g := range grants {
		id := g.Owner.UserID()
		if id == "" {
			continue
		}
		byID[id] = g.Owner
		if u, err := a.svc.Chat.User(ctx, id); err == nil {
			byName[strings.ToLower(u.Username)] = g.Owner
		}
	}
	var owners []meeting.Owner
	var unknown []string
	for _, u := range users {
		if o, ok := byID[u]; ok {
			owners = append(owners, o)
		} else if o, ok := byName[strings.ToLower(u)]; ok {
			owners = append(owners, o)
		} else {
			unknown = append(unknown, u)
		}
	}
	if len(unknown) > 0 {
		return nil, &usageError{tx.T("cli.revoke.unknown", "Users", strings.Join(unknown, ", "))}
	}
	return owners, nil
}

func printRevoked(tx cliText, w io.Writer, res meeting.RevokeResult) {
	fmt.Fprintln(w, tx.T("cli.revoke.done", "Count", res.Revoked))
	if res.NotAtZoom > 0 {
		fmt.Fprintln(w, tx.T("cli.revoke.not_at_zoom", "Count", res.NotAtZoom))
	}
}
