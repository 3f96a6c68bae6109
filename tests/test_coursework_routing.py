"""Notebook 03's exercises: the right answer of every variant is accepted, wrong ones are not."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

from coursework_contract import contract

import kpath_nb as kp
from kpath_nb.coursework import question
from kpath_nb.exercises.routing import DIAGNOSES
from kpath_nb.generate import random_network

IDS = [f"s24{n:05d}" for n in range(30)]
MORE_IDS = [f"s25{n:05d}" for n in range(60)]


def _ip(net: kp.Topology, endpoint: str):
    return net.nodes[endpoint].primary_ip() if endpoint in net.nodes else ip_address(endpoint)


def _path(net: kp.Topology, source: str, destination: str) -> list[str]:
    """The routers from ``source`` to ``destination``, one routing table at a time."""
    dst, node, path = _ip(net, destination), source, []
    for _ in range(16):
        route = net.nodes[node].routing_table().lookup(dst)
        if route.via is None:
            return path
        node = net.owner(route.via)[0]
        path.append(node)
    raise AssertionError(f"{source} -> {destination} loops: {path}")


def _next_hop(q) -> str:
    dst = _ip(q.net, q.destination)
    route = q.net.nodes[q.router].routing_table().lookup(dst)
    return "no route" if route is None else str(route.via or dst)


def _winner(q) -> str:
    dst = ip_address(q.destination)
    covering = [r.network for r in q.net.nodes[q.router].routing_table().routes
                if dst in r.network]
    return str(max(covering, key=lambda n: n.prefixlen)) if covering else "no route"


def _mac(q, node: str) -> str:
    """The MAC of the door that ``node`` sends the packet to."""
    dst = _ip(q.net, q.destination)
    route = q.net.nodes[node].routing_table().lookup(dst)
    owner, iface = q.net.owner(route.via or dst)
    return str(q.net.nodes[owner].interfaces[iface].mac)


def _office(net: kp.Topology, source: str, destination: str) -> str:
    """What goes wrong in the broken office, from what its description says is broken."""
    src, dst = _ip(net, source), _ip(net, destination)
    local = ip_network(f"{src}/24", strict=False) == ip_network(f"{dst}/24", strict=False)
    if "pc4" in (source, destination):
        return "interface down"
    if local:
        return "delivered" if net.owner(dst) else "arp unresolved"
    if source == "pc2":
        return "no route"
    if source == "pc3" and dst in ip_network("10.1.0.0/16"):
        return "wrong mask"
    if source == "srv2":
        return "wrong gateway"
    if dst in ip_network("10.1.3.0/24"):
        return "routing loop"
    if not any(dst in ip_network(lan) for lan in ("10.1.1.0/24", "10.1.2.0/24")):
        return "no route"  # r1 has no route there, and no default route
    if net.owner(dst) is None:
        return "arp unresolved"
    return {"pc2": "no route", "pc3": "wrong mask", "srv2": "wrong gateway"}.get(destination,
                                                                                "delivered")


def _chain_fault(net: kp.Topology) -> str:
    """What goes wrong across a broken random chain, from the full description it was built with."""
    story = random_network(int(net.name.removeprefix("random-"))).description
    if "a routing loop" in story:
        return "routing loop"
    assert "no route back" in story or "has no default route" in story, story
    return "no route"


def _diagnosis(q) -> str:
    if q.net.name == "broken-office":
        return _office(q.net, q.source, q.destination)
    return _chain_fault(q.net)


# Worked out independently of the checks, as a student would.
SOLVE = {
    "03.1": _next_hop,
    "03.2": _winner,
    "03.3": lambda q: q.ttl - len(_path(q.net, q.source, q.destination)),
    "03.4": lambda q: _path(q.net, q.source, q.destination),
    "03.5": lambda q: _mac(q, q.sender),
    "03.6": _diagnosis,
}
def _wrong_next_hop(q) -> str:
    """The final destination's address instead of the gateway's; when that is right, the
    router's own door."""
    final = str(_ip(q.net, q.destination))
    return final if _next_hop(q) != final else str(q.net.nodes[q.router].primary_ip())


def _wrong_mac(q) -> str:
    """The final destination's MAC on every segment; on the last, the sender's own."""
    final = str(q.net.nodes[q.destination].interfaces["eth0"].mac)
    return final if _mac(q, q.sender) != final else str(
        q.net.nodes[q.sender].interfaces["eth0"].mac)


# A plausible mistake for each: the answer a learner gets with one idea wrong.
MISTAKE = {
    "03.1": _wrong_next_hop,
    # the first route that covers it rather than the longest
    "03.2": lambda q: "10.0.0.0/8" if _winner(q) != "10.0.0.0/8" else "10.1.0.0/16",
    # counting the destination as a router too
    "03.3": lambda q: q.ttl - len(_path(q.net, q.source, q.destination)) - 1,
    # forgetting the sender's own gateway
    "03.4": lambda q: _path(q.net, q.source, q.destination)[1:],
    "03.5": _wrong_mac,
    "03.6": lambda q: "delivered" if _diagnosis(q) != "delivered" else "no route",
}


(test_every_exercise_has_a_solver, test_right_answers_are_accepted,
 test_mistakes_are_rejected_without_giving_the_answer) = contract("03", SOLVE, MISTAKE)


def _answers(key: str, solve, ids=MORE_IDS) -> list:
    return [solve(question(key, sid, salt="fall-2026")) for sid in ids]


def test_next_hop_variants_include_gateways_and_direct_delivery() -> None:
    kinds = {("direct" if SOLVE["03.1"](q) == str(_ip(q.net, q.destination)) else "gateway",
              q.net.name.partition("-")[0])
             for q in (question("03.1", sid, salt="fall-2026") for sid in MORE_IDS)}
    assert {kind for kind, _ in kinds} == {"direct", "gateway"}
    assert {"seed", "router", "longest", "random"} <= {net for _, net in kinds}


def test_each_overlapping_route_wins_for_some_student() -> None:
    winners = set(_answers("03.2", SOLVE["03.2"]))
    assert {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.0.1.0/24", "no route"} <= winners


def test_ttl_variants_cross_different_numbers_of_routers() -> None:
    asked = [question("03.3", sid, salt="fall-2026") for sid in MORE_IDS]
    assert len({len(_path(q.net, q.source, q.destination)) for q in asked}) >= 3
    assert {q.ttl for q in asked} == {64, 128, 255}


def test_paths_come_from_several_networks_and_differ() -> None:
    asked = [question("03.4", sid, salt="fall-2026") for sid in MORE_IDS]
    assert "longest-prefix" in {q.net.name for q in asked}
    assert len({q.net.name for q in asked}) >= 10
    assert {len(SOLVE["03.4"](q)) for q in asked} >= {2, 3, 4}


def test_mac_variants_ask_about_every_kind_of_sender() -> None:
    senders = set(_answers("03.5", lambda q: q.net.nodes[q.sender].kind))
    assert senders == {"host", "router"}
    assert len(set(_answers("03.5", SOLVE["03.5"]))) >= 5


def test_students_diagnose_different_faults_in_different_networks() -> None:
    asked = [question("03.6", sid, salt="fall-2026") for sid in MORE_IDS]
    assert len({_diagnosis(q) for q in asked}) >= 6
    assert set(DIAGNOSES) - {"ttl exceeded"} >= {_diagnosis(q) for q in asked}
    chains = [q for q in asked if q.net.name != "broken-office"]
    assert {_diagnosis(q) for q in chains} == {"no route", "routing loop"}


def test_random_chains_do_not_say_what_is_broken() -> None:
    for key in ("03.1", "03.3", "03.4", "03.6"):
        for q in (question(key, sid, salt="fall-2026") for sid in IDS):
            if q.net.name.startswith("random-"):
                assert "loop" not in q.net.description and "no " not in q.net.description
                assert q.net.description.rstrip(".") in q.text


def test_office_variants_are_not_the_ones_the_notebook_works_through() -> None:
    worked = {("pc1", "srv1"), ("pc2", "srv1"), ("pc3", "srv1"), ("pc4", "srv1"),
              ("pc1", "srv2"), ("pc1", "10.1.3.7")}
    asked = {(q.source, q.destination)
             for q in (question("03.6", sid, salt="fall-2026") for sid in MORE_IDS)}
    assert not asked & worked
