package netaddr_test

import (
	"errors"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/internal/testnet"
)

// noteOf returns the Note of the error ParseAddr gives for s.
func noteOf(t *testing.T, s string) string {
	t.Helper()
	_, err := netaddr.ParseAddr(s)
	var pe *netaddr.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("ParseAddr(%q) = %v, want a *ParseError", s, err)
	}
	return pe.Note
}

var pingsRE = regexp.MustCompile("`ping [^`]+` pings ([0-9.]+)")

// TestNotesMatchPing runs iputils ping on the forms it reads differently and
// checks that the note names the address ping really pings. Every form here
// reads as a 127.0.0.0/8 address, and the test checks that before it runs
// ping; ping runs in a namespace of its own with only loopback, so even a
// form glibc rejected (and looked up in DNS) could not leave the machine.
func TestNotesMatchPing(t *testing.T) {
	t.Parallel()
	testnet.RequireTools(t, "ping")
	ns := testnet.Netns(t, "ipnote")
	forms := []string{"127.0.0.010", "0x7f.1", "127.1", "0177.0.0.1", "2130706433", "0x7f000001",
		"127.0x0.1", "017700000001", "127.1.010", "127.0.0.0x10", "0X7F.0.0.1"}
	loopback := netip.MustParsePrefix("127.0.0.0/8")
	for _, form := range forms {
		m := pingsRE.FindStringSubmatch(noteOf(t, form))
		if m == nil {
			t.Errorf("%s: note %q does not say what ping pings", form, noteOf(t, form))
			continue
		}
		want := netip.MustParseAddr(m[1])
		if !loopback.Contains(want) {
			t.Fatalf("%s: note says ping reads it as %s; this test only runs ping on loopback forms", form, want)
		}
		argv := testnet.InNetns(ns, "ping", "-n", "-c", "1", "-W", "1", form)
		res := testnet.Run(t, 10*time.Second, "", argv[0], argv[1:]...)
		header := regexp.MustCompile(`^PING \S+ \(([0-9.]+)\)`).FindStringSubmatch(res.Stdout)
		if header == nil {
			t.Errorf("ping %s: no PING header in %q (stderr %q)", form, res.Stdout, res.Stderr)
			continue
		}
		if header[1] != want.String() {
			t.Errorf("ping %s pings %s; our note says %s", form, header[1], want)
		}
	}
}

var ipcalcRE = regexp.MustCompile(`ipcalc reads it as ([0-9.]+)`)

// TestNotesMatchIpcalc checks the ipcalc half of the notes against Debian's
// ipcalc: what it reads leading zeros as, and which forms it rejects.
func TestNotesMatchIpcalc(t *testing.T) {
	t.Parallel()
	testnet.RequireTools(t, "ipcalc")
	for _, form := range []string{"192.168.001.010", "127.0.0.010", "010.1.1.1", "1.2.3.09", "0x7f.1", "127.1", "1.2.3.0255"} {
		res := testnet.Run(t, 10*time.Second, "", "ipcalc", "-n", "-b", form)
		got := ""
		if m := regexp.MustCompile(`(?m)^Address:\s+([0-9.]+)`).FindStringSubmatch(res.Stdout); m != nil {
			got = m[1]
		} else if !strings.Contains(res.Stdout, "INVALID ADDRESS") {
			t.Errorf("ipcalc %s: unexpected output %q", form, res.Stdout)
			continue
		}
		want := ""
		if m := ipcalcRE.FindStringSubmatch(noteOf(t, form)); m != nil {
			want = m[1]
		}
		if got != want {
			t.Errorf("ipcalc reads %s as %q; our note says %q", form, got, want)
		}
	}
}

// ipcalcFields runs ipcalc on a prefix and returns its "Name: value" fields.
func ipcalcFields(t *testing.T, prefix string) map[string]string {
	t.Helper()
	res := testnet.Run(t, 10*time.Second, "", "ipcalc", "-n", "-b", prefix)
	fields := map[string]string{}
	for _, line := range strings.Split(res.Stdout, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if ok {
			fields[name] = strings.Fields(value)[0]
		}
	}
	return fields
}

// TestPrefixMathMatchesIpcalc compares netmask, wildcard, network, first and
// last host, broadcast and host count with ipcalc's for IPv4 prefixes.
func TestPrefixMathMatchesIpcalc(t *testing.T) {
	t.Parallel()
	testnet.RequireTools(t, "ipcalc")
	for _, s := range []string{"10.0.0.0/8", "192.168.1.77/24", "172.16.5.4/12", "192.168.1.0/30", "192.168.1.0/31", "192.168.1.5/32", "0.0.0.0/0", "100.64.0.0/10"} {
		p := netip.MustParsePrefix(s)
		f := ipcalcFields(t, s)
		u := netaddr.UsableRange(p)
		want := map[string]string{
			"Netmask":   netaddr.Netmask(p).String(),
			"Wildcard":  netaddr.Wildcard(p).String(),
			"Hosts/Net": strconv.FormatUint(u.Len(), 10),
		}
		if p.Bits() == 32 {
			want["Hostroute"] = p.Addr().String()
		} else {
			want["Network"] = p.Masked().String()
			want["HostMin"] = u.First.String()
			want["HostMax"] = u.Last.String()
		}
		if p.Bits() < 31 {
			want["Broadcast"] = netaddr.LastAddr(p).String()
		}
		for k, v := range want {
			if f[k] != v {
				t.Errorf("%s: ipcalc %s %q, ours %q", s, k, f[k], v)
			}
		}
	}
}

// TestPrefixMathMatchesSipcalc compares the expanded and compressed forms,
// the netmask and the network range with sipcalc's for IPv6 prefixes.
func TestPrefixMathMatchesSipcalc(t *testing.T) {
	t.Parallel()
	testnet.RequireTools(t, "sipcalc")
	for _, s := range []string{"2001:db8::1/64", "2001:db8:0:0:1::1/48", "fe80::1/10", "::1/128", "2001:db8::/127", "ff02::1:ff00:1/104"} {
		p := netip.MustParsePrefix(s)
		out := testnet.Run(t, 10*time.Second, "", "sipcalc", s).Stdout
		field := func(name string) string {
			m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\t+- (\S+)(?: -\n\t+  (\S+))?`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("sipcalc %s: no %q in\n%s", s, name, out)
			}
			return strings.TrimSpace(m[1] + " " + m[2])
		}
		mask := netip.MustParseAddr(field("Prefix address"))
		rng := strings.Fields(field("Network range"))
		checks := []struct{ what, sipcalc, ours string }{
			{"expanded", field("Expanded Address"), netaddr.Expanded(p.Addr())},
			{"compressed", field("Compressed address"), p.Addr().String()},
			{"netmask", mask.String(), netaddr.Netmask(p).String()},
			{"first address", rng[0], netaddr.Expanded(p.Masked().Addr())},
			{"last address", rng[1], netaddr.Expanded(netaddr.LastAddr(p))},
		}
		for _, c := range checks {
			if c.sipcalc != c.ours {
				t.Errorf("%s: sipcalc %s %q, ours %q", s, c.what, c.sipcalc, c.ours)
			}
		}
	}
}
