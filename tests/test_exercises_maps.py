"""The checks of notebook 06 accept right answers in every reasonable form, reject wrong ones,
never reveal the answer in a hint, and never raise on garbage."""

from __future__ import annotations

import pytest

import kpath_nb as kp
from kpath_nb.exercises import maps


class Unprintable:
    def __str__(self):
        raise RuntimeError("no text for you")


GARBAGE = [42.5, True, object(), {"a": 1}, [1, 2], "???", b"bytes", float("nan"), Unprintable(),
           "cilium_banana", "-3"]
UNANSWERED = [..., None, "", "   "]


@pytest.fixture
def cl():
    return kp.load_topology("seed-cilium-buildings")


def assert_hidden(feedback, *secrets):
    """Neither the text nor the HTML of a non-correct feedback contains any secret."""
    assert not feedback.correct
    for text in (str(feedback), feedback._repr_html_()):
        for secret in secrets:
            assert str(secret).lower() not in text.lower(), (secret, text)


# -- which map decides -----------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["cilium_lxc", " CILIUM_LXC ", "cilium-lxc", "lxc",
                                    "endpoint map", "the endpoint map", "bpf endpoint list"])
def test_map_consulted_local(cl, answer):
    fb = maps.check_map_consulted(cl, "apartment-12", "apartment-14", answer)
    assert fb.status == "correct", fb


@pytest.mark.parametrize("answer", ["cilium_ipcache_v2", "cilium_ipcache", "ipcache", "IP cache"])
def test_map_consulted_remote(cl, answer):
    assert maps.check_map_consulted(cl, "apartment-12", "apartment-22", answer).correct


@pytest.mark.parametrize("answer", ["cilium_ipcache_v2", "cilium_ct4_global",
                                    "cilium_ct_any4_global", *GARBAGE])
def test_map_consulted_wrong_or_garbage(cl, answer):
    fb = maps.check_map_consulted(cl, "apartment-12", "apartment-14", answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, "cilium_lxc")


@pytest.mark.parametrize("answer", UNANSWERED)
def test_map_consulted_unanswered(cl, answer):
    fb = maps.check_map_consulted(cl, "apartment-12", "apartment-14", answer)
    assert fb.status == "unanswered"
    assert_hidden(fb, "cilium_lxc")


def test_map_consulted_follows_the_cluster(cl):
    """Move the destination to the other node and the answer changes with it."""
    cl.add_pod("apartment-16", "building-green", labels={"app": "resident"})
    assert maps.check_map_consulted(cl, "apartment-12", "apartment-16", "cilium_ipcache_v2")
    cl.add_pod("apartment-18", "building-blue", labels={"app": "resident"})
    assert maps.check_map_consulted(cl, "apartment-12", "apartment-18", "cilium_lxc")


# -- conntrack map -----------------------------------------------------------------------------

@pytest.mark.parametrize("proto, right, wrong", [
    ("tcp", "cilium_ct4_global", "cilium_ct_any4_global"),
    ("icmp", "cilium_ct_any4_global", "cilium_ct4_global"),
    ("udp", "cilium_ct_any4_global", "cilium_ct4_global"),
])
def test_ct_map(cl, proto, right, wrong):
    assert maps.check_ct_map(cl, "apartment-12", "apartment-14", proto, right).correct
    assert maps.check_ct_map(cl, "apartment-12", "apartment-14", proto,
                             right.upper().replace("_", " ")).correct
    fb = maps.check_ct_map(cl, "apartment-12", "apartment-14", proto, wrong)
    assert fb.status == "incorrect"
    assert_hidden(fb, right)


@pytest.mark.parametrize("answer", [*GARBAGE, *UNANSWERED])
def test_ct_map_garbage(cl, answer):
    fb = maps.check_ct_map(cl, "apartment-12", "apartment-22", "tcp", answer)
    assert fb.status in ("incorrect", "unanswered")
    assert_hidden(fb, "cilium_ct4_global")


# -- endpoint ID and identity ----------------------------------------------------------------

def test_endpoint_id_forms(cl):
    right = cl.pods["apartment-14"].endpoint_id
    for answer in (right, str(right), f" {right} ", f"id={right}", float(right), f"ID: {right}"):
        assert maps.check_endpoint_id(cl, "apartment-14", answer).correct, answer


@pytest.mark.parametrize("answer", [*GARBAGE, *UNANSWERED])
def test_endpoint_id_wrong(cl, answer):
    pod = cl.pods["apartment-14"]
    fb = maps.check_endpoint_id(cl, "apartment-14", answer)
    assert fb.status in ("incorrect", "unanswered")
    assert_hidden(fb, pod.endpoint_id)


def test_endpoint_id_is_not_the_identity(cl):
    pod = cl.pods["apartment-14"]
    fb = maps.check_endpoint_id(cl, "apartment-14", pod.identity.number)
    assert fb.status == "incorrect"
    assert_hidden(fb, pod.endpoint_id)


def test_endpoint_id_unknown_pod_is_an_author_error(cl):
    with pytest.raises(kp.UnknownEndpointError, match="apartment-12"):
        maps.check_endpoint_id(cl, "apartment-99", 1)


def test_identity_forms(cl):
    right = cl.pods["apartment-22"].identity.number
    for answer in (right, str(right), f"ID:{right}", f"(ID:{right})", f"sec_id={right}",
                   f"identity={right}"):
        fb = maps.check_identity(cl, "apartment-22", answer)
        assert fb.correct, answer
    assert "apartment-14" in maps.check_identity(cl, "apartment-22", right).message


@pytest.mark.parametrize("answer", [256, 1, 6, "world", *GARBAGE, *UNANSWERED])
def test_identity_wrong(cl, answer):
    fb = maps.check_identity(cl, "apartment-22", answer)
    assert fb.status in ("incorrect", "unanswered")
    assert_hidden(fb, cl.pods["apartment-22"].identity.number)


def test_identity_follows_the_labels(cl):
    cl.add_pod("apartment-16", "building-blue", labels={"app": "visitor"})
    assert maps.check_identity(cl, "apartment-16", cl.pods["apartment-12"].identity.number)


# -- observation points ----------------------------------------------------------------------

@pytest.mark.parametrize("answer", [["from-endpoint", "to-endpoint"],
                                    ("from-endpoint", "to-endpoint"),
                                    "from-endpoint, to-endpoint",
                                    "from-endpoint -> to-endpoint",
                                    "FROM_ENDPOINT → TO_ENDPOINT"])
def test_observation_points_same_node(cl, answer):
    assert maps.check_observation_points(cl, "apartment-12", "apartment-14", answer).correct


def test_observation_points_across_nodes(cl):
    right = ["from-endpoint", "to-overlay", "from-overlay", "to-endpoint"]
    assert maps.check_observation_points(cl, "apartment-12", "apartment-22", right).correct
    assert maps.check_observation_points(cl, "building-blue", "apartment-22",
                                         ["from-host", "to-overlay", "from-overlay",
                                          "to-endpoint"]).correct


@pytest.mark.parametrize("answer", [["to-endpoint", "from-endpoint"], ["from-endpoint"],
                                    {"from-endpoint", "to-endpoint"},
                                    ["from-endpoint", "to-overlay", "from-overlay",
                                     "to-endpoint"], *GARBAGE, *UNANSWERED])
def test_observation_points_wrong(cl, answer):
    fb = maps.check_observation_points(cl, "apartment-12", "apartment-14", answer)
    assert fb.status in ("incorrect", "unanswered")
    assert_hidden(fb, "from-endpoint → to-endpoint", "from-endpoint, to-endpoint")


def test_the_observation_points_a_trace_can_show_leave_out_to_host():
    """to-host appears only with the host firewall; the node is reached with to-stack."""
    from kpath_nb.exercises.maps import OBSERVATION_POINTS

    assert "to-host" not in OBSERVATION_POINTS and "to-stack" in OBSERVATION_POINTS
