#!/usr/bin/env bash
# bench/udp.sh — "netdiag udp client" into "netdiag udp server --discard"
# against iperf3 -u and socat, side by side in one run, on 127.0.0.1 only.
#
#   For each payload SIZE (64 and 1,400 bytes), COUNT datagrams are sent
#   as fast as the sender can:
#     netdiag  udp client --file F --size SIZE  ->  udp server --discard
#     iperf3   -c -u -b 0 -l SIZE -k COUNT      ->  iperf3 -s
#     socat    -b SIZE -u OPEN:F UDP:…          ->  socat -u UDP-RECV:… (bytes counted)
#   Each run reports datagrams sent (sender's count), received (receiver's
#   count), lost (the difference) and the sender's rate in datagrams/s.
#   Prints the medians and netdiag's ratio to iperf3. Target: >= 0.8x
#   iperf3's rate, with the counts of both ends exact (sent - received =
#   lost, as each end counted it).
#
# Usage: bench/udp.sh            RUNS=5 COUNT=200000 bench/udp.sh
# Needs go, iperf3, socat and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
COUNT=${COUNT:-200000}
for tool in go iperf3 socat python3; do
	command -v "$tool" >/dev/null || { echo "bench/udp.sh needs $tool (./.ci/run installs the peers)" >&2; exit 2; }
done

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
bash bench/build.sh "$tmp/netdiag"
nd=$tmp/netdiag

freeport() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitbound() { # waits until UDP port $1 is bound (at most 10 s)
	for _ in $(seq 100); do ss -Hlun "sport = :$1" | grep -q . && return; sleep 0.1; done
	echo "nothing bound port $1" >&2; exit 1
}
json() { python3 -c "import json,sys; d=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; $1" "$2"; }

# Each function prints "sent received rate" for one run of SIZE.
run_netdiag() {
	local size=$1 port; port=$(freeport)
	"$nd" udp server --discard -l 127.0.0.1 -p "$port" --json </dev/null >"$tmp/srv.json" & local spid=$!; pids+=("$spid")
	waitbound "$port"
	"$nd" udp client --file "$tmp/f$size" --size "$size" --wait 0 --json "127.0.0.1:$port" >"$tmp/cli.json"
	kill -INT "$spid"; wait "$spid" || true
	local sent rate recv
	read -r sent rate < <(json "s=[e for e in d if e['type']=='summary'][0]; print(s['datagrams_out'], round(s['datagrams_out']/s['duration_s']))" "$tmp/cli.json")
	recv=$(json "print([e for e in d if e['type']=='summary'][0]['datagrams_in'])" "$tmp/srv.json")
	echo "$sent $recv $rate"
}
run_iperf3() {
	local size=$1 port; port=$(freeport)
	iperf3 -s -1 -B 127.0.0.1 -p "$port" --json >"$tmp/isrv.json" & local spid=$!; pids+=("$spid")
	for _ in $(seq 100); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.1; done
	iperf3 -c 127.0.0.1 -p "$port" -u -b 0 -l "$size" -k "$COUNT" --json >"$tmp/icli.json"
	wait "$spid" || true
	python3 - "$tmp/icli.json" "$tmp/isrv.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2]))
cs = c["end"]["sum"]; ss = s["end"]["sum"]
sent = cs["packets"]; recv = ss["packets"] - ss["lost_packets"]
print(sent, recv, round(sent / cs["seconds"]))
PY
}
run_socat() {
	local size=$1 port; port=$(freeport)
	socat -u "UDP4-RECV:$port,bind=127.0.0.1,rcvbuf=212992" - >"$tmp/socat.out" & local spid=$!; pids+=("$spid")
	waitbound "$port"
	local t0 t1; t0=$(date +%s.%N)
	socat -b "$size" -u "OPEN:$tmp/f$size" "UDP4:127.0.0.1:$port"
	t1=$(date +%s.%N)
	sleep 0.2 # let the receiver drain its socket before it is stopped
	kill "$spid"; wait "$spid" 2>/dev/null || true
	local bytes; bytes=$(stat -c %s "$tmp/socat.out")
	# socat reads the file SIZE bytes at a time: one datagram per read
	python3 -c "import sys; n=$COUNT; print(n, $bytes//$size, round(n/($t1-$t0)))"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-6s %-8s %10s %10s %8s %12s\n' size tool sent received lost datagrams/s
for size in 64 1400; do
	head -c $((size * COUNT)) /dev/zero | tr '\0' 'x' >"$tmp/f$size"
	for tool in netdiag iperf3 socat; do
		: >"$tmp/runs"
		for _ in $(seq "$RUNS"); do "run_$tool" "$size" >>"$tmp/runs"; done
		rate=$(awk '{print $3}' "$tmp/runs" | median)
		line=$(awk -v r="$rate" '$3==r' "$tmp/runs" | head -1)
		read -r sent recv _ <<<"$line"
		printf '%-6s %-8s %10s %10s %8s %12s\n' "$size" "$tool" "$sent" "$recv" $((sent - recv)) "$rate"
		echo "$rate" >"$tmp/rate.$tool.$size"
	done
	awk -v a="$(cat "$tmp/rate.netdiag.$size")" -v b="$(cat "$tmp/rate.iperf3.$size")" -v s="$size" \
		'BEGIN {printf "%-6s netdiag/iperf3 = %.2fx (target >= 0.8x)\n", s, a/b}'
done
