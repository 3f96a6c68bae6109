"""Notebook 00's exercises: the right answer of every variant is accepted, wrong ones are not."""

from __future__ import annotations

import ipaddress

from coursework_contract import contract

from kpath_nb import trace
from kpath_nb.coursework import question

IDS = [f"s24{n:05d}" for n in range(30)]


def _address(q, host: str) -> ipaddress.IPv4Interface:
    return ipaddress.ip_interface(str(q.net.nodes[host].interfaces["eth0"].ip))


def _routers_on_the_way(q) -> int:
    """Walk the routing tables from the source, one gateway at a time, as a student would."""
    target = _address(q, q.destination).ip
    node, count = q.net.nodes[q.source], 0
    while (route := node.routing_table().lookup(target)).via is not None:
        node = q.net.nodes[q.net.owner(route.via)[0]]
        count += 1
    return count


# Worked out independently of the checks.
SOLVE = {
    "00.1": lambda q: str(_address(q, q.host).network),
    "00.2": _routers_on_the_way,
}
# A plausible mistake for each: the host's own address; counting one too many.
MISTAKE = {
    "00.1": lambda q: str(_address(q, q.host)),
    "00.2": lambda q: _routers_on_the_way(q) + 1,
}


(test_every_exercise_has_a_solver, test_right_answers_are_accepted,
 test_mistakes_are_rejected_without_giving_the_answer) = contract("00", SOLVE, MISTAKE)


def test_the_subnet_is_accepted_in_other_forms() -> None:
    q = question("00.1", "s2400001", salt="fall-2026")
    subnet = _address(q, q.host).network
    assert q.check(subnet).status == "correct"
    assert q.check(f" {subnet.network_address} / {subnet.prefixlen} ").status == "correct"


def test_subnet_mistakes_get_their_own_hints() -> None:
    q = question("00.1", "s2400001", salt="fall-2026")
    subnet = _address(q, q.host).network
    assert "own address" in q.check(MISTAKE["00.1"](q)).hint
    assert "prefix length" in q.check(str(subnet.network_address)).hint
    assert "write the answer as" in q.check("the blue one").message


def test_every_ping_arrives_along_a_plain_chain() -> None:
    for sid in IDS:
        q = question("00.2", sid, salt="fall-2026")
        assert "rs" not in q.net.routers and 1 <= len(q.net.routers) <= 4
        assert trace(q.net, q.source, q.destination).delivered


def test_subnet_variants_ask_about_both_ends_of_the_chain() -> None:
    questions = [question("00.1", sid, salt="fall-2026") for sid in IDS]
    lans = {_address(q, q.host).ip.packed[1] for q in questions}
    assert lans == {1, 2}  # 10.1.x.0/24 on the left, 10.2.y.0/24 on the right


def test_router_counts_vary_and_include_none() -> None:
    counts = {_routers_on_the_way(question("00.2", sid, salt="fall-2026")) for sid in IDS}
    assert 0 in counts and len(counts - {0}) >= 3, counts
