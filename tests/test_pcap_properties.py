"""Every frame of every trace is a frame tshark can read: shipped networks and generated ones.

A trace's frames (``tr.frames()``, ``tr.to_pcap()``) must never fail to build, and tshark
must find nothing malformed, no bad checksum and no expert error in them. The shipped
networks are traced between every pair of endpoints; generated networks and clusters
by Hypothesis (derandomized, so a run is the same run every time). Without tshark the
dissection is skipped, the frames are still built.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import kpath_nb as kp

from strategies import PROTOCOLS, chain_pairs, cluster_pairs

TSHARK = shutil.which("tshark")
PROFILE = dict(deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
# Wireshark's checksum status: 0 bad, 1 good, 2 unverified (as the packet an ICMP error quotes).
BAD = ("_ws.malformed || _ws.expert.severity == \"Error\" || ip.checksum.status == 0 || "
       "udp.checksum.status == 0 || tcp.checksum.status == 0 || icmp.checksum.status == 0")


def write_pcap(path: Path, frames: list[bytes]) -> None:
    """A classic pcap of ``frames`` (Ethernet), one millisecond apart."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for i, frame in enumerate(frames):
        out.append(struct.pack("<IIII", 0, i * 1000, len(frame), len(frame)) + frame)
    path.write_bytes(b"".join(out))


def dissect(path: Path) -> list[str]:
    """The frames tshark finds fault with (none when tshark is not installed)."""
    if TSHARK is None:
        return []
    args = [TSHARK, "-r", str(path), "-d", "udp.port==8472,vxlan",
            "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-o", "tcp.check_checksum:TRUE", "-Y", BAD, "-T", "fields", "-e", "frame.number",
            "-e", "_ws.col.Info"]
    out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=120)
    return out.stdout.splitlines()


def all_frames(net, pairs) -> list[bytes]:
    frames = []
    for src, dst, proto in pairs:
        try:
            tr = kp.trace(net, src, dst, proto)
        except kp.KpathError:
            continue  # refused by design (e.g. a cilium-health endpoint): no frames to check
        frames += tr.frames()
    return frames


def test_tshark_is_there_or_the_dissection_is_skipped():
    if TSHARK is None:
        pytest.skip("tshark is not installed: frames are built but not dissected")


@pytest.mark.parametrize("name", kp.available_topologies())
def test_every_trace_of_a_shipped_network_dissects(name, tmp_path):
    net = kp.load_topology(name)
    ends = list(net.endpoints)
    if isinstance(net, kp.Cluster):
        ends += [str(node.router_ip) for node in net.nodes.values()]
    sources = [e for e in ends if e in net.endpoints]
    pairs = [(s, d, proto) for s in sources for d in ends if s != d
             for proto in (PROTOCOLS if isinstance(net, kp.Cluster) else ("icmp",))]
    frames = all_frames(net, pairs)
    assert frames
    path = tmp_path / f"{name}.pcap"
    write_pcap(path, frames)
    assert dissect(path) == []


def test_a_pod_pinging_its_router_ip_resolves_the_router_itself(tmp_path):
    """A link-scope route has no gateway: the pod asks who-has the destination, and the
    frames build (they once carried 'who-has None' and broke frames())."""
    cl = kp.load_topology("seed-cilium-buildings")
    for src, dst in (("apartment-12", "10.0.10.11"), ("building-blue", "apartment-12")):
        tr = kp.trace(cl, src, dst)
        assert tr.delivered
        arp = [h for h in tr.hops if h.action == "arp" and h.node in cl.pods]
        assert arp and all(h.packet[kp.ARP].target_ip is not None for h in arp)
        path = tmp_path / "router.pcap"
        assert tr.to_pcap(path) == len(tr.frames())
        assert dissect(path) == []


@settings(max_examples=30, **PROFILE)
@given(case=chain_pairs())
def test_generated_network_traces_dissect(case, tmp_path):
    chain, src, dst, proto = case
    path = tmp_path / "net.pcap"
    write_pcap(path, all_frames(chain.net, [(src, dst, proto)]))
    assert dissect(path) == []


@settings(max_examples=30, **PROFILE)
@given(case=cluster_pairs())
def test_generated_cluster_traces_dissect(case, tmp_path):
    cl, src, dst, proto = case
    path = tmp_path / "cluster.pcap"
    write_pcap(path, all_frames(cl, [(src, dst, proto)]))
    assert dissect(path) == []
