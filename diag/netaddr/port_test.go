package netaddr_test

import (
	"slices"
	"testing"

	"netdiag/diag/netaddr"
)

func TestParsePort(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want netaddr.Port
	}{
		{"0", 0}, {"22", 22}, {"65535", 65535}, {"ssh", 22}, {"SSH", 22}, {"http", 80}, {"www", 80}, {"ftp-data", 20},
	}
	for _, tt := range tests {
		if p, err := netaddr.ParsePort(tt.in); err != nil || p != tt.want {
			t.Errorf("ParsePort(%q) = %d, %v; want %d", tt.in, p, err, tt.want)
		}
	}
}

func TestParsePortErrors(t *testing.T) {
	t.Parallel()
	checkErrors(t, "ParsePort", netaddr.ParsePort, []errCase{
		{"65536", "invalid port \"65536\": out of range; ports are 0-65535"},
		{"99999999999", "invalid port \"99999999999\": out of range; ports are 0-65535"},
		{"abc", "invalid port \"abc\": not a port number or a known service name"},
		{"", "invalid port \"\": empty"},
		{"-1", "invalid port \"-1\": ports are 0-65535; a sign is not allowed"},
		{"+1", "invalid port \"+1\": ports are 0-65535; a sign is not allowed"},
		{" 80", "invalid port \" 80\": leading whitespace (a space)"},
		{"08", "invalid port \"08\": leading zero"},
		{"8x", "invalid port \"8x\": \"8x\" is not a number"},
	})
}

func TestParsePortList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		n        int
	}{
		{"80", "80", 1},
		{"1-1024", "1-1024", 1024},
		{"22,80,443,8000-8100", "22,80,443,8000-8100", 104},
		{"ssh,http", "22,80", 2},
		{"-", "1-65535", 65535},
		{"443,80,80,79-81", "79-81,443", 4},
		{"22, 80", "22,80", 2},
		{"ftp-data,ssh-http", "20,22-80", 60},
		{"0", "0", 1},
		{"1-10,11-20", "1-20", 20},
	}
	for _, tt := range tests {
		l, err := netaddr.ParsePortList(tt.in)
		if err != nil || l.String() != tt.want || l.Len() != tt.n {
			t.Errorf("ParsePortList(%q) = %s (%d ports), %v; want %s (%d)", tt.in, l, l.Len(), err, tt.want, tt.n)
		}
	}
}

func TestParsePortListErrors(t *testing.T) {
	t.Parallel()
	checkErrors(t, "ParsePortList", netaddr.ParsePortList, []errCase{
		{"0-", "invalid port list \"0-\": \"0-\": range without its end (write 0-65535, or - for all ports)"},
		{"80-20", "invalid port list \"80-20\": range \"80-20\" is reversed (start > end); write 20-80"},
		{"65536", "invalid port list \"65536\": port \"65536\": out of range; ports are 0-65535"},
		{"-1", "invalid port list \"-1\": \"-1\": negative port, or a range without its start; ports are 0-65535"},
		{"abc", "invalid port list \"abc\": port \"abc\": not a port number or a known service name"},
		{"", "invalid port list \"\": empty"},
		{"22,,80", "invalid port list \"22,,80\": empty item 2 (two commas in a row, or a leading or trailing comma)"},
		{",22", "invalid port list \",22\": empty item 1 (two commas in a row, or a leading or trailing comma)"},
		{"22,", "invalid port list \"22,\": empty item 2 (two commas in a row, or a leading or trailing comma)"},
		{"1-2-3", "invalid port list \"1-2-3\": \"1-2-3\": more than one \"-\""},
		{"ftp-data-http", "invalid port list \"ftp-data-http\": \"ftp-data-http\": more than one \"-\""},
		{"080", "invalid port list \"080\": port \"080\": leading zero"},
		{"+80", "invalid port list \"+80\": port \"+80\": ports are 0-65535; a sign is not allowed"},
		{"1-99999", "invalid port list \"1-99999\": range \"1-99999\": end \"99999\": out of range; ports are 0-65535"},
		{"x-80", "invalid port list \"x-80\": range \"x-80\": start \"x\": not a port number or a known service name"},
		{"-x", "invalid port list \"-x\": \"-x\": range without its start"},
		{"22,abc", "invalid port list \"22,abc\": port \"abc\": not a port number or a known service name"},
	})
}

func TestPortListAccessors(t *testing.T) {
	t.Parallel()
	l, err := netaddr.ParsePortList("22,80-82,443")
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Collect(l.All())
	want := []netaddr.Port{22, 80, 81, 82, 443}
	if !slices.Equal(got, want) {
		t.Errorf("All() = %v, want %v", got, want)
	}
	for p := netaddr.Port(0); p < 1000; p++ {
		if l.Contains(p) != slices.Contains(want, p) {
			t.Errorf("Contains(%d) = %v", p, l.Contains(p))
		}
	}
	if rs := l.Ranges(); len(rs) != 3 || rs[1] != (netaddr.PortRange{First: 80, Last: 82}) {
		t.Errorf("Ranges() = %v", rs)
	}
	for p := range netaddr.AllPorts().All() {
		if p != 1 {
			t.Errorf("AllPorts starts at %d, want 1", p)
		}
		break
	}
}

func TestPortClass(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p           netaddr.Port
		class, iana netaddr.PortClass
	}{
		{0, netaddr.ClassWellKnown, netaddr.IANASystem},
		{1023, netaddr.ClassWellKnown, netaddr.IANASystem},
		{1024, netaddr.ClassDynamic, netaddr.IANAUser},
		{49151, netaddr.ClassDynamic, netaddr.IANAUser},
		{49152, netaddr.ClassDynamic, netaddr.IANADynamic},
		{65535, netaddr.ClassDynamic, netaddr.IANADynamic},
	}
	for _, tt := range tests {
		if tt.p.Class() != tt.class || tt.p.IANARange() != tt.iana {
			t.Errorf("port %d: Class %s, IANARange %s; want %s, %s", tt.p, tt.p.Class(), tt.p.IANARange(), tt.class, tt.iana)
		}
	}
}
