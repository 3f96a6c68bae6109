"""Notebook 00's exercises, one variant per student: a host's subnet, and the routers on the way.

Each variant is a small network of the student's own, drawn by
:func:`~kpath_nb.generate.random_network`: a chain of one to four routers with
a LAN at each end. Notebook 00 comes before any chapter of checks, so its two
checks live here; like every check they work the answer out from the network
(the host's interface, a trace), so it is written nowhere.

Examples
--------
>>> from kpath_nb.coursework import question
>>> q = question("00.1", "s2412345", salt="fall-2026")
>>> q.check(str(q.net.nodes[q.host].interfaces["eth0"].ip.network)).status
'correct'
>>> q = question("00.2", "s2412345", salt="fall-2026")
>>> from kpath_nb.tracer import trace
>>> trace(q.net, q.source, q.destination).delivered
True
"""

from __future__ import annotations

from functools import partial
from ipaddress import IPv4Network
from random import Random

from ..exercises import Feedback
from ..exercises.answers import address_and_prefix, judge_read, whole_number
from ..generate import random_network
from ..topology import Topology
from ..tracer import trace
from .questions import Variant, exercise

__all__: list[str] = []

_SUBNET_FORM = 'an address and a prefix length in quotes, like "10.0.0.0/24"'


def _subnet_of(net: Topology, host: str) -> IPv4Network:
    """The subnet of ``host``'s one door."""
    return net.nodes[host].interfaces["eth0"].ip.network


def _chain(rng: Random) -> Topology:
    """A random chain of routers with a LAN at each end and nothing on the side.

    :func:`~kpath_nb.generate.random_network` hangs a side router ``rs`` on
    some networks; notebook 00 is no place for it, so those are drawn again.
    Some networks are broken on purpose (the description says how): a question
    that traces a ping picks one that arrives.
    """
    while True:
        net = random_network(rng.randrange(10 ** 6))
        if "rs" not in net.routers:
            return net


def _check_subnet(net: Topology, host: str, answer: object) -> Feedback:
    """Which subnet is ``host`` in? The network address with its prefix length."""
    iface = net.nodes[host].interfaces["eth0"].ip
    subnet = iface.network
    read = address_and_prefix(answer)
    hint = (f"Find {host} in the drawing: the shaded neighbourhood around it is labelled with "
            f"its subnet. Or take its address, {iface}, and keep the part the "
            f"/{subnet.prefixlen} names, with the rest set to 0.")
    if read == (iface.ip, subnet.prefixlen):
        hint = (f"That is {host}'s own address. The subnet is the whole neighbourhood: its "
                f"address has every host bit set to 0.")
    elif isinstance(read, tuple) and read[1] is None:
        hint = "Add the prefix length after a slash, as in \"10.0.0.0/24\". " + hint
    return judge_read("a host's subnet", answer, read, (subnet.network_address, subnet.prefixlen),
                      f"Right: {host} is {iface}, so its neighbourhood is {subnet}; every "
                      f"address from {subnet.network_address} to {subnet.broadcast_address} "
                      f"is in it.", hint, form=_SUBNET_FORM)


def _check_routers_crossed(net: Topology, source: str, destination: str,
                           answer: object) -> Feedback:
    """How many routers does a ping from ``source`` to ``destination`` cross on its way?"""
    crossed = trace(net, source, destination).routers_crossed()
    hint = ("Follow the cables from one host to the other in the drawing and count the "
            "diamonds on the way: only routers count, not the switches (circles) nor the two "
            "hosts. Two hosts on one LAN need no router at all.")
    praise = (f"Right: {source} and {destination} share a LAN, so its switch carries the ping "
              f"and no router touches it." if not crossed else
              f"Right: the ping crosses {', then '.join(crossed)}.")
    return judge_read("routers on the way", answer, whole_number(answer), len(crossed), praise,
                      hint, form="a whole number, like 3")


@exercise("00.1", "a host's subnet")
def _subnet(rng: Random) -> Variant:
    net = _chain(rng)
    host = rng.choice(sorted(net.hosts))
    return Variant(f"In your network, `{net.name}` (`net`, drawn below), which subnet "
                   f"(neighbourhood) is host `{host}` in? Answer with its address and prefix "
                   f"length in quotes, like `\"10.0.0.0/24\"` (with your numbers).",
                   {"net": net, "host": host}, partial(_check_subnet, net, host))


def _ping(rng: Random) -> tuple[Topology, str, str]:
    """A chain and two of its hosts that reach each other: now and then on one LAN."""
    while True:
        net = _chain(rng)
        lans: dict[IPv4Network, list[str]] = {}
        for host in sorted(net.hosts):
            lans.setdefault(_subnet_of(net, host), []).append(host)
        crowded = [hosts for hosts in lans.values() if len(hosts) > 1]
        if crowded and rng.random() < 0.25:
            source, destination = rng.sample(rng.choice(crowded), 2)
        else:  # one at each end of the chain, either way round
            source, destination = rng.sample([rng.choice(hosts) for hosts in lans.values()], 2)
        if trace(net, source, destination).delivered:
            return net, source, destination


@exercise("00.2", "routers on the way")
def _routers_on_the_way(rng: Random) -> Variant:
    net, source, destination = _ping(rng)
    address = {host: net.nodes[host].interfaces["eth0"].ip.ip for host in (source, destination)}
    return Variant(f"In your network, `{net.name}` (`net`, drawn below), host `{source}` "
                   f"({address[source]}) pings host `{destination}` ({address[destination]}). "
                   f"**Predict** how many routers the ping crosses on its way to "
                   f"`{destination}`, as a whole number, from the drawing alone; then check, and "
                   f"run the trace below the check to see.",
                   {"net": net, "source": source, "destination": destination},
                   partial(_check_routers_crossed, net, source, destination))
