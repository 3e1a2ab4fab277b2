package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// serveDebug serves Go's profiler on addr until ctx ends, for an operator measuring mmzoom under load
// (`go tool pprof http://addr/debug/pprof/profile`). It listens apart from the public server and only
// when MMZOOM_DEBUG_ADDR is set: profiles show memory and timings no one outside should see, so the
// address should be a loopback one. The handlers are registered on a mux of its own, never on
// http.DefaultServeMux, so that importing pprof exposes nothing on the public listener.
func serveDebug(ctx context.Context, addr string, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	logger.Warn("serving the Go profiler (MMZOOM_DEBUG_ADDR): keep this address private", "addr", ln.Addr().String())
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
