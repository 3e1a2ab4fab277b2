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

const revokeHelp = `usage: mmzoom revoke --user NAME [--user NAME…] | --all [--yes]

Revokes Zoom connections at Zoom (/oauth/revoke) and deletes their tokens, as /zoom admin revoke and
/zoom admin revoke-all do in Mattermost; each user is told by direct message, in their language. NAME is
a Mattermost username (with or without @) or user id. --all revokes every stored connection, the
account-level one included, and does nothing without --yes (it says how many it would revoke).
It reads the same MMZOOM_* environment as serve (database, encryption key, Zoom app, Mattermost bot).

flags:
`

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
func runRevoke(ctx context.Context, f revokeFlags, getenv func(string) string, stdout io.Writer) error {
	if (len(*f.users) == 0) == !*f.all {
		return &usageError{"give either --user NAME (one or more) or --all"}
	}
	cfg, problems := loadConfig(getenv, os.ReadFile)
	if len(problems) > 0 {
		return &usageError{"invalid configuration:\n  " + strings.Join(problems, "\n  ")}
	}
	if cfg.Kind == meeting.KindS2S {
		return &usageError{"a Server-to-Server app (MMZOOM_ZOOM_APP_KIND=s2s) has no stored connections to revoke: deactivate the app in the Zoom App Marketplace instead"}
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
			return &usageError{fmt.Sprintf("this would revoke every stored Zoom connection (%d); run 'mmzoom revoke --all --yes' to revoke them", len(grants))}
		}
		res, err := a.svc.RevokeAll(ctx)
		if err != nil {
			return err
		}
		printRevoked(stdout, res)
		return nil
	}
	owners, err := resolveOwners(ctx, a, *f.users)
	if err != nil {
		return err
	}
	res, err := a.svc.RevokeOwners(ctx, owners)
	if err != nil {
		return err
	}
	printRevoked(stdout, res)
	return nil
}

// resolveOwners finds the token owners of users given by Mattermost user id or username. Only users with a
// stored connection are looked up, so a username is matched against them, one Mattermost lookup each.
func resolveOwners(ctx context.Context, a *app, users []string) ([]meeting.Owner, error) {
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
		return nil, &usageError{fmt.Sprintf("no stored Zoom connection for %s", strings.Join(unknown, ", "))}
	}
	return owners, nil
}

func printRevoked(w io.Writer, res meeting.RevokeResult) {
	fmt.Fprintf(w, "Zoom connections revoked: %d (tokens deleted; each user was told by direct message).\n", res.Revoked)
	if res.NotAtZoom > 0 {
		fmt.Fprintf(w, "Of these, not confirmed revoked by Zoom: %d (issued by a previous Zoom app, or Zoom refused); their tokens are deleted all the same.\n", res.NotAtZoom)
	}
}
