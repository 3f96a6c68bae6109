"""Checks for notebook 01, IP addresses and subnets.

Every check recomputes the right answer from :mod:`kpath_nb.addr` (or from a
topology), so no answer is written down anywhere, and returns a
:class:`~kpath_nb.exercises.Feedback`. Answers are read generously: strings
with stray spaces, :mod:`ipaddress` objects, plain integers. An answer still
left as ``...`` is "not answered yet"; an answer that cannot be read at all
(``"banana"``) is wrong, with a hint about the form the answer should take.
No check raises on a learner's answer.

Examples
--------
>>> from kpath_nb.exercises import subnets
>>> print(subnets.check_mask(24, " 255.255.255.0 "))
✅ netmask of a /24: right. 24 ones, then 8 zeros: 11111111.11111111.11111111.00000000.
>>> subnets.check_network_address("10.0.10.14/24", ...).status
'unanswered'
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

from ..addr import broadcast_address, network_address, parse_interface, same_subnet, to_binary
from ..topology import Host, Topology
from . import Feedback, judge, unanswered
from .answers import UNREADABLE, address, address_and_prefix, squeeze, whole_number, word, yes_no

__all__ = [
    "check_mask",
    "check_network_address",
    "check_broadcast_address",
    "check_host_count",
    "check_same_subnet",
    "check_next_hop",
]

_ADDRESS_FORM = ("Write an IPv4 address as four whole numbers from 0 to 255 separated by dots "
                 "(a quoted string), or as an ipaddress.IPv4Address.")
_NEXT_HOP_WORDS = {"directly": "direct", "straight": "direct", "on link": "direct",
                   "onlink": "direct", "none": "no route", "unreachable": "no route"}


def _check_address(exercise: str, question: str, answer: object, expected: IPv4Address,
                   praise: str, hint: str) -> Feedback:
    """Judge an answer that should be one address of the subnet in ``question``."""
    if unanswered(answer):
        return judge(exercise, answer, expected, praise, hint)
    read = address_and_prefix(answer)
    if read is UNREADABLE:
        return judge(exercise, UNREADABLE, expected, praise, _ADDRESS_FORM)
    given, prefixlen = read
    asked = parse_interface(question).network.prefixlen
    if prefixlen is not None and prefixlen != asked:
        return judge(exercise, UNREADABLE, expected, praise,
                     f"You wrote /{prefixlen}, but the question's mask is /{asked}; "
                     f"keep that mask, or write the address alone.")
    return judge(exercise, given, expected, praise, hint)


def check_mask(prefixlen: int, answer: object) -> Feedback:
    """Check the netmask, in dotted decimal, that goes with a prefix length.

    Parameters
    ----------
    prefixlen : int
        The prefix length of the question, 0 to 32 (the ``24`` of ``/24``).
    answer : str, IPv4Address or int
        The learner's netmask: ``"255.255.255.0"``, an ``IPv4Address``, the
        mask as a 32-bit integer, or its 32 bits written out in binary.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> check_mask(24, "255.255.255.0").status
    'correct'
    >>> check_mask(24, "11111111.11111111.11111111.00000000").status
    'correct'
    >>> print(check_mask(26, "255.255.255.0"))
    ❌ netmask of a /26: not quite. Write 26 ones followed by zeros up to 32 bits, then read
    each group of 8 bits as a number from 0 to 255.
    >>> print(check_mask(26, "/26"))
    ❌ netmask of a /26: not quite. That is the prefix length itself; the question asks for the
    same mask written as four numbers separated by dots.
    """
    expected = IPv4Network((0, prefixlen)).netmask
    exercise = f"netmask of a /{prefixlen}"
    praise = (f"right. {prefixlen} ones, then {32 - prefixlen} zeros: "
              f"{to_binary(expected)}.")
    hint = (f"Write {prefixlen} ones followed by zeros up to 32 bits, then read each group "
            f"of 8 bits as a number from 0 to 255.")
    if unanswered(answer):
        return judge(exercise, answer, expected, praise, hint)
    number = whole_number(answer.lstrip().lstrip("/") if isinstance(answer, str) else answer)
    if isinstance(number, int) and 0 <= number <= 32:
        return judge(exercise, UNREADABLE, expected, praise,
                     "That is the prefix length itself; the question asks for the same mask "
                     "written as four numbers separated by dots.")
    bits = squeeze(answer).replace(".", "") if isinstance(answer, str) else ""
    if len(bits) == 32 and set(squeeze(answer)) <= {"0", "1", "."}:
        answer = int(bits, 2)
    read = address_and_prefix(answer)
    if read is UNREADABLE or read[1] is not None:
        return judge(exercise, UNREADABLE, expected, praise,
                     "Write the netmask as four whole numbers from 0 to 255 separated by dots, "
                     "in quotes.")
    return judge(exercise, read[0], expected, praise, hint)


def check_network_address(address: str, answer: object) -> Feedback:
    """Check the network address (the first address) of the subnet that ``address`` is in.

    Parameters
    ----------
    address : str
        The question: an address with its mask, such as ``"192.168.1.200/26"``.
    answer : str, IPv4Address, IPv4Network or int
        The learner's network address. A prefix length may be added
        (``"192.168.1.192/26"``) as long as it is the question's.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> check_network_address("10.0.10.14/24", "10.0.10.0").status
    'correct'
    >>> from ipaddress import ip_network
    >>> check_network_address("10.0.10.14/24", ip_network("10.0.10.0/24")).status
    'correct'
    >>> print(check_network_address("10.0.10.14/24", "10.0.10.255"))
    ❌ network address of 10.0.10.14/24: not quite. Keep the first 24 bits (the network part)
    and set the last 8 bits (the host part) to 0: that is the address AND the mask.
    >>> check_network_address("10.0.10.14/24", "banana").hint
    'Write an IPv4 address as four whole numbers from 0 to 255 separated by dots (a quoted
    string), or as an ipaddress.IPv4Address.'
    """
    iface = parse_interface(address)
    network = iface.network
    expected = network_address(address)
    praise = (f"right. Every host bit set to 0: {iface.ip} AND {network.netmask} "
              f"gives {expected}, the first address of {network}.")
    hint = (f"Keep the first {network.prefixlen} bits (the network part) and set the last "
            f"{32 - network.prefixlen} bits (the host part) to 0: that is the address AND "
            f"the mask.")
    return _check_address(f"network address of {address}", address, answer, expected,
                          praise, hint)


def check_broadcast_address(address: str, answer: object) -> Feedback:
    """Check the broadcast address (the last address) of the subnet that ``address`` is in.

    Parameters
    ----------
    address : str
        The question: an address with its mask, such as ``"10.0.10.14/28"``.
    answer : str, IPv4Address or int
        The learner's broadcast address.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> check_broadcast_address("10.0.10.14/24", " 10.0.10.255").status
    'correct'
    >>> check_broadcast_address("10.0.10.14/24", 167774975).status
    'correct'
    >>> print(check_broadcast_address("10.0.10.14/24", "10.0.10.0"))
    ❌ broadcast address of 10.0.10.14/24: not quite. Keep the first 24 bits (the network
    part) and set the last 8 bits (the host part) to 1.
    """
    network = parse_interface(address).network
    expected = broadcast_address(address)
    praise = (f"right. Every host bit set to 1 gives {expected}, the last address of "
              f"{network}; a packet sent there reaches every host on the subnet.")
    hint = (f"Keep the first {network.prefixlen} bits (the network part) and set the last "
            f"{32 - network.prefixlen} bits (the host part) to 1.")
    return _check_address(f"broadcast address of {address}", address, answer, expected,
                          praise, hint)


def check_host_count(prefixlen: int, answer: object) -> Feedback:
    """Check how many usable host addresses a subnet with this prefix length holds.

    Usable means every address except the network address and the broadcast
    address. The two smallest subnets are the exceptions, as in
    :meth:`ipaddress.IPv4Network.hosts`: a /31 (a point-to-point link,
    RFC 3021) uses both of its addresses, and a /32 is a single host.

    Parameters
    ----------
    prefixlen : int
        The prefix length of the question, 0 to 32.
    answer : int or str
        The learner's count: ``62``, ``"62"``, ``62.0``.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> check_host_count(24, 254).status
    'correct'
    >>> check_host_count(24, "254 ").status
    'correct'
    >>> print(check_host_count(24, 256))
    ❌ usable hosts in a /24: not quite. The host part is (32 minus the prefix length) bits
    long. Count the different values those bits can take, then leave out the network
    address (all host bits zero) and the broadcast address (all host bits one).
    """
    network = IPv4Network((0, prefixlen))
    host_bits = 32 - prefixlen
    if prefixlen <= 30:
        expected = network.num_addresses - 2
        praise = (f"right. {host_bits} host bits make 2**{host_bits} = {network.num_addresses} "
                  f"addresses; the first is the network address and the last the broadcast "
                  f"address, which leaves {expected} for hosts.")
    else:
        expected = network.num_addresses
        praise = ("right. A /31 has two addresses and on a point-to-point link both are used "
                  "(RFC 3021)." if prefixlen == 31 else
                  "right. A /32 is a single address: exactly one host.")
    hint = ("The host part is (32 minus the prefix length) bits long. Count the different "
            "values those bits can take, then leave out the network address (all host bits "
            "zero) and the broadcast address (all host bits one).")
    exercise = f"usable hosts in a /{prefixlen}"
    if unanswered(answer):
        return judge(exercise, answer, expected, praise, hint)
    number = whole_number(answer)
    if number is UNREADABLE:
        return judge(exercise, UNREADABLE, expected, praise,
                     "Answer with a whole number, such as 10 or \"10\".")
    return judge(exercise, number, expected, praise, hint)


def check_same_subnet(a: str, b: str, answer: object) -> Feedback:
    """Check whether ``b`` is in the subnet of ``a``, the question every sender asks.

    Parameters
    ----------
    a : str
        The sender's address with its mask, such as ``"10.0.10.14/28"``.
    b : str
        The destination address.
    answer : bool or str
        ``True``/``False``, or ``"yes"``/``"no"``, ``"same"``/``"different"``.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> check_same_subnet("10.0.10.14/24", "10.0.10.15", True).status
    'correct'
    >>> check_same_subnet("10.0.10.14/24", "10.0.20.24", "no").status
    'correct'
    >>> print(check_same_subnet("10.0.10.14/24", "10.0.20.24", True))
    ❌ 10.0.20.24 in the subnet of 10.0.10.14/24: not quite. Apply the /24 mask to both
    addresses (AND) and compare the two network addresses you get.
    """
    expected = same_subnet(a, b)
    network = parse_interface(a).network
    exercise = f"{b} in the subnet of {a}"
    if expected:
        praise = (f"right. {b} falls inside {network}, so the sender delivers it directly "
                  f"on its own segment.")
    else:
        praise = (f"right. {network} runs from {network.network_address} to "
                  f"{network.broadcast_address} and {b} is outside it, so the sender hands "
                  f"the packet to its gateway.")
    hint = (f"Apply the /{network.prefixlen} mask to both addresses (AND) and compare the two "
            f"network addresses you get.")
    if unanswered(answer):
        return judge(exercise, answer, expected, praise, hint)
    read = yes_no(answer)
    if read is UNREADABLE:
        hint = "Answer True or False (or \"yes\" or \"no\")."
    return judge(exercise, read, expected, praise, hint)


def check_next_hop(net: Topology, source: str, destination: str, answer: object) -> Feedback:
    """Check where ``source`` sends its first packet for ``destination``.

    The sender looks the destination up in its routing table. A destination on
    its own subnet is sent to directly; anything else goes to the gateway the
    matching route names.

    Parameters
    ----------
    net : Topology
        The network, such as ``kp.load_topology("seed-neighborhoods")``.
    source, destination : str
        Endpoints, by node name or IP address.
    answer : str or IPv4Address
        ``"direct"`` (or the destination itself) when no router is needed;
        otherwise the gateway's IP address or its node name.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> from kpath_nb import load_topology
    >>> net = load_topology("seed-neighborhoods")
    >>> check_next_hop(net, "house-14", "house-15", "direct").status
    'correct'
    >>> check_next_hop(net, "house-14", "house-24", "10.0.10.11").status
    'correct'
    >>> check_next_hop(net, "house-14", "house-24", "gatekeeper-11").status
    'correct'
    >>> print(check_next_hop(net, "house-14", "house-24", "direct"))
    ❌ next hop from house-14 to house-24: not quite. Is the destination inside the sender's
    own subnet? If so it is sent there directly; if not, the sender's routing table
    (ip route) names the router it goes to.
    """
    sender, _ = net.resolve(source)
    _, dst_ip = net.resolve(destination)
    route = sender.routing_table().lookup(dst_ip)
    exercise = f"next hop from {source} to {destination}"
    hint = ("Is the destination inside the sender's own subnet? If so it is sent there "
            "directly; if not, the sender's routing table (ip route) names the router it "
            "goes to.")
    if route is None:
        expected: object = "no route"
        praise = f"right. No route in {sender.name}'s table covers {dst_ip}: it cannot send."
    elif route.via is None:
        expected = "direct"
        praise = (f"right. {dst_ip} is on {sender.name}'s own subnet {route.network}, so it "
                  f"sends straight to it out of {route.dev}; no router is needed.")
    else:
        expected = route.via
        owner = net.owner(route.via)
        who = f" ({owner[0]})" if owner else ""
        praise = (f"right. {dst_ip} is not on {sender.name}'s subnet, so the route "
                  f"'{route}' applies: the packet goes to the gateway {route.via}{who}.")
    if unanswered(answer):
        return judge(exercise, answer, expected, praise, hint)
    read = _read_next_hop(net, answer, expected, dst_ip)
    if read is UNREADABLE:
        hint = ("Answer \"direct\", or the next hop's IP address as a quoted string, or the "
                "name of the router it belongs to.")
    return judge(exercise, read, expected, praise, hint)


def _read_next_hop(net: Topology, answer: object, expected: object,
                   destination: IPv4Address) -> object:
    """Read a next-hop answer as "direct", "no route" or an address, if it can be read."""
    said = word(answer, ("direct", "no route"), _NEXT_HOP_WORDS)
    if said is not UNREADABLE:
        return said
    if isinstance(answer, str):
        node = net.nodes.get(answer.strip())
        if isinstance(node, Host):
            mine = [ip for ip in (expected, destination)
                    if isinstance(ip, IPv4Address) and node.owns(ip)]
            answer = mine[0] if mine else node.primary_ip()
    read = address(answer)
    if read == destination and expected == "direct":
        return "direct"  # on-link, the next hop is the destination itself
    return read
