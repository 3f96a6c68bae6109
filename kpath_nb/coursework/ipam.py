"""Notebook 05's exercises, one variant per student: blocks, counts, owners and the next node.

The pools and mask sizes are drawn from the student's generator, and so are
the clusters (see :func:`~kpath_nb.coursework.pods.random_cluster`): kind-shaped,
with cluster-pool or Kubernetes host-scope IPAM, the agents' choices their own.
The judging is done by :mod:`kpath_nb.exercises.ipam`, which works each answer
out from the model.

Examples
--------
>>> from kpath_nb.coursework import question
>>> q = question("05.4", "s2412345", salt="fall-2026")
>>> from ipaddress import ip_network
>>> q.check(sum(2 ** (q.mask_size - ip_network(p).prefixlen) for p in q.pool)).status
'correct'
"""

from __future__ import annotations

from functools import partial
from ipaddress import IPv4Network
from random import Random

from ..cluster import Cluster
from ..exercises import ipam
from .pods import random_cluster
from .questions import Variant, exercise

__all__: list[str] = []

_COMMON_POOLS = ("10.0.0.0/8", "10.244.0.0/16", "10.42.0.0/16", "192.168.0.0/16")


def _block(rng: Random, prefixlen: int) -> IPv4Network:
    """A random ``/prefixlen`` inside 10.0.0.0/8 (``prefixlen`` 8 or more)."""
    index = rng.randrange(2 ** (prefixlen - 8))
    return IPv4Network(((10 << 24) + (index << (32 - prefixlen)), prefixlen))


def _pool(rng: Random) -> str:
    """A pool that holds at least 16 blocks of any mask size from /24 to /27."""
    if rng.random() < 0.5:
        return rng.choice(_COMMON_POOLS)
    return str(_block(rng, rng.randint(12, 20)))


def _setting(mode: str, pools: list[str], mask_size: int) -> str:
    """How the pool and mask size are written where ``mode`` takes them from."""
    if mode == "kubernetes":
        return (f"Kubernetes host-scope IPAM: kube-controller-manager runs with "
                f"`--cluster-cidr={','.join(pools)}` and `--node-cidr-mask-size={mask_size}`")
    quoted = ", ".join(f'"{p}"' for p in pools)
    return (f"Cilium's cluster-pool IPAM with `clusterPoolIPv4PodCIDRList: [{quoted}]` and "
            f"`clusterPoolIPv4MaskSize: {mask_size}`")


def _assignments(cl: Cluster) -> str:
    return ", ".join(f"`{node}` → `{cidr}`" for node, cidr in cl.cidrs.assigned.items())


@exercise("05.1", "a node's block")
def _node_cidr(rng: Random) -> Variant:
    mode = rng.choice(("cluster-pool", "cluster-pool", "kubernetes"))
    pool, mask_size = _pool(rng), rng.randint(24, 27)
    cl = random_cluster(rng, nodes=rng.randint(3, 4), pool=(pool,), mask_size=mask_size,
                        ipam_mode=mode)
    node = rng.choice(list(cl.nodes)[1:])
    order = ", ".join(f"`{name}`" for name in cl.nodes)
    return Variant(f"Your cluster (`cluster`) uses {_setting(mode, [pool], mask_size)}. Its "
                   f"nodes registered in this order: {order}. Which pod CIDR did `{node}` get? "
                   f"Answer a CIDR in quotes, like `\"192.0.2.0/24\"`.",
                   {"cluster": cl, "node": node}, partial(ipam.check_node_cidr, cl, node))


@exercise("05.2", "room for pods")
def _room(rng: Random) -> Variant:
    mask_size = rng.randint(20, 29)
    pods_only = rng.random() < 2 / 3
    if pods_only:
        text = (f"A cluster gives every node a `/{mask_size}` of pod addresses "
                f"(`clusterPoolIPv4MaskSize: {mask_size}`). How many pods can one node run "
                f"before IPAM runs out? Answer a whole number.")
    else:
        text = (f"A node's pod CIDR is a `/{mask_size}`. Before any pod starts, `cilium-dbg "
                f"status` on it prints `IPAM: IPv4: 2/N allocated from …`. What is N, the "
                f"number of addresses the agent can hand out in that block? Answer a whole "
                f"number.")
    return Variant(text, {"mask_size": mask_size, "pods_only": pods_only},
                   partial(ipam.check_usable_addresses, mask_size, pods_only=pods_only))


@exercise("05.3", "whose address?")
def _owner(rng: Random) -> Variant:
    cl = random_cluster(rng, nodes=3, pool=(_pool(rng),), mask_size=rng.randint(24, 27),
                        ipam_mode=rng.choice(("cluster-pool", "kubernetes")))
    node = cl.nodes[rng.choice(list(cl.nodes))]
    owner = rng.choice(("pod", "pod", "router", "health", "free"))
    if owner == "pod":
        target = rng.choice(list(cl.pods.values())).ip
    elif owner == "router":
        target = node.router_ip
    elif owner == "health":
        target = node.health_ip
    else:
        taken = cl.allocators[node.name].owners
        target = rng.choice([ip for ip in node.pod_cidr.hosts() if ip not in taken])
    address = str(target)
    return Variant(f"In your cluster (`cluster`), who holds `{address}` right now? Answer a "
                   f"pod's name, `\"router\"`, `\"health\"`, a node's name, or `\"free\"` if "
                   f"nobody does.", {"cluster": cl, "address": address},
                   partial(ipam.check_address_owner, cl, address))


@exercise("05.4", "how many nodes?")
def _max_nodes(rng: Random) -> Variant:
    mask_size = rng.randint(22, 28)
    prefixlen = rng.randint(max(8, mask_size - 16), mask_size - 2)
    pools = [str(_block(rng, prefixlen))]
    mode = rng.choice(("cluster-pool", "kubernetes"))
    if mode == "cluster-pool" and prefixlen >= 12 and rng.random() < 0.4:
        extra = IPv4Network(pools[0])  # a second CIDR, added later to grow the pool
        while extra.overlaps(IPv4Network(pools[0])):
            extra = _block(rng, rng.randint(max(prefixlen, mask_size - 16), mask_size - 2))
        pools.append(str(extra))
    return Variant(f"A cluster uses {_setting(mode, pools, mask_size)}. How many nodes can get "
                   f"a block? Answer a whole number.", {"pool": pools, "mask_size": mask_size},
                   partial(ipam.check_max_nodes, pools, mask_size))


@exercise("05.5", "the next building")
def _next_node_cidr(rng: Random) -> Variant:
    mask_size = rng.randint(24, 27)
    story = rng.choice(("in order", "pinned", "spill", "full"))
    nodes = rng.choice((2, 4)) if story in ("spill", "full") else rng.randint(2, 4)
    pinned: dict[int, str] = {}
    if story in ("spill", "full"):  # the first pool CIDR holds exactly one block per node
        first = _block(rng, mask_size - {2: 1, 4: 2}[nodes])
        pools = [str(first)]
        if story == "spill":
            second = _block(rng, rng.randint(16, 22))
            while second.overlaps(first):
                second = _block(rng, second.prefixlen)
            pools.append(str(second))
    else:
        pools = [_pool(rng)]
    if story == "pinned":  # one node was given a block by hand, further up the pool
        start, index = IPv4Network(pools[0]).network_address, rng.randint(nodes - 1, nodes + 2)
        pinned[rng.randrange(nodes)] = str(IPv4Network((int(start) + (index << (32 - mask_size)),
                                                        mask_size)))
    cl = random_cluster(rng, nodes=nodes, pool=pools, mask_size=mask_size, apps=2,
                        pinned=pinned)
    return Variant(f"Your cluster (`cluster`) uses {_setting('cluster-pool', pools, mask_size)}. "
                   f"The nodes hold: {_assignments(cl)}. A new node joins. Which pod CIDR will "
                   f"the operator give it? Answer a CIDR in quotes, or `\"none\"` if the pool "
                   f"has no free block left.", {"cluster": cl},
                   partial(ipam.check_next_node_cidr, cl))
