"""The checks of notebook 04 accept right answers in every reasonable form, reject wrong ones,
never reveal the answer in a hint, and never raise on garbage."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface

import pytest

import kpath_nb as kp
from kpath_nb.exercises import pods


class Unprintable:
    def __str__(self):
        raise RuntimeError("no text for you")


GARBAGE = [42, 3.5, True, object(), {"a": 1}, [1, 2], "???", "eth", "zz:zz:zz:zz:zz:zz",
           b"bytes", "10.0.0.0/99", float("nan"), Unprintable()]
UNANSWERED = [..., None, "", "   "]


@pytest.fixture
def cl():
    return kp.load_topology("seed-cilium-buildings")


@pytest.fixture
def three():
    return kp.load_topology("cilium-three-nodes")


def assert_hidden(feedback, *secrets):
    """Neither the text nor the HTML of a non-correct feedback contains any secret."""
    assert not feedback.correct
    for text in (str(feedback), feedback._repr_html_()):
        for secret in secrets:
            assert str(secret).lower() not in text.lower(), (secret, text)


def lxc_mac(cl, pod):
    p = cl.pods[pod]
    return cl.nodes[p.node].interfaces[p.lxc].mac


# -- the pod's gateway ---------------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["10.0.10.11", " 10.0.10.11 ", "10.0.10.11/32",
                                    IPv4Address("10.0.10.11"), IPv4Interface("10.0.10.11/32")])
def test_gateway_right(cl, answer):
    fb = pods.check_pod_gateway(cl, "apartment-12", answer)
    assert fb.correct, fb
    assert "cilium_host" in fb.message


def test_gateway_follows_the_model(three):
    for name, pod in three.pods.items():
        router = three.nodes[pod.node].router_ip
        assert pods.check_pod_gateway(three, name, str(router)).correct
        assert not pods.check_pod_gateway(three, name, str(three.nodes[pod.node].ip)).correct


@pytest.mark.parametrize("answer", ["192.168.100.10", "10.0.10.12", "10.0.20.21", "10.0.10.1",
                                    *GARBAGE])
def test_gateway_wrong_or_garbage(cl, answer):
    fb = pods.check_pod_gateway(cl, "apartment-12", answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, "10.0.10.11")


@pytest.mark.parametrize("answer", UNANSWERED)
def test_gateway_unanswered(cl, answer):
    fb = pods.check_pod_gateway(cl, "apartment-12", answer)
    assert fb.status == "unanswered"
    assert_hidden(fb, "10.0.10.11")


# -- the MAC that answers the pod's ARP ----------------------------------------------------------

def test_gateway_mac_right_in_many_forms(cl):
    right = lxc_mac(cl, "apartment-22")
    for answer in (right, str(right), str(right).upper(), str(right).replace(":", "-"),
                   f"  {right} "):
        assert pods.check_gateway_mac(cl, "apartment-22", answer).correct, answer


def test_gateway_mac_is_what_the_trace_shows(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-14")
    reply = tr.hops[1].packet[kp.ARP]
    assert pods.check_gateway_mac(cl, "apartment-12", str(reply.sender_mac)).correct


def test_gateway_mac_wrong_or_garbage(cl):
    right = lxc_mac(cl, "apartment-12")
    blue = cl.nodes["building-blue"]
    wrong = [blue.interfaces["cilium_host"].mac, blue.interfaces["eth0"].mac,
             cl.pods["apartment-12"].mac, lxc_mac(cl, "apartment-14"), "ff:ff:ff:ff:ff:ff"]
    for answer in [*wrong, *GARBAGE]:
        fb = pods.check_gateway_mac(cl, "apartment-12", answer)
        assert fb.status == "incorrect", answer
        assert_hidden(fb, right, cl.pods["apartment-12"].lxc)


@pytest.mark.parametrize("answer", UNANSWERED)
def test_gateway_mac_unanswered(cl, answer):
    assert pods.check_gateway_mac(cl, "apartment-12", answer).status == "unanswered"


# -- the lxc device ------------------------------------------------------------------------------

def test_lxc_right_in_many_forms(cl):
    lxc = cl.pods["apartment-14"].lxc
    index = cl.nodes["building-blue"].ifindex[lxc]
    for answer in (lxc, lxc.upper(), f" {lxc} ", f"{lxc}@if2", f"{index}: {lxc}@if2:"):
        fb = pods.check_lxc_device(cl, "apartment-14", answer)
        assert fb.correct, (answer, fb)
        assert str(index) in fb.message


def test_lxc_wrong_or_garbage(cl):
    lxc = cl.pods["apartment-14"].lxc
    for answer in ["eth0", "lxc_health", "cilium_host", cl.pods["apartment-12"].lxc, lxc[:-1],
                   "lxc", *GARBAGE]:
        fb = pods.check_lxc_device(cl, "apartment-14", answer)
        assert fb.status == "incorrect", answer
        assert_hidden(fb, lxc)


@pytest.mark.parametrize("answer", UNANSWERED)
def test_lxc_unanswered(cl, answer):
    fb = pods.check_lxc_device(cl, "apartment-14", answer)
    assert fb.status == "unanswered"
    assert_hidden(fb, cl.pods["apartment-14"].lxc)


def test_lxc_of_a_recreated_pod_is_new(cl):
    old = cl.pods["apartment-12"].lxc
    cl.delete_pod("apartment-12")
    cl.add_pod("apartment-12", "building-blue", {"app": "visitor"})
    assert not pods.check_lxc_device(cl, "apartment-12", old).correct
    assert pods.check_lxc_device(cl, "apartment-12", cl.pods["apartment-12"].lxc).correct


# -- route MTU -----------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [1450, "1450", " mtu 1450 ", 1450.0, "MTU 1450"])
def test_remote_route_mtu(cl, answer):
    fb = pods.check_node_route_mtu(cl, "building-blue", "10.0.20.0/24", answer)
    assert fb.correct, fb


@pytest.mark.parametrize("answer", ["none", "No MTU", 1500, "1500", "device mtu", "-"])
def test_local_route_has_no_mtu(cl, answer):
    assert pods.check_node_route_mtu(cl, "building-blue", "10.0.10.0/24", answer).correct


def test_route_mtu_destination_forms(cl):
    for destination in ("10.0.20.0/24", "10.0.20.22", "apartment-22"):
        assert pods.check_node_route_mtu(cl, "building-blue", destination, 1450).correct
    assert pods.check_node_route_mtu(cl, "building-green", "apartment-12", "1450").correct


@pytest.mark.parametrize("answer", ["none", 1500, 1400, 1550, "mtu", *GARBAGE])
def test_remote_route_mtu_wrong_or_garbage(cl, answer):
    fb = pods.check_node_route_mtu(cl, "building-blue", "10.0.20.0/24", answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, "1450")


def test_local_route_mtu_wrong(cl):
    fb = pods.check_node_route_mtu(cl, "building-blue", "10.0.10.0/24", 1450)
    assert fb.status == "incorrect"
    assert_hidden(fb, "1500", "no mtu attribute")


@pytest.mark.parametrize("answer", UNANSWERED)
def test_route_mtu_unanswered(cl, answer):
    fb = pods.check_node_route_mtu(cl, "building-blue", "10.0.20.0/24", answer)
    assert fb.status == "unanswered"
    assert_hidden(fb, "1450")


def test_route_mtu_follows_the_config():
    yaml = """
name: jumbo
kind: cluster
cilium: {device_mtu: 9000}
nodes:
  sw: {kind: switch, subnet: 172.18.0.0/16}
  a: {kind: node, interfaces: {eth0: 172.18.0.2/16}}
  b: {kind: node, interfaces: {eth0: 172.18.0.3/16}}
links:
  - endpoints: ["a:eth0", "sw:eth1"]
  - endpoints: ["b:eth0", "sw:eth2"]
"""
    jumbo = kp.parse_topology(yaml)
    remote = str(jumbo.nodes["b"].pod_cidr)
    assert pods.check_node_route_mtu(jumbo, "a", remote, 8950).correct
    assert not pods.check_node_route_mtu(jumbo, "a", remote, 1450).correct


# -- shared identity -----------------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["yes", "Yes!", True, "same", " YES "])
def test_shared_identity_yes(cl, answer):
    fb = pods.check_shared_identity(cl, "apartment-14", "apartment-22", answer)
    assert fb.correct, fb


@pytest.mark.parametrize("answer", ["no", "No.", False, "different"])
def test_shared_identity_no(cl, answer):
    assert pods.check_shared_identity(cl, "apartment-12", "apartment-14", answer).correct


@pytest.mark.parametrize("answer", ["no", False, "maybe",
                                    *[g for g in GARBAGE if g is not True]])
def test_shared_identity_wrong_or_garbage(cl, answer):
    fb = pods.check_shared_identity(cl, "apartment-14", "apartment-22", answer)
    assert fb.status == "incorrect"
    assert "256" not in str(fb) and "257" not in str(fb)


def test_shared_identity_across_namespaces(three):
    three.add_pod("web-copy", "kind-worker", {"app": "web"}, namespace="shop")
    assert pods.check_shared_identity(three, "web-6d4cf56db6-4kq9z", "web-6d4cf56db6-9tmbw",
                                      "yes").correct
    assert pods.check_shared_identity(three, "web-6d4cf56db6-4kq9z", "web-copy", "no").correct


@pytest.mark.parametrize("answer", UNANSWERED)
def test_shared_identity_unanswered(cl, answer):
    fb = pods.check_shared_identity(cl, "apartment-14", "apartment-22", answer)
    assert fb.status == "unanswered"


def test_an_unknown_pod_is_named_in_the_error(cl):
    with pytest.raises(kp.UnknownEndpointError, match="apartment-12"):
        pods.check_pod_gateway(cl, "apartment-99", "10.0.10.11")
