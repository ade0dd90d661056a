package netaddr_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"netdiag/diag/netaddr"
)

// TestServicesTableHasEtcServices proves the embedded, generated services
// table is at least as complete as this machine's /etc/services (Debian
// netbase): every entry there — name, port, protocol and aliases — is in the
// table. It reads the file with its own parser, not the generator's.
func TestServicesTableHasEtcServices(t *testing.T) {
	f, err := os.Open("/etc/services")
	if err != nil {
		t.Fatalf("this test compares the embedded services table with /etc/services, which cannot be read: %v\n"+
			"install it: apt-get install netbase (./.ci/run does)", err)
	}
	defer f.Close()
	entries := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if len(fields) < 2 {
			t.Errorf("/etc/services:%d: %q has no port/protocol", n, sc.Text())
			continue
		}
		slash := strings.IndexByte(fields[1], '/')
		port, err := strconv.ParseUint(fields[1][:max(slash, 0)], 10, 16)
		if slash < 0 || err != nil {
			t.Errorf("/etc/services:%d: bad port/protocol %q", n, fields[1])
			continue
		}
		name, proto, aliases := fields[0], fields[1][slash+1:], fields[2:]
		entries++
		i := slices.IndexFunc(netaddr.ServicesByPort(netaddr.Port(port)), func(s netaddr.Service) bool {
			return s.Name == name && s.Proto == proto
		})
		if i < 0 {
			t.Errorf("/etc/services:%d: %s %d/%s is missing from the embedded table", n, name, port, proto)
			continue
		}
		if got := netaddr.ServicesByPort(netaddr.Port(port))[i].Aliases; !slices.Equal(got, aliases) && len(got)+len(aliases) > 0 {
			t.Errorf("/etc/services:%d: %s %d/%s: table has aliases %q, file has %q", n, name, port, proto, got, aliases)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading /etc/services: %v", err)
	}
	// netbase 6.4 has 318; a file with far fewer is not the one we compare with.
	if entries < 300 {
		t.Errorf("/etc/services has only %d entries; is it Debian netbase's?", entries)
	}
	t.Logf("checked %d entries of /etc/services", entries)
}

// TestServicesTableIsGenerated proves services_table.go is exactly what
// `go generate` makes from services.txt: nobody edited it by hand and nobody
// forgot to regenerate it.
func TestServicesTableIsGenerated(t *testing.T) {
	out := filepath.Join(t.TempDir(), "services_table.go")
	cmd := exec.Command("go", "run", "gen_services.go", "-in", "services.txt", "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen_services.go: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("services_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("services_table.go differs from what gen_services.go makes of services.txt: run go generate ./diag/netaddr")
	}
}
