package exporter

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"netdiag/diag/check"
	"netdiag/diag/cliargs"
	"netdiag/diag/netaddr"
	"netdiag/diag/ping"
)

// maxConfigSize bounds how much of a configuration file is read.
const maxConfigSize = 16 << 20

// Prober is the kind of probe a module sends.
type Prober string

// The probers.
const (
	ICMP Prober = "icmp" // ICMP echo, on the ping engine
	TCP  Prober = "tcp"  // a TCP connection, closed at once
	DNS  Prober = "dns"  // A and AAAA queries to a resolver
)

// Module is a named set of probe settings, as blackbox_exporter's modules
// are: continuous targets name one, and so does /probe?module=.
type Module struct {
	Prober Prober
	// Timeout bounds each probe. Zero means: for continuous probes the
	// target's timeout (by default its interval); for /probe the scrape
	// timeout Prometheus sends.
	Timeout time.Duration
	// Family picks which address of a name is probed (ip_protocol: ip4 or
	// ip6); AnyFamily takes the resolver's first.
	Family netaddr.Family
	// Source is the address probes are sent from; invalid means the
	// system's choice.
	Source netaddr.Host
	// Size is the number of data bytes of an ICMP echo request.
	Size int
	// QueryName is the name a DNS probe asks the resolver for.
	QueryName string
}

// The built-in modules, always there; a configuration may redefine them.
const (
	ModuleICMP = "icmp"
	ModuleTCP  = "tcp_connect"
	ModuleDNS  = "dns"
)

// builtinModules returns the built-in modules.
func builtinModules() map[string]Module {
	return map[string]Module{
		ModuleICMP: {Prober: ICMP, Size: ping.DefaultSize},
		ModuleTCP:  {Prober: TCP},
		ModuleDNS:  {Prober: DNS, QueryName: check.DefaultDNSName},
	}
}

// ConfigError is a configuration that cannot be used: the file, the line
// (0 when the problem is the file as a whole) and the reason. A reload that
// meets one keeps the running configuration.
type ConfigError struct {
	File   string
	Line   int
	Reason string
}

// Error returns "FILE:LINE: reason", as compilers write it.
func (e *ConfigError) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Reason
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

// at is a configuration value with the line it was written on, so that
// checks made after decoding still say where the problem is.
type at[T any] struct {
	V    T
	Line int
	Set  bool
}

// UnmarshalYAML records the line and decodes the value.
func (a *at[T]) UnmarshalYAML(n *yaml.Node) error {
	a.Line, a.Set = n.Line, true
	return n.Decode(&a.V)
}

// rawConfig is the file as written. Scalars carry their lines; structs are
// decoded strictly, so an unknown key is an error.
type rawConfig struct {
	Interval at[string]               `yaml:"interval"`
	Timeout  at[string]               `yaml:"timeout"`
	Labels   at[map[string]string]    `yaml:"labels"`
	Modules  map[at[string]]rawModule `yaml:"modules"`
	Targets  []rawGroup               `yaml:"targets"`
}

// rawModule is one entry of "modules".
type rawModule struct {
	Prober     at[string] `yaml:"prober"`
	Timeout    at[string] `yaml:"timeout"`
	IPProtocol at[string] `yaml:"ip_protocol"`
	Source     at[string] `yaml:"source"`
	Size       at[int]    `yaml:"size"`
	QueryName  at[string] `yaml:"query_name"`
}

// rawGroup is one entry of "targets": hosts sharing a module, an interval,
// a timeout and labels.
type rawGroup struct {
	Hosts    []at[string]          `yaml:"hosts"`
	Module   at[string]            `yaml:"module"`
	Interval at[string]            `yaml:"interval"`
	Timeout  at[string]            `yaml:"timeout"`
	Labels   at[map[string]string] `yaml:"labels"`
}

// spec is one target as configured, before its host is resolved.
type spec struct {
	file     string // where it was written: a file, or "command line"
	line     int
	host     string // as written
	module   string
	mod      Module
	interval time.Duration
	timeout  time.Duration // 0: the interval
	labels   map[string]string
}

// defaults are the settings targets take when they give none: the flags'.
type defaults struct {
	interval time.Duration
	timeout  time.Duration // 0: each target's interval
	family   netaddr.Family
}

// readConfig reads and parses the configuration file.
func readConfig(file string, d defaults) (map[string]Module, []spec, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, &ConfigError{File: file, Reason: "cannot read it: " + errText(err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	switch {
	case err != nil:
		return nil, nil, &ConfigError{File: file, Reason: "cannot read it: " + errText(err)}
	case len(data) > maxConfigSize:
		return nil, nil, &ConfigError{File: file, Reason: fmt.Sprintf("larger than %d MiB", maxConfigSize>>20)}
	}
	return parseConfig(file, data, d)
}

// errText is an error's message without Go's "open FILE: " prefix.
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// yamlLine finds the line yaml.v3 names in its messages ("yaml: line 3:
// …" and, in type errors, "line 3: …").
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// unknownField rewords yaml.v3's message about a key no struct field takes.
var unknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)

// yamlError turns a decoding error into a ConfigError with its line.
func yamlError(file string, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0] // the first problem; the others are often its echoes
	}
	ce := &ConfigError{File: file, Reason: strings.TrimPrefix(msg, "yaml: ")}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &ce.Line)
		ce.Reason = m[2]
	}
	if m := unknownField.FindStringSubmatch(ce.Reason); m != nil {
		ce.Reason = fmt.Sprintf("unknown key %q", m[1])
	}
	return ce
}

// parseConfig parses a configuration: its modules (the built-in ones, then
// the file's) and its targets, checked but not resolved.
func parseConfig(file string, data []byte, d defaults) (map[string]Module, []spec, error) {
	var raw rawConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, yamlError(file, err)
	}
	fail := func(line int, format string, args ...any) error {
		return &ConfigError{File: file, Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	var err error
	if d.interval, err = positive(raw.Interval, d.interval); err != nil {
		return nil, nil, fail(raw.Interval.Line, "interval %s", err)
	}
	if d.timeout, err = positive(raw.Timeout, d.timeout); err != nil {
		return nil, nil, fail(raw.Timeout.Line, "timeout %s", err)
	}
	if err := checkLabels(raw.Labels.V); err != nil {
		return nil, nil, fail(raw.Labels.Line, "labels: %v", err)
	}
	modules := builtinModules()
	for name, m := range raw.Modules {
		mod, err := parseModule(name.V, m, d.family)
		if err != nil {
			var ce *ConfigError
			if errors.As(err, &ce) {
				ce.File = file
				if ce.Line == 0 {
					ce.Line = name.Line
				}
			}
			return nil, nil, err
		}
		modules[name.V] = mod
	}
	var specs []spec
	for _, g := range raw.Targets {
		line := g.Module.Line
		if len(g.Hosts) > 0 {
			line = g.Hosts[0].Line
		}
		name := ModuleICMP
		if g.Module.Set {
			name = g.Module.V
		}
		mod, ok := modules[name]
		if !ok {
			return nil, nil, fail(g.Module.Line, "unknown module %q (%s)", name, moduleNames(modules))
		}
		if len(g.Hosts) == 0 {
			return nil, nil, fail(line, "a target group needs hosts")
		}
		interval, err := positive(g.Interval, d.interval)
		if err != nil {
			return nil, nil, fail(g.Interval.Line, "interval %s", err)
		}
		timeout, err := positive(g.Timeout, d.timeout)
		if err != nil {
			return nil, nil, fail(g.Timeout.Line, "timeout %s", err)
		}
		if err := checkLabels(g.Labels.V); err != nil {
			return nil, nil, fail(g.Labels.Line, "labels: %v", err)
		}
		labels := map[string]string{}
		for k, v := range raw.Labels.V {
			labels[k] = v
		}
		for k, v := range g.Labels.V {
			labels[k] = v
		}
		for _, h := range g.Hosts {
			specs = append(specs, spec{file: file, line: h.Line, host: h.V, module: name, mod: mod,
				interval: interval, timeout: timeout, labels: labels})
		}
	}
	return modules, specs, nil
}

// positive reads an optional duration: seconds or a Go duration, more than
// zero; def when it is not set.
func positive(v at[string], def time.Duration) (time.Duration, error) {
	if !v.Set {
		return def, nil
	}
	d, err := cliargs.ParseDuration(v.V)
	if err != nil {
		return 0, err
	}
	if d == 0 {
		return 0, fmt.Errorf("%s: must be more than 0", v.V)
	}
	return d, nil
}

// parseModule checks one module's settings.
func parseModule(name string, m rawModule, fam netaddr.Family) (Module, error) {
	fail := func(line int, format string, args ...any) error {
		return &ConfigError{Line: line, Reason: fmt.Sprintf("module %q: ", name) + fmt.Sprintf(format, args...)}
	}
	if !labelValue.MatchString(name) {
		return Module{}, fail(0, "a module name is letters, digits and underscores")
	}
	mod := Module{Prober: Prober(m.Prober.V), Family: fam}
	switch mod.Prober {
	case ICMP:
		mod.Size = ping.DefaultSize
	case DNS:
		mod.QueryName = check.DefaultDNSName
	case TCP:
	case "":
		return Module{}, fail(0, "prober missing (icmp, tcp or dns)")
	default:
		return Module{}, fail(m.Prober.Line, "unknown prober %q (icmp, tcp or dns)", m.Prober.V)
	}
	var err error
	if mod.Timeout, err = positive(m.Timeout, 0); err != nil {
		return Module{}, fail(m.Timeout.Line, "timeout %s", err)
	}
	switch m.IPProtocol.V {
	case "", "ip":
	case "ip4":
		mod.Family = netaddr.IPv4
	case "ip6":
		mod.Family = netaddr.IPv6
	default:
		return Module{}, fail(m.IPProtocol.Line, "ip_protocol %q: ip4, ip6 or ip (either)", m.IPProtocol.V)
	}
	if m.Source.Set {
		a, err := netaddr.ParseAddr(m.Source.V)
		if err != nil {
			return Module{}, fail(m.Source.Line, "source: %v", err)
		}
		mod.Source = netaddr.Host{Addr: a}
	}
	if m.Size.Set {
		if mod.Prober != ICMP {
			return Module{}, fail(m.Size.Line, "size is for icmp modules")
		}
		if m.Size.V < 0 || m.Size.V > ping.MaxSizeIPv6 {
			return Module{}, fail(m.Size.Line, "size %d: must be 0 to %d (IPv4 to %d)", m.Size.V, ping.MaxSizeIPv6, ping.MaxSizeIPv4)
		}
		mod.Size = m.Size.V
	}
	if m.QueryName.Set {
		if mod.Prober != DNS {
			return Module{}, fail(m.QueryName.Line, "query_name is for dns modules")
		}
		if err := netaddr.ValidHostname(m.QueryName.V); err != nil {
			return Module{}, fail(m.QueryName.Line, "query_name: %v", err)
		}
		mod.QueryName = m.QueryName.V
	}
	return mod, nil
}

// moduleNames lists the modules for an error message.
func moduleNames(modules map[string]Module) string {
	var names []string
	for n := range modules {
		names = append(names, n)
	}
	slices.Sort(names)
	return "modules: " + strings.Join(names, ", ")
}

// labelName is what Prometheus allows as a label name; labelValue is the
// stricter form module names take.
var (
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	labelValue = regexp.MustCompile(`^[a-zA-Z0-9_]+$`)
)

// reservedLabels are the labels the exporter sets itself.
var reservedLabels = map[string]bool{"host": true, "ip": true, "port": true, "source": true,
	"query_name": true, "reason": true, "le": true, "module": true, "instance": true, "job": true}

// checkLabels checks the names of configured labels.
func checkLabels(labels map[string]string) error {
	for k := range labels {
		switch {
		case !labelName.MatchString(k):
			return fmt.Errorf("%q is not a label name (letters, digits and underscores, not starting with a digit)", k)
		case strings.HasPrefix(k, "__"):
			return fmt.Errorf("%q: names starting with __ are Prometheus's", k)
		case reservedLabels[k]:
			return fmt.Errorf("%q is a label the exporter sets itself", k)
		}
	}
	return nil
}
