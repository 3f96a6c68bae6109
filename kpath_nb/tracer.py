"""Follow one packet through a :class:`~kpath_nb.topology.Topology`, hop by hop.

The tracer does what the Linux kernel and an Ethernet switch do, in order:

* a sender looks up the route for the destination (longest-prefix match), picks
  the next hop (the destination itself on a connected subnet, else the
  gateway), and resolves its MAC with ARP, broadcasting a request on a miss;
* a switch learns the source MAC on the port a frame came in on, forwards to
  the port its table names, and floods broadcasts and unknown destinations;
* a host that owns the destination address accepts the packet; a router
  lowers the TTL, drops the packet when it would reach 0, and forwards it with
  new Ethernet addresses for the next segment while the IP addresses stay;
* the receiver answers (ICMP echo reply, UDP answer or TCP SYN-ACK), and the
  answer travels back the same way.

It never prints and, unless asked with ``learn=True``, it leaves the network's
ARP and forwarding tables as they were: what each hop learned is part of the trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address

from .addr import BROADCAST_MAC, MacAddress, parse_address
from .errors import KpathError
from .packet import (ARP, DEFAULT_TTL, ETHERTYPE_ARP, ICMP, IPPROTO_ICMP, IPPROTO_TCP,
                     IPPROTO_UDP, TCP, UDP, Ethernet, IPv4, Packet, Payload)
from .tables import ArpTable, ForwardingTable, Route, RouteTable
from .cluster import Cluster
from .topology import Host, Switch, Topology
from .trace import Hop, IcmpError, Learned, Lookup, Trace

__all__ = ["trace", "PROTOCOLS", "EPHEMERAL_PORT", "MAX_HOPS"]

PROTOCOLS = {"icmp": IPPROTO_ICMP, "udp": IPPROTO_UDP, "tcp": IPPROTO_TCP}
DEFAULT_PORTS = {"udp": 53, "tcp": 80}
PROBE_DATA = 32
"""Bytes of data in a traceroute probe: 20 (IPv4) + 8 (UDP or ICMP) + 32 = 60-byte packets."""
PAYLOAD_SIZES = {"icmp": 56, "udp": 32, "tcp": 0}  # ping's default 56 bytes; a small DNS query
EPHEMERAL_PORT = 40000  # inside Linux's ip_local_port_range 32768-60999
FIRST_CLOSED_PORT = 33434
"""UDP ports from this one up are closed on every host: a datagram a trace sends to them is
answered with ICMP port unreachable (answers come back to the socket that asked, which is
open). It is traceroute's first port, picked (like the ports above it) as one no service
uses; every port below is open, so the default services (UDP 53, TCP 80) answer as before.
TCP ports are all open."""
ICMP_ERROR_DSCP = 48
"""An ICMP error's IPv4 TOS is 0xc0 (precedence 'internetwork control'), DSCP 48: Linux's
choice for the errors it sends."""
MAX_HOPS = 4096
"""Safety net: a trace longer than this ends in a drop. TTL ends real loops long before."""
SNAPSHOT_LIMIT = 64
"""Tables up to this many rows are kept whole in a hop's :class:`Lookup`; of bigger ones
(a Cilium node's routing table holds a route per node) only the rows that cover the key."""

Taker = tuple[str, str | None]
"""The door that takes a frame off the wire: ``(node, iface)``, or ``(node, None)`` for
whichever door of that node the frame reaches first (an ARP request asks a node, not a door)."""


def trace(net: Topology | Cluster, src: str, dst: str, proto: str = "icmp", *, dport: int | None = None,
          reply: bool = True, learn: bool = False, ttl: int = DEFAULT_TTL) -> Trace:
    """Follow a packet from ``src`` to ``dst`` and, if it arrives, its answer back.

    Parameters
    ----------
    net : Topology
        The network.
    src : str
        The sender: a host or router name, or one of its addresses.
    dst : str
        The destination: a node name or any IPv4 address (an address nobody
        holds ends in an ARP failure, as it would on a real network).
    proto : {"icmp", "udp", "tcp"}
        ``icmp`` sends an echo request (``ping``); ``udp`` a datagram to port 53
        by default; ``tcp`` a SYN to port 80 by default.
    dport : int, optional
        Destination port for UDP and TCP.
    reply : bool
        Also trace the answer back to ``src``.
    learn : bool
        Keep what the hops learned (ARP and switch tables) in ``net``.
    ttl : int
        The TTL the sender puts in the IPv4 header (Linux uses 64).

    Returns
    -------
    Trace

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("seed-neighborhoods")
    >>> tr = kp.trace(net, "house-14", "house-15")
    >>> tr.verdict
    'delivered'
    >>> [h.action for h in tr.request_hops]
    ['arp', 'flood', 'arp', 'switch', 'send', 'switch', 'deliver']
    """
    proto = str(proto).lower()
    if proto not in PROTOCOLS:
        raise KpathError(f"unknown protocol {proto!r}: choose one of {', '.join(PROTOCOLS)}")
    if not (isinstance(ttl, int) and 1 <= ttl <= 255):
        raise KpathError(f"ttl must be a whole number from 1 to 255, not {ttl!r}")
    if dport is not None and not (isinstance(dport, int) and 1 <= dport <= 65535):
        raise KpathError(f"dport must be a port number from 1 to 65535, not {dport!r}")
    return _follow(net, src, dst, proto, dport=dport, reply=reply, learn=learn, ttl=ttl)


def traceroute_probe(net: Topology | Cluster, src: str, dst: str, method: str, ttl: int,
                     number: int) -> Trace:
    """Probe ``number`` (from 0) of a traceroute, sent with ``ttl``: a 60-byte UDP datagram
    to port 33434 + ``number`` (``method="udp"``) or an echo request with sequence
    ``number`` + 1 (``"icmp"``), followed as :func:`trace` follows any packet."""
    dport = FIRST_CLOSED_PORT + number if method == "udp" else None
    return _follow(net, src, dst, method, dport=dport, reply=True, learn=False, ttl=ttl,
                   probe=number)


def _follow(net: Topology | Cluster, src: str, dst: str, proto: str, *, dport: int | None,
            reply: bool, learn: bool, ttl: int, probe: int | None = None) -> Trace:
    if isinstance(net, Cluster):
        from .datapath import trace_cluster

        return trace_cluster(net, src, dst, proto, dport=dport, reply=reply, learn=learn,
                             ttl=ttl, probe=probe)
    src_node, src_ip = net.resolve(src)
    dst_ip = _destination_address(net, dst)
    for address in src_node.addresses():
        if dst_ip == address.network.broadcast_address and address.network.prefixlen < 31 \
                or dst_ip == IPv4Address("255.255.255.255"):
            raise KpathError(
                f"{dst_ip} is a broadcast address, not one host; tracing a broadcast "
                f"(ping -b) is left out of this model: pick a host's address")
    journey = _Journey(net, learn)
    named_source = str(src).strip() == src_node.name
    first = _first_packet(proto, src_ip, dst_ip, ttl, dport, probe)
    outcome = journey.send(src_node, first, pick_source=named_source)
    error = None
    if outcome.delivered and reply:
        journey.direction = "reply"
        answer = _answer(outcome.packet)
        back = journey.send(journey.net.nodes[outcome.node], answer, pick_source=False)
        if back.delivered:
            reason = (f"{_what(first)} was delivered to {dst_ip}, and its {_what(answer)} "
                      f"came back")
        else:
            reason = (f"{_what(first)} arrived, but its {_what(answer)} was dropped at "
                      f"{back.node} — {back.reason}")
            error = journey.send_error(back)
        verdict, cause = ("delivered", None) if back.delivered else ("dropped", back.cause)
    elif outcome.delivered:
        verdict, reason, cause = "delivered", f"{_what(first)} was delivered to {dst_ip}", None
    else:
        verdict, reason, cause = "dropped", outcome.reason, outcome.cause
        error = journey.send_error(outcome)
        if outcome.cause == "no-route" and outcome.node == src_node.name:
            reason += ("; the sender's own kernel refuses to send it, so nothing goes on the "
                       "wire (ping prints 'connect: Network is unreachable')")
    return Trace(str(src), str(dst), proto, verdict, reason + error_sentence(error),
                 tuple(journey.hops), cause, icmp_error=error)


def closed_port(packet: Packet) -> bool:
    """True for a UDP datagram to a port no program listens on (see :data:`FIRST_CLOSED_PORT`)."""
    ip = _ip_packet(packet)
    return ip[IPv4].protocol == IPPROTO_UDP and ip[UDP].dport >= FIRST_CLOSED_PORT


def error_sentence(error: IcmpError | None) -> str:
    """What became of a drop's ICMP error, as the end of a trace's reason."""
    if error is None:
        return ""
    if error.local:
        return (f"; {error.node}'s own kernel reports ICMP {error.name} to the program "
                f"(ping prints 'From {error.address} ... Destination Host Unreachable'), "
                f"no ICMP packet is sent")
    if error.address is None:
        return f"; no ICMP {error.name} comes back: {error.lost}"
    sent = f"; {error.node} sent ICMP {error.name} from {error.address} to {error.to}"
    return sent + (", and it arrived" if error.reached else f", but it was lost {error.lost}")


def _ip_packet(packet: Packet) -> Packet:
    """The packet from its (outermost) IPv4 header on, without the Ethernet header."""
    return packet.decapsulate(packet.headers.index(packet[IPv4]))


def _destination_address(net: Topology, dst: str) -> IPv4Address:
    """A node's address, or any well-formed IPv4 address even if nobody holds it."""
    text = str(dst).strip()
    parts = text.split(".")
    if text in net.nodes or not (len(parts) == 4 and all(p.isdigit() for p in parts)):
        return net.resolve(text)[1]
    return parse_address(text)


def _first_packet(proto: str, src: IPv4Address, dst: IPv4Address, ttl: int,
                  dport: int | None, probe: int | None = None) -> Packet:
    """The packet a trace starts with; for traceroute's probe ``probe`` (from 0), a 60-byte
    one (32 bytes of data), the echo request numbered ``probe`` + 1."""
    ip = IPv4(src=src, dst=dst, ttl=ttl, protocol=PROTOCOLS[proto])
    if probe is not None:
        l4 = ICMP.echo_request(1, probe + 1) if proto == "icmp" else UDP(EPHEMERAL_PORT, dport)
        return Packet((ip, l4, Payload(PROBE_DATA)))
    if proto == "icmp":
        l4 = ICMP.echo_request()
    elif proto == "udp":
        l4 = UDP(EPHEMERAL_PORT, dport or DEFAULT_PORTS["udp"])
    else:
        l4 = TCP(EPHEMERAL_PORT, dport or DEFAULT_PORTS["tcp"])
    headers = (ip, l4) + ((Payload(PAYLOAD_SIZES[proto]),) if PAYLOAD_SIZES[proto] else ())
    return Packet(headers)


def _answer(request: Packet) -> Packet:
    """The receiver's answer: addresses swapped, a fresh TTL, the matching L4 reply."""
    ip = request[IPv4]
    l4 = request.headers[request.headers.index(ip) + 1]
    rest = tuple(h for h in request.headers if isinstance(h, Payload))
    if isinstance(l4, TCP):
        rest = ()  # a SYN-ACK carries no data
    return Packet((IPv4(src=ip.dst, dst=ip.src, ttl=DEFAULT_TTL, protocol=ip.protocol),
                   l4.reply()) + rest)


def _what(packet: Packet) -> str:
    l4 = packet.get(ICMP) or packet.get(UDP) or packet.get(TCP)
    if isinstance(l4, ICMP):
        if l4.is_error:
            return f"ICMP {l4.message}"
        return "the ICMP echo request" if l4.type == ICMP.ECHO_REQUEST else "ICMP echo reply"
    if isinstance(l4, UDP):
        return "the UDP datagram" if l4.sport == EPHEMERAL_PORT else "UDP answer"
    return "the TCP SYN" if l4.flags == "S" else "TCP SYN-ACK"


@dataclass
class _Outcome:
    delivered: bool
    node: str = ""
    packet: Packet | None = None
    reason: str = ""
    cause: str | None = None
    error: tuple[int, int] | None = None
    """The ICMP error (type, code) the drop makes Linux send back, if any."""
    in_iface: str | None = None


@dataclass
class _Journey:
    net: Topology
    learn: bool
    direction: str = "request"
    hops: list[Hop] = field(default_factory=list)
    _arp: dict[str, ArpTable] = field(default_factory=dict)
    _fdb: dict[str, ForwardingTable] = field(default_factory=dict)

    # -- state: copies unless learning --------------------------------------------

    def arp(self, node: Host) -> ArpTable:
        if self.learn:
            return node.arp
        table = self._arp.get(node.name)  # copied once per trace, on first use
        if table is None:
            table = self._arp[node.name] = node.arp.copy()
        return table

    def fdb(self, switch: Switch) -> ForwardingTable:
        if self.learn:
            return switch.fdb
        table = self._fdb.get(switch.name)
        if table is None:
            table = self._fdb[switch.name] = switch.fdb.copy()
        return table

    def record(self, node: str, action: str, in_iface: str | None, out_iface: str | None,
               packet: Packet, lookups: tuple[Lookup, ...] = (), note: str = "",
               learned: tuple[Learned, ...] = (), flooded: tuple[str, ...] = (),
               observation: str | None = None) -> Hop:
        """Add the journey's next hop, on the leg it is on."""
        hop = Hop(len(self.hops), node, action, in_iface, out_iface, packet, lookups, note,
                  self.direction, learned, flooded, observation)
        self.hops.append(hop)
        return hop

    def owns(self, node: Host, ip: IPv4Address) -> bool:
        """``node.owns(ip)``, from the network's address index instead of a look at every
        interface (a Kubernetes node has one per pod; a broadcast asks every node)."""
        holder = self.net.owner(ip)
        return holder is not None and holder[0] == node.name

    def drop(self, node: str, in_iface: str | None, packet: Packet, cause: str, reason: str,
             lookups: tuple[Lookup, ...] = (), *,
             error: tuple[int, int] | None = None) -> _Outcome:
        """End the packet at ``node``; ``error`` is the ICMP (type, code) Linux answers with."""
        self.record(node, "drop", in_iface, None, packet, lookups, reason)
        return _Outcome(False, node, packet, reason, cause, error, in_iface)

    def deliver(self, node: Host, in_iface: str, packet: Packet, why: str) -> _Outcome:
        """The packet is for ``node``: accepted, unless it is UDP to a closed port."""
        udp = packet.get(UDP)
        if self.direction == "request" and closed_port(packet):
            return self.drop(
                node.name, in_iface, packet, "port-unreachable",
                f"{why}, but no program listens on UDP port {udp.dport} there, so the kernel "
                f"discards the datagram and answers ICMP port unreachable",
                error=(ICMP.DEST_UNREACH, 3))
        self.record(node.name, "deliver", in_iface, None, packet, (), why)
        return _Outcome(True, node.name, packet)

    # -- ICMP errors ----------------------------------------------------------------

    def send_error(self, dropped: _Outcome, node: Host | None = None,
                   send: Callable[[Packet], _Outcome] | None = None) -> IcmpError | None:
        """Send the ICMP error a drop calls for back to the dropped packet's source, as the
        ``"error"`` leg; None when the drop sends none (or the packet was itself an error:
        Linux never answers an error with an error). ``send`` puts the error on its way
        (by default: out of ``node``, the dropping node, through this journey's network)."""
        if dropped.error is None:
            return None
        about = _ip_packet(dropped.packet)
        icmp = about.get(ICMP)
        if icmp is not None and about[IPv4].protocol == IPPROTO_ICMP and icmp.is_error:
            return None
        if dropped.cause == "no-route" and dropped.in_iface is None:
            return None  # the sender's own kernel refuses to send: ENETUNREACH, no ICMP
        node = node or self.net.nodes[dropped.node]  # type: ignore[assignment]
        kind = ICMP.error(*dropped.error)
        sender, to = about[IPv4].src, about[IPv4].dst
        record = IcmpError(kind.type, kind.code, kind.message, node.name, None, str(sender),
                           False)
        if self.owns(node, sender):
            # The sender's own kernel failed (ARP for its next hop): it tells the program
            # through the socket, and no ICMP packet is sent.
            return replace(record, address=str(sender), reached=True, local=True)
        if kind.code == 3 and kind.type == ICMP.DEST_UNREACH:
            source = to  # the destination answers from the address the datagram was for
        else:
            # icmp_errors_use_inbound_ifaddr=0: the address of the interface the error
            # leaves by, found with a route lookup towards the sender.
            route = node.routing_table().lookup(sender)
            if route is None:
                return replace(record, lost=f"{node.name} has no route back to {sender}, so "
                                            f"it cannot send the error")
            source = route.src or _address_of(node, route.dev)
        error = Packet((IPv4(src=source, dst=sender, ttl=DEFAULT_TTL, protocol=IPPROTO_ICMP,
                             dscp=ICMP_ERROR_DSCP, dont_fragment=False), kind) + about.headers)
        self.direction = "error"
        back = send(error) if send else self.send(node, error, pick_source=False)
        return replace(record, address=str(source), reached=back.delivered,
                       lost=None if back.delivered else f"at {back.node} — {back.reason}")

    # -- layer 3 ------------------------------------------------------------------

    def send(self, node: Host, packet: Packet, *, pick_source: bool,
             observation: str | None = None) -> _Outcome:
        """Originate ``packet`` (IPv4 and above) at ``node`` and follow it to the end;
        ``observation`` marks the hop that puts it on the first wire (Hubble's view)."""
        ip = packet[IPv4]
        if self.owns(node, ip.dst) or ip.dst.is_loopback:
            return self.deliver(node, "lo", packet,
                                f"{ip.dst} is {node.name}'s own address: the packet never "
                                f"leaves, it loops back through lo")
        start_ttl = ip.ttl
        in_iface: str | None = None
        seen: set[tuple[str, str | None]] = set()
        while True:
            if len(self.hops) >= MAX_HOPS:
                return self.drop(node.name, in_iface, packet, "hop-limit",
                                 f"stopped after {MAX_HOPS} hops without an end")
            # Linux looks the route up first (ip_rcv_finish), then ip_forward checks the TTL,
            # then the neighbour (ARP) step: no route beats an expiring TTL.
            table = node.routing_table()
            route = table.lookup(ip.dst)
            route_lookup = _route_lookup(table, ip.dst, route)
            if route is None:
                return self.drop(node.name, in_iface, packet, "no-route",
                                 _no_route_reason(node, ip), (route_lookup,),
                                 error=(ICMP.DEST_UNREACH, 0))
            if in_iface is not None:
                if ip.ttl <= 1:
                    loop = (node.name, in_iface) in seen
                    return self.drop(
                        node.name, in_iface, packet, "ttl-exceeded",
                        f"TTL exceeded: the TTL would reach 0 at {node.name}, which discards "
                        f"the packet and sends ICMP time exceeded to {ip.src}"
                        + (" — the packet kept visiting the same routers: a routing loop"
                           if loop else ""), (route_lookup,), error=(ICMP.TIME_EXCEEDED, 0))
                seen.add((node.name, in_iface))
                packet = packet.replace(IPv4, ttl=ip.ttl - 1)
                ip = packet[IPv4]
            out = node.interfaces[route.dev]
            if in_iface is None and pick_source:
                packet = packet.replace(IPv4, src=route.src or _address_of(node, out.name))
                ip = packet[IPv4]
            next_hop = route.via or ip.dst
            arp = self.arp(node)
            entry = arp.get(next_hop)
            lookups = [route_lookup]
            learned: tuple[Learned, ...] = ()
            if entry is None:
                lookups.append(_arp_lookup(arp, next_hop))
                mac = self.resolve(node, route, next_hop, in_iface, packet, tuple(lookups))
                if mac is None:
                    where = "the destination" if route.via is None else f"gateway {route.via}"
                    return self.drop(
                        node.name, in_iface, packet, "arp-unresolved",
                        f"ARP unresolved: nobody answered who-has {next_hop} on {out.name} "
                        f"({where}), so {ip.dst} is unreachable (Linux gives up after 3 tries "
                        f"and reports 'Destination Host Unreachable')",
                        error=(ICMP.DEST_UNREACH, 1))
                lookups = [route_lookup]
                learned = (Learned(node.name, "arp", str(next_hop), f"{mac} dev {out.name}"),)
                entry = arp.get(next_hop)
            lookups.append(_arp_lookup(arp, next_hop))
            frame = packet.encapsulate(Ethernet(out.mac, entry.mac))
            action = "send" if in_iface is None else "route"
            self.record(node.name, action, in_iface, out.name, frame, tuple(lookups),
                        _send_note(node, route, ip.dst, next_hop, action), learned,
                        observation=observation if action == "send" else None)
            arrived = self.carry(node.name, out.name, frame, self.net.mac_owner(entry.mac))
            if arrived is None:
                return self.drop(node.name, None, frame, "unplugged",
                                 f"the frame for {entry.mac} found no door with that MAC on the "
                                 f"segment of {node.name} {out.name} (cable or port down)")
            node = self.net.nodes[arrived[0]]
            in_iface = arrived[1]
            packet = frame.decapsulate(1)
            if self.owns(node, ip.dst):
                crossed = start_ttl - ip.ttl
                why = (f"{ip.dst} is {node.name}'s own address: delivered with TTL {ip.ttl} "
                       f"({crossed} router{'' if crossed == 1 else 's'} crossed)")
                return self.deliver(node, in_iface, packet, why)
            if not node.forwards:
                return self.drop(node.name, in_iface, packet, "not-forwarding",
                                 f"{node.name} is not {ip.dst} and, being a host, does not "
                                 f"forward packets for others (ip_forward is 0)")
            if self.owns(node, ip.src):
                return self.drop(node.name, in_iface, packet, "martian-source",
                                 f"martian source: the packet came back to {node.name} with "
                                 f"{node.name}'s own address {ip.src} as its source, and Linux "
                                 f"drops such packets instead of forwarding them "
                                 f"(accept_local is 0)")

    def resolve(self, node: Host, route: Route, target: IPv4Address, in_iface: str | None,
                held: Packet, lookups: tuple[Lookup, ...]) -> MacAddress | None:
        """Broadcast an ARP request for ``target`` and follow the reply back; the MAC or None."""
        out = node.interfaces[route.dev]
        # Linux (arp_announce=0) names the held packet's source if it is local, else an
        # address of the outgoing interface.
        source = held[IPv4].src
        if not self.owns(node, source):
            source = _address_of(node, out.name)
        request = ARP.request(out.mac, source, target)
        frame = Packet((Ethernet(out.mac, BROADCAST_MAC, ETHERTYPE_ARP), request))
        self.record(
            node.name, "arp", in_iface, out.name, frame, lookups,
            f"{node.name} must send to {target} on {out.name} but has no MAC for it in its ARP "
            f"table, so it holds the {held[IPv4].dst} packet and broadcasts who-has {target}")
        holder = self.net.owner(target)  # the one node that answers, whichever door hears it
        answers = holder is not None and isinstance(self.net.nodes[holder[0]], Host)
        answerer = self.carry(node.name, out.name, frame, (holder[0], None) if answers else None)
        if answerer is None:
            return None
        peer: Host = self.net.nodes[answerer[0]]  # type: ignore[assignment]
        peer_iface = peer.interfaces[answerer[1]]
        self.arp(peer).learn(request.sender_ip, request.sender_mac, peer_iface.name, "STALE")
        reply = Packet((Ethernet(peer_iface.mac, request.sender_mac, ETHERTYPE_ARP),
                        request.answer(peer_iface.mac)))
        self.record(
            peer.name, "arp", peer_iface.name, peer_iface.name, reply, (),
            f"{target} is {peer.name}'s address, so it answers with its MAC {peer_iface.mac}, "
            f"and notes the asker's MAC on the way",
            (Learned(peer.name, "arp", str(request.sender_ip),
                     f"{request.sender_mac} dev {peer_iface.name} STALE"),))
        back = self.carry(peer.name, peer_iface.name, reply, (node.name, out.name))
        if back is None:
            return None
        self.arp(node).learn(target, peer_iface.mac, out.name)
        return peer_iface.mac

    # -- layer 2 ------------------------------------------------------------------

    def carry(self, node: str, iface: str, frame: Packet,
              taker: Taker | None) -> tuple[str, str] | None:
        """Put ``frame`` on the wire at ``node:iface``; the door that takes it (``taker``, if
        the frame reaches it; None for a frame nobody takes), or None."""
        if not self.net.nodes[node].interfaces[iface].up:
            return None
        far = self.net.peer(node, iface)
        if far is None:
            return None
        return self._reach(far, frame, taker, set())

    def _reach(self, end: tuple[str, str], frame: Packet, taker: Taker | None,
               visited: set[str]) -> tuple[str, str] | None:
        """Where a frame arriving at ``end`` ends up; the switches on the way record hops."""
        node = self.net.nodes[end[0]]
        if not node.interfaces[end[1]].up:
            return None
        if not isinstance(node, Switch):
            return end if _takes(taker, end) else None
        visited.add(node.name)
        eth = frame[Ethernet]
        fdb = self.fdb(node)
        learned: tuple[Learned, ...] = ()
        if fdb.port_for(eth.src) != end[1]:
            fdb.learn(eth.src, end[1])
            learned = (Learned(node.name, "fdb", str(eth.src), end[1]),)
        port = None if eth.dst == BROADCAST_MAC else fdb.port_for(eth.dst)
        key = str(eth.dst)
        rows = _rows(fdb, fdb.entries.get(eth.dst), (key, port))
        if port is not None:
            matched = next(i for i, row in enumerate(rows) if row[0] == key)
            lookup = Lookup("fdb", key, port, True, ForwardingTable.columns, rows, matched)
            self.record(node.name, "switch", end[1], port, frame, (lookup,),
                        f"{node.name} has seen {key} on {port}, so it sends the frame out "
                        f"of that port only", learned)
            far = self.net.peer(node.name, port)
            if port == end[1] or far is None or not node.interfaces[port].up:
                return None
            return self._reach(far, frame, taker, visited)
        # Out of every other port with a live cable (a broadcast asks every node).
        cables = self.net.cables(node.name)
        skip = cables.dead()
        skip.add(cables.position[end[1]])
        ports = cables.ports_except(skip)
        why = ("is the broadcast address" if eth.dst == BROADCAST_MAC
               else "has never been seen as a source here")
        result = "flood (broadcast)" if eth.dst == BROADCAST_MAC else "miss: flood"
        lookup = Lookup("fdb", key, result, False, ForwardingTable.columns, rows, None)
        self.record(node.name, "flood", end[1], None, frame, (lookup,),
                    f"{key} {why}, so {node.name} sends a copy out of every other port "
                    f"({', '.join(ports) or 'none'}); the doors it is not meant for ignore it",
                    learned, ports)
        # The copies that reach other switches go on, in port order; of the doors that take
        # the frame, the one on the first port wins.
        found: tuple[int, tuple[str, str]] | None = None
        for at in cables.to_switches:
            far = cables.ends[at]
            if at in skip or far[0] in visited:
                continue
            receiver = self._reach(far, frame, taker, visited)
            if found is None and receiver is not None:
                found = at, receiver
        # A host or router door with a live cable takes the frame or not: ask only the taker's.
        if taker is not None and not isinstance(self.net.nodes[taker[0]], Switch):
            door = next((at for at in cables.to_node.get(taker[0], ())
                         if at not in skip and _takes(taker, cables.ends[at])), None)
            if door is not None and (found is None or door < found[0]):
                found = door, cables.ends[door]
        return found[1] if found else None


def _takes(taker: Taker | None, end: tuple[str, str]) -> bool:
    """True when the door ``end`` is the one ``taker`` names (or a door of its node)."""
    return taker is not None and end[0] == taker[0] and taker[1] in (None, end[1])


def _route_lookup(table: RouteTable, destination: IPv4Address, route: Route | None) -> Lookup:
    if len(table) > SNAPSHOT_LIMIT:
        table = RouteTable(table.candidates(destination))
    ordered = table.sorted_routes()
    rows = tuple(table.rows())
    if route is None:
        return Lookup("route", str(destination), "miss", False, table.columns, rows, None)
    return Lookup("route", str(destination), str(route), True, table.columns, rows,
                  ordered.index(route))


def _rows(table: ArpTable | ForwardingTable, entry: object,
          row: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """A snapshot of an exact-match table: whole when small, else the matching ``row`` only."""
    if len(table) <= SNAPSHOT_LIMIT:
        return tuple(table.rows())
    return (row,) if entry is not None else ()


def _arp_lookup(arp: ArpTable, ip: IPv4Address) -> Lookup:
    entry = arp.get(ip)
    key = str(ip)
    if entry is None:
        return Lookup("arp", key, "miss", False, ArpTable.columns, _rows(arp, None, ()), None)
    mac = str(entry.mac)
    rows = _rows(arp, entry, (key, mac, entry.dev, entry.state))
    matched = next(i for i, row in enumerate(rows) if row[0] == key)
    return Lookup("arp", key, f"{mac} dev {entry.dev}", True, ArpTable.columns, rows, matched)


def _send_note(node: Host, route: Route, dst: IPv4Address, next_hop: IPv4Address,
               action: str) -> str:
    if route.via is None:
        where = f"{dst} is on {node.name}'s own subnet {route.network} ({route.dev})"
        target = f"straight to {dst}"
    elif route.is_default:
        where = f"{dst} matches no more specific route, so the default route applies"
        target = f"to the gateway {next_hop}"
    else:
        where = f"{dst} matches {route.network}"
        target = f"to the next router {next_hop}"
    verb = "sends it" if action == "send" else "forwards it (TTL lowered by one, new MACs)"
    return f"{where}: {node.name} {verb} {target} out of {route.dev}"


def _address_of(node: Host, iface: str) -> IPv4Address:
    """The address Linux would pick on ``iface``: its own, else the node's first."""
    own = node.interfaces[iface].ip
    return own.ip if own is not None else node.primary_ip()


def _no_route_reason(node: Host, ip: IPv4) -> str:
    down = [i.name for i in node.interfaces.values() if not i.up]
    reason = (f"no route to host: {node.name} has no route that covers {ip.dst} "
              f"(no connected subnet, no matching route, no default route)")
    if down:
        reason += (f"; {', '.join(down)} {'is' if len(down) == 1 else 'are'} down, and a down "
                   f"interface loses its connected route")
    if node.forwards:
        reason += f"; a router answers {ip.src} with ICMP destination unreachable"
    return reason
