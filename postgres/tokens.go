package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
)

// tokens reads and writes Zoom tokens on a pool or inside a transaction (LockToken's).
type tokens struct {
	db  dbtx
	box *seal.Box
	now func() time.Time
}

var _ meeting.Tokens = tokens{}

func (s *Store) tokens() tokens { return tokens{s.pool, s.box, s.now} }

// Token returns owner's token, decrypted.
func (s *Store) Token(ctx context.Context, owner meeting.Owner) (*meeting.Token, error) {
	return s.tokens().Token(ctx, owner)
}

// SaveToken stores owner's token, sealed under the current key.
func (s *Store) SaveToken(ctx context.Context, owner meeting.Owner, t *meeting.Token) error {
	return s.tokens().SaveToken(ctx, owner, t)
}

// DeleteToken forgets owner's token; forgetting an absent token is not an error.
func (s *Store) DeleteToken(ctx context.Context, owner meeting.Owner) error {
	return s.tokens().DeleteToken(ctx, owner)
}

func (d tokens) Token(ctx context.Context, owner meeting.Owner) (*meeting.Token, error) {
	var access, refresh []byte
	var expiry int64
	t := &meeting.Token{}
	err := d.db.QueryRow(ctx, `SELECT access, refresh, expiry, scope, zoom_user_id, zoom_email, confirmed FROM tokens WHERE owner = $1`, string(owner)).
		Scan(&access, &refresh, &expiry, &t.Scope, &t.ZoomUserID, &t.ZoomEmail, &t.Confirmed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("token")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: token: %w", err)
	}
	a, err := d.box.OpenField(seal.TokenAccess(string(owner)), access)
	if err != nil {
		return nil, fmt.Errorf("postgres: opening the access token of %s: %w", owner, err)
	}
	t.AccessToken = string(a)
	if t.RefreshToken, err = d.box.OpenOptional(seal.TokenRefresh(string(owner)), refresh); err != nil {
		return nil, fmt.Errorf("postgres: opening the refresh token of %s: %w", owner, err)
	}
	t.Expiry = fromMS(expiry)
	return t, nil
}

func (d tokens) SaveToken(ctx context.Context, owner meeting.Owner, t *meeting.Token) error {
	access, err := d.box.SealField(seal.TokenAccess(string(owner)), []byte(t.AccessToken))
	if err != nil {
		return err
	}
	refresh, err := d.box.SealOptional(seal.TokenRefresh(string(owner)), t.RefreshToken)
	if err != nil {
		return err
	}
	_, err = d.db.Exec(ctx, `INSERT INTO tokens (owner, access, refresh, expiry, scope, zoom_user_id, zoom_email, confirmed, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (owner) DO UPDATE SET access = excluded.access, refresh = excluded.refresh, expiry = excluded.expiry,
			scope = excluded.scope, zoom_user_id = excluded.zoom_user_id, zoom_email = excluded.zoom_email,
			confirmed = excluded.confirmed, updated_at = excluded.updated_at`,
		string(owner), access, refresh, ms(t.Expiry), t.Scope, t.ZoomUserID, t.ZoomEmail, t.Confirmed, d.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("postgres: save token: %w", err)
	}
	return nil
}

func (d tokens) DeleteToken(ctx context.Context, owner meeting.Owner) error {
	if _, err := d.db.Exec(ctx, `DELETE FROM tokens WHERE owner = $1`, string(owner)); err != nil {
		return fmt.Errorf("postgres: delete token: %w", err)
	}
	return nil
}

// TokenOwners lists the owners of a Zoom user's tokens.
func (s *Store) TokenOwners(ctx context.Context, zoomUserID string) ([]meeting.Owner, error) {
	rows, err := s.pool.Query(ctx, `SELECT owner FROM tokens WHERE zoom_user_id = $1`, zoomUserID)
	if err != nil {
		return nil, fmt.Errorf("postgres: token owners: %w", err)
	}
	owners, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: token owners: %w", err)
	}
	out := make([]meeting.Owner, len(owners))
	for i, o := range owners {
		out[i] = meeting.Owner(o)
	}
	return out, nil
}

// SaveConnect stores a connect link's state.
func (s *Store) SaveConnect(ctx context.Context, c *meeting.ConnectState) error {
	verifier, err := s.box.SealOptional(seal.ConnectVerifier(c.ID), c.Verifier)
	if err != nil {
		return err
	}
	var pending *string
	if c.Pending != nil {
		b, _ := json.Marshal(c.Pending)
		p := string(b)
		pending = &p
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO connect_states (id, owner, user_id, browser_hash, verifier, expires, pending)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, user_id = excluded.user_id, browser_hash = excluded.browser_hash,
			verifier = excluded.verifier, expires = excluded.expires, pending = excluded.pending`,
		c.ID, string(c.Owner), c.UserID, c.BrowserHash, verifier, ms(c.Expires), pending)
	if err != nil {
		return fmt.Errorf("postgres: save connect state: %w", err)
	}
	return nil
}

const connectColumns = `id, owner, user_id, browser_hash, verifier, expires, pending`

func (s *Store) scanConnect(row pgx.Row) (*meeting.ConnectState, error) {
	var c meeting.ConnectState
	var owner string
	var verifier []byte
	var expires int64
	var pending *string
	if err := row.Scan(&c.ID, &owner, &c.UserID, &c.BrowserHash, &verifier, &expires, &pending); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFound("connect state")
		}
		return nil, fmt.Errorf("postgres: connect state: %w", err)
	}
	c.Owner, c.Expires = meeting.Owner(owner), fromMS(expires)
	var err error
	if c.Verifier, err = s.box.OpenOptional(seal.ConnectVerifier(c.ID), verifier); err != nil {
		return nil, fmt.Errorf("postgres: opening a PKCE verifier: %w", err)
	}
	if pending != nil {
		c.Pending = &meeting.StartRequest{}
		if err := json.Unmarshal([]byte(*pending), c.Pending); err != nil {
			return nil, fmt.Errorf("postgres: pending start: %w", err)
		}
	}
	return &c, nil
}

// Connect reads a connect state.
func (s *Store) Connect(ctx context.Context, id string) (*meeting.ConnectState, error) {
	return s.scanConnect(s.pool.QueryRow(ctx, `SELECT `+connectColumns+` FROM connect_states WHERE id = $1`, id))
}

// TakeConnect reads and deletes a connect state in one statement: of two takes, from any replicas, one wins.
func (s *Store) TakeConnect(ctx context.Context, id string) (*meeting.ConnectState, error) {
	return s.scanConnect(s.pool.QueryRow(ctx, `DELETE FROM connect_states WHERE id = $1 RETURNING `+connectColumns, id))
}

// Settings returns a user's settings (an empty PMI preference when they never chose).
func (s *Store) Settings(ctx context.Context, userID string) (*meeting.UserSettings, error) {
	set := &meeting.UserSettings{UserID: userID}
	var pmi string
	err := s.pool.QueryRow(ctx, `SELECT pmi FROM user_settings WHERE user_id = $1`, userID).Scan(&pmi)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: settings: %w", err)
	}
	set.PMI = meeting.PMIPreference(pmi)
	return set, nil
}

// SaveSettings stores a user's settings.
func (s *Store) SaveSettings(ctx context.Context, set *meeting.UserSettings) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO user_settings (user_id, pmi) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET pmi = excluded.pmi`, set.UserID, string(set.PMI))
	if err != nil {
		return fmt.Errorf("postgres: save settings: %w", err)
	}
	return nil
}

// BindCommandToken binds a command token to the first team it is used from, whichever replica saw it, and
// returns the bound team.
func (s *Store) BindCommandToken(ctx context.Context, tokenID, teamID string) (string, error) {
	var team string
	// DO UPDATE (a no-op) rather than DO NOTHING, so that RETURNING gives the bound team in both cases; a
	// concurrent insert of the same token waits for the first to commit, then takes this branch.
	err := s.pool.QueryRow(ctx, `INSERT INTO command_tokens (token_id, team_id, first_used_at) VALUES ($1, $2, $3)
		ON CONFLICT (token_id) DO UPDATE SET token_id = command_tokens.token_id RETURNING team_id`,
		tokenID, teamID, s.now().UnixMilli()).Scan(&team)
	if err != nil {
		return "", fmt.Errorf("postgres: bind command token: %w", err)
	}
	return team, nil
}

// UseNonce records a single-use nonce; a nonce seen before, by any replica, is refused.
func (s *Store) UseNonce(ctx context.Context, nonce string, expires time.Time) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO nonces (nonce, expires) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING`,
		nonce, expires.UnixMilli())
	if err != nil {
		return fmt.Errorf("postgres: use nonce: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return &meeting.Error{Kind: meeting.KindActionInvalid, Err: errors.New("postgres: nonce already used")}
	}
	return nil
}
