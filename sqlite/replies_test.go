package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/meeting"
	"github.com/mmzoom/mmzoom/storetest"
)

func TestReplyStoreContract(t *testing.T) {
	storetest.RunReplies(t, func(t *testing.T, now func() time.Time) meeting.ReplyStore {
		s := openWith(t, filepath.Join(t.TempDir(), "mmzoom.db"), now, newKey(t))
		t.Cleanup(func() { s.Close() })
		return s
	})
}
