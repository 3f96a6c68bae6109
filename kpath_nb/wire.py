"""The bytes on the wire: model packets as real frames, and traces as pcap files.

Every header of :mod:`kpath_nb.packet` has a real encoding, so a packet can be
turned into the exact bytes a capture would show, and a trace into a pcap file
that Wireshark or ``tshark`` opens and dissects. The encoding is done by scapy's
layer classes; every field is set from the model, so nothing comes from scapy's
defaults or from the machine running the notebook.

What the model leaves out, the bytes fill in the way Linux does:

* IPv4 total length and header checksum; ICMP, UDP and TCP checksums (over the
  pseudo-header for UDP and TCP).
* The outer UDP checksum of a VXLAN packet is zero, as RFC 7348 recommends and as
  Cilium sends it (it asks the kernel for no tunnel checksum).
* A TCP header has no options (data offset 5) and a window of 64240 bytes.
* The data of an ICMP echo follows ``ping``'s fill pattern: byte ``i`` holds
  ``i % 256`` (ping puts a timestamp in the first 16 bytes; here they keep the
  pattern, so the bytes are the same every run). Other payloads are zero bytes
  (12 of them to UDP port 53 read as an empty DNS query).
* An ICMP error (destination unreachable, time exceeded) quotes the packet it is
  about, from its IPv4 header on, with the TTL that packet had when it arrived. Linux
  quotes as much as fits in a 576-byte error; every packet of the model fits, so
  the quote is the whole packet.
* No preamble, no frame check sequence and no padding to 60 bytes: a frame is
  ``Packet.size`` bytes, as a capture on the sending machine shows it.

Importing this module loads nothing heavy; scapy is imported on first use.
scapy's import asks the kernel (over netlink) for the machine's interfaces,
addresses and routes to fill its own configuration. It prints nothing and
changes no other module's state, and this module never uses what it read.

Examples
--------
>>> from kpath_nb.addr import BROADCAST_MAC, MacAddress, parse_address
>>> who_has = Packet((
...     Ethernet(src=MacAddress.parse("02:00:00:00:00:0e"), dst=BROADCAST_MAC,
...              ethertype=ETHERTYPE_ARP),
...     ARP.request(MacAddress.parse("02:00:00:00:00:0e"), parse_address("10.0.10.14"),
...                 parse_address("10.0.10.11")),
... ))
>>> data = to_bytes(who_has)
>>> len(data) == who_has.size == 42
True
>>> data[:14].hex(" ")
'ff ff ff ff ff ff 02 00 00 00 00 0e 08 06'
>>> from_bytes(data) == who_has
True
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Sequence
from datetime import timezone
from functools import cache
from types import SimpleNamespace
from typing import TYPE_CHECKING

from .addr import MacAddress, parse_address
from .datapath import HUBBLE_EPOCH
from .packet import (ARP, ETHERTYPE_ARP, ETHERTYPE_IPV4, ICMP, IPPROTO_ICMP, IPPROTO_TCP,
                     IPPROTO_UDP, TCP, UDP, VXLAN, Ethernet, Header, IPv4, Packet, Payload)

if TYPE_CHECKING:  # pragma: no cover
    from .trace import Hop, Trace

__all__ = ["to_bytes", "from_bytes", "is_on_wire", "wire_hops", "frames", "write_pcap",
           "CAPTURE_EPOCH", "VXLAN_PORTS", "TCP_WINDOW", "LINKTYPE_ETHERNET", "hexdump"]

VXLAN_PORTS = (4789, 8472)
"""UDP destination ports read as VXLAN: IANA's 4789 and Linux's (and Cilium's) 8472."""

TCP_WINDOW = 64240
"""The receive window in a TCP header: what Linux advertises in a SYN on Ethernet."""

LINKTYPE_ETHERNET = 1
"""The pcap link type of Ethernet II frames."""

CAPTURE_EPOCH = HUBBLE_EPOCH.replace(tzinfo=timezone.utc)
"""When hop 0 happens: frames of hop ``n`` are stamped ``n`` milliseconds later,
the same clock as :meth:`Trace.hubble`'s lines."""

_PROTOCOL_OF = {ICMP: IPPROTO_ICMP, UDP: IPPROTO_UDP, TCP: IPPROTO_TCP}
_ETHERTYPE_OF = {IPv4: ETHERTYPE_IPV4, ARP: ETHERTYPE_ARP}


@cache
def _scapy() -> SimpleNamespace:
    """scapy's layer classes, imported on first use (never at import time of kpath_nb)."""
    from scapy.layers.inet import ICMP as SICMP
    from scapy.layers.inet import IP as SIP
    from scapy.layers.inet import TCP as STCP
    from scapy.layers.inet import UDP as SUDP
    from scapy.layers.l2 import ARP as SARP
    from scapy.layers.l2 import Ether
    from scapy.layers.vxlan import VXLAN as SVXLAN
    from scapy.packet import Raw
    from scapy.utils import RawPcapWriter

    return SimpleNamespace(Ether=Ether, ARP=SARP, IP=SIP, ICMP=SICMP, UDP=SUDP, TCP=STCP,
                           VXLAN=SVXLAN, Raw=Raw, RawPcapWriter=RawPcapWriter)


def _filler(size: int, after: Header | None) -> bytes:
    """``size`` payload bytes: ping's pattern after ICMP (byte ``i`` is ``i % 256``), else zeros."""
    if isinstance(after, ICMP):
        return bytes(i & 0xFF for i in range(size))
    return bytes(size)


# ---------------------------------------------------------------------------- encoding

def to_bytes(packet: Packet) -> bytes:
    """The exact bytes of ``packet``, outermost header first.

    A packet whose outermost header is Ethernet gives a frame; one that starts with
    IPv4 (a packet the tracer shows before its Ethernet header is added, or after
    it was stripped) gives the bytes of the IP packet.

    Parameters
    ----------
    packet : Packet

    Returns
    -------
    bytes
        ``packet.size`` bytes.

    Raises
    ------
    ValueError
        When a header does not fit the next one (an EtherType or IP protocol that
        names another header than the one that follows).

    Examples
    --------
    >>> import kpath_nb as kp
    >>> tr = kp.trace(kp.load_topology("seed-neighborhoods"), "house-14", "house-24")
    >>> ping = tr.hops[4].packet
    >>> print(ping.summary())
    Ethernet 7e:d4:79:4e:6e:11 > 62:0a:46:e9:08:c6 | IPv4 10.0.10.14 > 10.0.20.24 ttl 64 | ICMP echo request id 1 seq 1
    >>> data = to_bytes(ping)
    >>> len(data), ping.size
    (98, 98)
    >>> data[14:34].hex(" ")   # the IPv4 header: length 84, DF, TTL 64, protocol 1, checksum
    '45 00 00 54 00 00 40 00 40 01 08 84 0a 00 0a 0e 0a 00 14 18'
    """
    headers = packet.headers
    layers = [_encode(header, headers[i - 1] if i else None,
                      headers[i + 1] if i + 1 < len(headers) else None)
              for i, header in enumerate(headers)]
    if not layers:
        return b""
    stack = layers[0]
    for layer in layers[1:]:
        stack = stack / layer
    return bytes(stack)


def _encode(header: Header, before: Header | None, following: Header | None):
    """One model header as a scapy layer, given the headers around it."""
    s = _scapy()
    if isinstance(header, Ethernet):
        _check_next(header, following, "EtherType", header.ethertype, _ETHERTYPE_OF)
        return s.Ether(dst=str(header.dst), src=str(header.src), type=header.ethertype)
    if isinstance(header, ARP):
        return s.ARP(hwtype=header.htype, ptype=header.ptype, hwlen=header.hlen,
                     plen=header.plen, op=header.op,
                     hwsrc=str(header.sender_mac), psrc=str(header.sender_ip),
                     hwdst=str(header.target_mac), pdst=str(header.target_ip))
    if isinstance(header, IPv4):
        _check_next(header, following, "protocol", header.protocol, _PROTOCOL_OF)
        return s.IP(version=4, ihl=5, tos=header.dscp << 2, id=header.identification,
                    flags="DF" if header.dont_fragment else 0, frag=0, ttl=header.ttl,
                    proto=header.protocol, src=str(header.src), dst=str(header.dst))
    if isinstance(header, ICMP):
        if header.is_error:   # 4 unused bytes, then the quoted packet follows as its data
            return s.ICMP(type=header.type, code=header.code, unused=0)
        return s.ICMP(type=header.type, code=header.code, id=header.identifier,
                      seq=header.sequence)
    if isinstance(header, UDP):
        # A tunnel's outer UDP header goes without a checksum (RFC 7348, Cilium's choice).
        return s.UDP(sport=header.sport, dport=header.dport,
                     **({"chksum": 0} if isinstance(following, VXLAN) else {}))
    if isinstance(header, TCP):
        return s.TCP(sport=header.sport, dport=header.dport, seq=header.seq, ack=header.ack,
                     dataofs=5, reserved=0, flags=header.flags, window=TCP_WINDOW, urgptr=0,
                     options=[])
    if isinstance(header, VXLAN):
        return s.VXLAN(flags=header.flags, vni=header.vni)
    if isinstance(header, Payload):
        return s.Raw(load=_filler(header.size, before))
    raise ValueError(f"no wire encoding for a {type(header).__name__} header; known headers "
                     "are Ethernet, ARP, IPv4, ICMP, UDP, TCP, VXLAN and Payload")


def _check_next(header: Header, following: Header | None, field: str, value: int,
                expected: dict[type, int]) -> None:
    if following is None or isinstance(following, Payload):
        return
    want = expected.get(type(following))
    if want != value:
        show = (lambda n: f"0x{n:04x}") if field == "EtherType" else str
        raise ValueError(f"{header.name} {field} is {show(value)} but a {following.name} "
                         f"header follows; for {following.name} it should be {show(want)}")


# ---------------------------------------------------------------------------- decoding

def from_bytes(data: bytes, outermost: type[Ethernet | IPv4] = Ethernet,
               vxlan_ports: Collection[int] = VXLAN_PORTS) -> Packet:
    """Read bytes back into the model's headers: the inverse of :func:`to_bytes`.

    Parameters
    ----------
    data : bytes
        A frame (or, with ``outermost=IPv4``, an IP packet). Ethernet padding
        after the IP packet or ARP message is ignored.
    outermost : {Ethernet, IPv4}
        What the bytes start with.
    vxlan_ports : collection of int
        UDP destination ports to read as VXLAN (a cluster's ``config.tunnel_port``
        when it is not one of :data:`VXLAN_PORTS`).

    Returns
    -------
    Packet
        Application bytes come back as ``Payload(size)``; a UDP datagram to a port
        in ``vxlan_ports`` is read as VXLAN with the inner frame after it.

    Raises
    ------
    ValueError
        For headers the model does not have: another EtherType or IP protocol,
        IPv4 or TCP options, a truncated header.

    Examples
    --------
    >>> from kpath_nb.addr import parse_address
    >>> pkt = Packet((IPv4(src=parse_address("10.0.10.12"), dst=parse_address("10.0.20.22"),
    ...                    protocol=17), UDP(40000, 53), Payload(12)))
    >>> back = from_bytes(to_bytes(pkt), outermost=IPv4)
    >>> print(back.show())
    IPv4
      src: 10.0.10.12
      dst: 10.0.20.22
      ttl: 64
      protocol: 17 (udp)
      identification: 0
      dscp: 0
      dont_fragment: True
    UDP
      sport: 40000
      dport: 53
    Payload
      size: 12
    """
    if outermost is Ethernet:
        return Packet(tuple(_decode_frame(bytes(data), vxlan_ports)))
    if outermost is IPv4:
        return Packet(tuple(_decode_ip(bytes(data), vxlan_ports)))
    raise ValueError(f"bytes can start with an Ethernet or an IPv4 header, not {outermost!r}")


def _read(kind, data: bytes, name: str, length: int):
    """scapy's reading of the header at the start of ``data``, refusing too few bytes."""
    if len(data) < length:
        raise ValueError(f"{len(data)} bytes are too few for a {name} header ({length} bytes)")
    return kind(data[:length])


def _decode_frame(data: bytes, vxlan_ports: Collection[int]) -> list[Header]:
    s = _scapy()
    frame = _read(s.Ether, data, "Ethernet", Ethernet.length)
    eth = Ethernet(src=MacAddress.parse(frame.src), dst=MacAddress.parse(frame.dst),
                   ethertype=frame.type)
    body = data[Ethernet.length:]
    if frame.type == ETHERTYPE_ARP:
        arp = _read(s.ARP, body, "ARP", ARP.length)
        return [eth, ARP(op=arp.op, sender_mac=MacAddress.parse(arp.hwsrc),
                         sender_ip=parse_address(arp.psrc),
                         target_mac=MacAddress.parse(arp.hwdst),
                         target_ip=parse_address(arp.pdst), htype=arp.hwtype,
                         ptype=arp.ptype, hlen=arp.hwlen, plen=arp.plen)]
    if frame.type == ETHERTYPE_IPV4:
        return [eth, *_decode_ip(body, vxlan_ports)]
    raise ValueError(f"EtherType 0x{frame.type:04x} is not modelled; a frame carries ARP "
                     f"(0x{ETHERTYPE_ARP:04x}) or IPv4 (0x{ETHERTYPE_IPV4:04x})")


def _decode_ip(data: bytes, vxlan_ports: Collection[int]) -> list[Header]:
    s = _scapy()
    ip = _read(s.IP, data, "IPv4", IPv4.length)
    if ip.ihl != 5:
        raise ValueError(f"this IPv4 header has options (IHL {ip.ihl}); the model has "
                         "IPv4 headers without options (IHL 5)")
    if not IPv4.length <= ip.len <= len(data):
        raise ValueError(f"the IPv4 total length {ip.len} does not fit the {len(data)} bytes "
                         f"given; it should be between {IPv4.length} and {len(data)}")
    header = IPv4(src=parse_address(ip.src), dst=parse_address(ip.dst), ttl=ip.ttl,
                  protocol=ip.proto, identification=ip.id, dscp=ip.tos >> 2,
                  dont_fragment=bool(int(ip.flags) & 0b010))
    body = data[IPv4.length:ip.len]   # what follows the total length is Ethernet padding
    if ip.proto == IPPROTO_ICMP:
        icmp = _read(s.ICMP, body, "ICMP", ICMP.length)
        if ICMP.error(icmp.type, icmp.code).is_error:   # the quoted packet follows
            return [header, ICMP.error(icmp.type, icmp.code),
                    *_decode_ip(body[ICMP.length:], vxlan_ports)]
        return [header, ICMP(type=icmp.type, code=icmp.code, identifier=icmp.id,
                             sequence=icmp.seq), *_payload(body[ICMP.length:])]
    if ip.proto == IPPROTO_UDP:
        udp = _read(s.UDP, body, "UDP", UDP.length)
        rest = body[UDP.length:]
        if udp.dport in vxlan_ports:
            vxlan = _read(s.VXLAN, rest, "VXLAN", VXLAN.length)
            return [header, UDP(udp.sport, udp.dport),
                    VXLAN(vni=vxlan.vni, flags=int(vxlan.flags)),
                    *_decode_frame(rest[VXLAN.length:], vxlan_ports)]
        return [header, UDP(udp.sport, udp.dport), *_payload(rest)]
    if ip.proto == IPPROTO_TCP:
        tcp = _read(s.TCP, body, "TCP", TCP.length)
        if tcp.dataofs != 5:
            raise ValueError(f"this TCP header has options (data offset {tcp.dataofs}); the "
                             "model has TCP headers without options (data offset 5)")
        return [header, TCP(sport=tcp.sport, dport=tcp.dport, flags=str(tcp.flags),
                            seq=tcp.seq, ack=tcp.ack), *_payload(body[TCP.length:])]
    raise ValueError(f"IP protocol {ip.proto} is not modelled; IPv4 carries ICMP "
                     f"({IPPROTO_ICMP}), TCP ({IPPROTO_TCP}) or UDP ({IPPROTO_UDP})")


def _payload(rest: bytes) -> list[Payload]:
    """Application bytes as a Payload of their size; none when there are none."""
    return [Payload(len(rest))] if rest else []


# ---------------------------------------------------------------------------- traces

def hexdump(packet: Packet) -> str:
    """The packet's bytes in hex, one block per header, each line with its offset.

    Examples
    --------
    >>> from kpath_nb.addr import parse_address
    >>> from kpath_nb.packet import ICMP, IPv4
    >>> print(hexdump(Packet((IPv4(parse_address("10.0.0.1"), parse_address("10.0.0.2")),
    ...                       ICMP.echo_request()))))
    IPv4 (20 bytes)
      0000  45 00 00 1c 00 00 40 00 40 01 26 df 0a 00 00 01
      0010  0a 00 00 02
    ICMP (8 bytes)
      0014  08 00 f7 fd 00 01 00 01
    """
    data = to_bytes(packet)
    lines, offset = [], 0
    for header in packet.headers:
        size = header.size if isinstance(header, Payload) else header.length
        lines.append(f"{header.name} ({size} bytes)")
        for start in range(offset, offset + size, 16):
            chunk = data[start:min(start + 16, offset + size)]
            lines.append(f"  {start:04x}  {chunk.hex(' ')}")
        offset += size
    return "\n".join(lines)


def is_on_wire(hop: Hop) -> bool:
    """True when the hop puts an Ethernet frame out of an interface.

    That is a hop whose packet starts with Ethernet and that names an outgoing
    interface (or, for a flood, the ports): ``send``, ``arp``, ``route``,
    ``switch``, ``flood`` and ``redirect`` hops. The interface may be a cable, a
    veth pair (a pod's ``eth0`` and its ``lxc…`` peer) or ``cilium_vxlan``, where
    ``tcpdump -i cilium_vxlan`` would show the frame before it is wrapped. Not on
    a wire: ``encap`` (the outer headers have no Ethernet yet; the next ``send``
    hop adds it), ``decap``, ``deliver`` and ``drop`` (the packet goes no further
    out).

    Examples
    --------
    >>> import kpath_nb as kp
    >>> tr = kp.trace(kp.load_topology("seed-cilium-buildings"), "apartment-12", "apartment-22",
    ...               reply=False)
    >>> [(h.index, h.action) for h in tr.hops if not is_on_wire(h)]
    [(4, 'encap'), (11, 'deliver'), (12, 'decap'), (14, 'deliver')]
    """
    first = hop.packet.headers[0] if hop.packet.headers else None
    return isinstance(first, Ethernet) and (hop.out_iface is not None or bool(hop.flooded))


def wire_hops(trace: Trace) -> tuple[Hop, ...]:
    """The hops of ``trace`` that put a frame on a wire (see :func:`is_on_wire`), in order.

    A flood sends copies of one frame out of several ports; it counts once, as a
    capture on any one of those links shows it.
    """
    return tuple(hop for hop in trace.hops if is_on_wire(hop))


def frames(trace: Trace) -> list[bytes]:
    """The bytes of each frame the trace puts on a wire, in hop order.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> tr = kp.trace(kp.load_topology("seed-neighborhoods"), "house-14", "house-24")
    >>> [len(f) for f in frames(tr)][:6]
    [42, 42, 42, 42, 98, 98]
    """
    return [to_bytes(hop.packet) for hop in wire_hops(trace)]


def write_pcap(frames: Iterable[bytes], path: str | os.PathLike,
               at_ms: Sequence[int] | None = None) -> int:
    """Write Ethernet frames to a classic pcap file (link type Ethernet, microseconds).

    Parameters
    ----------
    frames : iterable of bytes
        Whole Ethernet frames, as :func:`to_bytes` makes them.
    path : str or path-like
        The file to write (replaced if it exists).
    at_ms : sequence of int, optional
        Each frame's time in milliseconds after :data:`CAPTURE_EPOCH`;
        by default 0, 1, 2, ...

    Returns
    -------
    int
        The number of frames written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "empty.pcap"
    >>> write_pcap([], path), path.stat().st_size   # only the 24-byte file header
    (0, 24)
    """
    data = [bytes(frame) for frame in frames]
    times = list(range(len(data))) if at_ms is None else list(at_ms)
    if len(times) != len(data):
        raise ValueError(f"{len(data)} frames need {len(data)} times, got {len(times)} in at_ms")
    start = int(CAPTURE_EPOCH.timestamp())
    writer = _scapy().RawPcapWriter(os.fspath(path), linktype=LINKTYPE_ETHERNET,
                                    endianness="<", snaplen=65535)
    try:
        writer.write_header(None)
        for frame, ms in zip(data, times):
            sec, msec = divmod(ms, 1000)
            writer.write_packet(frame, sec=start + sec, usec=msec * 1000)
    finally:
        writer.close()
    return len(data)
