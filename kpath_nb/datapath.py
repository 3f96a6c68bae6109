"""Follow a packet through a Kubernetes cluster running Cilium, hook by hook.

What happens, as in Cilium's tunnel mode (``bpf/bpf_lxc.c``, ``bpf_overlay.c``,
``bpf_host.c``):

* A pod has one way out: ``default via <router IP> dev eth0``. Its ARP request for
  the router IP never reaches a real neighbour: the eBPF program on the host end
  of its veth pair (``lxc…``) answers with the ``lxc`` device's own MAC.
* The frame enters ``lxc…`` and ``cil_from_container`` runs (Hubble
  ``from-endpoint``): connection tracking (``cilium_ct_any4_global`` or
  ``cilium_ct4_global``), the destination's identity and tunnel endpoint from
  ``cilium_ipcache_v2``, then ``cilium_lxc``: is the destination an endpoint on
  this node?
* If it is, the destination's own program checks policy and the packet is
  redirected straight into that pod (``to-endpoint``); with BPF host routing that
  is ``bpf_redirect_peer``, into the pod's namespace without the host stack.
* If the ipcache names a tunnel endpoint, the packet is handed to
  ``cilium_vxlan`` (``to-overlay``) with the source identity as VNI; the kernel
  wraps it in outer Ethernet / IPv4 (node to node) / UDP 8472 / VXLAN, and the
  outer packet crosses the node network like any other. On the far node
  ``cil_from_overlay`` (``from-overlay``) takes the identity from the VNI, finds
  the pod in ``cilium_lxc`` and delivers it (``to-endpoint``).
* A node's own packets follow its routing table: pod CIDRs go
  ``via <router IP> dev cilium_host``, where ``cil_from_host`` (``from-host``)
  takes over and does the same lookups.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from ipaddress import IPv4Address

from .addr import BROADCAST_MAC
from .bpf import (CT_LIFETIME_NONTCP, CT_LIFETIME_TCP_SYN, CtEntry, IpcacheEntry, LxcEntry,
                  ipcache_entries, ipcache_lookup, lxc_entries, lxc_lookup)
from .cluster import VXLAN_OVERHEAD, Cluster, K8sNode, Pod
from .errors import KpathError, UnknownEndpointError
from .identity import RESERVED
from .packet import (ARP, ETHERTYPE_ARP, ICMP, TCP, UDP, VXLAN, Ethernet, IPv4, Packet)
from .trace import Hop, IcmpError, Learned, Lookup, Trace
from .tracer import (_answer, _arp_lookup, _first_packet, _Journey, _Outcome, _route_lookup,
                     _what, closed_port, error_sentence)

__all__ = ["trace_cluster", "hubble_lines", "DROP_STALE", "DROP_TTL", "DROP_REASONS"]

DROP_STALE = "Stale or unroutable IP"
"""Cilium's text for drop reason 151, as ``hubble observe`` and metrics print it."""

DROP_TTL = "TTL exceeded"
"""Cilium's text for drop reason 196: a packet whose TTL would reach 0 on delivery."""

DROP_REASONS = {"stale-or-unroutable-ip": DROP_STALE, "ttl-exceeded": DROP_TTL}
"""Cilium's drop texts for the causes the datapath can end in."""

VXLAN_SPORT_RANGE = (32768, 60999)
"""The kernel picks the outer UDP source port from a hash of the inner flow, in this range."""


def trace_cluster(cl: Cluster, src: str, dst: str, proto: str, *, dport: int | None,
                  reply: bool, learn: bool, ttl: int, probe: int | None = None) -> Trace:
    """Trace through a cluster; :func:`kpath_nb.trace` calls this for a :class:`Cluster`."""
    src_owner, src_ip = cl.resolve(src)
    if src_owner is None:
        raise_unknown(cl, src)
    _, dst_ip = cl.resolve(dst)
    cidr_owner = cl.node_by_cidr(dst_ip)  # health IPs come from their node's pod CIDR
    if cidr_owner is not None and dst_ip == cidr_owner.health_ip:
        raise KpathError(f"{dst_ip} is a cilium-health endpoint, which this model leaves out; "
                         f"trace to a pod or a node")
    path = _Datapath(cl, learn)
    first = _first_packet(proto, src_ip, dst_ip, ttl, dport, probe)
    outcome = path.send(src_owner, first, pick_source=str(src).strip() == src_owner.name)
    verdict, cause = ("delivered", None) if outcome.delivered else ("dropped", outcome.cause)
    reason = outcome.reason or f"{_what(first)} was delivered to {dst_ip}"
    error = None if outcome.delivered else path.send_error(outcome)
    if outcome.delivered and reply:
        path.journey.direction = "reply"
        answer = _answer(outcome.packet)
        answerer = cl.nodes.get(outcome.node) or cl.pods[outcome.node]
        back = path.send(answerer, answer, pick_source=False)
        if back.delivered:
            reason = (f"{_what(first)} was delivered to {dst_ip}, and its {_what(answer)} "
                      f"came back")
        else:
            verdict, cause = "dropped", back.cause
            reason = (f"{_what(first)} arrived, but its {_what(answer)} was dropped at "
                      f"{back.node} — {back.reason}")
            error = path.send_error(back)
    if learn:
        path.commit()
    tr = Trace(str(src), str(dst), proto, verdict, reason + error_sentence(error),
               tuple(path.journey.hops), cause, icmp_error=error)
    return replace(tr, flows=tuple(hubble_lines(cl, tr)))


def raise_unknown(cl: Cluster, endpoint: str) -> None:
    """A source must be a pod or a node: say which ones there are."""
    raise UnknownEndpointError(
        f"{endpoint!r} is no pod or node of {cl.name} and cannot send; pods are "
        f"{', '.join(cl.pods)}; nodes are {', '.join(cl.nodes)}")


@dataclass
class _Datapath:
    cl: Cluster
    learn: bool
    journey: _Journey = field(init=False)
    created: dict[tuple[str, str], CtEntry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.journey = _Journey(self.cl.underlay, self.learn)
        self.clock = self.cl.clock

    # -- bookkeeping ----------------------------------------------------------------

    def hop(self, node: str, action: str, in_iface: str | None, out_iface: str | None,
            packet: Packet, note: str, lookups: tuple[Lookup, ...] = (),
            learned: tuple[Learned, ...] = (), observation: str | None = None) -> Hop:
        return self.journey.record(node, action, in_iface, out_iface, packet, lookups, note,
                                   learned, (), observation)

    def drop(self, node: str, in_iface: str | None, packet: Packet, reason: str, cause: str,
             lookups: tuple[Lookup, ...] = (), observation: str | None = None) -> _Outcome:
        self.journey.record(node, "drop", in_iface, None, packet, lookups, reason, (), (),
                            observation)
        return _Outcome(False, node, packet, reason, cause)

    def commit(self) -> None:
        """Write the conntrack entries this trace made into the cluster (``learn=True``)."""
        for (node, key), entry in self.created.items():
            table = self.cl.conntrack.setdefault(node, [])
            table[:] = [e for e in table if e.key != key] + [entry]
        self.cl.clock += 1

    def send_error(self, dropped: _Outcome) -> IcmpError | None:
        """The ICMP error of a kernel drop. Cilium's own drops send none. A closed port's
        port unreachable leaves the pod or node through Cilium's datapath; an error of the
        node network (a router, or a node's kernel) goes back over it when it is for a
        node's address; others are left out of the model."""
        if dropped.error is None:
            return None
        answerer = self.cl.pods.get(dropped.node) or self.cl.nodes.get(dropped.node)
        if dropped.cause == "port-unreachable" and answerer is not None:
            return self.journey.send_error(
                dropped, answerer, lambda error: self.send(answerer, error, pick_source=False))
        if self.journey.net.owner(dropped.packet[IPv4].src) is None:
            return None
        return self.journey.send_error(dropped)

    # -- where a packet starts ------------------------------------------------------

    def send(self, sender, packet: Packet, *, pick_source: bool) -> _Outcome:
        """Originate ``packet`` at a pod or a node; a node named as the source picks its
        source address from the route, as Linux does."""
        if isinstance(sender, Pod):
            return self.from_pod(sender, packet)
        return self.from_node(sender, packet, pick_source)

    def from_pod(self, pod: Pod, packet: Packet) -> _Outcome:
        node = self.cl.nodes[pod.node]
        ip = packet[IPv4]
        if ip.dst == pod.ip:
            return self.deliver(pod, "lo", packet, f"{ip.dst} is {pod.name}'s own address")
        table = pod.routing_table()
        route = table.lookup(ip.dst)
        route_lookup = _route_lookup(table, ip.dst, route)
        arp = self.journey.arp(pod)
        lxc_mac = node.interfaces[pod.lxc].mac
        learned: tuple[Learned, ...] = ()
        lookups = [route_lookup]
        if arp.get(route.via) is None:
            lookups.append(_arp_lookup(arp, route.via))
            request = ARP.request(pod.mac, pod.ip, route.via)
            self.hop(pod.name, "arp", None, "eth0",
                     Packet((Ethernet(pod.mac, BROADCAST_MAC, ETHERTYPE_ARP), request)),
                     f"{pod.name}'s only route is the default via {route.via}, and it has no "
                     f"MAC for that gateway yet, so it asks who-has {route.via}",
                     tuple(lookups))
            self.hop(node.name, "arp", pod.lxc, pod.lxc,
                     Packet((Ethernet(lxc_mac, pod.mac, ETHERTYPE_ARP), request.answer(lxc_mac))),
                     f"the question never reaches cilium_host ({route.via}): the eBPF ARP "
                     f"responder on {pod.lxc} (bpf_lxc, tail_handle_arp) answers with "
                     f"{pod.lxc}'s own MAC")
            arp.learn(route.via, lxc_mac, "eth0")
            learned = (Learned(pod.name, "arp", str(route.via), f"{lxc_mac} dev eth0"),)
            lookups = [route_lookup]
        lookups.append(_arp_lookup(arp, route.via))
        frame = packet.encapsulate(Ethernet(pod.mac, lxc_mac))
        self.hop(pod.name, "send", None, "eth0", frame,
                 f"{pod.name} sends to its gateway {route.via}: the frame goes down its veth "
                 f"pair and comes out of {pod.lxc} on {node.name}", tuple(lookups), learned)
        return self.from_endpoint(node, pod, frame)

    def from_node(self, node: K8sNode, packet: Packet, pick_source: bool) -> _Outcome:
        ip = packet[IPv4]
        if self.journey.owns(node, ip.dst):
            return self.deliver(node, "lo", packet, f"{ip.dst} is {node.name}'s own address, "
                                                     f"so the packet loops back through lo")
        table = node.routing_table()
        route = table.lookup(ip.dst)
        if route is None or route.dev != "cilium_host":
            return self.journey.send(node, packet, pick_source=pick_source)
        if pick_source:
            packet = packet.replace(IPv4, src=route.src)
        host_mac = node.interfaces["cilium_host"].mac
        frame = packet.encapsulate(Ethernet(host_mac, host_mac))
        self.hop(node.name, "send", None, "cilium_host", frame,
                 f"the kernel's route '{route}' sends the packet to cilium_host (the lobby's "
                 f"door {node.router_ip}); cilium_host needs no ARP, and eBPF takes over there",
                 (_route_lookup(table, ip.dst, route),))
        return self.from_host(node, frame)

    # -- eBPF programs ----------------------------------------------------------------

    def from_endpoint(self, node: K8sNode, pod: Pod, frame: Packet) -> _Outcome:
        """``cil_from_container`` on the pod's ``lxc`` device."""
        ip = frame[IPv4]
        ct = self.conntrack(node, frame, "OUT", 0)
        cache = ipcache_lookup(self.cl, node.name, ip.dst)
        local = lxc_lookup(self.cl, node.name, ip.dst)
        lookups = (ct[0], _ipcache_lookup(self.cl, node, ip.dst, cache),
                   _lxc_lookup(self.cl, node, ip.dst, local))
        return self.dispatch(node, pod.lxc, frame, "from-endpoint", lookups, ct[1], cache,
                             local, pod.identity.number)

    def from_host(self, node: K8sNode, frame: Packet) -> _Outcome:
        """``cil_from_host`` on ``cilium_host``: the node's own packets towards pods."""
        ip = frame[IPv4]
        cache = ipcache_lookup(self.cl, node.name, ip.dst)
        local = lxc_lookup(self.cl, node.name, ip.dst)
        lookups = (_ipcache_lookup(self.cl, node, ip.dst, cache),
                   _lxc_lookup(self.cl, node, ip.dst, local))
        # Encapsulating, a packet from the local host travels as from a remote node.
        return self.dispatch(node, "cilium_host", frame, "from-host", lookups, (), cache, local,
                             RESERVED["remote-node"])

    def dispatch(self, node: K8sNode, device: str, frame: Packet, observation: str,
                 lookups: tuple[Lookup, ...], learned: tuple[Learned, ...],
                 cache: IpcacheEntry, local: LxcEntry | None, identity: int) -> _Outcome:
        ip = frame[IPv4]
        if local is not None and not local.host:
            target = self.cl.owner_of(ip.dst)
            self.hop(node.name, "redirect", device, target.lxc, frame,
                     f"cilium_lxc has {ip.dst}: {target.name} lives in this building, so the "
                     f"packet goes straight to its program, not through the lobby's routing",
                     lookups, learned, observation)
            return self.to_endpoint(node, target, frame, device)
        if local is not None:
            return self.to_host(node, device, frame, lookups, learned, observation)
        if cache.tunnel_endpoint != IPv4Address("0.0.0.0"):
            tunnel = self.cl.config.tunnel_device
            self.hop(node.name, "redirect", device, tunnel, frame,
                     f"{ip.dst} is not here; the ipcache says it lives behind tunnel endpoint "
                     f"{cache.tunnel_endpoint}, so the packet goes to {tunnel}",
                     lookups, learned, observation)
            return self.encapsulate(node, frame, cache.tunnel_endpoint, identity)
        if ip.dst in node.pod_cidr:
            return self.unroutable(node, device, frame, lookups, observation)
        # Neither local nor tunnelled: out through the node's own routing (not masqueraded here).
        bpf = self.cl.config.host_routing == "bpf"
        self.hop(node.name, "redirect", device, "eth0" if bpf else None, frame,
                 f"{ip.dst} is neither an endpoint here nor behind a tunnel, so it leaves "
                 f"unencapsulated: " + ("BPF host routing looks up the kernel's FIB and "
                                        "redirects it to eth0" if bpf else
                                        "legacy host routing passes it to the kernel stack"),
                 lookups, learned, observation)
        return self.journey.send(node, frame.decapsulate(1), pick_source=False,
                                 observation="to-network" if bpf else "to-stack")

    def to_endpoint(self, node: K8sNode, pod: Pod, frame: Packet, device: str) -> _Outcome:
        """The destination's policy program, then into the pod (``to-endpoint``)."""
        ip = frame[IPv4]
        ct, learned = self.conntrack(node, frame, "IN", self.identity_of(node, ip.src))
        checks = (ct,)
        if "reply" not in ct.result:  # replies of tracked connections skip policy
            checks += (Lookup(f"cilium_policy_v2_{pod.endpoint_id:05d}",
                              f"identity {self.identity_of(node, ip.src)} ingress",
                              "allow: no network policy selects this pod", True),)
        verdict = (f"{pod.name}'s ingress policy allows it" if len(checks) > 1 else
                   "a reply of a tracked connection needs no second policy check")
        if ip.ttl <= 1:  # ipv4_l3() lowers the TTL before the redirect, and refuses 0
            return self.drop(node.name, device, frame,
                             f"{DROP_TTL}: the packet for {pod.name} arrived with TTL "
                             f"{ip.ttl}, and Cilium lowers the TTL by one as it delivers into "
                             f"a pod, as a router would, so it is dropped",
                             "ttl-exceeded", checks, "to-endpoint")
        lxc_mac = node.interfaces[pod.lxc].mac
        delivered = frame.decapsulate(1).replace(IPv4, ttl=ip.ttl - 1).encapsulate(
            Ethernet(lxc_mac, pod.mac))
        how = ("bpf_redirect_peer puts it straight into the pod's namespace, no host stack "
               "on the way" if self.cl.config.host_routing == "bpf" else
               f"legacy host routing redirects it to {pod.lxc} through the CPU backlog")
        self.hop(node.name, "redirect", device, pod.lxc, delivered,
                 f"{verdict}; the TTL drops by one, the MACs are "
                 f"rewritten ({pod.lxc} to {pod.name}), and {how}", checks, learned,
                 "to-endpoint")
        return self.deliver(pod, "eth0", delivered.decapsulate(1),
                            f"{ip.dst} is {pod.name}'s address")

    def to_host(self, node: K8sNode, device: str, frame: Packet, lookups: tuple[Lookup, ...],
                learned: tuple[Learned, ...], observation: str | None) -> _Outcome:
        ip = frame[IPv4]
        stack = "to-host" if self.cl.config.host_routing == "bpf" else "to-stack"
        self.hop(node.name, "redirect", device, "cilium_host", frame,
                 f"{ip.dst} is {node.name}'s own address ((localhost) in cilium_lxc), so the "
                 f"packet is handed to the node's own stack", lookups, learned, observation)
        return self.deliver(node, "cilium_host", frame.decapsulate(1),
                            f"{ip.dst} is {node.name}'s address", observation=stack)

    def unroutable(self, node: K8sNode, device: str, frame: Packet,
                   lookups: tuple[Lookup, ...], observation: str) -> _Outcome:
        ip = frame[IPv4]
        return self.drop(node.name, device, frame,
                         f"{DROP_STALE}: {ip.dst} is inside {node.name}'s pod CIDR "
                         f"{node.pod_cidr} but no endpoint holds it (a deleted pod's address?)",
                         "stale-or-unroutable-ip", lookups, observation)

    # -- the tunnel --------------------------------------------------------------------

    def encapsulate(self, node: K8sNode, frame: Packet, remote: IPv4Address,
                    identity: int) -> _Outcome:
        inner = frame[IPv4]
        sport = _vxlan_source_port(frame)
        # The kernel's VXLAN driver sets DF only when the tunnel key asks for it (Cilium's
        # does not) and gives each outer packet its own identification.
        outer_ip = IPv4(src=node.ip, dst=remote, protocol=17, dont_fragment=False,
                        identification=sport)
        outer = frame.encapsulate(outer_ip, UDP(sport, self.cl.config.tunnel_port),
                                  VXLAN(identity))
        tunnel = self.cl.config.tunnel_device
        self.hop(node.name, "encap", tunnel, "eth0", outer,
                 f"{tunnel} wraps the frame: outer IPv4 {node.ip} > {remote}, UDP "
                 f"{self.cl.config.tunnel_port}, VXLAN with VNI {identity} (the sender's "
                 f"security identity); with the outer Ethernet header that is "
                 f"{VXLAN_OVERHEAD} bytes more, which is why pod routes say mtu "
                 f"{self.cl.config.tunnel_mtu}", (), (), "to-overlay")
        arrived = self.journey.send(node, outer, pick_source=False)
        if not arrived.delivered:
            return arrived
        far = self.cl.nodes[arrived.node]
        vni = arrived.packet[VXLAN].vni
        inner_frame = arrived.packet.decapsulate(3)
        local = lxc_lookup(self.cl, far.name, inner.dst)
        lookups = (Lookup("tunnel key", "vni", f"identity {vni}", True),
                   _lxc_lookup(self.cl, far, inner.dst, local))
        self.hop(far.name, "decap", tunnel, None, inner_frame,
                 f"UDP {self.cl.config.tunnel_port} belongs to {tunnel}: the outer headers come "
                 f"off, the VNI says the sender is identity {vni}, and the original packet, "
                 f"addresses unchanged, carries on", lookups, (), "from-overlay")
        if local is not None and not local.host:
            return self.to_endpoint(far, self.cl.owner_of(inner.dst), inner_frame, tunnel)
        if local is not None:
            return self.to_host(far, tunnel, inner_frame, (), (), None)
        return self.unroutable(far, tunnel, inner_frame, lookups, "from-overlay")

    def deliver(self, owner, in_iface: str, packet: Packet, why: str,
                observation: str | None = None) -> _Outcome:
        if self.journey.direction == "request" and closed_port(packet):
            dropped = self.drop(owner.name, in_iface, packet,
                                f"{why}, but no program listens on UDP port "
                                f"{packet[UDP].dport} there, so the kernel discards the "
                                f"datagram and answers ICMP port unreachable",
                                "port-unreachable", (), observation)
            return replace(dropped, error=(ICMP.DEST_UNREACH, 3), in_iface=in_iface)
        self.hop(owner.name, "deliver", in_iface, None, packet,
                 f"{why}: delivered with TTL {packet[IPv4].ttl}", (), (), observation)
        return _Outcome(True, owner.name, packet)

    # -- state -------------------------------------------------------------------------

    def conntrack(self, node: K8sNode, frame: Packet, direction: str,
                  source_identity: int) -> tuple[Lookup, tuple[Learned, ...]]:
        """Look the flow up in the node's CT map as ``ct_lookup4`` does: first the tuple as it
        is, in this direction; then reversed, in the other direction (a reply). A miss
        creates an entry."""
        # A tuple and a direction make the key, so one entry at most matches: this trace's
        # own (it replaces the node's entry with the same key), else the node's.
        table = self.cl.conntrack.get(node.name, [])
        other = "IN" if direction == "OUT" else "OUT"
        for tup, way, what in ((_tuple(frame), direction, "a tracked connection"),
                               (_tuple(frame, reverse=True), other,
                                "a reply of a tracked connection")):
            found = next((e for (n, _), e in self.created.items()
                          if n == node.name and e.tuple == tup and e.direction == way), None)
            if found is None:
                found = next((e for e in reversed(table)
                              if e.tuple == tup and e.direction == way), None)
            if found is not None:
                key = found.key
                self.created[(node.name, key)] = replace(
                    found, packets=found.packets + 1, bytes=found.bytes + frame.size)
                return Lookup(found.map_name, key, f"hit: {what}", True), ()
        entry = _ct_entry(frame, direction, self.clock, source_identity)
        key = entry.key
        self.created[(node.name, key)] = entry
        return (Lookup(entry.map_name, key, "miss: a new connection, entry created", False),
                (Learned(node.name, entry.map_name, key, entry.value),))

    def identity_of(self, node: K8sNode, ip: IPv4Address) -> int:
        return ipcache_lookup(self.cl, node.name, ip).identity


def node_ips(node: K8sNode) -> set[IPv4Address]:
    """The node's own addresses: its eth0 and its router IP."""
    return {node.ip, node.router_ip}


def _ports(frame: Packet) -> tuple[str, int, int]:
    l4 = frame.get(TCP) or frame.get(UDP) or frame.get(ICMP)
    if isinstance(l4, ICMP):  # echo requests put the identifier in dport, replies in sport
        return ("ICMP", 0, l4.identifier) if l4.type == ICMP.ECHO_REQUEST else (
            "ICMP", l4.identifier, 0)
    return ("TCP" if isinstance(l4, TCP) else "UDP"), l4.sport, l4.dport


def _ct_entry(frame: Packet, direction: str, clock: int, source_identity: int) -> CtEntry:
    proto, src, sport, dst, dport = _tuple(frame)
    life = CT_LIFETIME_TCP_SYN if proto == "TCP" else CT_LIFETIME_NONTCP
    return CtEntry(proto, direction, src, sport, dst, dport, clock + life, 1, frame.size,
                   source_identity)


def _tuple(frame: Packet, *, reverse: bool = False) -> tuple:
    """The packet's conntrack tuple (protocol, source, port, destination, port), or the
    same flow seen from the other end. An ICMP error is looked up as the flow it quotes,
    coming back (Cilium's CT_RELATED)."""
    icmp = frame.get(ICMP)
    if icmp is not None and icmp.is_error:
        quoted = frame.headers.index(icmp) + 1
        return _tuple(frame.decapsulate(quoted), reverse=not reverse)
    ip = frame[IPv4]
    proto, sport, dport = _ports(frame)
    if reverse:
        return proto, ip.dst, dport, ip.src, sport
    return proto, ip.src, sport, ip.dst, dport


def _vxlan_source_port(frame: Packet) -> int:
    proto, sport, dport = _ports(frame)
    ip = frame[IPv4]
    digest = hashlib.sha256(f"{ip.src} {ip.dst} {proto} {sport} {dport}".encode()).digest()
    low, high = VXLAN_SPORT_RANGE
    return low + int.from_bytes(digest[:4], "big") % (high - low + 1)


SNAPSHOT_LIMIT = 40
"""Maps up to this size are shown whole at a lookup; bigger ones show the covering entries."""


def _ipcache_lookup(cl: Cluster, node: K8sNode, ip: IPv4Address, found: IpcacheEntry) -> Lookup:
    entries = ipcache_entries(cl, node.name) if len(cl.pods) + 4 * len(cl.nodes) <= \
        SNAPSHOT_LIMIT else [found]
    rows = tuple((e.key, e.value) for e in entries)
    matched = next(i for i, e in enumerate(entries) if e.prefix == found.prefix)
    return Lookup("cilium_ipcache_v2", str(ip), f"{found.key} {found.value}", True,
                  ("IP PREFIX/ADDRESS", "IDENTITY"), rows, matched)


def _lxc_lookup(cl: Cluster, node: K8sNode, ip: IPv4Address, found: LxcEntry | None) -> Lookup:
    size = len(cl.pods_on(node.name)) + 3  # its pods, the health endpoint, eth0, cilium_host
    entries = lxc_entries(cl, node.name) if size <= SNAPSHOT_LIMIT else [found] if found else []
    rows = tuple((e.key, e.value) for e in entries)
    matched = next((i for i, e in enumerate(entries) if found and e.ip == found.ip), None)
    result = f"{found.key} {found.value}" if found else "miss: not an endpoint on this node"
    return Lookup("cilium_lxc", str(ip), result, found is not None,
                  ("IP ADDRESS", "LOCAL ENDPOINT INFO"), rows, matched)


# -- Hubble ----------------------------------------------------------------------------

HUBBLE_EPOCH = datetime(2026, 1, 5, 9, 30, 0)


def hubble_lines(cl: Cluster, tr: Trace) -> list[str]:
    """The trace as ``hubble observe`` prints it: one line per observation point or drop."""
    lines = []
    known: dict[tuple[str, IPv4Address], tuple[str, str]] = {}  # a flow meets few (node, ip)
    for hop in tr.hops:
        if hop.observation is None:
            continue  # Hubble sees Cilium's hooks, not the switches of the node network
        inner = _innermost(hop.packet)
        if inner is None:
            continue
        ip = inner.headers[0]
        node = cl.nodes.get(hop.node) or cl.nodes[cl.pods[hop.node].node]
        a, b = (ip.src, ip.dst) if hop.direction == "request" else (ip.dst, ip.src)
        arrow = "<>" if hop.action == "drop" else ("->" if hop.direction == "request" else "<-")
        kind = (f"{DROP_REASONS[tr.cause]} DROPPED" if hop.action == "drop" else
                f"{hop.observation} FORWARDED")
        when = HUBBLE_EPOCH + timedelta(milliseconds=hop.index)
        stamp = f"{when.ctime()[4:19]}.{when.microsecond // 1000:03d}"  # Jan  5 09:30:00.003
        l4 = inner.get(TCP) or inner.get(UDP)
        ends = []
        for address in (a, b):
            who = known.get((node.name, address))
            if who is None:
                who = known[(node.name, address)] = _who(cl, node, address)
            name, label = who
            port = "" if l4 is None else f":{l4.sport if address == ip.src else l4.dport}"
            ends.append(f"{name}{port} ({label})")
        lines.append(f"{stamp}: {ends[0]} {arrow} {ends[1]} {kind} ({_flow_summary(inner)})")
    return lines


def _innermost(packet: Packet) -> Packet | None:
    """The headers from the innermost IPv4 on: what Hubble reports for a tunnelled packet;
    None for a packet without IPv4 (an ARP frame)."""
    end = next((i + 1 for i, h in enumerate(packet.headers)
                if isinstance(h, ICMP) and h.is_error), len(packet.headers))
    headers = packet.headers[:end]   # an ICMP error's quoted packet is not the flow itself
    last = max((i for i, h in enumerate(headers) if isinstance(h, IPv4)), default=None)
    return None if last is None else Packet(headers[last:])


def _who(cl: Cluster, node: K8sNode, ip: IPv4Address) -> tuple[str, str]:
    """How Hubble on ``node`` names ``ip``: the pod (or the address), and its identity."""
    owner = cl.owner_of(ip)
    identity = ipcache_lookup(cl, node.name, ip).identity
    label = f"ID:{identity}" if identity >= 256 else next(
        name for name, number in RESERVED.items() if number == identity)
    return (owner.qualified_name if isinstance(owner, Pod) else str(ip)), label


HUBBLE_ICMP_ERRORS = {(3, 0): "DestinationUnreachable(Net)", (3, 1): "DestinationUnreachable(Host)",
                      (3, 3): "DestinationUnreachable(Port)", (11, 0): "TimeExceeded(TTLExceeded)"}
"""How Hubble names the ICMP errors (gopacket's type and code names)."""


def _flow_summary(inner: Packet) -> str:
    l4 = inner.get(TCP) or inner.get(UDP) or inner.get(ICMP)
    if isinstance(l4, ICMP):
        if l4.is_error:
            return f"ICMPv4 {HUBBLE_ICMP_ERRORS[(l4.type, l4.code)]}"
        return "ICMPv4 EchoRequest" if l4.type == ICMP.ECHO_REQUEST else "ICMPv4 EchoReply"
    if isinstance(l4, UDP):
        return "UDP"
    return "TCP Flags: SYN" if l4.flags == "S" else "TCP Flags: SYN, ACK"

