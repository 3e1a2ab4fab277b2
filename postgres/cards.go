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
	return s.CardsByMeetings(ctx, []int64{meetingID})
}

// CardsByMeetings lists the cards of several Zoom meeting ids, each meeting's newest first.
func (s *Store) CardsByMeetings(ctx context.Context, meetingIDs []int64) ([]*meeting.Card, error) {
	return s.cards(ctx, `meeting_id = ANY($1) ORDER BY meeting_id, created_at DESC, id DESC`, meetingIDs)
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

// SetParticipants records participants' presence and counts who is in on each of their cards.
//
// One statement, so one round trip whatever the number of events: applying a burst of participant events
// on PostgreSQL is bound by round trips. The events are first reduced to the one that wins for each
// participant (meeting.LatestPresence), as an upsert may change a row once; the upsert then decides against
// what is recorded under each participant row's lock: ON CONFLICT DO UPDATE locks the row and evaluates its
// WHERE on the row's latest version, so concurrent events about one participant, from any replicas, are
// decided one after the other. Rows are taken in the order of card and key, so two such statements cannot
// wait for each other. A card's count moves by the presences the upsert turned over (flipped, migration 0005:
// RETURNING shows only the new row before PostgreSQL 18).
func (s *Store) SetParticipants(ctx context.Context, ps []meeting.Presence) (map[int64]meeting.Headcount, error) {
	latest := meeting.LatestPresence(ps)
	cards := make([]int64, len(latest))
	keys := make([]string, len(latest))
	present := make([]bool, len(latest))
	at := make([]int64, len(latest))
	for i, p := range latest {
		cards[i], keys[i], present[i], at[i] = p.CardID, p.Key, p.Present, p.At.UnixMilli()
	}
	rows, err := s.pool.Query(ctx, `WITH input AS (
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::boolean[], $4::bigint[]) WITH ORDINALITY
				AS i (card_id, key, present, at, n)
		), p AS (
			INSERT INTO card_participants AS p (card_id, key, present, at, flipped)
			SELECT card_id, key, present, at, present FROM input ORDER BY n
			ON CONFLICT (card_id, key) DO UPDATE SET present = excluded.present, at = excluded.at,
				flipped = p.present <> excluded.present
			WHERE excluded.at > p.at OR (excluded.at = p.at AND p.present AND NOT excluded.present)
			RETURNING card_id, present, flipped
		), moved AS (
			SELECT card_id, sum(CASE WHEN present THEN 1 ELSE -1 END) AS delta FROM p WHERE flipped GROUP BY card_id
		), c AS (
			INSERT INTO card_presence (card_id, present) SELECT card_id, delta FROM moved WHERE delta <> 0 ORDER BY card_id
			ON CONFLICT (card_id) DO UPDATE SET present = card_presence.present + excluded.present
			RETURNING card_id, present
		)
		SELECT i.card_id, coalesce(c.present, cp.present, 0), EXISTS (SELECT 1 FROM p WHERE p.card_id = i.card_id AND p.flipped)
		FROM (SELECT DISTINCT card_id FROM input) i
			LEFT JOIN c ON c.card_id = i.card_id
			LEFT JOIN card_presence cp ON cp.card_id = i.card_id`, cards, keys, present, at)
	if err != nil {
		return nil, fmt.Errorf("postgres: set participants: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]meeting.Headcount)
	for rows.Next() {
		var id int64
		var hc meeting.Headcount
		if err := rows.Scan(&id, &hc.In, &hc.Changed); err != nil {
			return nil, fmt.Errorf("postgres: set participants: %w", err)
		}
		out[id] = hc
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: set participants: %w", err)
	}
	return out, nil
}
