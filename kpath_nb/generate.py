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

import gc
from collections.abc import Mapping
from ipaddress import IPv4Network
from random import Random

from .cluster import CiliumConfig, Cluster, K8sNode
from .errors import KpathError
from .topology import Topology

__all__ = ["generate_cluster", "cluster_on_switch", "random_network", "NODE_NETWORK", "APPS"]

NODE_NETWORK = IPv4Network("172.16.0.0/16")
"""The node network of generated clusters: room for 65,534 nodes."""

APPS = ("web", "api", "db", "cache", "queue")
"""Pods get ``app`` labels from this list in turn, so identities repeat across pods."""


def cluster_on_switch(name: str, switch: str, subnet: str, interfaces: Mapping[str, str],
                      config: CiliumConfig, *, description: str = "",
                      label: str | None = None,
                      pod_cidrs: Mapping[str, str] | None = None) -> Cluster:
    """Kubernetes nodes on one switch, each joined by Cilium in order: a cluster without pods.

    Parameters
    ----------
    name : str
        The cluster's (and its node network's) name.
    switch : str
        The node network's switch; node ``i`` (from 1) is cabled to its port ``eth<i>``.
    subnet : str
        The node network, such as ``"172.18.0.0/16"``.
    interfaces : mapping of str to str
        Each node's ``eth0`` address with its prefix length, in join order.
    config : CiliumConfig
    description : str
        What the node network is, in a few words.
    label : str, optional
        The switch's label in pictures (its name when not given).
    pod_cidrs : mapping of str to str, optional
        Pod CIDRs given to some nodes by hand; the others get the next free block.

    Returns
    -------
    Cluster
        With the agents' routes installed on every node.

    Examples
    --------
    >>> cl = cluster_on_switch("kind", "docker-bridge", "172.18.0.0/16",
    ...                        {"kind-control-plane": "172.18.0.2/16",
    ...                         "kind-worker": "172.18.0.3/16"}, CiliumConfig())
    >>> [str(node.pod_cidr) for node in cl.nodes.values()]
    ['10.0.0.0/24', '10.0.1.0/24']
    """
    underlay = Topology(name, description)
    underlay.add_switch(switch, subnet=subnet, label=label)
    for port, (node, address) in enumerate(interfaces.items(), start=1):
        underlay.add_endpoint(K8sNode(node), interfaces={"eth0": address})
        underlay.add_link(f"{node}:eth0", f"{switch}:eth{port}")
    cluster = Cluster(underlay, config)
    for node in interfaces:
        cluster.join(node, pod_cidr=(pod_cidrs or {}).get(node), refresh=False)
    cluster.refresh_routes()
    return cluster


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
        With Cilium's defaults: VXLAN tunnel, legacy host routing, cluster-pool 10.0.0.0/8 /24.
    """
    if not 1 <= nodes < NODE_NETWORK.num_addresses - 2:
        raise KpathError(f"nodes must be between 1 and {NODE_NETWORK.num_addresses - 3}")
    if not 0 <= pods_per_node <= 252:
        raise KpathError("pods_per_node must be between 0 and 252 (a /24 holds 254 "
                         "addresses, two of them for the router and health endpoint)")
    # Building makes millions of objects and no garbage: the cyclic collector would only
    # scan them again and again (half the time at 1000 nodes), so it waits until the end.
    collecting = gc.isenabled()
    gc.disable()
    try:
        names = [f"node-{i}" for i in range(1, nodes + 1)]
        cluster = cluster_on_switch(
            "generated", "node-switch", str(NODE_NETWORK),
            {name: f"{NODE_NETWORK.network_address + i}/16" for i, name in enumerate(names, 1)},
            CiliumConfig(seed=str(seed)), description=f"{nodes} nodes x {pods_per_node} pods")
        for name in names:
            for k in range(1, pods_per_node + 1):
                cluster.add_pod(f"pod-{name[5:]}-{k}", name, {"app": APPS[k % len(APPS)]})
    finally:
        if collecting:
            gc.enable()
    return cluster


FAULTS = ("none", "missing-return", "missing-default", "loop")
"""What :func:`random_network` may break on purpose, besides overlapping prefixes."""


def random_network(seed: int) -> Topology:
    """A random but valid routed network: a chain of routers with a LAN at each end.

    One to four routers ``r1`` ... ``rN`` stand in a line, each pair on its own
    /30 (``192.168.<i>.0/30``). The left LAN ``10.1.<x>.0/24`` hangs on switch
    ``sw-left`` in front of ``r1``, the right LAN ``10.2.<y>.0/24`` on
    ``sw-right`` behind ``rN``, with one or two hosts each. Some networks also
    get overlapping prefixes: a side router ``rs`` with LAN ``10.2.<z>.0/24``
    behind ``r1``, so that ``r1`` holds a /16 and a /24 towards different
    routers. Some are broken on purpose, one fault each: a router without the
    route back to the left LAN (``missing-return``), a host without its default
    route (``missing-default``), or two routers sending the right LAN back and
    forth (``loop``). The description says which.

    Parameters
    ----------
    seed : int
        The same seed always gives the same network.

    Returns
    -------
    Topology
        Named ``random-<seed>``.

    Examples
    --------
    >>> net = random_network(16)
    >>> print(net.description)
    3 routers in a chain from 10.1.225.0/24 to 10.2.156.0/24; r2 sends ... a routing loop.
    >>> random_network(16).summary() == net.summary()
    True
    >>> from kpath_nb.tracer import trace
    >>> trace(net, "h1", "h3").cause
    'ttl-exceeded'
    """
    rng = Random(f"random-network-{seed}")
    fault = rng.choice(FAULTS)
    routers = rng.randint({"loop": 3, "missing-return": 2}.get(fault, 1), 4)
    overlap = rng.random() < 0.4
    x, y, z = rng.randrange(256), *rng.sample(range(256), 2)
    left, right, side = (IPv4Network(f"10.1.{x}.0/24"), IPv4Network(f"10.2.{y}.0/24"),
                         IPv4Network(f"10.2.{z}.0/24"))
    wide = IPv4Network("10.2.0.0/16")

    def west(i: int) -> str:  # r<i>'s address towards the left LAN
        return f"{left.network_address + 1}" if i == 1 else f"192.168.{i - 1}.2"

    def east(i: int) -> str:  # r<i>'s address towards the right LAN
        return f"{right.network_address + 1}" if i == routers else f"192.168.{i}.1"

    routes: dict[int, list[str]] = {}
    for i in range(1, routers + 1):
        towards_left = [] if i == 1 else (
            [f"default via {east(i - 1)}"] if rng.random() < 0.5 or i == routers
            else [f"{left} via {east(i - 1)}"])
        towards_right = [] if i == routers else (
            [f"{right} via {west(i + 1)}"] if towards_left and towards_left[0].startswith(
                "default") else [f"default via {west(i + 1)}"])
        routes[i] = towards_left + towards_right
    story = [f"{routers} router{'s' if routers > 1 else ''} in a chain from {left} to {right}"]
    if overlap and routers > 1:  # r1's default towards r2 becomes the /16
        routes[1] = [f"{wide} via {west(2)}", f"{side} via 192.168.100.2"]
        for i in range(2, routers + 1):  # the side LAN lies behind r1, whatever the defaults say
            if not routes[i] or not routes[i][0].startswith("default"):
                routes[i].insert(0, f"{side} via {east(i - 1)}")
        story.append(f"r1 sends {wide} to r2 but {side} to the side router rs")
    elif overlap:  # r1 holds the right LAN itself: a connected /24 inside the /16
        routes[1] = [f"{wide} via 192.168.100.2"]
        story.append(f"r1 reaches {right} directly but the rest of {wide} through rs")
    if fault == "missing-return":
        i = rng.randint(2, routers)
        routes[i] = [f"{right} via {west(i + 1)}"] if i < routers else []
        story.append(f"r{i} has no route back to {left}")
    elif fault == "loop":
        i = rng.randint(2, routers - 1)
        routes[i] = [f"{left} via {east(i - 1)}", f"{right} via {east(i - 1)}"]
        story.append(f"r{i} sends {right} back to r{i - 1}: a routing loop")

    net = Topology(f"random-{seed}", "; ".join(story) + ".")
    net.add_switch("sw-left", subnet=str(left))
    net.add_switch("sw-right", subnet=str(right))
    for i in range(1, routers + 1):
        interfaces = {"eth0": f"{west(i)}/{24 if i == 1 else 30}",
                      "eth1": f"{east(i)}/{24 if i == routers else 30}"}
        if i == 1 and overlap:
            interfaces["eth2"] = "192.168.100.1/30"
        net.add_router(f"r{i}", interfaces, routes=routes[i])
        if i > 1:
            net.add_link(f"r{i - 1}:eth1", f"r{i}:eth0")
    net.add_link("r1:eth0", "sw-left:eth1")
    net.add_link(f"r{routers}:eth1", "sw-right:eth1")
    lans = [("sw-left", left, rng.randint(1, 2)), ("sw-right", right, rng.randint(1, 2))]
    if overlap:
        net.add_switch("sw-side", subnet=str(side))
        net.add_router("rs", {"eth0": "192.168.100.2/30", "eth1": f"{side.network_address + 1}/24"},
                       gateway="192.168.100.1")
        net.add_link("r1:eth2", "rs:eth0")
        net.add_link("rs:eth1", "sw-side:eth1")
        lans.append(("sw-side", side, 1))
    hosts = [(switch, subnet, f"{subnet.network_address + octet}/24")
             for switch, subnet, count in lans
             for octet in sorted(rng.sample(range(10, 250), count))]
    lame = rng.randrange(len(hosts)) if fault == "missing-default" else None
    for n, (switch, subnet, address) in enumerate(hosts, start=1):
        gateway = None if n - 1 == lame else str(subnet.network_address + 1)
        net.add_host(f"h{n}", ip=address, gateway=gateway)
        net.add_link(f"h{n}:eth0", f"{switch}:eth{n + 1}")
        if gateway is None:
            net.description += f" h{n} has no default route."
    return net
