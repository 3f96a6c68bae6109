"""Checks for notebook 02: MAC addresses, the switch and ARP.

Every check recomputes the right answer from the model (a trace, or a
network it traces itself), so no answer is written down anywhere. Answers are
read generously: MAC addresses in any case, with ``:`` or ``-``; IPv4
addresses as text or :class:`ipaddress.IPv4Address`; several items as a list,
set, tuple or one comma-separated string, in any order; yes/no as a bool or
a word. An answer still left as ``...`` is "not answered yet"; an answer that
cannot be read is "not quite", with a word on the expected form.

Examples
--------
>>> import kpath_nb as kp
>>> from kpath_nb.exercises import switching
>>> net = kp.load_topology("seed-neighborhoods")
>>> tr = kp.trace(net, "house-14", "house-15")
>>> switching.check_arp_target(tr, ...).status
'unanswered'
>>> switching.check_arp_target(tr, "10.0.10.15").status
'correct'
"""

from __future__ import annotations

from ..addr import MacAddress
from ..errors import KpathError
from ..packet import ARP, Ethernet, IPv4
from ..topology import Switch, Topology
from ..trace import Trace
from ..tracer import trace
from . import Feedback, judge, unanswered
from .answers import UNREADABLE, address, items, mac, says_nothing, yes_no

__all__ = [
    "check_arp_target",
    "check_flood_ports",
    "check_learned",
    "check_arp_needed",
    "check_frame_dst_mac",
]

_MAC_FORM = "Write a MAC address as six hex pairs, like 02:00:0a:00:0a:0e."


def _first_request(tr: Trace, sender: str | None = None) -> ARP | None:
    """The first ARP request of ``tr``, or the first one ``sender`` sends."""
    for hop in tr.hops:
        if sender is not None and hop.node != sender:
            continue
        arp = hop.packet.get(ARP)
        if arp is not None and arp.op == ARP.REQUEST:
            return arp
    return None


def check_arp_target(tr: Trace, answer: object) -> Feedback:
    """Which IPv4 address does the first ARP request of ``tr`` ask about?

    Parameters
    ----------
    tr : Trace
        The trace the learner is reading.
    answer : str or IPv4Address
        The address, e.g. ``"10.0.10.99"``; ``"none"`` if the trace sends no
        ARP request at all.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> tr = kp.trace(kp.load_topology("seed-neighborhoods"), "house-14", "house-24")
    >>> check_arp_target(tr, "10.0.10.11").status
    'correct'
    >>> print(check_arp_target(tr, "10.0.20.24"))
    ❌ 02.1 ARP target: not quite. ...
    """
    name = "02.1 ARP target"
    request = _first_request(tr)
    hint = ("ARP asks for the address of the next door the frame must reach, on the sender's "
            "own segment. Find the first hop whose packet has an ARP header and read the "
            "address after who-has.")
    if unanswered(answer):
        return judge(name, answer, None, "", hint)
    if request is None:
        return judge(name, "none" if says_nothing(answer) else UNREADABLE, "none",
                     "Right: every MAC this trace needs is already in the ARP tables, so no "
                     "request is sent.",
                     "Look at the actions of the hops: is there an 'arp' hop at all?")
    given = address(answer)
    if given is UNREADABLE:
        hint = "Give one IPv4 address, written like 10.0.10.99. " + hint
    target = request.target_ip
    final = next((h.packet[IPv4].dst for h in tr.hops if h.packet.get(IPv4) is not None), None)
    if given == final and final != target:
        hint = ("That is where the packet is going in the end, but ARP only reaches doors on "
                "the sender's own segment. Which door there does the packet go to first?")
    return judge(name, given, target,
                 f"Right: the sender broadcasts who-has {target} tell {request.sender_ip}; "
                 f"only a door holding {target} may answer.", hint)


def check_flood_ports(net: Topology, tr: Trace, answer: object, *,
                      switch: str | None = None) -> Feedback:
    """Out of which ports did a switch flood the first frame it could not send to one port?

    Parameters
    ----------
    net : Topology
        The network of the trace, to turn neighbour names into ports.
    tr : Trace
        The trace the learner is reading.
    answer : list, set or str
        The ports, e.g. ``["eth1", "eth3"]`` or ``"eth1, eth3"``; the names of
        the nodes behind the ports (``["house-12", ...]``) are accepted too.
        ``[]`` if no switch flooded anything.
    switch : str, optional
        Which switch to ask about; by default the first one that floods.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("seed-neighborhoods")
    >>> tr = kp.trace(net, "house-22", "house-24")
    >>> check_flood_ports(net, tr, ["eth1", "eth4"]).status
    'correct'
    >>> check_flood_ports(net, tr, "house-24, gatekeeper-21").status
    'correct'
    >>> check_flood_ports(net, tr, ["eth1", "eth2", "eth4"]).status
    'incorrect'
    """
    name = "02.2 flooded ports"
    if switch is not None and not isinstance(net.nodes.get(switch), Switch):
        raise KpathError(f"{switch!r} is not a switch: the switches are {', '.join(net.switches)}")
    flood = next((h for h in tr.hops if h.action == "flood"
                  and (switch is None or h.node == switch)), None)
    hint = ("A switch floods a frame out of every port that is up and has a cable plugged in, "
            "except one. Which one, and why?")
    if unanswered(answer):
        return judge(name, answer, None, "", hint)
    ports = items(answer)
    if flood is None:
        return judge(name, ports if ports == [] else UNREADABLE, [],
                     "Right: no switch had to flood in this trace; every frame went out of "
                     "exactly one port.",
                     "Look at the actions of the hops: is there a 'flood' hop at all?")
    sw = flood.node
    if ports is UNREADABLE:
        return judge(name, UNREADABLE, True, "",
                     "Give the ports as a list of names, like ['eth7', 'eth8']. " + hint)
    behind = {far[0]: port for port in net.nodes[sw].interfaces
              if (far := net.peer(sw, port)) is not None}
    given = {behind.get(port, port) for port in ports}
    expected = set(flood.flooded)
    if flood.in_iface in given:
        hint = ("A switch never sends a frame back out of the port it arrived on: the sender "
                "is already there.")
    elif given < expected:
        hint = "Not all of them: a flooded frame must reach every other door on the segment."
    return judge(name, given, expected,
                 f"Right: {sw} floods out of every working, cabled port except {flood.in_iface}, "
                 f"where the frame came in.", hint)


def check_learned(tr: Trace, node: str, answer: object) -> Feedback:
    """Which MAC address(es) did ``node`` learn during the trace?

    Hosts and routers learn into their ARP table, switches into their
    forwarding table; either way the answer is the MAC addresses.

    Parameters
    ----------
    tr : Trace
        The trace the learner is reading.
    node : str
        The device asked about.
    answer : str, list or set
        One MAC, several MACs, or ``[]`` / ``"nothing"`` if it learned nothing.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("seed-neighborhoods")
    >>> tr = kp.trace(net, "house-14", "house-15")
    >>> mac = str(net.nodes["house-14"].interfaces["eth0"].mac)
    >>> check_learned(tr, "house-15", mac.upper().replace(":", "-")).status
    'correct'
    >>> check_learned(tr, "house-12", []).status
    'correct'
    >>> check_learned(tr, "house-12", "house-14").status
    'incorrect'
    """
    name = f"02.3 what {node} learned"
    expected = {MacAddress.parse(e.key if e.table == "fdb" else e.value.split()[0])
                for e in tr.learned if e.node == node}
    hint = ("A device learns from frames it receives: a switch notes the source MAC of every "
            "frame, a host notes the sender fields of an ARP packet addressed to it or "
            "answering it. Check the learned column of the hop table.")
    if unanswered(answer):
        return judge(name, answer, None, "", hint)
    macs = items(answer)
    macs = macs if macs is UNREADABLE else [mac(item) for item in macs]
    given = UNREADABLE if macs is UNREADABLE or UNREADABLE in macs else set(macs)
    if given is UNREADABLE:
        hint = _MAC_FORM + " Several go in a list; nothing is []. " + hint
    elif given and given < expected:
        hint = "Part of it: this device learned more than that. " + hint
    praise = (f"Right: {node} learned nothing. It saw no frame it could learn from, or it "
              f"knew everything already." if not expected else
              f"Right: {node} learned {', '.join(sorted(map(str, expected)))}.")
    return judge(name, given, expected, praise, hint)


def check_arp_needed(net: Topology, src: str, dst: str, answer: object, *,
                     after: tuple[str, str] | None = None) -> Feedback:
    """Must ``src`` send an ARP request before its ping to ``dst`` can leave?

    Only the sender's own request counts, not one a router asks on a later
    segment. The network is not changed: the check works on a copy, with the
    tables as they are in ``net`` now.

    Parameters
    ----------
    net : Topology
        The network, with whatever its ARP and forwarding tables hold now.
    src, dst : str
        The ping asked about.
    answer : bool or str
        True / False, or ``"yes"`` / ``"no"``.
    after : tuple of (str, str), optional
        A ping ``(source, destination)`` that happens first, with learning on.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("seed-neighborhoods")
    >>> check_arp_needed(net, "house-14", "house-15", True).status
    'correct'
    >>> check_arp_needed(net, "house-14", "house-15", "no",
    ...                  after=("house-14", "house-15")).status
    'correct'
    >>> check_arp_needed(net, "house-22", "house-14", False,   # gatekeeper-11 asks, not house-22
    ...                  after=("house-15", "house-22")).status
    'correct'
    >>> len(net.nodes["house-14"].arp)   # the check changed nothing
    0
    """
    name = f"02.4 ARP for {src} → {dst}"
    hint = ("Ask what the sender's ARP table holds for its next hop at that moment, and "
            "remember that both ends of an ARP exchange learn something.")
    if unanswered(answer):
        return judge(name, answer, None, "", hint)
    scratch = net.copy()
    if after is not None:
        trace(scratch, after[0], after[1], learn=True)
    expected = _first_request(trace(scratch, src, dst), sender=src) is not None
    first = ("" if after is None
             else f" after the ping from {after[0]} to {after[1]}")
    praise = (f"Right: {src} has no entry for the next hop{first}, so it must broadcast "
              f"who-has first." if expected else
              f"Right: {src} already holds the MAC of its next hop{first}, so the frame goes "
              f"straight out: no broadcast, no flooding.")
    given = yes_no(answer)
    if given is UNREADABLE:
        hint = "Answer True or False. " + hint
    return judge(name, given, expected, praise, hint)


def check_frame_dst_mac(tr: Trace, answer: object) -> Feedback:
    """What is the destination MAC of the first frame that carries the IPv4 packet?

    Parameters
    ----------
    tr : Trace
        The trace the learner is reading.
    answer : str or MacAddress
        A MAC address, in any case, with ``:`` or ``-``.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("seed-neighborhoods")
    >>> tr = kp.trace(net, "house-14", "house-15")
    >>> check_frame_dst_mac(tr, "ff:ff:ff:ff:ff:ff").status
    'incorrect'
    >>> check_frame_dst_mac(tr, str(net.nodes["house-15"].interfaces["eth0"].mac)).status
    'correct'
    >>> far = kp.trace(net, "house-14", "house-24")
    >>> print(check_frame_dst_mac(far, str(net.nodes["house-24"].interfaces["eth0"].mac)))
    ❌ 02.5 destination MAC of the first data frame: not quite. That is the door of the
    destination, but it stands in another subnet: ...
    """
    name = "02.5 destination MAC of the first data frame"
    frame = next((h.packet for h in tr.hops
                  if h.action == "send" and h.packet.get(Ethernet) is not None), None)
    hint = ("The data frame is not a broadcast: it goes to the one door the sender's ARP table "
            "names for the next hop. Look at the Ethernet header of the first 'send' hop.")
    if unanswered(answer):
        return judge(name, answer, None, "", hint)
    if frame is None:
        return judge(name, UNREADABLE, True, "",
                     "This trace never sends a data frame: the packet was dropped before it "
                     "left. Read the trace's reason.")
    eth = frame[Ethernet]
    expected = eth.dst
    given = mac(answer)
    arrival = next((h.packet[Ethernet].dst for h in reversed(tr.request_hops)  # the last frame
                    if h.packet.get(IPv4) is not None and h.packet.get(Ethernet) is not None),
                   None)
    if given is UNREADABLE:
        hint = _MAC_FORM + " " + hint
    elif given == eth.src:
        hint = "That is the sender's own MAC, the source of the frame. " + hint
    elif isinstance(given, MacAddress) and given.is_broadcast:
        hint = "ff:ff:ff:ff:ff:ff was the ARP request's destination. " + hint
    elif given == arrival:
        hint = ("That is the door of the destination, but it stands in another "
                "subnet: a frame only crosses the sender's own segment. Whose door "
                "there takes the packet further? " + hint)
    return judge(name, given, expected,
                 f"Right: the frame is addressed to {expected}, the door of the next hop, which "
                 f"the sender found in its ARP table.", hint)
