package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/mmzoom/mmzoom/storetest"
)

func openPolicy(t *testing.T, now func() time.Time) storetest.PolicyAndGrantStore {
	s := openWith(t, filepath.Join(t.TempDir(), "mmzoom.db"), now, newKey(t))
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPolicyContract(t *testing.T) { storetest.RunPolicy(t, openPolicy) }

func TestGrantsContract(t *testing.T) { storetest.RunGrants(t, openPolicy) }
