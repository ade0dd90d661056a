"""Oracle for netdiag ip: reads JSON strings, one per line, and writes one
JSON object per line with what Python's ipaddress module makes of each.

An input with "/" is read with ip_network(s, strict=False) (netdiag accepts
host bits, with a warning) and ip_interface(s) for the address as written;
anything else with ip_address(s). Attributes that raise are reported as
null with the exception's name.
"""
import collections
import ipaddress
import json
import sys

PROPS = ("is_private", "is_global", "is_unspecified", "is_loopback",
         "is_link_local", "is_multicast", "is_reserved")


def attr(obj, name, out):
    try:
        out[name] = getattr(obj, name)
    except Exception as e:  # Python 3.11 raises for exploded on scoped addresses
        out[name] = None
        out[name + "_error"] = type(e).__name__


def addr_facts(a):
    d = {"str": str(a), "version": a.version, "int": str(int(a))}
    for name in ("exploded", "reverse_pointer") + PROPS:
        attr(a, name, d)
    if a.version == 6:
        m, s, t = a.ipv4_mapped, a.sixtofour, a.teredo
        d["ipv4_mapped"] = str(m) if m is not None else None
        d["sixtofour"] = str(s) if s is not None else None
        d["teredo"] = [str(t[0]), str(t[1])] if t is not None else None
    return d


def facts(s):
    if "/" in s:
        n = ipaddress.ip_network(s, strict=False)
        d = {"valid": True, "kind": "prefix", "addr": addr_facts(ipaddress.ip_interface(s).ip),
             "network": str(n.network_address), "prefixlen": n.prefixlen,
             "netmask": str(n.netmask), "hostmask": str(n.hostmask),
             "broadcast": str(n.broadcast_address), "num_addresses": str(n.num_addresses)}
        first = next(iter(n.hosts()), None)
        d["first_host"] = str(first) if first is not None else None
        d["last_host"] = None
        if n.num_addresses <= 1 << 16:
            last = collections.deque(n.hosts(), maxlen=1)
            d["last_host"] = str(last[0]) if last else None
        return d
    return {"valid": True, "kind": "address", "addr": addr_facts(ipaddress.ip_address(s))}


for line in sys.stdin:
    s = json.loads(line)
    try:
        out = facts(s)
    except ValueError as e:
        out = {"valid": False, "error": str(e)}
    sys.stdout.write(json.dumps(out) + "\n")
