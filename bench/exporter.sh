#!/usr/bin/env bash
# bench/exporter.sh — "netdiag exporter" pinging 10,000 loopback addresses
# (127.0.0.1-127.0.39.16), each once a second, for DURATION seconds, with a
# /metrics scrape every SCRAPE seconds as Prometheus would make. Prints the
# CPU used (user + system, % of one core), the peak RSS, the median scrape
# time and size, and how far every target's counters advanced: each target's
# smokeping_requests_total and reply count must rise by about one a second.
# Targets: under 25% of one core, under 200 MB RSS, a scrape under 1 s.
#
# smokeping_prober (one pro-bing Pinger per target) runs the same way when
# "go install github.com/SuperQ/smokeping_prober@latest" can fetch it; the
# script says so when it cannot. Its binary goes to a temporary directory.
#
#   bench/exporter.sh
#   N=2000 DURATION=60 bench/exporter.sh
#
# Both run in a scratch network namespace (its own loopback, and a
# ping_group_range that allows unprivileged ICMP sockets, which both use),
# removed on exit. Needs root, iproute2, curl or python3, and Go.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-10000}
DURATION=${DURATION:-30}
SCRAPE=${SCRAPE:-10}
[ "$N" -ge 1 ] && [ "$N" -le 16382 ] || { echo "N must be 1 to 16382 (127.0.0.0/18)" >&2; exit 2; }
for tool in ip python3 go; do
	command -v "$tool" >/dev/null || { echo "bench/exporter.sh needs $tool" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench/exporter.sh needs root (a network namespace)" >&2; exit 2; }

tmp=$(mktemp -d)
ns="nd-bench-exp-$$"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" sysctl -qw net.ipv4.ping_group_range="0 2147483647"

bash bench/build.sh "$tmp/netdiag"
last=$(python3 -c "import ipaddress; print(ipaddress.ip_address('127.0.0.1') + $N - 1)")
python3 -c "import ipaddress; print('\n'.join(str(ipaddress.ip_address('127.0.0.1') + i) for i in range($N)))" >"$tmp/hosts"

# measure NAME PORT ARGV...: runs the exporter in the namespace, waits for
# its first full round, then samples it for DURATION seconds.
measure() {
	local name=$1 port=$2
	shift 2
	ip netns exec "$ns" "$@" >"$tmp/$name.log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	ip netns exec "$ns" python3 - "$name" "$port" "$pid" "$N" "$DURATION" "$SCRAPE" <<'EOF'
import re, sys, time, urllib.request, statistics
name, port, pid, n, duration, every = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
url = f"http://127.0.0.1:{port}/metrics"
tick = 100.0  # USER_HZ

def scrape():
    t = time.monotonic()
    body = urllib.request.urlopen(url, timeout=30).read()
    took = time.monotonic() - t
    reqs, replies = {}, {}
    for line in body.decode().splitlines():
        m = re.match(r'smokeping_(requests_total|response_duration_seconds_count)\{(.*)\} (\S+)$', line)
        if m:
            ip = re.search(r'ip="([^"]*)"', m.group(2)).group(1)
            (reqs if m.group(1) == "requests_total" else replies)[ip] = float(m.group(3))
    return took, len(body), reqs, replies

def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick

deadline = time.monotonic() + 60
while True:  # wait until every target has answered once
    try:
        _, _, reqs, replies = scrape()
        if len(replies) == n and min(replies.values()) >= 1:
            break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit(f"{name}: not every target answered within 60 s")
    time.sleep(0.5)

t0, c0 = time.monotonic(), cpu()
took, size, reqs0, replies0 = scrape()
takes, sizes = [took], [size]
while time.monotonic() - t0 < duration:
    time.sleep(min(every, duration - (time.monotonic() - t0)))
    took, size, reqs1, replies1 = scrape()
    takes.append(took); sizes.append(size)
t1, c1 = time.monotonic(), cpu()
rss = int(re.search(r"VmHWM:\s+(\d+)", open(f"/proc/{pid}/status").read()).group(1)) / 1024
el = t1 - t0
dreq = [reqs1[k] - reqs0.get(k, 0) for k in reqs1]
drep = [replies1[k] - replies0.get(k, 0) for k in replies1]
slow = sum(1 for d in drep if d < el * 0.9 - 1)
print(f"{name:16s} targets {len(reqs1)}  CPU {100 * (c1 - c0) / el:5.1f}% of one core  peak RSS {rss:6.1f} MB  "
      f"scrape median {statistics.median(takes) * 1000:6.0f} ms ({statistics.median(sizes) / 1e6:.1f} MB)  "
      f"requests/s per target min {min(dreq) / el:.2f} median {statistics.median(dreq) / el:.2f}  "
      f"replies/s per target min {min(drep) / el:.2f}  targets short of 0.9/s: {slow}")
EOF
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}

echo "$N ICMP targets (127.0.0.1-$last) at 1/s, ${DURATION}s, a scrape every ${SCRAPE}s"
measure "netdiag" 9374 "$tmp/netdiag" exporter --unprivileged --listen 127.0.0.1:9374 "127.0.0.1-$last"

if GOBIN="$tmp" go install github.com/SuperQ/smokeping_prober@latest >"$tmp/install.log" 2>&1; then
	# shellcheck disable=SC2046
	measure "smokeping_prober" 9375 "$tmp/smokeping_prober" --no-privileged --web.listen-address=127.0.0.1:9375 $(cat "$tmp/hosts")
else
	echo "smokeping_prober: not measured: 'go install github.com/SuperQ/smokeping_prober@latest' failed here:"
	sed 's/^/    /' "$tmp/install.log" | head -3
fi
