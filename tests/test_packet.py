"""Packets: immutable header stacks with tcpdump-like summaries and real sizes."""

from __future__ import annotations

import dataclasses

import pytest

import kpath_nb as kp
from kpath_nb import ARP, ICMP, IPv4, TCP, UDP, Ethernet, MacAddress, Packet, Payload
from kpath_nb.packet import ETHERTYPE_ARP, IPPROTO_TCP, IPPROTO_UDP

A_MAC = MacAddress.parse("02:00:00:00:00:0e")
B_MAC = MacAddress.parse("02:00:00:00:00:0f")
A_IP = kp.parse_address("10.0.10.14")
B_IP = kp.parse_address("10.0.10.15")


def ping() -> Packet:
    return Packet((Ethernet(A_MAC, B_MAC), IPv4(A_IP, B_IP), ICMP.echo_request(), Payload(56)))


def test_summary_reads_like_a_capture_line():
    assert ping().summary() == (
        "Ethernet 02:00:00:00:00:0e > 02:00:00:00:00:0f | IPv4 10.0.10.14 > 10.0.10.15 ttl 64"
        " | ICMP echo request id 1 seq 1")
    assert str(ping()) == ping().summary()


def test_summaries_of_each_header():
    assert ICMP.echo_request(7, 3).reply().summary() == "ICMP echo reply id 7 seq 3"
    assert ICMP(3, 1).summary() == "ICMP host unreachable"
    assert ICMP.error(11, 0).summary() == "ICMP time exceeded"
    assert ICMP(5, 1).summary() == "ICMP type 5 code 1"
    assert UDP(40000, 53).summary() == "UDP 40000 > 53"
    assert TCP(40000, 80).summary() == "TCP 40000 > 80 [S]"
    assert Payload(12).summary() == "12 bytes"
    request = ARP.request(A_MAC, A_IP, B_IP)
    assert request.summary() == "ARP who-has 10.0.10.15 tell 10.0.10.14"
    assert request.answer(B_MAC).summary() == "ARP 10.0.10.15 is-at 02:00:00:00:00:0f"


def test_summary_leaves_the_payload_out():
    assert "bytes" not in ping().summary()


def test_sizes_add_up_like_the_wire():
    # Ethernet 14 + IPv4 20 + ICMP 8 + 56 bytes of ping data
    assert ping().size == 98
    assert Packet((Ethernet(A_MAC, B_MAC), IPv4(A_IP, B_IP, protocol=IPPROTO_UDP),
                   UDP(40000, 53), Payload(32))).size == 14 + 20 + 8 + 32
    assert Packet((Ethernet(A_MAC, B_MAC), IPv4(A_IP, B_IP, protocol=IPPROTO_TCP),
                   TCP(40000, 80))).size == 14 + 20 + 20
    arp = Packet((Ethernet(A_MAC, kp.BROADCAST_MAC, ETHERTYPE_ARP),
                  ARP.request(A_MAC, A_IP, B_IP)))
    assert arp.size == 14 + 28
    assert ping().decapsulate(1).size == 84  # what `ping` reports: 84 bytes of IP


def test_layers_and_show():
    layers = ping().layers()
    assert [name for name, _ in layers] == ["Ethernet", "IPv4", "ICMP", "Payload"]
    eth = layers[0][1]
    assert eth == {"src": "02:00:00:00:00:0e", "dst": "02:00:00:00:00:0f",
                   "ethertype": "0x0800 (IPv4)"}
    ip = layers[1][1]
    assert ip["src"] == "10.0.10.14" and ip["dst"] == "10.0.10.15"
    assert ip["ttl"] == 64 and ip["protocol"] == "1 (icmp)"
    assert layers[2][1] == {"type": 8, "code": 0, "identifier": 1, "sequence": 1}
    shown = ping().show().splitlines()
    assert shown[:4] == ["Ethernet", "  src: 02:00:00:00:00:0e", "  dst: 02:00:00:00:00:0f",
                         "  ethertype: 0x0800 (IPv4)"]
    assert "IPv4" in shown and "  ttl: 64" in shown and "  protocol: 1 (icmp)" in shown
    assert shown[-2:] == ["Payload", "  size: 56"]


def test_arp_ethertype_is_named():
    frame = Packet((Ethernet(A_MAC, kp.BROADCAST_MAC, ETHERTYPE_ARP),
                    ARP.request(A_MAC, A_IP, B_IP)))
    assert frame.layers()[0][1]["ethertype"] == "0x0806 (ARP)"
    assert frame.is_broadcast
    assert not ping().is_broadcast
    assert frame.layer_names() == "Ethernet / ARP"


def test_getitem_and_get():
    pkt = ping()
    assert pkt[IPv4].ttl == 64
    assert pkt.get(Ethernet).dst == B_MAC
    assert pkt.get(TCP) is None
    with pytest.raises(KeyError, match="no TCP header; it has Ethernet / IPv4 / ICMP / Payload"):
        pkt[TCP]
    assert len(pkt) == 4
    assert [h.name for h in pkt] == ["Ethernet", "IPv4", "ICMP", "Payload"]


def test_replace_returns_a_new_packet_and_leaves_the_old_one():
    old = ping()
    new = old.replace(IPv4, ttl=63)
    assert new[IPv4].ttl == 63
    assert old[IPv4].ttl == 64
    assert new[Ethernet] is old[Ethernet]
    assert new[IPv4].src == old[IPv4].src


def test_replace_changes_only_the_outermost_header_of_a_kind():
    inner = IPv4(A_IP, B_IP)
    outer = IPv4(kp.parse_address("192.168.0.1"), kp.parse_address("192.168.0.2"),
                 protocol=IPPROTO_UDP)
    pkt = Packet((outer, UDP(50000, 8472), inner, ICMP.echo_request()))
    changed = pkt.replace(IPv4, ttl=1)
    assert changed.headers[0].ttl == 1
    assert changed.headers[2].ttl == 64


def test_encapsulate_and_decapsulate_are_pure():
    inner = ping().decapsulate(1)
    assert inner.layer_names() == "IPv4 / ICMP / Payload"
    assert ping().layer_names() == "Ethernet / IPv4 / ICMP / Payload"
    outer = inner.encapsulate(Ethernet(B_MAC, A_MAC))
    assert outer.layer_names() == "Ethernet / IPv4 / ICMP / Payload"
    assert outer[Ethernet].src == B_MAC
    assert inner.layer_names() == "IPv4 / ICMP / Payload"
    assert outer.decapsulate(1) == inner


def test_headers_and_packets_are_frozen():
    pkt = ping()
    with pytest.raises(dataclasses.FrozenInstanceError):
        pkt[IPv4].ttl = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        pkt.headers = ()


def test_arp_request_and_answer_fields():
    request = ARP.request(A_MAC, A_IP, B_IP)
    assert request.op == ARP.REQUEST == 1
    assert request.sender_mac == A_MAC and request.sender_ip == A_IP
    assert request.target_mac == MacAddress(0)   # unknown: that is the question
    assert request.target_ip == B_IP
    assert (request.htype, request.ptype, request.hlen, request.plen) == (1, 0x0800, 6, 4)
    reply = request.answer(B_MAC)
    assert reply.op == ARP.REPLY == 2
    assert (reply.sender_mac, reply.sender_ip) == (B_MAC, B_IP)
    assert (reply.target_mac, reply.target_ip) == (A_MAC, A_IP)


def test_icmp_echo_reply_keeps_identifier_and_sequence():
    request = ICMP.echo_request(identifier=4242, sequence=9)
    assert (request.type, request.code) == (8, 0)
    reply = request.reply()
    assert (reply.type, reply.code, reply.identifier, reply.sequence) == (0, 0, 4242, 9)


def test_udp_reply_swaps_ports():
    assert UDP(40000, 53).reply() == UDP(53, 40000)


def test_tcp_reply_is_a_syn_ack_acknowledging_the_syn():
    syn = TCP(40000, 80, "S", seq=1000)
    synack = syn.reply()
    assert (synack.sport, synack.dport, synack.flags) == (80, 40000, "SA")
    assert synack.ack == syn.seq + 1
