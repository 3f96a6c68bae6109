"""Checks for the capstone, notebook 08: a whole journey predicted, and a broken cluster mended.

The first checks judge predictions of one packet's whole path through a
cluster: the devices it passes, the BPF maps a node consults, the outer
header of the tunnel and the TTLs. Each works the right answer out from a
fresh trace of the cluster it is given. :func:`check_incident` judges a
diagnosis: what is broken in a cluster and where, worked out from the
cluster's state (its interfaces, its endpoints, its IPAM). Answers are read
generously, as in the other chapters; nothing a learner types makes a check
raise.

Examples
--------
>>> import kpath_nb as kp
>>> from kpath_nb.exercises import capstone
>>> cl = kp.load_topology("seed-cilium-buildings")
>>> capstone.check_ttls(cl, "apartment-12", "apartment-22", 64, [63, 64, 63]).status
'correct'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from ipaddress import IPv4Address, IPv4Network

from ..cluster import Cluster, K8sNode
from ..errors import KpathError
from ..identity import MIN_ALLOCATED, reserved_name
from ..packet import ARP, UDP, VXLAN, IPv4
from ..trace import Hop, Trace
from ..tracer import trace
from . import Feedback
from .answers import UNREADABLE, address, items, judge_read, text, whole_number, word

__all__ = ["INCIDENTS", "check_path_devices", "check_maps_on_node", "check_outer_header",
           "check_ttls", "check_incident"]

INCIDENTS = ("stale ip", "interface down", "wrong mask", "ipam exhausted")
"""The faults :func:`check_incident` knows, in the words a diagnosis uses."""

_INCIDENT_SYNONYMS = {
    "stale": "stale ip", "stale address": "stale ip", "stale pod ip": "stale ip",
    "stale or unroutable ip": "stale ip", "unroutable ip": "stale ip", "old ip": "stale ip",
    "old address": "stale ip", "deleted pod": "stale ip", "stale ip address": "stale ip",
    "down": "interface down", "link down": "interface down", "eth0 down": "interface down",
    "interface is down": "interface down", "nic down": "interface down",
    "wrong netmask": "wrong mask", "wrong subnet mask": "wrong mask", "bad mask": "wrong mask",
    "wrong prefix": "wrong mask", "wrong prefix length": "wrong mask", "mask": "wrong mask",
    "ipam": "ipam exhausted", "ipam full": "ipam exhausted", "exhausted": "ipam exhausted",
    "pool exhausted": "ipam exhausted", "pod cidr full": "ipam exhausted",
    "cidr full": "ipam exhausted", "no free address": "ipam exhausted",
    "ipam exhaustion": "ipam exhausted", "out of addresses": "ipam exhausted",
}

_NO_TUNNEL = {"none", "no tunnel", "-", "nothing", "not encapsulated", "no outer header"}

# -- reading ------------------------------------------------------------------------------


def _number(answer: object) -> object:
    """A whole number, also with a label or unit: ``"ttl 63"``, ``"vni=256"``, ``"8472/udp"``."""
    if isinstance(answer, str):
        said = re.sub(r"^(?:ttl|udp|port|dport|vni|id|identity)\s*[:=/]?\s*|\s*/udp$", "",
                      text(answer).lower().strip("()"))
        return whole_number(said)
    return whole_number(answer)


def _node_address(cl: Cluster, answer: object) -> object:
    """An IPv4 address, or the ``eth0`` address of the node named in ``answer``."""
    if isinstance(answer, str) and text(answer).lower() in {n.lower() for n in cl.nodes}:
        return next(node.ip for name, node in cl.nodes.items()
                    if name.lower() == text(answer).lower())
    return address(answer)


def _fields(answer: object, names: tuple[str, ...], aliases: Mapping[str, str]
            ) -> dict[str, object] | None:
    """A dict of ``names`` from a mapping (keys read with ``aliases``) or a sequence in order."""
    if isinstance(answer, Mapping):
        found: dict[str, object] = {}
        for key, value in answer.items():
            name = " ".join(text(key).lower().replace("_", " ").split())
            name = aliases.get(name, name)
            if name in names:
                found[name] = value
        return found if set(found) == set(names) else None
    if isinstance(answer, (list, tuple)) and len(answer) == len(names):
        return dict(zip(names, answer))
    return None


def _wrong(expected: Mapping[str, object], read: Mapping[str, object]) -> list[str]:
    return [name for name, value in expected.items() if read.get(name) != value]


def _listed(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# -- the path, device by device -----------------------------------------------------------


def _devices(cl: Cluster, tr: Trace) -> list[tuple[str, str]]:
    """The devices of pods, nodes and routers the request passes, in order (no ARP, no switch)."""
    path: list[tuple[str, str]] = []
    for hop in tr.request_hops:
        if hop.packet.get(ARP) is not None or hop.node in cl.underlay.switches:
            continue
        for device in (hop.in_iface, hop.out_iface):
            if device and device != "lo" and (hop.node, device) not in path:
                path.append((hop.node, device))
    return path


def _device(item: str) -> tuple[str | None, str]:
    """``"node:dev"`` as (node, dev), a bare ``"dev"`` as (None, dev); ``@if2`` is left off."""
    node, _, device = item.rpartition(":")
    return (node or None), device.split("@")[0]


def check_path_devices(cl: Cluster, src: str, dst: str, answer: object) -> Feedback:
    """Check the devices the request from ``src`` to ``dst`` passes, in order.

    Every network device of a pod, a node or a router the packet goes in or out
    of, from ``src``'s ``eth0`` to ``dst``'s, each once; ARP frames and the
    switches of the node network are left out.

    Parameters
    ----------
    cl : Cluster
    src, dst : str
        Endpoints, as :func:`~kpath_nb.trace` takes them.
    answer : object
        The devices in order: a list (``["eth0", "lxc1f2a85eec85b", ...]``) or
        text such as ``"eth0 -> lxc1f2a85eec85b -> ..."``. A device may be
        written with its owner, ``"building-blue:cilium_vxlan"``; then the
        owner must be right too.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> a12, a14 = cl.pods["apartment-12"], cl.pods["apartment-14"]
    >>> check_path_devices(cl, "apartment-12", "apartment-14",
    ...                    ["eth0", a12.lxc, a14.lxc, "eth0"]).status
    'correct'
    >>> print(check_path_devices(cl, "apartment-12", "apartment-14",
    ...                          ["eth0", a12.lxc, "cilium_host", a14.lxc, "eth0"]).message)
    not quite: the first 2 devices are right.
    """
    expected = _devices(cl, trace(cl, src, dst, reply=False))
    read = items(answer, ordered=True)
    exercise = f"devices from {src} to {dst}"
    path = " → ".join(f"{node}:{device}" for node, device in expected)
    praise = f"The request passes {len(expected)} devices: {path}."
    hint = (f"Start at {src}'s eth0 and end at {dst}'s eth0. In between come the host end of "
            f"each veth pair, the device Cilium hands a packet for another node to, and each "
            f"node's own door onto the node network. Trace it and read the in and out "
            f"columns of the request, leaving out the ARP frames and the switch.")
    form = "a list of device names in order, like [\"eth0\", \"lxc0123456789ab\", ...]"
    if read is UNREADABLE or not read:
        return judge_read(exercise, answer, UNREADABLE, expected, praise, hint, form=form)
    right = 0
    for item, (node, device) in zip(read, expected):
        owner, named = _device(item)
        if named != device.lower() or owner not in (None, node.lower()):
            break
        right += 1
    if right == len(read) == len(expected):
        return Feedback(exercise, "correct", praise)
    so_far = (f" the first {right} device{'s are' if right != 1 else ' is'} right."
              if right else "")
    return Feedback(exercise, "incorrect", f"not quite:{so_far}" if so_far else "not quite.",
                    hint)


# -- the maps a node consults -------------------------------------------------------------

_OLD_MAP_NAMES = {"cilium_ipcache": "cilium_ipcache_v2"}


def _map(item: str) -> str:
    """A map name as the current release spells it (``cilium_policy_v2_`` + 5 digits)."""
    name = item.strip().lower().replace("-", "_")
    policy = re.fullmatch(r"cilium_policy(?:_v2)?_0*(\d+)", name)
    if policy:
        return f"cilium_policy_v2_{int(policy.group(1)):05d}"
    return _OLD_MAP_NAMES.get(name, name)


def _programs(maps: Sequence[str]) -> str:
    """Which programs made these lookups, in words."""
    sender = "the sender's program asks conntrack, the ipcache (identity, tunnel endpoint) " \
             "and cilium_lxc (an endpoint here?)"
    receiver = "the destination's program asks conntrack and the pod's own policy map"
    if maps[:1] == ["cilium_lxc"]:
        return f"cilium_lxc as the packet comes out of the tunnel, then {receiver}"
    return sender + (f"; then {receiver}" if len(maps) > 3 else "")


def check_maps_on_node(cl: Cluster, src: str, dst: str, node: str, answer: object, *,
                       proto: str = "icmp") -> Feedback:
    """Check the BPF maps ``node`` consults for the request ``src`` → ``dst``, in order.

    Parameters
    ----------
    cl : Cluster
    src, dst : str
        Endpoints, as :func:`~kpath_nb.trace` takes them.
    node : str
        The node whose eBPF programs are asked about.
    answer : object
        Map names in order: a list, or text such as ``"cilium_lxc, cilium_ct_any4_global"``.
        A policy map may be written without its leading zeros; ``cilium_ipcache``
        (the name before v1.18) counts for ``cilium_ipcache_v2``.
    proto : {"icmp", "udp", "tcp"}

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_maps_on_node(cl, "apartment-12", "apartment-22", "building-blue",
    ...                    "cilium_ct_any4_global, cilium_ipcache, cilium_lxc").status
    'correct'
    >>> check_maps_on_node(cl, "apartment-12", "apartment-22", "building-green",
    ...                    ["cilium_ct_any4_global", "cilium_ipcache_v2", "cilium_lxc"]).status
    'incorrect'
    """
    tr = trace(cl, src, dst, proto, reply=False)
    expected = [lk.table for hop in tr.request_hops if hop.node == node
                for lk in hop.lookups if lk.table.startswith("cilium_")]
    read = items(answer, ordered=True)
    if read is not UNREADABLE:
        read = [_map(item) for item in read]
    praise = f"{node} consults {' → '.join(expected)}: {_programs(expected)}."
    hint = (f"Trace the request and read the lookups of {node}'s hops (from-endpoint, "
            f"from-overlay, to-endpoint). Only BPF maps count: their names start with "
            f"'cilium_'. A policy map is named after the endpoint ID of the pod it guards; "
            f"conntrack keeps TCP apart from every other protocol.")
    return judge_read(f"BPF maps on {node} for {src} → {dst}", answer, read, expected, praise,
                      hint, form="a list of map names in order, like [\"cilium_abc\", ...]")


# -- the outer header ---------------------------------------------------------------------

_HEADER = ("src", "dst", "dport", "vni")
_HEADER_ALIASES = {"source": "src", "destination": "dst", "port": "dport", "udp": "dport",
                   "udp port": "dport", "destination port": "dport", "dst port": "dport",
                   "identity": "vni", "outer src": "src", "outer dst": "dst"}


def _leg(tr: Trace, direction: str) -> tuple[Hop, ...]:
    return tr.request_hops if direction == "request" else tr.reply_hops


def check_outer_header(cl: Cluster, src: str, dst: str, answer: object, *,
                       direction: str = "request") -> Feedback:
    """Check the outer header of the tunnelled packet ``src`` → ``dst`` (or of its reply).

    Parameters
    ----------
    cl : Cluster
    src, dst : str
        Endpoints, as :func:`~kpath_nb.trace` takes them.
    answer : object
        A dict ``{"src": ..., "dst": ..., "dport": ..., "vni": ...}``: the outer
        IPv4 source and destination (addresses, or node names), the UDP
        destination port and the VXLAN VNI; or those four in a list, in that
        order. ``"none"`` when the packet does not enter the tunnel.
    direction : {"request", "reply"}

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_outer_header(cl, "apartment-12", "apartment-22",
    ...                    {"src": "192.168.100.10", "dst": "building-green",
    ...                     "dport": 8472, "vni": 256}).status
    'correct'
    >>> print(check_outer_header(cl, "apartment-12", "apartment-22",
    ...                          ["192.168.100.10", "192.168.100.20", 4789, 256]).message)
    not quite: dport is not right.
    """
    hop = next((h for h in _leg(trace(cl, src, dst), direction) if h.action == "encap"), None)
    exercise = f"outer header of {src} → {dst}" + ("" if direction == "request" else " (reply)")
    if hop is None:
        expected: object = "no tunnel"
        praise = "This packet never enters the tunnel: it has no outer header."
    else:
        outer = {"src": hop.packet[IPv4].src, "dst": hop.packet[IPv4].dst,
                 "dport": hop.packet[UDP].dport, "vni": hop.packet[VXLAN].vni}
        expected = outer
        who = ("the sender's security identity" if outer["vni"] >= MIN_ALLOCATED else
               f"the reserved identity {reserved_name(outer['vni'])}, as a node's own packets "
               f"travel")
        praise = (f"{outer['src']} → {outer['dst']}, UDP {outer['dport']}, VNI {outer['vni']}: "
                  f"node to node on the node network, to the tunnel's port, with {who} as VNI.")
    hint = ("The outer IPv4 header is written by the sending node and read by the node network: "
            "whose addresses does it know? The UDP port is the tunnel's (the cluster's "
            "settings). The VNI carries who sent the packet on this leg: a pod's security "
            "identity, or a reserved one for a node's own packets.")
    form = ("a dict like {\"src\": \"192.0.2.1\", \"dst\": \"192.0.2.2\", \"dport\": 1234, "
            "\"vni\": 300}")
    if isinstance(answer, str) and text(answer).lower() in _NO_TUNNEL:
        return judge_read(exercise, answer, "no tunnel", expected, praise, hint)
    given = _fields(answer, _HEADER, _HEADER_ALIASES)
    if given is None:
        return judge_read(exercise, answer, UNREADABLE, expected, praise, hint, form=form)
    read = {"src": _node_address(cl, given["src"]), "dst": _node_address(cl, given["dst"]),
            "dport": _number(given["dport"]), "vni": _number(given["vni"])}
    if not isinstance(expected, dict):
        return judge_read(exercise, answer, read, expected, praise, hint)
    wrong = _wrong(expected, read)
    if not wrong:
        return Feedback(exercise, "correct", praise)
    verb = "is" if len(wrong) == 1 else "are"
    return Feedback(exercise, "incorrect", f"not quite: {_listed(wrong)} {verb} not right.",
                    hint)


# -- TTLs ---------------------------------------------------------------------------------

_TTLS = ("request", "outer", "reply")
_TTL_ALIASES = {"inner": "request", "request ttl": "request", "outer ttl": "outer",
                "reply ttl": "reply", "answer": "reply", "tunnel": "outer"}


def check_ttls(cl: Cluster, src: str, dst: str, ttl: int, answer: object) -> Feedback:
    """Check three TTLs of a ping from ``src`` to ``dst`` sent with ``ping -t ttl``.

    The TTL of the request as ``dst`` receives it; the TTL in the outer IPv4
    header as the tunnelled request reaches the far node (``"none"`` if it is
    not tunnelled); the TTL of the echo reply as ``src`` receives it.

    Parameters
    ----------
    cl : Cluster
    src, dst : str
        Endpoints, as :func:`~kpath_nb.trace` takes them.
    ttl : int
        The TTL the sender puts in the request.
    answer : object
        The three in that order, a list (``[63, 64, 63]``), or a dict with the
        keys ``"request"``, ``"outer"`` and ``"reply"``.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_ttls(cl, "apartment-12", "apartment-22", 10, {"request": 9, "outer": 64,
    ...                                                    "reply": 63}).status
    'correct'
    >>> print(check_ttls(cl, "apartment-12", "apartment-22", 10, [9, 9, 9]).message)
    not quite: outer and reply are not right.
    """
    tr = trace(cl, src, dst, ttl=ttl)
    arrived = tr.request_hops[-1]
    tunnelled = next((h for h in tr.request_hops if h.action == "deliver"
                      and h.packet.get(VXLAN) is not None), None)
    back = tr.reply_hops[-1] if tr.reply_hops else None
    expected = {"request": arrived.packet[IPv4].ttl,
                "outer": tunnelled.packet[IPv4].ttl if tunnelled else "none",
                "reply": back.packet[IPv4].ttl if back and tr.delivered else "none"}
    exercise = f"TTLs of ping -t {ttl} from {src} to {dst}"
    praise = (f"The request arrives with TTL {expected['request']} (one less: Cilium lowers it "
              f"once, as it delivers to {dst}); the outer header is a new header, written with "
              f"the node's own TTL ({expected['outer']}); and the reply starts afresh at the "
              f"replier's default, arriving with {expected['reply']}.")
    hint = ("Follow the TTL field of the innermost IPv4 header through a trace made with "
            "kp.trace(..., ttl=...): who lowers it, and how often? The outer header is written "
            "by the node when it wraps the packet, and the reply is a new packet sent by the "
            "destination, with its own starting TTL.")
    form = "three whole numbers in a list, like [10, 20, 30]"
    given = _fields(answer, _TTLS, _TTL_ALIASES)
    if given is None:
        return judge_read(exercise, answer, UNREADABLE, expected, praise, hint, form=form)
    read = {name: ("none" if text(value).lower() in _NO_TUNNEL else _number(value))
            for name, value in given.items()}
    wrong = _wrong(expected, read)
    if not wrong:
        return Feedback(exercise, "correct", praise)
    verb = "is" if len(wrong) == 1 else "are"
    return Feedback(exercise, "incorrect", f"not quite: {_listed(wrong)} {verb} not right.",
                    hint)


# -- what is broken, and where ------------------------------------------------------------


def _node_network(cl: Cluster, node: K8sNode) -> IPv4Network:
    """The subnet of the node network ``node`` is cabled to: its switch's, else the most
    common one among the nodes' eth0 addresses."""
    switch = cl.underlay.segment_switch(node.name, "eth0")
    if switch is not None and switch.subnet is not None:
        return switch.subnet
    counts = Counter(n.interfaces["eth0"].ip.network for n in cl.nodes.values())
    return counts.most_common(1)[0][0]


def _incident(cl: Cluster, backends: Sequence[str]) -> tuple[str, str | IPv4Address] | None:
    """What is broken and where, from the cluster's state; None when nothing is."""
    for address_text in backends:
        ip = IPv4Address(address_text)
        if cl.owner_of(ip) is None:
            return "stale ip", ip
    for node in cl.nodes.values():
        eth0 = node.interfaces["eth0"]
        if not eth0.up:
            return "interface down", node.name
        if eth0.ip.network != _node_network(cl, node):
            return "wrong mask", node.name
    for name, allocator in cl.allocators.items():
        if len(allocator.owners) >= allocator.size:
            return "ipam exhausted", name
    return None


def _place(cl: Cluster, answer: object) -> object:
    """A node named (by name or eth0 address), as its name; else an address."""
    said = text(answer).lower()
    for name, node in cl.nodes.items():
        if said == name.lower():
            return name
    read = address(answer)
    holder = next((name for name, node in cl.nodes.items() if node.ip == read), None)
    return holder or read


def _explain(cl: Cluster, kind: str, where: str | IPv4Address) -> str:
    if kind == "stale ip":
        node = cl.node_by_cidr(where)
        inside = f", inside {node.name}'s pod CIDR {node.pod_cidr}," if node else ""
        return (f"nobody holds {where}{inside} any more: the pod that had it is gone, so "
                f"cilium_lxc has no endpoint for it and Cilium drops the packet (Stale or "
                f"unroutable IP). A pod that comes back gets a new address: find backends by "
                f"name or through a Service, never by a remembered IP.")
    node = cl.nodes[where]
    if kind == "interface down":
        return (f"{where}'s eth0 is down. {where} lost its connected route to the node network "
                f"(no route for its own tunnel packets), and nobody's ARP request reaches it: "
                f"its pods are cut off from the other nodes. ip link set dev eth0 up mends it.")
    if kind == "wrong mask":
        return (f"{where}'s eth0 is {node.interfaces['eth0'].ip}, but the node network is "
                f"{_node_network(cl, node)}: {where} has no route to the nodes outside "
                f"{node.interfaces['eth0'].ip.network}, so its tunnel packets to them (and its "
                f"replies) go nowhere. Give eth0 the node network's mask.")
    allocator = cl.allocators[where]
    return (f"{where}'s pod CIDR {allocator.cidr} is full ({allocator.status()}): the CNI "
            f"plugin gets no address for a new pod there. Delete pods, or give nodes bigger "
            f"blocks (a smaller mask size) before they join.")


def check_incident(cl: Cluster, client: str, backends: Sequence[str], answer: object
                   ) -> Feedback:
    """Check a diagnosis of ``cl``: what is broken (a word of :data:`INCIDENTS`) and where.

    The fault is read from the cluster's state: an address among ``backends``
    that nobody holds (``"stale ip"``, where = that address), a node whose
    ``eth0`` is down (``"interface down"``) or whose ``eth0`` mask differs from
    the node network's (``"wrong mask"``), or a node whose pod CIDR has no
    free address left (``"ipam exhausted"``); where = the node.

    Parameters
    ----------
    cl : Cluster
    client : str
        The pod that reported trouble.
    backends : list of str
        The addresses ``client`` sends to.
    answer : object
        What and where, in that order: a pair (``("wrong mask", "node-2")``), a
        dict ``{"what": ..., "where": ...}``, or text ``"wrong mask, node-2"``.
        A node may be named by its name or its eth0 address.

    Returns
    -------
    Feedback

    Raises
    ------
    KpathError
        When nothing in ``cl`` is broken in one of these ways.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> old = str(cl.pods["apartment-22"].ip)
    >>> cl.delete_pod("apartment-22")
    >>> check_incident(cl, "apartment-12", [old, "10.0.10.14"], ["stale ip", old]).status
    'correct'
    >>> print(check_incident(cl, "apartment-12", [old], ("stale ip", "building-green")).message)
    not quite: what is broken is right, but not where.
    """
    found = _incident(cl, backends)
    if found is None:
        raise KpathError(f"nothing in {cl.name} is broken in a way check_incident knows "
                         f"({', '.join(INCIDENTS)})")
    kind, where = found
    exercise = f"what is broken for {client}, and where"
    praise = f"Yes: {kind} at {where}. " + _explain(cl, kind, where)
    hint = (f"Trace from {client} to each backend and read where and why each failing trace "
            f"ends (tr.reason, the last hop, tr.hubble()). Then look at the place it points "
            f"to: the node's eth0 (is it up? its mask?), the endpoints in its pod CIDR "
            f"(cilium_dbg(node, 'bpf endpoint list')), its IPAM (cilium_dbg(node, "
            f"'status --verbose')). If every backend answers, look for a node that can take "
            f"no new pod. Name the cause, not the symptom: one of {', '.join(INCIDENTS)}; "
            f"where is a node's name, or the address for a stale IP.")
    form = "two things in a list: [\"what\", \"where\"]"
    if isinstance(answer, str):
        parts: object = [p for p in re.split(r"\s*[,;@]\s*|\s+(?:at|on)\s+", answer.strip())
                         if p]
    else:
        parts = _fields(answer, ("what", "where"),
                        {"kind": "what", "fault": "what", "place": "where", "node": "where"})
        parts = None if parts is None else [parts["what"], parts["where"]]
    if not isinstance(parts, list) or len(parts) != 2:
        return judge_read(exercise, answer, UNREADABLE, found, praise, hint, form=form)
    what = word(parts[0], INCIDENTS, _INCIDENT_SYNONYMS)
    place = _place(cl, parts[1])
    if what == kind and place == where:
        return Feedback(exercise, "correct", praise)
    if what == kind:
        message = "not quite: what is broken is right, but not where."
    elif place == where:
        message = "not quite: the place is right, but not what is broken there."
    else:
        message = "not quite." if what is not UNREADABLE else (
            f"not quite: say what is broken with one of: {', '.join(INCIDENTS)}.")
    return Feedback(exercise, "incorrect", message, hint)
