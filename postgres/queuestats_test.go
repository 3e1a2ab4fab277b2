package postgres

import (
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/storetest"
)

func TestQueueStatsContract(t *testing.T) {
	storetest.RunQueueStats(t, func(t *testing.T, now func() time.Time) storetest.StatsQueue { return openFresh(t, now) })
}
