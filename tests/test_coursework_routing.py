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


def _door(net: kp.Topology, node: str, ip) -> object:
    """The address ``node`` sends from towards ``ip``: its interface's on the route there."""
    route = net.nodes[node].routing_table().lookup(ip)
    return None if route is None else net.nodes[node].interfaces[route.dev].ip.ip


def _step(net: kp.Topology, node: str, ip) -> tuple[str, str | None]:
    """What ``node`` does with a packet for ``ip``: ("next", who gets it), ("no route", None)
    or ("arp", None) when nobody on the segment answers for the next hop."""
    route = net.nodes[node].routing_table().lookup(ip)
    if route is None:
        return "no route", None
    owner = net.owner(route.via or ip)
    if owner is None or not net.nodes[owner[0]].interfaces[owner[1]].up \
            or owner not in net.segment_of(node, route.dev):
        return "arp", None
    return "next", owner[0]


def _comes_back(net: kp.Topology, node: str, to) -> bool:
    """Whether an answer from ``node`` reaches the address ``to`` (TTL 64, no loop)."""
    for _ in range(64):
        if net.nodes[node].owns(to):
            return True
        what, node = _step(net, node, to)
        if what != "next":
            return False
    return False


def _probe(net: kp.Topology, source: str, destination: str, ttl: int) -> tuple[str, str]:
    """Line ``ttl`` of a traceroute, one routing table at a time: (address or "*", marker)."""
    dst = _ip(net, destination)
    src = _door(net, source, dst)
    what, node = _step(net, source, dst)
    if what == "arp":  # the sender's own ARP fails: it reports it itself
        return str(src), "!H"
    while True:
        here = net.nodes[node]
        if here.owns(src):  # back at the sender's door: a martian, dropped
            return "*", ""
        if here.owns(dst):
            answer, marker = dst, ""
            break
        what, after = _step(net, node, dst)
        if what == "no route":
            answer, marker = _door(net, node, src), "!N"
            break
        if ttl <= 1:
            answer, marker = _door(net, node, src), ""
            break
        if what == "arp":
            answer, marker = _door(net, node, src), "!H"
            break
        node, ttl = after, ttl - 1
    if answer is None or not _comes_back(net, node, src):
        return "*", ""
    return str(answer), marker


def _traceroute_end(q) -> tuple[int, str]:
    for ttl in range(1, q.max_ttl + 1):
        answer, marker = _probe(q.net, q.source, q.destination, ttl)
        if marker or answer == str(_ip(q.net, q.destination)):
            return ttl, marker or "none"
    return q.max_ttl, "none"


def _wrong_line(q) -> str:
    """The door the probe would leave by towards the destination (or the destination)."""
    right = SOLVE["03.7"](q)
    dst = _ip(q.net, q.destination)
    owner = q.net.owner(right) if right != "*" else None
    far = _door(q.net, owner[0], dst) if owner else None
    for guess in (far, dst, _door(q.net, q.source, dst)):
        if guess is not None and str(guess) != right:
            return str(guess)
    raise AssertionError(q.text)


# Worked out independently of the checks, as a student would.
SOLVE = {
    "03.1": _next_hop,
    "03.2": _winner,
    "03.3": lambda q: q.ttl - len(_path(q.net, q.source, q.destination)),
    "03.4": lambda q: _path(q.net, q.source, q.destination),
    "03.5": lambda q: _mac(q, q.sender),
    "03.6": _diagnosis,
    "03.7": lambda q: _probe(q.net, q.source, q.destination, q.line)[0],
    "03.8": _traceroute_end,
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
    # the router's door on the far side, the one the probe would leave by
    "03.7": _wrong_line,
    # host unreachable taken for net unreachable, and the other way round
    "03.8": lambda q: (_traceroute_end(q)[0], {"!N": "!H"}.get(_traceroute_end(q)[1], "!N")),
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
    for key in ("03.1", "03.3", "03.4", "03.6", "03.7", "03.8"):
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


def test_traceroute_lines_ask_about_loops_silence_and_far_routers() -> None:
    asked = [question("03.7", sid, salt="fall-2026") for sid in MORE_IDS]
    answers = [SOLVE["03.7"](q) for q in asked]
    assert "*" in answers and len(set(answers)) >= 15
    assert {q.line for q in asked} >= {2, 3, 4}
    assert {"broken-office"} < {q.net.name for q in asked}
    # on the office's loop from line 3 on, a router answers a probe that came in by the door
    # facing the other router, from its door towards the sender: some students meet that
    assert any(q.net.name == "broken-office" and q.line >= 3
               and _ip(q.net, q.destination) in ip_network("10.1.3.0/24") for q in asked)


def test_traceroutes_end_in_every_way() -> None:
    endings = set(_answers("03.8", SOLVE["03.8"]))
    assert {marker for _, marker in endings} == {"!N", "!H", "none"}
    assert (8, "none") in endings and len(endings) >= 6


def test_office_traceroutes_are_not_the_ones_the_notebook_works_through() -> None:
    worked = {("pc1", "10.1.3.5"), ("srv1", "10.9.9.9"), ("pc1", "8.8.8.8"), ("srv1", "pc3")}
    asked = {(q.source, q.destination) for key in ("03.7", "03.8")
             for q in (question(key, sid, salt="fall-2026") for sid in MORE_IDS)
             if q.net.name == "broken-office"}
    assert len(asked) >= 10 and not asked & worked
