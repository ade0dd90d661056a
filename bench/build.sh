#!/usr/bin/env bash
# bench/build.sh OUT — builds netdiag to OUT as README.md's install line
# does, the release build every benchmark measures: static (CGO_ENABLED=0:
# no dynamic loader and libc to map at start, ~2 ms sooner on a VM) and
# without urfave/cli's Markdown and man renderer (urfave_cli_no_docs;
# netdiag writes its man pages itself), whose package init costs ~0.3 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
CGO_ENABLED=0 exec go build -tags urfave_cli_no_docs -o "$1" .
