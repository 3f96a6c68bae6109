"""Notebook 05's exercises: the right answer of every variant is accepted, wrong ones are not."""

from __future__ import annotations

import ipaddress
from itertools import chain, islice

import pytest
from coursework_contract import contract

import kpath_nb as kp
from kpath_nb.coursework import question

IDS = [f"s24{n:05d}" for n in range(30)]


def _blocks(cl):
    """Every block of the cluster's pool, in order, lazily (a /8 holds a great many)."""
    return chain.from_iterable(ipaddress.ip_network(p).subnets(new_prefix=cl.config.mask_size)
                               for p in cl.config.pool)


def _node_cidr(q) -> str:
    place = list(q.cluster.nodes).index(q.node)
    return str(next(islice(_blocks(q.cluster), place, None)))


def _owner(q) -> str:
    ip = ipaddress.ip_address(q.address)
    for pod in q.cluster.pods.values():
        if pod.ip == ip:
            return pod.name
    for node in q.cluster.nodes.values():
        if ip == node.router_ip:
            return "router"
        if ip == node.health_ip:
            return "health"
    return "free"


def _nodes(q) -> int:
    return sum(2 ** (q.mask_size - ipaddress.ip_network(p).prefixlen) for p in q.pool)


def _next_cidr(q) -> str:
    taken = set(q.cluster.cidrs.assigned.values())
    return str(next((block for block in _blocks(q.cluster) if block not in taken), "none"))


def _other_node_cidr(q) -> str:
    names = list(q.cluster.nodes)
    return str(q.cluster.nodes[names[(names.index(q.node) + 1) % len(names)]].pod_cidr)


def _wrong_owner(q) -> str:
    return {"router": "health", "health": "router", "free": next(iter(q.cluster.pods))}.get(
        _owner(q), "free")


# Worked out independently of the checks, as a student would.
SOLVE = {
    "05.1": _node_cidr,
    "05.2": lambda q: 2 ** (32 - q.mask_size) - 2 - (2 if q.pods_only else 0),
    "05.3": _owner,
    "05.4": _nodes,
    "05.5": _next_cidr,
}
# A plausible mistake for each: the answer a learner gets with one idea wrong.
MISTAKE = {
    "05.1": _other_node_cidr,                                            # misread the order
    "05.2": lambda q: 2 ** (32 - q.mask_size) - (2 if q.pods_only else 0),  # forgot net/bcast
    "05.3": _wrong_owner,
    "05.4": lambda q: _nodes(q) - 2,                                     # as if hosts
    "05.5": lambda q: str(next(_blocks(q.cluster))),                     # the pool's first block
}


(test_every_exercise_has_a_solver, test_right_answers_are_accepted,
 test_mistakes_are_rejected_without_giving_the_answer) = contract("05", SOLVE, MISTAKE)


def test_node_cidr_variants_use_both_modes_and_several_masks() -> None:
    clusters = [question("05.1", sid, salt="fall-2026").cluster for sid in IDS]
    assert {cl.config.ipam_mode for cl in clusters} == {"cluster-pool", "kubernetes"}
    assert len({cl.config.mask_size for cl in clusters}) >= 3
    assert len({cl.config.pool for cl in clusters}) >= 5


def test_room_variants_ask_for_pods_and_for_the_total() -> None:
    questions = [question("05.2", sid, salt="fall-2026") for sid in IDS]
    assert {q.pods_only for q in questions} == {True, False}


def test_owner_variants_cover_pods_router_health_and_nobody() -> None:
    kinds = {_owner(q) if _owner(q) in ("router", "health", "free") else "pod"
             for q in (question("05.3", sid, salt="fall-2026") for sid in IDS)}
    assert kinds == {"pod", "router", "health", "free"}


def test_max_nodes_variants_include_a_pool_of_two_cidrs() -> None:
    pools = [question("05.4", sid, salt="fall-2026").pool for sid in IDS]
    assert {len(pool) for pool in pools} == {1, 2}


def _story(q) -> str:
    answer = _next_cidr(q)
    if answer == "none":
        return "full"
    block = ipaddress.ip_network(answer)
    if not block.subnet_of(ipaddress.ip_network(q.cluster.config.pool[0])):
        return "spill"
    if any(cidr > block for cidr in q.cluster.cidrs.assigned.values()):
        return "gap"
    return "in order"


def test_next_cidr_variants_tell_every_story() -> None:
    stories = {_story(question("05.5", sid, salt="fall-2026")) for sid in IDS}
    assert stories == {"in order", "gap", "spill", "full"}


@pytest.mark.parametrize("sid", IDS[:12])
def test_the_operator_agrees_with_the_next_cidr(sid: str) -> None:
    q = question("05.5", sid, salt="fall-2026")
    trial = q.cluster.copy()
    try:
        given = str(trial.cidrs.assign("new-node"))
    except kp.IpamExhaustedError:
        given = "none"
    assert given == _next_cidr(q)
    assert "new-node" not in q.cluster.cidrs.assigned
