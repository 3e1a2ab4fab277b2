package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"

	msqlite "modernc.org/sqlite"
)

// The SQLite driver compiles a query's SQL each time it runs unless the caller prepared it first, and
// compiling costs more than running most of mmzoom's statements: under load (starts and webhooks
// applied together), SQLite's parser took a sixth of mmzoom's CPU. Preparing each statement by hand at
// every call site would touch all of the store; instead every connection keeps the statements it has
// compiled, keyed by their SQL, and database/sql reuses them through the ordinary ExecContext and
// QueryContext calls. Statements with bind parameters are the ones cached; a statement without
// parameters (migrations, pragmas, scripts of several statements) runs as before.

// maxCachedStmts bounds the statements one connection keeps compiled. mmzoom's SQL is a fixed set of
// strings (a few hundred at most); the bound only guards against SQL built with a varying shape.
const maxCachedStmts = 256

// cachingConnector opens modernc.org/sqlite connections that keep their compiled statements.
type cachingConnector struct {
	dsn string
	drv *msqlite.Driver
}

var _ driver.Connector = (*cachingConnector)(nil)

// Connect opens a connection.
func (c *cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(innerConn)
	if !ok {
		conn.Close()
		return nil, errors.New("sqlite: the driver's connection lacks the context methods mmzoom uses")
	}
	return &cachingConn{inner: inner, stmts: map[string]*cachedStmt{}}, nil
}

// Driver returns the underlying driver.
func (c *cachingConnector) Driver() driver.Driver { return c.drv }

// innerConn is what cachingConn needs of the driver's connection.
type innerConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn is a connection that keeps its compiled statements. database/sql uses a connection from
// one goroutine at a time, so the cache needs no lock.
type cachingConn struct {
	inner innerConn
	stmts map[string]*cachedStmt
}

var (
	_ driver.Conn               = (*cachingConn)(nil)
	_ driver.ConnPrepareContext = (*cachingConn)(nil)
	_ driver.ConnBeginTx        = (*cachingConn)(nil)
	_ driver.ExecerContext      = (*cachingConn)(nil)
	_ driver.Pinger             = (*cachingConn)(nil)
	_ driver.SessionResetter    = (*cachingConn)(nil)
	_ driver.Validator          = (*cachingConn)(nil)
)

// Prepare prepares query (database/sql uses PrepareContext).
func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext returns query's compiled statement, compiling it the first time. A statement still in use
// (rows of it open while the same SQL runs again on this connection) is not shared: the second use gets a
// statement of its own, closed after it.
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if s, ok := c.stmts[query]; ok && !s.busy {
		s.busy = true
		return s, nil
	}
	ds, err := c.inner.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st, ok := ds.(innerStmt)
	_, cached := c.stmts[query]
	if !ok || cached || len(c.stmts) >= maxCachedStmts || st.NumInput() == 0 {
		return ds, nil // used once, closed by database/sql as usual
	}
	s := &cachedStmt{inner: st, busy: true}
	c.stmts[query] = s
	return s, nil
}

// ExecContext runs a statement without parameters directly (it may be a script of several); one with
// parameters goes through PrepareContext, and so through the cache.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) > 0 {
		return nil, driver.ErrSkip
	}
	return c.inner.ExecContext(ctx, query, args)
}

// Begin starts a transaction (database/sql uses BeginTx).
func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.inner.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx starts a transaction.
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner.BeginTx(ctx, opts)
}

// Ping checks the connection.
func (c *cachingConn) Ping(ctx context.Context) error { return c.inner.Ping(ctx) }

// ResetSession is called before the connection is reused.
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.inner.ResetSession(ctx) }

// IsValid reports whether the connection may be reused.
func (c *cachingConn) IsValid() bool { return c.inner.IsValid() }

// Close finalizes the cached statements, then closes the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for q, s := range c.stmts {
		errs = append(errs, s.inner.Close())
		delete(c.stmts, q)
	}
	errs = append(errs, c.inner.Close())
	return errors.Join(errs...)
}

// innerStmt is what cachedStmt needs of the driver's statement.
type innerStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachedStmt is a compiled statement kept by its connection. database/sql closes a statement after each
// use; for a cached one that only makes it available again (the driver resets a statement after each
// execution, and when the rows of a query are closed, which database/sql does before closing the
// statement).
type cachedStmt struct {
	inner innerStmt
	busy  bool
}

var (
	_ driver.Stmt             = (*cachedStmt)(nil)
	_ driver.StmtExecContext  = (*cachedStmt)(nil)
	_ driver.StmtQueryContext = (*cachedStmt)(nil)
)

// Close makes the statement available to the next use of its SQL on this connection.
func (s *cachedStmt) Close() error {
	s.busy = false
	return nil
}

// NumInput is the statement's number of parameters.
func (s *cachedStmt) NumInput() int { return s.inner.NumInput() }

// Exec runs the statement (database/sql uses ExecContext).
func (s *cachedStmt) Exec(args []driver.Value) (driver.Result, error) { return s.inner.Exec(args) }

// Query runs the query (database/sql uses QueryContext).
func (s *cachedStmt) Query(args []driver.Value) (driver.Rows, error) { return s.inner.Query(args) }

// ExecContext runs the statement.
func (s *cachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.inner.ExecContext(ctx, args)
}

// QueryContext runs the query.
func (s *cachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.inner.QueryContext(ctx, args)
}
