package ip_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"netdiag/diag/ip"
	"netdiag/diag/netaddr"
	"netdiag/internal/addrgen"
	"netdiag/internal/testnet"
)

// oracleGenerated is how many generated strings the oracle test checks, on
// top of the hand-picked ones.
const oracleGenerated = 40000

// pyAddr is what testdata/oracle.py reports about an address.
type pyAddr struct {
	Str            string   `json:"str"`
	Version        int      `json:"version"`
	Int            string   `json:"int"`
	Exploded       *string  `json:"exploded"`
	ReversePointer *string  `json:"reverse_pointer"`
	IsPrivate      bool     `json:"is_private"`
	IsGlobal       bool     `json:"is_global"`
	IsUnspecified  bool     `json:"is_unspecified"`
	IsLoopback     bool     `json:"is_loopback"`
	IsLinkLocal    bool     `json:"is_link_local"`
	IsMulticast    bool     `json:"is_multicast"`
	IsReserved     bool     `json:"is_reserved"`
	IPv4Mapped     *string  `json:"ipv4_mapped"`
	SixToFour      *string  `json:"sixtofour"`
	Teredo         []string `json:"teredo"`
}

// pyResult is one line of testdata/oracle.py's output.
type pyResult struct {
	Valid        bool    `json:"valid"`
	Error        string  `json:"error"`
	Kind         string  `json:"kind"`
	Addr         pyAddr  `json:"addr"`
	Network      string  `json:"network"`
	PrefixLen    int     `json:"prefixlen"`
	Netmask      string  `json:"netmask"`
	Hostmask     string  `json:"hostmask"`
	Broadcast    string  `json:"broadcast"`
	NumAddresses string  `json:"num_addresses"`
	FirstHost    *string `json:"first_host"`
	LastHost     *string `json:"last_host"`
}

// handPicked are inputs every run checks: each registry block's first and
// last address and one past it, and each allow-listed difference.
func handPicked() []string {
	in := []string{"10.0.0.1/08", "10.0.0.0/255.0.0.0", "10.0.0.0/0.0.0.255", "fe80::1%a b", "fe80::1%eth0:1",
		"fe80::1%é", "::ffff:192.0.2.1", "fe80::1%eth0", "192.0.0.8", "192.88.99.2", "100.64.0.1", "::ffff:8.8.8.8",
		"64:ff9b:1::1", "2001::1", "2001:1::1", "ff02::1", "224.0.0.1", "239.1.1.1", "fec0::1", "::ffff:10.0.0.0/104",
		"2001:0:4136:e378:8000:63bf:3fff:fdd2", "2002:c000:204::1", "0.0.0.0/0", "::/0", "1.2.3.4/31", "1.2.3.4/32",
		"2001:db8::/127", "2001:db8::1/128"}
	for _, b := range netaddr.SpecialBlocks() {
		p := b.Prefix
		last := netaddr.LastAddr(p)
		in = append(in, p.Addr().String(), last.String(), p.String())
		if n := last.Next(); n.IsValid() {
			in = append(in, n.String())
		}
		if pr := p.Addr().Prev(); pr.IsValid() {
			in = append(in, pr.String())
		}
	}
	return in
}

// runOracle asks Python about every input in one python3 process.
func runOracle(t *testing.T, inputs []string) []pyResult {
	t.Helper()
	testnet.RequireTools(t, "python3")
	var stdin bytes.Buffer
	enc := json.NewEncoder(&stdin)
	for _, s := range inputs {
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("python3", "testdata/oracle.py")
	cmd.Stdin = &stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 testdata/oracle.py: %v\n%s", err, stderr.String())
	}
	var results []pyResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r pyResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("oracle output %q: %v", sc.Text(), err)
		}
		results = append(results, r)
	}
	if len(results) != len(inputs) {
		t.Fatalf("oracle answered %d of %d inputs", len(results), len(inputs))
	}
	return results
}

// TestPythonOracle compares netdiag ip with Python's ipaddress on
// thousands of tricky strings: the same verdict, the same compressed and
// exploded forms, integer and reverse name, the same properties and
// embedded IPv4 addresses, the same prefix numbers, except for the
// deliberate differences in differences_test.go.
func TestPythonOracle(t *testing.T) {
	t.Parallel()
	inputs := handPicked()
	g := addrgen.New(42)
	for range oracleGenerated {
		inputs = append(inputs, g.Next())
	}
	results := runOracle(t, inputs)
	used := map[string]int{}
	unexplained := 0
	valid := 0
	for i, in := range inputs {
		c := oracleCase{in: in, ours: ip.Analyze(in), py: results[i]}
		if c.ours.Valid {
			valid++
		}
		for _, m := range compare(c) {
			d := explain(c, m)
			if d == nil {
				unexplained++
				if unexplained <= 20 {
					t.Errorf("%q: %s: netdiag %s, Python %s", in, m.field, m.ours, m.python)
				}
				continue
			}
			used[d.name]++
		}
	}
	if unexplained > 20 {
		t.Errorf("... and %d more unexplained differences", unexplained-20)
	}
	for _, d := range differences {
		if used[d.name] == 0 {
			t.Errorf("allow-listed difference %q never occurred; remove it or add a case", d.name)
		}
	}
	t.Logf("%d inputs (%d valid), allow-listed differences seen: %v", len(inputs), valid, used)
}

// mismatch is one compared field on which the two disagree.
type mismatch struct{ field, ours, python string }

// explain returns the allow-listed difference that covers mismatch m of c.
func explain(c oracleCase, m mismatch) *difference {
	for i, d := range differences {
		if slices.Contains(d.fields, m.field) && d.applies(c, m) {
			return &differences[i]
		}
	}
	return nil
}

// compare lists the fields on which netdiag and Python disagree for c.
func compare(c oracleCase) []mismatch {
	var out []mismatch
	check := func(field string, ours, python any) {
		o, p := fmt.Sprint(ours), fmt.Sprint(python)
		if o != p {
			out = append(out, mismatch{field, o, p})
		}
	}
	o, py := c.ours, c.py
	if o.Valid != py.Valid {
		return []mismatch{{"verdict", verdict(o.Valid, o.Error), verdict(py.Valid, py.Error)}}
	}
	if !o.Valid {
		return nil
	}
	a := py.Addr
	check("kind", o.Kind, py.Kind)
	check("version", o.Version, a.Version)
	check("compressed", o.Address, a.Str)
	check("exploded", o.Expanded, deref(a.Exploded))
	check("reverse_pointer", o.ReverseDNS, deref(a.ReversePointer))
	check("integer", o.Integer, a.Int)
	p := o.Properties
	check("is_unspecified", p.Unspecified, a.IsUnspecified)
	check("is_loopback", p.Loopback, a.IsLoopback)
	check("is_link_local", p.LinkLocal, a.IsLinkLocal)
	check("is_multicast", p.Multicast, a.IsMulticast)
	check("is_reserved", p.Reserved, a.IsReserved)
	check("is_global", p.Global, a.IsGlobal)
	check("is_private", !p.Global, a.IsPrivate)
	var mapped, sixToFour, teredo string
	if e := o.Embedded; e != nil {
		switch e.Kind {
		case netaddr.EmbedMapped:
			mapped = e.IPv4.String()
		case netaddr.Embed6to4:
			sixToFour = e.IPv4.String()
		case netaddr.EmbedTeredo:
			teredo = e.Server.String() + " " + e.IPv4.String()
		}
	}
	check("ipv4_mapped", mapped, deref(a.IPv4Mapped))
	check("sixtofour", sixToFour, deref(a.SixToFour))
	check("teredo", teredo, strings.Join(a.Teredo, " "))
	if pi := o.Prefix; pi != nil {
		check("network", pi.Network, py.Network+"/"+strconv.Itoa(py.PrefixLen))
		check("netmask", pi.Netmask, py.Netmask)
		check("hostmask", pi.Wildcard, py.Hostmask)
		last := pi.Broadcast
		if last == "" {
			last = pi.LastHost // no broadcast: IPv6, /31 and /32
		}
		check("broadcast", last, py.Broadcast)
		check("num_addresses", pi.Addresses, py.NumAddresses)
		check("first_host", pi.FirstHost, deref(py.FirstHost))
		if py.LastHost != nil {
			check("last_host", pi.LastHost, *py.LastHost)
		}
	}
	return out
}

func verdict(valid bool, err string) string {
	if valid {
		return "valid"
	}
	return "invalid (" + err + ")"
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
