"""``traceroute -n`` in the model: probes with TTL 1, 2, 3 ... and who answers each.

Linux ``traceroute`` (2.x) sends, for each TTL from 1 up, ``queries`` probes: UDP
datagrams to port 33434, 33435, ... (``traceroute -n``, the default) or ICMP echo
requests (``traceroute -I``), 60 bytes each. A router that drops a probe because its
TTL ran out answers ICMP time exceeded, so each TTL finds the next router; the
destination answers with ICMP port unreachable (no program listens on those ports)
or an echo reply. A probe that gets no answer prints ``*``; an ICMP net unreachable
prints ``!N`` after the address, host unreachable ``!H``. traceroute stops after the
TTL at which any probe reached the destination or drew a ``!N`` / ``!H``, or at
``max_ttl``.

Each probe is a :class:`~kpath_nb.trace.Trace` of its own, sent on the network as it
is (nothing learned by one probe is kept for the next, as if each probe found the ARP
caches as they were): its request leg, and the ICMP error's leg back (:attr:`Trace.error_hops`).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from .cluster import Cluster
from .errors import KpathError
from .packet import ICMP, IPv4
from .topology import Topology
from .trace import Trace
from .tracer import PROBE_DATA, _destination_address, traceroute_probe

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = ["traceroute", "Traceroute", "Probe", "METHODS", "MARKERS"]

METHODS = ("udp", "icmp")
"""``udp``: ``traceroute -n``; ``icmp``: ``traceroute -n -I``."""

MARKERS = {(ICMP.DEST_UNREACH, 0): "!N", (ICMP.DEST_UNREACH, 1): "!H"}
"""What traceroute prints after the address for an ICMP error that is not the answer it
waits for: ``!N`` net unreachable, ``!H`` host unreachable."""

PACKET_SIZE = IPv4.length + 8 + PROBE_DATA
"""60: traceroute's default probe size in bytes (IPv4 header, UDP or ICMP header, data)."""

NO_ANSWER = "no answer"


@dataclass(frozen=True)
class Probe:
    """One probe of a traceroute and what came back.

    Attributes
    ----------
    ttl : int
        The TTL the probe was sent with.
    probe : int
        Its number at that TTL, from 1 to ``queries``.
    address : str or None
        Who answered (the source address of the answer); None for ``*``.
    node : str or None
        The node that holds that address.
    answer : str
        ``"time exceeded"``, ``"port unreachable"``, ``"echo reply"``, ``"net unreachable"``,
        ``"host unreachable"`` or ``"no answer"``.
    marker : str
        ``""``, ``"!N"`` or ``"!H"``, as traceroute prints it.
    trace : Trace
        The probe's journey, and the answer's.
    """

    ttl: int
    probe: int
    address: str | None
    node: str | None
    answer: str
    marker: str
    trace: Trace

    @property
    def final(self) -> bool:
        """True when this probe ends the traceroute: the destination answered, or a ``!N`` /
        ``!H`` came back."""
        return self.answer in ("port unreachable", "echo reply") or bool(self.marker)


@dataclass(frozen=True, repr=False)
class Traceroute:
    """The result of :func:`traceroute`: one :class:`Probe` per probe sent, in order.

    Attributes
    ----------
    src, dst : str
        The endpoints as given.
    address : str
        The destination's address.
    method : str
        ``"udp"`` or ``"icmp"``.
    max_ttl, queries : int
    probes : tuple of Probe
    error : str or None
        What traceroute prints instead of any line when the sender itself has no route:
        ``"connect: Network is unreachable"`` (no probe leaves); else None.
    """

    src: str
    dst: str
    address: str
    method: str
    max_ttl: int
    queries: int
    probes: tuple[Probe, ...]
    error: str | None = None

    @property
    def hops(self) -> list[list[Probe]]:
        """The probes grouped by TTL, one list per output line."""
        lines: dict[int, list[Probe]] = {}
        for probe in self.probes:
            lines.setdefault(probe.ttl, []).append(probe)
        return list(lines.values())

    @property
    def reached(self) -> bool:
        """True when the destination answered a probe."""
        return any(p.answer in ("port unreachable", "echo reply") for p in self.probes)

    def to_frame(self) -> "pandas.DataFrame":
        """One row per probe: ``ttl``, ``probe``, ``address``, ``node``, ``answer``, ``marker``."""
        import pandas as pd

        columns = ["ttl", "probe", "address", "node", "answer", "marker"]
        return pd.DataFrame([{c: getattr(p, c) for c in columns} for p in self.probes],
                            columns=columns)

    def header(self) -> str:
        """traceroute's first line."""
        return (f"traceroute to {self.dst} ({self.address}), {self.max_ttl} hops max, "
                f"{PACKET_SIZE} byte packets")

    def lines(self) -> list[str]:
        """The output as ``traceroute -n`` prints it, without the round-trip times (the model
        has no clock): the header, then one line per TTL."""
        out = [self.header()]
        if self.error:
            return out + [self.error]
        for hop in self.hops:
            text = f"{hop[0].ttl:2d} "
            previous = None
            for probe in hop:
                if probe.address is None:
                    text += " *"
                    continue
                if probe.address != previous:
                    text += f" {probe.address}"
                previous = probe.address
                if probe.marker:
                    text += f" {probe.marker}"
            out.append(text)
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return f"<Traceroute {self.src} -> {self.dst}: {len(self.hops)} lines>"

    def _repr_html_(self) -> str:
        return f"<pre>{escape(str(self))}</pre>"


def traceroute(net: Topology | Cluster, src: str, dst: str, *, method: str = "udp",
               max_ttl: int = 30, queries: int = 3) -> Traceroute:
    """Run ``traceroute -n`` (or ``traceroute -n -I``) from ``src`` to ``dst``.

    Each probe is traced on its own (see :class:`Probe`). The text (``print(result)``) is
    shaped like traceroute's output, with the round-trip times left out: the model has no
    clock. As traceroute does, an address is printed once for consecutive probes that got
    their answer from the same address, ``*`` stands for a probe without an answer, and the
    run stops after the line at which the destination answered or a ``!N`` / ``!H`` came
    back, or at ``max_ttl``.

    On a Cilium cluster (pods and nodes as ends) the path from pod to pod lowers the TTL
    once, as Cilium delivers into the pod; a probe that arrives with TTL 1 is dropped
    (Hubble: ``TTL exceeded``) and Cilium sends no ICMP back, so that probe shows ``*``.

    Parameters
    ----------
    net : Topology or Cluster
    src : str
        The sender: a node name or one of its addresses.
    dst : str
        The destination: a node name or any IPv4 address.
    method : {"udp", "icmp"}
        ``udp`` sends UDP datagrams to ports 33434, 33435, ... (closed on every host, so
        the destination answers ICMP port unreachable); ``icmp`` sends echo requests, as
        ``traceroute -I``.
    max_ttl : int
        The largest TTL to try (1 to 255; traceroute's ``-m``, 30 by default).
    queries : int
        Probes per TTL (1 to 10; traceroute's ``-q``, 3 by default).

    Returns
    -------
    Traceroute

    Raises
    ------
    KpathError
        For an unknown method, ``max_ttl`` or ``queries`` out of range, or an unknown
        endpoint (:class:`~kpath_nb.errors.UnknownEndpointError`).

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("seed-neighborhoods")
    >>> print(kp.traceroute(net, "house-14", "house-24"))
    traceroute to house-24 (10.0.20.24), 30 hops max, 60 byte packets
     1  10.0.10.11
     2  10.0.100.201
     3  10.0.20.24
    >>> run = kp.traceroute(net, "house-14", "10.0.20.24", method="icmp", queries=1)
    >>> [(p.ttl, p.node, p.answer) for p in run.probes]
    [(1, 'gatekeeper-11', 'time exceeded'), (2, 'gatekeeper-21', 'time exceeded'), (3, 'house-24', 'echo reply')]

    A missing route shows as ``!N`` after the router that has none:

    >>> office = kp.load_topology("broken-office")
    >>> print(kp.traceroute(office, "srv1", "10.9.9.9"))
    traceroute to 10.9.9.9 (10.9.9.9), 30 hops max, 60 byte packets
     1  10.1.2.1
     2  10.0.12.1 !N !N !N
    """
    method = str(method).lower()
    if method not in METHODS:
        raise KpathError(f"unknown traceroute method {method!r}: choose 'udp' (traceroute -n) "
                         f"or 'icmp' (traceroute -I)")
    if not (isinstance(max_ttl, int) and not isinstance(max_ttl, bool) and 1 <= max_ttl <= 255):
        raise KpathError(f"max_ttl must be a whole number from 1 to 255, not {max_ttl!r}")
    if not (isinstance(queries, int) and not isinstance(queries, bool) and 1 <= queries <= 10):
        raise KpathError(f"queries must be a whole number from 1 to 10, not {queries!r}")
    address = _address(net, dst)
    probes: list[Probe] = []
    for ttl in range(1, max_ttl + 1):
        line = []
        for number in range(queries):
            tr = traceroute_probe(net, src, dst, method, ttl, (ttl - 1) * queries + number)
            if ttl == 1 and number == 0 and _refused(tr):
                return Traceroute(str(src), str(dst), address, method, max_ttl, queries, (),
                                  "connect: Network is unreachable")
            line.append(_probe(tr, ttl, number + 1))
        probes.extend(line)
        if any(p.final for p in line):
            break
    return Traceroute(str(src), str(dst), address, method, max_ttl, queries, tuple(probes))


def _address(net: Topology | Cluster, dst: str) -> str:
    if isinstance(net, Cluster):
        return str(net.resolve(dst)[1])
    return str(_destination_address(net, dst))


def _refused(tr: Trace) -> bool:
    """True when the sender's own kernel had no route: nothing left, nothing came back."""
    return tr.cause == "no-route" and len(tr.hops) == 1


def _probe(tr: Trace, ttl: int, number: int) -> Probe:
    """What the sender of ``tr`` got back."""
    error = tr.icmp_error
    if error is not None and not tr.reply_hops and (error.reached or error.local):
        marker = MARKERS.get((error.type, error.code), "")
        return Probe(ttl, number, error.address, error.node, error.name, marker, tr)
    if tr.delivered and tr.proto == "icmp":
        answer = next(h for h in reversed(tr.request_hops) if h.action == "deliver")
        return Probe(ttl, number, str(answer.packet[IPv4].dst), answer.node, "echo reply", "",
                     tr)
    return Probe(ttl, number, None, None, NO_ANSWER, "", tr)
