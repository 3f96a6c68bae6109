"""Destinations that are not one host, and things that are not networks, in kp.trace and
kp.draw_trace: each refused with a typed error that says what Linux does or what is right."""

from __future__ import annotations

import pytest

import kpath_nb as kp

SPECIAL = {
    "0.0.0.0": "0.0.0.0 means 'this host'.*over lo",
    "255.255.255.255": "limited broadcast.*no router forwards it",
    "224.0.0.1": "224.0.0.1 is a multicast group address.*01:00:5e",
    "239.255.255.250": "multicast group address",
}


@pytest.fixture(scope="module")
def seed():
    return kp.load_topology("seed-neighborhoods")


@pytest.fixture(scope="module")
def buildings():
    return kp.load_topology("seed-cilium-buildings")


@pytest.mark.parametrize("dst, match", SPECIAL.items())
def test_special_destinations_are_refused_alike_in_networks_and_clusters(seed, buildings,
                                                                          dst, match):
    with pytest.raises(kp.SpecialDestinationError, match=match):
        kp.trace(seed, "house-14", dst)
    with pytest.raises(kp.SpecialDestinationError, match=match):
        kp.trace(buildings, "apartment-12", dst, proto="udp")


@pytest.mark.parametrize("dst", ["10.0.10.255", "10.0.20.255"])
def test_a_directed_broadcast_is_refused_on_any_subnet_of_the_network(seed, dst):
    """Not only the sender's own subnet: a router would not forward one to another."""
    with pytest.raises(kp.SpecialDestinationError,
                       match=f"{dst} is the broadcast address of .*bc_forwarding is 0"):
        kp.trace(seed, "house-14", dst)


def test_a_directed_broadcast_on_the_node_network_is_refused_in_a_cluster(buildings):
    subnet = buildings.nodes["building-blue"].interfaces["eth0"].ip.network
    with pytest.raises(kp.SpecialDestinationError, match="directed broadcast"):
        kp.trace(buildings, "apartment-12", str(subnet.broadcast_address))


def test_ordinary_addresses_still_trace(seed, buildings):
    assert kp.trace(seed, "house-14", "10.0.20.24").delivered
    assert kp.trace(seed, "house-14", "10.0.20.23").cause == "arp-unresolved"
    assert kp.trace(buildings, "apartment-12", "10.0.10.255").cause == "stale-or-unroutable-ip"


@pytest.mark.parametrize("net", ["seed-neighborhoods", None, 5])
def test_trace_needs_a_network_not_a_name(net):
    with pytest.raises(kp.NotANetworkError, match="trace needs a network or a cluster"):
        kp.trace(net, "house-14", "house-15")


def test_a_name_gets_the_line_that_loads_it():
    with pytest.raises(kp.NotANetworkError,
                       match=r"load it first: net = kp.load_topology\('seed-neighborhoods'\)"):
        kp.trace("seed-neighborhoods", "house-14", "house-15")


def test_a_trace_drawn_on_another_network_is_refused(seed, buildings):
    tr = kp.trace(seed, "house-14", "house-24")
    for other in (kp.load_topology("router-chain"), buildings):
        with pytest.raises(kp.UnknownEndpointError,
                           match="went through house-14, .* draw a trace on the network it was"):
            kp.draw_trace(other, tr)
    ctr = kp.trace(buildings, "apartment-12", "apartment-22")
    with pytest.raises(kp.UnknownEndpointError, match="went through apartment-12"):
        kp.draw_trace(kp.load_topology("cilium-three-nodes"), ctr)


def test_draw_trace_needs_a_network_and_a_trace(seed):
    tr = kp.trace(seed, "house-14", "house-24")
    with pytest.raises(kp.NotANetworkError, match="draw_trace needs a network or a cluster"):
        kp.draw_trace("seed-neighborhoods", tr)
    with pytest.raises(TypeError, match="draw_trace needs a trace from kp.trace"):
        kp.draw_trace(seed, "tr")


def test_an_address_someone_holds_is_not_searched_among_the_subnets(monkeypatch):
    """A held address is one host's: the directed-broadcast check looks at every subnet of
    the network only for an address nobody holds (at 1,000 nodes that search took ~11 ms,
    a quarter of all traces paid it)."""
    from kpath_nb import destinations

    cl = kp.generate_cluster(nodes=3, pods_per_node=20, seed=0)
    pod = next(p for p in cl.pods.values() if int(p.ip) & 3 == 3)
    net = kp.load_topology("seed-neighborhoods")
    host = next(a for n in net.endpoints.values() for a in n.addresses() if int(a.ip) & 3 == 3)

    def searched(*args):
        raise AssertionError("searched the subnets for an address someone holds")

    monkeypatch.setattr(destinations, "_broadcast_of", searched)
    destinations.check_destination(cl, pod.ip)
    destinations.check_destination(net, host.ip)
