package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// resolveTimeout bounds the name lookups of one (re)load.
const resolveTimeout = 10 * time.Second

// Exporter probes the targets of one configuration at a time, exports
// what it measures, and reloads its configuration on request.
type Exporter struct {
	opt  Options
	log  *slog.Logger
	reg  *prometheus.Registry
	coll *collector

	reloadOK      prometheus.Gauge
	reloadTime    prometheus.Gauge
	targetCount   *prometheus.GaugeVec
	proberErrors  prometheus.Counter
	unknownModule prometheus.Counter

	modules atomic.Pointer[map[string]Module] // for /probe

	mu   sync.Mutex      // one (re)load at a time
	base context.Context // probes run until it is done
	stop context.CancelFunc
	wg   sync.WaitGroup // the running probers
}

// newExporter makes an Exporter with its registry: the probes' collector,
// the exporter's own metrics, and the Go and process collectors.
func newExporter(ctx context.Context, opt Options, log *slog.Logger) *Exporter {
	if opt.Buckets == nil {
		opt.Buckets = DefaultBuckets
	}
	e := &Exporter{opt: opt, log: log, reg: prometheus.NewRegistry(), coll: &collector{}, base: ctx,
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{Name: "netdiag_exporter_config_last_reload_successful",
			Help: "Whether the last configuration reload succeeded (1) or was refused (0)."}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{Name: "netdiag_exporter_config_last_reload_success_timestamp_seconds",
			Help: "When the configuration was last loaded, in Unix seconds."}),
		targetCount: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "netdiag_exporter_targets",
			Help: "Targets probed continuously, by prober."}, []string{"prober"}),
		proberErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "netdiag_exporter_prober_errors_total",
			Help: "Ping runs that ended with an error (their targets stop being pinged until the next reload)."}),
		unknownModule: prometheus.NewCounter(prometheus.CounterOpts{Name: "netdiag_exporter_module_unknown_total",
			Help: "/probe requests naming a module that does not exist."}),
	}
	for _, p := range []Prober{ICMP, TCP, DNS} {
		e.targetCount.WithLabelValues(string(p))
	}
	e.reg.MustRegister(e.coll, e.reloadOK, e.reloadTime, e.targetCount, e.proberErrors, e.unknownModule,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := builtinModules()
	e.modules.Store(&m)
	return e
}

// loaded is a configuration read, checked and resolved, not yet running.
type loaded struct {
	modules map[string]Module
	targets []Target
	extra   []string // the configured label names, sorted
}

// load reads the configuration file and the command line's targets. It
// changes nothing: a configuration that fails is a *ConfigError.
func (e *Exporter) load(ctx context.Context) (*loaded, error) {
	modules := builtinModules()
	var specs []spec
	if e.opt.ConfigFile != "" {
		var err error
		if modules, specs, err = readConfig(e.opt.ConfigFile, e.opt.defaults()); err != nil {
			return nil, err
		}
	}
	specs = append(argSpecs(e.opt.Targets, modules, e.opt.defaults()), specs...)
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	targets, err := buildTargets(ctx, e.opt.Resolver, specs)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, t := range targets {
		for k := range t.Labels {
			names[k] = true
		}
	}
	return &loaded{modules: modules, targets: targets, extra: slices.Sorted(maps.Keys(names))}, nil
}

// groupKey is what targets pinged in one run share.
type groupKey struct {
	interval, timeout time.Duration
	size              int
	source            string
}

// start stops the running probers and starts l's. Targets that were there
// before keep their counters. It fails when a ping run cannot open its
// sockets (no permission).
func (e *Exporter) start(l *loaded) error {
	if e.stop != nil {
		e.stop()
		e.wg.Wait()
	}
	old := map[string]*series{}
	for _, s := range e.coll.current() {
		old[s.t.key()] = s
	}
	all := make([]*series, len(l.targets))
	groups := map[groupKey][]*series{}
	var others []*series
	counts := map[Prober]int{}
	for i := range l.targets {
		t := &l.targets[i]
		s := newSeries(*t, e.opt.Buckets)
		s.values = labelValues(t, l.extra)
		if o := old[t.key()]; o != nil {
			s.carry(o)
		}
		all[i] = s
		counts[t.Mod.Prober]++
		if t.Mod.Prober == ICMP {
			k := groupKey{t.Interval, t.Timeout, t.Mod.Size, t.Mod.Source.String()}
			groups[k] = append(groups[k], s)
		} else {
			others = append(others, s)
		}
	}
	e.coll.set(all, l.extra)
	e.modules.Store(&l.modules)
	for _, p := range []Prober{ICMP, TCP, DNS} {
		e.targetCount.WithLabelValues(string(p)).Set(float64(counts[p]))
	}

	ctx, stop := context.WithCancel(e.base)
	e.stop = stop
	var starts []chan error
	for _, g := range groups {
		started := make(chan error, 1)
		starts = append(starts, started)
		e.wg.Go(func() {
			sum, err := pingGroup(ctx, g, e.opt.Mode, started)
			if err != nil && ctx.Err() == nil {
				e.proberErrors.Inc()
				e.log.Error("ping run ended", "targets", len(g), "interval", g[0].t.Interval, "err", err)
				return
			}
			e.log.Debug("ping run stopped", "targets", len(g), "mode", sum.Mode)
		})
	}
	var err error
	for _, started := range starts {
		if serr := <-started; serr != nil && !errors.Is(serr, context.Canceled) {
			err = fmt.Errorf("starting the ICMP probes: %w", serr)
		}
	}
	if err != nil {
		stop()
		e.wg.Wait()
		return err
	}
	// Spread each interval's TCP and DNS probes over the interval.
	byInterval := map[time.Duration][]*series{}
	for _, s := range others {
		byInterval[s.t.Interval] = append(byInterval[s.t.Interval], s)
	}
	now := time.Now()
	for iv, list := range byInterval {
		for i, s := range list {
			first := now.Add(iv * time.Duration(i) / time.Duration(len(list)))
			e.wg.Go(func() { probeLoop(ctx, s, first) })
		}
	}
	e.log.Info("probing", "icmp", counts[ICMP], "tcp", counts[TCP], "dns", counts[DNS], "ping_runs", len(groups))
	return nil
}

// Reload reads the configuration again and, if it is good, runs it in
// place of the old one. A bad one is refused and changes nothing.
func (e *Exporter) Reload(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	l, err := e.load(ctx)
	if err == nil {
		err = e.start(l)
	}
	if err != nil {
		e.reloadOK.Set(0)
		e.log.Error("configuration refused; the old one keeps running", "err", err)
		return err
	}
	e.reloadOK.Set(1)
	e.reloadTime.SetToCurrentTime()
	e.log.Info("configuration reloaded", "targets", len(l.targets))
	return nil
}

// first loads the configuration at start-up.
func (e *Exporter) first(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	l, err := e.load(ctx)
	if err != nil {
		return err
	}
	if err := e.start(l); err != nil {
		return err
	}
	e.reloadOK.Set(1)
	e.reloadTime.SetToCurrentTime()
	return nil
}

// shutdown stops every prober and waits for them.
func (e *Exporter) shutdown() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stop != nil {
		e.stop()
	}
	e.wg.Wait()
}
