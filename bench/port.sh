#!/usr/bin/env bash
# bench/port.sh — startup time of `netdiag port 80` as a whole process, with
# the classic ways to ask the same question run side by side in one
# hyperfine session: `getent services 80` (glibc reading /etc/services) and
# `grep -w 80/tcp /etc/services`. Prints each median, the ratio to getent, and
# checks the target: netdiag's median under 10 ms.
#
# Then `netdiag port --local PORT` ("is it free, and who has it?") against
# `ss -Htulnp sport = :PORT`, once for a port a python3 listener on 127.0.0.1
# holds (netdiag then reads every process's /proc/PID/fd, as ss -p does) and
# once for a free port (netdiag then skips the process scan). Informational:
# no target. (Reading /proc/net/tcp costs ~0.6 ms per file here however few
# sockets there are: the kernel walks its whole hash table; ss asks over
# netlink instead.)
#
# Usage: bench/port.sh [RUNS]        (default 300 runs per command)
# Then:  GODEBUG=inittrace=1 netdiag port 80   shows what package init costs.
#
# Exit status: 0 when the target is met, 1 when it is not, 2 on setup errors.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-300}
die() { printf 'bench/port.sh: %s\n' "$*" >&2; exit 2; }
for tool in hyperfine getent grep python3 go ss; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (./.ci/run installs the benchmark peers)"
done
[ -r /etc/services ] || die "/etc/services is missing (apt-get install netbase)"

tmp=$(mktemp -d)
holder=
trap '[ -z "$holder" ] || kill "$holder" 2>/dev/null; rm -rf "$tmp"' EXIT
bash bench/build.sh "$tmp/netdiag" || die "go build failed"

# -N: no intermediate shell, so only the process itself is timed.
hyperfine -N --style basic --warmup 30 --runs "$runs" --export-json "$tmp/port.json" \
	-n "netdiag port 80" "$tmp/netdiag port 80" \
	-n "getent services 80" "getent services 80" \
	-n "grep -w 80/tcp /etc/services" "grep -w 80/tcp /etc/services" >/dev/null

set +e
python3 - "$tmp/port.json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
nd, ge, gr = (res[k]["median"] * 1000 for k in ("netdiag port 80", "getent services 80", "grep -w 80/tcp /etc/services"))
print(f"median startup over {len(res['netdiag port 80']['times'])} runs each:")
for name, r in res.items():
    t = sorted(r["times"])
    print(f"  {name:32s} median {r['median']*1000:6.2f} ms   p10 {t[len(t)//10]*1000:6.2f}   p90 {t[len(t)*9//10]*1000:6.2f}")
print(f"ratio netdiag/getent {nd/ge:.2f}x, netdiag/grep {nd/gr:.2f}x")
ok = nd < 10
print(f"target: netdiag port 80 median < 10 ms: {'met' if ok else 'MISSED'} ({nd:.2f} ms)")
sys.exit(0 if ok else 1)
PY
verdict=$?

# A listener on 127.0.0.1 that prints its port, then holds it until killed.
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(600)' >"$tmp/port" &
holder=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
used=$(cat "$tmp/port")
[ -n "$used" ] || die "the python3 listener did not start"
free=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# -i: netdiag exits 1 for the free port, by design.
hyperfine -N -i --style basic --warmup 10 --runs "$(( (runs + 2) / 3 ))" --export-json "$tmp/local.json" \
	-n "netdiag port --local (in use)" "$tmp/netdiag port --local $used" \
	-n "ss -Htulnp sport = :PORT (in use)" "ss -Htulnp sport = :$used" \
	-n "netdiag port --local (free)" "$tmp/netdiag port --local $free" \
	-n "ss -Htulnp sport = :PORT (free)" "ss -Htulnp sport = :$free" >/dev/null
python3 - "$tmp/local.json" <<'PY'
import json, sys
res = {r["command"]: r["median"] * 1000 for r in json.load(open(sys.argv[1]))["results"]}
print("netdiag port --local PORT vs ss (median):")
for case in ("in use", "free"):
    nd, ss = res[f"netdiag port --local ({case})"], res[f"ss -Htulnp sport = :PORT ({case})"]
    print(f"  {case:7s} netdiag {nd:6.2f} ms   ss {ss:6.2f} ms   ratio {nd/ss:.2f}x")
PY
exit $verdict
