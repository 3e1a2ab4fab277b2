package sqlite

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/seal"
)

func benchStore(b *testing.B) *Store {
	ks, _ := seal.GenerateKey()
	k, _ := seal.ParseKey(ks)
	box, _ := seal.NewBox(k)
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "mmzoom.db"), box, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkReceive is the store's share of webhook ingest: concurrent Receives (sealed, replay-checked,
// group-committed), without HTTP.
func BenchmarkReceive(b *testing.B) {
	s := benchStore(b)
	var seq atomic.Int64
	b.SetParallelism(16)
	b.ReportAllocs()
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

// BenchmarkDrain is the processor's side: moving received events into the queue (dedupe by key) and claiming
// them, as Due does. It must outpace ingest for a backlog to shrink.
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
		moved += len(jobs)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
