"""ICMP errors as real packets: which drops send one, from which address, and their way back."""

from __future__ import annotations

import shutil
import subprocess

import pytest

import kpath_nb as kp
from kpath_nb.packet import ICMP, UDP, IPv4
from kpath_nb.wire import from_bytes, to_bytes

TSHARK = shutil.which("tshark")
needs_tshark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")


@pytest.fixture
def seed():
    return kp.load_topology("seed-neighborhoods")


@pytest.fixture
def office():
    return kp.load_topology("broken-office")


@pytest.fixture
def chain():
    return kp.load_topology("router-chain")


def error_packet(tr):
    """The error as it leaves its sender (the first hop of the error leg)."""
    return tr.error_hops[0].packet


# -- the kernel's order: route lookup, then TTL, then ARP ---------------------------------

def test_no_route_beats_an_expiring_ttl(office):
    """pc1 -> 8.8.8.8 with TTL 1: r1 has no route, and says so rather than 'time exceeded'."""
    tr = kp.trace(office, "pc1", "8.8.8.8", ttl=1)
    assert tr.cause == "no-route" and tr.request_hops[-1].node == "r1"
    err = tr.icmp_error
    assert (err.type, err.code, err.name) == (3, 0, "net unreachable")
    assert (err.node, err.address, err.to, err.reached) == ("r1", "10.1.1.1", "10.1.1.10", True)


def test_ttl_is_checked_before_arp(office):
    """pc1 -> 10.1.2.77 (nobody) with TTL 2: r2 has a route, so TTL wins over ARP."""
    tr = kp.trace(office, "pc1", "10.1.2.77", ttl=2)
    assert tr.cause == "ttl-exceeded" and tr.icmp_error.address == "10.0.12.2"
    assert not any("who-has 10.1.2.77" in h.packet.summary() for h in tr.hops)
    assert "who-has 10.1.2.77" in str(kp.trace(office, "pc1", "10.1.2.77", ttl=3))


def test_ttl_drop_records_the_route_lookup_it_made_first(seed):
    drop = kp.trace(seed, "house-14", "house-24", ttl=1).request_hops[-1]
    assert drop.action == "drop" and [lk.table for lk in drop.lookups] == ["route"]


# -- the error packet ---------------------------------------------------------------------

def test_time_exceeded_quotes_the_packet_as_it_arrived(seed):
    tr = kp.trace(seed, "house-14", "house-24", "udp", dport=33434, ttl=1)
    pkt = error_packet(tr)
    outer, icmp = pkt[IPv4], pkt[ICMP]
    assert (str(outer.src), str(outer.dst), outer.ttl) == ("10.0.10.11", "10.0.10.14", 64)
    assert (icmp.type, icmp.code) == (11, 0)
    assert outer.dscp << 2 == 0xC0 and not outer.dont_fragment
    quoted = pkt.decapsulate(pkt.headers.index(icmp) + 1)
    assert quoted == tr.request_hops[-1].packet           # the whole probe, TTL 1 as arrived
    assert quoted[IPv4].ttl == 1 and quoted[UDP].dport == 33434
    assert len(to_bytes(pkt.decapsulate(1))) == 20 + 8 + 60  # 88, as Linux sends it


def test_error_leaves_by_the_interface_towards_the_sender(office):
    """In the loop the probe reaches r1 on eth1, but r1's error leaves by eth0: 10.1.1.1."""
    tr = kp.trace(office, "pc1", "10.1.3.5", ttl=3)
    assert tr.request_hops[-1].node == "r1" and tr.request_hops[-1].in_iface == "eth1"
    assert tr.icmp_error.address == "10.1.1.1"
    back = kp.trace(office, "srv1", "10.1.3.9", ttl=2)
    assert (back.icmp_error.node, back.icmp_error.address) == ("r1", "10.0.12.1")


def test_error_travels_back_hop_by_hop_with_its_own_ttl(chain):
    tr = kp.trace(chain, "h1", "h2", ttl=4)
    assert tr.icmp_error.node == "r4" and tr.icmp_error.address == "192.168.34.2"
    routed = [h for h in tr.error_hops if h.action == "route"]
    assert [h.node for h in routed] == ["r3", "r2", "r1"]
    assert [h.packet[IPv4].ttl for h in routed] == [63, 62, 61]
    assert tr.error_hops[-1].action == "deliver" and tr.error_hops[-1].node == "h1"


def test_host_unreachable_after_arp_fails_at_the_last_router(chain):
    tr = kp.trace(chain, "h2", "10.0.1.99")
    assert tr.cause == "arp-unresolved"
    err = tr.icmp_error
    assert (err.type, err.code, err.node, err.address) == (3, 1, "r1", "192.168.12.1")
    quoted = error_packet(tr).decapsulate(3)[IPv4]
    assert quoted.ttl == tr.request_hops[-1].packet[IPv4].ttl   # as held, after r1 lowered it


def test_port_unreachable_comes_from_the_destination_address(seed):
    tr = kp.trace(seed, "house-14", "house-24", "udp", dport=33434)
    assert (tr.verdict, tr.cause) == ("dropped", "port-unreachable")
    assert tr.request_hops[-1].action == "drop" and tr.request_hops[-1].node == "house-24"
    assert (tr.icmp_error.name, tr.icmp_error.address) == ("port unreachable", "10.0.20.24")
    assert tr.icmp_error.reached and "came back" not in tr.reason
    assert tr.reason.endswith("house-24 sent ICMP port unreachable from 10.0.20.24 to "
                              "10.0.10.14, and it arrived")


def test_default_service_ports_still_answer(seed):
    for proto, port in (("udp", 53), ("udp", 33433), ("tcp", 33434)):
        tr = kp.trace(seed, "house-14", "house-24", proto, dport=port)
        assert tr.delivered and tr.icmp_error is None and not tr.error_hops


def test_sender_arp_failure_is_reported_locally_without_a_packet(office):
    tr = kp.trace(office, "srv2", "pc1")
    err = tr.icmp_error
    assert err.local and err.reached and (err.node, err.address) == ("srv2", "10.1.2.20")
    assert not tr.error_hops
    assert "From 10.1.2.20 ... Destination Host Unreachable" in tr.reason


def test_sender_without_route_sends_nothing(office):
    tr = kp.trace(office, "pc2", "srv1")
    assert tr.icmp_error is None and len(tr.hops) == 1
    assert "connect: Network is unreachable" in tr.reason


@pytest.mark.parametrize("src, dst", [("r3", "r2")])   # martian source: no ICMP
def test_drops_that_send_no_error(chain, src, dst):
    tr = kp.trace(chain, src, dst)
    assert tr.cause == "martian-source" and tr.icmp_error is None and not tr.error_hops


def test_an_error_can_be_lost_and_no_error_is_sent_about_it(office):
    """pc3's port unreachable needs ARP for srv1 on pc3's own segment, which fails."""
    tr = kp.trace(office, "srv1", "pc3", "udp", dport=33434)
    err = tr.icmp_error
    assert not err.reached and "pc3" in err.lost and "ARP unresolved" in err.lost
    assert tr.error_hops[-1].action == "drop" and tr.error_hops[-1].node == "pc3"
    assert tr.reason.endswith(err.lost) and "but it was lost at pc3" in tr.reason
    assert sum(h.direction == "error" and h.action == "drop" for h in tr.hops) == 1


def test_error_without_a_route_back_is_never_built():
    """r2 has no route to h1's subnet: it cannot even address the error, so none is sent."""
    net = kp.Topology()
    net.add_switch("sw1", subnet="10.0.0.0/24")
    net.add_host("h1", ip="10.0.0.10/24", gateway="10.0.0.1")
    net.add_router("r1", interfaces={"eth0": "10.0.0.1/24", "eth1": "10.0.1.1/24"},
                   gateway="10.0.1.2")
    net.add_router("r2", interfaces={"eth0": "10.0.1.2/24"})
    net.add_link("h1:eth0", "sw1:p1")
    net.add_link("r1:eth0", "sw1:p2")
    net.add_link("r1:eth1", "r2:eth0")
    tr = kp.trace(net, "h1", "8.8.8.8")
    assert tr.cause == "no-route" and tr.request_hops[-1].node == "r2"
    err = tr.icmp_error
    assert (err.name, err.node, err.address, err.reached) == ("net unreachable", "r2", None, False)
    assert not tr.error_hops and "r2 has no route back to 10.0.0.10" in tr.reason
    assert "no ICMP net unreachable comes back" in tr.reason


def test_error_leg_in_frames_table_and_text(seed):
    tr = kp.trace(seed, "house-14", "house-24", ttl=1)
    frame = tr.to_frame()
    assert list(frame.leg.unique()) == ["request", "error"]
    assert "ICMP time exceeded" in frame[frame.leg == "error"].packet.iloc[0]
    assert "-- ICMP time exceeded (type 11 code 0) from gatekeeper-11 10.0.10.11" in str(tr)
    assert tr.error_hops == tuple(h for h in tr.hops if h.direction == "error")


def test_error_bytes_round_trip(seed):
    tr = kp.trace(seed, "house-14", "house-24", ttl=1)
    for hop in tr.error_hops:
        if hop.out_iface:
            assert from_bytes(to_bytes(hop.packet)) == hop.packet


# -- clusters -----------------------------------------------------------------------------

def test_cilium_ttl_drop_sends_no_icmp():
    cl = kp.load_topology("seed-cilium-buildings")
    tr = kp.trace(cl, "apartment-12", "apartment-22", ttl=1)
    assert tr.cause == "ttl-exceeded" and tr.icmp_error is None and not tr.error_hops


def test_pod_port_unreachable_goes_back_through_cilium():
    cl = kp.load_topology("seed-cilium-buildings")
    tr = kp.trace(cl, "apartment-12", "apartment-22", "udp", dport=33434)
    assert tr.cause == "port-unreachable" and tr.icmp_error.reached
    assert [h.observation for h in tr.error_hops if h.observation] == [
        "from-endpoint", "to-overlay", "from-overlay", "to-endpoint"]
    ct = [lk for h in tr.error_hops for lk in h.lookups if lk.table.startswith("cilium_ct")]
    assert ct and all(lk.hit for lk in ct)       # related to the probe's connection
    assert any("DestinationUnreachable(Port)" in line for line in tr.hubble())


def test_underlay_router_answers_a_node():
    cl = kp.load_topology("cilium-three-nodes")
    tr = kp.trace(cl, "kind-worker", "8.8.8.8")
    assert tr.cause == "no-route" and tr.icmp_error.node == "docker-host"
    assert tr.icmp_error.address == "172.18.0.1" and tr.icmp_error.reached


# -- pcap ---------------------------------------------------------------------------------

@needs_tshark
def test_tshark_dissects_the_error_with_its_quoted_header(seed, tmp_path):
    tr = kp.trace(seed, "house-14", "house-24", "udp", dport=33434, ttl=1)
    path = tmp_path / "error.pcap"
    tr.to_pcap(path)
    out = subprocess.run(
        [TSHARK, "-r", str(path), "-Y", "icmp", "-o", "ip.check_checksum:TRUE", "-T", "fields",
         "-e", "ip.src", "-e", "ip.dst", "-e", "ip.ttl", "-e", "icmp.type", "-e", "icmp.code",
         "-e", "icmp.checksum.status", "-e", "udp.dstport", "-e", "ip.len",
         "-e", "ip.checksum.status", "-e", "_ws.malformed"],
        capture_output=True, text=True, check=True, timeout=60).stdout.splitlines()
    # one line per wire hop of the error (sent, switched): outer then quoted values
    assert out and all(line.split("\t") == [
        "10.0.10.11,10.0.10.14", "10.0.10.14,10.0.20.24", "64,1", "11", "0", "1", "33434",
        "88,60", "1,1", ""] for line in out)
    assert len(out) == sum(1 for h in tr.error_hops if h.out_iface)


# -- pictures and tables --------------------------------------------------------------------

def test_pictures_draw_the_error_leg_with_its_own_line_and_legend(chain):
    from matplotlib.figure import Figure

    from kpath_nb.views.palette import ERROR_DASHES
    from kpath_nb.views.plot import network_axes
    tr = kp.trace(chain, "h1", "h2", ttl=2)
    ax = kp.draw_trace(chain, tr, ax=network_axes(chain, Figure(), trace=tr))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "ICMP error, back to the sender" in labels and "request" in labels
    last = tr.error_hops[1].index                     # r2's time exceeded leaving through r1
    ax = kp.draw_trace(chain, tr, ax=network_axes(chain, Figure(), trace=tr), upto=last)
    assert "(ICMP error, going back)" in ax.get_title()
    assert ERROR_DASHES[1] != (5, 2.5)                # not the reply's dashes


def test_cluster_picture_names_the_error_leg():
    from matplotlib.figure import Figure
    cl = kp.load_topology("seed-cilium-buildings")
    tr = kp.trace(cl, "apartment-12", "apartment-22", "udp", dport=33434)
    ax = kp.draw_trace(cl, tr, ax=Figure().add_subplot())
    assert "ICMP error" in [t.get_text() for t in ax.get_legend().get_texts()]
    ax = kp.draw_trace(cl, tr, ax=Figure().add_subplot(), upto=tr.error_hops[0].index)
    assert "(ICMP error, going back)" in ax.get_title()


def test_hop_table_opens_the_error_leg(chain):
    html = kp.trace(chain, "h1", "h2", ttl=2)._repr_html_()
    assert "↩ the error leg: ICMP time exceeded (type 11 code 0) from r2 192.168.12.2" in html
    assert "↩" not in kp.trace(chain, "h1", "h2")._repr_html_()
