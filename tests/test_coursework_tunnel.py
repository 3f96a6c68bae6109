"""Notebook 07's exercises: the right answer of every variant is accepted, wrong ones are not."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

from coursework_contract import contract

import kpath_nb as kp
from kpath_nb.coursework import question

IDS = [f"s24{n:05d}" for n in range(30)]
REMOTE_NODE = 6
OVERHEAD = 14 + 20 + 8 + 8


def _tunnel_endpoint(q) -> str:
    """No tunnel for the node's own pods and for node addresses; else the node whose pod CIDR
    holds the address."""
    address, nodes = IPv4Address(q.address), q.cluster.nodes.values()
    if address in q.cluster.nodes[q.node].pod_cidr or any(n.ip == address for n in nodes):
        return "none"
    return str(next(n.ip for n in nodes if address in n.pod_cidr))


def _node_ip(q, pod: str) -> str:
    return str(q.cluster.nodes[q.cluster.pods[pod].node].ip)


def _outer(q):
    a, b = _node_ip(q, q.source), _node_ip(q, q.destination)
    if a == b:
        return "none"
    return [a, b] if q.direction == "request" else [b, a]


def _vni(q) -> int:
    sender = q.source if q.direction == "request" else q.destination
    pod = q.cluster.pods.get(sender)
    return pod.identity.number if pod else REMOTE_NODE


def _encap(q):
    tr = kp.trace(q.cluster, q.source, q.destination, q.proto, dport=q.dport)
    return next(h for h in tr.hops if h.action == "encap" and h.direction == q.direction)


# Worked out independently of the checks, as a student would.
SOLVE = {
    "07.1": _tunnel_endpoint,
    "07.2": _outer,
    "07.3": _vni,
    "07.4": lambda q: _encap(q).packet[kp.UDP].dport,
    "07.5": lambda q: q.size + OVERHEAD,
    "07.6": lambda q: q.device_mtu - OVERHEAD,
}


def _vni_mistake(q) -> int:
    sender = q.source if q.direction == "request" else q.destination
    pod = q.cluster.pods.get(sender)
    return pod.endpoint_id if pod else 1  # the endpoint ID; the host's own identity


# A plausible mistake for each: the answer a learner gets with one idea wrong.
MISTAKE = {
    "07.1": lambda q: str(q.cluster.nodes[q.node].ip),       # its own address
    "07.2": lambda q: [str(q.cluster.pods[q.source].ip), str(q.cluster.pods[q.destination].ip)],
    "07.3": _vni_mistake,
    "07.4": lambda q: q.dport or (4789 if SOLVE["07.4"](q) != 4789 else 8472),  # inner or usual
    "07.5": lambda q: q.size + OVERHEAD - 14,                 # the outer Ethernet forgotten
    "07.6": lambda q: q.device_mtu,
}


(test_every_exercise_has_a_solver, test_right_answers_are_accepted,
 test_mistakes_are_rejected_without_giving_the_answer) = contract("07", SOLVE, MISTAKE)


def _questions(key: str) -> list:
    return [question(key, sid, salt="fall-2026") for sid in IDS]


def test_tunnel_endpoints_vary_and_include_none() -> None:
    answers = [SOLVE["07.1"](q) for q in _questions("07.1")]
    assert "none" in answers and len(set(answers)) > 15


def test_outer_addresses_ask_both_legs_and_a_local_pair() -> None:
    qs = _questions("07.2")
    assert {q.direction for q in qs} == {"request", "reply"}
    assert "none" in [SOLVE["07.2"](q) for q in qs]


def test_vnis_include_pods_and_the_remote_node() -> None:
    answers = {SOLVE["07.3"](q) for q in _questions("07.3")}
    assert REMOTE_NODE in answers and len(answers) > 2


def test_udp_port_variants_differ_in_flow_and_leg() -> None:
    qs = _questions("07.4")
    assert {q.direction for q in qs} == {"request", "reply"}
    assert {q.proto for q in qs} == {"icmp", "udp", "tcp"}
    ports = [SOLVE["07.4"](q) for q in qs]
    assert ports.count(8472) >= len(ports) / 3  # mostly Cilium's default
    assert len(set(ports)) >= 3  # and some clusters with their own tunnelPort


def test_overhead_variants_ask_for_frames_and_packets_of_every_protocol() -> None:
    qs = _questions("07.5")
    assert {q.layer for q in qs} == {"frame", "packet"}
    assert {q.proto for q in qs} == {"icmp", "udp", "tcp"}
    assert len({SOLVE["07.5"](q) for q in qs}) >= 4


def test_the_mtu_asked_about_is_on_the_route() -> None:
    qs = _questions("07.6")
    assert len({q.device_mtu for q in qs}) > 10
    assert {q.route == "default" for q in qs} == {True, False}
    for q in qs:
        table = q.cluster.endpoints[q.host].routing_table()
        target = (IPv4Address("192.0.2.1") if q.route == "default"
                  else IPv4Network(q.route).network_address + 1)
        assert table.lookup(target).mtu == SOLVE["07.6"](q), q.text
