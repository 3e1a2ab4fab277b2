// Package pgtest gives tests a fresh PostgreSQL schema of their own in the test server that scripts/test (via
// scripts/with-postgres) starts and names in MMZOOM_TEST_POSTGRES.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN is the variable naming the test server (an administrative DSN; tests never write to its schema).
const EnvDSN = "MMZOOM_TEST_POSTGRES"

// DSN returns the DSN of a new, empty schema, dropped when t ends: each test sees only its own tables, and
// the DSN may be opened many times (several replicas). Without a test server the test is skipped, except
// under CI=true, where it fails: CI must never pass by skipping the PostgreSQL tests.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDSN)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set, and CI=true: run the tests through scripts/test (it starts PostgreSQL)", EnvDSN)
		}
		t.Skipf("no test PostgreSQL: %s is not set (scripts/test, or scripts/with-postgres go test ..., starts one)", EnvDSN)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s is not a URL", EnvDSN)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	exec(t, base, `CREATE SCHEMA `+schema)
	t.Cleanup(func() { exec(t, base, `DROP SCHEMA `+schema+` CASCADE`) })
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func exec(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting to the test PostgreSQL (%s): %v", EnvDSN, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
