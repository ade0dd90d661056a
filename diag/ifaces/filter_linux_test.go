package ifaces

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// TestNetnsFilters checks NAME..., --up, -4, -6, --brief, unknown names and
// bad flag combinations against the namespace, with iproute2 as the oracle
// for which interfaces each filter keeps.
func TestNetnsFilters(t *testing.T) {
	tn := buildTestNet(t)
	bin := []string{testnet.Binary(t)}
	names := func(res *Result) []string {
		var n []string
		for _, ifc := range res.Interfaces {
			n = append(n, ifc.Name)
		}
		return n
	}
	// ipNames lists the interfaces "ip -j args" shows in the namespace.
	ipNames := func(args ...string) []string {
		var links []ipLink
		mustJSON(t, []byte(testnet.MustRun(t, "ip", append([]string{"-n", tn.ns, "-j"}, args...)...)), &links)
		var n []string
		for _, l := range links {
			if l.Name != "" { // ip prints {} for links its filter drops
				n = append(n, l.Name)
			}
		}
		return n
	}
	routeFamilies := func(res *Result) []string {
		var f []string
		for _, r := range res.DefaultRoutes {
			f = append(f, r.Family+" "+r.Interface)
		}
		return f
	}

	t.Run("names", func(t *testing.T) {
		res := runJSON(t, tn.ns, bin, "dummy0", "veth0")
		if got := names(res); !slices.Equal(got, []string{"veth0", "dummy0"}) {
			t.Errorf("ifaces dummy0 veth0 shows %v, want veth0 and dummy0 in index order", got)
		}
		if got := routeFamilies(res); !slices.Equal(got, []string{"ipv4 veth0", "ipv6 veth0"}) {
			t.Errorf("default routes %v, want only those via veth0", got)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		r := runIfaces(t, tn.ns, bin, "veth0", "nope0", "nope1")
		want := `netdiag: no interfaces named "nope0", "nope1"; interfaces here: ` + strings.Join(ipNames("link"), ", ") + "\n"
		if r.Code != 1 || r.Stderr != want {
			t.Errorf("exit %d, stderr %q; want exit 1 and %q", r.Code, r.Stderr, want)
		}
		if !strings.Contains(r.Stdout, ": veth0 (veth)") || strings.Contains(r.Stdout, "dummy0") {
			t.Errorf("the known name should still be shown, alone:\n%s", r.Stdout)
		}
		r = runIfaces(t, tn.ns, bin, "--json", "nope0")
		if r.Code != 1 || r.Stdout != "" || !strings.Contains(r.Stderr, `no interface named "nope0"; interfaces here: lo, `) {
			t.Errorf("only unknown names: exit %d, stdout %q, stderr %q; want exit 1, nothing on stdout", r.Code, r.Stdout, r.Stderr)
		}
	})

	t.Run("up", func(t *testing.T) {
		res := runJSON(t, tn.ns, bin, "--up")
		if got, want := names(res), ipNames("link", "show", "up"); !slices.Equal(got, want) {
			t.Errorf("--up shows %v; ip link show up shows %v", got, want)
		}
		for _, ifc := range res.Interfaces {
			if !ifc.AdminUp {
				t.Errorf("--up shows %s, which is down", ifc.Name)
			}
		}
	})

	for _, fam := range []struct{ flag, family string }{{"-4", "ipv4"}, {"-6", "ipv6"}} {
		t.Run(fam.flag, func(t *testing.T) {
			res := runJSON(t, tn.ns, bin, fam.flag)
			if got, want := names(res), ipNames(fam.flag, "addr"); !slices.Equal(got, want) {
				t.Errorf("%s shows %v; ip %s addr shows %v", fam.flag, got, fam.flag, want)
			}
			for _, ifc := range res.Interfaces {
				for _, a := range ifc.Addresses {
					if a.Family != fam.family {
						t.Errorf("%s shows %s on %s", fam.flag, a.Address, ifc.Name)
					}
				}
			}
			if len(res.DefaultRoutes) == 0 {
				t.Errorf("%s shows no default route", fam.flag)
			}
			for _, r := range res.DefaultRoutes {
				if r.Family != fam.family {
					t.Errorf("%s shows default route %+v", fam.flag, r)
				}
			}
			// A name asked for stays, even without an address of the family.
			res = runJSON(t, tn.ns, bin, fam.flag, "veth3")
			if got := names(res); !slices.Equal(got, []string{"veth3"}) || len(res.Interfaces[0].Addresses) != 0 {
				t.Errorf("%s veth3 shows %+v, want veth3 without addresses", fam.flag, res.Interfaces)
			}
		})
	}

	t.Run("brief", func(t *testing.T) {
		r := runIfaces(t, tn.ns, bin, "--brief")
		ip := testnet.MustRun(t, "ip", "-n", tn.ns, "-br", "addr")
		got, want := strings.Split(strings.TrimSpace(r.Stdout), "\n"), strings.Split(strings.TrimSpace(ip), "\n")
		if r.Code != 0 || len(got) != len(want) {
			t.Fatalf("--brief: exit %d, %d lines; ip -br addr has %d:\n%s\n%s", r.Code, len(got), len(want), r.Stdout, ip)
		}
		for i := range got {
			g, w := strings.Fields(got[i]), strings.Fields(want[i])
			w[0], _, _ = strings.Cut(w[0], "@") // ip writes veth0@veth1
			if !slices.Equal(g, w) {
				t.Errorf("--brief line %q; ip -br addr says %q", got[i], want[i])
			}
		}
		// -br is accepted like ip's.
		if r2 := runIfaces(t, tn.ns, bin, "-br"); r2.Stdout != r.Stdout {
			t.Errorf("-br printed\n%s\nbut --brief printed\n%s", r2.Stdout, r.Stdout)
		}
	})

	t.Run("usage errors", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"-4", "-6"}, "netdiag: -4 and -6 exclude each other"},
			{[]string{"--brief", "--json"}, "netdiag: --brief and --json exclude each other"},
			{[]string{"veth0", "--up", "-4", "-6"}, "netdiag: -4 and -6 exclude each other"},
			{[]string{"--bogus"}, "netdiag: unknown flag --bogus\nRun 'netdiag ifaces --help' for usage."},
		} {
			testnet.Refused(t, fmt.Sprintf("ifaces %q", c.args), runIfaces(t, tn.ns, bin, c.args...), c.want)
		}
	})
}

// TestJSONSchema validates --json output (the namespace with each filter,
// and this machine) against testdata/ifaces.schema.json with Python's
// jsonschema, and checks that the validator rejects a broken document.
func TestJSONSchema(t *testing.T) {
	tn := buildTestNet(t)
	bin := []string{testnet.Binary(t)}
	testnet.RequireTools(t, "python3")
	if r := testnet.Run(t, 20*time.Second, "", "python3", "-c", "import jsonschema"); r.Code != 0 {
		t.Fatalf("this test needs Python's jsonschema module: apt-get install python3-jsonschema (./.ci/run installs it)\n%s", r.Stderr)
	}
	var docs []string
	for _, args := range [][]string{{}, {"-4"}, {"-6", "--up"}, {"veth0", "dummy1"}} {
		r := runIfaces(t, tn.ns, bin, append([]string{"--json"}, args...)...)
		docs = append(docs, r.Stdout)
	}
	docs = append(docs, runIfaces(t, "", bin, "--json").Stdout)
	validate := func(doc string) testnet.Result {
		const script = `import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
errs = [f"{list(e.absolute_path)}: {e.message}" for e in v.iter_errors(json.loads(sys.stdin.read()))]
print("\n".join(errs))
sys.exit(1 if errs else 0)`
		return testnet.Run(t, 30*time.Second, doc, "python3", "-c", script, "testdata/ifaces.schema.json")
	}
	for _, doc := range docs {
		if r := validate(doc); r.Code != 0 {
			t.Errorf("output does not match the schema:\n%s%s\ndocument: %s", r.Stdout, r.Stderr, doc)
		}
	}

	// The schema is strict: a missing field, an unknown field or a wrong
	// type must fail.
	var m map[string]any
	if err := json.Unmarshal([]byte(docs[0]), &m); err != nil {
		t.Fatal(err)
	}
	ifc := m["interfaces"].([]any)[0].(map[string]any)
	for _, mutate := range []func(){
		func() { delete(ifc, "mtu") },
		func() { ifc["mtu"] = "1500" },
		func() { ifc["colour"] = "blue" },
	} {
		mutate()
		b, _ := json.Marshal(m)
		if r := validate(string(b)); r.Code == 0 {
			t.Errorf("the schema accepts a broken document: %s", b)
		}
		json.Unmarshal([]byte(docs[0]), &m)
		ifc = m["interfaces"].([]any)[0].(map[string]any)
	}
}
