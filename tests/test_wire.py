"""Packets as real bytes: every header encodes, checksums verify, and bytes read back.

The checks here do not trust the packet library: offsets are read with ``struct``
and checksums recomputed with the test's own ones'-complement sum.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from ipaddress import IPv4Address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpath_nb as kp
from kpath_nb.addr import BROADCAST_MAC, MacAddress, parse_address
from kpath_nb.packet import (ARP, ETHERTYPE_ARP, ICMP, TCP, UDP, VXLAN, Ethernet, IPv4, Packet,
                             Payload)
from kpath_nb.wire import (TCP_WINDOW, VXLAN_PORTS, from_bytes, is_on_wire,
                           to_bytes, wire_hops)


def ones_complement_sum(data: bytes) -> int:
    """RFC 1071: the 16-bit ones'-complement sum of ``data`` (odd length padded with zero)."""
    if len(data) % 2:
        data += b"\0"
    total = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def verifies(data: bytes) -> bool:
    """A region whose checksum field is right sums to 0xFFFF (its complement is 0)."""
    return ones_complement_sum(data) == 0xFFFF


def pseudo_header(ip: bytes, protocol: int, length: int) -> bytes:
    return ip[12:16] + ip[16:20] + struct.pack("!BBH", 0, protocol, length)


def check_ip_packet(ip: bytes) -> None:
    """Check lengths and every checksum of one IPv4 packet, inner packets too."""
    ihl = (ip[0] & 0x0F) * 4
    assert ip[0] >> 4 == 4 and ihl == 20
    assert struct.unpack("!H", ip[2:4])[0] == len(ip)
    assert (~ones_complement_sum(ip[:ihl])) & 0xFFFF == 0   # the header checksum verifies to 0
    protocol, body = ip[9], ip[ihl:]
    if protocol == 1:
        assert verifies(body)
    elif protocol == 17:
        _, dport, length, checksum = struct.unpack("!HHHH", body[:8])
        assert length == len(body)
        if dport in VXLAN_PORTS:
            assert checksum == 0   # no checksum on the tunnel's outer UDP (RFC 7348, Cilium)
            assert body[8] == 0x08 and body[9:12] == b"\0\0\0" and body[15] == 0
            check_frame(body[16:])
        else:
            assert checksum != 0 and verifies(pseudo_header(ip, 17, len(body)) + body)
    elif protocol == 6:
        assert body[12] >> 4 == 5
        assert struct.unpack("!H", body[14:16])[0] == TCP_WINDOW
        assert verifies(pseudo_header(ip, 6, len(body)) + body)
    else:  # pragma: no cover - the model has no other protocols
        pytest.fail(f"unexpected IP protocol {protocol}")


def check_frame(frame: bytes) -> None:
    ethertype = struct.unpack("!H", frame[12:14])[0]
    if ethertype == 0x0806:
        assert len(frame) == 14 + 28
        assert frame[14:20] == bytes.fromhex("000108000604")
    else:
        assert ethertype == 0x0800
        check_ip_packet(frame[14:])


# ---------------------------------------------------------------- strategies

macs = st.integers(0, (1 << 48) - 1).map(MacAddress)
ips = st.integers(0, (1 << 32) - 1).map(IPv4Address)
ports = st.integers(0, 65535)
plain_dports = ports.filter(lambda p: p not in VXLAN_PORTS)
payloads = st.integers(1, 1400).map(Payload)
tcp_flags = st.sampled_from(["S", "SA", "A", "PA", "FA", "R", "RA", "FPA"])


@st.composite
def ipv4(draw, protocol: int) -> IPv4:
    return IPv4(src=draw(ips), dst=draw(ips), ttl=draw(st.integers(0, 255)), protocol=protocol,
                identification=draw(st.integers(0, 65535)), dscp=draw(st.integers(0, 63)),
                dont_fragment=draw(st.booleans()))


@st.composite
def transports(draw) -> tuple:
    kind = draw(st.sampled_from(["icmp", "udp", "tcp"]))
    if kind == "icmp":
        icmp = ICMP(draw(st.sampled_from([ICMP.ECHO_REQUEST, ICMP.ECHO_REPLY])), 0,
                    draw(st.integers(0, 65535)), draw(st.integers(0, 65535)))
        return (draw(ipv4(1)), icmp, draw(payloads))
    if kind == "udp":
        return (draw(ipv4(17)), UDP(draw(ports), draw(plain_dports)), draw(payloads))
    tcp = TCP(draw(ports), draw(ports), draw(tcp_flags), draw(st.integers(0, (1 << 32) - 1)),
              draw(st.integers(0, (1 << 32) - 1)))
    return (draw(ipv4(6)), tcp, *draw(st.lists(payloads, max_size=1)))


@st.composite
def arp_frames(draw) -> Packet:
    sender, target = draw(macs), draw(macs)
    if draw(st.booleans()):
        message = ARP.request(sender, draw(ips), draw(ips))
        dst = BROADCAST_MAC
    else:
        message = ARP(ARP.REPLY, sender, draw(ips), target, draw(ips))
        dst = target
    return Packet((Ethernet(src=sender, dst=dst, ethertype=ETHERTYPE_ARP), message))


@st.composite
def ip_frames(draw) -> Packet:
    return Packet((Ethernet(src=draw(macs), dst=draw(macs)), *draw(transports())))


@st.composite
def vxlan_frames(draw) -> Packet:
    inner = draw(ip_frames())
    outer_ip = draw(ipv4(17))
    return inner.encapsulate(Ethernet(src=draw(macs), dst=draw(macs)), outer_ip,
                             UDP(draw(ports), draw(st.sampled_from(VXLAN_PORTS))),
                             VXLAN(draw(st.integers(0, (1 << 24) - 1))))


frames = st.one_of(arp_frames(), ip_frames(), vxlan_frames())

# The first example pays for importing scapy; time per example is not what is tested.
relaxed = settings(deadline=None)


# ---------------------------------------------------------------- properties

@relaxed
@given(frames)
def test_every_header_kind_round_trips(packet):
    assert from_bytes(to_bytes(packet)) == packet


@relaxed
@given(frames)
def test_size_is_the_number_of_bytes(packet):
    assert len(to_bytes(packet)) == packet.size


@relaxed
@given(frames)
def test_checksums_and_lengths_verify_independently(packet):
    check_frame(to_bytes(packet))


@relaxed
@given(ip_frames())
def test_header_fields_sit_at_their_offsets(packet):
    data = to_bytes(packet)
    eth, ip, l4 = packet.headers[:3]
    assert data[0:6] == eth.dst.value.to_bytes(6, "big")
    assert data[6:12] == eth.src.value.to_bytes(6, "big")
    assert data[14 + 1] == ip.dscp << 2
    ident, flags = struct.unpack("!HH", data[18:22])
    assert ident == ip.identification and flags == (0x4000 if ip.dont_fragment else 0)
    assert data[22] == ip.ttl and data[23] == ip.protocol
    assert data[26:30] == ip.src.packed and data[30:34] == ip.dst.packed
    if isinstance(l4, ICMP):
        assert struct.unpack("!BBxxHH", data[34:42]) == (l4.type, l4.code, l4.identifier,
                                                         l4.sequence)
    else:
        assert struct.unpack("!HH", data[34:38]) == (l4.sport, l4.dport)
    if isinstance(l4, TCP):
        assert struct.unpack("!II", data[38:46]) == (l4.seq, l4.ack)


@relaxed
@given(vxlan_frames())
def test_encapsulation_adds_50_bytes_outer_ethernet_included(packet):
    data, inner_data = to_bytes(packet), to_bytes(packet.decapsulate(4))
    assert len(data) == 50 + len(inner_data)   # Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8
    assert data[50:] == inner_data
    assert int.from_bytes(data[46:49], "big") == packet[VXLAN].vni


def test_ping_data_follows_the_ping_pattern_and_other_payloads_are_zeros():
    ip = IPv4(src=parse_address("10.0.0.1"), dst=parse_address("10.0.0.2"))
    assert to_bytes(Packet((ip, ICMP.echo_request(), Payload(56))))[28:] == bytes(range(56))
    dns = Packet((ip.__class__(ip.src, ip.dst, protocol=17), UDP(40000, 53), Payload(12)))
    assert to_bytes(dns)[28:] == bytes(12)


# ---------------------------------------------------------------- traces

@pytest.fixture(scope="module")
def traces():
    net, cl = kp.load_topology("seed-neighborhoods"), kp.load_topology("seed-cilium-buildings")
    return [kp.trace(net, "house-14", "house-24", proto=p) for p in ("icmp", "udp", "tcp")] + \
        [kp.trace(cl, "apartment-12", "apartment-22", proto=p) for p in ("icmp", "udp", "tcp")]


def test_every_hop_of_real_traces_encodes_and_reads_back(traces):
    for tr in traces:
        for hop in tr.hops:
            outermost = type(hop.packet.headers[0])
            data = to_bytes(hop.packet)
            assert len(data) == hop.packet.size, str(hop)
            assert from_bytes(data, outermost=outermost) == hop.packet, str(hop)
            if outermost is Ethernet:
                check_frame(data)
            else:
                check_ip_packet(data)


def test_encap_hop_on_the_wire_is_the_next_send_plus_outer_ethernet(traces):
    for tr in traces[3:]:
        for encap in (h for h in tr.hops if h.action == "encap"):
            send = next(h for h in tr.hops[encap.index + 1:] if h.action == "send")
            assert to_bytes(send.packet)[14:] == to_bytes(encap.packet)
            inner = to_bytes(encap.packet.decapsulate(3))
            assert len(to_bytes(send.packet)) == 50 + len(inner)


def test_wire_hops_are_frames_leaving_through_an_interface(traces):
    for tr in traces:
        expected = [h for h in tr.hops
                    if h.action in ("send", "arp", "route", "switch", "flood", "redirect")]
        assert list(wire_hops(tr)) == expected
        assert all(isinstance(h.packet.headers[0], Ethernet) for h in expected)
        assert not any(is_on_wire(h) for h in tr.hops
                       if h.action in ("encap", "decap", "deliver", "drop"))


def test_a_drop_trace_has_the_frames_sent_before_the_drop(tmp_path):
    net = kp.load_topology("broken-office")
    unanswered = kp.trace(net, "pc1", "pc4")   # who-has, flooded, nobody answers
    assert unanswered.cause == "arp-unresolved"
    assert [f[12:14] for f in unanswered.frames()] == [b"\x08\x06"] * 2
    no_route = kp.trace(net, "pc2", "srv1")    # dropped before anything is sent
    assert no_route.cause == "no-route"
    assert no_route.frames() == [] and no_route.to_pcap(tmp_path / "empty.pcap") == 0


# ---------------------------------------------------------------- errors

def test_mismatched_protocol_is_named():
    pkt = Packet((IPv4(src=parse_address("10.0.0.1"), dst=parse_address("10.0.0.2"),
                       protocol=17), ICMP.echo_request()))
    with pytest.raises(ValueError, match="protocol is 17 but a ICMP header follows; for ICMP "
                                         "it should be 1"):
        to_bytes(pkt)


def test_unknown_ethertype_and_short_bytes_are_refused():
    frame = bytes(12) + b"\x86\xdd" + bytes(40)
    with pytest.raises(ValueError, match="EtherType 0x86dd is not modelled"):
        from_bytes(frame)
    with pytest.raises(ValueError, match="too few for a Ethernet header"):
        from_bytes(b"\x00" * 6)


# ---------------------------------------------------------------- no side effects

def test_importing_kpath_nb_loads_neither_scapy_nor_matplotlib():
    code = ("import sys, kpath_nb, kpath_nb.wire, kpath_nb.trace; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'scapy', 'matplotlib'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""


def test_first_use_of_scapy_prints_nothing_and_builds_without_host_lookups():
    # scapy fills its routing table from the host when imported; the encoder must
    # never consult it (or any interface) to fill a field.
    code = """
import kpath_nb as kp
from kpath_nb import wire
wire._scapy()
from scapy.config import conf
def refuse(*args, **kwargs):
    raise AssertionError("a field was filled from the host's routes or interfaces")
conf.route.route = refuse
import scapy.layers.l2 as l2
l2.get_if_hwaddr = refuse
for name, a, b in [("seed-neighborhoods", "house-14", "house-24"),
                   ("seed-cilium-buildings", "apartment-12", "apartment-22")]:
    for proto in ("icmp", "udp", "tcp"):
        tr = kp.trace(kp.load_topology(name), a, b, proto=proto)
        for hop in tr.hops:
            wire.to_bytes(hop.packet)
"""
    out = subprocess.run([sys.executable, "-W", "always", "-c", code], capture_output=True,
                         text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "" and out.stderr == ""


def test_ethernet_padding_is_ignored():
    who_has = kp.trace(kp.load_topology("two-hosts"), "h1", "h2").hops[0].packet
    padded = to_bytes(who_has) + bytes(60 - who_has.size)   # as the receiver captures it
    assert from_bytes(padded) == who_has
