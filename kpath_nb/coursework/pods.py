"""Notebook 04's exercises, one variant per student: gateways, corridors, routes, identities.

Every student gets a small cluster of their own, shaped like a kind cluster
(:func:`random_cluster`): its name, its pods, the agents' address choices and
the node network's MTU come from the student's generator, so the addresses,
MACs and device names in the answers are theirs alone. The judging is done by
:mod:`kpath_nb.exercises.pods`, which works each answer out from the cluster.

Examples
--------
>>> from kpath_nb.coursework import question
>>> q = question("04.1", "s2412345", salt="fall-2026")
>>> pod = q.cluster.pods[q.pod]
>>> q.check(str(q.cluster.nodes[pod.node].router_ip)).status
'correct'
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from random import Random

from ..cluster import CiliumConfig, Cluster
from ..errors import KpathError
from ..exercises import pods
from ..generate import cluster_on_switch
from .questions import Variant, exercise

__all__ = ["random_cluster"]

_NAMES = ("kind", "dev", "lab", "demo", "blue", "green", "orbit", "harbor")
_APPS = ("web", "api", "shop", "cart", "auth", "search", "db", "cache", "queue", "mail")
_SAFE = "bcdfghjklmnpqrstvwxz2456789"
"""The characters Kubernetes uses in generated names (no vowels, no look-alikes)."""


def _hash(rng: Random, length: int) -> str:
    return "".join(rng.choice(_SAFE) for _ in range(length))


def random_cluster(rng: Random, *, nodes: int = 3, apps: int = 3,
                   replicas: tuple[int, int] = (1, 3), pool: Iterable[str] = ("10.0.0.0/8",),
                   mask_size: int = 24, ipam_mode: str = "cluster-pool", device_mtu: int = 1500,
                   pinned: dict[int, str] | None = None) -> Cluster:
    """A small kind-shaped cluster drawn from ``rng``: a control plane, workers, deployments.

    The nodes (``<name>-control-plane``, ``<name>-worker``, ``<name>-worker2``, ...)
    stand on the Docker bridge 172.18.0.0/16 and join in that order. CoreDNS runs
    on the control plane in ``kube-system``; ``apps`` deployments of ``replicas``
    pods each (``web-<template hash>-<pod hash>``, label ``app``) run on the
    workers, in ``default``. The agents' random choices come from ``rng`` too.

    Parameters
    ----------
    rng : random.Random
        The student's generator; the same state gives the same cluster.
    nodes : int
        Two or more.
    apps : int
        Deployments on the workers.
    replicas : (int, int)
        The fewest and most pods a deployment has.
    pool, mask_size, ipam_mode, device_mtu
        As for :class:`~kpath_nb.cluster.CiliumConfig`.
    pinned : dict of int to str, optional
        Pod CIDRs given to nodes by hand, by the node's place in the join order
        (0 for the control plane); the others get the lowest free block.

    Returns
    -------
    Cluster

    Raises
    ------
    KpathError
        When ``nodes`` is less than 2 (a kind cluster's pods run on its workers).

    Examples
    --------
    >>> cl = random_cluster(Random(7), nodes=3, apps=2, replicas=(2, 2))
    >>> len(cl.nodes), len(cl.pods)
    (3, 5)
    >>> [str(n.pod_cidr) for n in cl.nodes.values()]
    ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']
    """
    if nodes < 2:
        raise KpathError(f"a kind-shaped cluster needs a control plane and a worker: "
                         f"nodes must be 2 or more, not {nodes}")
    name = rng.choice(_NAMES)
    names = [f"{name}-control-plane", f"{name}-worker",
             *(f"{name}-worker{i}" for i in range(2, nodes))]
    config = CiliumConfig(ipam_mode=ipam_mode, pool=tuple(pool), mask_size=mask_size,
                          device_mtu=device_mtu, seed=str(rng.randrange(10 ** 6)))
    cluster = cluster_on_switch(
        name, "docker-bridge", "172.18.0.0/16",
        {node: f"172.18.0.{i + 1}/16" for i, node in enumerate(names, start=1)}, config,
        description=f"a kind-shaped cluster of {nodes} nodes",
        pod_cidrs={names[place]: cidr for place, cidr in (pinned or {}).items()})
    cluster.add_pod(f"coredns-{_hash(rng, 10)}-{_hash(rng, 5)}", names[0],
                    {"k8s-app": "kube-dns"}, namespace="kube-system")
    for app in rng.sample(_APPS, apps):
        template = _hash(rng, 10)
        for _ in range(rng.randint(*replicas)):
            cluster.add_pod(f"{app}-{template}-{_hash(rng, 5)}", rng.choice(names[1:]),
                            {"app": app})
    return cluster


def _pool(rng: Random) -> str:
    """A pod CIDR pool a cluster might well use."""
    return rng.choice(("10.0.0.0/8", "10.244.0.0/16", "10.42.0.0/16", "192.168.0.0/16",
                       "172.20.0.0/14"))


def _cluster(rng: Random, **settings: object) -> Cluster:
    """The cluster of one notebook-04 exercise: three or four nodes, a common pool."""
    return random_cluster(rng, nodes=rng.randint(3, 4), pool=(_pool(rng),), **settings)


def _app_pod(rng: Random, cl: Cluster) -> str:
    """A pod of one of the deployments (not CoreDNS)."""
    return rng.choice([name for name, pod in cl.pods.items() if pod.namespace == "default"])


@exercise("04.1", "the pod's gateway")
def _pod_gateway(rng: Random) -> Variant:
    cl = _cluster(rng)
    pod = _app_pod(rng, cl)
    return Variant(f"In your cluster (`cluster`), to which IP address does the pod `{pod}` "
                   f"(on `{cl.pods[pod].node}`) send every packet first? Answer an address "
                   f"in quotes.", {"cluster": cl, "pod": pod},
                   partial(pods.check_pod_gateway, cl, pod))


@exercise("04.2", "the MAC that answers")
def _gateway_mac(rng: Random) -> Variant:
    cl = _cluster(rng)
    pod = _app_pod(rng, cl)
    peer = rng.choice([name for name in cl.pods if name != pod])
    return Variant(f"In your cluster (`cluster`), the pod `{pod}` pings `{peer}`. Before its "
                   f"first packet it asks ARP *who-has* for its gateway's address. Which MAC "
                   f"address comes back in the reply? Answer six hex pairs in quotes.",
                   {"cluster": cl, "pod": pod, "peer": peer},
                   partial(pods.check_gateway_mac, cl, pod))


@exercise("04.3", "the corridor")
def _lxc_device(rng: Random) -> Variant:
    cl = _cluster(rng)
    pod = _app_pod(rng, cl)
    node = cl.node_of(pod)
    ifindex = node.ifindex[cl.pods[pod].lxc]
    return Variant(f"In your cluster (`cluster`), `ip link` inside the pod `{pod}` shows its "
                   f"interface as `{cl.pods[pod].ifindex}: eth0@if{ifindex}`: the other end "
                   f"of its veth pair is device number {ifindex} on `{node.name}`. What is that device's name? "
                   f"Answer it in quotes.", {"cluster": cl, "pod": pod, "ifindex": ifindex},
                   partial(pods.check_lxc_device, cl, pod))


@exercise("04.4", "room for the tunnel?")
def _route_mtu(rng: Random) -> Variant:
    mtu = rng.choice((1500, 1500, 1460, 1400, 9000))
    cl = _cluster(rng, device_mtu=mtu)
    node = rng.choice(list(cl.nodes))
    local = rng.random() < 0.5  # a pod on the node itself, or one behind the tunnel
    pod = rng.choice([p for p in cl.pods.values() if (p.node == node) == local]
                     or list(cl.pods.values()))
    destination = str(pod.ip)
    return Variant(f"In your cluster (`cluster`) the nodes' `eth0` have an MTU of {mtu}. The "
                   f"node `{node}` sends a packet to `{destination}`. What MTU does the route it "
                   f"picks give the packet? Answer a whole number, or `\"none\"` if the route "
                   f"has no `mtu` attribute.",
                   {"cluster": cl, "node": node, "destination": destination},
                   partial(pods.check_node_route_mtu, cl, node, destination))


@exercise("04.5", "one identity or two?")
def _shared_identity(rng: Random) -> Variant:
    cl = _cluster(rng, apps=3, replicas=(2, 3))
    by_app: dict[str, list[str]] = {}
    for name, pod in cl.pods.items():
        if pod.namespace == "default":
            by_app.setdefault(pod.labels["app"], []).append(name)
    case = rng.choice(("same", "same", "other app", "other namespace"))
    if case == "same":  # two replicas of one deployment
        pod_a, pod_b = rng.sample(by_app[rng.choice(sorted(by_app))], 2)
    elif case == "other app":
        app_a, app_b = rng.sample(sorted(by_app), 2)
        pod_a, pod_b = rng.choice(by_app[app_a]), rng.choice(by_app[app_b])
    else:  # the same deployment, copied into another namespace
        pod_a = rng.choice([name for names in by_app.values() for name in names])
        original = cl.pods[pod_a]
        namespace = rng.choice(("staging", "team-a", "preview"))
        template = original.name.rsplit("-", 2)[1]
        pod_b = f"{original.labels['app']}-{template}-{_hash(rng, 5)}"
        cl.add_pod(pod_b, rng.choice(list(cl.nodes)[1:]), original.labels,
                   namespace=namespace)
    if rng.random() < 0.5:
        pod_a, pod_b = pod_b, pod_a
    a, b = cl.pods[pod_a], cl.pods[pod_b]
    return Variant(f"In your cluster (`cluster`), do the pods `{a.qualified_name}` (on "
                   f"`{a.node}`) and `{b.qualified_name}` (on `{b.node}`) have the same "
                   f"security identity? Answer `\"yes\"` or `\"no\"`.",
                   {"cluster": cl, "pod_a": pod_a, "pod_b": pod_b},
                   partial(pods.check_shared_identity, cl, pod_a, pod_b))
