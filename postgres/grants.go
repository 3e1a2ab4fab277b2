package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mmzoom/mmzoom/meeting"
)

var _ meeting.GrantStore = (*Store)(nil)

const sqlGrant = `SELECT owner, zoom_user_id, zoom_email, client_id, last_used_at, updated_at FROM tokens`

func scanGrant(row pgx.Row) (meeting.Grant, error) {
	var g meeting.Grant
	var owner string
	var last, updated int64
	err := row.Scan(&owner, &g.ZoomUserID, &g.ZoomEmail, &g.ClientID, &last, &updated)
	g.Owner, g.LastUsed, g.Updated = meeting.Owner(owner), fromMS(last), fromMS(updated)
	return g, err
}

// Grants lists every stored token (never the token itself), by owner.
func (s *Store) Grants(ctx context.Context) ([]meeting.Grant, error) {
	rows, err := s.pool.Query(ctx, sqlGrant+` ORDER BY owner`)
	if err != nil {
		return nil, fmt.Errorf("postgres: grants: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (meeting.Grant, error) { return scanGrant(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: grants: %w", err)
	}
	return out, nil
}

// Grant returns owner's grant (KindNotFound without a token).
func (s *Store) Grant(ctx context.Context, owner meeting.Owner) (*meeting.Grant, error) {
	g, err := scanGrant(s.pool.QueryRow(ctx, sqlGrant+` WHERE owner = $1`, string(owner)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("token")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: grant: %w", err)
	}
	return &g, nil
}

// SetTokenClient records the Zoom app that issued owner's token.
func (s *Store) SetTokenClient(ctx context.Context, owner meeting.Owner, clientID string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE tokens SET client_id = $1 WHERE owner = $2`, clientID, string(owner)); err != nil {
		return fmt.Errorf("postgres: set token client: %w", err)
	}
	return nil
}

// TouchToken records the last use of owner's token.
func (s *Store) TouchToken(ctx context.Context, owner meeting.Owner, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE tokens SET last_used_at = $1 WHERE owner = $2`, ms(at), string(owner)); err != nil {
		return fmt.Errorf("postgres: touch token: %w", err)
	}
	return nil
}
