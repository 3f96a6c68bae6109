"""Notebook 04's exercises: the right answer of every variant is accepted, wrong ones are not."""

from __future__ import annotations

from random import Random

import pytest
from coursework_contract import contract

import kpath_nb as kp
from kpath_nb.coursework import question
from kpath_nb.coursework.pods import random_cluster

IDS = [f"s24{n:05d}" for n in range(30)]


def _pod(q):
    return q.cluster.pods[q.pod]


def _node(q):
    return q.cluster.nodes[_pod(q).node]


def _arp_reply_mac(q) -> str:
    reply = kp.trace(q.cluster, q.pod, q.peer).hops[1]
    assert reply.action == "arp" and reply.node == _pod(q).node
    return str(reply.packet[kp.ARP].sender_mac)


def _device(q) -> str:
    return next(name for name, index in _node(q).ifindex.items() if index == q.ifindex)


def _route_mtu(q):
    node = q.cluster.nodes[q.node]
    if kp.parse_address(q.destination) in node.pod_cidr:
        return "none"  # the node's own pods: no tunnel, no mtu on the route
    return q.cluster.config.device_mtu - 50


def _same_identity(q) -> bool:
    a, b = q.cluster.pods[q.pod_a], q.cluster.pods[q.pod_b]
    return (a.labels, a.namespace) == (b.labels, b.namespace)


def _other_device(q) -> str:
    node = _node(q)
    others = [name for name in node.interfaces
              if name.startswith("lxc") and name not in (_pod(q).lxc, "lxc_health")]
    return others[0] if others else "lxc_health"


# Worked out independently of the checks, as a student would.
SOLVE = {
    "04.1": lambda q: str(_node(q).router_ip),
    "04.2": _arp_reply_mac,
    "04.3": _device,
    "04.4": _route_mtu,
    "04.5": _same_identity,
}
# A plausible mistake for each: the answer a learner gets with one idea wrong.
MISTAKE = {
    "04.1": lambda q: str(_node(q).ip),                                  # the building's address
    "04.2": lambda q: str(_node(q).interfaces["cilium_host"].mac),       # who holds the address
    "04.3": _other_device,                                                # a neighbour's corridor
    "04.4": lambda q: (q.cluster.config.tunnel_mtu if _route_mtu(q) == "none" else "none"),
    "04.5": lambda q: not _same_identity(q),
}


(test_every_exercise_has_a_solver, test_right_answers_are_accepted,
 test_mistakes_are_rejected_without_giving_the_answer) = contract("04", SOLVE, MISTAKE)


def test_route_mtu_variants_cover_both_routes_and_several_mtus() -> None:
    questions = [question("04.4", sid, salt="fall-2026") for sid in IDS]
    answers = {_route_mtu(q) == "none" for q in questions}
    assert answers == {True, False}
    assert len({q.cluster.config.device_mtu for q in questions}) >= 3


def test_identity_variants_ask_both_ways_and_about_namespaces() -> None:
    questions = [question("04.5", sid, salt="fall-2026") for sid in IDS]
    assert {_same_identity(q) for q in questions} == {True, False}
    assert any(q.cluster.pods[q.pod_a].labels == q.cluster.pods[q.pod_b].labels
               and q.cluster.pods[q.pod_a].namespace != q.cluster.pods[q.pod_b].namespace
               for q in questions)


def test_neighbours_get_different_clusters_and_pods() -> None:
    gateways = {SOLVE["04.1"](question("04.1", sid, salt="fall-2026")) for sid in IDS}
    devices = {SOLVE["04.3"](question("04.3", sid, salt="fall-2026")) for sid in IDS}
    assert len(gateways) >= 25 and len(devices) >= 25


@pytest.mark.parametrize("key", sorted(SOLVE))
def test_the_clusters_are_small(key: str) -> None:
    for sid in IDS[:5]:
        cl = question(key, sid, salt="fall-2026").cluster
        assert 3 <= len(cl.nodes) <= 4 and len(cl.pods) <= 1 + 3 * 3 + 1


def test_random_cluster_is_kind_shaped_and_reproducible() -> None:
    cl = random_cluster(Random(3), nodes=4, pool=("10.244.0.0/16",), mask_size=25,
                        device_mtu=9000, pinned={2: "10.244.3.0/25"})
    names = list(cl.nodes)
    assert names[0].endswith("-control-plane") and names[1].endswith("-worker")
    assert [str(n.pod_cidr) for n in cl.nodes.values()] == [
        "10.244.0.0/25", "10.244.0.128/25", "10.244.3.0/25", "10.244.1.0/25"]
    assert all(p.node != names[0] for p in cl.pods.values() if p.namespace == "default")
    assert cl.config.tunnel_mtu == 8950
    again = random_cluster(Random(3), nodes=4, pool=("10.244.0.0/16",), mask_size=25,
                           device_mtu=9000, pinned={2: "10.244.3.0/25"})
    assert again.summary() == cl.summary()


def test_random_cluster_needs_a_worker() -> None:
    with pytest.raises(kp.KpathError, match="2 or more"):
        random_cluster(Random(0), nodes=1)
