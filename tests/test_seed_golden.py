"""Golden journeys through the article's neighbourhoods and the longest-prefix lesson.

These pin the exact hop sequences the notebooks narrate: if one changes, a
notebook's story changes with it, so the change must be deliberate.
"""

from __future__ import annotations

import pytest

import kpath_nb as kp
from kpath_nb import ARP, IPv4, Ethernet


def steps(hops):
    return [(h.node, h.action, h.in_iface, h.out_iface) for h in hops]


def mac(net, node, iface="eth0"):
    return net.nodes[node].interfaces[iface].mac


# -- house-14 -> house-15: same neighbourhood, no gatekeeper ----------------------------

NEIGHBOUR_REQUEST = [
    ("house-14", "arp", None, "eth0"),            # who-has 10.0.10.15?
    ("fountain-blue", "flood", "eth4", None),
    ("house-15", "arp", "eth0", "eth0"),          # 10.0.10.15 is-at ...
    ("fountain-blue", "switch", "eth5", "eth4"),
    ("house-14", "send", None, "eth0"),
    ("fountain-blue", "switch", "eth4", "eth5"),
    ("house-15", "deliver", "eth0", None),
]
NEIGHBOUR_REPLY = [
    ("house-15", "send", None, "eth0"),
    ("fountain-blue", "switch", "eth5", "eth4"),
    ("house-14", "deliver", "eth0", None),
]


def test_house14_to_house15_hops(seed):
    tr = kp.trace(seed, "house-14", "house-15")
    assert tr.verdict == "delivered" and tr.cause is None
    assert steps(tr.request_hops) == NEIGHBOUR_REQUEST
    assert steps(tr.reply_hops) == NEIGHBOUR_REPLY


def test_house14_to_house15_resolves_arp_and_keeps_ttl(seed):
    tr = kp.trace(seed, "house-14", "house-15")
    learned = {(e.node, e.table, e.key) for e in tr.learned}
    assert ("house-14", "arp", "10.0.10.15") in learned
    assert ("house-15", "arp", "10.0.10.14") in learned
    assert tr.hops[2].packet[ARP].sender_mac == mac(seed, "house-15")
    assert tr.request_hops[-1].packet[IPv4].ttl == 64
    assert tr.reply_hops[-1].packet[IPv4].ttl == 64
    assert tr.routers_crossed() == [] and tr.routers_crossed("reply") == []
    assert "fountain-blue" in tr.nodes()
    assert "gatekeeper-11" not in tr.nodes()
    sent = tr.request_hops[4].packet
    assert (sent[Ethernet].src, sent[Ethernet].dst) == (mac(seed, "house-14"),
                                                        mac(seed, "house-15"))


# -- house-14 -> house-24: across both gatekeepers --------------------------------------

CROSSING_REQUEST = [
    ("house-14", "arp", None, "eth0"),            # who-has 10.0.10.11 (the gateway)?
    ("fountain-blue", "flood", "eth4", None),
    ("gatekeeper-11", "arp", "eth0", "eth0"),
    ("fountain-blue", "switch", "eth1", "eth4"),
    ("house-14", "send", None, "eth0"),
    ("fountain-blue", "switch", "eth4", "eth1"),
    ("gatekeeper-11", "arp", "eth0", "eth1"),     # who-has 10.0.100.201 on the road?
    ("gatekeeper-21", "arp", "eth1", "eth1"),
    ("gatekeeper-11", "route", "eth0", "eth1"),
    ("gatekeeper-21", "arp", "eth1", "eth0"),     # who-has 10.0.20.24?
    ("fountain-green", "flood", "eth1", None),
    ("house-24", "arp", "eth0", "eth0"),
    ("fountain-green", "switch", "eth4", "eth1"),
    ("gatekeeper-21", "route", "eth1", "eth0"),
    ("fountain-green", "switch", "eth1", "eth4"),
    ("house-24", "deliver", "eth0", None),
]
CROSSING_REPLY = [
    ("house-24", "send", None, "eth0"),
    ("fountain-green", "switch", "eth4", "eth1"),
    ("gatekeeper-21", "route", "eth0", "eth1"),
    ("gatekeeper-11", "route", "eth1", "eth0"),
    ("fountain-blue", "switch", "eth1", "eth4"),
    ("house-14", "deliver", "eth0", None),
]


@pytest.fixture
def crossing(seed):
    return kp.trace(seed, "house-14", "house-24")


def test_house14_to_house24_hops(crossing):
    assert crossing.verdict == "delivered"
    assert steps(crossing.request_hops) == CROSSING_REQUEST
    assert steps(crossing.reply_hops) == CROSSING_REPLY


def test_house14_to_house24_crosses_both_gatekeepers_in_order(crossing):
    assert crossing.routers_crossed() == ["gatekeeper-11", "gatekeeper-21"]
    assert crossing.routers_crossed("reply") == ["gatekeeper-21", "gatekeeper-11"]


def test_house14_to_house24_ttl(crossing):
    assert crossing.request_hops[-1].packet[IPv4].ttl == 62
    assert crossing.reply_hops[-1].packet[IPv4].ttl == 62
    assert "delivered with TTL 62 (2 routers crossed)" in crossing.request_hops[-1].note


def _segments(hops):
    """(Ethernet src, Ethernet dst, IPv4 src, IPv4 dst) of each IP frame put on a wire."""
    return [(h.packet[Ethernet].src, h.packet[Ethernet].dst,
             str(h.packet[IPv4].src), str(h.packet[IPv4].dst))
            for h in hops if h.action in ("send", "route")]


def test_request_macs_change_per_segment_while_ips_stay(seed, crossing):
    assert _segments(crossing.request_hops) == [
        (mac(seed, "house-14"), mac(seed, "gatekeeper-11"), "10.0.10.14", "10.0.20.24"),
        (mac(seed, "gatekeeper-11", "eth1"), mac(seed, "gatekeeper-21", "eth1"),
         "10.0.10.14", "10.0.20.24"),
        (mac(seed, "gatekeeper-21"), mac(seed, "house-24"), "10.0.10.14", "10.0.20.24"),
    ]


def test_reply_macs_mirror_the_request(seed, crossing):
    assert _segments(crossing.reply_hops) == [
        (mac(seed, "house-24"), mac(seed, "gatekeeper-21"), "10.0.20.24", "10.0.10.14"),
        (mac(seed, "gatekeeper-21", "eth1"), mac(seed, "gatekeeper-11", "eth1"),
         "10.0.20.24", "10.0.10.14"),
        (mac(seed, "gatekeeper-11"), mac(seed, "house-14"), "10.0.20.24", "10.0.10.14"),
    ]


def test_switches_carry_frames_unchanged(crossing):
    hops = crossing.hops
    for before, switched in zip(hops, hops[1:]):
        if switched.action in ("switch", "flood") and before.out_iface is not None:
            assert switched.packet == before.packet


def test_each_gatekeeper_asks_arp_on_the_right_segment(seed, crossing):
    asks = [(h.node, str(h.packet[ARP].target_ip), str(h.packet[ARP].sender_ip))
            for h in crossing.hops if h.action == "arp" and h.packet[ARP].op == ARP.REQUEST]
    assert asks == [("house-14", "10.0.10.11", "10.0.10.14"),
                    ("gatekeeper-11", "10.0.100.201", "10.0.100.101"),
                    ("gatekeeper-21", "10.0.20.24", "10.0.20.21")]


# -- longest-prefix ---------------------------------------------------------------------

@pytest.mark.parametrize("dst, via, route", [
    ("h2", "r2", "10.0.0.0/8 via 172.16.2.2 dev eth1"),
    ("h3", "r3", "10.1.0.0/16 via 172.16.3.2 dev eth2"),
    ("h4", "r4", "10.1.2.0/24 via 172.16.4.2 dev eth3"),
])
def test_longest_prefix_picks_the_router(lpm, dst, via, route):
    tr = kp.trace(lpm, "h1", dst)
    assert tr.delivered
    assert tr.routers_crossed() == ["r1", via]
    decision = [h for h in tr.request_hops if h.node == "r1" and h.out_iface != "eth0"][0]
    assert decision.lookups[0].result == route
    assert tr.request_hops[-1].packet[IPv4].ttl == 62
    assert tr.routers_crossed("reply") == [via, "r1"]


def test_longest_prefix_explain_shows_all_three_matching(lpm):
    checks = lpm.nodes["r1"].routing_table().explain("10.1.2.10")
    matching = sorted(str(c.route.network) for c in checks if c.matches)
    assert matching == ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24"]
