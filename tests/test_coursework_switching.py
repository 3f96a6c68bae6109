"""Notebook 02's exercises: the right answer of every variant is accepted, wrong ones are not.

The answers are worked out without the tracer, the way the notebook teaches
them: a sender looks up its next hop in its routing table; on every segment the
packet crosses, the two doors learn each other's MAC (the one asking by the
reply, the one asked from the request) and the fountain learns both.
"""

from __future__ import annotations

import pytest
from coursework_contract import contract

from kpath_nb.coursework import question

IDS = [f"s24{n:05d}" for n in range(30)]
BROADCAST = "ff:ff:ff:ff:ff:ff"


def _ip(net, node: str):
    return net.nodes[node].interfaces["eth0"].ip.ip


def _next_hop(net, source: str, destination: str):
    """The address ``source`` must find a MAC for to send towards ``destination``."""
    route = net.nodes[source].routing_table().lookup(_ip(net, destination))
    return route.via or _ip(net, destination)


def _mac_of(net, address) -> str:
    node, door = net.owner(address)
    return str(net.nodes[node].interfaces[door].mac)


def _segments(net, source: str, destination: str) -> list[tuple[str, str, str, str]]:
    """Each segment the ping crosses, as ``(sender, its door, receiver, its door)``."""
    target, node, crossed = _ip(net, destination), source, []
    while True:
        route = net.nodes[node].routing_table().lookup(target)
        far, far_door = net.owner(route.via or target)
        crossed.append((node, route.dev, far, far_door))
        if far == destination:
            return crossed
        node = far


def _learned(net, source: str, destination: str) -> dict[str, set[tuple[str, str]]]:
    """What each device knows after the ping: ``{node: {(ip or "", mac), ...}}``."""
    known: dict[str, set[tuple[str, str]]] = {}
    for a, door_a, b, door_b in _segments(net, source, destination):
        ip_a, ip_b = (str(net.nodes[n].interfaces[d].ip.ip) for n, d in ((a, door_a), (b, door_b)))
        mac_a, mac_b = (str(net.nodes[n].interfaces[d].mac) for n, d in ((a, door_a), (b, door_b)))
        known.setdefault(a, set()).add((ip_b, mac_b))
        known.setdefault(b, set()).add((ip_a, mac_a))
        switch = net.segment_switch(a, door_a)
        if switch is not None:
            known.setdefault(switch.name, set()).update({("", mac_a), ("", mac_b)})
    return known


def _flooded(q) -> list[str]:
    """Every cabled port of the fountain but the one facing the door that asks."""
    net, fountain = q.net, q.net.nodes[q.fountain]
    asker = next(a for a, door, _, _ in _segments(net, q.source, q.destination)
                 if net.segment_switch(a, door) is fountain)
    return [port for port in fountain.interfaces
            if (far := net.peer(q.fountain, port)) is not None and far[0] != asker]


def _arp_needed(q) -> bool:
    known = _learned(q.net, *q.first).get(q.source, set())
    return str(_next_hop(q.net, q.source, q.destination)) not in {ip for ip, _ in known}


def _what_learned(q) -> list[str]:
    return sorted(mac for _, mac in _learned(q.net, q.source, q.destination).get(q.node, ()))


def _gateway(q) -> str:
    return str(q.net.nodes[q.source].routing_table().lookup("0.0.0.0").via)


def _wrong_learned(q) -> list[str]:
    right = _what_learned(q)
    if len(right) > 1:
        return right[:1]  # half of it
    mine = str(q.net.nodes[q.source].interfaces["eth0"].mac)
    return [mine] if right != [mine] else [BROADCAST]


SOLVE = {
    "02.1": lambda q: str(_next_hop(q.net, q.source, q.destination)),
    "02.2": _flooded,
    "02.3": _what_learned,
    "02.4": _arp_needed,
    "02.5": lambda q: _mac_of(q.net, _next_hop(q.net, q.source, q.destination)),
}
MISTAKE = {
    # the destination itself across neighbourhoods; the gatekeeper within one
    "02.1": lambda q: (str(_ip(q.net, q.destination)) if SOLVE["02.1"](q) == _gateway(q)
                       else _gateway(q)),
    "02.2": lambda q: list(q.net.nodes[q.fountain].interfaces),  # back out where it came in
    "02.3": _wrong_learned,
    "02.4": lambda q: not _arp_needed(q),
    "02.5": lambda q: (_mac_of(q.net, _ip(q.net, q.destination))
                       if SOLVE["02.5"](q) != _mac_of(q.net, _ip(q.net, q.destination))
                       else BROADCAST),
}


(test_every_exercise_has_a_solver, test_right_answers_are_accepted,
 test_mistakes_are_rejected_without_giving_the_answer) = contract("02", SOLVE, MISTAKE)


def test_answers_are_read_generously() -> None:
    q = question("02.5", "s2400001", salt="fall-2026")
    assert q.check(SOLVE["02.5"](q).upper().replace(":", "-")).status == "correct"
    q = question("02.2", "s2400001", salt="fall-2026")
    assert q.check(", ".join(reversed(_flooded(q)))).status == "correct"


def test_asking_for_the_far_house_gets_its_own_hint() -> None:
    for sid in IDS:
        q = question("02.5", sid, salt="fall-2026")
        if SOLVE["02.5"](q) != _mac_of(q.net, _ip(q.net, q.destination)):
            assert "another subnet" in q.check(MISTAKE["02.5"](q)).hint
            return
    pytest.fail("no variant of 02.5 pings another neighbourhood")


def test_pings_stay_home_and_cross_over() -> None:
    for key in ("02.1", "02.5"):
        questions = [question(key, sid, salt="fall-2026") for sid in IDS]
        across = {str(_next_hop(q.net, q.source, q.destination)) != str(_ip(q.net, q.destination))
                  for q in questions}
        assert across == {True, False}, key


def test_both_fountains_flood_for_both_kinds_of_asker() -> None:
    seen = set()
    for sid in IDS:
        q = question("02.2", sid, salt="fall-2026")
        sender_floods = q.net.segment_switch(q.source, "eth0").name == q.fountain
        seen.add((q.fountain, sender_floods))
    assert {fountain for fountain, _ in seen} == {"fountain-blue", "fountain-green"}
    assert {sender for _, sender in seen} == {True, False}


def test_devices_learn_nothing_one_or_two_macs() -> None:
    questions = [question("02.3", sid, salt="fall-2026") for sid in IDS]
    assert {len(_what_learned(q)) for q in questions} == {0, 1, 2}
    assert any(q.node in q.net.switches for q in questions)
    assert any(q.node in q.net.routers for q in questions)


def test_second_pings_go_both_ways() -> None:
    questions = [question("02.4", sid, salt="fall-2026") for sid in IDS]
    assert {_arp_needed(q) for q in questions} == {True, False}
    assert any(q.source == q.first[1] for q in questions)  # the one asked answers back
