package postgres

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/postgres/pgtest"
)

// received is a webhook's event job, as Service.Ingest makes it.
func received(i int) *meeting.Job {
	e := meeting.Event{Type: meeting.EventParticipantJoined, MeetingID: int64(81000000000 + i%100), UUID: "u" + strconv.Itoa(i%100) + "==",
		Participant: "p" + strconv.Itoa(i), At: time.UnixMilli(int64(i))}
	return &meeting.Job{Key: e.DedupeKey(), Kind: meeting.JobEvent, Event: &e, Nonce: "sig-" + strconv.Itoa(i), NotBefore: time.Now(), CreatedAt: time.Now()}
}

func benchStore(b *testing.B) *Store {
	s, err := Open(context.Background(), pgtest.DSN(b), newBoxB(b), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkReceive is the store's share of webhook ingest: concurrent Receives (sealed, replay-checked by
// the inbox's unique nonce, one commit each), without HTTP.
func BenchmarkReceive(b *testing.B) {
	s := benchStore(b)
	var seq atomic.Int64
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.Receive(context.Background(), received(int(seq.Add(1)))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDrain is the processor's side: moving received events into jobs, claiming them (Due) and
// completing each. (scripts/with-postgres runs the server with fsync off: absolute numbers flatter a real
// server's; compare runs on one server.)
func BenchmarkDrain(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for i := range b.N {
		if err := s.Receive(ctx, received(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	moved := 0
	for moved < b.N {
		jobs, err := s.Due(ctx, time.Now(), drainBatch, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		if len(jobs) == 0 {
			b.Fatalf("moved %d of %d", moved, b.N)
		}
		for _, j := range jobs {
			_ = s.Complete(ctx, j)
		}
		moved += len(jobs)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
