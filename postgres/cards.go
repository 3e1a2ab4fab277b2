package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/seal"
)

const cardColumns = `id, post_id, channel_id, team_id, root_id, creator_id, creator_username, creator_locale, meeting_id, uuid,
	personal, topic, join_url, passcode, show_passcode, status, participants, created_at, started_at, ended_at, host_zoom_id, updated_at,
	recording_url, announced, updates_in_thread`

func (s *Store) cardArgs(c *meeting.Card) ([]any, error) {
	passcode, err := s.box.SealOptional(seal.CardPasscode(c.MeetingID), c.Passcode)
	if err != nil {
		return nil, err
	}
	return []any{c.PostID, c.ChannelID, c.TeamID, c.RootID, c.CreatorID, c.CreatorUsername, c.CreatorLocale, c.MeetingID,
		c.UUID, c.Personal, c.Topic, c.JoinURL, passcode, c.ShowPasscode, string(c.Status), c.Participants,
		ms(c.CreatedAt), ms(c.StartedAt), ms(c.EndedAt), c.HostZoomID, ms(c.UpdatedAt), c.RecordingURL, string(c.Announced), c.UpdatesInThread}, nil
}

// CreateCard stores a new card and sets its ID.
func (s *Store) CreateCard(ctx context.Context, c *meeting.Card) error {
	args, err := s.cardArgs(c)
	if err != nil {
		return err
	}
	err = s.pool.QueryRow(ctx, `INSERT INTO cards (`+strings.TrimPrefix(cardColumns, "id, ")+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
		RETURNING id`, args...).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("postgres: create card: %w", err)
	}
	return nil
}

// UpdateCard stores a card's new state. Every read-modify-write of a card runs under its meeting's lock
// (Store.LockMeeting), which every replica takes, so two replicas never interleave theirs.
func (s *Store) UpdateCard(ctx context.Context, c *meeting.Card) error {
	args, err := s.cardArgs(c)
	if err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `UPDATE cards SET post_id = $1, channel_id = $2, team_id = $3, root_id = $4, creator_id = $5,
		creator_username = $6, creator_locale = $7, meeting_id = $8, uuid = $9, personal = $10, topic = $11, join_url = $12,
		passcode = $13, show_passcode = $14, status = $15, participants = $16, created_at = $17, started_at = $18, ended_at = $19,
		host_zoom_id = $20, updated_at = $21, recording_url = $22, announced = $23, updates_in_thread = $24 WHERE id = $25`,
		append(args, c.ID)...)
	if err != nil {
		return fmt.Errorf("postgres: update card: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("card")
	}
	return nil
}

func (s *Store) scanCard(row pgx.Row) (*meeting.Card, error) {
	var c meeting.Card
	var status, announced string
	var passcode []byte
	var created, started, ended, updated int64
	if err := row.Scan(&c.ID, &c.PostID, &c.ChannelID, &c.TeamID, &c.RootID, &c.CreatorID, &c.CreatorUsername, &c.CreatorLocale,
		&c.MeetingID, &c.UUID, &c.Personal, &c.Topic, &c.JoinURL, &passcode, &c.ShowPasscode, &status, &c.Participants,
		&created, &started, &ended, &c.HostZoomID, &updated, &c.RecordingURL, &announced, &c.UpdatesInThread); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFound("card")
		}
		return nil, fmt.Errorf("postgres: card: %w", err)
	}
	var err error
	if c.Passcode, err = s.box.OpenOptional(seal.CardPasscode(c.MeetingID), passcode); err != nil {
		return nil, fmt.Errorf("postgres: opening a card passcode: %w", err)
	}
	c.Status, c.Announced = meeting.Status(status), meeting.Status(announced)
	c.CreatedAt, c.StartedAt, c.EndedAt, c.UpdatedAt = fromMS(created), fromMS(started), fromMS(ended), fromMS(updated)
	return &c, nil
}

func (s *Store) cards(ctx context.Context, query string, args ...any) ([]*meeting.Card, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+cardColumns+` FROM cards WHERE `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: cards: %w", err)
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
	return s.scanCard(s.pool.QueryRow(ctx, `SELECT `+cardColumns+` FROM cards WHERE id = $1`, id))
}

// OpenCards lists a channel's cards not ended and created at or after since, newest first.
func (s *Store) OpenCards(ctx context.Context, channelID string, since time.Time) ([]*meeting.Card, error) {
	return s.cards(ctx, `channel_id = $1 AND status <> $2 AND created_at >= $3 ORDER BY created_at DESC, id DESC`,
		channelID, string(meeting.StatusEnded), since.UnixMilli())
}

// CardsByMeeting lists the cards of a Zoom meeting id, newest first.
func (s *Store) CardsByMeeting(ctx context.Context, meetingID int64) ([]*meeting.Card, error) {
	return s.cards(ctx, `meeting_id = $1 ORDER BY created_at DESC, id DESC`, meetingID)
}

// StaleCards lists cards not ended and not updated since before, oldest first.
func (s *Store) StaleCards(ctx context.Context, before time.Time, limit int) ([]*meeting.Card, error) {
	return s.cards(ctx, `status NOT IN ($1, $2) AND updated_at < $3 ORDER BY updated_at, id LIMIT $4`, string(meeting.StatusEnded),
		string(meeting.StatusCancelled), before.UnixMilli(), limit)
}

// MarkAnnounced records which status a card's channel has been shown.
func (s *Store) MarkAnnounced(ctx context.Context, cardID int64, st meeting.Status) error {
	if _, err := s.pool.Exec(ctx, `UPDATE cards SET announced = $1 WHERE id = $2`, string(st), cardID); err != nil {
		return fmt.Errorf("postgres: mark announced: %w", err)
	}
	return nil
}

// SetParticipant records a participant's presence as of at (the latest event wins) and counts who is in.
//
// One statement, so one round trip: applying a burst of participant events on PostgreSQL is bound by round
// trips, and this one was six (begin, make the row, lock it, update it, count, commit). The upsert decides
// under the participant row's lock: ON CONFLICT DO UPDATE locks the row and evaluates its WHERE on the row's
// latest version, so concurrent events about one participant, from any replicas, are decided one after the
// other. The latest event wins, so a leave delivered before its join does not leave a ghost; a join and a
// leave stamped the same instant mean the participant came and went. The count moves only when the upsert
// turned the presence over (flipped, migration 0005).
func (s *Store) SetParticipant(ctx context.Context, cardID int64, key string, present bool, at time.Time) (int, bool, error) {
	var n int
	var changed bool
	err := s.pool.QueryRow(ctx, `WITH p AS (
			INSERT INTO card_participants AS p (card_id, key, present, at, flipped) VALUES ($1, $2, $3, $4, $3)
			ON CONFLICT (card_id, key) DO UPDATE SET present = excluded.present, at = excluded.at,
				flipped = p.present <> excluded.present
			WHERE excluded.at > p.at OR (excluded.at = p.at AND NOT excluded.present)
			RETURNING flipped
		), c AS (
			INSERT INTO card_presence (card_id, present)
			SELECT $1, CASE WHEN $3 THEN 1 ELSE -1 END FROM p WHERE flipped
			ON CONFLICT (card_id) DO UPDATE SET present = card_presence.present + excluded.present
			RETURNING present
		)
		SELECT coalesce((SELECT flipped FROM p), false),
			coalesce((SELECT present FROM c), (SELECT present FROM card_presence WHERE card_id = $1), 0)`,
		cardID, key, present, at.UnixMilli()).Scan(&changed, &n)
	if err != nil {
		return 0, false, fmt.Errorf("postgres: set participant: %w", err)
	}
	return n, changed, nil
}
