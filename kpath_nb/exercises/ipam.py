"""Checks for the exercises of notebook 05, CNI and IPAM.

Every check works the right answer out from the model (the cluster's CIDR
assignments and allocators, or a fresh allocator built for the question), so no
answer key is written down anywhere, and returns a
:class:`~kpath_nb.exercises.Feedback`. Answers are accepted in the forms a
learner would write them: a CIDR as text or an :class:`~ipaddress.IPv4Network`,
a number as digits or text, an owner as a pod name with or without its
namespace, or as ``cilium-dbg status --verbose`` names it (``router``,
``health``). Nothing a learner types makes a check raise; an answer a check
cannot read is simply not right.

Examples
--------
>>> import kpath_nb as kp
>>> from kpath_nb.exercises import ipam
>>> cl = kp.load_topology("seed-cilium-buildings")
>>> bool(ipam.check_node_cidr(cl, "building-green", "10.0.20.0/24"))
True
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network

from ..addr import parse_address
from ..cluster import Cluster
from ..ipam import IpamExhaustedError, NodeAllocator, PodCidrAllocator
from . import Feedback
from .answers import (UNREADABLE, address_and_prefix, judge_read, says_nothing, text,
                      whole_number)

__all__ = ["check_node_cidr", "check_usable_addresses", "check_address_owner",
           "check_max_nodes", "check_next_node_cidr"]


def _cidr(answer: object) -> IPv4Network | object:
    """A CIDR written with its prefix length (``"10.0.1.0/24"``), or UNREADABLE."""
    read = address_and_prefix(answer)
    if read is UNREADABLE or read[1] is None:
        return UNREADABLE
    try:
        return IPv4Network(f"{read[0]}/{read[1]}")
    except ValueError:  # host bits set: "10.0.1.7/24" is an address, not a block
        return UNREADABLE


def check_node_cidr(cl: Cluster, node: str, answer: object) -> Feedback:
    """Check the pod CIDR IPAM gave ``node``.

    Parameters
    ----------
    cl : Cluster
    node : str
        A node name.
    answer : object
        The CIDR with its prefix length: ``"10.0.1.0/24"`` or an
        :class:`~ipaddress.IPv4Network`.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_node_cidr(cl, "building-blue", " 10.0.10.0/24 ").status
    'correct'
    >>> check_node_cidr(cl, "building-blue", "10.0.10.0").status
    'incorrect'
    """
    expected = cl.nodes[node].pod_cidr
    where = ("CiliumNode spec.ipam.podCIDRs" if cl.config.ipam_mode == "cluster-pool"
             else "Node spec.podCIDR")
    praise = (f"{node}'s {where} holds {expected}; its router IP, health IP and every pod IP "
              f"on it come from this block.")
    hint = (f"Every address IPAM handed out on {node} (cilium-dbg status --verbose) lies in "
            f"one block; the IPAM line names it. Write it with its prefix length.")
    return judge_read(f"pod CIDR of {node}", answer, _cidr(answer), expected, praise, hint,
                      form="a CIDR in quotes, like \"192.0.2.0/24\"")


def check_usable_addresses(mask_size: int, answer: object, *, pods_only: bool = False
                           ) -> Feedback:
    """Check how many addresses the agent can hand out in one node's /``mask_size`` CIDR.

    Parameters
    ----------
    mask_size : int
        The node CIDR's prefix length (``clusterPoolIPv4MaskSize``).
    answer : object
        A whole number (``254``, ``"254"``).
    pods_only : bool
        Count only what is left for pods, after the agent took the router IP
        and the health endpoint's IP.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> check_usable_addresses(24, 254).status
    'correct'
    >>> check_usable_addresses(24, "252", pods_only=True).status
    'correct'
    >>> check_usable_addresses(24, 256).status
    'incorrect'
    """
    allocator = NodeAllocator(IPv4Network(f"10.0.0.0/{mask_size}"), seed="exercise")
    if pods_only:
        allocator.allocate("router")
        allocator.allocate("health")
    expected = allocator.size - len(allocator.owners)
    block = 2 ** (32 - mask_size)
    what = "pods" if pods_only else "addresses"
    if pods_only:
        praise = (f"A /{mask_size} holds {block} addresses; the network and broadcast "
                  f"addresses are never handed out, and the agent keeps one for the router "
                  f"(cilium_host) and one for the health endpoint: {expected} pods.")
    else:
        praise = (f"A /{mask_size} holds {block} addresses; the allocator leaves out the "
                  f"network and the broadcast address: {expected} usable.")
    hint = (f"A /{mask_size} leaves 32 - {mask_size} bits for the address inside the block. "
            f"Which addresses of a block are never handed out?"
            + (" And which two does the agent take for itself before any pod?"
               if pods_only else ""))
    return judge_read(f"usable {what} in a /{mask_size}", answer, whole_number(answer),
                      expected, praise, hint, form="a whole number")


_ROUTER = {"router", "router ip", "cilium_host", "cilium host", "ciliuminternalip",
           "cilium internal ip", "the router", "gateway", "door 11", "lobby"}
_HEALTH = {"health", "cilium-health", "cilium health", "health endpoint", "lxc_health",
           "the health endpoint", "cilium-health endpoint"}
_FREE = {"free", "nobody", "no one", "noone", "unallocated", "not allocated", "unused",
         "stale", "available", "none", "nothing", "-"}


def _owner_word(cl: Cluster, answer: object, node: str | None) -> str | object:
    """What the learner named: "router", "health", "free", "node:<name>" or "<ns>/<pod>".

    ``"building-blue router"`` counts as "router" only when ``node`` is building-blue.
    """
    if not isinstance(answer, str):
        return UNREADABLE
    said = " ".join(text(answer).lower().split()).strip("()")
    for role, words in (("router", _ROUTER), ("health", _HEALTH)):
        head, _, tail = said.rpartition(" ")
        if said in words or (tail == role and head.removesuffix("'s") == (node or "").lower()):
            return role
    if said in _FREE or says_nothing(said):
        return "free"
    for pod in cl.pods.values():
        if said in (pod.name.lower(), pod.qualified_name.lower()):
            return pod.qualified_name
    for name in cl.nodes:
        if said == name.lower():
            return f"node:{name}"
    return said  # a name the cluster no longer has (a deleted pod's) is a wrong answer


def _owner_of(cl: Cluster, ip: IPv4Address) -> str:
    """The owner of ``ip`` as :func:`_owner_word` writes it."""
    for allocator in cl.allocators.values():
        owner = allocator.owners.get(ip)
        if owner is not None:
            return owner
    for name, node in cl.nodes.items():
        if node.ip == ip:
            return f"node:{name}"
    return "free"


def check_address_owner(cl: Cluster, ip: str, answer: object) -> Feedback:
    """Check who holds ``ip`` in the cluster right now.

    Parameters
    ----------
    cl : Cluster
    ip : str
        An IPv4 address.
    answer : str
        A pod's name (``"apartment-12"`` or ``"default/apartment-12"``),
        ``"router"`` (the node's ``cilium_host``), ``"health"`` (the
        cilium-health endpoint), a node's name for a node's own address, or
        ``"free"`` (also ``"nobody"``) for an address nobody holds.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_address_owner(cl, "10.0.10.12", "apartment-12").status
    'correct'
    >>> check_address_owner(cl, "10.0.20.21", "cilium_host").status
    'correct'
    >>> check_address_owner(cl, "10.0.10.99", "nobody").status
    'correct'
    >>> check_address_owner(cl, "10.0.10.12", "apartment-14").status
    'incorrect'
    """
    target = parse_address(ip)
    expected = _owner_of(cl, target)
    node = cl.node_by_cidr(target)
    read = _owner_word(cl, answer, None if node is None else node.name)
    if expected == "router":
        praise = (f"{target} is {node.name}'s router IP: it sits on cilium_host as a /32 and "
                  f"is the gateway of every pod in the building.")
    elif expected == "health":
        praise = (f"{target} belongs to {node.name}'s cilium-health endpoint, which the agent "
                  f"gives an address before any pod.")
    elif expected == "free":
        inside = f" inside {node.name}'s {node.pod_cidr}" if node is not None else ""
        praise = (f"Nobody holds {target}{inside} right now: IPAM may hand it to the next pod, "
                  f"and traffic sent to it is dropped.")
    elif expected.startswith("node:"):
        praise = f"{target} is {expected[5:]}'s own address on the node network (eth0)."
    else:
        praise = f"IPAM gave {target} to {expected}."
    hint = ("Look the address up in the IPAM allocations of the node whose pod CIDR holds it "
            "(cilium-dbg status --verbose, or cl.allocators[node].allocations()), and "
            "remember that pods come and go.")
    return judge_read(f"who holds {target}", answer, read, expected, praise, hint,
                      form="a pod's name, \"router\", \"health\", a node's name or \"free\"")


def check_max_nodes(pool: str | Iterable[str], mask_size: int, answer: object) -> Feedback:
    """Check how many nodes can get a pod CIDR of /``mask_size`` from ``pool``.

    Parameters
    ----------
    pool : str or list of str
        The pool, e.g. ``"10.0.0.0/8"`` or ``["10.0.0.0/16", "10.1.0.0/16"]``.
    mask_size : int
        The prefix length of each node's CIDR.
    answer : object
        A whole number (``65536``, ``"65,536"``, ``"65 536"``).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> check_max_nodes("10.0.0.0/8", 24, "65,536").status
    'correct'
    >>> check_max_nodes("10.0.0.0/8", 24, 65534).status
    'incorrect'
    """
    pools = [pool] if isinstance(pool, str) else list(pool)
    expected = PodCidrAllocator(pools, mask_size).capacity()
    shown = ", ".join(pools)
    read = whole_number(text(answer).replace(",", "") if isinstance(answer, str) else answer)
    praise = (f"Each node takes one /{mask_size}; {shown} "
              f"{'hold' if len(pools) > 1 else 'holds'} {expected} of them. Unlike "
              f"addresses in a block, none of the blocks is set aside, so the node count is "
              f"a plain power of two per pool CIDR.")
    hint = (f"How many bits lie between the pool's prefix length and /{mask_size}? Each of "
            f"them doubles the number of blocks.")
    return judge_read(f"nodes that fit in {shown} at /{mask_size}", answer, read, expected,
                      praise, hint, form="a whole number")


def check_next_node_cidr(cl: Cluster, answer: object) -> Feedback:
    """Check which pod CIDR the next node to join ``cl`` would get.

    The operator hands out the lowest free block of the pool, so the answer is
    worked out on a copy of the cluster's assignments; ``cl`` is not changed.

    Parameters
    ----------
    cl : Cluster
    answer : object
        The CIDR with its prefix length: ``"10.0.3.0/24"`` or an
        :class:`~ipaddress.IPv4Network`.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("cilium-three-nodes")
    >>> check_next_node_cidr(cl, "10.0.3.0/24").status
    'correct'
    >>> sorted(cl.cidrs.assigned)
    ['kind-control-plane', 'kind-worker', 'kind-worker2']
    """
    trial = copy.deepcopy(cl.cidrs)
    newcomer = "new-node"
    while newcomer in trial.assigned:
        newcomer += "-"
    try:
        expected: object = trial.assign(newcomer)
    except IpamExhaustedError:  # the pool is full: no block for a newcomer
        expected = "none"
    read = "none" if says_nothing(answer) else _cidr(answer)
    taken = ", ".join(str(c) for c in sorted(cl.cidrs.assigned.values()))
    praise = (f"The blocks taken so far are {taken}; the next node gets the lowest free "
              f"/{cl.config.mask_size} of the pool, {expected}." if expected != "none" else
              f"Every /{cl.config.mask_size} of the pool is taken: a new node gets none.")
    hint = ("List the pod CIDRs the nodes already hold (cl.cidrs.assigned) and the pool "
            "(cl.config.pool). The operator hands out blocks from the start of the pool, "
            "skipping those that are taken.")
    return judge_read("pod CIDR of the next node", answer, read, expected, praise, hint,
                      form="a CIDR in quotes, like \"192.0.2.0/24\"")
