"""Notebook 08's exercises, the capstone: a student's own clusters, one packet, two tickets.

Every exercise builds a small cluster of its own from the student's generator:
two to four nodes on a flat node network (addresses, names and pod CIDR pool
drawn for the student), a few pods with generated names and app labels,
Cilium's defaults otherwise. The first five exercises ask for a prediction of
one packet's journey (devices, maps, outer header, TTLs, Hubble's points); the
last two hand the student a cluster with one thing broken on purpose and a
ticket describing the symptom. The judging is done by
:mod:`kpath_nb.exercises.capstone` (and :mod:`kpath_nb.exercises.maps` for
Hubble's points), which work the answers out from the model.

Examples
--------
>>> from kpath_nb.coursework import question
>>> q = question("08.4", "s2412345", salt="fall-2026")
>>> q.cluster.pods[q.source].node != q.cluster.pods[q.destination].node
True
>>> q.check([q.ttl - 1, 64, 63]).status
'correct'
"""

from __future__ import annotations

from functools import partial
from ipaddress import IPv4Address, IPv4Network
from random import Random

from ..cluster import CiliumConfig, Cluster
from ..exercises import capstone, maps
from ..generate import cluster_on_switch
from .questions import Variant, exercise

__all__: list[str] = []

_NODE_NAMES = (("node-1", "node-2", "node-3", "node-4"),
               ("worker-a", "worker-b", "worker-c", "worker-d"),
               ("kind-control-plane", "kind-worker", "kind-worker2", "kind-worker3"),
               ("k8s-01", "k8s-02", "k8s-03", "k8s-04"))
_APPS = ("web", "api", "db", "cache", "queue", "auth", "search", "cart", "mail", "chat")
_NAMESPACES = ("default", "shop", "blog", "lab")
_SUFFIX = "bcdfghjklmnpqrstvwxz2456789"
"""The characters Kubernetes uses for the random part of generated pod names."""

_INCIDENT_MASK = 29
"""Pod CIDR size of the tickets' clusters: 6 addresses a node, 4 of them for pods."""

_WORDS = ", ".join(f'`"{word}"`' for word in capstone.INCIDENTS)


def _node_network(rng: Random, count: int) -> tuple[IPv4Network, list[IPv4Address]]:
    """A node network and ``count`` node addresses on it: kind's, or drawn at random."""
    style = rng.randrange(3)
    if style == 0:  # kind: the Docker network, nodes numbered from .2
        network = IPv4Network("172.18.0.0/16")
        return network, [network.network_address + 2 + i for i in range(count)]
    if style == 1:
        network = IPv4Network(f"192.168.{rng.randrange(256)}.0/24")
    else:
        network = IPv4Network(f"172.{rng.randint(16, 31)}.0.0/16")
    hosts = rng.sample(range(2, network.num_addresses - 1), count)
    return network, [network.network_address + h for h in sorted(hosts)]


def _pod_name(rng: Random, app: str, taken: set[str]) -> str:
    while True:
        name = f"{app}-{''.join(rng.choice(_SUFFIX) for _ in range(5))}"
        if name not in taken:
            return name


def _cluster(rng: Random, name: str, pods_per_node: list[int], *, mask_size: int,
             network: IPv4Network | None = None, addresses: list[IPv4Address] | None = None,
             prefixes: dict[int, int] | None = None) -> Cluster:
    """A cluster of ``len(pods_per_node)`` nodes with that many pods each.

    ``network`` and ``addresses`` give the node network (else drawn);
    ``prefixes`` gives some nodes (by position) another prefix length on eth0.
    """
    count = len(pods_per_node)
    if network is None or addresses is None:
        network, addresses = _node_network(rng, count)
    names = rng.choice(_NODE_NAMES)[:count]
    pool = f"10.{rng.randrange(256)}.0.0/16"
    config = CiliumConfig(pool=(pool,), mask_size=mask_size, seed=str(rng.randrange(10 ** 6)))
    cl = cluster_on_switch(
        name, "node-switch", str(network),
        {node: f"{address}/{(prefixes or {}).get(i, network.prefixlen)}"
         for i, (node, address) in enumerate(zip(names, addresses))},
        config, description=f"a cluster of {count} nodes on {network}")
    apps = rng.sample(_APPS, rng.randint(2, 4))
    namespace = rng.choice(_NAMESPACES)
    for node, pods in zip(names, pods_per_node):
        for _ in range(pods):
            app = rng.choice(apps)
            cl.add_pod(_pod_name(rng, app, set(cl.pods)), node, {"app": app},
                       namespace=namespace)
    return cl


def _small(rng: Random, name: str) -> Cluster:
    """Two or three nodes with one to three pods each, /24 to /26 pod CIDRs."""
    return _cluster(rng, name, [rng.randint(1, 3) for _ in range(rng.randint(2, 3))],
                    mask_size=rng.choice((24, 25, 26)))


def _pair(rng: Random, cl: Cluster, *, same_node: bool) -> tuple[str, str]:
    """Two pods, on the same node or on different ones (the cluster must have such a pair)."""
    pods = sorted(cl.pods)
    pairs = [(a, b) for a in pods for b in pods if a != b
             and (cl.pods[a].node == cl.pods[b].node) == same_node]
    return rng.choice(pairs)


def _where(cl: Cluster, name: str) -> str:
    """``pod (on node)`` or ``node``, in Markdown."""
    pod = cl.pods.get(name)
    return f"`{name}`" if pod is None else f"`{name}` (on {pod.node})"


# -- part 1: one packet's path --------------------------------------------------------------


@exercise("08.1", "the path, device by device", points=2)
def _path(rng: Random) -> Variant:
    cl = _small(rng, "path")
    source, destination = _pair(rng, cl, same_node=False)
    return Variant(
        f"In your cluster (`q1.cluster`), {_where(cl, source)} pings "
        f"{_where(cl, destination)}. List the network devices the echo request passes, in "
        f"order: every device of a pod or a node it goes in or out of, from `{source}`'s "
        f"`eth0` to `{destination}`'s `eth0`, each once, leaving out the node network's switch "
        f"and the ARP frames. Write each by its name, like `\"eth0\"`, or with its owner, "
        f"like `\"{cl.pods[source].node}:eth0\"`.",
        {"cluster": cl, "source": source, "destination": destination},
        partial(capstone.check_path_devices, cl, source, destination))


@exercise("08.2", "maps on one node")
def _maps(rng: Random) -> Variant:
    cl = _small(rng, "maps")
    has_pair = any(len(cl.pods_on(n)) > 1 for n in cl.nodes)
    same_node = has_pair and rng.random() < 0.35
    source, destination = _pair(rng, cl, same_node=same_node)
    node = rng.choice(sorted({cl.pods[source].node, cl.pods[destination].node}))
    proto = rng.choice(("icmp", "udp", "tcp"))
    return Variant(
        f"{_where(cl, source)} sends {'an' if proto == 'icmp' else 'a'} {proto.upper()} packet "
        f"to {_where(cl, destination)} "
        f"in `q2.cluster` (`kp.trace(q2.cluster, q2.source, q2.destination, q2.proto)`). Which "
        f"BPF maps do the eBPF programs on **{node}** consult for this packet, in order? Count "
        f"only BPF maps, whose names start with `cilium_`. Write a list of names.",
        {"cluster": cl, "source": source, "destination": destination, "proto": proto,
         "node": node},
        partial(capstone.check_maps_on_node, cl, source, destination, node, proto=proto))


@exercise("08.3", "the outer header")
def _outer(rng: Random) -> Variant:
    cl = _small(rng, "tunnel")
    source, destination = _pair(rng, cl, same_node=False)
    direction = "request"
    if rng.random() < 0.25:  # the node itself sends: its kubelet, say
        source = cl.pods[source].node
    elif rng.random() < 0.4:
        direction = "reply"
    packet = "echo request" if direction == "request" else "echo reply"
    return Variant(
        f"{_where(cl, source)} pings {_where(cl, destination)} in `q3.cluster`. Predict the "
        f"outer header of the tunnelled **{packet}**: the outer IPv4 source and destination, "
        f"the UDP destination port and the VXLAN VNI. Write a dict: "
        f"`{{\"src\": ..., \"dst\": ..., \"dport\": ..., \"vni\": ...}}`.",
        {"cluster": cl, "source": source, "destination": destination, "direction": direction},
        partial(capstone.check_outer_header, cl, source, destination, direction=direction))


@exercise("08.4", "TTLs")
def _ttls(rng: Random) -> Variant:
    cl = _small(rng, "ttl")
    source, destination = _pair(rng, cl, same_node=False)
    ttl = rng.randint(3, 128)
    return Variant(
        f"{_where(cl, source)} runs `ping -t {ttl} {cl.pods[destination].ip}` to reach "
        f"{_where(cl, destination)} in `q4.cluster` (`kp.trace(..., ttl={ttl})`). Give three "
        f"TTLs, in a list: the echo request's as `{destination}` receives it; the outer IPv4 "
        f"header's as the tunnelled request reaches {cl.pods[destination].node}; and the echo "
        f"reply's as `{source}` receives it.",
        {"cluster": cl, "source": source, "destination": destination, "ttl": ttl},
        partial(capstone.check_ttls, cl, source, destination, ttl))


@exercise("08.5", "what Hubble sees")
def _hubble(rng: Random) -> Variant:
    cl = _small(rng, "hubble")
    has_pair = any(len(cl.pods_on(n)) > 1 for n in cl.nodes)
    same_node = has_pair and rng.random() < 0.5
    source, destination = _pair(rng, cl, same_node=same_node)
    if rng.random() < 0.3:  # the node the source pod runs on sends instead
        source = cl.pods[source].node
    return Variant(
        f"{_where(cl, source)} pings {_where(cl, destination)} in `q5.cluster`. At which "
        f"Hubble observation points is the echo request reported, in order? Write a list, "
        f"like `[\"from-something\", ...]`.",
        {"cluster": cl, "source": source, "destination": destination},
        partial(maps.check_observation_points, cl, source, destination))


# -- part 2: tickets ------------------------------------------------------------------------


def _narrower(network: IPv4Network, addresses: list[IPv4Address]
              ) -> list[tuple[int, int]]:
    """(node position, prefix) pairs where a longer prefix on that node's eth0 would leave
    some other node outside its subnet, and still be a valid address for it."""
    found = []
    for i, ip in enumerate(addresses):
        for prefix in range(network.prefixlen + 1, 31):
            subnet = IPv4Network((int(ip), prefix), strict=False)
            if ip in (subnet.network_address, subnet.broadcast_address):
                continue
            if any(other not in subnet for other in addresses):
                found.append((i, prefix))
    return found


def _ticket(rng: Random, name: str, symbol: str) -> Variant:
    kind = rng.choice(capstone.INCIDENTS)
    pods = [rng.randint(1, 2) for _ in range(rng.randint(3, 4))]
    network, addresses = _node_network(rng, len(pods))
    prefixes: dict[int, int] = {}
    victim = rng.randrange(len(pods))
    if kind == "wrong mask":
        choices = _narrower(network, addresses)
        while not choices:  # kind's numbering can leave no node to cut off: draw again
            network, addresses = _node_network(rng, len(pods))
            choices = _narrower(network, addresses)
        victim, prefix = rng.choice(choices)
        prefixes[victim] = prefix
    if kind == "ipam exhausted":
        pods[victim] = 2 ** (32 - _INCIDENT_MASK) - 4  # every address but router and health
    cl = _cluster(rng, name, pods, mask_size=_INCIDENT_MASK, network=network,
                  addresses=addresses, prefixes=prefixes)
    nodes = list(cl.nodes)
    broken = cl.nodes[nodes[victim]]
    clients = sorted(cl.pods)
    if kind == "wrong mask":  # on the broken node, or on a node it can no longer reach
        cut = broken.interfaces["eth0"].ip.network
        clients = [p for p in clients if cl.pods[p].node == broken.name
                   or cl.nodes[cl.pods[p].node].ip not in cut]
    client = rng.choice(clients)
    others = [p for p in sorted(cl.pods) if p != client]
    backends = {p: str(cl.pods[p].ip) for p in others}
    if kind == "stale ip":  # a pod on another node than the client's went away
        gone = rng.choice([p for p in others if cl.pods[p].node != cl.pods[client].node])
        old = cl.pods[gone]
        cl.delete_pod(gone)
        room = [n for n in nodes if n != old.node and len(cl.pods_on(n)) < 3]
        if room and rng.random() < 0.7:  # rescheduled elsewhere; otherwise scaled down
            cl.add_pod(gone, rng.choice(room), old.labels, namespace=old.namespace)
    if kind == "interface down":
        cl.underlay.set_interface_state(broken.name, "eth0", False)
    listed = list(backends.values())
    rng.shuffle(listed)
    shown = ", ".join(f"`{ip}`" for ip in listed)
    if kind == "ipam exhausted":
        app = rng.choice(sorted({p.labels["app"] for p in cl.pods.values()}))
        pending = _pod_name(rng, app, set(cl.pods))
        symptom = (f"the Deployment `{app}` was scaled up by one replica this morning, and its "
                   f"new pod `{pending}` has been stuck in `ContainerCreating` ever since. "
                   f"`{client}` still reaches every backend in its config "
                   f"({shown}).")
    else:
        symptom = (f"`{client}` sends requests to the backends in its config: {shown}. Since "
                   f"this morning some of those requests time out.")
    return Variant(
        f"**Ticket.** In `{symbol}.cluster`, whose node network is `{network}`: {symptom} "
        f"What is broken, and where? Answer with a list of two: what, one of {_WORDS}; and "
        f"where, the name of the node at fault (or, for a stale IP, the address).",
        {"cluster": cl, "client": client, "backends": listed, "node_network": str(network)},
        partial(capstone.check_incident, cl, client, tuple(listed)))


@exercise("08.6", "first ticket", points=2)
def _first_ticket(rng: Random) -> Variant:
    return _ticket(rng, "ticket-1", "q6")


@exercise("08.7", "second ticket", points=2)
def _second_ticket(rng: Random) -> Variant:
    return _ticket(rng, "ticket-2", "q7")
