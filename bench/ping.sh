#!/usr/bin/env bash
# bench/ping.sh — ping sweeps with "netdiag ping" and fping side by side:
#
#   netdiag ping -c1 -a --rate 0 -g PREFIX    fping -q -c1 -i 0 -g PREFIX
#
# on 127.0.0.0/22 (1,022 hosts) and 127.0.0.0/16 (65,534 hosts), one echo
# request each, unpaced, as whole processes. Runs alternate between the two
# tools, so both see the same load. For each it prints the median wall time,
# CPU time (user + system) and peak RSS, and netdiag's ratios to fping.
# Targets (issue 15): /22 wall <= 1.2x; /16 wall, CPU and peak RSS <= 1.0x.
#
# The /22 also runs with unprivileged ICMP sockets in a scratch namespace
# whose net.ipv4.ping_group_range allows them (the host's sysctl is not
# touched); fping runs raw there as everywhere.
#
#   bench/ping.sh
#   RUNS=11 bench/ping.sh
#
# Needs root, fping, GNU time (/usr/bin/time), iproute2, python3 and Go.
# Every packet goes to loopback (all of 127.0.0.0/8 answers on Linux); the
# namespace is removed on exit. Before timing, each case checks that every
# host answered with both tools.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
for tool in fping ip python3 go /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench/ping.sh needs $tool (./.ci/run installs the peers)" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench/ping.sh needs root (raw sockets, a network namespace)" >&2; exit 2; }

tmp=$(mktemp -d)
ns="nd-bench-ping-$$"
cleanup() {
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" sysctl -qw net.ipv4.ping_group_range="0 2147483647"

bash bench/build.sh "$tmp/netdiag"
inns="ip netns exec $ns"

# measure NAME CMD...: one run, appending "wall user sys maxrss_kb" to
# $tmp/NAME: times from wait4's rusage (microseconds; GNU time's own share
# is the same for both tools), peak RSS from GNU time, whose small process
# forks the tool (a child forked from python would count python's RSS).
measure() {
	local name=${1//[^A-Za-z0-9]/_}
	shift
	python3 -c '
import os, subprocess, sys, time
t = time.perf_counter()
rss = sys.argv[1] + ".rss"
p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss] + sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
wall = time.perf_counter() - t
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit("a run failed: " + " ".join(sys.argv[2:]))
open(sys.argv[1], "a").write(f"{wall:.6f} {ru.ru_utime:.6f} {ru.ru_stime:.6f} {open(rss).read().split()[-1]}\n")
' "$tmp/$name" "$@"
}

# bench LABEL PREFIX HOSTS PRE MODE: check, then RUNS alternating runs of both tools.
bench() {
	local label=$1 prefix=$2 hosts=$3 pre=$4 mode=$5
	local nd="$tmp/netdiag ping -c1 -a --rate 0 -g $prefix $mode"
	local fp="fping -q -c1 -i 0 -g $prefix"
	local alive answered
	alive=$($pre $nd | wc -l)
	answered=$($pre $fp 2>&1 | grep -c ' : xmt/rcv/%loss = 1/1/0%' || true)
	if [ "$alive" -ne "$hosts" ] || [ "$answered" -ne "$hosts" ]; then
		echo "$label: netdiag $alive, fping $answered of $hosts hosts answered" >&2
		exit 1
	fi
	echo "$label: every host answered ($hosts/$hosts with both tools)"
	for _ in $(seq "$RUNS"); do
		# shellcheck disable=SC2086 # the commands are word lists
		measure "$label.netdiag" $pre $nd
		# shellcheck disable=SC2086
		measure "$label.fping" $pre $fp
	done
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; $RUNS runs each"
bench "/22 raw" 127.0.0.0/22 1022 "" --privileged
bench "/22 unprivileged (netns)" 127.0.0.0/22 1022 "$inns" --unprivileged
bench "/16 raw" 127.0.0.0/16 65534 "" --privileged
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$tmp" <<'PY'
import os, statistics, sys
tmp = sys.argv[1]
def medians(name):
    name = "".join(c if c.isalnum() else "_" for c in name)
    rows = [list(map(float, l.split())) for l in open(os.path.join(tmp, name)) if l[:1].isdigit()]
    wall = statistics.median(r[0] for r in rows)
    cpu = statistics.median(r[1] + r[2] for r in rows)
    rss = statistics.median(r[3] for r in rows) / 1024
    return wall, cpu, rss
targets = {"/22 raw": (1.2, None, None), "/22 unprivileged (netns)": (1.2, None, None), "/16 raw": (1.0, 1.0, 1.0)}
print(f"{'case':<26} {'tool':<8} {'wall (median)':>14} {'CPU user+sys':>13} {'peak RSS':>10}")
for case, (tw, tc, tr) in targets.items():
    nd, fp = medians(case + ".netdiag"), medians(case + ".fping")
    for tool, m in (("netdiag", nd), ("fping", fp)):
        print(f"{case:<26} {tool:<8} {m[0]*1000:>11.1f} ms {m[1]*1000:>10.1f} ms {m[2]:>7.1f} MB")
    ratios = [nd[k] / fp[k] if fp[k] else float("inf") for k in range(3)]
    verdict = []
    for name, r, t in zip(("wall", "CPU", "RSS"), ratios, (tw, tc, tr)):
        verdict.append(f"{name} {r:.2f}x" + (f" (target <= {t}: {'meets' if r <= t else 'misses'})" if t else ""))
    print(f"{case:<26} netdiag/fping: " + ", ".join(verdict))
PY
