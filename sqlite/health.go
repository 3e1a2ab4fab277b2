package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
)

// Health is what mmzoom doctor reads from the database. It is read without changing anything, while
// mmzoom serve may be running on the same file (Open would release serve's job leases and migrate).
type Health struct {
	// Pending lists the migrations the database lacks (mmzoom serve applies them when it starts).
	Pending []string
	// QueueDepth counts the jobs waiting to run and the received events not yet moved into jobs; Oldest is
	// when the oldest of them was created (zero when none waits).
	QueueDepth int
	Oldest     time.Time
	// DeadLetters counts the jobs that can never succeed.
	DeadLetters int
	// SealedChecked says a sealed value was tried with the keys; SealedOpen says it opened.
	SealedChecked, SealedOpen bool
	// Tokens are the stored Zoom tokens: owner → granted scopes (not secret), plus the account token
	// (account kinds), opened with the keys when it opens.
	Tokens  map[meeting.Owner]string
	Account *meeting.Token
	// CommandTeams maps command token ids (see httpapi.CommandTokenID) to the team each was first used from.
	CommandTeams map[string]string
}

// Inspect reads the database at path read-only. A missing file is an error wrapping fs.ErrNotExist (it
// is never created).
func Inspect(ctx context.Context, p string, box *seal.Box) (*Health, error) {
	if _, err := os.Stat(p); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+p+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", p, err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", p, err)
	}
	h := &Health{Tokens: map[meeting.Owner]string{}, CommandTeams: map[string]string{}}
	if err := h.migrations(ctx, db); err != nil {
		return nil, err
	}
	if len(h.Pending) > 0 {
		return h, nil // the tables below may not exist yet
	}
	var oldest sql.NullInt64
	err = db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM jobs WHERE status = 'pending') + (SELECT count(*) FROM inbox WHERE id > (SELECT drained FROM inbox_cursor)),
		(SELECT count(*) FROM jobs WHERE status = 'dead'),
		(SELECT min(t) FROM (SELECT min(created_at) AS t FROM jobs WHERE status = 'pending'
			UNION ALL SELECT min(received_at) FROM inbox WHERE id > (SELECT drained FROM inbox_cursor)))`).
		Scan(&h.QueueDepth, &h.DeadLetters, &oldest)
	if err != nil {
		return nil, fmt.Errorf("sqlite: queue: %w", err)
	}
	if oldest.Valid && oldest.Int64 > 0 {
		h.Oldest = fromMS(oldest.Int64)
	}
	if err := h.tokens(ctx, db, box); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT token_id, team_id FROM command_tokens`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: command tokens: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, team string
		if err := rows.Scan(&id, &team); err != nil {
			return nil, err
		}
		h.CommandTeams[id] = team
	}
	return h, rows.Err()
}

func (h *Health) migrations(ctx context.Context, db *sql.DB) error {
	applied := map[string]bool{}
	rows, err := db.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil && !strings.Contains(err.Error(), "no such table") {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	if err == nil {
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			applied[n] = true
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, n := range names {
		if !applied[n] {
			h.Pending = append(h.Pending, path.Base(n))
		}
	}
	return nil
}

// tokens lists the stored tokens' scopes and opens one sealed value (the account token if there is one)
// to check the keys.
func (h *Health) tokens(ctx context.Context, db *sql.DB, box *seal.Box) error {
	rows, err := db.QueryContext(ctx, `SELECT owner, access, refresh, expiry, scope, zoom_user_id, zoom_email FROM tokens ORDER BY owner`)
	if err != nil {
		return fmt.Errorf("sqlite: tokens: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var owner, scope, zoomID, zoomEmail string
		var access, refresh []byte
		var expiry int64
		if err := rows.Scan(&owner, &access, &refresh, &expiry, &scope, &zoomID, &zoomEmail); err != nil {
			return err
		}
		o := meeting.Owner(owner)
		h.Tokens[o] = scope
		if h.SealedChecked && o != meeting.AccountOwner {
			continue
		}
		h.SealedChecked = true
		a, err := box.OpenField(seal.TokenAccess(string(o)), access)
		h.SealedOpen = err == nil
		if err != nil || o != meeting.AccountOwner {
			continue
		}
		t := &meeting.Token{AccessToken: string(a), Expiry: fromMS(expiry), Scope: scope, ZoomUserID: zoomID, ZoomEmail: zoomEmail}
		if len(refresh) > 0 {
			r, err := box.OpenField(seal.TokenRefresh(string(o)), refresh)
			if err != nil {
				h.SealedOpen = false
				continue
			}
			t.RefreshToken = string(r)
		}
		h.Account = t
	}
	return rows.Err()
}

// IsMissing says whether an Inspect error means the database file does not exist.
func IsMissing(err error) bool { return errors.Is(err, fs.ErrNotExist) }
