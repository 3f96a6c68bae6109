"""Notebook 01's exercises, one variant per student: masks, subnets and the first hop.

Each maker draws its numbers from the student's generator and hands the
judging to :mod:`kpath_nb.exercises.subnets`, which works the answer out.

Examples
--------
>>> from kpath_nb.coursework import question
>>> q = question("01.4", "s2412345", salt="fall-2026")
>>> 20 <= q.prefixlen <= 30
True
>>> q.check(2 ** (32 - q.prefixlen) - 2).status
'correct'
"""

from __future__ import annotations

from functools import partial
from ipaddress import IPv4Address, IPv4Interface
from random import Random

from ..exercises import subnets
from ..io import load_topology
from .questions import Variant, exercise

__all__: list[str] = []

_PRIVATE = ((IPv4Address("10.0.0.0"), 8), (IPv4Address("172.16.0.0"), 12),
            (IPv4Address("192.168.0.0"), 16))


def _private_address(rng: Random) -> IPv4Address:
    """An address from one of the three private ranges of RFC 1918, never its first or last."""
    base, prefixlen = rng.choice(_PRIVATE)
    return base + rng.randrange(1, 2 ** (32 - prefixlen) - 1)


def _host_interface(rng: Random, low: int, high: int) -> IPv4Interface:
    """A private address that is neither the network nor the broadcast address of its /low..high."""
    prefixlen = rng.randint(low, high)
    while True:
        iface = IPv4Interface(f"{_private_address(rng)}/{prefixlen}")
        if iface.ip not in (iface.network.network_address, iface.network.broadcast_address):
            return iface


@exercise("01.1", "netmask")
def _netmask(rng: Random) -> Variant:
    prefixlen = rng.randint(17, 30)
    return Variant(f"What is the netmask of a `/{prefixlen}`, in dotted decimal?",
                   {"prefixlen": prefixlen}, partial(subnets.check_mask, prefixlen))


@exercise("01.2", "network address")
def _network_address(rng: Random) -> Variant:
    address = str(_host_interface(rng, 20, 29))
    return Variant(f"What is the network address of `{address}`?", {"address": address},
                   partial(subnets.check_network_address, address))


@exercise("01.3", "broadcast address")
def _broadcast_address(rng: Random) -> Variant:
    address = str(_host_interface(rng, 20, 29))
    return Variant(f"What is the broadcast address of `{address}`?", {"address": address},
                   partial(subnets.check_broadcast_address, address))


@exercise("01.4", "usable hosts")
def _host_count(rng: Random) -> Variant:
    prefixlen = rng.randint(20, 30)
    return Variant(f"How many usable host addresses does a `/{prefixlen}` hold?",
                   {"prefixlen": prefixlen}, partial(subnets.check_host_count, prefixlen))


@exercise("01.5", "same subnet?")
def _same_subnet(rng: Random) -> Variant:
    host = _host_interface(rng, 24, 29)
    network = host.network
    if rng.random() < 0.5:  # inside: another host address of the same subnet
        other = network.network_address + rng.randrange(1, network.num_addresses - 1)
    else:  # outside, but close enough that only the mask tells
        step = rng.choice((-1, 1)) * rng.randint(1, 2) * network.num_addresses
        other = network.network_address + rng.randrange(1, network.num_addresses - 1) + step
    sender, destination = str(host), str(other)
    return Variant(f"A host has the address `{sender}`. Is `{destination}` in its subnet? "
                   f"Answer `True` or `False`.", {"sender": sender, "destination": destination},
                   partial(subnets.check_same_subnet, sender, destination))


@exercise("01.6", "next hop")
def _next_hop(rng: Random) -> Variant:
    net = load_topology("seed-neighborhoods")
    source, destination = rng.sample(sorted(net.hosts), 2)
    return Variant(f"In the seed network (`net`), {source} sends a packet to {destination}. "
                   f"Where does it send it first? Answer `\"direct\"` if it goes straight to "
                   f"{destination}, otherwise the IP address of the router it hands the "
                   f"packet to.", {"net": net, "source": source, "destination": destination},
                   partial(subnets.check_next_hop, net, source, destination))
