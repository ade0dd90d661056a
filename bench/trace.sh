#!/usr/bin/env bash
# bench/trace.sh — "netdiag trace" versus "mtr -r" and "traceroute" on the
# same path: a chain of namespaces, five hops (four routers and the
# destination), every tool sending PROBES ICMP echo probes per hop (netdiag
# -c, mtr -c, traceroute -I -q), netdiag and mtr INTERVAL seconds apart.
# Each command runs whole, side by side in one hyperfine run, first on the
# healthy path, then with the destination silent (every probe past hop 4
# times out after TIMEOUT seconds, and the tools probe up to 30 hops).
# traceroute has no interval, so netdiag also runs with -i 0 beside it.
# Prints each one's median wall time and the ratios netdiag/mtr and
# netdiag -i 0/traceroute. mtr -r waits a grace time (about 5 s) after its
# last probe, which its figure includes.
# Target: netdiag probes every hop at once, so a report takes about
# PROBES x INTERVAL plus one round trip (healthy) or one TIMEOUT (silent);
# it should be faster than mtr and, once probes time out, than traceroute
# (whose answered probes cost only round trips).
#
#   bench/trace.sh                        # 10 probes per hop, 10 healthy and 3 silent runs
#   PROBES=5 RUNS=20 SILENT_RUNS=5 bench/trace.sh
#
# Needs root, hyperfine, iproute2, nftables, mtr (mtr-tiny), traceroute,
# python3 and Go. Nothing leaves the chain, which is
#
#   client ─ r1 ─ r2 ─ r3 ─ r4 ─ dst     link j: 10.93.j.0/24, the node after it .2
#
# with ICMP rate limiting off on every node (net.ipv4.icmp_ratelimit 0), so
# that all three tools get every answer. The namespaces are removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

PROBES=${PROBES:-10}
INTERVAL=${INTERVAL:-0.1}
TIMEOUT=${TIMEOUT:-1}
RUNS=${RUNS:-10}
SILENT_RUNS=${SILENT_RUNS:-3}
for tool in hyperfine ip nft mtr traceroute python3 go; do
	command -v "$tool" >/dev/null || { echo "bench/trace.sh needs $tool (./.ci/run installs the peers)" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench/trace.sh needs root (network namespaces; mtr -i below 1 s)" >&2; exit 2; }

tmp=$(mktemp -d)
p="nd-bench-trace-$$"
nodes=("$p-c" "$p-r1" "$p-r2" "$p-r3" "$p-r4" "$p-d")
cleanup() {
	for ns in "${nodes[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

bash bench/build.sh "$tmp/netdiag"

for ns in "${nodes[@]}"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
done
last=$((${#nodes[@]} - 1))
for j in $(seq 0 $((last - 1))); do
	a=${nodes[$j]} b=${nodes[$((j + 1))]}
	ip -n "$a" link add "l$j-a" type veth peer name "l$j-b" netns "$b"
	ip -n "$a" addr add "10.93.$j.1/24" dev "l$j-a"
	ip -n "$b" addr add "10.93.$j.2/24" dev "l$j-b"
	ip -n "$a" link set "l$j-a" up
	ip -n "$b" link set "l$j-b" up
done
# Node i has link i-1 below it and link i above it.
for i in $(seq 0 "$last"); do
	[ "$i" -lt "$last" ] && ip -n "${nodes[$i]}" route add default via "10.93.$i.2"
	for j in $(seq 0 $((i - 2))); do
		ip -n "${nodes[$i]}" route add "10.93.$j.0/24" via "10.93.$((i - 1)).1"
	done
done
dst=10.93.$((last - 1)).2
in_cl=(ip netns exec "${nodes[0]}")
for i in $(seq 50); do
	"${in_cl[@]}" ping -c1 -W1 "$dst" >/dev/null 2>&1 && break
	sleep 0.1
done

nd="${in_cl[*]} $tmp/netdiag trace -n -c $PROBES -i $INTERVAL -W $TIMEOUT $dst"
# traceroute has no interval: it sends its probes as fast as answers let
# it (-N 16 at a time). netdiag -i 0 sends its rounds back to back too.
nd0="${in_cl[*]} $tmp/netdiag trace -n -c $PROBES -i 0 -W $TIMEOUT $dst"
mtr="${in_cl[*]} mtr -r -n -c $PROBES -i $INTERVAL --timeout $TIMEOUT $dst"
tr="${in_cl[*]} traceroute -n -I -q $PROBES -w $TIMEOUT $dst"

# Every tool must see the whole path (five hops, every probe answered)
# before anything is timed.
hops() { # netdiag|mtr|traceroute OUTPUT: the hops that answered every probe
	python3 - "$1" "$2" "$PROBES" <<'PY'
import re, sys
tool, out, n = sys.argv[1], open(sys.argv[2]).read(), int(sys.argv[3])
full = 0
for line in out.splitlines():
    if tool == "netdiag":
        m = re.match(r"\s*(\d+)\s+(\S+)\s+([\d.]+)%\s+(\d+)", line)
        ok = m and m.group(3) == "0.0" and int(m.group(4)) == n
    elif tool == "mtr":
        m = re.match(r"\s*(\d+)\.\|-- (\S+)\s+([\d.]+)%\s+(\d+)", line)
        ok = m and float(m.group(3)) == 0 and int(m.group(4)) == n
    else:
        m = re.match(r"\s*(\d+)\s+(.*)", line)
        ok = m and not line.startswith("traceroute") and "*" not in m.group(2) and len(re.findall(r" ms", m.group(2))) == n
    full += bool(ok)
print(full)
PY
}
for tool in netdiag netdiag0 mtr traceroute; do
	case $tool in netdiag) cmd=$nd ;; netdiag0) cmd=$nd0 tool=netdiag ;; mtr) cmd=$mtr ;; *) cmd=$tr ;; esac
	$cmd >"$tmp/out" 2>&1 || { echo "$tool failed on the healthy path:" >&2; cat "$tmp/out" >&2; exit 1; }
	got=$(hops "$tool" "$tmp/out")
	[ "$got" -eq 5 ] || { echo "$tool: $got of 5 hops answered all $PROBES probes:" >&2; cat "$tmp/out" >&2; exit 1; }
done
echo "every tool saw 5 hops, $PROBES of $PROBES probes answered on each"

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
bench() { # name runs
	hyperfine -N --style basic -i --warmup 1 --runs "$2" --export-json "$tmp/$1.json" \
		-n "netdiag trace" "$nd" -n "mtr -r" "$mtr" -n "netdiag trace -i 0" "$nd0" -n "traceroute -I" "$tr" >/dev/null 2>&1
}
bench healthy "$RUNS"
ip netns exec "${nodes[$last]}" nft -f - <<NFT
table inet f {
	chain in { type filter hook input priority 0; iifname "l$((last - 1))-b" drop; }
}
NFT
code=0
$nd >"$tmp/out" 2>&1 || code=$?
[ "$code" -eq 1 ] || { echo "netdiag trace exited $code on the silent destination, want 1:" >&2; cat "$tmp/out" >&2; exit 1; }
bench silent "$SILENT_RUNS"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$tmp/healthy.json" "$tmp/silent.json" "$PROBES" "$INTERVAL" "$TIMEOUT" <<'PY'
import json, sys
probes, interval, timeout = sys.argv[3], sys.argv[4], sys.argv[5]
for label, path in ((f"healthy path, {probes} probes per hop, {interval} s apart", sys.argv[1]),
                    (f"destination silent (timeout {timeout} s, up to 30 hops)", sys.argv[2])):
    res = json.load(open(path))["results"]
    med = {r["command"]: r["median"] for r in res}
    print(f"{label}:")
    for r in res:
        print(f"  {r['command']:<20} median {r['median']*1000:8.1f} ms  (min {r['min']*1000:.1f}, max {r['max']*1000:.1f}, {len(r['times'])} runs)")
    print(f"  ratio netdiag/mtr (both -i {interval}) = {med['netdiag trace']/med['mtr -r']:.2f}, "
          f"netdiag -i 0/traceroute (both without an interval) = {med['netdiag trace -i 0']/med['traceroute -I']:.2f}")
PY
