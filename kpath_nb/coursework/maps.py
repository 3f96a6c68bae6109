"""Notebook 06's exercises, one variant per student: identities, maps and observation points.

Every variant has a small cluster of its own, generated from the student's
generator (:func:`~kpath_nb.generate.generate_cluster`: two or three nodes,
two or three pods each, addresses and endpoint IDs from a random seed), and
asks about pods chosen at random in it: on the same node or on different
ones, over ICMP, UDP or TCP. The judging is left to
:mod:`kpath_nb.exercises.maps`, which works the answer out from the cluster.

Examples
--------
>>> from kpath_nb.coursework import question
>>> q = question("06.3", "s2412345", salt="fall-2026")
>>> q.check(q.cluster.pods[q.pod].endpoint_id).status
'correct'
"""

from __future__ import annotations

import json
from functools import partial
from random import Random

from ..cluster import Cluster
from ..exercises import maps
from ..generate import generate_cluster
from .questions import Variant, exercise

__all__: list[str] = []

_NAMESPACES = ("staging", "shop", "monitoring")
_NEW_APPS = ("frontend", "auth", "search", "payments")
_SERVICES = {"udp": ((53, "DNS"), (123, "NTP"), (514, "syslog")),
             "tcp": ((80, "HTTP"), (443, "HTTPS"), (5432, "PostgreSQL"), (6379, "Redis"))}


def _cluster(rng: Random) -> Cluster:
    """A small generated cluster: two or three nodes of two or three pods each (every pod
    shows in kp.draw_cluster)."""
    return generate_cluster(nodes=rng.randint(2, 3), pods_per_node=rng.randint(2, 3),
                            seed=rng.randrange(10 ** 6))


def pod_pair(rng: Random, cl: Cluster, *, same_node: bool) -> tuple[str, str]:
    """Two different pods of ``cl``, on one node or on two (notebook 07 asks about them too)."""
    source = rng.choice(sorted(cl.pods))
    node = cl.pods[source].node
    others = [p for p in sorted(cl.pods) if p != source and (cl.pods[p].node == node) == same_node]
    return source, rng.choice(others)


def flow(rng: Random, proto: str) -> tuple[int | None, str]:
    """A destination port for ``proto`` (None for ICMP) and how a question says what is sent:
    ``"pings"``, ``"sends a UDP datagram to port 53 (DNS) of"``..."""
    if proto == "icmp":
        return None, "pings"
    port, service = rng.choice(_SERVICES[proto])
    what = "sends a UDP datagram to port" if proto == "udp" else "opens a TCP connection to port"
    return port, f"{what} {port} ({service}) of"


def _labels(labels: dict[str, str]) -> str:
    return f"`{json.dumps(labels)}`"


@exercise("06.1", "identity")
def _identity(rng: Random) -> Variant:
    cl = _cluster(rng)
    seen = {p.identity.number: p.labels for p in cl.pods.values()}
    node = rng.choice(sorted(cl.nodes))
    pod = f"pod-{node[5:]}-{len(cl.pods_on(node)) + 1}"
    app = rng.choice(sorted({labels["app"] for labels in seen.values()}))
    labels, namespace = {"app": app}, "default"
    case = rng.choice(("same labels", "other namespace", "new app", "one label more"))
    if case == "other namespace":
        namespace = rng.choice(_NAMESPACES)
    elif case == "new app":
        labels = {"app": rng.choice(_NEW_APPS)}
    elif case == "one label more":
        labels = {"app": app, "tier": rng.choice(("frontend", "backend"))}
    sets = ", ".join(f"{_labels(seen[n])} → {n}" for n in sorted(seen))
    return Variant(
        f"In this cluster (`cluster`) every pod runs in namespace `default`, and the label sets "
        f"have these identities so far: {sets}. Numbers are handed out from 256 up, one per new "
        f"set of labels, in the order the sets appear. A new pod `{pod}` now starts on `{node}` "
        f"in namespace `{namespace}`, with the labels {_labels(labels)}. What security identity "
        f"does it get? Answer with a whole number.",
        {"cluster": cl, "pod": pod, "node": node, "labels": labels, "namespace": namespace},
        partial(maps.check_new_identity, cl, labels, namespace=namespace))


@exercise("06.2", "which map decides")
def _map_consulted(rng: Random) -> Variant:
    cl = _cluster(rng)
    source, destination = pod_pair(rng, cl, same_node=rng.random() < 0.5)
    return Variant(
        f"In this cluster (`cluster`), `{source}` pings `{destination}`. At `{source}`'s "
        f"`from-endpoint` hop, `cil_from_container` looks the destination up in several BPF "
        f"maps. Which map's answer decides where the packet goes next? Answer with the map's "
        f"name, as `cilium-dbg map list` prints it.",
        {"cluster": cl, "source": source, "destination": destination},
        partial(maps.check_map_consulted, cl, source, destination))


@exercise("06.3", "endpoint ID")
def _endpoint_id(rng: Random) -> Variant:
    cl = _cluster(rng)
    pod = rng.choice(sorted(cl.pods))
    node, address = cl.pods[pod].node, str(cl.pods[pod].ip)
    return Variant(
        f"In this cluster (`cluster`), `cilium-dbg bpf endpoint list` on `{node}` "
        f"(`cluster.cilium_dbg(\"{node}\", \"bpf endpoint list\")`) has a row for `{address}`, "
        f"the address of `{pod}`. What is that endpoint's ID? Answer with a whole number.",
        {"cluster": cl, "pod": pod, "node": node, "address": address},
        partial(maps.check_endpoint_id, cl, pod))


@exercise("06.4", "conntrack map")
def _ct_map(rng: Random) -> Variant:
    cl = _cluster(rng)
    source, destination = pod_pair(rng, cl, same_node=rng.random() < 0.5)
    proto = rng.choice(("icmp", "udp", "tcp"))
    dport, sends = flow(rng, proto)
    return Variant(
        f"In this cluster (`cluster`), `{source}` {sends} `{destination}`. In which "
        f"connection-tracking map does Cilium on `{cl.pods[source].node}` track this flow? "
        f"Answer with the map's name.",
        {"cluster": cl, "source": source, "destination": destination, "proto": proto,
         "dport": dport},
        partial(maps.check_ct_map, cl, source, destination, proto, dport=dport))


@exercise("06.5", "observation points")
def _observation_points(rng: Random) -> Variant:
    cl = _cluster(rng)
    case = rng.choice(("pod to pod", "node to its pod", "pod to its node", "pod to a node",
                       "pod to a pod across"))
    if case in ("pod to pod", "pod to a pod across"):
        source, destination = pod_pair(rng, cl, same_node=case == "pod to pod")
        story = (f"`{source}` pings `{destination}`"
                 + (", on the same node." if case == "pod to pod" else ", on another node."))
    elif case == "node to its pod":
        destination = rng.choice(sorted(cl.pods))
        source = cl.pods[destination].node
        story = (f"The node `{source}` itself pings its pod `{destination}` (think of the "
                 f"kubelet checking that the pod is alive).")
    else:
        source = rng.choice(sorted(cl.pods))
        home = cl.pods[source].node
        destination = home if case == "pod to its node" else rng.choice(
            sorted(set(cl.nodes) - {home}))
        story = (f"`{source}` pings `{destination}`, "
                 + ("the node it runs on (its `eth0` address)." if destination == home else
                    "another node (its `eth0` address)."))
    return Variant(
        f"In this cluster (`cluster`): {story} List the Hubble observation points of the "
        f"request, in the order the packet meets them. Answer with a list of strings.",
        {"cluster": cl, "source": source, "destination": destination},
        partial(maps.check_observation_points, cl, source, destination))
