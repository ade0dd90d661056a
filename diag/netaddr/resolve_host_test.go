package netaddr

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestResolveHost(t *testing.T) {
	for _, name := range []string{"invalid", "no-such-host.invalid", "X.INVALID."} {
		_, err := ResolveHost(context.Background(), nil, Host{Name: name}, AnyFamily)
		var re *ResolveError
		if !errors.As(err, &re) || re.Host != name || !strings.Contains(err.Error(), "RFC 6761") {
			t.Errorf("ResolveHost(%q) error = %v, want a *ResolveError naming RFC 6761", name, err)
		}
	}
	got, err := ResolveHost(context.Background(), nil, Host{Addr: netip.MustParseAddr("127.0.0.2")}, IPv4)
	if err != nil || len(got) != 1 || got[0] != netip.MustParseAddr("127.0.0.2") {
		t.Errorf("ResolveHost(127.0.0.2) = %v, %v", got, err)
	}
	got, err = ResolveHost(context.Background(), nil, Host{Name: "localhost"}, IPv4)
	if err != nil || len(got) == 0 || !got[0].IsLoopback() {
		t.Errorf("ResolveHost(localhost) = %v, %v; want a loopback address from /etc/hosts", got, err)
	}
}
