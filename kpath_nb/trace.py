"""The record of one packet's journey: a :class:`Trace` made of :class:`Hop` objects.

A trace is data. Every hop says where the packet is, what the device looked
up (and the table as it was at that moment), what it decided, what it learned,
and why, in one sentence a learner can read. Views (tables, plots, widgets)
read traces; they never recompute forwarding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .packet import Ethernet, IPv4, Packet

if TYPE_CHECKING:  # pragma: no cover
    import os

    import pandas

__all__ = ["Lookup", "Learned", "Hop", "IcmpError", "Trace", "ACTIONS", "CAUSES"]

ACTIONS = {
    "send": "the source hands the packet to its interface",
    "arp": "an ARP request or reply is sent to learn or tell a MAC address",
    "flood": "a switch sends a frame out of every other port (broadcast or unknown MAC)",
    "switch": "a switch forwards a frame out of the one port its table names",
    "route": "a router forwards the packet towards the next hop, lowering the TTL",
    "deliver": "the destination accepts the packet",
    "drop": "the packet is discarded; the trace ends with the reason",
    "redirect": "an eBPF program hands the packet straight to another device",
    "encap": "the packet is wrapped in outer headers to cross the node network",
    "decap": "the outer headers come off and the original packet carries on",
}

CAUSES = {
    "no-route": "no routing-table entry covers the destination",
    "arp-unresolved": "nobody answered the ARP request for the next hop",
    "ttl-exceeded": "the TTL ran out before the packet arrived",
    "not-forwarding": "a host received a packet for another address and does not forward",
    "martian-source": "a router received a packet whose source is one of its own addresses",
    "unplugged": "the frame found no cable or no door with the right MAC",
    "hop-limit": "the trace was cut short by the tracer's safety limit",
    "port-unreachable": "no program listens on the UDP port the datagram is for",
    "stale-or-unroutable-ip": "Cilium found no endpoint for an address in a node's own pod "
                              "CIDR (drop reason 151, 'Stale or unroutable IP')",
}
"""Why a trace can end in a drop: :attr:`Trace.cause` is one of these keys."""


@dataclass(frozen=True)
class Lookup:
    """One table lookup made at a hop.

    Parameters
    ----------
    table : str
        ``"arp"``, ``"fdb"``, ``"route"``, or a real BPF map name.
    key : str
        What was looked up (an address, a MAC).
    result : str
        What the lookup returned, as text; ``"miss"`` when nothing matched.
    hit : bool
        True when an entry matched.
    columns, rows : tuple
        A snapshot of the table at the moment of the lookup.
    matched : int or None
        Index into ``rows`` of the entry that matched.
    """

    table: str
    key: str
    result: str
    hit: bool = True
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    matched: int | None = None

    def __str__(self) -> str:
        return f"{self.table}[{self.key}] -> {self.result}"


@dataclass(frozen=True)
class Learned:
    """A state change a hop made: an ARP entry or a switch's FDB entry."""

    node: str
    table: str
    key: str
    value: str

    def __str__(self) -> str:
        return f"{self.node} {self.table}: {self.key} -> {self.value}"


@dataclass(frozen=True)
class Hop:
    """One stop on the packet's journey.

    Attributes
    ----------
    index : int
        Position in the trace, from 0.
    node : str
        Where the packet is.
    action : str
        A short verb from :data:`ACTIONS` (Kubernetes traces add ``redirect``,
        ``encap``, ``decap``).
    in_iface, out_iface : str or None
        Interfaces by Linux name; None where the packet starts or ends.
    packet : Packet
        The packet as it leaves this hop (as it arrived, for deliver and drop).
    lookups : tuple of Lookup
        The tables consulted, in order.
    note : str
        One sentence: why this hop did what it did.
    direction : str
        ``"request"``, ``"reply"``, or ``"error"`` for an ICMP error on its way back.
    learned : tuple of Learned
        Entries this hop added to ARP tables or forwarding tables.
    flooded : tuple of str
        Ports a switch flooded the frame out of.
    observation : str or None
        Hubble observation point, for Kubernetes traces.
    """

    index: int
    node: str
    action: str
    in_iface: str | None
    out_iface: str | None
    packet: Packet
    lookups: tuple[Lookup, ...] = ()
    note: str = ""
    direction: str = "request"
    learned: tuple[Learned, ...] = ()
    flooded: tuple[str, ...] = ()
    observation: str | None = None

    def __str__(self) -> str:
        via = f" {self.in_iface or '-'}>{self.out_iface or '-'}"
        return f"{self.index:2} {self.node}{via} {self.action}: {self.packet.summary()}"


@dataclass(frozen=True)
class IcmpError:
    """The ICMP error a drop sent back, and what became of it.

    Attributes
    ----------
    type, code : int
        ICMP type and code: 11/0 time exceeded, 3/0 net unreachable, 3/1 host
        unreachable, 3/3 port unreachable.
    name : str
        The plain name: ``"time exceeded"``, ``"net unreachable"``, ...
    node : str
        Who sent it: the router (or destination) that dropped the packet.
    address : str or None
        The error's source address: the address of the interface the error leaves by
        (the destination's own address for port unreachable); None when no error could
        be sent, for want of a route back.
    to : str
        Its destination: the source of the dropped packet.
    reached : bool
        True when the error arrived at ``to``.
    local : bool
        True when the sender's own kernel reports the error to the program (a failed
        ARP for the sender's own next hop): no ICMP packet crosses a wire.
    lost : str or None
        Where and why the error was lost, when it did not arrive.
    """

    type: int
    code: int
    name: str
    node: str
    address: str | None
    to: str
    reached: bool
    local: bool = False
    lost: str | None = None

    def __str__(self) -> str:
        fate = "reported locally" if self.local else "reached" if self.reached else "lost"
        return (f"ICMP {self.name} (type {self.type} code {self.code}) from {self.node} "
                f"{self.address or '-'} to {self.to}: {fate}")


@dataclass(frozen=True)
class Trace:
    """A packet's journey from ``src`` to ``dst`` (and back, for the reply).

    Attributes
    ----------
    src, dst : str
        The endpoints as given.
    proto : str
        ``"icmp"``, ``"udp"`` or ``"tcp"``.
    verdict : str
        ``"delivered"`` when the request (and the reply, if traced) arrived, else ``"dropped"``.
    reason : str
        Why the journey ended, in plain words.
    hops : tuple of Hop
    cause : str or None
        For a drop, a key of :data:`CAUSES` (``"no-route"``, ``"arp-unresolved"``, ...);
        None when delivered.
    flows : tuple of str or None
        For a trace through a Cilium cluster, what ``hubble observe`` would print.
    icmp_error : IcmpError or None
        For a drop that makes Linux answer with an ICMP error (TTL exceeded, no route,
        ARP failure at a router, a closed UDP port), the error; its journey back is the
        ``"error"`` leg (:attr:`error_hops`). None when no error was sent.
    """

    src: str
    dst: str
    proto: str
    verdict: str
    reason: str
    hops: tuple[Hop, ...] = field(default_factory=tuple)
    cause: str | None = None
    flows: tuple[str, ...] | None = None
    icmp_error: IcmpError | None = None

    def hubble(self) -> list[str]:
        """The trace as ``hubble observe`` lines: one per observation point or Cilium drop.

        Examples
        --------
        >>> import kpath_nb as kp
        >>> cl = kp.load_topology("seed-cilium-buildings")
        >>> for line in kp.trace(cl, "apartment-12", "apartment-14", reply=False).hubble():
        ...     print(line)
        Jan  5 09:30:00.003: default/apartment-12 (ID:256) -> default/apartment-14 (ID:257) from-endpoint FORWARDED (ICMPv4 EchoRequest)
        Jan  5 09:30:00.004: default/apartment-12 (ID:256) -> default/apartment-14 (ID:257) to-endpoint FORWARDED (ICMPv4 EchoRequest)
        """
        if self.flows is None:
            from .errors import KpathError

            raise KpathError("Hubble observes Cilium's eBPF datapath; this trace crossed a "
                             "network without Cilium. Trace through a cluster instead.")
        return list(self.flows)

    @property
    def learned(self) -> tuple[Learned, ...]:
        """Everything the hops learned, in order."""
        return tuple(entry for hop in self.hops for entry in hop.learned)

    @property
    def request_hops(self) -> tuple[Hop, ...]:
        """The hops of the outgoing leg."""
        return tuple(h for h in self.hops if h.direction == "request")

    @property
    def reply_hops(self) -> tuple[Hop, ...]:
        """The hops of the answer's leg (empty when no reply was traced or it never started)."""
        return tuple(h for h in self.hops if h.direction == "reply")

    @property
    def error_hops(self) -> tuple[Hop, ...]:
        """The hops of the ICMP error's leg back to the sender (empty when none was sent).

        Examples
        --------
        >>> import kpath_nb as kp
        >>> tr = kp.trace(kp.load_topology("seed-neighborhoods"), "house-14", "house-24", ttl=1)
        >>> print(tr.icmp_error)
        ICMP time exceeded (type 11 code 0) from gatekeeper-11 10.0.10.11 to 10.0.10.14: reached
        >>> [(h.node, h.action) for h in tr.error_hops]
        [('gatekeeper-11', 'send'), ('fountain-blue', 'switch'), ('house-14', 'deliver')]
        """
        return tuple(h for h in self.hops if h.direction == "error")

    @property
    def delivered(self) -> bool:
        """True when the verdict is ``"delivered"``."""
        return self.verdict == "delivered"

    def nodes(self, action: str | None = None) -> list[str]:
        """The node of every hop, optionally only hops with ``action``."""
        return [h.node for h in self.hops if action is None or h.action == action]

    def routers_crossed(self, direction: str = "request") -> list[str]:
        """Routers that forwarded the packet (action ``route``) on one leg."""
        return [h.node for h in self.hops if h.action == "route" and h.direction == direction]

    def to_frame(self) -> "pandas.DataFrame":
        """One row per hop: where, what, which interfaces, the packet, the lookups, why."""
        import pandas as pd

        return pd.DataFrame(
            [{
                "hop": h.index,
                "leg": h.direction,
                "node": h.node,
                "action": h.action,
                "in": h.in_iface or "",
                "out": h.out_iface or (",".join(h.flooded) if h.flooded else ""),
                "packet": h.packet.summary(),
                "lookups": "; ".join(str(lk) for lk in h.lookups),
                "learned": "; ".join(str(e) for e in h.learned),
                "observation": h.observation or "",
                "note": h.note,
            } for h in self.hops]
        ).set_index("hop")

    def on_the_wire(self) -> "pandas.DataFrame":
        """One row per hop that puts the IP packet on a wire, with the segment it crosses.

        The table that shows what routers change and what they keep: each segment has its
        own Ethernet addresses (the two doors at its ends) while the IP addresses stay and
        the TTL falls by one per router.

        Examples
        --------
        >>> import kpath_nb as kp
        >>> tr = kp.trace(kp.load_topology("seed-neighborhoods"), "house-14", "house-24")
        >>> wire = tr.on_the_wire()
        >>> list(wire["segment"][wire.leg == "request"])
        ['house-14:eth0 → gatekeeper-11:eth0', 'gatekeeper-11:eth1 → gatekeeper-21:eth1', 'gatekeeper-21:eth0 → house-24:eth0']
        >>> list(wire.ttl)
        [64, 63, 62, 64, 63, 62]
        """
        import pandas as pd

        rows = []
        for hop in self.hops:
            if hop.action not in ("send", "route"):
                continue
            receiver = next((h for h in self.hops[hop.index + 1:]
                             if h.action not in ("switch", "flood")), None)
            far = f"{receiver.node}:{receiver.in_iface}" if receiver else "?"
            eth, ip = hop.packet[Ethernet], hop.packet[IPv4]
            rows.append({"hop": hop.index, "leg": hop.direction, "node": hop.node,
                         "segment": f"{hop.node}:{hop.out_iface} → {far}",
                         "eth src": str(eth.src), "eth dst": str(eth.dst),
                         "ip src": str(ip.src), "ip dst": str(ip.dst), "ttl": ip.ttl})
        return pd.DataFrame(rows, columns=["hop", "leg", "node", "segment", "eth src", "eth dst",
                                           "ip src", "ip dst", "ttl"]).set_index("hop")

    def frames(self) -> list[bytes]:
        """The exact bytes of every frame the trace puts on a wire, in hop order.

        One frame per hop that sends an Ethernet frame out of an interface
        (see :func:`kpath_nb.wire.is_on_wire`).

        Examples
        --------
        >>> import kpath_nb as kp
        >>> tr = kp.trace(kp.load_topology("two-hosts"), "h1", "h2", reply=False)
        >>> [len(frame) for frame in tr.frames()]
        [42, 42, 42, 42, 98, 98]
        """
        from .wire import frames

        return frames(self)

    def to_pcap(self, path: str | os.PathLike) -> int:
        """Write the trace's frames to a pcap file that Wireshark and ``tshark`` open.

        A classic pcap with Ethernet link type: one frame per hop that puts a frame on
        a wire (see :func:`kpath_nb.wire.is_on_wire`), in hop order, hop ``n`` stamped
        ``n`` milliseconds after a fixed start (the clock of :meth:`hubble`), so the
        same trace always gives the same file. One packet crossing several links
        appears once per link, so Wireshark may flag the later copies as
        duplicates or TCP retransmissions.

        Wireshark decodes VXLAN on UDP port 4789 only; Cilium uses 8472. To see the
        inner packets, open the file with ``tshark -r FILE -d udp.port==8472,vxlan``,
        or in Wireshark use Analyze > Decode As... and set UDP port 8472 to VXLAN.

        Parameters
        ----------
        path : str or path-like
            The file to write (replaced if it exists).

        Returns
        -------
        int
            The number of frames written.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> import kpath_nb as kp
        >>> tr = kp.trace(kp.load_topology("seed-neighborhoods"), "house-14", "house-24")
        >>> tr.to_pcap(pathlib.Path(tempfile.mkdtemp()) / "house-14-to-24.pcap")
        20
        """
        from .wire import to_bytes, wire_hops, write_pcap

        hops = wire_hops(self)
        return write_pcap([to_bytes(hop.packet) for hop in hops], path,
                          at_ms=[hop.index for hop in hops])

    def _repr_html_(self) -> str:
        """Jupyter shows a trace as its verdict and full hop table (no column cut short)."""
        from .views.render import trace_html

        return trace_html(self, notes=True)

    def __str__(self) -> str:
        lines = [f"{self.src} -> {self.dst} ({self.proto}): {self.verdict}, {self.reason}"]
        for hop in self.hops:
            if hop.direction == "error" and hop is self.error_hops[0]:
                lines.append(f"   -- {self.icmp_error} --")
            lines.append(str(hop))
        return "\n".join(lines)
