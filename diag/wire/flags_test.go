package wire

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
)

// TestFileFlag opens --file: no flag is no file; a missing file or a
// directory is a usage error naming the command and the flag.
func TestFileFlag(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "data")
	if err := os.WriteFile(name, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := &cli.Command{Name: "client", Flags: []cli.Flag{&cli.StringFlag{Name: "file"}}}
	for _, tc := range []struct {
		args []string
		want string // "" for a file opened, "none" for no flag
	}{
		{nil, "none"},
		{[]string{"--file", name}, ""},
		{[]string{"--file", filepath.Join(dir, "missing")}, "tcp client: --file: open " + filepath.Join(dir, "missing") + ": no such file or directory"},
		{[]string{"--file", dir}, "tcp client: --file " + dir + " is a directory"},
	} {
		c, err := cliargs.Parse(cmd, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		f, err := FileFlag(c, "tcp client")
		switch {
		case tc.want == "none" && (f != nil || err != nil):
			t.Errorf("%q: %v, %v; want no file", tc.args, f, err)
		case tc.want == "" && (f == nil || err != nil):
			t.Errorf("%q: %v, %v; want the file", tc.args, f, err)
		case tc.want != "" && tc.want != "none" && (f != nil || err == nil || !strings.Contains(err.Error(), tc.want) || exitcode.Code(err) != exitcode.Failure):
			t.Errorf("%q: %v, %v; want a usage error %q", tc.args, f, err, tc.want)
		}
		if f != nil {
			f.Close()
		}
	}
}
