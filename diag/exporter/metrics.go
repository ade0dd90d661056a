package exporter

import (
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Label names every series of a prober has, before the configured ones.
var baseLabels = map[Prober][]string{
	ICMP: {"host", "ip", "source"},
	TCP:  {"host", "ip", "port", "source"},
	DNS:  {"host", "ip", "port", "query_name", "source"},
}

// descs are the metric descriptions of one configuration (its label names).
type descs struct {
	icmpRequests, icmpDuration, icmpTTL, icmpDuplicates, icmpSendErrors, icmpFailures *prometheus.Desc
	tcpRequests, tcpDuration, tcpFailures                                             *prometheus.Desc
	dnsRequests, dnsDuration, dnsFailures                                             *prometheus.Desc
}

// newDescs describes the metrics; extra are the configured label names.
func newDescs(extra []string) *descs {
	labels := func(p Prober, more ...string) []string {
		return slices.Concat(baseLabels[p], extra, more)
	}
	d := func(name, help string, p Prober, more ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels(p, more...), nil)
	}
	return &descs{
		// smokeping_prober's names, help texts and labels.
		icmpRequests:   d("smokeping_requests_total", "Number of ping requests sent", ICMP),
		icmpDuration:   d("smokeping_response_duration_seconds", "A histogram of latencies for ping responses.", ICMP),
		icmpTTL:        d("smokeping_response_ttl", "The last response Time To Live (TTL).", ICMP),
		icmpDuplicates: d("smokeping_response_duplicates_total", "The number of duplicated response packets.", ICMP),
		icmpSendErrors: d("smokeping_send_errors_total", "The number of errors when Pinger attempts to send packets.", ICMP),
		icmpFailures: d("netdiag_ping_failures_total",
			"Ping requests without a reply, by reason: timeout (no reply within the timeout) or icmp_error (an ICMP error came back, or sending failed).", ICMP, "reason"),

		tcpRequests: d("netdiag_tcp_requests_total", "Number of TCP connection attempts made", TCP),
		tcpDuration: d("netdiag_tcp_response_duration_seconds", "A histogram of TCP connect (handshake) times of the connections made.", TCP),
		tcpFailures: d("netdiag_tcp_failures_total", "TCP connection attempts that failed, by reason: refused, timeout, unreachable or error.", TCP, "reason"),

		dnsRequests: d("netdiag_dns_requests_total", "Number of DNS lookups (A and AAAA queries) sent to the resolver", DNS),
		dnsDuration: d("netdiag_dns_response_duration_seconds", "A histogram of DNS lookup times of the lookups answered with an address.", DNS),
		dnsFailures: d("netdiag_dns_failures_total",
			"DNS lookups without an address, by reason: timeout, port_closed, servfail, refused, nxdomain, nodata, bad_answer, unreachable or error.", DNS, "reason"),
	}
}

// collector exports the current configuration's series. It is unchecked
// (it describes nothing up front), since a reload may change the label
// names.
type collector struct {
	mu     sync.RWMutex
	descs  *descs
	series []*series
}

// set installs a configuration's series and label names.
func (c *collector) set(series []*series, extra []string) {
	d := newDescs(extra)
	c.mu.Lock()
	c.series, c.descs = series, d
	c.mu.Unlock()
}

// current returns the series being exported.
func (c *collector) current() []*series {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.series
}

// Describe sends nothing: the collector is unchecked.
func (c *collector) Describe(chan<- *prometheus.Desc) {}

// Collect sends every series' metrics.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.RLock()
	d, all := c.descs, c.series
	c.mu.RUnlock()
	if d == nil {
		return
	}
	for _, s := range all {
		s.collect(d, ch)
	}
}

// collect sends one series' metrics.
func (s *series) collect(d *descs, ch chan<- prometheus.Metric) {
	s.mu.Lock()
	requests, dups, sendErrs, ttl := s.requests, s.duplicates, s.sendErrors, s.ttl
	failures := slices.Clone(s.failures)
	count, sum, buckets := s.hist.count, s.hist.sum, s.hist.cumulative()
	s.mu.Unlock()

	counter := func(desc *prometheus.Desc, v uint64, more ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, float64(v), append(s.values, more...)...)
	}
	var reqs, dur, fails *prometheus.Desc
	switch s.t.Mod.Prober {
	case ICMP:
		reqs, dur, fails = d.icmpRequests, d.icmpDuration, d.icmpFailures
		counter(d.icmpDuplicates, dups)
		counter(d.icmpSendErrors, sendErrs)
		ch <- prometheus.MustNewConstMetric(d.icmpTTL, prometheus.GaugeValue, float64(ttl), s.values...)
	case TCP:
		reqs, dur, fails = d.tcpRequests, d.tcpDuration, d.tcpFailures
	case DNS:
		reqs, dur, fails = d.dnsRequests, d.dnsDuration, d.dnsFailures
	}
	counter(reqs, requests)
	ch <- prometheus.MustNewConstHistogram(dur, count, sum, buckets, s.values...)
	for i, r := range reasons[s.t.Mod.Prober] {
		counter(fails, failures[i], r)
	}
}

// labelValues returns t's label values in the order newDescs names them.
func labelValues(t *Target, extra []string) []string {
	src := ""
	if t.Mod.Source.Addr.IsValid() {
		src = t.Mod.Source.Addr.String()
	}
	v := []string{t.Host, t.Addr.String()}
	switch t.Mod.Prober {
	case ICMP:
		v = append(v, src)
	case TCP:
		v = append(v, t.Port.String(), src)
	case DNS:
		v = append(v, t.Port.String(), t.Mod.QueryName, src)
	}
	for _, k := range extra {
		v = append(v, t.Labels[k])
	}
	return v[:len(v):len(v)] // appends in collect copy
}
