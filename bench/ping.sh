#!/usr/bin/env bash
# bench/ping.sh — sweep 127.0.0.0/22 (1,022 hosts, one echo request each)
# with "netdiag ping -g" and "fping -c1 -i 0 -g" side by side in one
# hyperfine run, as whole processes. Prints both medians, the ratio, and the
# CPU time (user + system) of each.
# Targets: netdiag's median at most 2x fping's, its CPU time at most 3x, and
# every host answered (both tools exit non-zero if one did not, and
# hyperfine stops on a failed run).
#
# The sweep runs twice: with raw sockets (root, as fping uses), and with
# unprivileged ICMP sockets in a scratch namespace whose
# net.ipv4.ping_group_range allows them (the host's sysctl is not touched).
# fping runs the same way in both. A static release build of netdiag is
# timed too, for reference.
#
#   bench/ping.sh
#   RUNS=50 WARMUP=10 bench/ping.sh
#
# Needs root, hyperfine, fping, iproute2, python3 and Go. Every packet goes
# to loopback (all of 127.0.0.0/8 answers on Linux); the namespace is
# removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-30}
WARMUP=${WARMUP:-5}
PREFIX=127.0.0.0/22
for tool in hyperfine fping ip python3 go; do
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

go build -o "$tmp/netdiag" .
# For reference: the release build (static, without urfave/cli's man-page
# generator, whose init alone costs ~0.5 ms of every run's start-up).
CGO_ENABLED=0 go build -tags urfave_cli_no_docs -o "$tmp/netdiag-static" .
nd="$tmp/netdiag ping -g $PREFIX --rate 0"
fp="fping -c1 -i 0 -g $PREFIX"
inns="ip netns exec $ns"

# Every host must answer, in both modes, before anything is timed.
for mode in --privileged "--unprivileged"; do
	pre=""
	[ "$mode" = --unprivileged ] && pre="$inns"
	alive=$($pre $nd $mode --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.read().splitlines()[-1])["alive"])')
	[ "$alive" -eq 1022 ] || { echo "netdiag $mode: only $alive of 1022 hosts answered" >&2; exit 1; }
done
answered=$($fp 2>&1 | grep -c ' : xmt/rcv/%loss = 1/1/0%')
[ "$answered" -eq 1022 ] || { echo "fping: only $answered of 1022 hosts answered" >&2; exit 1; }
echo "every host answered: netdiag (both socket modes) 1022/1022, fping 1022/1022"

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$tmp/result.json" \
	-n "netdiag (raw socket)" "$nd --privileged" \
	-n "fping" "$fp" \
	-n "netdiag (unprivileged, netns)" "$inns $nd --unprivileged" \
	-n "fping (netns)" "$inns $fp" \
	-n "netdiag static build (raw)" "$tmp/netdiag-static ping -g $PREFIX --rate 0 --privileged" >/dev/null 2>&1
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$tmp/result.json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
print(f"{'command':<32} {'median':>9} {'CPU (user+sys, mean)':>22}")
for name, r in res.items():
    print(f"{name:<32} {r['median']*1000:>7.2f}ms {(r['user']+r['system'])*1000:>20.2f}ms")
for nd, fp in (("netdiag (raw socket)", "fping"), ("netdiag (unprivileged, netns)", "fping (netns)"),
               ("netdiag static build (raw)", "fping")):
    a, b = res[nd], res[fp]
    wall = a["median"] / b["median"]
    cpu = (a["user"] + a["system"]) / (b["user"] + b["system"])
    ok = "meets" if wall <= 2 and cpu <= 3 else "misses"
    print(f"{nd} / {fp}: wall {wall:.2f}x (target <= 2), CPU {cpu:.2f}x (target <= 3): {ok} the targets")
PY
