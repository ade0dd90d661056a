package exporter

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"netdiag/diag/netaddr"
	"netdiag/diag/ping"
)

// Timeouts of /probe, as blackbox_exporter reckons them.
const (
	// timeoutOffset is taken off the scrape timeout Prometheus sends, so
	// the answer reaches it before it gives up.
	timeoutOffset = 0.5
	// defaultScrapeTimeout stands for the header when a request has none:
	// Prometheus's default scrape timeout.
	defaultScrapeTimeout = 10.0
)

// probeTimeout returns how long a /probe may take: the scrape timeout from
// the X-Prometheus-Scrape-Timeout-Seconds header less timeoutOffset, or
// the module's timeout when that is shorter.
func probeTimeout(r *http.Request, mod Module) (time.Duration, error) {
	secs := defaultScrapeTimeout
	if v := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"); v != "" {
		var err error
		if secs, err = strconv.ParseFloat(v, 64); err != nil || secs <= 0 || secs != secs || secs > 1e6 {
			return 0, fmt.Errorf("X-Prometheus-Scrape-Timeout-Seconds %q: not a positive number of seconds", v)
		}
	}
	if secs > timeoutOffset {
		secs -= timeoutOffset
	}
	d := time.Duration(secs * float64(time.Second))
	if mod.Timeout > 0 && mod.Timeout < d {
		d = mod.Timeout
	}
	return d, nil
}

// serveProbe answers /probe?target=…&module=… as blackbox_exporter does:
// it probes the target once, within the timeout, and returns that probe's
// metrics. A missing target or unknown module is a 400.
func (e *Exporter) serveProbe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := q.Get("module")
	if name == "" {
		name = ModuleICMP
	}
	mod, ok := (*e.modules.Load())[name]
	if !ok {
		e.unknownModule.Inc()
		http.Error(w, fmt.Sprintf("Unknown module %q", name), http.StatusBadRequest)
		return
	}
	target := q.Get("target")
	if target == "" {
		http.Error(w, "Target parameter is missing", http.StatusBadRequest)
		return
	}
	timeout, err := probeTimeout(r, mod)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()

	reg := prometheus.NewRegistry()
	gauge := func(name, help string) prometheus.Gauge { return newGauge(reg, name, help) }
	success := gauge("probe_success", "Displays whether or not the probe was a success")
	duration := gauge("probe_duration_seconds", "Returns how long the probe took to complete in seconds")
	gauge("probe_timeout_seconds", "Returns how long the probe timeout is in seconds").Set(timeout.Seconds())
	log := e.log.With("module", name, "target", target)
	start := time.Now()
	ok = e.probeOnce(ctx, target, mod, reg, log)
	duration.Set(time.Since(start).Seconds())
	if ok {
		success.Set(1)
		log.Debug("probe succeeded", "duration_seconds", time.Since(start).Seconds())
	} else {
		log.Debug("probe failed", "duration_seconds", time.Since(start).Seconds())
	}
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// probeOnce resolves target and probes it once with mod, registering the
// prober's metrics in reg. It reports whether the probe succeeded.
func (e *Exporter) probeOnce(ctx context.Context, target string, mod Module, reg *prometheus.Registry, log *slog.Logger) bool {
	gauge := func(name, help string) prometheus.Gauge { return newGauge(reg, name, help) }
	var phases *prometheus.GaugeVec
	if mod.Prober == ICMP {
		phases = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "probe_icmp_duration_seconds", Help: "Duration of icmp request by phase"}, []string{"phase"})
		for _, p := range []string{"resolve", "setup", "rtt"} {
			phases.WithLabelValues(p)
		}
		reg.MustRegister(phases)
	}
	lookup := gauge("probe_dns_lookup_time_seconds", "Returns the time taken for probe dns lookup in seconds")
	proto := gauge("probe_ip_protocol", "Specifies whether probe ip protocol is IP4 or IP6")
	hash := gauge("probe_ip_addr_hash", "Specifies the hash of IP address. It's useful to detect if the IP address changes.")

	host, port, err := parseHost(mod.Prober, target)
	if err == nil && host.IsSweep() {
		err = fmt.Errorf("give one address, not a prefix or range")
	}
	if err != nil {
		log.Warn("bad target", "err", err)
		return false
	}
	start := time.Now()
	addrs, err := netaddr.ResolveHost(ctx, e.opt.Resolver, host.Host, mod.Family)
	lookup.Set(time.Since(start).Seconds())
	if phases != nil {
		phases.WithLabelValues("resolve").Set(time.Since(start).Seconds())
	}
	if err != nil {
		log.Warn("cannot resolve the target", "err", err)
		return false
	}
	addr := addrs[0]
	proto.Set(map[bool]float64{true: 4, false: 6}[addr.Is4()])
	h := fnv.New32a()
	h.Write(addr.AsSlice())
	hash.Set(float64(h.Sum32()))
	t := Target{Mod: mod, Host: target, Addr: addr, Port: port}
	remaining := time.Until(deadline(ctx))

	switch mod.Prober {
	case TCP:
		_, reason, _ := connectOnce(ctx, &t, remaining)
		if reason != "" {
			log.Debug("connection failed", "reason", reason)
		}
		return reason == ""
	case DNS:
		_, reason, r := lookupOnce(ctx, &t, remaining)
		gauge("probe_dns_query_succeeded", "Displays whether or not the query was executed successfully").Set(b2f(r.RCode != ""))
		gauge("probe_dns_answer_rrs", "Returns number of entries in the answer resource record list").Set(float64(len(r.Addrs)))
		if reason != "" {
			log.Debug("lookup failed", "reason", reason, "rcode", r.RCode)
		}
		return reason == ""
	}
	hop := prometheus.NewGauge(prometheus.GaugeOpts{Name: "probe_icmp_reply_hop_limit", Help: "Replied packet hop limit (TTL for ipv4)"})
	setup := time.Now()
	replied := false
	_, err = ping.Run(ctx, ping.Options{
		Targets: []netaddr.Target{{Input: addr.String(), Host: netaddr.Host{Addr: addr}}},
		Count:   1, Timeout: max(remaining, time.Millisecond), Size: mod.Size, Source: mod.Source.Addr, Mode: e.opt.Mode,
	}, func(ev ping.Event) {
		switch {
		case ev.Kind == ping.EventStart:
			phases.WithLabelValues("setup").Set(time.Since(setup).Seconds())
		case ev.Kind == ping.EventReply && !ev.Dup && !ev.Late:
			replied = true
			phases.WithLabelValues("rtt").Set(ev.RTT.Seconds())
			if ev.TTL >= 0 {
				hop.Set(float64(ev.TTL))
				reg.MustRegister(hop)
			}
		}
	})
	if err != nil && ctx.Err() == nil {
		log.Warn("ping failed", "err", err)
	}
	return replied
}

// newGauge makes a gauge and registers it in reg.
func newGauge(reg *prometheus.Registry, name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	reg.MustRegister(g)
	return g
}

// deadline returns ctx's deadline (every /probe context has one).
func deadline(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
