"""The routes Cilium's agent writes on every node for the cluster's pod CIDRs, as an index.

In tunnel mode the agent on each node installs, after the node's own routes, one route
per joined node's pod CIDR (``<pod CIDR> via <router IP> dev cilium_host proto kernel src <router IP>``,
with ``mtu`` the tunnel MTU for the other nodes' CIDRs) and one to its router IP
(``<router IP> dev cilium_host proto kernel scope link``). A thousand nodes would hold a million such
routes, alike but for each node's router IP: here every node's routes come from one
shared index of the pod CIDRs (:class:`JoinedCidrs`), and a node's
(:class:`AgentRoutes`, a :class:`~kpath_nb.tables.RouteIndex`) are written out only as a
lookup needs them, or all at once when someone reads the node's routes.

Examples
--------
>>> import kpath_nb as kp
>>> cl = kp.load_topology("seed-cilium-buildings")
>>> blue, green = cl.nodes["building-blue"], cl.nodes["building-green"]
>>> routes = AgentRoutes(blue.name, blue.router_ip, JoinedCidrs([blue, green], 1450))
>>> for route in routes.covering(int(green.pod_cidr.network_address) + 22):
...     print(route)
10.0.20.0/24 via 10.0.10.11 dev cilium_host proto kernel src 10.0.10.11 mtu 1450
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

from .tables import Route
from .topology import Host

__all__ = ["JoinedCidrs", "AgentRoutes"]


class JoinedCidrs:
    """The nodes that had joined at the last :meth:`~kpath_nb.cluster.Cluster.refresh_routes`,
    and an index of their pod CIDRs built on first use: shared by the agent routes of every
    node.

    Parameters
    ----------
    joined : list of K8sNode
        The joined nodes (each with its ``pod_cidr``), in join order: the order of their
        routes.
    tunnel_mtu : int
        The MTU on routes to other nodes' pod CIDRs.
    """

    def __init__(self, joined: list[Host], tunnel_mtu: int) -> None:
        self.joined = joined
        self.tunnel_mtu = tunnel_mtu
        self._levels: list[tuple[int, dict[int, list[int]]]] | None = None

    def covering(self, ip: int) -> list[int]:
        """Positions in ``joined`` of the nodes whose pod CIDR covers ``ip``, in order."""
        if self._levels is None:
            by_length: dict[int, dict[int, list[int]]] = {}
            for position, node in enumerate(self.joined):
                cidr = node.pod_cidr
                by_length.setdefault(cidr.prefixlen, {}).setdefault(
                    int(cidr.network_address), []).append(position)
            self._levels = [((0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF, cidrs)
                            for length, cidrs in by_length.items()]
        return sorted(position for mask, cidrs in self._levels
                      for position in cidrs.get(ip & mask, ()))


class AgentRoutes:
    """The routes Cilium's agent writes on one node after its own: a route per joined
    node's pod CIDR via the router IP, then one to the router IP; a
    :class:`~kpath_nb.tables.RouteIndex` that writes out only the routes asked for.

    Parameters
    ----------
    node : str
        The node they are on.
    router_ip : IPv4Address
        Its router IP (on ``cilium_host``).
    joined : JoinedCidrs
    """

    def __init__(self, node: str, router_ip: IPv4Address, joined: JoinedCidrs) -> None:
        self.node = node
        self.router_ip = router_ip
        self.joined = joined

    def __len__(self) -> int:
        return len(self.joined.joined) + 1

    def routes(self) -> list[Route]:
        """All of them, in ``ip route`` add order."""
        return [self._to(other) for other in self.joined.joined] + [self._to_router()]

    def covering(self, ip: int) -> list[Route]:
        """Those whose prefix covers ``ip``, in table order."""
        found = [self._to(self.joined.joined[position])
                 for position in self.joined.covering(ip)]
        if ip == int(self.router_ip):
            found.append(self._to_router())
        return found

    def _to(self, other: Host) -> Route:
        return Route(other.pod_cidr, "cilium_host", self.router_ip, proto="kernel",
                     src=self.router_ip,
                     mtu=None if other.name == self.node else self.joined.tunnel_mtu)

    def _to_router(self) -> Route:
        return Route(IPv4Network((int(self.router_ip), 32)), "cilium_host", proto="kernel",
                     scope="link")
