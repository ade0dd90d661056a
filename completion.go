package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
)

// bashCompletion is urfave/cli v2's autocomplete/bash_autocomplete script,
// bound to netdiag. It asks the binary itself for candidates through the
// hidden --generate-bash-completion flag.
const bashCompletion = `# netdiag bash completion: source <(netdiag completion bash)
_netdiag_complete() {
  local cur words cword
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=("${COMP_WORDS[@]:0:$COMP_CWORD}")
  local request="${words[*]}"
  if [[ "$cur" == "-"* ]]; then request="$request $cur"; fi
  local opts
  opts=$(eval "$request --generate-bash-completion" 2>/dev/null)
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o bashdefault -o default -o nospace -F _netdiag_complete netdiag
`

// zshCompletion is urfave/cli v2's autocomplete/zsh_autocomplete, bound to
// netdiag.
const zshCompletion = `#compdef netdiag
# netdiag zsh completion: source <(netdiag completion zsh)
_netdiag_complete() {
  local -a opts
  local cur
  cur=${words[-1]}
  if [[ "$cur" == "-"* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _netdiag_complete netdiag
`

// completionCommand prints a shell completion script for bash, zsh or fish.
func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh or fish)",
		ArgsUsage: "bash|zsh|fish",
		Description: "Load completion in the current shell:\n" +
			"  source <(netdiag completion bash)\n" +
			"  source <(netdiag completion zsh)\n" +
			"  netdiag completion fish | source",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return exitcode.Usagef("completion: want one shell name: bash, zsh or fish")
			}
			var script string
			switch shell := c.Args().First(); shell {
			case "bash":
				script = bashCompletion
			case "zsh":
				script = zshCompletion
			case "fish":
				s, err := c.App.ToFishCompletion()
				if err != nil {
					return fmt.Errorf("generating fish completion: %w", err)
				}
				script = s
			default:
				return exitcode.Usagef("completion: unknown shell %q; want bash, zsh or fish", shell)
			}
			_, err := fmt.Fprint(c.App.Writer, script)
			return err
		},
	}
}
