"""Notebook 08's exercises: the right answer of every variant is accepted, wrong ones are not."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest
from coursework_contract import contract

import kpath_nb as kp
from kpath_nb.coursework import question
from kpath_nb.identity import RESERVED

IDS = [f"s24{n:05d}" for n in range(30)]
CT = {"tcp": "cilium_ct4_global", "udp": "cilium_ct_any4_global", "icmp": "cilium_ct_any4_global"}


def _node_of(cl, name: str):
    return cl.nodes[name] if name in cl.nodes else cl.nodes[cl.pods[name].node]


# Worked out independently of the checks, from what notebooks 04 to 07 teach.
def _devices(q) -> list[str]:
    src, dst = q.cluster.pods[q.source], q.cluster.pods[q.destination]
    tunnel = q.cluster.config.tunnel_device
    return ["eth0", src.lxc, tunnel, "eth0", "eth0", tunnel, dst.lxc, "eth0"]


def _maps(q) -> list[str]:
    src, dst = q.cluster.pods[q.source], q.cluster.pods[q.destination]
    sending = [CT[q.proto], "cilium_ipcache_v2", "cilium_lxc"]
    delivering = [CT[q.proto], f"cilium_policy_v2_{dst.endpoint_id:05d}"]
    if src.node == dst.node:
        return sending + delivering
    return sending if q.node == src.node else ["cilium_lxc"] + delivering


def _outer(q) -> dict:
    sender, receiver = ((q.source, q.destination) if q.direction == "request"
                        else (q.destination, q.source))
    vni = (RESERVED["remote-node"] if sender in q.cluster.nodes
           else q.cluster.pods[sender].identity.number)
    return {"src": str(_node_of(q.cluster, sender).ip), "dst": str(_node_of(q.cluster, receiver).ip),
            "dport": 8472, "vni": vni}


def _points(q) -> list[str]:
    start = "from-host" if q.source in q.cluster.nodes else "from-endpoint"
    across = _node_of(q.cluster, q.source) is not _node_of(q.cluster, q.destination)
    return [start] + (["to-overlay", "from-overlay"] if across else []) + ["to-endpoint"]


def _diagnose(q) -> list[str]:
    """Trace to every backend; follow the first failure to the node or address behind it."""
    cl = q.cluster
    failing = [t for t in (kp.trace(cl, q.client, b) for b in q.backends) if not t.delivered]
    if not failing:
        full = [n for n in cl.nodes if cl.cilium_dbg(n, "status").count(
            f"{2 ** (32 - cl.config.mask_size) - 2}/{2 ** (32 - cl.config.mask_size) - 2}")]
        return ["ipam exhausted", full[0]]
    tr = failing[0]
    if "Stale or unroutable IP" in tr.reason:
        return ["stale ip", tr.dst]
    if tr.cause == "arp-unresolved":  # nobody answered: whose address was asked for?
        asked = [h for h in tr.hops if h.action == "arp"][-1].packet[kp.ARP].target_ip
        culprit = cl.underlay.owner(asked)[0]
    else:
        culprit = tr.hops[-1].node
    return ["interface down" if not cl.nodes[culprit].interfaces["eth0"].up else "wrong mask",
            culprit]


SOLVE = {
    "08.1": _devices,
    "08.2": _maps,
    "08.3": _outer,
    "08.4": lambda q: [q.ttl - 1, 64, 63],
    "08.5": _points,
    "08.6": _diagnose,
    "08.7": _diagnose,
}


def _wrong_place(q) -> list[str]:
    what, where = _diagnose(q)
    if what == "stale ip":  # the node whose pod CIDR holds it, not the address
        return [what, q.cluster.node_by_cidr(IPv4Address(where)).name]
    return [what, next(n for n in q.cluster.nodes if n != where)]


# A plausible mistake for each: the answer a learner gets with one idea wrong.
MISTAKE = {
    "08.1": lambda q: _devices(q)[:2] + ["cilium_host"] + _devices(q)[2:],   # the article's door 11
    "08.2": lambda q: [{"cilium_ct4_global": "cilium_ct_any4_global"}.get(m, "cilium_ct4_global")
                       if m.startswith("cilium_ct") else m for m in _maps(q)],
    "08.3": lambda q: {**_outer(q), "dst": str(q.cluster.pods[q.destination].ip)
                       if q.direction == "request" else str(q.cluster.pods[q.source].ip)},
    "08.4": lambda q: [q.ttl, 64, 64],                                       # nobody lowers it
    "08.5": lambda q: ["from-endpoint", "to-endpoint"] if len(_points(q)) == 4 else
                      ["from-endpoint", "to-overlay", "from-overlay", "to-endpoint"],
    "08.6": _wrong_place,
    "08.7": _wrong_place,
}


(test_every_exercise_has_a_solver, test_right_answers_are_accepted,
 test_mistakes_are_rejected_without_giving_the_answer) = contract("08", SOLVE, MISTAKE)


@pytest.mark.parametrize("key", ["08.1", "08.3", "08.6"])
def test_answers_are_read_in_several_forms(key: str) -> None:
    q = question(key, "s2400007", salt="fall-2026")
    right = SOLVE[key](q)
    if key == "08.1":
        owners = [q.source] + [q.cluster.pods[q.source].node] * 3 + \
                 [q.cluster.pods[q.destination].node] * 3 + [q.destination]
        forms = [" -> ".join(right), [f"{o}:{d}" for o, d in zip(owners, right)]]
    elif key == "08.3":
        forms = [list(right.values()), {"Source": right["src"], "destination": right["dst"],
                                        "UDP port": f"{right['dport']}/udp",
                                        "VNI": f"vni={right['vni']}"}]
    else:
        forms = [", ".join(right), {"what": right[0].upper(), "where": right[1]}]
    for form in forms:
        assert q.check(form).status == "correct", form


def test_a_wrong_owner_is_not_right() -> None:
    q = question("08.1", "s2400007", salt="fall-2026")
    answer = [f"{q.destination}:eth0"] + SOLVE["08.1"](q)[1:]
    assert q.check(answer).status == "incorrect"


def _texts(key: str, solve) -> set:
    return {solve(question(key, sid, salt="fall-2026")) for sid in IDS}


def test_map_variants_ask_about_either_node_and_the_same_node() -> None:
    def kind(q):
        src, dst = q.cluster.pods[q.source], q.cluster.pods[q.destination]
        return "same" if src.node == dst.node else (
            "sending" if q.node == src.node else "receiving")
    assert _texts("08.2", kind) == {"same", "sending", "receiving"}
    assert _texts("08.2", lambda q: q.proto) == {"icmp", "udp", "tcp"}


def test_outer_header_variants_include_replies_and_nodes() -> None:
    def kind(q):
        return "node" if q.source in q.cluster.nodes else q.direction
    assert _texts("08.3", kind) == {"node", "request", "reply"}


def test_hubble_variants_cover_both_paths_and_senders() -> None:
    assert _texts("08.5", lambda q: (q.source in q.cluster.nodes, len(_points(q)))) == {
        (False, 2), (False, 4), (True, 2), (True, 4)}


@pytest.mark.parametrize("key", ["08.6", "08.7"])
def test_tickets_cover_every_kind_of_fault(key: str) -> None:
    assert _texts(key, lambda q: _diagnose(q)[0]) == set(kp.exercises.capstone.INCIDENTS)


@pytest.mark.parametrize("sid", IDS)
def test_a_ticket_has_one_fault_and_the_symptom_it_reports(sid: str) -> None:
    q = question("08.6", sid, salt="fall-2026")
    cl = q.cluster
    what, where = _diagnose(q)
    failing = [b for b in q.backends if not kp.trace(cl, q.client, b).delivered]
    full = [n for n, a in cl.allocators.items() if len(a.owners) == a.size]
    down = [n for n, node in cl.nodes.items() if not node.interfaces["eth0"].up]
    masks = [n for n, node in cl.nodes.items()
             if str(node.interfaces["eth0"].ip.network) != q.node_network]
    assert full == ([where] if what == "ipam exhausted" else [])
    assert down == ([where] if what == "interface down" else [])
    assert masks == ([where] if what == "wrong mask" else [])
    assert bool(failing) == (what != "ipam exhausted")
    if what == "stale ip":
        assert failing == [where]
    if what == "ipam exhausted":
        with pytest.raises(kp.IpamExhaustedError):
            cl.copy().add_pod("one-more", where)


def test_the_clusters_differ_between_students() -> None:
    shapes = {(tuple(q.cluster.nodes), str(next(iter(q.cluster.nodes.values())).pod_cidr))
              for q in (question("08.1", sid, salt="fall-2026") for sid in IDS)}
    assert len(shapes) > 20
