"""Synthetic clusters of any size, for measuring how the series scales.

Examples
--------
>>> cl = generate_cluster(nodes=3, pods_per_node=2, seed=1)
>>> len(cl.nodes), len(cl.pods)
(3, 6)
>>> sorted(str(n.pod_cidr) for n in cl.nodes.values())
['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']
"""

from __future__ import annotations

from ipaddress import IPv4Network

from .cluster import CiliumConfig, Cluster, K8sNode
from .errors import KpathError
from .topology import Topology

__all__ = ["generate_cluster", "NODE_NETWORK", "APPS"]

NODE_NETWORK = IPv4Network("172.16.0.0/16")
"""The node network of generated clusters: room for 65,534 nodes."""

APPS = ("web", "api", "db", "cache", "queue")
"""Pods get ``app`` labels from this list in turn, so identities repeat across pods."""


def generate_cluster(nodes: int = 3, pods_per_node: int = 10, seed: int | str = 0) -> Cluster:
    """A cluster of ``nodes`` nodes on one switch, each running ``pods_per_node`` pods.

    Parameters
    ----------
    nodes : int
        Number of Kubernetes nodes, named ``node-1`` ... ``node-N``, on 172.16.0.0/16.
    pods_per_node : int
        Pods per node, named ``pod-<node>-<k>``; at most 252 with /24 pod CIDRs
        (254 usable addresses less the router and health IPs).
    seed : int or str
        Makes the agents' address choices reproducible.

    Returns
    -------
    Cluster
        With Cilium's defaults: VXLAN tunnel, BPF host routing, cluster-pool 10.0.0.0/8 /24.
    """
    if not 1 <= nodes < NODE_NETWORK.num_addresses - 2:
        raise KpathError(f"nodes must be between 1 and {NODE_NETWORK.num_addresses - 3}")
    if not 0 <= pods_per_node <= 252:
        raise KpathError("pods_per_node must be between 0 and 252 (a /24 holds 254 "
                         "addresses, two of them for the router and health endpoint)")
    underlay = Topology("generated", f"{nodes} nodes x {pods_per_node} pods")
    underlay.add_switch("node-switch", subnet=str(NODE_NETWORK))
    names = [f"node-{i}" for i in range(1, nodes + 1)]
    for i, name in enumerate(names, start=1):
        address = NODE_NETWORK.network_address + i
        underlay.add_endpoint(K8sNode(name), interfaces={"eth0": f"{address}/16"})
        underlay.add_link(f"{name}:eth0", f"node-switch:eth{i}")
    cluster = Cluster(underlay, CiliumConfig(seed=str(seed)))
    for name in names:
        cluster.join(name, refresh=False)
    cluster.refresh_routes()
    for name in names:
        for k in range(1, pods_per_node + 1):
            cluster.add_pod(f"pod-{name[5:]}-{k}", name, {"app": APPS[k % len(APPS)]})
    return cluster
