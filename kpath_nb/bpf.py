"""Cilium's BPF maps, derived from the cluster's state as the agent would write them.

The "magic map" of the story is several real maps on every node:

* ``cilium_lxc`` (``cilium-dbg bpf endpoint list``): the endpoints on *this* node,
  keyed by IP: each pod with its endpoint ID, security identity, ``lxc`` ifindex
  and both MACs; the health endpoint; and the node's own addresses as ``(localhost)``.
* ``cilium_ipcache_v2`` (``cilium-dbg bpf ipcache list``, an LPM trie): every
  address and prefix the node knows, with its identity and, for anything on
  another node, the **tunnel endpoint**: that node's IP. Remote pod CIDRs are there
  too, with identity 2 (world). Before v1.18 the map was ``cilium_ipcache``; up to
  v1.17 a separate ``cilium_tunnel_map`` also held pod CIDR → node IP.
* ``cilium_ct4_global`` (TCP) and ``cilium_ct_any4_global`` (everything else)
  (``cilium-dbg bpf ct list global``): connection tracking entries, written by
  traced flows.

Examples
--------
>>> import kpath_nb as kp
>>> cl = kp.load_topology("seed-cilium-buildings")
>>> print(cl.cilium_dbg("building-blue", "bpf ipcache list").splitlines()[0])
IP PREFIX/ADDRESS   IDENTITY
>>> entry = ipcache_lookup(cl, "building-blue", kp.parse_address("10.0.20.22"))
>>> entry.identity, str(entry.tunnel_endpoint), entry.flags
(257, '192.168.100.20', 'hastunnel')
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from typing import TYPE_CHECKING

from .addr import MacAddress, mac_from_name
from .errors import KpathError, UnknownEndpointError
from .identity import RESERVED

if TYPE_CHECKING:  # pragma: no cover
    import pandas

    from .cluster import Cluster, K8sNode

__all__ = ["LxcEntry", "IpcacheEntry", "CtEntry", "MAPS", "lxc_entries", "lxc_lookup",
           "ipcache_entries", "ipcache_lookup", "ct_entries", "map_frame", "cilium_dbg",
           "CT_LIFETIME_TCP_SYN", "CT_LIFETIME_NONTCP"]

MAPS = {
    "cilium_lxc": "local endpoints and host IPs (cilium-dbg bpf endpoint list)",
    "cilium_ipcache_v2": "every known IP and prefix: identity and tunnel endpoint "
                         "(cilium-dbg bpf ipcache list)",
    "cilium_ct4_global": "TCP connection tracking (cilium-dbg bpf ct list global)",
    "cilium_ct_any4_global": "non-TCP connection tracking (cilium-dbg bpf ct list global)",
}

CT_LIFETIME_TCP_SYN = 60
"""Seconds a TCP entry lives before the connection is established."""
CT_LIFETIME_NONTCP = 60
"""Seconds a UDP or ICMP entry lives without traffic."""
ENDPOINT_FLAG_HOST = 0x1
ZERO = IPv4Address("0.0.0.0")


@dataclass(frozen=True)
class LxcEntry:
    """One ``cilium_lxc`` entry (``struct endpoint_info``); ``host`` entries are the node's
    own addresses."""

    ip: IPv4Address
    endpoint_id: int = 0
    sec_id: int = 0
    ifindex: int = 0
    mac: MacAddress | None = None
    node_mac: MacAddress | None = None
    host: bool = False
    owner: str = ""

    @property
    def key(self) -> str:
        """The key as the CLI prints it: ``10.0.10.12:0``."""
        return f"{self.ip}:0"

    @property
    def value(self) -> str:
        """The value as ``cilium-dbg bpf endpoint list`` prints it."""
        if self.host:
            return "(localhost)"
        return (f"id={self.endpoint_id:<5} sec_id={self.sec_id:<5} flags=0x0000 "
                f"ifindex={self.ifindex:<3} mac={str(self.mac).upper()} "
                f"nodemac={str(self.node_mac).upper()} parent_ifindex=0  ")


@dataclass(frozen=True)
class IpcacheEntry:
    """One ``cilium_ipcache_v2`` entry: prefix → identity, tunnel endpoint and flags."""

    prefix: IPv4Network
    identity: int
    tunnel_endpoint: IPv4Address = ZERO
    flags: str = "<none>"
    owner: str = ""

    @property
    def key(self) -> str:
        """The key as the CLI prints it: ``10.0.20.22/32``."""
        return str(self.prefix)

    @property
    def value(self) -> str:
        """The value as ``cilium-dbg bpf ipcache list`` prints it."""
        return (f"identity={self.identity} encryptkey=0 tunnelendpoint={self.tunnel_endpoint} "
                f"flags={self.flags}")


@dataclass(frozen=True)
class CtEntry:
    """One connection-tracking entry, as a traced flow leaves it.

    ``packets`` and ``bytes`` count what the flow sent through the entry; the dump prints
    them only when conntrack accounting is on (``accounting``; off by default, when Cilium
    prints ``Packets=0 Bytes=0``). TCP flags are kept per direction: ``tx_flags`` for
    packets looked up on their way out of an endpoint, ``rx_flags`` on their way in.
    """

    proto: str
    direction: str
    src: IPv4Address
    sport: int
    dst: IPv4Address
    dport: int
    expires: int
    packets: int
    bytes: int
    source_security_id: int = 0
    tx_flags: int = 0
    rx_flags: int = 0
    last_tx_report: int = 0
    last_rx_report: int = 0
    accounting: bool = False

    @property
    def tuple(self) -> tuple:
        """(protocol, source, source port, destination, destination port)."""
        return self.proto, self.src, self.sport, self.dst, self.dport

    @property
    def map_name(self) -> str:
        """``cilium_ct4_global`` for TCP, ``cilium_ct_any4_global`` for the rest."""
        return "cilium_ct4_global" if self.proto == "TCP" else "cilium_ct_any4_global"

    @property
    def key(self) -> str:
        """The tuple: ``ICMP OUT 10.0.10.12:1 -> 10.0.20.22:0`` (an echo's identifier is
        its source port)."""
        return f"{self.proto} {self.direction} {self.src}:{self.sport} -> {self.dst}:{self.dport}"

    @property
    def value(self) -> str:
        """The rest of the line ``cilium-dbg bpf ct list global`` prints."""
        packets, size = (self.packets, self.bytes) if self.accounting else (0, 0)
        return (f"expires={self.expires} Packets={packets} Bytes={size} "
                f"RxFlagsSeen=0x{self.rx_flags:02x} LastRxReport={self.last_rx_report} "
                f"TxFlagsSeen=0x{self.tx_flags:02x} LastTxReport={self.last_tx_report} "
                f"Flags=0x0000 [ ] RevNAT=0 "
                f"SourceSecurityID={self.source_security_id} BackendID=0 NatPort=0")

    def __str__(self) -> str:
        return f"{self.key} {self.value}"


def _node(cluster: "Cluster", node: str) -> "K8sNode":
    found = cluster.nodes.get(node)
    if found is None or found.pod_cidr is None:
        raise UnknownEndpointError(
            f"unknown node {node!r}: nodes are {', '.join(cluster.nodes)}")
    return found


def health_mac(node: "K8sNode") -> MacAddress:
    """The MAC of the health endpoint's ``eth0`` inside its namespace."""
    return mac_from_name(node.name, "health/eth0")


def lxc_entries(cluster: "Cluster", node: str) -> list[LxcEntry]:
    """``cilium_lxc`` on ``node``: its pods, its health endpoint and its own addresses."""
    host = _node(cluster, node)
    entries = [LxcEntry(pod.ip, pod.endpoint_id, pod.identity.number, host.ifindex[pod.lxc],
                        pod.mac, host.interfaces[pod.lxc].mac, owner=pod.qualified_name)
               for pod in cluster.pods_on(node)]
    entries.append(LxcEntry(host.health_ip, host.health_endpoint_id, RESERVED["health"],
                            host.ifindex["lxc_health"], health_mac(host),
                            host.interfaces["lxc_health"].mac, owner="health"))
    entries += [LxcEntry(ip, host=True, owner=f"{node} ({what})")
                for ip, what in ((host.ip, "eth0"), (host.router_ip, "cilium_host"))]
    return sorted(entries, key=lambda e: int(e.ip))


def lxc_lookup(cluster: "Cluster", node: str, ip: IPv4Address) -> LxcEntry | None:
    """The ``cilium_lxc`` entry for ``ip`` on ``node``, or None (not a local endpoint)."""
    host = _node(cluster, node)
    pod = cluster.pod_at(ip)
    if pod is not None and pod.node == node:
        return LxcEntry(pod.ip, pod.endpoint_id, pod.identity.number, host.ifindex[pod.lxc],
                        pod.mac, host.interfaces[pod.lxc].mac, owner=pod.qualified_name)
    if ip in (host.ip, host.router_ip, host.health_ip):
        return next(e for e in lxc_entries(cluster, node) if e.ip == ip)
    return None


def _node_entries(cluster: "Cluster", local: "K8sNode", other: "K8sNode") -> list[IpcacheEntry]:
    """What ``local`` knows about ``other`` (itself included), pods aside."""
    if other is local:
        return [IpcacheEntry(IPv4Network((int(other.ip), 32)), RESERVED["host"],
                             owner=f"{other.name} (eth0)"),
                IpcacheEntry(IPv4Network((int(other.router_ip), 32)), RESERVED["host"],
                             owner=f"{other.name} (cilium_host)"),
                IpcacheEntry(IPv4Network((int(other.health_ip), 32)), RESERVED["health"],
                             owner=f"{other.name} (health)")]
    tunnel = dict(tunnel_endpoint=other.ip, flags="hastunnel")
    # A node serving the kube-apiserver is seen by the others as reserved:kube-apiserver.
    seen_as = RESERVED["kube-apiserver" if other.control_plane else "remote-node"]
    return [IpcacheEntry(IPv4Network((int(other.ip), 32)), seen_as,
                         owner=f"{other.name} (eth0)"),
            IpcacheEntry(IPv4Network((int(other.router_ip), 32)), RESERVED["remote-node"],
                         owner=f"{other.name} (cilium_host)", **tunnel),
            IpcacheEntry(IPv4Network((int(other.health_ip), 32)), RESERVED["health"],
                         owner=f"{other.name} (health)", **tunnel),
            IpcacheEntry(other.pod_cidr, RESERVED["world"], owner=f"{other.name} pod CIDR",
                         **tunnel)]


def _pod_entry(cluster: "Cluster", local: "K8sNode", pod) -> IpcacheEntry:
    if pod.node == local.name:
        return IpcacheEntry(IPv4Network((int(pod.ip), 32)), pod.identity.number,
                            owner=pod.qualified_name)
    return IpcacheEntry(IPv4Network((int(pod.ip), 32)), pod.identity.number,
                        cluster.nodes[pod.node].ip, "hastunnel", owner=pod.qualified_name)


def ipcache_entries(cluster: "Cluster", node: str) -> list[IpcacheEntry]:
    """``cilium_ipcache_v2`` as ``node`` holds it, sorted by prefix."""
    local = _node(cluster, node)
    entries = [_pod_entry(cluster, local, pod) for pod in cluster.pods.values()]
    for other in cluster.nodes.values():
        if other.pod_cidr is not None:
            entries += _node_entries(cluster, local, other)
    entries.append(IpcacheEntry(IPv4Network("0.0.0.0/0"), RESERVED["world"], owner="world"))
    return sorted(entries, key=lambda e: (int(e.prefix.network_address), e.prefix.prefixlen))


def ipcache_lookup(cluster: "Cluster", node: str, ip: IPv4Address) -> IpcacheEntry:
    """Longest-prefix match in ``node``'s ipcache: a /32, else a pod CIDR, else world."""
    local = _node(cluster, node)
    pod = cluster.pod_at(ip)
    if pod is not None:
        return _pod_entry(cluster, local, pod)
    owner = cluster.node_by_cidr(ip)
    candidates = _node_entries(cluster, local, owner) if owner is not None else []
    holder = cluster.underlay.owner(ip)
    if holder is not None and holder[0] in cluster.nodes and owner is not cluster.nodes[holder[0]]:
        candidates += _node_entries(cluster, local, cluster.nodes[holder[0]])
    covering = [e for e in candidates if ip in e.prefix]
    if covering:
        return max(covering, key=lambda e: e.prefix.prefixlen)
    return IpcacheEntry(IPv4Network("0.0.0.0/0"), RESERVED["world"], owner="world")


def ct_entries(cluster: "Cluster", node: str) -> list[CtEntry]:
    """Connection-tracking entries on ``node``, both maps, as traced flows left them."""
    _node(cluster, node)
    return list(cluster.conntrack.get(node, []))


_COLUMNS = {
    "cilium_lxc": ("IP ADDRESS", "LOCAL ENDPOINT INFO"),
    "cilium_ipcache_v2": ("IP PREFIX/ADDRESS", "IDENTITY"),
}


def map_frame(cluster: "Cluster", node: str, name: str) -> "pandas.DataFrame":
    """A BPF map as a DataFrame: one row per entry, its fields as columns.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> frame = cl.bpf_map("building-blue", "cilium_lxc")
    >>> list(frame.columns)
    ['ip', 'id', 'sec_id', 'ifindex', 'mac', 'nodemac', 'owner']
    """
    import pandas as pd

    if name == "cilium_lxc":
        rows = [{"ip": f"{e.ip}", "id": e.endpoint_id or None, "sec_id": e.sec_id or None,
                 "ifindex": e.ifindex or None, "mac": str(e.mac or "(localhost)"),
                 "nodemac": str(e.node_mac or ""), "owner": e.owner}
                for e in lxc_entries(cluster, node)]
        return pd.DataFrame(rows).astype({"id": "Int64", "sec_id": "Int64", "ifindex": "Int64"})
    elif name == "cilium_ipcache_v2":
        rows = [{"prefix": e.key, "identity": e.identity,
                 "tunnelendpoint": str(e.tunnel_endpoint), "flags": e.flags, "owner": e.owner}
                for e in ipcache_entries(cluster, node)]
    elif name in ("cilium_ct4_global", "cilium_ct_any4_global"):
        rows = [{"tuple": e.key, "expires": e.expires, "packets": e.packets, "bytes": e.bytes,
                 "source_security_id": e.source_security_id}
                for e in ct_entries(cluster, node) if e.map_name == name]
        return pd.DataFrame(rows, columns=["tuple", "expires", "packets", "bytes",
                                           "source_security_id"])
    else:
        raise KpathError(f"unknown BPF map {name!r}: known are {', '.join(MAPS)} (before "
                         f"v1.18 the ipcache was cilium_ipcache)")
    return pd.DataFrame(rows)


def _table(titles: tuple[str, str], rows: list[tuple[str, str]]) -> str:
    """Two columns as the CLI's tab writer lays them out."""
    width = max([len(titles[0])] + [len(k) for k, _ in rows]) + 3
    lines = [f"{titles[0]:<{width}}{titles[1]}"]
    lines += [f"{k:<{width}}{v}".rstrip() for k, v in rows]
    return "\n".join(lines)


def cilium_dbg(cluster: "Cluster", node: str, command: str) -> str:
    """Text shaped like ``cilium-dbg <command>`` on ``node``.

    Commands: ``bpf endpoint list``, ``bpf ipcache list``, ``bpf ct list global``,
    ``map list``, ``status`` and ``status --verbose`` (the IPAM, routing and masquerading
    lines only, in the order Cilium prints them). Map dumps come out sorted by key, for
    reading; the real CLI prints them in the map's own (hash or trie) order.
    """
    _node(cluster, node)
    command = " ".join(str(command).split())
    if command == "bpf endpoint list":
        return _table(_COLUMNS["cilium_lxc"], [(e.key, e.value) for e in lxc_entries(cluster, node)])
    if command == "bpf ipcache list":
        return _table(_COLUMNS["cilium_ipcache_v2"],
                      [(e.key, e.value) for e in ipcache_entries(cluster, node)])
    if command == "bpf ct list global":
        lines = [str(e) for e in ct_entries(cluster, node)]
        return "\n".join(lines) if lines else "No entries found."
    if command == "map list":
        counts = {"cilium_lxc": len(lxc_entries(cluster, node)),
                  "cilium_ipcache_v2": len(ipcache_entries(cluster, node))}
        for entry in ct_entries(cluster, node):
            counts[entry.map_name] = counts.get(entry.map_name, 0) + 1
        rows = [f"{name:<26} {count:<12} {0:<12} {'false' if 'ct' in name else 'true'}"
                for name, count in counts.items()]
        return "\n".join([f"{'Name':<26} {'Num entries':<12} {'Num errors':<12} Cache enabled"]
                         + rows)
    if command in ("status", "status --verbose"):
        cfg = cluster.config
        allocator = cluster.allocators[node]
        ipam = f"IPAM:                    {allocator.status()},"
        if command == "status --verbose":
            owners = "\n".join(f"  {ip} ({owner})" for ip, owner in allocator.allocations())
            ipam = f"{ipam}\nAllocated addresses:\n{owners}"
        bpf = cfg.host_routing == "bpf"  # BPF host routing comes with BPF masquerading
        masquerading = (f"BPF   [eth0]   {', '.join(cfg.pool)} [IPv4: Enabled, IPv6: Disabled]"
                        if bpf else "IPTables [IPv4: Enabled, IPv6: Disabled]")
        return (f"{ipam}\n"
                f"Routing:                 Network: Tunnel [{cfg.tunnel_protocol}]   "
                f"Host: {'BPF' if bpf else 'Legacy'}\n"
                f"Masquerading:            {masquerading}")
    raise KpathError(f"cilium-dbg {command!r} is not modelled: try 'bpf endpoint list', "
                     f"'bpf ipcache list', 'bpf ct list global', 'map list', 'status' or "
                     f"'status --verbose'")
