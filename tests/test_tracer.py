"""The tracer: ARP, switching, routing and TTL as a Linux host, router and bridge would do them."""

from __future__ import annotations

import dataclasses

import pytest

import kpath_nb as kp
from kpath_nb import ARP, ICMP, IPv4, TCP, UDP, Ethernet, KpathError, MacAddress, Topology
from kpath_nb.trace import ACTIONS, CAUSES


def mac(net, node, iface="eth0"):
    return net.nodes[node].interfaces[iface].mac


def state(net):
    """Every ARP and FDB entry in the network, for before/after comparisons."""
    out = {}
    for name, node in net.nodes.items():
        table = node.fdb if isinstance(node, kp.Switch) else node.arp
        out[name] = tuple(table.rows())
    return out


def small_lan() -> Topology:
    """A switch with two hosts, a router and a host whose gateway is a host (h1 -> h2)."""
    net = Topology("small")
    net.add_switch("sw", subnet="10.0.0.0/24")
    net.add_host("h1", ip="10.0.0.1/24", gateway="10.0.0.2")          # gateway is a plain host
    net.add_host("h2", ip="10.0.0.2/24")
    net.add_router("r", {"eth0": "10.0.0.254/24", "eth1": "10.0.1.254/24"})
    net.add_host("h3", ip="10.0.0.3/24", routes=["10.0.1.0/24 dev eth0"])  # says 10.0.1/24 is on-link
    for port, node in enumerate(["h1", "h2", "r", "h3"], start=1):
        net.add_link(f"{node}:eth0", f"sw:eth{port}")
    return net


# -- ARP --------------------------------------------------------------------------------

def test_arp_request_is_a_broadcast_with_an_unknown_target_mac(seed):
    request = kp.trace(seed, "house-14", "house-15").hops[0]
    assert (request.node, request.action, request.out_iface) == ("house-14", "arp", "eth0")
    eth, arp = request.packet[Ethernet], request.packet[ARP]
    assert eth.dst == kp.BROADCAST_MAC and eth.src == mac(seed, "house-14")
    assert eth.ethertype == 0x0806
    assert arp.op == ARP.REQUEST
    assert arp.sender_mac == mac(seed, "house-14") and str(arp.sender_ip) == "10.0.10.14"
    assert arp.target_mac == MacAddress(0) and str(arp.target_ip) == "10.0.10.15"
    assert [lk.table for lk in request.lookups] == ["route", "arp"]
    assert request.lookups[1].result == "miss" and not request.lookups[1].hit


def test_arp_reply_is_unicast_from_the_owner_to_the_asker(seed):
    reply = kp.trace(seed, "house-14", "house-15").hops[2]
    assert (reply.node, reply.action, reply.in_iface, reply.out_iface) == (
        "house-15", "arp", "eth0", "eth0")
    eth, arp = reply.packet[Ethernet], reply.packet[ARP]
    assert (eth.src, eth.dst) == (mac(seed, "house-15"), mac(seed, "house-14"))
    assert arp.op == ARP.REPLY
    assert (arp.sender_mac, str(arp.sender_ip)) == (mac(seed, "house-15"), "10.0.10.15")
    assert (arp.target_mac, str(arp.target_ip)) == (mac(seed, "house-14"), "10.0.10.14")


def test_arp_learning_matches_linux(seed):
    """The asker learns the answer; the answerer learns the asker (Linux creates a neighbour
    entry for the sender of a request addressed to it); bystanders who only saw the
    broadcast learn nothing."""
    tr = kp.trace(seed, "house-14", "house-15", learn=True)
    arp_learned = {(e.node, e.key, e.value) for e in tr.learned if e.table == "arp"}
    assert arp_learned == {
        ("house-15", "10.0.10.14", f"{mac(seed, 'house-14')} dev eth0 STALE"),  # heard in a request
        ("house-14", "10.0.10.15", f"{mac(seed, 'house-15')} dev eth0"),
    }
    assert tr.hops[2].learned[0].node == "house-15"    # learned while answering
    assert len(seed.nodes["house-12"].arp) == 0
    assert len(seed.nodes["gatekeeper-11"].arp) == 0
    assert seed.nodes["house-15"].arp.get(kp.parse_address("10.0.10.14")).mac == mac(seed,
                                                                                     "house-14")


def test_the_reply_needs_no_arp_because_the_request_taught_the_answerer(seed):
    tr = kp.trace(seed, "house-14", "house-15")
    assert [h.action for h in tr.reply_hops] == ["send", "switch", "deliver"]
    first = tr.reply_hops[0]
    assert [lk.table for lk in first.lookups] == ["route", "arp"]
    assert first.lookups[1].hit


def test_router_answers_arp_for_its_other_interface_address():
    """Linux (arp_ignore=0) answers for any local address on whichever door asked."""
    net = small_lan()
    tr = kp.trace(net, "h3", "10.0.1.254")
    assert tr.delivered
    assert [(h.node, h.action) for h in tr.request_hops[:3]] == [
        ("h3", "arp"), ("sw", "flood"), ("r", "arp")]
    answer = tr.request_hops[2]
    assert str(answer.packet[ARP].sender_ip) == "10.0.1.254"
    assert answer.packet[ARP].sender_mac == mac(net, "r", "eth0")       # the door that heard it
    deliver = tr.request_hops[-1]
    assert (deliver.node, deliver.in_iface, deliver.action) == ("r", "eth0", "deliver")


# -- switching --------------------------------------------------------------------------

def test_first_frame_floods_then_the_switch_knows(seed):
    tr = kp.trace(seed, "house-14", "house-15")
    flood = tr.hops[1]
    assert (flood.node, flood.action, flood.in_iface, flood.out_iface) == (
        "fountain-blue", "flood", "eth4", None)
    assert flood.flooded == ("eth1", "eth2", "eth5")          # every other linked port
    assert flood.lookups[0].table == "fdb" and not flood.lookups[0].hit
    assert [(e.key, e.value) for e in flood.learned] == [(str(mac(seed, "house-14")), "eth4")]
    switched = [h for h in tr.hops if h.node == "fountain-blue"][1:]
    assert all(h.action == "switch" for h in switched)
    reply_frame = tr.hops[3]
    assert (reply_frame.in_iface, reply_frame.out_iface) == ("eth5", "eth4")
    assert reply_frame.lookups[0].hit and reply_frame.lookups[0].result == "eth4"
    lookup = reply_frame.lookups[0]
    assert lookup.rows[lookup.matched] == (str(mac(seed, "house-14")), "eth4")


def test_unknown_unicast_floods_and_reaches_only_its_owner(seed):
    # house-15 already knows house-14's MAC, but the fountain forgot everything.
    seed.nodes["house-15"].arp.learn(kp.parse_address("10.0.10.14"), mac(seed, "house-14"),
                                     "eth0")
    tr = kp.trace(seed, "house-15", "house-14", reply=False)
    assert [h.action for h in tr.hops] == ["send", "flood", "deliver"]
    assert tr.hops[1].lookups[0].result == "miss: flood"
    assert tr.hops[2].node == "house-14"


def test_flood_learns_on_every_switch_of_the_segment():
    net = Topology()
    for name in ("a", "b", "c"):
        net.add_switch(name)
    net.add_link("a:eth1", "b:eth1")
    net.add_link("a:eth2", "c:eth1")
    net.add_host("h1", ip="10.0.0.1/24")
    net.add_host("h2", ip="10.0.0.2/24")
    net.add_link("h1:eth0", "a:eth3")
    net.add_link("h2:eth0", "b:eth2")
    tr = kp.trace(net, "h1", "h2", learn=True)
    assert tr.delivered
    assert net.nodes["c"].fdb.port_for(mac(net, "h1")) == "eth1"   # c saw the broadcast too
    assert net.nodes["b"].fdb.port_for(mac(net, "h2")) == "eth2"


@pytest.mark.parametrize("first, door", [("direct", "eth1"), ("through-sw2", "eth0")])
def test_of_two_doors_the_flood_reaches_the_one_on_the_first_port_answers(first, door):
    """h2 has a door on sw1 and one behind sw2: the flood's copies reach both, and the door
    whose copy left sw1 first (in port order) takes the request, directly or through sw2."""
    net = Topology()
    net.add_switch("sw1")
    net.add_switch("sw2")
    net.add_host("h1", ip="10.0.0.1/24")
    net.add_host("h2", interfaces={"eth0": "10.0.0.2/24", "eth1": "10.0.1.2/24"})
    net.add_link("h1:eth0", "sw1:eth1")
    net.add_link("h2:eth0", "sw2:eth1")
    ends = {"direct": "h2:eth1", "through-sw2": "sw2:eth2"}
    for port, which in enumerate(sorted(ends, key=lambda w: w != first), start=2):
        net.add_link(ends[which], f"sw1:eth{port}")
    tr = kp.trace(net, "h1", "10.0.0.2", reply=False)
    flood = tr.hops[1]
    assert (flood.node, flood.action, flood.flooded) == ("sw1", "flood", ("eth2", "eth3"))
    assert [h.node for h in tr.hops if h.action == "flood"] == ["sw1", "sw2"]
    answer = next(h for h in tr.hops if h.node == "h2" and h.action == "arp")
    assert answer.in_iface == door
    assert tr.delivered and tr.hops[-1].in_iface == door


def test_a_door_taken_down_or_a_cable_added_is_seen_by_the_next_flood(seed):
    def flooded():
        return next(h for h in kp.trace(seed, "house-14", "house-15").hops
                    if h.action == "flood").flooded

    assert flooded() == ("eth1", "eth2", "eth5")
    seed.nodes["fountain-blue"].interfaces["eth2"].up = False   # directly, not through a method
    assert flooded() == ("eth1", "eth5")
    seed.nodes["fountain-blue"].interfaces["eth2"].up = True
    seed.add_host("house-19", ip="10.0.10.19/24", gateway="10.0.10.1")
    seed.add_link("house-19:eth0", "fountain-blue:eth9")
    assert flooded() == ("eth1", "eth2", "eth5", "eth9")


def test_trace_learned_is_exactly_what_the_network_learned():
    net = Topology()
    for name in ("a", "b", "c"):
        net.add_switch(name)
    net.add_link("a:eth1", "b:eth1")
    net.add_link("a:eth2", "c:eth1")
    net.add_host("h1", ip="10.0.0.1/24")
    net.add_host("h2", ip="10.0.0.2/24")
    net.add_link("h1:eth0", "a:eth3")
    net.add_link("h2:eth0", "b:eth2")
    tr = kp.trace(net, "h1", "h2", learn=True)
    reported = {(e.node, e.key, e.value) for e in tr.learned if e.table == "fdb"}
    actual = {(name, m, port) for name, sw in net.switches.items() for m, port in sw.fdb.rows()}
    assert reported == actual
    assert "c" in tr.nodes("flood")


# -- learning or not --------------------------------------------------------------------

@pytest.mark.parametrize("src, dst, proto", [
    ("house-14", "house-24", "icmp"), ("house-14", "house-15", "tcp"),
    ("house-22", "10.0.10.99", "udp"), ("gatekeeper-11", "house-12", "icmp"),
])
def test_learn_false_leaves_the_network_untouched(seed, src, dst, proto):
    before = state(seed)
    kp.trace(seed, src, dst, proto)
    assert state(seed) == before
    assert all(rows == () for rows in before.values())


def test_learn_false_does_not_forget_what_was_already_learned(seed):
    kp.trace(seed, "house-14", "house-24", learn=True)
    before = state(seed)
    kp.trace(seed, "house-12", "house-22")
    kp.trace(seed, "house-15", "10.0.10.99")
    assert state(seed) == before


def test_learn_false_trace_is_repeatable(seed):
    first = kp.trace(seed, "house-14", "house-24")
    second = kp.trace(seed, "house-14", "house-24")
    assert first == second


def test_learn_true_keeps_entries_and_the_second_trace_needs_no_arp(seed):
    first = kp.trace(seed, "house-14", "house-24", learn=True)
    assert "arp" in [h.action for h in first.hops] and "flood" in [h.action for h in first.hops]
    assert str(seed.nodes["house-14"].arp.get(kp.parse_address("10.0.10.11")).mac) == str(
        mac(seed, "gatekeeper-11"))
    assert seed.nodes["fountain-green"].fdb.port_for(mac(seed, "house-24")) == "eth4"
    assert {e.node for e in first.learned} >= {"house-14", "gatekeeper-11", "gatekeeper-21",
                                               "house-24", "fountain-blue", "fountain-green"}
    second = kp.trace(seed, "house-14", "house-24", learn=True)
    assert second.delivered
    actions = [h.action for h in second.hops]
    assert "arp" not in actions and "flood" not in actions
    assert second.learned == ()
    assert len(second.hops) == len(first.hops) - 10       # 4 ARP hops and a flood, each way


# -- protocols --------------------------------------------------------------------------

def test_icmp_echo_request_and_reply(seed):
    tr = kp.trace(seed, "house-14", "house-24")
    request, reply = tr.request_hops[-1].packet, tr.reply_hops[-1].packet
    assert (request[ICMP].type, reply[ICMP].type) == (8, 0)
    assert request[IPv4].protocol == reply[IPv4].protocol == 1
    assert request.size == 84                  # delivered without Ethernet: 20 + 8 + 56
    assert "ICMP echo reply" in tr.reason


def test_udp_ports_and_answer(seed):
    tr = kp.trace(seed, "house-14", "house-24", "udp")
    request, reply = tr.request_hops[-1].packet, tr.reply_hops[-1].packet
    assert (request[UDP].sport, request[UDP].dport) == (40000, 53)
    assert (reply[UDP].sport, reply[UDP].dport) == (53, 40000)
    assert request[IPv4].protocol == 17
    tr = kp.trace(seed, "house-14", "house-24", "udp", dport=5353, reply=False)
    assert tr.hops[-1].packet[UDP].dport == 5353


def test_tcp_syn_and_syn_ack(seed):
    tr = kp.trace(seed, "house-14", "house-24", "TCP", dport=443)
    assert tr.proto == "tcp"
    syn, synack = tr.request_hops[-1].packet, tr.reply_hops[-1].packet
    assert (syn[TCP].sport, syn[TCP].dport, syn[TCP].flags) == (40000, 443, "S")
    assert (synack[TCP].sport, synack[TCP].dport, synack[TCP].flags) == (443, 40000, "SA")
    assert synack[TCP].ack == syn[TCP].seq + 1
    assert syn[IPv4].protocol == 6
    assert "TCP SYN-ACK came back" in tr.reason


def test_reply_false_stops_at_delivery(seed):
    tr = kp.trace(seed, "house-14", "house-24", reply=False)
    assert tr.delivered and tr.reply_hops == ()
    assert tr.hops[-1].action == "deliver" and tr.hops[-1].node == "house-24"


@pytest.mark.parametrize("proto", ["sctp", "ping", ""])
def test_unknown_protocol(seed, proto):
    with pytest.raises(KpathError, match="unknown protocol .*choose one of icmp, udp, tcp"):
        kp.trace(seed, "house-14", "house-15", proto)


@pytest.mark.parametrize("ttl", [0, -1, 256])
def test_bad_ttl(seed, ttl):
    with pytest.raises(KpathError, match=f"ttl must be a whole number from 1 to 255, not {ttl}"):
        kp.trace(seed, "house-14", "house-15", ttl=ttl)


def test_unknown_endpoints(seed):
    with pytest.raises(kp.UnknownEndpointError, match="known hosts and routers are house-12"):
        kp.trace(seed, "house-99", "house-15")
    with pytest.raises(kp.UnknownEndpointError, match="'fountain-blue' is a switch"):
        kp.trace(seed, "house-14", "fountain-blue")
    with pytest.raises(kp.AddressError):
        kp.trace(seed, "house-14", "10.0.10.300")


# -- sources and destinations -----------------------------------------------------------

def test_source_by_ip(seed):
    tr = kp.trace(seed, "10.0.10.14", "house-24")
    assert tr.delivered and tr.src == "10.0.10.14"
    assert tr.hops[0].node == "house-14"
    assert str(tr.request_hops[-1].packet[IPv4].src) == "10.0.10.14"


def test_router_source_by_name_uses_its_outgoing_address(seed):
    tr = kp.trace(seed, "gatekeeper-11", "house-24")
    assert tr.delivered
    assert str(tr.request_hops[-1].packet[IPv4].src) == "10.0.100.101"
    assert tr.request_hops[-1].packet[IPv4].ttl == 63


def test_router_source_by_ip_keeps_that_address(seed):
    tr = kp.trace(seed, "10.0.100.101", "house-12")
    assert tr.delivered
    sent = tr.request_hops[-1].packet[IPv4]
    assert str(sent.src) == "10.0.100.101" and str(sent.dst) == "10.0.10.12"


def test_destination_nobody_holds_ends_in_arp_unresolved(seed):
    tr = kp.trace(seed, "house-14", "10.0.10.99")
    assert (tr.verdict, tr.cause) == ("dropped", "arp-unresolved")
    assert tr.reason.startswith("ARP unresolved: nobody answered who-has 10.0.10.99 on eth0")
    assert [h.action for h in tr.hops] == ["arp", "flood", "drop"]
    assert tr.hops[-1].node == "house-14"


def test_unknown_address_in_another_subnet_fails_at_the_last_router(seed):
    tr = kp.trace(seed, "house-14", "10.0.20.99")
    assert tr.cause == "arp-unresolved"
    assert tr.request_hops[-1].node == "gatekeeper-21"
    assert tr.routers_crossed() == ["gatekeeper-11"]


def test_no_route(office):
    tr = kp.trace(office, "pc2", "srv1")
    assert (tr.verdict, tr.cause) == ("dropped", "no-route")
    assert tr.reason.startswith("no route to host: pc2 has no route that covers 10.1.2.10")
    assert len(tr.hops) == 1
    drop = tr.hops[0]
    assert drop.action == "drop" and drop.lookups[0].table == "route"
    assert not drop.lookups[0].hit and drop.lookups[0].matched is None


def test_no_route_at_a_router_mentions_icmp_unreachable(seed):
    tr = kp.trace(seed, "house-14", "192.0.2.1")
    assert tr.cause == "no-route" and tr.request_hops[-1].node == "gatekeeper-11"
    assert "ICMP destination unreachable" in tr.reason


def test_sender_interface_down(office):
    tr = kp.trace(office, "pc4", "srv1")
    assert tr.cause == "no-route"
    assert "eth0 is down, and a down interface loses its connected route" in tr.reason


def test_receiver_interface_down(office):
    tr = kp.trace(office, "srv1", "pc4")
    assert tr.cause == "arp-unresolved"
    assert tr.request_hops[-1].node == "r1"
    flood = [h for h in tr.hops if h.node == "sw1" and h.action == "flood"][0]
    assert "pc4" not in tr.nodes()
    assert flood.flooded                           # the frame went out, pc4's door ignored it


def test_bringing_an_interface_down_and_up_again(seed):
    seed.set_interface_state("gatekeeper-11", "eth1", False)
    tr = kp.trace(seed, "house-14", "house-24")
    assert tr.cause == "no-route" and tr.request_hops[-1].node == "gatekeeper-11"
    seed.set_interface_state("gatekeeper-11", "eth1", True)
    # Linux deleted the static route through eth1 when it went down; it stays gone.
    again = kp.trace(seed, "house-14", "house-24")
    assert again.cause == "no-route" and again.request_hops[-1].node == "gatekeeper-11"


def test_unplugged_cable_at_a_router_port(seed):
    seed.set_interface_state("gatekeeper-21", "eth1", False)   # the far end of the road
    tr = kp.trace(seed, "house-14", "house-24")
    assert tr.cause == "arp-unresolved" and tr.request_hops[-1].node == "gatekeeper-11"


# -- TTL --------------------------------------------------------------------------------

def test_routing_loop_ends_with_ttl_exceeded(office):
    tr = kp.trace(office, "pc1", "10.1.3.7")
    assert (tr.verdict, tr.cause) == ("dropped", "ttl-exceeded")
    assert "TTL" in tr.reason and "loop" in tr.reason
    crossed = tr.routers_crossed()
    assert len(crossed) == 63                     # 64 - 1: the router that sees TTL 1 drops it
    assert crossed[:4] == ["r1", "r2", "r1", "r2"]
    drop = tr.request_hops[-1]
    assert drop.action == "drop" and drop.packet[IPv4].ttl == 1
    assert drop.node == "r2"                      # r1 forwards at 64, 62, ..., 2
    assert len(tr.request_hops) < 100             # bounded by TTL, not by the safety net


def test_ttl_counts_down_one_per_router(chain):
    tr = kp.trace(chain, "h1", "h2")
    ttls = [h.packet[IPv4].ttl for h in tr.request_hops if h.action == "route"]
    assert ttls == [63, 62, 61, 60]
    assert tr.request_hops[-1].packet[IPv4].ttl == 60
    assert tr.routers_crossed() == ["r1", "r2", "r3", "r4"]
    assert tr.routers_crossed("reply") == ["r4", "r3", "r2", "r1"]


def test_ttl_two_dies_at_the_second_router(chain):
    tr = kp.trace(chain, "h1", "h2", ttl=2)
    assert tr.cause == "ttl-exceeded"
    assert tr.routers_crossed() == ["r1"]
    assert tr.request_hops[-1].node == "r2" and tr.request_hops[-1].in_iface == "eth0"
    assert "loop" not in tr.reason


def test_ttl_one_reaches_a_neighbour_but_not_a_router(seed):
    assert kp.trace(seed, "house-14", "house-15", ttl=1).delivered
    tr = kp.trace(seed, "house-14", "house-24", ttl=1)
    assert tr.cause == "ttl-exceeded" and tr.request_hops[-1].node == "gatekeeper-11"


def test_ttl_one_to_the_router_itself_is_delivered(seed):
    """Local delivery does not check the TTL; only forwarding does."""
    assert kp.trace(seed, "house-14", "10.0.100.101", ttl=1).delivered


def test_answer_starts_with_a_fresh_ttl(chain):
    tr = kp.trace(chain, "h1", "h2", ttl=10)
    assert tr.request_hops[-1].packet[IPv4].ttl == 6
    assert tr.reply_hops[-1].packet[IPv4].ttl == 60


# -- the broken office ------------------------------------------------------------------

def test_wrong_gateway_request_arrives_reply_is_lost(office):
    tr = kp.trace(office, "pc1", "srv2")
    assert tr.request_hops[-1].action == "deliver" and tr.request_hops[-1].node == "srv2"
    assert (tr.verdict, tr.cause) == ("dropped", "arp-unresolved")
    assert "10.1.2.99" in tr.reason and "reply was dropped" in tr.reason
    assert tr.reply_hops[-1].node == "srv2" and tr.reply_hops[-1].action == "drop"


def test_wrong_mask_arps_for_the_far_host_directly(office):
    tr = kp.trace(office, "pc3", "srv1")
    assert tr.cause == "arp-unresolved"
    assert tr.hops[0].packet[ARP].target_ip == kp.parse_address("10.1.2.10")
    assert tr.routers_crossed() == []
    assert "r1" not in tr.nodes()                 # r1 heard the broadcast and kept quiet


def test_the_working_pair_in_the_office(office):
    tr = kp.trace(office, "pc1", "srv1")
    assert tr.delivered and tr.cause is None
    assert tr.routers_crossed() == ["r1", "r2"]


def test_host_never_forwards():
    tr = kp.trace(small_lan(), "h1", "10.9.9.9")
    assert (tr.verdict, tr.cause) == ("dropped", "not-forwarding")
    drop = tr.hops[-1]
    assert (drop.node, drop.action, drop.in_iface) == ("h2", "drop", "eth0")
    assert "does not forward" in tr.reason


# -- local delivery ---------------------------------------------------------------------

def test_ping_own_address_loops_back(seed):
    tr = kp.trace(seed, "house-14", "10.0.10.14")
    assert tr.delivered
    assert [(h.node, h.action, h.in_iface, h.direction) for h in tr.hops] == [
        ("house-14", "deliver", "lo", "request"), ("house-14", "deliver", "lo", "reply")]
    assert state(seed) == {name: () for name in seed.nodes}


def test_router_other_address_is_delivered_at_the_router(seed):
    """The weak host model: any local address is accepted on any interface."""
    tr = kp.trace(seed, "house-14", "10.0.100.101")
    assert tr.delivered
    deliver = tr.request_hops[-1]
    assert (deliver.node, deliver.in_iface, deliver.action) == ("gatekeeper-11", "eth0", "deliver")
    assert tr.routers_crossed() == []
    assert tr.reply_hops[0].packet[IPv4].src == kp.parse_address("10.0.100.101")


# -- the trace as data ------------------------------------------------------------------

@pytest.mark.parametrize("src, dst", [("house-14", "house-24"), ("house-22", "10.0.20.99"),
                                      ("house-12", "192.0.2.1")])
def test_hop_indices_actions_and_directions(seed, src, dst):
    tr = kp.trace(seed, src, dst)
    assert [h.index for h in tr.hops] == list(range(len(tr.hops)))
    assert all(h.action in ACTIONS for h in tr.hops)
    assert all(h.note for h in tr.hops)
    directions = [h.direction for h in tr.hops]
    assert directions == sorted(directions, key=["request", "reply", "error"].index)
    assert tr.request_hops + tr.reply_hops + tr.error_hops == tr.hops
    assert tr.cause is None or tr.cause in CAUSES
    assert tr.hops[-1].action in ("deliver", "drop")


def test_trace_is_frozen_data(seed):
    tr = kp.trace(seed, "house-14", "house-24")
    with pytest.raises(dataclasses.FrozenInstanceError):
        tr.verdict = "dropped"
    with pytest.raises(dataclasses.FrozenInstanceError):
        tr.hops[0].node = "elsewhere"


def test_route_lookup_records_the_table_and_the_matched_row(seed):
    tr = kp.trace(seed, "house-14", "house-24")
    lookup = tr.hops[0].lookups[0]
    assert (lookup.table, lookup.key, lookup.hit) == ("route", "10.0.20.24", True)
    assert lookup.result == "default via 10.0.10.11 dev eth0"
    assert lookup.columns == kp.RouteTable.columns
    assert lookup.rows[lookup.matched][0] == "default"
    gk = [h for h in tr.hops if h.node == "gatekeeper-11" and h.out_iface == "eth1"][0]
    assert gk.lookups[0].result == "10.0.20.0/24 via 10.0.100.201 dev eth1"


def test_lookups_snapshot_the_table_at_that_moment(seed):
    tr = kp.trace(seed, "house-14", "house-15")
    first_fdb = tr.hops[1].lookups[0].rows          # after learning house-14 only
    later_fdb = tr.hops[3].lookups[0].rows
    assert len(first_fdb) == 1 and len(later_fdb) == 2


def test_to_frame_and_str(seed):
    tr = kp.trace(seed, "house-14", "house-24")
    frame = tr.to_frame()
    assert len(frame) == len(tr.hops)
    assert list(frame.index) == list(range(len(tr.hops)))
    assert list(frame["node"]) == [h.node for h in tr.hops]
    assert frame.loc[1, "out"] == "eth1,eth2,eth5"             # a flood lists its ports
    assert set(frame["leg"]) == {"request", "reply"}
    lines = str(tr).splitlines()
    assert lines[0] == ("house-14 -> house-24 (icmp): delivered, the ICMP echo request was "
                        "delivered to 10.0.20.24, and its ICMP echo reply came back")
    assert len(lines) == len(tr.hops) + 1


def test_route_out_of_an_interface_without_address_does_not_crash():
    net = Topology()
    net.add_switch("sw")
    net.add_host("h", interfaces={"eth0": "10.0.0.1/24", "eth1": None},
                 routes=["10.9.0.0/16 dev eth1"])
    net.add_link("h:eth1", "sw:eth1")
    tr = kp.trace(net, "h", "10.9.0.5")
    assert tr.verdict == "dropped"


# -- agreement with Linux on the edges ----------------------------------------------------

def test_loopback_destination_never_leaves_the_host(seed):
    tr = kp.trace(seed, "house-14", "127.0.0.1")
    assert tr.delivered and [h.action for h in tr.request_hops] == ["deliver"]
    assert tr.hops[0].in_iface == "lo"


@pytest.mark.parametrize("dst", ["10.0.10.255", "255.255.255.255"])
def test_broadcast_destination_is_refused_with_a_reason(seed, dst):
    with pytest.raises(kp.KpathError, match="broadcast address, not one host"):
        kp.trace(seed, "house-14", dst)


@pytest.mark.parametrize("dport", [0, 70000, "80"])
def test_bad_port_is_refused(seed, dport):
    with pytest.raises(kp.KpathError, match="dport must be a port number from 1 to 65535"):
        kp.trace(seed, "house-14", "house-15", proto="udp", dport=dport)


def test_arp_request_names_the_local_source_address(seed):
    """With arp_announce=0 Linux puts the packet's own source address in the request, even
    when it belongs to another interface; the answerer learns that address."""
    tr = kp.trace(seed, "10.0.100.101", "house-12")
    request = tr.hops[0].packet[kp.ARP]
    assert str(request.sender_ip) == "10.0.100.101" and str(request.target_ip) == "10.0.10.12"
    assert ("house-12", "10.0.100.101") in {(e.node, e.key) for e in tr.learned}


def test_forwarded_packet_arp_names_the_outgoing_interface_address(seed):
    tr = kp.trace(seed, "house-14", "house-24")
    asks = [h.packet[kp.ARP] for h in tr.hops if h.node == "gatekeeper-11"
            and h.action == "arp" and h.packet[kp.ARP].op == kp.ARP.REQUEST]
    assert [str(a.sender_ip) for a in asks] == ["10.0.100.101"]


def test_switch_does_not_flood_towards_a_door_that_is_down(office):
    """pc4's eth0 is down: no carrier on that cable, so sw1 sends nothing out of eth4."""
    tr = kp.trace(office, "pc3", "srv1")
    flood = next(h for h in tr.hops if h.action == "flood")
    assert "eth4" not in flood.flooded and set(flood.flooded) == {"eth1", "eth2", "eth5"}
