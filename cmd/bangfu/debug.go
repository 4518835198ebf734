package main

import (
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// startDebug serves Go's profiler (net/http/pprof) on DEBUG_ADDR when that
// is set, e.g. DEBUG_ADDR=127.0.0.1:6060 for `go tool pprof
// http://127.0.0.1:6060/debug/pprof/profile?seconds=20` during a load test.
// It is a separate listener, never the application's address: keep it on
// the loopback interface.
func startDebug(log *slog.Logger) {
	addr := os.Getenv("DEBUG_ADDR")
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil {
			log.Error("debug listener", "addr", addr, "err", err)
		}
	}()
	log.Info("profiler listening", "addr", addr)
}
