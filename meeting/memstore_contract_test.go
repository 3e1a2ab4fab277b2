package meeting_test

import (
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/storetest"
)

// The domain tests' in-memory store behaves as SQLite and PostgreSQL do, or the domain tests would prove
// nothing about them.
func TestMemStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, _ func() time.Time) meeting.Store { return meeting.NewMemStore() })
}
