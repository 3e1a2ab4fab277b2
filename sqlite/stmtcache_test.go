package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	msqlite "modernc.org/sqlite"
)

// Connections keep compiled statements; the same SQL run again while rows of it are still open (a query
// nested in the loop over another's rows, on one connection inside a transaction) must get its own
// statement and its own results, and a statement must give fresh results every time it is reused.
func TestCachedStatementsGiveTheirOwnResults(t *testing.T) {
	ctx := context.Background()
	db := sql.OpenDB(&cachingConnector{dsn: "file:" + filepath.Join(t.TempDir(), "c.db"), drv: &msqlite.Driver{}})
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')`); err != nil {
		t.Fatal(err)
	}
	const q = `SELECT v FROM t WHERE k >= ? ORDER BY k`
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, q, 2)
	if err != nil {
		t.Fatal(err)
	}
	var outer, inner []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		outer = append(outer, v)
		// The same SQL while the outer rows are open, on the transaction's one connection.
		if err := tx.QueryRowContext(ctx, q, 3).Scan(&v); err != nil {
			t.Fatal(err)
		}
		inner = append(inner, v)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if got := len(outer); got != 2 || outer[0] != "b" || outer[1] != "c" {
		t.Fatalf("outer rows %v, want [b c]", outer)
	}
	if inner[0] != "c" || inner[1] != "c" {
		t.Fatalf("nested rows %v, want [c c]", inner)
	}
	for _, c := range []struct {
		k    int
		want string
	}{{1, "a"}, {2, "b"}, {3, "c"}, {2, "b"}} {
		k, want := c.k, c.want
		var v string
		if err := tx.QueryRowContext(ctx, q, k).Scan(&v); err != nil || v != want {
			t.Fatalf("reused statement with %d: %q, %v; want %q", k, v, err, want)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE t SET v = ? WHERE k = ?`, want, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.QueryRowContext(ctx, q, 9).Scan(new(string)); err != sql.ErrNoRows {
		t.Fatalf("no row: got %v, want sql.ErrNoRows", err)
	}
}

// A cancelled context still stops a cached statement.
func TestCachedStatementsHonourCancellation(t *testing.T) {
	db := sql.OpenDB(&cachingConnector{dsn: "file:" + filepath.Join(t.TempDir(), "c.db"), drv: &msqlite.Driver{}})
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO t VALUES (?)`, 1); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.ExecContext(cancelled, `INSERT INTO t VALUES (?)`, 2); err == nil {
		t.Fatal("insert with a cancelled context succeeded")
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE k > ?`, 0).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows %d, %v; want 1", n, err)
	}
}
