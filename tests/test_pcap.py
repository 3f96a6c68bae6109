"""Traces as pcap files: read back with struct, and dissected by tshark when it is installed."""

from __future__ import annotations

import shutil
import struct
import subprocess
import time
from datetime import datetime, timezone

import pytest

import kpath_nb as kp
from kpath_nb.packet import ARP, ICMP, VXLAN, IPv4
from kpath_nb.wire import to_bytes

WIRE_ACTIONS = ("send", "arp", "route", "switch", "flood", "redirect")
START = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)   # the clock of tr.hubble()
TSHARK = shutil.which("tshark")
needs_tshark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")


@pytest.fixture(scope="module")
def seed_trace():
    return kp.trace(kp.load_topology("seed-neighborhoods"), "house-14", "house-24")


@pytest.fixture(scope="module")
def cluster():
    return kp.load_topology("seed-cilium-buildings")


@pytest.fixture(scope="module")
def cluster_trace(cluster):
    return kp.trace(cluster, "apartment-12", "apartment-22")


def wire_hops(tr):
    """The test's own reading of 'a frame on a wire': an Ethernet frame leaving a hop."""
    return [h for h in tr.hops if h.action in WIRE_ACTIONS]


def read_pcap(path):
    """The file header and (seconds, microseconds, frame) records of a classic pcap."""
    data = path.read_bytes()
    magic, major, minor, _, _, snaplen, linktype = struct.unpack("<IHHiIII", data[:24])
    records, at = [], 24
    while at < len(data):
        sec, usec, caplen, wirelen = struct.unpack("<IIII", data[at:at + 16])
        assert caplen == wirelen
        records.append((sec, usec, data[at + 16:at + 16 + caplen]))
        at += 16 + caplen
    return (magic, major, minor, snaplen, linktype), records


@pytest.mark.parametrize("which", ["seed_trace", "cluster_trace"])
def test_pcap_holds_one_frame_per_wire_hop_in_order(which, request, tmp_path):
    tr = request.getfixturevalue(which)
    path = tmp_path / "trace.pcap"
    count = tr.to_pcap(path)
    header, records = read_pcap(path)
    hops = wire_hops(tr)
    assert header == (0xA1B2C3D4, 2, 4, 65535, 1)
    assert count == len(records) == len(hops) == len(tr.frames())
    assert [frame for _, _, frame in records] == [to_bytes(h.packet) for h in hops]
    start_ms = int(START.timestamp()) * 1000
    assert [(sec, usec) for sec, usec, _ in records] == \
        [((start_ms + h.index) // 1000, (start_ms + h.index) % 1000 * 1000) for h in hops]


def test_seed_and_cluster_frame_counts(seed_trace, cluster_trace, tmp_path):
    assert seed_trace.to_pcap(tmp_path / "seed.pcap") == 20
    assert cluster_trace.to_pcap(tmp_path / "cluster.pcap") == 18


def test_the_same_trace_gives_the_same_file(cluster, tmp_path):
    first, second = tmp_path / "a.pcap", tmp_path / "b.pcap"
    kp.trace(cluster, "apartment-12", "apartment-22", proto="tcp").to_pcap(first)
    kp.trace(cluster, "apartment-12", "apartment-22", proto="tcp").to_pcap(str(second))
    assert first.read_bytes() == second.read_bytes()


def test_a_thirty_hop_trace_is_written_quickly(tmp_path):
    tr = kp.trace(kp.load_topology("router-chain"), "h1", "h2")
    assert len(tr.hops) == 30
    began = time.perf_counter()
    tr.to_pcap(tmp_path / "chain.pcap")
    assert time.perf_counter() - began < 5


def tshark_fields(path, *fields, display_filter=None):
    args = [TSHARK, "-r", str(path), "-d", "udp.port==8472,vxlan",
            "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-o", "tcp.check_checksum:TRUE", "-T", "fields"]
    args += [arg for field in fields for arg in ("-e", field)]
    if display_filter:
        args += ["-Y", display_filter]
    out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=60)
    return [line.split("\t") for line in out.stdout.splitlines()]


@needs_tshark
@pytest.mark.parametrize("proto", ["icmp", "udp", "tcp"])
def test_tshark_finds_no_bad_checksum_and_nothing_malformed(proto, cluster, tmp_path):
    path = tmp_path / f"{proto}.pcap"
    kp.trace(cluster, "apartment-12", "apartment-22", proto=proto).to_pcap(path)
    bad = ("_ws.malformed || ip.checksum.status == 0 || udp.checksum.status == 0 || "
           "tcp.checksum.status == 0 || icmp.checksum.status == 0")
    assert tshark_fields(path, "frame.number", display_filter=bad) == []
    good = tshark_fields(path, "ip.checksum.status", display_filter="ip")
    assert good and all(set(row[0].split(",")) == {"1"} for row in good)


@needs_tshark
def test_tshark_reads_the_tunnel_as_the_encap_hop_says(cluster, cluster_trace, tmp_path):
    path = tmp_path / "cluster.pcap"
    cluster_trace.to_pcap(path)
    rows = tshark_fields(path, "vxlan.vni", "ip.src", "ip.dst", "udp.dstport",
                         display_filter="vxlan")
    expected = []
    for encap in (h for h in cluster_trace.hops if h.action == "encap"):
        outer, inner = encap.packet[IPv4], encap.packet.decapsulate(4)[IPv4]
        row = [str(encap.packet[VXLAN].vni), f"{outer.src},{inner.src}",
               f"{outer.dst},{inner.dst}", str(cluster.config.tunnel_port)]
        expected += [row, row]    # leaving the node, and out of the switch
    assert rows == expected
    assert rows[0][0] == str(cluster.pods["apartment-12"].identity.number)
    assert rows[-1][0] == str(cluster.pods["apartment-22"].identity.number)
    assert rows[0][1] == f"{cluster.nodes['building-blue'].ip},{cluster.pods['apartment-12'].ip}"


@needs_tshark
def test_tshark_shows_arp_and_ping_with_the_traces_ttls(seed_trace, tmp_path):
    path = tmp_path / "seed.pcap"
    seed_trace.to_pcap(path)
    rows = tshark_fields(path, "arp.opcode", "arp.dst.proto_ipv4", "icmp.type", "ip.ttl")
    expected = []
    for hop in wire_hops(seed_trace):
        arp, icmp = hop.packet.get(ARP), hop.packet.get(ICMP)
        if arp is not None:
            expected.append([str(arp.op), str(arp.target_ip), "", ""])
        else:
            expected.append(["", "", str(icmp.type), str(hop.packet[IPv4].ttl)])
    assert rows == expected
    who_has = [row[1] for row in rows if row[0] == "1"]
    assert who_has[0] == "10.0.10.11"                     # house-14 asks for its gateway
    assert [row[3] for row in rows if row[2] == "8"] == ["64", "64", "63", "62", "62"]
    assert [row[3] for row in rows if row[2] == "0"] == ["64", "64", "63", "62", "62"]
