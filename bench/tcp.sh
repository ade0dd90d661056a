#!/usr/bin/env bash
# bench/tcp.sh — "netdiag tcp server/client" against the tools they compete
# with, side by side in one run, on 127.0.0.1 only. Prints each side's
# median and the ratio.
#
#   throughput   netdiag tcp client --file F (a sparse SIZE file, sendfile)
#                into netdiag tcp server --discard, versus iperf3 -c -n SIZE
#                into iperf3 -s. Target: netdiag >= 1.0x iperf3 (issue 15).
#                For reference: iperf3 -Z (its sendfile mode) and iperf3 -F F
#                (the same file). Plain iperf3 re-sends one 128 KiB buffer
#                that stays in the CPU cache; a multi-GB file comes from RAM.
#                Beside each: the sender's SO_SNDBUF/SO_RCVBUF and TCP_INFO
#                at its end (netdiag --info; iperf3's JSON), and one ss -ti
#                sample of both sockets in the middle of the transfer.
#   concurrency  CLIENTS clients x ROUNDS echo round trips of 64 bytes
#                (bench/tcpbench load) against netdiag tcp server --echo
#                --json >FILE (every data line written to a file), versus
#                a bare io.Copy echo server (bench/tcpbench echo). Target:
#                >= 0.95x its round-trip rate; p99 latency reported. Also
#                the same server with stdout on /dev/null, where it formats
#                no data line at all.
#   idle         IDLE connections that send nothing, held by netdiag tcp
#                server --json >/dev/null: its RSS. Target: < 150 MB for
#                10,000. For reference, the RSS of the bare echo server in
#                its -plain form (a 32 KiB buffer per connection): the
#                io.Copy form splices through a pipe per connection, 3 fds
#                each, and cannot hold 10,000 under a 20,000-fd limit.
#
# Usage: bench/tcp.sh [throughput|concurrency|idle|all]     (default all)
#        RUNS=5 SIZE=8G CLIENTS=1000 ROUNDS=100 IDLE=10000 bench/tcp.sh
# Needs go, iperf3 and python3; IDLE needs an open-files hard limit above
# IDLE + 100 (each side raises its soft limit to the hard one).
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-all}
RUNS=${RUNS:-3}
SIZE=${SIZE:-4G}
CLIENTS=${CLIENTS:-1000}
ROUNDS=${ROUNDS:-100}
IDLE=${IDLE:-10000}
for tool in go iperf3 python3; do
	command -v "$tool" >/dev/null || { echo "bench/tcp.sh needs $tool (./.ci/run installs the peers)" >&2; exit 2; }
done

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

bash bench/build.sh "$tmp/netdiag"
go build -o "$tmp/tcpbench" ./bench/tcpbench
nd=$tmp/netdiag

# json FILE EXPR: evaluate a Python expression over the JSON line(s) in FILE
# (ev: the last line whose "type" is the expression's first word, or the
# whole document).
field() { python3 -c 'import json,sys; print(eval(sys.argv[2], {"d": json.load(open(sys.argv[1]))}))' "$@"; }
lastevent() { python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ev = [e for e in evs if e.get("type") == sys.argv[2]][-1]
print(ev[sys.argv[3]])' "$@"; }
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
ratio() { python3 -c 'import sys; print(f"{float(sys.argv[1])/float(sys.argv[2]):.2f}")' "$@"; }
# pairratio "A1 A2 ..." "B1 B2 ...": the median of the run-by-run ratios
# Ai/Bi. Each pair ran back to back, so this suffers less from the load of
# a shared machine drifting between runs than the ratio of the medians.
pairratio() { python3 -c 'import statistics,sys; a,b=(list(map(float,x.split())) for x in sys.argv[1:3]); print(f"{statistics.median(x/y for x,y in zip(a,b)):.2f}")' "$@"; }
gbit() { python3 -c 'import sys; print(f"{float(sys.argv[1])/1e9:.2f} Gbit/s")' "$1"; }

# start_nd ARGS...: run netdiag tcp server -l 127.0.0.1 -p 0 --json ARGS in
# the background, events to $tmp/srv.json; sets nd_pid and nd_port.
start_nd() {
	: >"$tmp/srv.json" # emptied here: the background job truncates it too late
	"$nd" tcp server -l 127.0.0.1 -p 0 --json "$@" >"$tmp/srv.json" &
	nd_pid=$!
	pids+=("$nd_pid")
	nonempty "$tmp/srv.json"
	nd_port=$(head -1 "$tmp/srv.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["addrs"][0].rsplit(":",1)[1])')
}
# nonempty FILE: wait until FILE has something in it, at most 10 s.
nonempty() {
	for _ in $(seq 200); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	echo "$1 is still empty after 10s" >&2
	exit 1
}
# listening PORT: wait until something listens on the TCP port (without
# connecting to it), at most 10 s.
listening() {
	for _ in $(seq 200); do
		"$nd" port --local --tcp -q "$1" && return 0
		sleep 0.05
	done
	echo "nothing listens on port $1 after 10s" >&2
	exit 1
}
stop() { kill -INT "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# sample_ss PORT FILE: once the transfer to 127.0.0.1:PORT has run 0.5 s,
# ss -ti of its two sockets (sender: dport, receiver: sport) into FILE.
sample_ss() {
	sleep 0.5
	{
		echo "ss -tim, sender:   $(ss -HtimO state established "( dport = :$1 )" | busiest | ssfields)"
		echo "ss -tim, receiver: $(ss -HtimO state established "( sport = :$1 )" | busiest | ssfields)"
	} >"$2"
}
# busiest: of ss -O lines, the socket that moved the most bytes (iperf3's
# data connection, not its control one).
busiest() { awk '{ b = 0; if (match($0, /bytes_(acked|received):[0-9]+/)) { b = substr($0, RSTART, RLENGTH); sub(/.*:/, "", b); b += 0 } if (b >= max) { max = b; l = $0 } } END { print l }'; }
ssfields() { grep -oE 'skmem:\([^)]*\)|rtt:[^ ]+|cwnd:[0-9]+|delivery_rate [^ ]+|rcv_space:[0-9]+|rcv_ssthresh:[0-9]+|snd_wnd:[0-9]+|retrans:[^ ]+' | tr '\n' ' '; }
# sockets ND_CLIENT_JSON IPERF3_JSON: the senders' buffers and TCP_INFO at
# the end of the transfer, netdiag's from --info, iperf3's from its JSON.
sockets() { python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
s = [e for e in evs if e.get("type") == "summary"][-1]["socket"]
ti = s.get("tcp_info", {})
print("    netdiag sender: SO_SNDBUF %s SO_RCVBUF %s, TCP_INFO rtt %.0f us, cwnd %s x mss %s, total_retrans %s" % (
    s.get("sndbuf"), s.get("rcvbuf"), ti.get("rtt_s", 0) * 1e6, ti.get("snd_cwnd"), ti.get("snd_mss"), ti.get("total_retrans")))
d = json.load(open(sys.argv[2]))
st, snd = d["start"], d["end"]["streams"][0]["sender"]
print("    iperf3 sender:  SO_SNDBUF %s SO_RCVBUF %s (at connect), rtt %s us mean, max cwnd %s bytes, retransmits %s, %s" % (
    st.get("sndbuf_actual"), st.get("rcvbuf_actual"), snd.get("mean_rtt"), snd.get("max_snd_cwnd"), snd.get("retransmits"), d["end"].get("sender_tcp_congestion")))
' "$@"; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r)"

throughput() {
	truncate -s "$SIZE" "$tmp/big"
	cat "$tmp/big" >/dev/null # page cache warm: every run reads from memory, like iperf3
	local bytes
	bytes=$(stat -c %s "$tmp/big")
	echo
	echo "== throughput: $SIZE ($bytes bytes) over 127.0.0.1, $RUNS runs each, alternating"
	local nds=() ips=() ipzs=() ipfs=()
	for run in $(seq "$RUNS"); do
		start_nd --discard
		"$nd" tcp client --json --info --file "$tmp/big" 127.0.0.1 "$nd_port" >"$tmp/cli.json" &
		local cli=$!
		sample_ss "$nd_port" "$tmp/ss.nd"
		wait "$cli"
		stop "$nd_pid"
		local got
		got=$(lastevent "$tmp/srv.json" summary bytes_in)
		[ "$got" -eq "$bytes" ] || { echo "netdiag server received $got bytes, want $bytes" >&2; exit 1; }
		nds+=("$(lastevent "$tmp/cli.json" summary out_bits_per_s)")

		for z in "" -Z "-F $tmp/big"; do
			local port
			port=$(freeport)
			iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null &
			local ip=$!
			pids+=("$ip")
			listening "$port"
			iperf3 -c 127.0.0.1 -p "$port" -n "$bytes" $z -J >"$tmp/ip.json" &
			local cli=$!
			[ -n "$z" ] || sample_ss "$port" "$tmp/ss.ip"
			wait "$cli" || { echo "iperf3 -c $z failed: $(cat "$tmp/ip.json")" >&2; exit 1; }
			wait "$ip" || true
			[ -n "$z" ] || cp "$tmp/ip.json" "$tmp/ip0.json"
			local bps
			bps=$(field "$tmp/ip.json" 'd["end"]["sum_received"]["bits_per_second"]')
			case $z in
			"") ips+=("$bps") ;;
			-Z) ipzs+=("$bps") ;;
			*) ipfs+=("$bps") ;;
			esac
		done
		echo "  run $run: netdiag $(gbit "${nds[-1]}"), iperf3 $(gbit "${ips[-1]}"), iperf3 -Z $(gbit "${ipzs[-1]}"), iperf3 -F $(gbit "${ipfs[-1]}")"
		sockets "$tmp/cli.json" "$tmp/ip0.json"
		sed 's/^/      /' "$tmp/ss.nd" "$tmp/ss.ip"
	done
	local m_nd m_ip m_ipz m_ipf
	m_nd=$(median "${nds[@]}") m_ip=$(median "${ips[@]}") m_ipz=$(median "${ipzs[@]}") m_ipf=$(median "${ipfs[@]}")
	echo "  median: netdiag tcp client --file -> server --discard  $(gbit "$m_nd")"
	echo "          iperf3 -c -> iperf3 -s                         $(gbit "$m_ip")"
	echo "          iperf3 -Z (sendfile) -> iperf3 -s              $(gbit "$m_ipz")"
	echo "          iperf3 -F (the same file) -> iperf3 -s         $(gbit "$m_ipf")"
	echo "  ratio netdiag/iperf3: $(ratio "$m_nd" "$m_ip") of the medians, $(pairratio "${nds[*]}" "${ips[*]}") median of the run-by-run ratios   (target >= 1.00)"
	echo "  vs iperf3 -Z: $(ratio "$m_nd" "$m_ipz") of the medians, $(pairratio "${nds[*]}" "${ipzs[*]}") run by run"
	echo "  vs iperf3 -F: $(ratio "$m_nd" "$m_ipf") of the medians, $(pairratio "${nds[*]}" "${ipfs[*]}") run by run"
}

concurrency() {
	echo
	echo "== concurrency: $CLIENTS clients x $ROUNDS echo round trips of 64 bytes, $RUNS runs each, alternating"
	: >"$tmp/echo.addr"
	"$tmp/tcpbench" echo -l 127.0.0.1:0 >"$tmp/echo.addr" &
	local bare=$!
	pids+=("$bare")
	start_nd --echo
	# The same server with stdout on /dev/null: it formats no data lines.
	local null_port
	null_port=$(freeport)
	"$nd" tcp server -l 127.0.0.1 -p "$null_port" --json --echo >/dev/null &
	local null_pid=$!
	pids+=("$null_pid")
	listening "$null_port"
	local rate_nd=() rate_bare=() p99_nd=() p99_bare=() rate_null=() p99_null=()
	nonempty "$tmp/echo.addr" # tcpbench prints its address once it listens
	for run in $(seq "$RUNS"); do
		"$tmp/tcpbench" load -a "127.0.0.1:$nd_port" -c "$CLIENTS" -n "$ROUNDS" >"$tmp/l1.json"
		"$tmp/tcpbench" load -a "$(cat "$tmp/echo.addr")" -c "$CLIENTS" -n "$ROUNDS" >"$tmp/l2.json"
		"$tmp/tcpbench" load -a "127.0.0.1:$null_port" -c "$CLIENTS" -n "$ROUNDS" >"$tmp/l3.json"
		rate_null+=("$(field "$tmp/l3.json" 'd["rate"]')") p99_null+=("$(field "$tmp/l3.json" 'd["p99_ms"]')")
		for f in l1 l2 l3; do
			[ "$(field "$tmp/$f.json" 'd["errors"]')" -eq 0 ] || { echo "errors in $f: $(cat "$tmp/$f.json")" >&2; exit 1; }
		done
		rate_nd+=("$(field "$tmp/l1.json" 'd["rate"]')") p99_nd+=("$(field "$tmp/l1.json" 'd["p99_ms"]')")
		rate_bare+=("$(field "$tmp/l2.json" 'd["rate"]')") p99_bare+=("$(field "$tmp/l2.json" 'd["p99_ms"]')")
		printf '  run %d: netdiag %.0f rt/s (p99 %.2f ms), bare io.Copy %.0f rt/s (p99 %.2f ms), netdiag >/dev/null %.0f rt/s (p99 %.2f ms)\n' "$run" \
			"${rate_nd[-1]}" "${p99_nd[-1]}" "${rate_bare[-1]}" "${p99_bare[-1]}" "${rate_null[-1]}" "${p99_null[-1]}"
	done
	stop "$nd_pid"
	stop "$null_pid"
	kill "$bare"
	wait "$bare" 2>/dev/null || true
	local served
	served=$(lastevent "$tmp/srv.json" summary clients)
	[ "$served" -eq $((CLIENTS * RUNS)) ] || { echo "netdiag served $served clients, want $((CLIENTS * RUNS))" >&2; exit 1; }
	local m_nd m_bare
	m_nd=$(median "${rate_nd[@]}") m_bare=$(median "${rate_bare[@]}")
	local m_null
	m_null=$(median "${rate_null[@]}")
	printf '  median: netdiag --echo --json >FILE      %.0f round trips/s, p99 %.2f ms\n' "$m_nd" "$(median "${p99_nd[@]}")"
	printf '          netdiag --echo --json >/dev/null %.0f round trips/s, p99 %.2f ms\n' "$m_null" "$(median "${p99_null[@]}")"
	printf '          bare io.Copy echo                %.0f round trips/s, p99 %.2f ms\n' "$m_bare" "$(median "${p99_bare[@]}")"
	echo "  ratio netdiag >FILE/bare: $(ratio "$m_nd" "$m_bare") of the medians, $(pairratio "${rate_nd[*]}" "${rate_bare[*]}") median of the run-by-run ratios   (target >= 0.95)"
	echo "  ratio netdiag >/dev/null/bare: $(ratio "$m_null" "$m_bare") of the medians, $(pairratio "${rate_null[*]}" "${rate_bare[*]}") run by run"
}

idle() {
	echo
	echo "== idle: $IDLE connections that send nothing"
	start_nd
	"$tmp/tcpbench" idle -a "127.0.0.1:$nd_port" -c "$IDLE" -pid "$nd_pid" >"$tmp/i1.json"
	stop "$nd_pid"
	[ "$(lastevent "$tmp/srv.json" summary peak)" -eq "$IDLE" ] || { echo "netdiag did not hold all $IDLE at once" >&2; exit 1; }
	: >"$tmp/echo.addr"
	"$tmp/tcpbench" echo -plain -l 127.0.0.1:0 >"$tmp/echo.addr" &
	local bare=$!
	pids+=("$bare")
	nonempty "$tmp/echo.addr" # tcpbench prints its address once it listens
	"$tmp/tcpbench" idle -a "$(cat "$tmp/echo.addr")" -c "$IDLE" -pid "$bare" >"$tmp/i2.json"
	kill "$bare"
	wait "$bare" 2>/dev/null || true
	printf '  netdiag tcp server --json: RSS %.1f MiB (%.1f KiB per connection)   (target < 150 MB)\n' \
		"$(field "$tmp/i1.json" 'd["rss_mib"]')" "$(field "$tmp/i1.json" 'd["per_conn_kib"]')"
	printf '  bare echo server (-plain): RSS %.1f MiB (%.1f KiB per connection)\n' \
		"$(field "$tmp/i2.json" 'd["rss_mib"]')" "$(field "$tmp/i2.json" 'd["per_conn_kib"]')"
}

case $what in
throughput) throughput ;;
concurrency) concurrency ;;
idle) idle ;;
all) throughput; concurrency; idle ;;
*) echo "usage: bench/tcp.sh [throughput|concurrency|idle|all]" >&2; exit 2 ;;
esac
