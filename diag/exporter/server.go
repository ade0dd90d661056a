package exporter

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"

	"netdiag/diag/exitcode"
)

// shutdownGrace is how long a shutdown waits for requests under way
// before it closes their connections.
const shutdownGrace = 500 * time.Millisecond

// Run runs the exporter until ctx is cancelled (SIGINT, SIGTERM): it loads
// the configuration, starts the probes, serves HTTP on opt.Listen, reloads
// on SIGHUP and POST /-/reload, and logs to logw. A bad configuration or
// flag is a usage error (exit 2), a listen address in use a system error;
// a clean shutdown returns nil.
func Run(ctx context.Context, opt Options, logw io.Writer) error {
	log := newLogger(logw, opt)
	e := newExporter(ctx, opt, log)
	if opt.WebConfigFile != "" {
		if err := web.Validate(opt.WebConfigFile); err != nil {
			return exitcode.Usagef("--web-config %s: %v", opt.WebConfigFile, err)
		}
	}
	ln, err := net.Listen("tcp", opt.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", opt.Listen, err)
	}
	var ce *ConfigError
	if err := e.first(ctx); err != nil {
		ln.Close()
		if errors.As(err, &ce) {
			return exitcode.Usage(err)
		}
		return err
	}
	defer e.shutdown()
	srv := &http.Server{Handler: e.handler(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx },
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	webFlags := &web.FlagConfig{WebListenAddresses: &[]string{opt.Listen}, WebSystemdSocket: new(bool), WebConfigFile: &opt.WebConfigFile}
	go func() { served <- web.Serve(ln, srv, webFlags, log) }()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-hup:
			e.Reload(ctx)
			continue
		case err := <-served:
			return fmt.Errorf("serving HTTP: %w", err)
		case <-ctx.Done():
		}
		break
	}
	start := time.Now()
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	<-served
	e.shutdown()
	log.Info("shut down cleanly", "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// newLogger returns the structured logger: logfmt-style text, or JSON
// lines with --json, whose kind is "type":"log" as every command's JSON
// lines name theirs.
func newLogger(w io.Writer, opt Options) *slog.Logger {
	ho := &slog.HandlerOptions{Level: opt.LogLevel}
	if opt.LogJSON {
		return slog.New(slog.NewJSONHandler(w, ho)).With("type", "log")
	}
	return slog.New(slog.NewTextHandler(w, ho))
}

// handler routes the exporter's HTTP endpoints.
func (e *Exporter) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.InstrumentMetricHandler(e.reg,
		promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(e.log.Handler(), slog.LevelError)})))
	mux.HandleFunc("GET /probe", e.serveProbe)
	mux.HandleFunc("/-/reload", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "This endpoint requires a POST request.", http.StatusMethodNotAllowed)
			return
		}
		if err := e.Reload(r.Context()); err != nil {
			http.Error(w, "Failed to reload config: "+err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "reloaded")
	})
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "Healthy") })
	mux.HandleFunc("GET /{$}", e.serveRoot)
	return mux
}

// rootPage lists the targets with their loss and latency of late.
var rootPage = template.Must(template.New("root").Funcs(template.FuncMap{
	"ms": func(d time.Duration) string {
		if d == 0 {
			return "–"
		}
		return fmt.Sprintf("%.3f", float64(d.Microseconds())/1000)
	},
	"labels": func(m map[string]string) string {
		var s []string
		for k, v := range m {
			s = append(s, k+"="+v)
		}
		slices.Sort(s)
		return strings.Join(s, " ")
	},
}).Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>netdiag exporter</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left;border-bottom:1px solid #ddd}td.n{text-align:right}</style>
</head><body>
<h1>netdiag exporter</h1>
<p><a href="metrics">Metrics</a> · <a href="probe?module=icmp&amp;target=127.0.0.1">Probe 127.0.0.1 (icmp)</a> · <a href="-/healthy">Health</a></p>
<p>{{len .List}} targets. Loss is over each target's latest {{.Recent}} probes; latency is the last answer's and a moving average.</p>
<table><tr><th>module</th><th>host</th><th>ip</th><th>port</th><th>labels</th><th>requests</th><th>loss %</th><th>last ms</th><th>avg ms</th></tr>
{{range .List}}<tr><td>{{.Module}}</td><td>{{.Host}}</td><td>{{.Addr}}</td><td>{{if .Port}}{{.Port}}{{end}}</td><td>{{labels .Labels}}</td>
<td class="n">{{.Requests}}</td><td class="n">{{if .Recent}}{{printf "%.1f" .Loss}}{{else}}–{{end}}</td><td class="n">{{ms .LastRTT}}</td><td class="n">{{ms .AvgRTT}}</td></tr>
{{end}}</table></body></html>
`))

// rootData is what the root page shows.
type rootData struct {
	List   []Status
	Recent int
}

// serveRoot shows the root page.
func (e *Exporter) serveRoot(w http.ResponseWriter, r *http.Request) {
	all := e.coll.current()
	d := rootData{List: make([]Status, len(all)), Recent: recentProbes}
	for i, s := range all {
		d.List[i] = s.status()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := rootPage.Execute(w, d); err != nil {
		e.log.Debug("writing the root page", "err", err)
	}
}
