"""Packets as immutable stacks of real headers.

A packet is a tuple of headers, outermost first: ``Ethernet / IPv4 / ICMP``.
Encapsulation adds headers on the outside; nothing is a flag. Each header
carries the fields of the real protocol (names as in the RFCs, lower case),
so what a learner reads here is what a capture would show.

Examples
--------
>>> from kpath_nb.addr import MacAddress, parse_address
>>> pkt = Packet((
...     Ethernet(src=MacAddress.parse("02:00:00:00:00:0e"), dst=MacAddress.parse("02:00:00:00:00:0f")),
...     IPv4(src=parse_address("10.0.10.14"), dst=parse_address("10.0.10.15")),
...     ICMP.echo_request(),
...     Payload(56),
... ))
>>> print(pkt.summary())
Ethernet 02:00:00:00:00:0e > 02:00:00:00:00:0f | IPv4 10.0.10.14 > 10.0.10.15 ttl 64 | ICMP echo request id 1 seq 1
>>> pkt.size
98
>>> pkt[IPv4].ttl
64
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import ClassVar, Iterator, TypeVar

from .addr import BROADCAST_MAC, MacAddress

__all__ = [
    "Header",
    "Ethernet",
    "ARP",
    "IPv4",
    "ICMP",
    "UDP",
    "TCP",
    "VXLAN",
    "Payload",
    "Packet",
    "ETHERTYPE_IPV4",
    "ETHERTYPE_ARP",
    "IPPROTO_ICMP",
    "IPPROTO_TCP",
    "IPPROTO_UDP",
    "DEFAULT_TTL",
    "ICMP_MESSAGES",
]

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_ARP = 0x0806
IPPROTO_ICMP = 1
IPPROTO_TCP = 6
IPPROTO_UDP = 17
DEFAULT_TTL = 64  # Linux net.ipv4.ip_default_ttl

_PROTO_NAMES = {IPPROTO_ICMP: "icmp", IPPROTO_TCP: "tcp", IPPROTO_UDP: "udp"}
_ETHERTYPE_NAMES = {ETHERTYPE_IPV4: "IPv4", ETHERTYPE_ARP: "ARP"}


class Header:
    """Common behaviour of every header: a name, a length and its fields."""

    name: ClassVar[str] = "header"
    length: ClassVar[int] = 0

    def fields(self) -> dict[str, object]:
        """The header's fields in wire order, values as a learner would read them."""
        return {f.name: _readable(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def summary(self) -> str:  # pragma: no cover - every header overrides it
        raise NotImplementedError


def _readable(value: object) -> object:
    if isinstance(value, (MacAddress, IPv4Address)):
        return str(value)
    return value


@dataclass(frozen=True)
class Ethernet(Header):
    """Ethernet II frame header (14 bytes): destination MAC, source MAC, EtherType."""

    src: MacAddress
    dst: MacAddress
    ethertype: int = ETHERTYPE_IPV4

    name: ClassVar[str] = "Ethernet"
    length: ClassVar[int] = 14

    def fields(self) -> dict[str, object]:
        out = super().fields()
        out["ethertype"] = f"0x{self.ethertype:04x} ({_ETHERTYPE_NAMES.get(self.ethertype, '?')})"
        return out

    def summary(self) -> str:
        return f"Ethernet {self.src} > {self.dst}"


@dataclass(frozen=True)
class ARP(Header):
    """ARP for IPv4 over Ethernet (28 bytes). ``op`` 1 is a request, 2 a reply."""

    op: int
    sender_mac: MacAddress
    sender_ip: IPv4Address
    target_mac: MacAddress
    target_ip: IPv4Address
    htype: int = 1
    ptype: int = ETHERTYPE_IPV4
    hlen: int = 6
    plen: int = 4

    name: ClassVar[str] = "ARP"
    length: ClassVar[int] = 28
    REQUEST: ClassVar[int] = 1
    REPLY: ClassVar[int] = 2

    @classmethod
    def request(cls, sender_mac: MacAddress, sender_ip: IPv4Address,
                target_ip: IPv4Address) -> "ARP":
        """Who has ``target_ip``? Tell ``sender_ip``. The target MAC is unknown, so zero."""
        return cls(cls.REQUEST, sender_mac, sender_ip, MacAddress(0), target_ip)

    def answer(self, mac: MacAddress) -> "ARP":
        """The reply to this request from the owner of ``target_ip``, whose MAC is ``mac``."""
        return ARP(self.REPLY, mac, self.target_ip, self.sender_mac, self.sender_ip)

    def summary(self) -> str:
        if self.op == self.REQUEST:
            return f"ARP who-has {self.target_ip} tell {self.sender_ip}"
        return f"ARP {self.sender_ip} is-at {self.sender_mac}"


@dataclass(frozen=True)
class IPv4(Header):
    """IPv4 header without options (20 bytes)."""

    src: IPv4Address
    dst: IPv4Address
    ttl: int = DEFAULT_TTL
    protocol: int = IPPROTO_ICMP
    identification: int = 0
    dscp: int = 0
    dont_fragment: bool = True

    name: ClassVar[str] = "IPv4"
    length: ClassVar[int] = 20

    def fields(self) -> dict[str, object]:
        out = super().fields()
        out["protocol"] = f"{self.protocol} ({_PROTO_NAMES.get(self.protocol, '?')})"
        return out

    def summary(self) -> str:
        return f"IPv4 {self.src} > {self.dst} ttl {self.ttl}"


@dataclass(frozen=True)
class ICMP(Header):
    """ICMP header (8 bytes). Echo request is type 8, echo reply type 0.

    An error message (destination unreachable, type 3; time exceeded, type 11) has no
    identifier or sequence: those 4 bytes are unused (zero), and the error carries the start
    of the packet it is about after its header, a second IPv4 header and what follows it
    (``ICMP / IPv4 / UDP / Payload``).
    """

    type: int
    code: int = 0
    identifier: int = 1
    sequence: int = 1

    name: ClassVar[str] = "ICMP"
    length: ClassVar[int] = 8
    ECHO_REQUEST: ClassVar[int] = 8
    ECHO_REPLY: ClassVar[int] = 0
    DEST_UNREACH: ClassVar[int] = 3
    TIME_EXCEEDED: ClassVar[int] = 11

    @classmethod
    def error(cls, type: int, code: int) -> "ICMP":
        """An error message's header: ``ICMP.error(11, 0)`` is time exceeded in transit."""
        return cls(type, code, 0, 0)

    @property
    def is_error(self) -> bool:
        """True for destination unreachable and time exceeded, the errors the model sends."""
        return self.type in (self.DEST_UNREACH, self.TIME_EXCEEDED)

    @property
    def message(self) -> str:
        """The message's plain name: ``echo request``, ``time exceeded``, ``port unreachable``."""
        return ICMP_MESSAGES.get((self.type, self.code), f"type {self.type} code {self.code}")

    @classmethod
    def echo_request(cls, identifier: int = 1, sequence: int = 1) -> "ICMP":
        """What ``ping`` sends."""
        return cls(cls.ECHO_REQUEST, 0, identifier, sequence)

    def reply(self) -> "ICMP":
        """The echo reply that answers this echo request."""
        return ICMP(self.ECHO_REPLY, 0, self.identifier, self.sequence)

    def summary(self) -> str:
        if self.type in (self.ECHO_REQUEST, self.ECHO_REPLY):
            return f"ICMP {self.message} id {self.identifier} seq {self.sequence}"
        return f"ICMP {self.message}"


ICMP_MESSAGES = {
    (ICMP.ECHO_REPLY, 0): "echo reply",
    (ICMP.ECHO_REQUEST, 0): "echo request",
    (ICMP.DEST_UNREACH, 0): "net unreachable",
    (ICMP.DEST_UNREACH, 1): "host unreachable",
    (ICMP.DEST_UNREACH, 3): "port unreachable",
    (ICMP.TIME_EXCEEDED, 0): "time exceeded",
}
"""Plain names of the ICMP messages the model sends, by (type, code)."""


@dataclass(frozen=True)
class UDP(Header):
    """UDP header (8 bytes)."""

    sport: int
    dport: int

    name: ClassVar[str] = "UDP"
    length: ClassVar[int] = 8

    def reply(self) -> "UDP":
        """The answer travels with the ports swapped."""
        return UDP(self.dport, self.sport)

    def summary(self) -> str:
        return f"UDP {self.sport} > {self.dport}"


@dataclass(frozen=True)
class TCP(Header):
    """TCP header without options (20 bytes). ``flags`` as tcpdump writes them: ``S``, ``SA``."""

    sport: int
    dport: int
    flags: str = "S"
    seq: int = 1000
    ack: int = 0

    name: ClassVar[str] = "TCP"
    length: ClassVar[int] = 20

    def reply(self) -> "TCP":
        """The SYN-ACK that answers a SYN on a listening port."""
        return TCP(self.dport, self.sport, "SA", 5000, self.seq + 1)

    def summary(self) -> str:
        return f"TCP {self.sport} > {self.dport} [{self.flags}]"


@dataclass(frozen=True)
class VXLAN(Header):
    """VXLAN header (8 bytes, RFC 7348): the I flag and a 24-bit network identifier.

    Cilium puts the sender's security identity in the VNI, so the receiving node
    knows who sent the packet without looking it up.
    """

    vni: int
    flags: int = 0x08

    name: ClassVar[str] = "VXLAN"
    length: ClassVar[int] = 8

    def __post_init__(self) -> None:
        if not 0 <= self.vni < 1 << 24:
            raise ValueError(f"VNI {self.vni} does not fit in 24 bits")

    def fields(self) -> dict[str, object]:
        return {"flags": f"0x{self.flags:02x} (I: VNI valid)", "vni": self.vni}

    def summary(self) -> str:
        return f"VXLAN vni {self.vni}"


@dataclass(frozen=True)
class Payload(Header):
    """Application bytes, described by their length only."""

    size: int

    name: ClassVar[str] = "Payload"

    def summary(self) -> str:
        return f"{self.size} bytes"


H = TypeVar("H", bound=Header)


@dataclass(frozen=True)
class Packet:
    """An immutable stack of headers, outermost first.

    Parameters
    ----------
    headers : tuple of Header
        Outermost first, e.g. ``(Ethernet, IPv4, ICMP, Payload)``.
    """

    headers: tuple[Header, ...]

    def __iter__(self) -> Iterator[Header]:
        return iter(self.headers)

    def __len__(self) -> int:
        return len(self.headers)

    def __getitem__(self, kind: type[H]) -> H:
        """The outermost header of a kind: ``pkt[IPv4]``."""
        for header in self.headers:
            if isinstance(header, kind):
                return header
        raise KeyError(f"this packet has no {kind.name} header; it has {self.layer_names()}")

    def get(self, kind: type[H]) -> H | None:
        """The outermost header of a kind, or None."""
        return next((h for h in self.headers if isinstance(h, kind)), None)

    def layer_names(self) -> str:
        """The stack as text, outermost first: ``Ethernet / IPv4 / ICMP``."""
        return " / ".join(h.name for h in self.headers)

    def replace(self, kind: type[H], **changes: object) -> "Packet":
        """A new packet with fields of the outermost ``kind`` header changed."""
        target = self[kind]
        return Packet(tuple(dataclasses.replace(h, **changes) if h is target else h
                            for h in self.headers))

    def encapsulate(self, *outer: Header) -> "Packet":
        """A new packet with ``outer`` headers added outside this one."""
        return Packet(tuple(outer) + self.headers)

    def decapsulate(self, count: int) -> "Packet":
        """A new packet with the ``count`` outermost headers removed."""
        return Packet(self.headers[count:])

    @property
    def size(self) -> int:
        """Bytes on the wire, Ethernet header included (no preamble, no FCS)."""
        return sum(h.size if isinstance(h, Payload) else h.length for h in self.headers)

    @property
    def is_broadcast(self) -> bool:
        """True when the outer frame is addressed to every door on the segment."""
        eth = self.get(Ethernet)
        return eth is not None and eth.dst == BROADCAST_MAC

    def summary(self) -> str:
        """One line, outermost header first, payload left out."""
        return " | ".join(h.summary() for h in self.headers if not isinstance(h, Payload))

    def layers(self) -> list[tuple[str, dict[str, object]]]:
        """Each header's name and fields, outermost first."""
        return [(h.name, h.fields()) for h in self.headers]

    def show(self) -> str:
        """A per-layer view, one field a line, like a capture tool's detail pane.

        Examples
        --------
        >>> from kpath_nb.addr import parse_address
        >>> print(Packet((UDP(40000, 53), Payload(12))).show())
        UDP
          sport: 40000
          dport: 53
        Payload
          size: 12
        """
        lines = []
        for name, fields in self.layers():
            lines.append(name)
            lines.extend(f"  {key}: {value}" for key, value in fields.items())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
