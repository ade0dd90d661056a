#!/usr/bin/env bash
# bench/check.sh — "netdiag check" versus the textbook way it replaces, done
# by hand one command after another: ping 127.0.0.1 and ::1, look up the
# default route, ping the gateway, resolve a name, ping an internet host
# (iputils ping -c 3 -i 0.1 -W 2, glibc's getent ahosts). Both run in the
# same lab of network namespaces, healthy and then with the upstream host
# silent (every probe to it times out), side by side in one hyperfine run
# each. Prints each one's median wall time and the ratio netdiag/textbook.
# Target: netdiag no slower than the textbook on the healthy network, and
# much faster on the broken one (its steps run at once, the textbook's one
# after another).
#
#   bench/check.sh                 # 20 healthy runs, 5 broken runs
#   RUNS=50 BROKEN_RUNS=10 bench/check.sh
#
# Needs root, hyperfine, iproute2, iputils ping, nftables, python3 (a tiny
# DNS responder in the router namespace) and Go. Nothing leaves the lab:
#
#   client c0 10.77.0.2/24 fd77::2/64 ── router r0 10.77.0.1 (DNS) ── r1 10.78.0.1 ── upstream u0 10.78.0.2
#
# The namespaces, the responder and /etc/netns/<client> are removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-20}
BROKEN_RUNS=${BROKEN_RUNS:-5}
for tool in hyperfine ip ping nft python3 go getent; do
	command -v "$tool" >/dev/null || { echo "bench/check.sh needs $tool (./.ci/run installs the peers)" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench/check.sh needs root (network namespaces)" >&2; exit 2; }

tmp=$(mktemp -d)
p="nd-bench-check-$$"
cl=$p-c rt=$p-r up=$p-u
dns_pid=""
cleanup() {
	[ -n "$dns_pid" ] && kill "$dns_pid" 2>/dev/null
	for ns in "$cl" "$rt" "$up"; do ip netns del "$ns" 2>/dev/null || true; done
	rm -rf "/etc/netns/$cl" "$tmp"
}
trap cleanup EXIT

bash bench/build.sh "$tmp/netdiag"

for ns in "$cl" "$rt" "$up"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
ip -n "$cl" link add c0 type veth peer name r0 netns "$rt"
ip -n "$rt" link add r1 type veth peer name u0 netns "$up"
ip -n "$cl" addr add 10.77.0.2/24 dev c0
ip -n "$cl" addr add fd77::2/64 dev c0 nodad
ip -n "$rt" addr add 10.77.0.1/24 dev r0
ip -n "$rt" addr add fd77::1/64 dev r0 nodad
ip -n "$rt" addr add 10.78.0.1/24 dev r1
ip -n "$rt" addr add fd78::1/64 dev r1 nodad
ip -n "$up" addr add 10.78.0.2/24 dev u0
ip -n "$up" addr add fd78::2/64 dev u0 nodad
ip -n "$cl" link set c0 up
ip -n "$rt" link set r0 up
ip -n "$rt" link set r1 up
ip -n "$up" link set u0 up
ip netns exec "$rt" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n "$cl" route add default via 10.77.0.1
ip -n "$cl" -6 route add default via fd77::1
ip -n "$up" route add default via 10.78.0.1
ip -n "$up" -6 route add default via fd78::1
mkdir -p "/etc/netns/$cl"
echo "nameserver 10.77.0.1" >"/etc/netns/$cl/resolv.conf"

# The lab's resolver: A and AAAA for check.test, NXDOMAIN for the rest.
ip netns exec "$rt" python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.77.0.1", 53))
zone = {b"check.test": {1: socket.inet_pton(socket.AF_INET, "10.78.0.2"), 28: socket.inet_pton(socket.AF_INET6, "fd78::2")}}
while True:
    q, peer = s.recvfrom(1500)
    i, labels = 12, []
    while i < len(q) and q[i]:
        labels.append(q[i + 1:i + 1 + q[i]]); i += q[i] + 1
    if i + 5 > len(q):
        continue
    name, qtype = b".".join(labels).lower(), struct.unpack("!H", q[i + 1:i + 3])[0]
    rdata = zone.get(name, {}).get(qtype)
    resp = q[:2] + struct.pack("!HHHHH", 0x8180 | (0 if name in zone else 3), 1, 1 if rdata else 0, 0, 0) + q[12:i + 5]
    if rdata:
        resp += b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(rdata)) + rdata
    s.sendto(resp, peer)
' &
dns_pid=$!

in_cl=(ip netns exec "$cl")
# Let the lab settle (neighbour discovery, the responder starting).
for i in $(seq 50); do
	if "${in_cl[@]}" ping -c1 -W1 fd78::2 >/dev/null 2>&1 && "${in_cl[@]}" getent ahosts check.test >/dev/null; then break; fi
	sleep 0.1
done
"${in_cl[@]}" getent ahosts check.test >/dev/null || { echo "the lab did not come up" >&2; exit 1; }

check="${in_cl[*]} $tmp/netdiag check --dns-name check.test --host 10.78.0.2"
textbook="${in_cl[*]} sh -c 'P=\"ping -q -c 3 -i 0.1 -W 2\"; \$P 127.0.0.1; \$P ::1; gw=\$(ip route show default | cut -d\" \" -f3); \$P \$gw; getent ahosts check.test; \$P 10.78.0.2'"

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
verdict() { # want-exit-code
	local code=0
	eval "$check" >"$tmp/out" 2>&1 || code=$?
	[ "$code" -eq "$1" ] || { echo "netdiag check exited $code, want $1:" >&2; cat "$tmp/out" >&2; exit 1; }
}
bench() { # name runs
	hyperfine -N --style basic -i --warmup 2 --runs "$2" --export-json "$tmp/$1.json" \
		-n "netdiag check" "$check" -n "textbook (ping, ip route, getent)" "$textbook" >/dev/null 2>&1
}
verdict 0
bench healthy "$RUNS"
ip netns exec "$up" nft -f - <<'NFT'
table inet f {
	chain in { type filter hook input priority 0; iifname u0 drop; }
}
NFT
verdict 1
bench broken "$BROKEN_RUNS"

python3 - "$tmp/healthy.json" "$tmp/broken.json" <<'PY'
import json, sys
for label, path in (("healthy", sys.argv[1]), ("upstream silent", sys.argv[2])):
    res = json.load(open(path))["results"]
    med = {r["command"]: r["median"] for r in res}
    nd, tb = med["netdiag check"], med["textbook (ping, ip route, getent)"]
    print(f"{label}:")
    for r in res:
        print(f"  {r['command']:<36} median {r['median']*1000:8.1f} ms  (min {r['min']*1000:.1f}, max {r['max']*1000:.1f}, {len(r['times'])} runs)")
    print(f"  ratio netdiag/textbook = {nd/tb:.2f}")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
