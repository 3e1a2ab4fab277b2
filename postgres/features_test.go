package postgres

import (
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/storetest"
)

// The feature stores pass the same contract cases as SQLite's.

func TestPolicyContract(t *testing.T) {
	storetest.RunPolicy(t, func(t *testing.T, now func() time.Time) storetest.PolicyAndGrantStore { return openFresh(t, now) })
}

func TestGrantsContract(t *testing.T) {
	storetest.RunGrants(t, func(t *testing.T, now func() time.Time) storetest.PolicyAndGrantStore { return openFresh(t, now) })
}

func TestRepliesContract(t *testing.T) {
	storetest.RunReplies(t, func(t *testing.T, now func() time.Time) meeting.ReplyStore { return openFresh(t, now) })
}

func TestScheduleStoreContract(t *testing.T) {
	storetest.RunSchedules(t, func(t *testing.T, now func() time.Time) meeting.ScheduleStore { return openFresh(t, now) })
}
