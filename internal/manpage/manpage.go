// Package manpage writes man(7) pages from the urfave/cli command tree, so
// the manual cannot drift from the flags: one page for the program and one
// per command ("netdiag-ping.1", "netdiag-tcp-server.1"). The output is
// plain ASCII roff that mandoc -T lint and groff -ww accept without a
// warning: other characters become \[uXXXX] escapes.
package manpage

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// Date is the date every page carries. It changes only when the pages are
// regenerated on purpose, so that a stale-page test compares like with
// like.
const Date = "2026-12-07"

// Page is one generated manual page.
type Page struct {
	Name string // the file name, "netdiag-ping.1"
	Text []byte
}

// Pages returns the program's page and one per command (and subcommand),
// hidden commands excepted.
func Pages(app *cli.App) []Page {
	var pages []Page
	var names []string
	each(app, func(path []string, c *cli.Command) {
		pages = append(pages, Page{Name: strings.Join(path, "-") + ".1", Text: commandPage(app, path, c)})
		names = append(names, strings.Join(path, "-"))
	})
	return append([]Page{{Name: app.Name + ".1", Text: appPage(app, names)}}, pages...)
}

// each calls f for every command and subcommand that has a page, with its
// path from the program's name.
func each(app *cli.App, f func(path []string, c *cli.Command)) {
	var walk func(path []string, cmds []*cli.Command)
	walk = func(path []string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Hidden || c.Name == "help" {
				continue
			}
			p := append(append([]string{}, path...), c.Name)
			f(p, c)
			walk(p, c.Subcommands)
		}
	}
	walk([]string{app.Name}, app.Commands)
}

func appPage(app *cli.App, pages []string) []byte {
	var w writer
	w.header(app.Name, app.Version)
	w.section("NAME")
	w.text(app.Name + " - " + app.Usage)
	w.section("SYNOPSIS")
	w.line(".B " + esc(app.Name))
	w.line(esc("COMMAND [OPTIONS] [ARGUMENTS]"))
	w.section("DESCRIPTION")
	w.paragraphs(app.Description)
	w.section("COMMANDS")
	each(app, func(path []string, c *cli.Command) {
		w.line(".TP")
		w.line(".B " + esc(strings.Join(path[1:], " ")))
		w.text(c.Usage + " (see " + strings.Join(path, "-") + "(1))")
	})
	w.section("SEE ALSO")
	for i, p := range pages {
		r := ".BR " + esc(p) + " (1)"
		if i < len(pages)-1 {
			r += " ,"
		}
		w.line(r)
	}
	return w.bytes()
}

func commandPage(app *cli.App, path []string, c *cli.Command) []byte {
	var w writer
	name := strings.Join(path, "-")
	w.header(name, app.Version)
	w.section("NAME")
	w.text(name + " - " + c.Usage)
	w.section("SYNOPSIS")
	switch {
	case c.UsageText != "":
		w.line(".nf")
		for _, l := range strings.Split(c.UsageText, "\n") {
			w.line(esc(l))
		}
		w.line(".fi")
	case len(c.Subcommands) > 0:
		w.line(".B " + esc(strings.Join(path, " ")))
		w.line(esc("SUBCOMMAND [OPTIONS]"))
	default:
		w.line(".B " + esc(strings.Join(path, " ")))
		w.line(esc(strings.TrimSpace("[OPTIONS] " + c.ArgsUsage)))
	}
	if c.Description != "" {
		w.section("DESCRIPTION")
		w.paragraphs(c.Description)
	}
	if len(c.Subcommands) > 0 {
		w.section("COMMANDS")
		for _, s := range c.Subcommands {
			if s.Hidden || s.Name == "help" {
				continue
			}
			w.line(".TP")
			w.line(".B " + esc(s.Name))
			w.text(s.Usage + " (see " + name + "-" + s.Name + "(1))")
		}
	}
	if len(c.Flags) > 0 {
		w.section("OPTIONS")
		for _, f := range c.Flags {
			w.flag(f)
		}
		w.line(".TP")
		w.line(`.B \-h ", " \-\-help`)
		w.text("show the command's help")
	}
	w.section("SEE ALSO")
	w.line(".BR " + esc(app.Name) + " (1)")
	return w.bytes()
}

// writer builds a page line by line.
type writer struct {
	sb strings.Builder
	// fresh is true right after a section heading, where a paragraph
	// macro is redundant (mandoc warns of it).
	fresh bool
}

func (w *writer) bytes() []byte { return []byte(w.sb.String()) }

func (w *writer) line(s string) {
	w.fresh = false
	w.sb.WriteString(s + "\n")
}

// para starts a paragraph, unless one starts anyway after a heading.
func (w *writer) para() {
	if !w.fresh {
		w.line(".PP")
	}
}

func (w *writer) header(name, version string) {
	w.line(fmt.Sprintf(".TH %s 1 %s %s %s", quote(strings.ToUpper(name)), `"`+Date+`"`, quote("netdiag "+version), quote("netdiag manual")))
	w.line(".ad l") // ragged right: long values (bucket lists) would not justify
}

func (w *writer) section(s string) {
	w.line(".SH " + s)
	w.fresh = true
}

// text writes s as filled text.
func (w *writer) text(s string) {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			w.line(esc(l))
		}
	}
}

// paragraphs writes a cli description: blank lines part paragraphs, and
// indented lines (examples, tables) are kept as they are.
func (w *writer) paragraphs(s string) {
	first, literal := true, false
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		indented := strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")
		switch {
		case strings.TrimSpace(l) == "":
			if literal {
				w.line(".fi")
				literal = false
			}
			first = true
			continue
		case indented && !literal:
			w.para()
			w.line(".nf")
			w.line(".RS 4")
			literal, first = true, false
		case !indented && literal:
			w.line(".RE")
			w.line(".fi")
			literal, first = false, true
		}
		if first {
			w.para()
			first = false
		}
		if literal {
			w.line(esc(strings.TrimLeft(l, " \t")))
		} else {
			w.line(esc(strings.TrimSpace(l)))
		}
	}
	if literal {
		w.line(".RE")
		w.line(".fi")
	}
}

// flag writes one option as a tagged paragraph.
func (w *writer) flag(f cli.Flag) {
	d, ok := f.(cli.DocGenerationFlag)
	if !ok {
		return
	}
	if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() || f.Names()[0] == "help" {
		return // hidden, or the help flag a running app adds (written once, at the end)
	}
	usage, value := unquote(d.GetUsage())
	if value == "" && d.TakesValue() {
		value = "VALUE"
	}
	names := f.Names()
	// Long name first, then its aliases, as the help does.
	var parts []string
	for _, n := range names {
		dash := `\-`
		if len(n) > 1 {
			dash = `\-\-`
		}
		p := `\fB` + dash + esc(n) + `\fR`
		if value != "" {
			p += ` \fI` + esc(value) + `\fR`
		}
		parts = append(parts, p)
	}
	w.line(".TP")
	w.line(strings.Join(parts, ", "))
	if def := d.GetDefaultText(); d.TakesValue() && def != "" && def != `""` && def != "0" && def != "[]" {
		usage += " (default: " + def + ")"
	}
	w.text(usage)
}

// unquote splits a usage string into its text, without the backquotes, and
// the value name between them ("wait `SECONDS`" → "wait SECONDS", "SECONDS").
func unquote(u string) (usage, value string) {
	before, rest, ok := strings.Cut(u, "`")
	if !ok {
		return u, ""
	}
	value, after, ok := strings.Cut(rest, "`")
	if !ok {
		return u, ""
	}
	return before + value + after, value
}

// quote writes a .TH argument.
func quote(s string) string { return `"` + esc(s) + `"` }

// esc makes s safe as roff text: backslashes and hyphens escaped, break
// points after commas, a line
// that would start a request guarded, and non-ASCII characters as \[uXXXX].
func esc(s string) string {
	var sb strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			sb.WriteString(`\e`)
		case r == '-':
			sb.WriteString(`\-`)
		case r == ',':
			sb.WriteString(`,\:`) // a place to break a long list without spaces
		case r == '\t':
			sb.WriteString("    ")
		case r < 0x20:
		case r > 0x7e:
			fmt.Fprintf(&sb, `\[u%04X]`, r)
		default:
			sb.WriteRune(r)
		}
	}
	out := sb.String()
	if strings.HasPrefix(out, ".") || strings.HasPrefix(out, "'") {
		out = `\&` + out
	}
	return out
}
