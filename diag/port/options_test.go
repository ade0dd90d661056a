package port

import (
	"fmt"
	"strings"
	"testing"

	"netdiag/diag/exitcode"
)

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		args                  []string
		local, tcp, udp, all  bool
		lists, proto, errPart string
	}{
		{args: []string{"80", "ssh,20-21", "-"}, lists: "[80 20-22 1-65535]"},
		{args: []string{"8080"}, local: true, tcp: true, lists: "[8080]", proto: "tcp"},
		{args: []string{"8080"}, local: true, udp: true, lists: "[8080]", proto: "udp"},
		{args: []string{"8080"}, local: true, tcp: true, udp: true, lists: "[8080]"},
		{args: []string{"8080"}, all: true, lists: "[8080]"},
		{args: []string{"8080"}, udp: true, errPart: "add --local"},
		{args: nil, errPart: "give at least one port"},
		{args: []string{"80", "-5"}, errPart: "negative port"},
		{args: []string{"65536"}, errPart: "out of range"},
	} {
		opt, err := options(tc.args, tc.local, tc.tcp, tc.udp, tc.all)
		if tc.errPart != "" {
			if err == nil || exitcode.Code(err) != exitcode.Failure || !strings.Contains(err.Error(), tc.errPart) {
				t.Errorf("options(%q): %v, want a usage error containing %q", tc.args, err, tc.errPart)
			}
			continue
		}
		var lists []string
		for _, l := range opt.Lists {
			lists = append(lists, l.String())
		}
		if err != nil || fmt.Sprint(lists) != tc.lists || opt.Proto != tc.proto || opt.Local != tc.local || opt.All != tc.all {
			t.Errorf("options(%q, local %v tcp %v udp %v all %v) = %+v, %v", tc.args, tc.local, tc.tcp, tc.udp, tc.all, opt, err)
		}
	}
}
