"""The checks of notebook 05 accept right answers in every reasonable form, reject wrong ones,
never reveal the answer in a hint, and never raise on garbage."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest

import kpath_nb as kp
from kpath_nb.exercises import ipam


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


# -- node CIDR -----------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["10.0.1.0/24", " 10.0.1.0 / 24 ", IPv4Network("10.0.1.0/24")])
def test_node_cidr_right(three, answer):
    fb = ipam.check_node_cidr(three, "kind-worker", answer)
    assert fb.correct, fb
    assert "CiliumNode" in fb.message


def test_node_cidr_follows_the_model(three):
    for name, node in three.nodes.items():
        assert ipam.check_node_cidr(three, name, str(node.pod_cidr)).correct


def test_node_cidr_names_the_owner_in_kubernetes_mode():
    yaml = """
name: k8s-mode
kind: cluster
cilium: {ipam: {mode: kubernetes, pool: [10.244.0.0/16]}}
nodes:
  sw: {kind: switch, subnet: 172.18.0.0/16}
  a: {kind: node, interfaces: {eth0: 172.18.0.2/16}}
links:
  - endpoints: ["a:eth0", "sw:eth1"]
"""
    k8s = kp.parse_topology(yaml)
    fb = ipam.check_node_cidr(k8s, "a", "10.244.0.0/24")
    assert fb.correct and "Node spec.podCIDR" in fb.message


@pytest.mark.parametrize("answer", ["10.0.1.0", "10.0.1.0/16", "10.0.0.0/24", "10.0.0.0/8",
                                    "10.0.1.7/24", "10.0.1.0/25", *GARBAGE])
def test_node_cidr_wrong_or_garbage(three, answer):
    fb = ipam.check_node_cidr(three, "kind-worker", answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, "10.0.1.0")


@pytest.mark.parametrize("answer", UNANSWERED)
def test_node_cidr_unanswered(three, answer):
    fb = ipam.check_node_cidr(three, "kind-worker", answer)
    assert fb.status == "unanswered"
    assert_hidden(fb, "10.0.1.0")


# -- usable addresses ----------------------------------------------------------------------------

@pytest.mark.parametrize("mask, addresses, pods", [(24, 254, 252), (28, 14, 12), (26, 62, 60),
                                                    (30, 2, 0)])
def test_usable_addresses(mask, addresses, pods):
    for answer in (addresses, str(addresses), f" {addresses} ", float(addresses)):
        assert ipam.check_usable_addresses(mask, answer).correct
    for answer in (pods, str(pods)):
        assert ipam.check_usable_addresses(mask, answer, pods_only=True).correct


def test_usable_addresses_agree_with_the_allocator():
    yaml = """
name: tiny
kind: cluster
cilium: {ipam: {mask_size: 28}}
nodes:
  sw: {kind: switch, subnet: 172.18.0.0/16}
  a: {kind: node, interfaces: {eth0: 172.18.0.2/16}}
links:
  - endpoints: ["a:eth0", "sw:eth1"]
"""
    tiny = kp.parse_topology(yaml)
    made = 0
    with pytest.raises(kp.IpamExhaustedError):
        while True:
            tiny.add_pod(f"p{made}", "a")
            made += 1
    assert ipam.check_usable_addresses(28, made, pods_only=True).correct


@pytest.mark.parametrize("answer", [256, 255, 252, "2^8", *GARBAGE])
def test_usable_addresses_wrong_or_garbage(answer):
    fb = ipam.check_usable_addresses(24, answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, "254")


@pytest.mark.parametrize("answer", [254, 256, 253])
def test_usable_pods_wrong(answer):
    fb = ipam.check_usable_addresses(24, answer, pods_only=True)
    assert fb.status == "incorrect"
    assert_hidden(fb, "252")


@pytest.mark.parametrize("answer", UNANSWERED)
def test_usable_addresses_unanswered(answer):
    assert ipam.check_usable_addresses(24, answer).status == "unanswered"


# -- who holds an address ------------------------------------------------------------------------

@pytest.mark.parametrize("ip, answer", [
    ("10.0.10.12", "apartment-12"), ("10.0.10.12", "default/apartment-12"),
    ("10.0.10.12", " Apartment-12 "),
    ("10.0.10.11", "router"), ("10.0.10.11", "cilium_host"), ("10.0.10.11", "(router)"),
    ("10.0.10.11", "building-blue router"), ("10.0.10.11", "building-blue's router"),
    ("10.0.10.99", "free"), ("10.0.10.99", "nobody"), ("10.0.10.99", "none"),
    ("192.168.100.20", "building-green"),
])
def test_address_owner_right(cl, ip, answer):
    fb = ipam.check_address_owner(cl, ip, answer)
    assert fb.correct, (ip, answer, fb)


def test_address_owner_health(cl):
    health = cl.nodes["building-green"].health_ip
    for answer in ("health", "cilium-health", "(health)", "Health endpoint"):
        assert ipam.check_address_owner(cl, str(health), answer).correct


@pytest.mark.parametrize("ip, answer", [
    ("10.0.10.12", "apartment-14"), ("10.0.10.12", "free"), ("10.0.10.11", "health"),
    ("10.0.10.11", "building-green router"), ("10.0.10.11", "building-blue"),
    ("10.0.10.99", "apartment-12"), ("192.168.100.20", "router"),
    *[("10.0.10.12", g) for g in GARBAGE],
])
def test_address_owner_wrong_or_garbage(cl, ip, answer):
    fb = ipam.check_address_owner(cl, ip, answer)
    assert fb.status == "incorrect"


def test_address_owner_hint_hides_the_owner(cl):
    for answer in ("apartment-14", *UNANSWERED):
        assert_hidden(ipam.check_address_owner(cl, "10.0.10.12", answer), "apartment-12")


def test_address_owner_follows_deletions(cl):
    ip = str(cl.pods["apartment-14"].ip)
    assert ipam.check_address_owner(cl, ip, "apartment-14").correct
    cl.delete_pod("apartment-14")
    assert not ipam.check_address_owner(cl, ip, "apartment-14").correct
    assert ipam.check_address_owner(cl, ip, "free").correct


# -- how many nodes fit --------------------------------------------------------------------------

@pytest.mark.parametrize("pool, mask, nodes", [("10.0.0.0/8", 24, 65536),
                                               ("10.244.0.0/16", 24, 256),
                                               (["10.0.0.0/16", "10.1.0.0/16"], 24, 512),
                                               ("10.0.0.0/8", 26, 262144)])
def test_max_nodes_right(pool, mask, nodes):
    for answer in (nodes, str(nodes), f"{nodes:,}", f"{nodes:_}", float(nodes)):
        assert ipam.check_max_nodes(pool, mask, answer).correct, answer


@pytest.mark.parametrize("answer", [65534, 65535, 16777216, 256, "2^16", *GARBAGE])
def test_max_nodes_wrong_or_garbage(answer):
    fb = ipam.check_max_nodes("10.0.0.0/8", 24, answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, "65536", "65,536")


@pytest.mark.parametrize("answer", UNANSWERED)
def test_max_nodes_unanswered(answer):
    assert ipam.check_max_nodes("10.0.0.0/8", 24, answer).status == "unanswered"


# -- the next node's CIDR ------------------------------------------------------------------------

def test_next_node_cidr(three):
    for answer in ("10.0.3.0/24", IPv4Network("10.0.3.0/24"), " 10.0.3.0/24"):
        assert ipam.check_next_node_cidr(three, answer).correct
    fb = ipam.check_next_node_cidr(three, "10.0.2.0/24")
    assert fb.status == "incorrect"
    assert_hidden(fb, "10.0.3.0")
    assert "new-node" not in three.cidrs.assigned


def test_next_node_cidr_fills_a_gap(three):
    three.cidrs.release("kind-worker")  # 10.0.1.0/24 is free again
    assert ipam.check_next_node_cidr(three, "10.0.1.0/24").correct


@pytest.mark.parametrize("answer", [*GARBAGE, *UNANSWERED])
def test_next_node_cidr_garbage(three, answer):
    assert not ipam.check_next_node_cidr(three, answer).correct
