package render

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair and returns its terminal side.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("opening /dev/ptmx (needed to test terminal detection): %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	slave, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slave.Close() })
	return slave
}

func TestIsTerminal(t *testing.T) {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for name, tc := range map[string]struct {
		w    any
		want bool
	}{
		"/dev/null (a character device, not a terminal)": {devnull, false},
		"pipe":            {w, false},
		"bytes.Buffer":    {&bytes.Buffer{}, false},
		"pseudo-terminal": {openPTY(t), true},
	} {
		if got := IsTerminal(tc.w.(interface{ Write([]byte) (int, error) })); got != tc.want {
			t.Errorf("%s: IsTerminal = %v, want %v", name, got, tc.want)
		}
	}
}

func TestColorOnlyOnTerminalWithoutNoColor(t *testing.T) {
	pty := openPTY(t)
	t.Setenv("NO_COLOR", "")
	if o := New(pty, false); !o.Color() || o.Style("x", Bold) != "\x1b[1mx\x1b[0m" {
		t.Errorf("terminal without NO_COLOR: color %v, style %q", o.Color(), o.Style("x", Bold))
	}
	if o := New(pty, true); o.Color() {
		t.Error("JSON mode must never color")
	}
	t.Setenv("NO_COLOR", "1")
	if o := New(pty, false); o.Color() || o.Style("x", Bold) != "x" {
		t.Error("NO_COLOR set: color must be off")
	}
	t.Setenv("NO_COLOR", "")
	if o := New(&bytes.Buffer{}, false); o.Color() {
		t.Error("a buffer is not a terminal: color must be off")
	}
}
