package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mmzoom/mmzoom/meeting"
)

var _ meeting.ScheduleStore = (*Store)(nil)

const scheduleColumns = `id, card_id, meeting_id, channel_id, creator_id, subscription, cancelled, data, updated_at`

// SaveSchedule inserts (ID 0; sets ID) or updates a schedule.
func (s *Store) SaveSchedule(ctx context.Context, sc *meeting.Schedule) error {
	data, err := sc.MarshalDocument()
	if err != nil {
		return err
	}
	first, last := sc.StartSpan()
	args := []any{sc.CardID, sc.MeetingID, sc.ChannelID, sc.CreatorID, sc.Subscription, sc.Cancelled, first, last, string(data), ms(sc.UpdatedAt)}
	if sc.ID == 0 {
		err = s.pool.QueryRow(ctx, `INSERT INTO schedules (card_id, meeting_id, channel_id, creator_id, subscription, cancelled,
			first_start, last_start, data, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, args...).Scan(&sc.ID)
	} else {
		tag, uerr := s.pool.Exec(ctx, `UPDATE schedules SET card_id = $1, meeting_id = $2, channel_id = $3, creator_id = $4,
			subscription = $5, cancelled = $6, first_start = $7, last_start = $8, data = $9, updated_at = $10 WHERE id = $11`, append(args, sc.ID)...)
		if err = uerr; err == nil && tag.RowsAffected() == 0 {
			return notFound("schedule")
		}
	}
	if err != nil {
		return fmt.Errorf("postgres: save schedule: %w", err)
	}
	return nil
}

func scanSchedule(row pgx.Row) (*meeting.Schedule, error) {
	var sc meeting.Schedule
	var data []byte
	var updated int64
	if err := row.Scan(&sc.ID, &sc.CardID, &sc.MeetingID, &sc.ChannelID, &sc.CreatorID, &sc.Subscription, &sc.Cancelled, &data, &updated); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFound("schedule")
		}
		return nil, fmt.Errorf("postgres: schedule: %w", err)
	}
	if err := sc.UnmarshalDocument(data); err != nil {
		return nil, fmt.Errorf("postgres: schedule %d: %w", sc.ID, err)
	}
	sc.UpdatedAt = fromMS(updated)
	return &sc, nil
}

func (s *Store) schedules(ctx context.Context, where string, args ...any) ([]*meeting.Schedule, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: schedules: %w", err)
	}
	defer rows.Close()
	var out []*meeting.Schedule
	for rows.Next() {
		sc, err := scanSchedule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// Schedule returns one schedule.
func (s *Store) Schedule(ctx context.Context, id int64) (*meeting.Schedule, error) {
	return scanSchedule(s.pool.QueryRow(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE id = $1`, id))
}

// ScheduleByCard returns the schedule a scheduled card shows.
func (s *Store) ScheduleByCard(ctx context.Context, cardID int64) (*meeting.Schedule, error) {
	if cardID == 0 {
		return nil, notFound("schedule")
	}
	return scanSchedule(s.pool.QueryRow(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE card_id = $1 ORDER BY id LIMIT 1`, cardID))
}

// SchedulesByMeeting lists a meeting's schedules and subscriptions.
func (s *Store) SchedulesByMeeting(ctx context.Context, meetingID int64) ([]*meeting.Schedule, error) {
	return s.schedules(ctx, `meeting_id = $1 ORDER BY id`, meetingID)
}

// UpcomingSchedules lists the schedules of a channel or a creator, not cancelled, with an occurrence
// starting in [from, to) (the occurrences themselves are checked by the caller).
func (s *Store) UpcomingSchedules(ctx context.Context, channelID, creatorID string, from, to time.Time) ([]*meeting.Schedule, error) {
	col, v := "channel_id", channelID
	if creatorID != "" {
		col, v = "creator_id", creatorID
	}
	// last_start is compared a day early: an occurrence that started may not have ended yet.
	return s.schedules(ctx, col+` = $1 AND NOT cancelled AND NOT subscription AND last_start >= $2 AND first_start < $3 ORDER BY first_start, id`,
		v, from.Add(-24*time.Hour).UnixMilli(), to.UnixMilli())
}

// Subscriptions lists a channel's subscriptions.
func (s *Store) Subscriptions(ctx context.Context, channelID string) ([]*meeting.Schedule, error) {
	return s.schedules(ctx, `channel_id = $1 AND subscription ORDER BY id`, channelID)
}

// DeleteSchedule removes a schedule.
func (s *Store) DeleteSchedule(ctx context.Context, id int64) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM schedules WHERE id = $1`, id); err != nil {
		return fmt.Errorf("postgres: delete schedule: %w", err)
	}
	return nil
}
