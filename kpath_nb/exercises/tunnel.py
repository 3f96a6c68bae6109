"""Checks for the exercises of notebook 07, across nodes through the VXLAN tunnel.

Every check works the right answer out from the cluster it is given (the
ipcache, a fresh trace, the Cilium settings, the headers' own lengths), so no
answer key is written down anywhere, and returns a
:class:`~kpath_nb.exercises.Feedback`. Answers are read generously: an address
as text, as an :mod:`ipaddress` object or as the name of the node that holds
it; a pair of addresses as a list or as ``"a > b"``; a number as an int or as
text (``"8472/udp"``, ``"ID:256"``). Nothing a learner types makes a check
raise; an answer it cannot read is simply not right.

Examples
--------
>>> import kpath_nb as kp
>>> from kpath_nb.exercises import tunnel
>>> cl = kp.load_topology("seed-cilium-buildings")
>>> bool(tunnel.check_udp_port(cl, "8472/udp"))
True
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address

from ..bpf import ipcache_lookup
from ..cluster import TUNNEL_PROTOCOLS, Cluster, K8sNode
from ..errors import KpathError
from ..packet import UDP, VXLAN, Ethernet, IPv4
from ..trace import Hop
from ..tracer import trace
from . import Feedback
from .answers import UNREADABLE, address, items, judge_read, text, whole_number, word

__all__ = [
    "check_tunnel_endpoint",
    "check_outer_addresses",
    "check_vni",
    "check_udp_port",
    "check_wire_size",
    "check_inner_mtu",
]

_NO_TUNNEL = {"none": "no tunnel", "no tunnel": "no tunnel", "local": "no tunnel",
              "not encapsulated": "no tunnel", "no encapsulation": "no tunnel",
              "never": "no tunnel", "nothing": "no tunnel", "0.0.0.0": "no tunnel",
              "same node": "no tunnel", "no vni": "no tunnel"}

_ZERO = IPv4Address("0.0.0.0")


def _no_tunnel_or(read: object, answer: object) -> object:
    """``"no tunnel"`` for an answer saying the packet is not tunnelled, else ``read``."""
    said = word(answer, ("no tunnel",), _NO_TUNNEL)
    return read if said is UNREADABLE else said


def _node_address(cl: Cluster, answer: object) -> object:
    """An IPv4 address, or the ``eth0`` address of a node named in ``answer``."""
    if isinstance(answer, str):
        nodes = {name.lower(): node for name, node in cl.nodes.items()}
        if text(answer).lower() in nodes:
            return nodes[text(answer).lower()].ip
    return address(answer)


def _encap_hop(cl: Cluster, src: str, dst: str, direction: str) -> Hop | None:
    tr = trace(cl, src, dst, reply=direction == "reply")
    hops = tr.request_hops if direction == "request" else tr.reply_hops
    return next((h for h in hops if h.action == "encap"), None)


def _number(answer: object) -> object:
    """A whole number, also with a unit or a label: ``"8472/udp"``, ``"UDP 8472"``,
    ``"ID:256"``, ``"vni=256"``, ``"50 bytes"``."""
    if isinstance(answer, str):
        said = re.sub(r"^(?:identity|udp|id|vni|port|mtu)\s*[:=/]?\s*|\s*(?:/udp|bytes?|b)$",
                      "", text(answer).lower().strip("()"))
        return whole_number(said)
    return whole_number(answer)


def _source_node(cl: Cluster, src: str) -> K8sNode:
    name = str(src).strip()
    return cl.nodes[name] if name in cl.nodes else cl.node_of(name)


# -- the checks ---------------------------------------------------------------


def check_tunnel_endpoint(cl: Cluster, src: str, dst: str, answer: object) -> Feedback:
    """Check the tunnel endpoint ``src``'s node finds in its ipcache for ``dst``.

    Parameters
    ----------
    cl : Cluster
    src : str
        A pod or a node: the ipcache of its node is read.
    dst : str
        A pod, a node or an address.
    answer : object
        An address (``"192.168.100.20"``, an :class:`~ipaddress.IPv4Address`), the
        name of the node that holds it, or ``"none"`` / ``"0.0.0.0"`` when the
        destination is local and no tunnel is needed.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_tunnel_endpoint(cl, "apartment-12", "apartment-22", "building-green").status
    'correct'
    >>> check_tunnel_endpoint(cl, "apartment-12", "apartment-14", "0.0.0.0").status
    'correct'
    >>> check_tunnel_endpoint(cl, "apartment-12", "apartment-22", "10.0.20.21").status
    'incorrect'
    """
    node = _source_node(cl, src)
    entry = ipcache_lookup(cl, node.name, cl.resolve(dst)[1])
    remote = entry.tunnel_endpoint != _ZERO
    expected: object = entry.tunnel_endpoint if remote else "no tunnel"
    read = _no_tunnel_or(_node_address(cl, answer), answer)
    praise = (f"{node.name}'s ipcache matches {entry.key}: tunnelendpoint={entry.tunnel_endpoint}, "
              f"the node network address of the building the destination lives in."
              if remote else f"{node.name}'s ipcache entry {entry.key} has "
                             f"tunnelendpoint=0.0.0.0: the destination is local, no tunnel.")
    hint = (f"Read {node.name}'s ipcache (cilium-dbg bpf ipcache list): find the longest prefix "
            f"that covers the destination and look at its tunnelendpoint. It is an address on "
            f"the node network, not a pod or a router IP.")
    return judge_read(f"tunnel endpoint for {src} → {dst}", answer, read, expected, praise,
                      hint, form="an address in quotes, like \"192.0.2.7\", or \"none\"")


def check_outer_addresses(cl: Cluster, src: str, dst: str, answer: object, *,
                          direction: str = "request") -> Feedback:
    """Check the outer IPv4 source and destination of the VXLAN packet for ``src`` → ``dst``.

    Parameters
    ----------
    cl : Cluster
    src, dst : str
        Endpoints, as :func:`~kpath_nb.trace` takes them.
    answer : object
        Two addresses, source first: a list or tuple (``["192.168.100.10",
        "192.168.100.20"]``), text like ``"192.168.100.10 > 192.168.100.20"``,
        or node names. ``"none"`` when the packet is not encapsulated.
    direction : {"request", "reply"}

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_outer_addresses(cl, "apartment-12", "apartment-22",
    ...                       "192.168.100.10 -> 192.168.100.20").status
    'correct'
    >>> check_outer_addresses(cl, "apartment-12", "apartment-22",
    ...                       ["10.0.10.12", "10.0.20.22"]).status
    'incorrect'
    """
    hop = _encap_hop(cl, src, dst, direction)
    expected: object = ((hop.packet[IPv4].src, hop.packet[IPv4].dst) if hop else "no tunnel")
    parts = list(answer) if isinstance(answer, (list, tuple)) else items(answer, ordered=True)
    read: object = UNREADABLE
    if parts is not UNREADABLE and len(parts) == 2:
        pair = tuple(_node_address(cl, part) for part in parts)
        read = pair if all(p is not UNREADABLE for p in pair) else UNREADABLE
    read = _no_tunnel_or(read, answer)
    leg = "request" if direction == "request" else "reply"
    praise = (f"The outer header of the {leg} goes {expected[0]} → {expected[1]}: node to "
              f"node, while the pods' own addresses ride inside, unchanged." if hop else
              f"The {leg} never enters the tunnel.")
    hint = ("The outer IPv4 header is written by the sending node's cilium_vxlan and read by "
            "the switches and routers of the node network: whose addresses can they deliver? Give the "
            "source first, then the destination.")
    return judge_read(f"outer addresses {src} → {dst}" + ("" if leg == "request" else " (reply)"),
                      answer, read, expected, praise, hint,
                      form="two addresses, source first, like [\"192.0.2.1\", \"192.0.2.2\"]")


def check_vni(cl: Cluster, src: str, dst: str, answer: object, *,
              direction: str = "request") -> Feedback:
    """Check the VNI in the VXLAN header of ``src`` → ``dst`` (or of its reply).

    Parameters
    ----------
    cl : Cluster
    src, dst : str
        Endpoints, as :func:`~kpath_nb.trace` takes them.
    answer : object
        A whole number (``256``, ``"256"``, ``"ID:256"``, ``"vni 256"``), or
        ``"none"`` when the packet is not encapsulated.
    direction : {"request", "reply"}

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> vni = cl.pods["apartment-12"].identity.number
    >>> check_vni(cl, "apartment-12", "apartment-22", vni).status
    'correct'
    >>> check_vni(cl, "apartment-12", "apartment-22", vni, direction="reply").status
    'incorrect'
    """
    hop = _encap_hop(cl, src, dst, direction)
    expected: object = hop.packet[VXLAN].vni if hop else "no tunnel"
    sender = src if direction == "request" else dst
    praise = (f"VNI {expected}: the security identity the sender's packets travel with, so "
              f"the far node knows who sent it without a lookup." if hop else
              "No VXLAN header at all: this packet never leaves the node.")
    hint = (f"Cilium does not use the VNI to tell networks apart: it writes who sent the "
            f"packet. Whose packet is it on this leg ({sender}), and what number does that "
            f"sender travel as? A node's own packets travel under a reserved identity.")
    return judge_read(f"VNI of {src} → {dst}" + ("" if direction == "request" else " (reply)"),
                      answer, _no_tunnel_or(_number(answer), answer), expected, praise, hint,
                      form="a whole number, or \"none\"")


def check_udp_port(cl: Cluster, answer: object) -> Feedback:
    """Check the UDP destination port of Cilium's tunnel.

    Parameters
    ----------
    cl : Cluster
    answer : object
        A whole number (``8472``, ``"8472"``, ``"8472/udp"``, ``"UDP 8472"``).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_udp_port(cl, "UDP 8472").status, check_udp_port(cl, 4789).status
    ('correct', 'incorrect')
    """
    expected = cl.config.tunnel_port
    default = TUNNEL_PROTOCOLS[cl.config.tunnel_protocol]
    if expected == default:
        praise = (f"UDP {expected}: the port Linux used for VXLAN before IANA assigned one, "
                  f"and Cilium's default for {cl.config.tunnel_protocol}.")
    else:
        praise = (f"UDP {expected}: this cluster's Cilium was installed with tunnelPort "
                  f"{expected} (tunnel-port in the agent's configuration) instead of the "
                  f"default {default}, and both ends of every tunnel use it.")
    hint = ("Read the UDP header of an encap hop (hop.packet[kp.UDP].dport), or the cluster's "
            "settings (cl.config). Careful: Cilium's default is not the port IANA assigned "
            "to VXLAN, and a cluster may set its own.")
    return judge_read("tunnel UDP port", answer, _number(answer), expected, praise, hint,
                      form="a whole number")


def _overhead() -> int:
    """The bytes VXLAN adds in front of the inner frame, from the headers' own lengths."""
    return Ethernet.length + IPv4.length + UDP.length + VXLAN.length


_LAYERS = {"frame": "the frame on the node network", "packet": "the outer IPv4 packet"}


def check_wire_size(cl: Cluster, src: str, dst: str, proto: str, answer: object, *,
                    dport: int | None = None, layer: str = "frame") -> Feedback:
    """Check the size of the tunnelled request ``src`` → ``dst`` on the node network.

    Parameters
    ----------
    cl : Cluster
    src, dst : str
        Endpoints, as :func:`~kpath_nb.trace` takes them.
    proto : {"icmp", "udp", "tcp"}
    answer : object
        A whole number of bytes (``148``, ``"148 bytes"``), or ``"none"`` when the
        request is not tunnelled.
    dport : int, optional
        The destination port of a UDP or TCP request.
    layer : {"frame", "packet"}
        ``"frame"``: the whole frame the sending node puts on its ``eth0``;
        ``"packet"``: the outer IPv4 packet inside it, what the node network's MTU counts.

    Returns
    -------
    Feedback

    Raises
    ------
    KpathError
        When ``layer`` is neither ``"frame"`` nor ``"packet"``.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_wire_size(cl, "apartment-12", "apartment-22", "icmp", 98 + 50).status
    'correct'
    >>> check_wire_size(cl, "apartment-12", "apartment-22", "icmp", 84 + 50,
    ...                 layer="packet").status
    'correct'
    >>> check_wire_size(cl, "apartment-12", "apartment-22", "icmp", 98 + 36).status
    'incorrect'
    """
    if layer not in _LAYERS:
        raise KpathError(f"layer {layer!r} is not a part of the packet this check knows; "
                         f"choose {' or '.join(repr(k) for k in _LAYERS)}")
    tr = trace(cl, src, dst, proto, dport=dport, reply=False)
    inner = next((h.packet for h in tr.request_hops if h.observation in
                  ("from-endpoint", "from-host")), None)
    wire = next((h.packet for h in tr.request_hops if h.packet.get(VXLAN) is not None
                 and isinstance(h.packet.headers[0], Ethernet)), None)
    expected: object = "no tunnel"
    praise = f"The {proto.upper()} request never enters the tunnel."
    if wire is not None and inner is not None and layer == "frame":
        expected = wire.size
        praise = (f"{expected} bytes: the pod's own frame ({inner.size} bytes) behind "
                  f"{_overhead()} bytes of outer Ethernet, outer IPv4, UDP and VXLAN headers; "
                  f"nothing inside changes size.")
    elif wire is not None and inner is not None:
        expected = wire.decapsulate(1).size
        praise = (f"{expected} bytes: the pod's IPv4 packet ({inner.size - Ethernet.length} "
                  f"bytes) in its own Ethernet header ({Ethernet.length}), behind VXLAN "
                  f"({VXLAN.length}), UDP ({UDP.length}) and the outer IPv4 header "
                  f"({IPv4.length}): {_overhead()} bytes more, as for the frame.")
    hint = ("The tunnel only adds headers in front of what the pod sent: outer Ethernet, "
            "outer IPv4, UDP and VXLAN. Add them to the right starting point: the pod's whole "
            "frame for the frame on the wire, the pod's IPv4 packet for the outer IPv4 packet "
            "(the inner Ethernet header rides inside it).")
    return judge_read(f"size of {_LAYERS[layer]} for {src} → {dst}", answer,
                      _no_tunnel_or(_number(answer), answer), expected, praise, hint,
                      form="a whole number of bytes, or \"none\"")


def check_inner_mtu(cl: Cluster, answer: object) -> Feedback:
    """Check the MTU Cilium gives pod routes (and routes to remote pod CIDRs) in ``cl``.

    Parameters
    ----------
    cl : Cluster
    answer : object
        A whole number (``1450``, ``"1450"``, ``"mtu 1450"``).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_inner_mtu(cl, "mtu 1450").status, check_inner_mtu(cl, 1500).status
    ('correct', 'incorrect')
    """
    expected = cl.config.device_mtu - _overhead()
    praise = (f"mtu {expected}: the node network carries {cl.config.device_mtu}-byte packets, "
              f"and the tunnel needs {_overhead()} of them for its own headers.")
    hint = ("A packet leaving a pod is wrapped before it crosses the node network, and the "
            "wrapped packet must still fit the node network's MTU. Start from the nodes' "
            "device MTU and take off what the tunnel adds.")
    return judge_read("MTU inside the tunnel", answer, _number(answer), expected, praise, hint,
                      form="a whole number of bytes")
