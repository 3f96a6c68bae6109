"""Notebook 03's exercises, one variant per student: next hops, routes, TTLs, paths, faults
and traceroutes.

Each maker draws a network and the names in it from the student's generator:
one of the series' topologies, or a chain of routers from
:func:`~kpath_nb.generate.random_network`, and hands the judging to
:mod:`kpath_nb.exercises.routing`, which works the answer out from the network.

Examples
--------
>>> from kpath_nb.coursework import question
>>> q = question("03.3", "s2412345", salt="fall-2026")
>>> q.ttl in (64, 128, 255), q.source in q.net.hosts
(True, True)
>>> q.check(...).status
'unanswered'
"""

from __future__ import annotations

from functools import partial
from ipaddress import IPv4Address, IPv4Network
from random import Random

from ..exercises import routing
from ..generate import random_network
from ..io import load_topology
from ..topology import Topology
from ..traceroute import traceroute
from ..tracer import trace
from .questions import Variant, exercise

__all__: list[str] = []

_SHORT_TTL = 8
"""TTL enough to cross any chain :func:`~kpath_nb.generate.random_network` builds."""

_STARTING_TTLS = (64, 128, 255)
"""What senders write in a new packet's TTL: Linux 64, Windows 128, many routers 255."""

# Addresses for r1 in the longest-prefix network to look up, one group per route that can
# win (its three overlapping routes, its connected LAN inside the /8, and none at all). A
# group's addresses are those of its network that no longer route covers; near misses
# (one bit away from a longer prefix) are drawn as often as the rest.
_LONGEST_PREFIX = (("10.1.2.0/24", ()), ("10.1.0.0/16", ("10.1.2.0/24",)),
                   ("10.0.0.0/8", ("10.1.0.0/16", "10.0.1.0/24")), ("10.0.1.0/24", ()),
                   ("192.168.0.0/16", ()))

# Pairs in the broken office, one group per way a ping can end there, so that each is as
# likely. A network as destination stands for an address in it that nobody holds. None of
# them is a pair the notebook works through.
_OFFICE = (
    (("pc2", "pc1"), ("pc3", "pc1"), ("pc3", "pc2"), ("srv1", "srv2"), ("srv2", "srv1")),
    (("srv1", "pc2"), ("pc2", "srv2"), ("pc1", "10.1.4.0/22"), ("srv1", "10.1.4.0/22"),
     ("pc3", "192.168.7.0/24")),
    (("srv1", "pc4"), ("pc1", "pc4"), ("pc2", "pc4"), ("pc4", "pc2"), ("pc4", "srv2")),
    (("srv1", "pc3"), ("pc3", "srv2"), ("pc3", "10.1.4.0/22"), ("pc3", "10.1.2.0/24")),
    (("srv2", "pc1"), ("srv2", "pc2"), ("srv2", "pc3"), ("srv2", "10.1.4.0/22")),
    (("pc1", "10.1.1.0/24"), ("pc2", "10.1.1.0/24"), ("srv1", "10.1.2.0/24")),
    (("srv1", "10.1.3.0/24"),),
)


# Traceroutes in the broken office, one group per way one can go: through to the end, into the
# loop, to a router with no route (!N), to an address nobody answers ARP for (!H), and into
# silence (srv2's answers never leave its LAN). A network stands for an address in it that
# nobody holds. None of them is a traceroute the notebook works through.
_OFFICE_TRACES = (
    (("pc1", "srv1"), ("srv1", "pc1"), ("pc3", "srv1"), ("srv1", "r1"), ("pc1", "r2")),
    (("srv1", "10.1.3.0/24"), ("r1", "10.1.3.0/24"), ("r2", "10.1.3.0/24"),
     ("pc3", "10.1.3.0/24")),
    (("pc1", "192.168.0.0/16"), ("r2", "10.64.0.0/10"), ("pc3", "172.16.0.0/12")),
    (("pc1", "10.1.2.0/24"), ("srv1", "10.1.1.0/24"), ("r1", "10.1.2.0/24"), ("srv2", "pc1")),
    (("pc1", "srv2"), ("r1", "srv2")),
)

_TRACEROUTE_TTL = 8
"""The traceroutes' ``-m``: room to cross any chain, and few lines for a loop."""


def _chain(rng: Random) -> Topology:
    """A random chain of routers, described without saying what is broken in it.

    Only plain chains: a drawing of one with a side router (``rs``) lays it over
    the chain's own links, which would mislead a learner reading paths off it.
    """
    net = random_network(rng.randrange(10 ** 6))
    while "rs" in net.routers:
        net = random_network(rng.randrange(10 ** 6))
    net.description = net.description.split(";")[0].split(". ")[0].rstrip(".") + "."
    return net


def _about(net: Topology, name: str) -> str:
    """How a question names its network ``name``: a known topology, or a random chain."""
    if net.name.startswith("random-"):
        return f"the network `{name}` ({net.description.rstrip('.')})"
    return f"the `{net.name}` network (`{name}`)"


def _unowned(rng: Random, net: Topology, network: str) -> str:
    """An address in ``network`` that no node holds, ending in neither .0 nor .255."""
    subnet = IPv4Network(network)
    while True:
        address = subnet.network_address + rng.randrange(subnet.num_addresses)
        if net.owner(address) is None and address.packed[3] not in (0, 255):
            return str(address)


def _pick(rng: Random, net: Topology, pairs: list[tuple[str, str]], works: bool
          ) -> tuple[str, str] | None:
    """One of two pairs of hosts from ``pairs`` whose ping works (or fails), or None.

    Two tries at most: when neither pair will do, the chain is most likely of the
    other kind, and drawing a new chain costs less than trying every pair.
    """
    rng.shuffle(pairs)
    for source, destination in pairs[:2]:
        # The request each way stands for the ping and its reply (routing alone decides
        # both), with a TTL that crosses any chain but ends a loop soon.
        ok = all(trace(net, a, b, reply=False, ttl=_SHORT_TTL).delivered
                 for a, b in ((source, destination), (destination, source)))
        if ok == works:
            return source, destination
    return None


def _working_chain(rng: Random, fewest: int = 1) -> tuple[Topology, str, str]:
    """A random chain of ``fewest`` routers or more, and two hosts across it whose ping works."""
    while True:  # some chains have no such pair: one router and a host without a route
        net = _chain(rng)
        if len(net.routers) < fewest:
            continue
        lan = {name: host.interfaces["eth0"].ip.network for name, host in net.hosts.items()}
        pair = _pick(rng, net, [(a, b) for a in sorted(lan) for b in sorted(lan)
                                if lan[a] != lan[b]], works=True)
        if pair is not None:
            return (net, *pair)


def _broken_chain(rng: Random) -> tuple[Topology, str, str]:
    """A random chain of routers that is broken, and a ping from one end to the other that fails.

    Only pings between the two end LANs count, so the one fault the network was
    built with is what stops them.
    """
    while True:  # a chain that works has no such pair
        net = _chain(rng)
        ends = [[name for name, host in net.hosts.items()
                 if host.primary_ip() in net.switches[switch].subnet]
                for switch in ("sw-left", "sw-right")]
        pair = _pick(rng, net, [pair for a in ends[0] for b in ends[1]
                                for pair in ((a, b), (b, a))], works=False)
        if pair is not None:
            return (net, *pair)


@exercise("03.1", "next hop")
def _next_hop(rng: Random) -> Variant:
    kind = rng.choice(("seed-neighborhoods", "router-chain", "longest-prefix", "random"))
    net = _chain(rng) if kind == "random" else load_topology(kind)
    router = rng.choice(sorted(net.routers))
    destination = rng.choice(sorted(net.hosts))
    return Variant(f"In {_about(net, 'q1.net')}, router **{router}** forwards a packet for "
                   f"**{destination}**. To which IP address does it send the frame? Answer "
                   f"with the address as a string, like `\"192.0.2.1\"`: a gateway's, or "
                   f"{destination}'s own if {router} reaches it directly; `\"no route\"` if "
                   f"none of {router}'s routes covers it.",
                   {"net": net, "router": router, "destination": destination},
                   partial(routing.check_next_hop, net, router, destination))


def _lookup_address(rng: Random, net: Topology) -> str:
    """An address, not r1's own, that one chosen route of r1 (or none) wins in ``net``."""
    network, longer = rng.choice(_LONGEST_PREFIX)
    subnet, inner = IPv4Network(network), [IPv4Network(n) for n in longer]
    while True:
        if inner and rng.random() < 0.5:  # a near miss: one bit off a longer prefix
            near = rng.choice(inner)
            bit = rng.randrange(32 - near.prefixlen, 32 - subnet.prefixlen)
            address = IPv4Address(int(near.network_address) ^ (1 << bit)) + rng.randrange(1, 255)
        else:
            address = subnet.network_address + rng.randrange(1, subnet.num_addresses - 1)
        if (address in subnet and not any(address in n for n in inner)
                and address.packed[3] not in (0, 255) and net.owner(address) is None):
            return str(address)


@exercise("03.2", "longest prefix")
def _route_choice(rng: Random) -> Variant:
    net = load_topology("longest-prefix")
    address = _lookup_address(rng, net)
    return Variant(f"Router **r1** in the `longest-prefix` network (`q2.net`, the `lp` above) "
                   f"gets a packet for `{address}`. Which of its routes wins? Answer with the "
                   f"route's prefix as a string, like `\"192.0.2.0/24\"`, or `\"no route\"` if "
                   f"none covers it.", {"net": net, "router": "r1", "destination": address},
                   partial(routing.check_route_choice, net, "r1", address))


@exercise("03.3", "TTL at arrival")
def _ttl(rng: Random) -> Variant:
    net, source, destination = _working_chain(rng)
    ttl = rng.choice(_STARTING_TTLS)
    return Variant(f"In {_about(net, 'q3.net')}, **{source}** pings **{destination}**. The "
                   f"ping leaves {source} with TTL {ttl}. What is its TTL when it reaches "
                   f"{destination}? Answer with a whole number.",
                   {"net": net, "source": source, "destination": destination, "ttl": ttl},
                   partial(routing.check_ttl_at_arrival, net, source, destination, ttl=ttl))


@exercise("03.4", "routers crossed")
def _routers(rng: Random) -> Variant:
    if rng.random() < 0.4:
        net = load_topology("longest-prefix")
        source, destination = rng.sample(sorted(net.hosts), 2)
    else:  # one router would make the path a single name
        net, source, destination = _working_chain(rng, fewest=2)
    return Variant(f"In {_about(net, 'q4.net')}, **{source}** sends a packet to "
                   f"**{destination}**. Which routers forward it, in order? Answer with a "
                   f"list of names, like `[\"ra\", \"rb\"]`.",
                   {"net": net, "source": source, "destination": destination},
                   partial(routing.check_routers_crossed, net, source, destination))


@exercise("03.5", "MAC on the wire")
def _mac(rng: Random) -> Variant:
    net = load_topology("seed-neighborhoods")
    source, destination = rng.sample(sorted(net.hosts), 2)
    sender = rng.choice([source, *trace(net, source, destination, reply=False).routers_crossed()])
    return Variant(f"In the seed network (`q5.net`, the `net` above), **{source}** sends a "
                   f"packet to **{destination}**. What is the *destination* MAC of the frame "
                   f"**{sender}** puts on the wire for it? Answer with six hex pairs as a "
                   f"string, like `\"02:00:00:00:00:01\"`.",
                   {"net": net, "source": source, "destination": destination, "sender": sender},
                   partial(routing.check_mac_on_segment, net, source, destination, sender))


def _office_pair(rng: Random, net: Topology) -> tuple[str, str]:
    """A pair from one of the broken office's groups, an address drawn for a network."""
    source, destination = rng.choice(rng.choice(_OFFICE))
    if "/" in destination:
        destination = _unowned(rng, net, destination)
    return source, destination


@exercise("03.6", "diagnosis")
def _diagnosis(rng: Random) -> Variant:
    if rng.random() < 0.35:
        net, source, destination = _broken_chain(rng)
        where = _about(net, "q6.net")
    else:
        net = load_topology("broken-office")
        source, destination = _office_pair(rng, net)
        where = "the broken office (`q6.net`, the `office` above)"
    words = ", ".join(f'`"{word}"`' for word in routing.DIAGNOSES)
    return Variant(f"In {where}, **{source}** pings **{destination}**. What goes wrong? Trace "
                   f"it and look at both legs. Answer with one of these words, as a string: "
                   f"{words}.", {"net": net, "source": source, "destination": destination},
                   partial(routing.check_diagnosis, net, source, destination))


def _office_trace(rng: Random, net: Topology) -> tuple[str, str]:
    """A traceroute of the broken office, an address drawn for a network."""
    source, destination = rng.choice(rng.choice(_OFFICE_TRACES))
    if "/" in destination:
        destination = _unowned(rng, net, destination)
    return source, destination


def _a_traceroute(rng: Random, name: str) -> tuple[Topology, str, str, str, int]:
    """A network, a traceroute in it that prints at least one line, how the question names
    the network, and how many lines the traceroute prints."""
    while True:  # a chain's host without any route prints no line at all
        if rng.random() < 0.5:
            net = load_topology("broken-office")
            source, destination = _office_trace(rng, net)
            where = f"the broken office (`{name}`, the `office` above)"
        else:
            net, source, destination = (_broken_chain if rng.random() < 0.5
                                        else _working_chain)(rng)
            where = _about(net, name)
        lines = len(traceroute(net, source, destination, max_ttl=_TRACEROUTE_TTL).hops)
        if lines:
            return net, source, destination, where, lines


@exercise("03.7", "traceroute line")
def _traceroute_line(rng: Random) -> Variant:
    net, source, destination, where, lines = _a_traceroute(rng, "q7.net")
    line = rng.randrange(2, lines + 1) if lines > 1 else 1  # line 1 is the gateway: too easy
    return Variant(f"In {where}, **{source}** runs `traceroute -n -m {_TRACEROUTE_TTL} "
                   f"{destination}`. Which address does it print on line **{line}**? Answer "
                   f"with the address as a string, like `\"192.0.2.1\"`, or `\"*\"` if no "
                   f"answer comes back for that line.",
                   {"net": net, "source": source, "destination": destination, "line": line,
                    "max_ttl": _TRACEROUTE_TTL},
                   partial(routing.check_traceroute_line, net, source, destination, line,
                           max_ttl=_TRACEROUTE_TTL))


@exercise("03.8", "how traceroute ends")
def _traceroute_end(rng: Random) -> Variant:
    net, source, destination, where, _ = _a_traceroute(rng, "q8.net")
    return Variant(f"In {where}, **{source}** runs `traceroute -n -m {_TRACEROUTE_TTL} "
                   f"{destination}`. How many lines does it print, and which marker ends the "
                   f"last one? Answer with a pair, like `(3, \"!H\")`: the marker `\"!N\"`, "
                   f"`\"!H\"`, or `\"none\"` when the last line has none.",
                   {"net": net, "source": source, "destination": destination,
                    "max_ttl": _TRACEROUTE_TTL},
                   partial(routing.check_traceroute_end, net, source, destination,
                           max_ttl=_TRACEROUTE_TTL))
