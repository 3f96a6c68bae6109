"""Checks for the exercises of notebook 03, routing between subnets.

Every check works the right answer out from the network it is given (the
routing tables, or a fresh trace), so no answer key is written down anywhere, and
returns a :class:`~kpath_nb.exercises.Feedback`. Answers are accepted in the
forms a learner would write them: an address as text or as an
:mod:`ipaddress` object, a route by its prefix or as ``ip route`` prints it, a
list of routers as a list or as ``"r1, r2"``. Nothing a learner types makes a
check raise; an answer it cannot read is simply not right.

Examples
--------
>>> import kpath_nb as kp
>>> from kpath_nb.exercises import routing
>>> net = kp.load_topology("seed-neighborhoods")
>>> bool(routing.check_next_hop(net, "house-14", "house-24", "10.0.10.11"))
True
"""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Network

from ..addr import parse_address, parse_network
from ..errors import KpathError
from ..packet import Ethernet, IPv4
from ..tables import Route
from ..topology import Switch, Topology
from ..trace import Hop, Trace
from ..traceroute import Traceroute, traceroute
from ..tracer import trace
from . import Feedback
from .answers import UNREADABLE, address, items, judge_read, mac, text, whole_number, word

__all__ = [
    "DIAGNOSES",
    "check_next_hop",
    "check_route_choice",
    "check_ttl_at_arrival",
    "check_routers_crossed",
    "check_mac_on_segment",
    "check_diagnosis",
    "check_traceroute_line",
    "check_traceroute_end",
]

DIAGNOSES = ("delivered", "no route", "interface down", "wrong mask", "wrong gateway",
             "arp unresolved", "ttl exceeded", "routing loop")
"""The words :func:`check_diagnosis` accepts, one per way a trace can end."""

_SYNONYMS = {
    "ok": "delivered", "works": "delivered", "nothing wrong": "delivered", "none": "delivered",
    "no route to host": "no route", "missing route": "no route", "no default route": "no route",
    "missing default route": "no route", "network unreachable": "no route",
    "down": "interface down", "link down": "interface down", "interface is down": "interface down",
    "wrong netmask": "wrong mask", "wrong subnet mask": "wrong mask", "bad mask": "wrong mask",
    "mask": "wrong mask",
    "bad gateway": "wrong gateway", "wrong default gateway": "wrong gateway",
    "arp": "arp unresolved", "arp failure": "arp unresolved", "arp failed": "arp unresolved",
    "no arp reply": "arp unresolved", "destination host unreachable": "arp unresolved",
    "ttl": "ttl exceeded", "time exceeded": "ttl exceeded", "ttl expired": "ttl exceeded",
    "loop": "routing loop",
}

_NO_ROUTE_WORDS = {"none": "no route", "nowhere": "no route", "drop": "no route",
                   "dropped": "no route", "no route to host": "no route"}


def _no_route_or(reader: Callable[[object], object], answer: object) -> object:
    """``"no route"`` for an answer saying the packet goes nowhere, else what ``reader`` reads."""
    said = word(answer, ("no route",), _NO_ROUTE_WORDS)
    return reader(answer) if said is UNREADABLE else said


def _prefix(answer: object) -> object:
    """An answer naming a route: its prefix, ``default``, a Route or an ``ip route`` line."""
    if isinstance(answer, Route):
        return answer.network
    if isinstance(answer, IPv4Network):
        return answer
    words = text(answer).lower().split()
    if not words:
        return UNREADABLE
    try:
        return parse_network("0.0.0.0/0" if words[0] == "default" else words[0])
    except KpathError:
        return UNREADABLE


def _destination(net: Topology, destination: str) -> IPv4Address:
    """A node's address, or any IPv4 address (even one nobody holds)."""
    text = str(destination).strip()
    if text in net.nodes:
        return net.resolve(text)[1]
    return parse_address(text)


# -- the checks ---------------------------------------------------------------


def check_next_hop(net: Topology, node: str, destination: str, answer: object) -> Feedback:
    """Check which IP address ``node`` sends a packet for ``destination`` to.

    The next hop is the gateway named by the route longest-prefix match picks,
    or the destination itself when that route is a connected one (no ``via``).

    Parameters
    ----------
    net : Topology
    node : str
        The sender (a host or router name).
    destination : str
        A node name or an IPv4 address.
    answer : object
        An address (``"10.0.10.11"``, an :class:`~ipaddress.IPv4Address`,
        ``"10.0.10.11/24"``), the name of the node that holds it, or
        ``"no route"`` when nothing in the table covers the destination.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("seed-neighborhoods")
    >>> check_next_hop(net, "house-14", "house-15", "10.0.10.15").status
    'correct'
    >>> check_next_hop(net, "house-14", "house-24", "10.0.20.24").status
    'incorrect'
    >>> check_next_hop(net, "house-14", "house-24", ...).status
    'unanswered'
    """
    sender = net.nodes[node]
    dst = _destination(net, destination)
    route = sender.routing_table().lookup(dst)
    exercise = f"next hop from {node} to {destination}"
    hint = (f"Does {node} have a connected route that covers the destination? If not, the "
            f"route it picks in {node}.routing_table() names a gateway after 'via'.")
    form = "an IPv4 address in quotes, like \"192.0.2.1\" (or \"no route\")"
    expected: object = "no route" if route is None else (route.via or dst)
    read = _no_route_or(address, answer)
    if read is UNREADABLE and isinstance(answer, str) and answer.strip() in net.nodes:
        owner = net.owner(expected) if route is not None else None
        read = expected if owner and owner[0] == answer.strip() else answer.strip()
    if route is None:
        praise = f"{node} has no route at all that covers {dst}, so it sends it nowhere."
    elif route.via is None:
        praise = (f"{dst} is inside {node}'s own subnet {route.network}, so {node} sends "
                  f"straight to it; no gateway is involved.")
    else:
        praise = (f"{dst} is not on any of {node}'s own subnets, so the route "
                  f"'{route}' wins and {node} hands the packet to {route.via}. "
                  f"The IP header still says {dst}; only the frame goes to the gateway.")
    return judge_read(exercise, answer, read, expected, praise, hint, form=form)


def check_route_choice(net: Topology, node: str, destination: str, answer: object) -> Feedback:
    """Check which route of ``node``'s table longest-prefix match picks for ``destination``.

    Parameters
    ----------
    net : Topology
    node : str
        A host or router.
    destination : str
        A node name or an IPv4 address.
    answer : object
        The route's prefix (``"10.1.0.0/16"``, ``"default"``), the whole line as
        ``ip route`` prints it, a :class:`~kpath_nb.tables.Route` or an
        :class:`~ipaddress.IPv4Network`.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("longest-prefix")
    >>> check_route_choice(net, "r1", "10.1.9.10", "10.1.0.0/16").status
    'correct'
    >>> check_route_choice(net, "r1", "10.1.9.10", "10.1.0.0/16 via 172.16.3.2 dev eth2").status
    'correct'
    >>> check_route_choice(net, "r1", "10.1.9.10", "10.0.0.0/8").status
    'incorrect'
    """
    table = net.nodes[node].routing_table()
    dst = _destination(net, destination)
    route = table.lookup(dst)
    expected = route.network if route is not None else "no route"
    read = _no_route_or(_prefix, answer)
    covering = len(table.candidates(dst))
    praise = ("No route covers it, so the packet cannot leave." if route is None else
              f"{covering} route{'s' if covering != 1 else ''} cover{'' if covering != 1 else 's'}"
              f" {dst}; '{route}' has the longest prefix (/{route.network.prefixlen}), so it wins.")
    hint = ("Write the destination in binary (kp.to_binary) and keep only the routes whose "
            "prefix bits all agree with it (routing_table().explain); of those, the one with "
            "the most prefix bits wins.")
    return judge_read(f"route {node} picks for {destination}", answer, read, expected, praise,
                      hint, form="the route's prefix in quotes, like \"192.0.2.0/24\" or "
                                 "\"default\"")


def check_ttl_at_arrival(net: Topology, src: str, dst: str, answer: object, *,
                         ttl: int = 64) -> Feedback:
    """Check the TTL in the IPv4 header when the packet from ``src`` reaches ``dst``.

    Parameters
    ----------
    net : Topology
    src, dst : str
        Endpoints, as :func:`~kpath_nb.trace` takes them.
    answer : object
        A whole number (``60``, ``"60"``), or ``"dropped"`` if the packet never arrives.
    ttl : int
        The TTL the sender starts with (Linux uses 64).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("router-chain")
    >>> check_ttl_at_arrival(net, "h1", "h2", 60).status
    'correct'
    >>> check_ttl_at_arrival(net, "h1", "h2", "64").status
    'incorrect'
    >>> check_ttl_at_arrival(net, "h1", "h2", "dropped", ttl=3).status
    'correct'
    """
    tr = trace(net, src, dst, reply=False, ttl=ttl)
    exercise = f"TTL when {src}'s packet reaches {dst}"
    hint = ("Start from the TTL the sender writes. Every router that forwards the packet "
            "takes one off (and discards it rather than send it on with TTL 0); switches "
            "leave it alone. Count the routers on the way.")
    read = word(answer, ("dropped",), {"drop": "dropped", "never": "dropped",
                                        "never arrives": "dropped", "it never arrives": "dropped",
                                        "ttl exceeded": "dropped"})
    read = whole_number(answer) if read is UNREADABLE else read
    if not tr.delivered:
        expected: object = "dropped"
        read = "dropped" if read == 0 else read
        praise = f"It never arrives: {tr.reason}."
    else:
        crossed = tr.routers_crossed()
        expected = tr.request_hops[-1].packet[IPv4].ttl
        if not crossed:
            praise = f"No router is on the way, so it arrives with the {ttl} it left with."
        else:
            took = (f"{len(crossed)} routers ({', '.join(crossed)}) each" if len(crossed) > 1
                    else f"One router ({crossed[0]})")
            praise = f"{took} took one off {ttl}: it arrives with {expected}."
    return judge_read(exercise, answer, read, expected, praise, hint,
                      form="a whole number, or \"dropped\" if it never arrives")


def check_routers_crossed(net: Topology, src: str, dst: str, answer: object, *,
                          direction: str = "request") -> Feedback:
    """Check the routers that forward the packet from ``src`` to ``dst``, in order.

    Parameters
    ----------
    net : Topology
    src, dst : str
        Endpoints, as :func:`~kpath_nb.trace` takes them.
    answer : object
        Router names in the order the packet meets them: a list, or text such as
        ``"r1, r3"`` or ``"r1 -> r3"``. An empty list means no router at all.
    direction : {"request", "reply"}
        Which leg: the request, or the answer on its way back.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("longest-prefix")
    >>> check_routers_crossed(net, "h1", "h3", ["r1", "r3"]).status
    'correct'
    >>> check_routers_crossed(net, "h1", "h3", "r1 -> r3").status
    'correct'
    >>> check_routers_crossed(net, "h1", "h3", ["r3", "r1"]).status
    'incorrect'
    """
    tr = trace(net, src, dst, reply=direction == "reply")
    expected = [name.lower() for name in tr.routers_crossed(direction)]
    exercise = f"routers from {src} to {dst}" + ("" if direction == "request" else " and back")
    what = "The packet" if direction == "request" else "The answer"
    path = ", then ".join(tr.routers_crossed(direction)) or "no router at all"
    ending = "" if tr.delivered else f" ({tr.reason})"
    praise = f"{what} crosses {path}{ending}."
    hint = ("Follow the routing tables one router at a time: which gateway does the sender "
            "use, and where does each router's winning route send the packet next? Order "
            "matters; list only routers, not switches.")
    return judge_read(exercise, answer, items(answer, ordered=True), expected, praise, hint,
                      form="a list of router names in order, like [\"ra\", \"rb\"] ([] for none)")


def _data_hop_from(tr: Trace, sender: str) -> Hop:
    """The first hop of the request where ``sender`` puts the IP packet on a wire."""
    for hop in tr.request_hops:
        if hop.node == sender and hop.action in ("send", "route") and hop.packet.get(IPv4):
            return hop
    senders = ", ".join(h.node for h in tr.request_hops if h.action in ("send", "route"))
    raise KpathError(f"{sender} never sends the request on in this trace; the nodes that do "
                     f"are {senders or 'none'}")


def check_mac_on_segment(net: Topology, src: str, dst: str, sender: str, answer: object
                         ) -> Feedback:
    """Check the destination MAC of the frame ``sender`` puts on the wire for ``src`` → ``dst``.

    Parameters
    ----------
    net : Topology
    src, dst : str
        Endpoints of the request, as :func:`~kpath_nb.trace` takes them.
    sender : str
        A node on the way (the source or a router) that sends the request on.
    answer : object
        A MAC address as text (``:`` or ``-`` between pairs, any case) or a
        :class:`~kpath_nb.addr.MacAddress`.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("seed-neighborhoods")
    >>> door_201 = net.nodes["gatekeeper-21"].interfaces["eth1"].mac
    >>> check_mac_on_segment(net, "house-14", "house-24", "gatekeeper-11", door_201).status
    'correct'
    >>> broadcast = "ff:ff:ff:ff:ff:ff"
    >>> check_mac_on_segment(net, "house-14", "house-24", "gatekeeper-11", broadcast).status
    'incorrect'
    """
    tr = trace(net, src, dst, reply=False)
    hop = _data_hop_from(tr, sender)
    expected = hop.packet[Ethernet].dst
    owner = next(((n, i.name) for n, node in net.nodes.items()
                  for i in node.interfaces.values() if i.mac == expected), None)
    door = f"{owner[0]} {owner[1]}" if owner else "the next door"
    praise = (f"{sender} sends the frame to {door} ({expected}), the next door on this "
              f"segment; the IP header still names {hop.packet[IPv4].dst}.")
    hint = (f"A frame only crosses one segment. Which door on {sender}'s {hop.out_iface} "
            f"segment does the packet go to next, and what serial number (MAC) is on it? "
            f"The door of the final destination is only right on the last segment.")
    return judge_read(f"destination MAC of the frame {sender} sends", answer, mac(answer),
                      expected, praise, hint,
                      form="six hex pairs in quotes, like \"02:00:00:00:00:01\"")


def _diagnose(net: Topology, tr: Trace) -> str:
    """One word from :data:`DIAGNOSES` for how ``tr`` ended: its cause, looked at more closely.

    Raises
    ------
    KpathError
        When the trace ends in a way none of the words describes.
    """
    if tr.delivered:
        return "delivered"
    drop = (tr.reply_hops or tr.request_hops)[-1]   # the ICMP error's leg comes after it
    node = net.nodes[drop.node]
    ip = drop.packet[IPv4]
    if tr.cause == "no-route":
        down = any(not i.up for i in node.interfaces.values())
        return "interface down" if down else "no route"
    if tr.cause == "arp-unresolved":
        route = node.routing_table().lookup(ip.dst)
        target = route.via or ip.dst
        owner = net.owner(target)
        if owner and not net.nodes[owner[0]].interfaces[owner[1]].up:
            return "interface down"
        if target != ip.dst:
            return "wrong gateway"
        switch = net.segment_switch(drop.node, route.dev)
        if owner and owner not in net.segment_of(drop.node, route.dev):
            return "wrong mask"
        if isinstance(switch, Switch) and switch.subnet and target not in switch.subnet:
            return "wrong mask"
        return "arp unresolved"
    if tr.cause == "ttl-exceeded":
        crossed = tr.routers_crossed(drop.direction)
        return "routing loop" if len(set(crossed)) < len(crossed) else "ttl exceeded"
    raise KpathError(f"the trace from {tr.src} to {tr.dst} ends in a way check_diagnosis has "
                     f"no word for ({tr.reason}); pick a pair whose trace ends in one of: "
                     f"{', '.join(DIAGNOSES)}")


def check_diagnosis(net: Topology, src: str, dst: str, answer: object, *,
                    ttl: int = 64) -> Feedback:
    """Check what went wrong between ``src`` and ``dst``, in one of the words of :data:`DIAGNOSES`.

    The expected word comes from why the trace ended (its ``cause``), looked at
    more closely: no route (``"no route"``, or ``"interface down"`` when a down
    interface took its connected route with it), an ARP request nobody
    answered (``"wrong gateway"`` when it asked for a gateway, ``"wrong mask"`` when the sender
    took a host on another segment for a neighbour, ``"interface down"`` when
    the address belongs to a door that is down, else ``"arp unresolved"``), or
    a TTL run out (``"routing loop"`` when routers repeat, else ``"ttl exceeded"``).
    A trace that arrived (and came back) is ``"delivered"``.

    Parameters
    ----------
    net : Topology
    src, dst : str
        Endpoints, as :func:`~kpath_nb.trace` takes them (the reply is traced too).
    answer : str
        One of :data:`DIAGNOSES` (a few synonyms such as ``"loop"`` or ``"no
        route to host"`` are accepted; case, ``-`` and ``_`` do not matter).
    ttl : int
        The TTL the sender starts with (Linux uses 64).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("broken-office")
    >>> check_diagnosis(net, "pc2", "srv1", "no route").status
    'correct'
    >>> check_diagnosis(net, "pc1", "10.1.3.7", "Routing loop").status
    'correct'
    >>> check_diagnosis(net, "pc1", "srv1", "wrong mask").status
    'incorrect'
    """
    tr = trace(net, src, dst, ttl=ttl)
    expected = _diagnose(net, tr)
    read = word(answer, DIAGNOSES, _SYNONYMS)
    end = (tr.reply_hops or tr.request_hops)[-1].node
    where = "" if tr.delivered else f" The trace ends at {end}: {tr.reason}."
    praise = f"Yes: {expected}.{where}"
    hint = ("Trace it and read where it ends and why (the reason, the last hop's note), on "
            "both legs. Then ask what is misconfigured: a missing route, a mask, an interface, "
            "a gateway, or routes that point at each other? Answer with one of: "
            + ", ".join(DIAGNOSES) + ".")
    return judge_read(f"what goes wrong from {src} to {dst}", answer, read, expected, praise,
                      hint, form="one of the words listed in the hint")


# -- traceroute ---------------------------------------------------------------

_STAR_WORDS = {"*", "* * *", "star", "stars", "no answer", "nothing", "none", "timeout"}

_MARKERS = ("!N", "!H", "none")
_MARKER_WORDS = {
    "!n": "!N", "n": "!N", "net unreachable": "!N", "network unreachable": "!N",
    "!h": "!H", "h": "!H", "host unreachable": "!H",
    "none": "none", "no marker": "none", "nothing": "none", "": "none"}


def _line_address(answer: object) -> object:
    """An answer naming who answers a traceroute line: an address, or ``"*"`` for nobody."""
    if isinstance(answer, str) and " ".join(answer.lower().split()) in _STAR_WORDS:
        return "*"
    read = address(answer)
    return read if read is UNREADABLE else str(read)


def _marker(answer: object) -> object:
    """``"!N"``, ``"!H"`` or ``"none"`` from a marker or its meaning (None for no marker)."""
    if answer is None:
        return "none"
    if not isinstance(answer, str):
        return UNREADABLE
    said = " ".join(answer.strip().lower().split())
    return _MARKER_WORDS.get(said, UNREADABLE)


def _lines_and_marker(answer: object) -> object:
    """``(lines, marker)`` from a pair, or from text such as ``"3 !H"`` or ``"8, none"``."""
    if isinstance(answer, str):
        count, _, rest = answer.replace(",", " ").strip().partition(" ")
        answer = (count, rest)
    if not isinstance(answer, (list, tuple)) or len(answer) != 2:
        return UNREADABLE
    lines, marker = whole_number(answer[0]), _marker(answer[1])
    return UNREADABLE if UNREADABLE in (lines, marker) else (lines, marker)


def _line(run: Traceroute, line: int) -> str:
    """Who answers line ``line`` of ``run``: the address, or ``"*"``."""
    hops = run.hops
    if not 1 <= line <= len(hops):
        raise KpathError(f"this traceroute prints {len(hops)} lines; there is no line {line}")
    answered = [p.address for p in hops[line - 1] if p.address is not None]
    return answered[0] if answered else "*"


def check_traceroute_line(net: Topology, src: str, dst: str, line: int, answer: object, *,
                          max_ttl: int = 30) -> Feedback:
    """Check who answers line ``line`` of ``traceroute -n`` from ``src`` to ``dst``.

    The probe sent with TTL ``line`` is answered by the node where that TTL runs out (time
    exceeded), or where it meets a missing route or an unanswered ARP (``!N``, ``!H``),
    or by the destination itself; the answer's source address is that of the interface
    the answer leaves by towards ``src``. When no answer comes back, traceroute prints
    ``*``.

    Parameters
    ----------
    net : Topology
    src, dst : str
        As :func:`~kpath_nb.traceroute` takes them.
    line : int
        The line (the TTL), from 1.
    answer : object
        An address (text or :class:`~ipaddress.IPv4Address`), or ``"*"`` for no answer.
    max_ttl : int
        traceroute's ``-m``.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> office = kp.load_topology("broken-office")
    >>> check_traceroute_line(office, "srv1", "10.1.3.9", 3, "10.1.2.1").status
    'correct'
    >>> check_traceroute_line(office, "srv1", "10.1.3.9", 3, "10.0.12.2").status
    'incorrect'
    """
    run = traceroute(net, src, dst, max_ttl=max_ttl)
    expected = _line(run, line)
    probe = run.hops[line - 1][0]
    if expected == "*":
        error = probe.trace.icmp_error
        why = (f": {error.lost}" if error is not None and error.lost else
               f": {probe.trace.reason}")
        praise = f"Nothing comes back for TTL {line}, so traceroute prints * * *{why}."
    else:
        praise = (f"The probe with TTL {line} ends at {probe.node}, which answers "
                  f"{probe.answer} from {expected}, the address of the interface its answer "
                  f"leaves by towards {src}.")
    hint = (f"Follow the routing tables from {src}: the probe with TTL {line} is answered "
            f"where its TTL runs out (the router it reaches with TTL 1), where a route or an "
            f"ARP answer is missing, or by the destination. A router answers from the "
            f"address of the interface its answer leaves by towards {src}, which need not be "
            f"the one the probe came in by. Nothing back means *.")
    return judge_read(f"line {line} of traceroute from {src} to {dst}", answer,
                      _line_address(answer), expected, praise, hint,
                      form="an address in quotes, like \"192.0.2.1\", or \"*\"")


def check_traceroute_end(net: Topology, src: str, dst: str, answer: object, *,
                         max_ttl: int = 30) -> Feedback:
    """Check how many lines ``traceroute -n -m max_ttl`` prints and the marker on the last.

    traceroute stops after the line on which the destination answered or a ``!N`` (net
    unreachable) or ``!H`` (host unreachable) came back; else it prints every line up to
    ``max_ttl`` (a loop, or answers that never come back).

    Parameters
    ----------
    net : Topology
    src, dst : str
        As :func:`~kpath_nb.traceroute` takes them.
    answer : object
        The number of lines and the marker on the last one: ``(3, "!H")``, ``"2 !N"``,
        ``(8, "none")`` (``None`` and ``"none"`` for no marker).
    max_ttl : int
        traceroute's ``-m``.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> office = kp.load_topology("broken-office")
    >>> check_traceroute_end(office, "srv1", "10.9.9.9", (2, "!N")).status
    'correct'
    >>> check_traceroute_end(office, "srv1", "10.9.9.9", "2 !H").status
    'incorrect'
    """
    run = traceroute(net, src, dst, max_ttl=max_ttl)
    last = run.hops[-1]
    marker = next((p.marker for p in last if p.marker), "none")
    expected = (len(run.hops), marker)
    if marker != "none":
        praise = (f"Line {len(run.hops)} ends in {marker}: {last[0].node} answers "
                  f"{last[0].answer}, and traceroute stops there.")
    elif run.reached:
        praise = f"{dst} answers on line {len(run.hops)}, and traceroute stops there."
    else:
        praise = (f"Nothing ends it early: no marker, no answer from {dst}, so traceroute "
                  f"prints all {max_ttl} lines.")
    hint = ("Walk the probes forward one TTL at a time. traceroute stops after the line where "
            "the destination answers, or where a router answers net unreachable (!N: no "
            "route) or host unreachable (!H: nobody answered its ARP); a loop, or answers "
            f"that never come back, go on to line {max_ttl}.")
    return judge_read(f"how traceroute from {src} to {dst} ends", answer,
                      _lines_and_marker(answer), expected, praise, hint,
                      form="the number of lines and the marker, like (3, \"!H\") or "
                           "(8, \"none\")")
