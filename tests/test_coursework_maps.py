"""Notebook 06's exercises: the right answer of every variant is accepted, wrong ones are not."""

from __future__ import annotations

from coursework_contract import contract

from kpath_nb.coursework import question

IDS = [f"s24{n:05d}" for n in range(30)]


def _next_identity(q) -> int:
    """Same labels in the same namespace share a number; a new set gets the next one."""
    pods = q.cluster.pods.values()
    same = [p for p in pods if p.labels == q.labels and p.namespace == q.namespace]
    return same[0].identity.number if same else max(p.identity.number for p in pods) + 1


def _same_node(q) -> bool:
    return q.cluster.pods[q.source].node == q.cluster.pods[q.destination].node


def _endpoint_row(q):
    endpoints = q.cluster.bpf_map(q.node, "cilium_lxc")
    return endpoints[endpoints.ip == q.address].iloc[0]


def _observation_points(q) -> list[str]:
    """The points as notebook 06 teaches them, from what the source and destination are."""
    cl = q.cluster
    if q.source in cl.nodes:
        return ["from-host", "to-endpoint"]
    home = cl.pods[q.source].node
    if q.destination in cl.nodes:  # up the node's stack; leaving by FIB redirect or the stack
        leaving = "to-network" if cl.config.host_routing == "bpf" else "to-stack"
        return ["from-endpoint", "to-stack" if q.destination == home else leaving]
    if cl.pods[q.destination].node == home:
        return ["from-endpoint", "to-endpoint"]
    return ["from-endpoint", "to-overlay", "from-overlay", "to-endpoint"]


# Worked out independently of the checks, as a student would.
SOLVE = {
    "06.1": _next_identity,
    "06.2": lambda q: "cilium_lxc" if _same_node(q) else "cilium_ipcache_v2",
    "06.3": lambda q: int(_endpoint_row(q).id),
    "06.4": lambda q: "cilium_ct4_global" if q.proto == "tcp" else "cilium_ct_any4_global",
    "06.5": _observation_points,
}
# A plausible mistake for each: the answer a learner gets with one idea wrong.
MISTAKE = {
    "06.1": lambda q: 256 + len(q.cluster.pods),            # one number per pod
    "06.2": lambda q: "cilium_ipcache_v2" if _same_node(q) else "cilium_lxc",
    "06.3": lambda q: int(_endpoint_row(q).sec_id),          # the identity, not the endpoint
    "06.4": lambda q: "cilium_ct_any4_global" if q.proto == "tcp" else "cilium_ct4_global",
    "06.5": lambda q: list(reversed(_observation_points(q))),
}


(test_every_exercise_has_a_solver, test_right_answers_are_accepted,
 test_mistakes_are_rejected_without_giving_the_answer) = contract("06", SOLVE, MISTAKE)


def _questions(key: str) -> list:
    return [question(key, sid, salt="fall-2026") for sid in IDS]


def test_identity_variants_ask_for_shared_and_new_numbers() -> None:
    shared = {any(p.labels == q.labels and p.namespace == q.namespace
                  for p in q.cluster.pods.values()) for q in _questions("06.1")}
    assert shared == {True, False}
    assert {q.namespace != "default" for q in _questions("06.1")} == {True, False}


def test_identity_check_leaves_the_cluster_alone() -> None:
    q = question("06.1", IDS[0], salt="fall-2026")
    before = len(q.cluster.pods)
    q.check(SOLVE["06.1"](q))
    assert q.pod not in q.cluster.pods and len(q.cluster.pods) == before


def test_map_variants_include_both_maps() -> None:
    assert {SOLVE["06.2"](q) for q in _questions("06.2")} == {"cilium_lxc", "cilium_ipcache_v2"}


def test_conntrack_variants_use_every_protocol_and_both_maps() -> None:
    qs = _questions("06.4")
    assert {q.proto for q in qs} == {"icmp", "udp", "tcp"}
    assert {_same_node(q) for q in qs} == {True, False}


def test_endpoint_ids_differ_between_students() -> None:
    assert len({SOLVE["06.3"](q) for q in _questions("06.3")}) > 20


def test_observation_point_variants_cover_every_path() -> None:
    paths = {tuple(SOLVE["06.5"](q)) for q in _questions("06.5")}
    # Generated clusters run Cilium's default, legacy host routing: a pod's packets for a
    # node, its own or another, go up the stack (to-stack); to-host needs the host firewall.
    assert paths == {("from-endpoint", "to-endpoint"), ("from-host", "to-endpoint"),
                     ("from-endpoint", "to-stack"),
                     ("from-endpoint", "to-overlay", "from-overlay", "to-endpoint")}
