#!/usr/bin/env bash
# bench/ip.sh — netdiag ip --valid - versus Python's ipaddress versus wc -l.
#
# Generates N (default 1,000,000) mixed valid and invalid address lines from
# a fixed seed (bench/ipgen: the generator the oracle tests use), then times,
# in one hyperfine run over the same file:
#   wc -l                       the floor: reading the file and counting lines
#   netdiag ip --valid -        strict validation, valid lines copied to stdout
#   python3 (ipaddress loop)    the same filter in Python
# and prints the medians and the ratios, and how many lines each kept.
#
# Usage: bench/ip.sh [LINES]     (RUNS=5 SEED=1 bench/ip.sh to change them)
# Needs go, python3 and hyperfine. Touches nothing outside a temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."

lines=${1:-1000000}
runs=${RUNS:-5}
seed=${SEED:-1}
for tool in go python3 hyperfine; do
	command -v "$tool" >/dev/null || { echo "bench/ip.sh needs $tool" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bash bench/build.sh "$tmp/netdiag"
go run ./bench/ipgen -n "$lines" -seed "$seed" >"$tmp/in.txt"

# The Python side reads bytes (a few generated lines are not UTF-8) and
# writes the kept lines unchanged, as netdiag does.
cat >"$tmp/filter.py" <<'PY'
import ipaddress
import sys

out = sys.stdout.buffer
for line in sys.stdin.buffer:
    s = line.rstrip(b"\n").decode("utf-8", "surrogateescape")
    try:
        if "/" in s:
            ipaddress.ip_network(s, strict=False)
        else:
            ipaddress.ip_address(s)
    except ValueError:
        continue
    out.write(line)
PY

# netdiag exits 1 when some lines are invalid: that is its answer.
{ "$tmp/netdiag" ip --valid - <"$tmp/in.txt" || [ $? -eq 1 ]; } >"$tmp/netdiag.out"
python3 "$tmp/filter.py" <"$tmp/in.txt" >"$tmp/python.out"
printf '%s lines, %s bytes (seed %s)\n' "$lines" "$(wc -c <"$tmp/in.txt")" "$seed"
python3 - "$tmp/netdiag.out" "$tmp/python.out" <<'PY'
import collections
import sys

nd = collections.Counter(open(sys.argv[1], "rb").read().split(b"\n"))
py = collections.Counter(open(sys.argv[2], "rb").read().split(b"\n"))
print(f"kept as valid: netdiag {sum(nd.values()) - 1}, python {sum(py.values()) - 1}")
why = collections.Counter()
for s, n in ((py - nd) + (nd - py)).items():
    addr, slash, bits = s.partition(b"/")
    if b"%" in s:
        why["zone characters"] += n
    elif slash and bits[:1] == b"0" and len(bits) > 1:
        why["prefix length with a leading zero"] += n
    elif slash and b"." in bits:
        why["netmask after the slash"] += n
    else:
        why["other: " + repr(s)] += n
print("lines only one of them kept, by README difference:", dict(why) or "none")
PY
printf 'load average before the timing: %s\n\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

# hyperfine runs each command through a shell and subtracts the shell's
# start-up time, so the redirections cost nothing.
hyperfine -w 1 -r "$runs" --export-json "$tmp/times.json" \
	-n 'wc -l' "wc -l < $tmp/in.txt > /dev/null" \
	-n 'netdiag ip --valid -' "$tmp/netdiag ip --valid - < $tmp/in.txt > /dev/null || [ \$? -eq 1 ]" \
	-n 'python3 ipaddress' "python3 $tmp/filter.py < $tmp/in.txt > /dev/null" >/dev/null 2>"$tmp/hyperfine.err" ||
	{ cat "$tmp/hyperfine.err" >&2; exit 2; }

python3 - "$tmp/times.json" <<'PY'
import json
import sys

res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
med = {k: v["median"] * 1000 for k, v in res.items()}
for k, v in res.items():
    print(f"{k:22s} median {med[k]:9.1f} ms   (min {v['min']*1000:.1f}, max {v['max']*1000:.1f}, {len(v['times'])} runs)")
nd, py, wc = med["netdiag ip --valid -"], med["python3 ipaddress"], med["wc -l"]
print()
print(f"netdiag is {py / nd:.1f}x faster than Python ipaddress (target: at least 100x)")
print(f"netdiag takes {nd / wc:.1f}x the time of wc -l (information only)")
PY
