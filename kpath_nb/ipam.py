"""IP address management (IPAM) as Cilium does it: pod CIDRs per node, pod IPs per CIDR.

Two steps hand out an apartment number:

1. **Each node gets a pod CIDR.** In Cilium's default ``cluster-pool`` mode the
   operator carves ``/24`` blocks (``clusterPoolIPv4MaskSize``) out of the pool
   (``clusterPoolIPv4PodCIDRList``, default ``10.0.0.0/8``) and writes them into the
   node's CiliumNode resource (``spec.ipam.podCIDRs``). In ``kubernetes``
   (host-scope) mode kube-controller-manager does the same from its
   ``--cluster-cidr`` into the Node's ``spec.podCIDR``.
2. **The agent on the node allocates addresses inside it**: first the router IP
   (``cilium_host``) and the health endpoint's IP, then one per pod. Cilium's
   allocator picks a random offset and scans forward to the next free address,
   which is why real pod IPs look scattered; here the randomness comes from a
   seed, so every run gives the same addresses.

Examples
--------
>>> cidrs = PodCidrAllocator(["10.0.0.0/8"], 24)
>>> cidrs.assign("node-a"), cidrs.assign("node-b")
(IPv4Network('10.0.0.0/24'), IPv4Network('10.0.1.0/24'))
>>> node = NodeAllocator(cidrs.assigned["node-a"], seed="demo/node-a")
>>> ip = node.allocate("router")
>>> ip in cidrs.assigned["node-a"], node.status()
(True, 'IPv4: 1/254 allocated from 10.0.0.0/24')
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network
from typing import Iterable

from .addr import parse_address, parse_network
from .errors import KpathError

__all__ = ["IpamError", "IpamExhaustedError", "PodCidrAllocator", "NodeAllocator",
           "CLUSTER_POOL_DEFAULT", "MASK_SIZE_DEFAULT"]

CLUSTER_POOL_DEFAULT = ("10.0.0.0/8",)
"""Helm ``ipam.operator.clusterPoolIPv4PodCIDRList`` default."""
MASK_SIZE_DEFAULT = 24
"""Helm ``ipam.operator.clusterPoolIPv4MaskSize`` default."""


class IpamError(KpathError, ValueError):
    """An address request IPAM cannot honour: outside the range, or already taken."""


class IpamExhaustedError(IpamError):
    """No free pod CIDR left in the pool, or no free address left in a node's CIDR."""


@dataclass
class PodCidrAllocator:
    """Hands each node a pod CIDR of ``mask_size`` bits out of the pool, lowest free first.

    Parameters
    ----------
    pools : iterable of str
        The pool, e.g. ``["10.0.0.0/8"]``.
    mask_size : int
        Prefix length of each node's CIDR (24 gives 254 usable addresses a node).
    """

    pools: list[IPv4Network]
    mask_size: int
    assigned: dict[str, IPv4Network] = field(default_factory=dict)

    def __init__(self, pools: Iterable[str | IPv4Network], mask_size: int) -> None:
        if not isinstance(mask_size, int) or isinstance(mask_size, bool):
            raise IpamError(f"mask size {mask_size!r} must be a whole number, like 24")
        self.pools = [parse_network(p) for p in pools]
        if not self.pools:
            raise IpamError("the pod CIDR pool is empty; give at least one network like 10.0.0.0/8")
        for pool in self.pools:
            if not pool.prefixlen <= mask_size <= 30:
                raise IpamError(f"mask size /{mask_size} does not fit pool {pool}: it must be "
                                f"between /{pool.prefixlen} and /30")
        for i, a in enumerate(self.pools):
            for b in self.pools[i + 1:]:
                if a.overlaps(b):
                    raise IpamError(f"pool CIDRs {a} and {b} overlap")
        self.mask_size = mask_size
        self.assigned = {}
        self._owners: dict[IPv4Network, str] = {}
        self._lowest_free = 0  # every block before this one (counting through the pools) is taken

    def assign(self, node: str, pinned: str | IPv4Network | None = None) -> IPv4Network:
        """Give ``node`` a pod CIDR: ``pinned`` if given (it must be free and in the pool),
        else the lowest free block."""
        if node in self.assigned:
            return self.assigned[node]
        taken = self._owners
        if pinned is not None:
            cidr = parse_network(pinned)
            if cidr.prefixlen != self.mask_size or not any(cidr.subnet_of(p) for p in self.pools):
                raise IpamError(f"pod CIDR {cidr} for {node} must be a /{self.mask_size} inside "
                                f"the pool {', '.join(map(str, self.pools))}")
            owner = self._owners.get(cidr)
            if owner is not None:
                raise IpamError(f"pod CIDR {cidr} for {node} is already {owner}'s")
            self.assigned[node] = cidr
            self._owners[cidr] = node
            return cidr
        for index in range(self._lowest_free, self.capacity()):
            cidr = self._block(index)
            if cidr not in taken:
                self.assigned[node] = cidr
                self._owners[cidr] = node
                self._lowest_free = index + 1
                return cidr
        raise IpamExhaustedError(
            f"no free /{self.mask_size} left in the pool {', '.join(map(str, self.pools))} "
            f"for node {node}: {len(taken)} node{'s hold' if len(taken) != 1 else ' holds'} all "
            f"of it; add a CIDR to the pool")

    def release(self, node: str) -> None:
        """Take back a node's CIDR (the node left the cluster)."""
        cidr = self.assigned.pop(node, None)
        if cidr is not None:
            del self._owners[cidr]
            self._lowest_free = min(self._lowest_free, self._index_of(cidr))

    def owner(self, cidr: IPv4Network) -> str | None:
        """The node holding ``cidr``, or None."""
        return self._owners.get(cidr)

    def capacity(self) -> int:
        """How many node CIDRs the pool holds."""
        return sum(2 ** (self.mask_size - p.prefixlen) for p in self.pools)

    def _block(self, index: int) -> IPv4Network:
        """The ``index``-th block of the pool, counting through its CIDRs in order."""
        for pool in self.pools:
            blocks = 2 ** (self.mask_size - pool.prefixlen)
            if index < blocks:
                return IPv4Network((int(pool.network_address) + (index << (32 - self.mask_size)),
                                    self.mask_size))
            index -= blocks
        raise IndexError(index)

    def _index_of(self, cidr: IPv4Network) -> int:
        """Where ``cidr`` stands among the pool's blocks (see :meth:`_block`)."""
        index = 0
        for pool in self.pools:
            if cidr.subnet_of(pool):
                return index + ((int(cidr.network_address) - int(pool.network_address))
                                >> (32 - self.mask_size))
            index += 2 ** (self.mask_size - pool.prefixlen)
        raise ValueError(f"{cidr} is not in the pool")


@dataclass
class NodeAllocator:
    """The agent's allocator for one node's pod CIDR: random offset, then scan forward.

    Parameters
    ----------
    cidr : IPv4Network
        The node's pod CIDR. Its network and broadcast addresses are never handed out.
    seed : str
        Makes the random offsets reproducible.
    """

    cidr: IPv4Network
    seed: str = ""
    owners: dict[IPv4Address, str] = field(default_factory=dict)
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(f"{self.seed}/{self.cidr}")

    @property
    def size(self) -> int:
        """Usable addresses: all but the network and broadcast addresses."""
        return self.cidr.num_addresses - 2

    def allocate(self, owner: str, pinned: str | IPv4Address | None = None) -> IPv4Address:
        """An address for ``owner``: ``pinned`` if given, else Cilium's random-scan choice."""
        first = self.cidr.network_address + 1
        if pinned is not None:
            ip = parse_address(pinned)
            if not first <= ip < self.cidr.broadcast_address:
                raise IpamError(f"{ip} for {owner} is not a usable address of {self.cidr}")
            if ip in self.owners:
                raise IpamError(f"{ip} for {owner} is already allocated to {self.owners[ip]}")
            self.owners[ip] = owner
            return ip
        size = self.size
        if len(self.owners) >= size:
            raise IpamExhaustedError(
                f"{self.cidr} is full: all {size} addresses are allocated, so {owner} "
                f"gets none (delete a pod, or give nodes larger CIDRs)")
        offset = self._rng.randrange(size)
        scan = (first + (offset + step) % size for step in range(size))
        ip = next(candidate for candidate in scan if candidate not in self.owners)
        self.owners[ip] = owner
        return ip

    def release(self, ip: IPv4Address) -> None:
        """Give an address back; it may be handed out again later."""
        self.owners.pop(ip, None)

    def status(self) -> str:
        """The IPAM line of ``cilium-dbg status``: ``IPv4: 4/254 allocated from 10.0.1.0/24``."""
        return f"IPv4: {len(self.owners)}/{self.size} allocated from {self.cidr}"

    def allocations(self) -> list[tuple[IPv4Address, str]]:
        """Addresses and owners, sorted by address, as ``cilium-dbg status --verbose`` lists them."""
        return sorted(self.owners.items())
