#!/usr/bin/env bash
# bench/ifaces.sh — "netdiag ifaces --json" versus "ip -j addr" as whole
# processes (start-up, netlink dumps, JSON out), side by side in one
# hyperfine run. Prints each command's median and the ratio to "ip -j addr".
# Target: netdiag no slower than ip.
#
# netdiag does more work than "ip -j addr": it also reads the counters
# (IFLA_STATS64) and the routing table. "ip -j -s addr" (addresses and
# counters) is measured too, for reference, and so is the floor of any Go
# program: a hello world's start-up. netdiag is built twice: as a plain
# "go build" makes it (cgo, dynamically linked) and as the README's install
# line does (bench/build.sh: static, without urfave/cli's man-page
# generator, whose package init alone costs ~0.3 ms).
#
#   bench/ifaces.sh              # this machine's interfaces
#   IFACES=200 bench/ifaces.sh   # inside a scratch namespace holding 200 veth
#                                # interfaces with IPv4 and IPv6 addresses
#   RUNS=300 WARMUP=30 bench/ifaces.sh
#
# Needs hyperfine, iproute2, python3 and Go; IFACES needs root. Nothing is
# sent on any network; the namespace is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-200}
WARMUP=${WARMUP:-20}
IFACES=${IFACES:-0}
for tool in hyperfine ip python3 go; do
	command -v "$tool" >/dev/null || { echo "bench/ifaces.sh needs $tool (./.ci/run installs the peers)" >&2; exit 2; }
done

tmp=$(mktemp -d)
ns=""
cleanup() {
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/netdiag" .
bash bench/build.sh "$tmp/netdiag-static"
mkdir "$tmp/hello"
printf 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("{}\\n") }\n' >"$tmp/hello/main.go"
(cd "$tmp/hello" && printf 'module hello\n\ngo 1.26\n' >go.mod && CGO_ENABLED=0 go build -o hello .)
prefix=()
if [ "$IFACES" -gt 0 ]; then
	[ "$(id -u)" -eq 0 ] || { echo "IFACES=$IFACES needs root (it builds a network namespace)" >&2; exit 2; }
	ns="nd-bench-ifaces-$$"
	ip netns add "$ns"
	{
		echo "link set lo up"
		for ((i = 0; i < IFACES / 2; i++)); do
			a=$((i / 250)) b=$((i % 250))
			echo "link add bv$i type veth peer name bp$i"
			echo "addr add 10.$a.$b.1/30 dev bv$i"
			echo "addr add 10.$a.$b.2/30 dev bp$i"
			echo "addr add fd00:$a:$b::1/64 dev bv$i nodad"
			echo "link set bv$i up"
			echo "link set bp$i up"
		done
	} | ip -n "$ns" -batch -
	prefix=(ip netns exec "$ns")
	echo "namespace $ns: $(ip -n "$ns" -o link | wc -l) interfaces"
else
	echo "this machine: $(ip -o link | wc -l) interfaces"
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

run() { local c="${prefix[*]} $*"; echo "${c# }"; }
hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$tmp/result.json" \
	-n "netdiag ifaces --json" "$(run "$tmp/netdiag" ifaces --json)" \
	-n "netdiag (static build)" "$(run "$tmp/netdiag-static" ifaces --json)" \
	-n "ip -j addr" "$(run ip -j addr)" \
	-n "ip -j -s addr" "$(run ip -j -s addr)" \
	-n "Go hello world (floor)" "$(run "$tmp/hello/hello")" >/dev/null 2>&1

python3 - "$tmp/result.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
med = {r["command"]: r["median"] for r in results}
base = med["ip -j addr"]
print(f"{'command':<24} {'median':>10} {'ratio to ip -j addr':>20}")
for r in results:
    print(f"{r['command']:<24} {r['median']*1000:>8.2f}ms {r['median']/base:>19.2f}x")
for name in ("netdiag ifaces --json", "netdiag (static build)"):
    ratio = med[name] / base
    verdict = "meets" if ratio <= 1.0 else "misses"
    print(f"{name}: netdiag/ip = {ratio:.2f}, {verdict} the target (no slower than ip -j addr)")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
