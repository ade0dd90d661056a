package check

import (
	"fmt"
	"strings"
)

// diagnose names the first broken layer: the first failed step, else the
// first step with a warning, and the likely fix, in one sentence.
func diagnose(r *Result) Diagnosis {
	if r.Interrupted {
		return Diagnosis{Status: Fail, Text: "Interrupted: the check did not finish."}
	}
	if d, ok := pathCut(r); ok {
		return d
	}
	steps := r.Steps()
	for _, want := range []Status{Fail, Warn} {
		for _, s := range steps {
			if s.Verdict.Status == want {
				return Diagnosis{Status: want, Step: s.Name, Problem: s.Verdict.Problem, Text: sentence(r, s)}
			}
		}
	}
	var skipped []string
	for _, s := range steps {
		if s.Verdict.Status == Skipped {
			skipped = append(skipped, s.Name)
		}
	}
	if len(skipped) > 0 {
		return Diagnosis{Status: OK, Text: fmt.Sprintf("The network is OK: every step that could run passed (not checked: %s).", strings.Join(skipped, ", "))}
	}
	return Diagnosis{Status: OK, Text: "The network is OK: every step passed."}
}

// sentence is the diagnosis for step s, which failed or warns.
func sentence(r *Result, s StepVerdict) string {
	v := s.Verdict
	switch st := s.Step.(type) {
	case *LocalStep:
		return localSentence(st)
	case *InterfacesStep:
		return interfacesSentence(st)
	case *GatewayStep:
		return gatewaySentence(st)
	case *DNSStep:
		return dnsSentence(st, r.Internet.Status == OK)
	case *InternetStep:
		return internetSentence(st, r.Gateway.Status == OK)
	case *PathMTUStep:
		return pathMTUSentence(st)
	}
	return "Something is wrong: " + v.Detail + "."
}

func localSentence(st *LocalStep) string {
	switch {
	case st.Problem == LoopbackDown && strings.HasSuffix(st.Detail, "is down"):
		return fmt.Sprintf("The local network stack is broken: %s — bring it up with 'sudo ip link set lo up'.", st.Detail)
	case st.Problem == LoopbackDown:
		return fmt.Sprintf("The local network stack is broken: %s — add it with 'sudo ip addr add 127.0.0.1/8 dev lo'.", st.Detail)
	case st.Status == Fail:
		return "The local network stack is broken: 127.0.0.1 does not answer — a firewall rule probably drops loopback traffic (see 'sudo nft list ruleset')."
	case st.Problem == Loss:
		return "Loopback loses packets — the machine is overloaded, or a firewall rule limits loopback traffic."
	}
	return "IPv6 on loopback is broken: ::1 does not answer ping — a firewall rule probably drops it (see 'sudo nft list ruleset')."
}

func interfacesSentence(st *InterfacesStep) string {
	name := func(state string) string {
		for _, i := range st.Interfaces {
			if i.State == state && !i.Usable {
				return i.Name
			}
		}
		return ""
	}
	switch st.Problem {
	case NoAddress:
		return fmt.Sprintf("%s is up but has no IP address — is DHCP running?", name("up"))
	case NoCarrier:
		return fmt.Sprintf("%s has no link — plug in the cable or connect to the Wi-Fi.", name("no-carrier"))
	}
	for _, i := range st.Interfaces {
		if i.State == "down" {
			return fmt.Sprintf("No network interface is up — bring one up ('sudo ip link set %s up') or connect to the Wi-Fi.", i.Name)
		}
	}
	return "No network interface besides loopback — the network card's or Wi-Fi's driver is missing, or this is a container without a network."
}

// firstBad returns the first item whose status is not OK (and not
// skipped), for the sentence of a step made of several targets.
func firstBad[T any](items []T, status func(T) Status) (T, bool) {
	for _, it := range items {
		if s := status(it); s == Fail || s == Warn {
			return it, true
		}
	}
	var zero T
	return zero, false
}

func gatewaySentence(st *GatewayStep) string {
	if st.Problem == NoDefaultRoute {
		return "No default route: the interface has no gateway — is DHCP running?"
	}
	p, ok := firstBad(st.Gateways, func(p *GatewayProbe) Status { return p.Status })
	if !ok {
		return "The gateway check is incomplete: " + st.Detail + "."
	}
	gw := p.Addr.String()
	on := ""
	if p.Interface != "" {
		on = " on " + p.Interface
	}
	text := ""
	switch p.Problem {
	case LinkDown:
		text = fmt.Sprintf("The default route leaves through %s, which has no link — plug in the cable or connect to the Wi-Fi.", p.Interface)
	case NoARP:
		what := "answers neither ping nor " + arpWord(p.Addr)
		if p.Ping.NotPermitted {
			what = "does not answer " + arpWord(p.Addr)
		}
		text = fmt.Sprintf("The gateway %s is down: it %s%s — check that the router is on and connected.", gw, what, on)
	case NoReply:
		text = fmt.Sprintf("The gateway %s does not answer ping%s — the router may be down, or it filters ping.", gw, on)
	case Unreachable:
		text = fmt.Sprintf("The gateway %s is unreachable (%s) — it is not on this machine's network; check the address and the routes.", gw, p.Ping.Error)
	case ICMPFiltered:
		how := "it answers " + arpWord(p.Addr)
		if p.PassesTraffic {
			how = "traffic passes through it"
		}
		return fmt.Sprintf("The network works; the gateway %s does not answer ping, but it is alive (%s): it filters ICMP.", gw, how)
	case Loss:
		return fmt.Sprintf("The link to the gateway %s loses packets (%s) — check the cable or the Wi-Fi signal.", gw, lossText(p.Ping))
	default:
		text = fmt.Sprintf("The gateway %s cannot be checked: %s.", gw, p.Ping.Error)
	}
	if st.Status == Warn {
		return "The network works, but only partly: " + lowerFirst(text)
	}
	return text
}

func dnsSentence(st *DNSStep, internetOK bool) string {
	if st.Problem == NoResolver {
		return fmt.Sprintf("No DNS resolver is configured: %s has no usable nameserver line and nothing answers on 127.0.0.1 — is DHCP running?", st.ResolvConf)
	}
	r, ok := firstBad(st.Resolvers, func(r *ResolverResult) Status { return r.Status })
	if !ok {
		return "The DNS check is incomplete: " + st.Detail + "."
	}
	who := "the resolver " + r.Server.Addr().String()
	if !r.Server.IsValid() {
		who = "the system resolver"
	}
	if st.Status == Warn {
		if r.Status == Warn {
			return fmt.Sprintf("DNS works, but %s answers only one of the A and AAAA queries — lookups may stall; fix it or use another resolver.", who)
		}
		return fmt.Sprintf("DNS works, but %s — lookups are slow whenever it is asked first; fix it or remove it from %s.", describeResolver(r, st.Name), st.ResolvConf)
	}
	fix := fmt.Sprintf("fix the nameserver lines in %s or restart the DNS server", st.ResolvConf)
	if internetOK {
		fix = "the internet answers by address, so only DNS is broken: " + fix
	}
	if len(st.Resolvers) > 1 {
		who = "no resolver works; " + who
	}
	switch r.Problem {
	case DNSTimeout:
		return fmt.Sprintf("DNS is broken: %s does not answer — %s.", who, fix)
	case DNSPortClosed:
		return fmt.Sprintf("DNS is broken: nothing listens on port 53 of %s — %s.", strings.Replace(who, "the resolver ", "", 1), fix)
	case DNSServFail:
		return fmt.Sprintf("DNS is broken: %s answers SERVFAIL — it cannot reach the DNS servers above it; restart it or use another resolver.", who)
	case DNSRefused:
		return fmt.Sprintf("DNS is broken: %s refuses to answer (REFUSED) — it does not serve this machine; use another resolver.", who)
	case DNSNXDomain:
		return fmt.Sprintf("%s says %s does not exist — check the name given with --dns-name, or the resolver blocks it.", upperFirst(who), st.Name)
	case DNSNoData:
		return fmt.Sprintf("%s says %s has no address — check the name given with --dns-name.", upperFirst(who), st.Name)
	case Unreachable:
		return fmt.Sprintf("DNS is broken: %s is unreachable (%s) — %s.", who, r.Error, fix)
	}
	return fmt.Sprintf("DNS is broken: %s fails (%s) — %s.", who, r.Error, fix)
}

func internetSentence(st *InternetStep, gatewayOK bool) string {
	h, ok := firstBad(st.Hosts, func(h *HostProbe) Status { return h.Status })
	if !ok {
		return "The internet check is incomplete: " + st.Detail + "."
	}
	if st.Status == Warn {
		if h.Problem == Loss {
			return fmt.Sprintf("The path to the internet loses packets (%s: %s) — the uplink is congested or unreliable.", h.Host, lossText(h.Ping))
		}
		if onlyIPv6Fails(st.Hosts) {
			return fmt.Sprintf("IPv6 beyond the gateway is broken: %s, while IPv4 hosts answer — the router or the provider has no working IPv6 route.", describeHost(h, st.Port))
		}
		return fmt.Sprintf("The internet is only partly reachable: %s.", describeHost(h, st.Port))
	}
	beyond := "no internet host answers"
	if gatewayOK {
		beyond = "the gateway answers, but no host beyond it does"
	}
	switch h.Problem {
	case Unreachable:
		why := h.Ping.Error
		if !h.Ping.unreachable {
			why = h.TCP.Error
		}
		return fmt.Sprintf("The internet is unreachable: %s (%s: %s) — the router has no route out; check its uplink or call your provider.", beyond, h.Host, why)
	case NoReply:
		if cut, ok := cutHost(st); ok {
			return fmt.Sprintf("The internet is unreachable: %s, by ping or TCP — %s on the way to %s: the router after hop %d or its link is down.", beyond, cut.Trace.Text, cut.Addr, cut.Trace.LastHop)
		}
		return fmt.Sprintf("The internet is unreachable: %s, by ping or TCP — the router's uplink or the provider is down.", beyond)
	case Unresolved:
		return fmt.Sprintf("The internet host %s does not resolve (%s) — check the name given with --host.", h.Host, h.Error)
	}
	return fmt.Sprintf("The internet is unreachable: %s.", describeHost(h, st.Port))
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// onlyIPv6Fails reports whether the hosts that failed are all IPv6
// addresses while an IPv4 one answered.
func onlyIPv6Fails(hosts []*HostProbe) bool {
	v4ok := false
	for _, h := range hosts {
		switch {
		case h.Status == Fail && !h.Addr.Is6():
			return false
		case h.Status == OK && h.Addr.Is4():
			v4ok = true
		}
	}
	return v4ok
}
