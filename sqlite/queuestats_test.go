package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/storetest"
)

func TestQueueStatsContract(t *testing.T) {
	storetest.RunQueueStats(t, func(t *testing.T, now func() time.Time) storetest.StatsQueue {
		s := openWith(t, filepath.Join(t.TempDir(), "mmzoom.db"), now, newKey(t))
		t.Cleanup(func() { s.Close() })
		return s
	})
}
