// Package sqlite is mmzoom's default store: one SQLite file (pure Go, modernc.org/sqlite) in WAL mode with
// embedded migrations. Secrets are sealed (package seal) before they reach the database.
//
// Durability: WAL with synchronous=NORMAL survives a killed process (every committed transaction is in the
// WAL file), but the last transactions before a power loss or OS crash may be lost.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"

	msqlite "modernc.org/sqlite" // also registers the "sqlite" driver (health.go)
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a meeting.Store on SQLite.
type Store struct {
	db  *sql.DB
	box *seal.Box
	now func() time.Time

	ops     chan writeOp // group-committed writes (see batch.go)
	quit    chan struct{}
	stopped chan struct{}
	// checkpointStopped is closed when the checkpointer (checkpoint.go) has returned.
	checkpointStopped chan struct{}

	replays replaySet // webhook requests received within nonceLife (see inbox.go)

	stmtInbox, stmtNonce, stmtJob, stmtJobCoalesce *sql.Stmt
}

var _ meeting.Store = (*Store)(nil)

// QueueLanes is how many jobs the queue processor applies at once on SQLite: side by side, their writes
// share the group commit's transactions (batch.go), and a burst of participant events was applied twice as
// fast as one job at a time, with 30 % less CPU per event (BENCHMARKS.md).
const QueueLanes = 16

// maxConns bounds the store's SQLite connections: the group commit's writer, the checkpointer, and readers.
const maxConns = 8

// Open opens (creating if needed) the database at path and applies pending migrations.
func Open(ctx context.Context, path string, box *seal.Box, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "foreign_keys(1)",
		"wal_autocheckpoint(0)"} {
		q.Add("_pragma", p)
	}
	// Write transactions take the write lock at BEGIN, so concurrent read-modify-write cannot deadlock.
	q.Set("_txlock", "immediate")
	// Connections keep their compiled statements (stmtcache.go).
	db := sql.OpenDB(&cachingConnector{dsn: "file:" + path + "?" + q.Encode(), drv: &msqlite.Driver{}})
	// A few connections, kept open. database/sql otherwise opens one per concurrent query and keeps two:
	// a burst of 1,000 starts had 884 SQLite connections open at once, each opened, given its own page
	// cache and compiled statements, and closed again after one query. SQLite runs on this process's CPUs,
	// so queries beyond a few per CPU only wait inside SQLite instead of in database/sql's queue. No store
	// method holds a connection while it asks for another, so the cap cannot deadlock.
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	s := &Store{db: db, box: box, now: now, ops: make(chan writeOp), quit: make(chan struct{}), stopped: make(chan struct{}),
		checkpointStopped: make(chan struct{})}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	var err error
	for _, p := range []struct {
		into **sql.Stmt
		sql  string
	}{{&s.stmtInbox, sqlInbox}, {&s.stmtNonce, sqlNonce}, {&s.stmtJob, sqlJob}, {&s.stmtJobCoalesce, sqlJobCoalesce}} {
		if *p.into, err = db.PrepareContext(ctx, p.sql); err != nil {
			db.Close()
			return nil, fmt.Errorf("sqlite: prepare: %w", err)
		}
	}
	// One process uses a SQLite store (several replicas need the PostgreSQL store): leases on jobs are what a
	// previous run of this process held when it stopped, so they are released at once.
	if _, err := db.ExecContext(ctx, `UPDATE jobs SET locked_until = 0 WHERE locked_until != 0`); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: releasing job leases: %w", err)
	}
	if err := s.loadReplays(ctx); err != nil {
		db.Close()
		return nil, err
	}
	go s.writer()
	go s.checkpointer()
	return s, nil
}

// Close stops the writer and closes the database.
func (s *Store) Close() error {
	select {
	case <-s.quit:
	default:
		close(s.quit)
		<-s.stopped
		<-s.checkpointStopped
	}
	return s.db.Close()
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := s.tx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil || n > 0 {
				return err
			}
			body, err := migrations.ReadFile(name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("applying %s: %w", name, err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, s.now().UnixMilli())
			return err
		}); err != nil {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
	}
	return nil
}

func (s *Store) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func notFound(what string) error {
	return &meeting.Error{Kind: meeting.KindNotFound, Err: errors.New("sqlite: no such " + what)}
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// Token returns owner's token, decrypted.
func (s *Store) Token(ctx context.Context, owner meeting.Owner) (*meeting.Token, error) {
	var access, refresh []byte
	var expiry int64
	var confirmed int
	t := &meeting.Token{}
	err := s.db.QueryRowContext(ctx, `SELECT access, refresh, expiry, scope, zoom_user_id, zoom_email, confirmed FROM tokens WHERE owner = ?`, string(owner)).
		Scan(&access, &refresh, &expiry, &t.Scope, &t.ZoomUserID, &t.ZoomEmail, &confirmed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("token")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: token: %w", err)
	}
	a, err := s.box.OpenField(seal.TokenAccess(string(owner)), access)
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening the access token of %s: %w", owner, err)
	}
	t.AccessToken = string(a)
	if t.RefreshToken, err = s.box.OpenOptional(seal.TokenRefresh(string(owner)), refresh); err != nil {
		return nil, fmt.Errorf("sqlite: opening the refresh token of %s: %w", owner, err)
	}
	t.Expiry, t.Confirmed = fromMS(expiry), confirmed == 1
	return t, nil
}

// SaveToken stores owner's token, sealed under the current key.
func (s *Store) SaveToken(ctx context.Context, owner meeting.Owner, t *meeting.Token) error {
	access, err := s.box.SealField(seal.TokenAccess(string(owner)), []byte(t.AccessToken))
	if err != nil {
		return err
	}
	refresh, err := s.box.SealOptional(seal.TokenRefresh(string(owner)), t.RefreshToken)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO tokens (owner, access, refresh, expiry, scope, zoom_user_id, zoom_email, confirmed, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (owner) DO UPDATE SET access = excluded.access, refresh = excluded.refresh, expiry = excluded.expiry,
			scope = excluded.scope, zoom_user_id = excluded.zoom_user_id, zoom_email = excluded.zoom_email,
			confirmed = excluded.confirmed, updated_at = excluded.updated_at`,
		string(owner), access, refresh, ms(t.Expiry), t.Scope, t.ZoomUserID, t.ZoomEmail, boolInt(t.Confirmed), s.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("sqlite: save token: %w", err)
	}
	return nil
}

// DeleteToken forgets owner's token; forgetting an absent token is not an error.
func (s *Store) DeleteToken(ctx context.Context, owner meeting.Owner) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM tokens WHERE owner = ?`, string(owner)); err != nil {
		return fmt.Errorf("sqlite: delete token: %w", err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SaveConnect stores a connect link's state.
func (s *Store) SaveConnect(ctx context.Context, c *meeting.ConnectState) error {
	verifier, err := s.box.SealOptional(seal.ConnectVerifier(c.ID), c.Verifier)
	if err != nil {
		return err
	}
	var pending []byte
	if c.Pending != nil {
		pending, _ = json.Marshal(c.Pending)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO connect_states (id, owner, user_id, browser_hash, verifier, expires, pending)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, user_id = excluded.user_id, browser_hash = excluded.browser_hash,
			verifier = excluded.verifier, expires = excluded.expires, pending = excluded.pending`,
		c.ID, string(c.Owner), c.UserID, c.BrowserHash, verifier, ms(c.Expires), nullString(pending))
	if err != nil {
		return fmt.Errorf("sqlite: save connect state: %w", err)
	}
	return nil
}

func nullString(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

const connectColumns = `id, owner, user_id, browser_hash, verifier, expires, pending`

func (s *Store) scanConnect(row interface{ Scan(...any) error }) (*meeting.ConnectState, error) {
	var c meeting.ConnectState
	var owner string
	var verifier []byte
	var expires int64
	var pending sql.NullString
	if err := row.Scan(&c.ID, &owner, &c.UserID, &c.BrowserHash, &verifier, &expires, &pending); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("connect state")
		}
		return nil, fmt.Errorf("sqlite: connect state: %w", err)
	}
	c.Owner, c.Expires = meeting.Owner(owner), fromMS(expires)
	var err error
	if c.Verifier, err = s.box.OpenOptional(seal.ConnectVerifier(c.ID), verifier); err != nil {
		return nil, fmt.Errorf("sqlite: opening a PKCE verifier: %w", err)
	}
	if pending.Valid {
		c.Pending = &meeting.StartRequest{}
		if err := json.Unmarshal([]byte(pending.String), c.Pending); err != nil {
			return nil, fmt.Errorf("sqlite: pending start: %w", err)
		}
	}
	return &c, nil
}

// Connect reads a connect state.
func (s *Store) Connect(ctx context.Context, id string) (*meeting.ConnectState, error) {
	return s.scanConnect(s.db.QueryRowContext(ctx, `SELECT `+connectColumns+` FROM connect_states WHERE id = ?`, id))
}

// TakeConnect reads and deletes a connect state in one statement: of two concurrent takes, one wins.
func (s *Store) TakeConnect(ctx context.Context, id string) (*meeting.ConnectState, error) {
	return s.scanConnect(s.db.QueryRowContext(ctx, `DELETE FROM connect_states WHERE id = ? RETURNING `+connectColumns, id))
}

const cardColumns = `id, post_id, channel_id, team_id, root_id, creator_id, creator_username, creator_locale, meeting_id, uuid,
	personal, topic, join_url, passcode, show_passcode, status, participants, created_at, started_at, ended_at, host_zoom_id, updated_at,
	recording_url, announced, updates_in_thread`

func (s *Store) cardArgs(c *meeting.Card) ([]any, error) {
	passcode, err := s.box.SealOptional(seal.CardPasscode(c.MeetingID), c.Passcode)
	if err != nil {
		return nil, err
	}
	return []any{c.PostID, c.ChannelID, c.TeamID, c.RootID, c.CreatorID, c.CreatorUsername, c.CreatorLocale, c.MeetingID,
		c.UUID, boolInt(c.Personal), c.Topic, c.JoinURL, passcode, boolInt(c.ShowPasscode), string(c.Status), c.Participants,
		ms(c.CreatedAt), ms(c.StartedAt), ms(c.EndedAt), c.HostZoomID, ms(c.UpdatedAt), c.RecordingURL, string(c.Announced), boolInt(c.UpdatesInThread)}, nil
}

// CreateCard stores a new card and sets its ID.
func (s *Store) CreateCard(ctx context.Context, c *meeting.Card) error {
	args, err := s.cardArgs(c)
	if err != nil {
		return err
	}
	// Through the group commit (batch.go): concurrent starts share a commit instead of queueing for the
	// write lock one by one.
	var id int64
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO cards (`+strings.TrimPrefix(cardColumns, "id, ")+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&id)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create card: %w", err)
	}
	c.ID = id
	return nil
}

// UpdateCard stores a card's new state.
func (s *Store) UpdateCard(ctx context.Context, c *meeting.Card) error {
	args, err := s.cardArgs(c)
	if err != nil {
		return err
	}
	// Through the group commit (batch.go), like CreateCard: applying an event shares commits with the
	// webhook deliveries being stored instead of competing with them for the write lock.
	var n int64
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cards SET post_id = ?, channel_id = ?, team_id = ?, root_id = ?, creator_id = ?,
		creator_username = ?, creator_locale = ?, meeting_id = ?, uuid = ?, personal = ?, topic = ?, join_url = ?, passcode = ?,
		show_passcode = ?, status = ?, participants = ?, created_at = ?, started_at = ?, ended_at = ?, host_zoom_id = ?,
		updated_at = ?, recording_url = ?, announced = ?, updates_in_thread = ? WHERE id = ?`, append(args, c.ID)...)
		n, err = rowsAffected(res, err)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: update card: %w", err)
	}
	if n == 0 {
		return notFound("card")
	}
	return nil
}

func (s *Store) scanCard(row interface{ Scan(...any) error }) (*meeting.Card, error) {
	var c meeting.Card
	var personal, show, inThread int
	var status, announced string
	var passcode []byte
	var created, started, ended, updated int64
	if err := row.Scan(&c.ID, &c.PostID, &c.ChannelID, &c.TeamID, &c.RootID, &c.CreatorID, &c.CreatorUsername, &c.CreatorLocale,
		&c.MeetingID, &c.UUID, &personal, &c.Topic, &c.JoinURL, &passcode, &show, &status, &c.Participants,
		&created, &started, &ended, &c.HostZoomID, &updated, &c.RecordingURL, &announced, &inThread); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("card")
		}
		return nil, fmt.Errorf("sqlite: card: %w", err)
	}
	var err error
	if c.Passcode, err = s.box.OpenOptional(seal.CardPasscode(c.MeetingID), passcode); err != nil {
		return nil, fmt.Errorf("sqlite: opening a card passcode: %w", err)
	}
	c.Personal, c.ShowPasscode, c.Status, c.Announced = personal == 1, show == 1, meeting.Status(status), meeting.Status(announced)
	c.UpdatesInThread = inThread == 1
	c.CreatedAt, c.StartedAt, c.EndedAt, c.UpdatedAt = fromMS(created), fromMS(started), fromMS(ended), fromMS(updated)
	return &c, nil
}

func (s *Store) cards(ctx context.Context, query string, args ...any) ([]*meeting.Card, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: cards: %w", err)
	}
	defer rows.Close()
	var out []*meeting.Card
	for rows.Next() {
		c, err := s.scanCard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Card returns one card.
func (s *Store) Card(ctx context.Context, id int64) (*meeting.Card, error) {
	return s.scanCard(s.db.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE id = ?`, id))
}

// OpenCards lists a channel's cards not ended and created at or after since, newest first.
func (s *Store) OpenCards(ctx context.Context, channelID string, since time.Time) ([]*meeting.Card, error) {
	return s.cards(ctx, `channel_id = ? AND status != ? AND created_at >= ? ORDER BY created_at DESC, id DESC`,
		channelID, string(meeting.StatusEnded), since.UnixMilli())
}

// CardsByMeeting lists the cards of a Zoom meeting id, newest first.
func (s *Store) CardsByMeeting(ctx context.Context, meetingID int64) ([]*meeting.Card, error) {
	return s.CardsByMeetings(ctx, []int64{meetingID})
}

// CardsByMeetings lists the cards of several Zoom meeting ids, each meeting's newest first.
func (s *Store) CardsByMeetings(ctx context.Context, meetingIDs []int64) ([]*meeting.Card, error) {
	if len(meetingIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(meetingIDs))
	for i, id := range meetingIDs {
		args[i] = id
	}
	in := strings.Repeat("?, ", len(meetingIDs)-1) + "?"
	return s.cards(ctx, `meeting_id IN (`+in+`) ORDER BY meeting_id, created_at DESC, id DESC`, args...)
}

// Settings returns a user's settings (an empty PMI preference when they never chose).
func (s *Store) Settings(ctx context.Context, userID string) (*meeting.UserSettings, error) {
	set := &meeting.UserSettings{UserID: userID}
	var pmi string
	err := s.db.QueryRowContext(ctx, `SELECT pmi FROM user_settings WHERE user_id = ?`, userID).Scan(&pmi)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: settings: %w", err)
	}
	set.PMI = meeting.PMIPreference(pmi)
	return set, nil
}

// SaveSettings stores a user's settings.
func (s *Store) SaveSettings(ctx context.Context, set *meeting.UserSettings) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO user_settings (user_id, pmi) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET pmi = excluded.pmi`, set.UserID, string(set.PMI))
	if err != nil {
		return fmt.Errorf("sqlite: save settings: %w", err)
	}
	return nil
}

// BindCommandToken binds a command token to the first team it is used from and returns the bound team.
func (s *Store) BindCommandToken(ctx context.Context, tokenID, teamID string) (string, error) {
	var team string
	// Every slash command asks, and a token is bound once: answering from a read (which WAL never blocks)
	// keeps concurrent commands from queueing for the write lock, where SQLite's busy handler sleeps.
	err := s.db.QueryRowContext(ctx, `SELECT team_id FROM command_tokens WHERE token_id = ?`, tokenID).Scan(&team)
	if err == nil {
		return team, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sqlite: bind command token: %w", err)
	}
	err = s.db.QueryRowContext(ctx, `INSERT INTO command_tokens (token_id, team_id, first_used_at) VALUES (?, ?, ?)
		ON CONFLICT (token_id) DO UPDATE SET token_id = token_id RETURNING team_id`, tokenID, teamID, s.now().UnixMilli()).Scan(&team)
	if err != nil {
		return "", fmt.Errorf("sqlite: bind command token: %w", err)
	}
	return team, nil
}

// UseNonce records a single-use nonce; a nonce seen before is refused.
func (s *Store) UseNonce(ctx context.Context, nonce string, expires time.Time) error {
	var used bool
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, s.stmtNonce).ExecContext(ctx, nonce, expires.UnixMilli())
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		used = n == 0
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: use nonce: %w", err)
	}
	if used {
		return &meeting.Error{Kind: meeting.KindActionInvalid, Err: errors.New("sqlite: nonce already used")}
	}
	return nil
}
