package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// shutdownTimeout bounds each step of a graceful stop (in-flight requests, then background work). Orchestrators
// usually wait 30 s after SIGTERM before SIGKILL; the steps together stay within it in practice.
const shutdownTimeout = 20 * time.Second

// background runs the work that outlives a request (a slow /zoom start finishing through response_url) and
// lets the lifecycle wait for it before the store closes.
type background struct{ wg sync.WaitGroup }

// Go runs f in the background.
func (b *background) Go(f func()) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		f()
	}()
}

// Wait waits for the background work, or until ctx ends.
func (b *background) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return errors.New("background work still running at the end of the shutdown timeout")
	}
}

// intervals are how often the periodic work runs; zero turns a loop off (tests run the queue by hand).
type intervals struct {
	queue, reconcile, janitor time.Duration
}

// run owns everything mmzoom runs: the HTTP server on ln, the queue processor, the reconciliation of stale
// cards, the janitor and the background work of requests. It returns when ctx ends (SIGTERM, SIGINT) or the
// server fails, after stopping in this order:
//
//  1. stop accepting connections and let the requests in flight finish: a webhook being stored is stored
//     and Zoom hears 200, or it is not and Zoom delivers it again;
//  2. wait for the background work of finished requests (a start answering through response_url);
//  3. stop the loops: the queue finishes the job it is applying and starts no other.
//
// The store is closed by the caller, after run returned: nothing that could still write to it is running.
// A nil srv leaves serving to the caller, who stops it first (the demo world, whose server outlives an app
// a test replaces).
func (a *app) run(ctx context.Context, srv *http.Server, ln net.Listener, iv intervals, logger *slog.Logger) error {
	g, gctx := errgroup.WithContext(ctx)
	loops, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLoops()
	if srv != nil {
		g.Go(func() error {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
	}
	if iv.queue > 0 {
		g.Go(func() error { a.queue.Run(loops, iv.queue); return nil })
	}
	if iv.reconcile > 0 {
		g.Go(func() error { a.svc.RunReconcile(loops, iv.reconcile); return nil })
	}
	if iv.janitor > 0 {
		g.Go(func() error { a.svc.RunJanitor(loops, iv.janitor); return nil })
	}
	g.Go(func() error {
		<-gctx.Done() // a signal, or the server failed
		defer stopLoops()
		if srv != nil {
			logger.Info("mmzoom stopping: no new connections; finishing the requests in flight")
			sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				logger.Warn("requests still running at the end of the shutdown timeout", "err", err)
			}
		}
		bctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := a.bg.Wait(bctx); err != nil {
			logger.Warn("stopping with work in flight", "err", err)
		}
		logger.Info("requests done; stopping the queue after the job in hand")
		return nil
	})
	err := g.Wait()
	logger.Info("mmzoom stopped; closing the database")
	return err
}
