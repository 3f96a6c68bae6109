"""Notebook 02's exercises, one variant per student: ARP, and a switch's flooding and learning.

Every variant is a ping in the seed network with empty tables; the student's
generator picks which houses talk (in one neighbourhood or across two), which
fountain or device the question is about, and, for the second ping, in which
order. The judging is :mod:`kpath_nb.exercises.switching`'s, which works the
answer out from the trace.

Examples
--------
>>> from kpath_nb.coursework import question
>>> q = question("02.4", "s2412345", salt="fall-2026")
>>> q.first[0] in q.net.hosts and q.source in q.net.hosts
True
>>> q.check("maybe").status
'incorrect'
"""

from __future__ import annotations

from functools import partial
from random import Random

from ..exercises import switching
from ..io import load_topology
from ..topology import Topology
from ..tracer import trace
from .questions import Variant, exercise

__all__: list[str] = []

_TOWN = "the seed network (`net`), with every ARP and forwarding table empty"


def _ping(rng: Random, across: float) -> tuple[Topology, str, str]:
    """The seed network and two houses of it: in two neighbourhoods with chance ``across``."""
    net = load_topology("seed-neighborhoods")
    source = rng.choice(sorted(net.hosts))
    here = net.segment_switch(source, "eth0")
    far = rng.random() < across
    destination = rng.choice([house for house in sorted(net.hosts) if house != source
                              and (net.segment_switch(house, "eth0") is not here) == far])
    return net, source, destination


@exercise("02.1", "ARP target")
def _arp_target(rng: Random) -> Variant:
    net, source, destination = _ping(rng, across=0.5)
    return Variant(f"In {_TOWN}, {source} pings {destination}. Before the ping can leave, "
                   f"{source} sends an ARP request: *who-has* which IPv4 address? Answer with "
                   f"the address as a string, like `\"10.0.10.99\"`.",
                   {"net": net, "source": source, "destination": destination},
                   partial(switching.check_arp_target, trace(net, source, destination)))


@exercise("02.2", "flooded ports")
def _flooded_ports(rng: Random) -> Variant:
    net, source, destination = _ping(rng, across=0.6)
    tr = trace(net, source, destination)
    fountain = rng.choice(sorted({hop.node for hop in tr.hops if hop.action == "flood"}))
    return Variant(f"In {_TOWN}, {source} pings {destination}. Out of which ports does "
                   f"`{fountain}` flood the first frame it floods? Answer with a list of port "
                   f"names, like `[\"eth7\", \"eth9\"]`, or of the devices behind them.",
                   {"net": net, "source": source, "destination": destination,
                    "fountain": fountain},
                   partial(switching.check_flood_ports, net, tr, switch=fountain))


@exercise("02.3", "what a device learned")
def _learned(rng: Random) -> Variant:
    net, source, destination = _ping(rng, across=0.5)
    # The fountains twice as often as the others: they learn the most.
    node = rng.choice(sorted(net.switches) * 2 + sorted(set(net.nodes) - set(net.switches)))
    return Variant(f"In {_TOWN}, {source} pings {destination}, and the echo reply comes back. "
                   f"Which MAC addresses did `{node}` learn on the way, there and back? Answer "
                   f"with a list of strings, like `[\"02:00:0a:00:0a:0e\"]`, or `[]` if it "
                   f"learned nothing.",
                   {"net": net, "source": source, "destination": destination, "node": node},
                   partial(switching.check_learned, trace(net, source, destination), node))


@exercise("02.4", "ARP needed?")
def _arp_needed(rng: Random) -> Variant:
    net = load_topology("seed-neighborhoods")
    houses = sorted(net.hosts)
    first = tuple(rng.sample(houses, 2))
    # The second ping starts from one end of the first, or from a house that stood by.
    source = rng.choice([*first, rng.choice([h for h in houses if h not in first])])
    destination = rng.choice([h for h in houses if h != source])
    return Variant(f"In {_TOWN}, {first[0]} pings {first[1]}, and the network keeps what it "
                   f"learns. Then {source} pings {destination}. Must {source} send an ARP "
                   f"request first? Answer `True` or `False`.",
                   {"net": net, "first": first, "source": source, "destination": destination},
                   partial(switching.check_arp_needed, net, source, destination, after=first))


@exercise("02.5", "destination MAC")
def _frame_dst_mac(rng: Random) -> Variant:
    net, source, destination = _ping(rng, across=0.6)
    return Variant(f"In {_TOWN}, {source} pings {destination}. What is the destination MAC "
                   f"of the first frame that carries the ping itself (not ARP)? Answer with "
                   f"the MAC as a string.",
                   {"net": net, "source": source, "destination": destination},
                   partial(switching.check_frame_dst_mac, trace(net, source, destination)))
