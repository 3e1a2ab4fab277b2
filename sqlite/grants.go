package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
)

var _ meeting.GrantStore = (*Store)(nil)

const sqlGrant = `SELECT owner, zoom_user_id, zoom_email, client_id, last_used_at, updated_at FROM tokens`

func scanGrant(sc interface{ Scan(...any) error }) (meeting.Grant, error) {
	var g meeting.Grant
	var owner string
	var last, updated int64
	err := sc.Scan(&owner, &g.ZoomUserID, &g.ZoomEmail, &g.ClientID, &last, &updated)
	g.Owner, g.LastUsed, g.Updated = meeting.Owner(owner), fromMS(last), fromMS(updated)
	return g, err
}

// Grants lists every stored token (never the token itself), by owner.
func (s *Store) Grants(ctx context.Context) ([]meeting.Grant, error) {
	rows, err := s.db.QueryContext(ctx, sqlGrant+` ORDER BY owner`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: grants: %w", err)
	}
	defer rows.Close()
	var out []meeting.Grant
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: grants: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Grant returns owner's grant (KindNotFound without a token).
func (s *Store) Grant(ctx context.Context, owner meeting.Owner) (*meeting.Grant, error) {
	g, err := scanGrant(s.db.QueryRowContext(ctx, sqlGrant+` WHERE owner = ?`, string(owner)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("token")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: grant: %w", err)
	}
	return &g, nil
}

// SetTokenClient records the Zoom app that issued owner's token.
func (s *Store) SetTokenClient(ctx context.Context, owner meeting.Owner, clientID string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE tokens SET client_id = ? WHERE owner = ?`, clientID, string(owner)); err != nil {
		return fmt.Errorf("sqlite: set token client: %w", err)
	}
	return nil
}

// TouchToken records the last use of owner's token.
func (s *Store) TouchToken(ctx context.Context, owner meeting.Owner, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE owner = ?`, ms(at), string(owner)); err != nil {
		return fmt.Errorf("sqlite: touch token: %w", err)
	}
	return nil
}
