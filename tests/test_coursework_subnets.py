"""Notebook 01's exercises: the right answer of every variant is accepted, wrong ones are not."""

from __future__ import annotations

import ipaddress

from coursework_contract import contract

from kpath_nb.coursework import question

IDS = [f"s24{n:05d}" for n in range(30)]


def _next_hop(q) -> str:
    destination = q.net.nodes[q.destination].interfaces["eth0"].ip
    route = q.net.nodes[q.source].routing_table().lookup(destination)
    return "direct" if route.via is None else str(route.via)


# Worked out independently of the checks, as a student would.
SOLVE = {
    "01.1": lambda q: str(ipaddress.ip_network(f"0.0.0.0/{q.prefixlen}").netmask),
    "01.2": lambda q: str(ipaddress.ip_interface(q.address).network.network_address),
    "01.3": lambda q: str(ipaddress.ip_interface(q.address).network.broadcast_address),
    "01.4": lambda q: 2 ** (32 - q.prefixlen) - 2,
    "01.5": lambda q: ipaddress.ip_address(q.destination) in ipaddress.ip_interface(q.sender).network,
    "01.6": _next_hop,
}
# A plausible mistake for each: the answer a learner gets with one idea wrong.
MISTAKE = {
    "01.1": lambda q: str(ipaddress.ip_network(f"0.0.0.0/{q.prefixlen - 1}").netmask),
    "01.2": lambda q: str(ipaddress.ip_interface(q.address).ip),
    "01.3": lambda q: str(ipaddress.ip_interface(q.address).network.broadcast_address - 1),
    "01.4": lambda q: 2 ** (32 - q.prefixlen),
    "01.5": lambda q: not SOLVE["01.5"](q),
    "01.6": lambda q: "direct" if _next_hop(q) != "direct" else "10.0.10.11",
}


(test_every_exercise_has_a_solver, test_right_answers_are_accepted,
 test_mistakes_are_rejected_without_giving_the_answer) = contract("01", SOLVE, MISTAKE)


def test_same_subnet_variants_ask_both_ways() -> None:
    answers = {SOLVE["01.5"](question("01.5", sid, salt="fall-2026")) for sid in IDS}
    assert answers == {True, False}


def test_next_hop_variants_include_direct_and_routed() -> None:
    answers = {_next_hop(question("01.6", sid, salt="fall-2026")) == "direct" for sid in IDS}
    assert answers == {True, False}
