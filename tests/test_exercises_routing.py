"""The checks of notebook 03 accept right answers in every reasonable form, reject wrong ones,
never reveal the answer in a hint, and never raise on garbage."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface, IPv4Network

import pytest

import kpath_nb as kp
from kpath_nb.exercises import routing

class Unprintable:
    def __str__(self):
        raise RuntimeError("no text for you")


GARBAGE = [42, 3.5, True, object(), {"a": 1}, [1, 2], "???", "eth", "zz:zz:zz:zz:zz:zz",
           b"bytes", "10.0.0.0/99", float("nan"), Unprintable()]
UNANSWERED = [..., None, "", "   "]


@pytest.fixture
def seed():
    return kp.load_topology("seed-neighborhoods")


@pytest.fixture
def lpm():
    return kp.load_topology("longest-prefix")


@pytest.fixture
def chain():
    return kp.load_topology("router-chain")


@pytest.fixture
def office():
    return kp.load_topology("broken-office")


def mac(net, node, iface):
    return str(net.nodes[node].interfaces[iface].mac)


def assert_hidden(feedback, *secrets):
    """Neither the text nor the HTML of a non-correct feedback contains any secret."""
    assert not feedback.correct
    for text in (str(feedback), feedback._repr_html_()):
        for secret in secrets:
            assert str(secret).lower() not in text.lower(), (secret, text)


# -- next hop --------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["10.0.10.11", " 10.0.10.11 ", "10.0.10.11/24",
                                    IPv4Address("10.0.10.11"), IPv4Interface("10.0.10.11/24"),
                                    "gatekeeper-11"])
def test_next_hop_remote_is_the_gateway(seed, answer):
    fb = routing.check_next_hop(seed, "house-14", "house-24", answer)
    assert fb.status == "correct", fb
    assert "10.0.10.11" in fb.message


def test_next_hop_local_is_the_destination(seed):
    assert routing.check_next_hop(seed, "house-14", "house-15", "10.0.10.15").correct
    assert routing.check_next_hop(seed, "house-14", "10.0.10.15", "house-15").correct
    fb = routing.check_next_hop(seed, "house-14", "house-15", "10.0.10.11")
    assert fb.status == "incorrect"
    assert_hidden(fb, "10.0.10.15")


def test_next_hop_at_a_router(seed):
    assert routing.check_next_hop(seed, "gatekeeper-11", "house-24", "10.0.100.201").correct
    assert routing.check_next_hop(seed, "gatekeeper-21", "house-24", "10.0.20.24").correct


@pytest.mark.parametrize("answer", ["10.0.20.24", "house-24", "gatekeeper-21", "10.0.20.21",
                                    *GARBAGE])
def test_next_hop_wrong_or_garbage(seed, answer):
    fb = routing.check_next_hop(seed, "house-14", "house-24", answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, "10.0.10.11", "gatekeeper-11")


@pytest.mark.parametrize("answer", UNANSWERED)
def test_next_hop_unanswered(seed, answer):
    fb = routing.check_next_hop(seed, "house-14", "house-24", answer)
    assert fb.status == "unanswered"
    assert_hidden(fb, "10.0.10.11")


@pytest.mark.parametrize("answer", ["no route", "No Route", "none", "nowhere"])
def test_next_hop_without_a_route(office, answer):
    assert routing.check_next_hop(office, "pc2", "srv1", answer).correct
    assert routing.check_next_hop(office, "pc2", "srv1", "10.1.1.1").status == "incorrect"


# -- route choice by longest prefix -------------------------------------------------------------

@pytest.mark.parametrize("dst, prefix", [("h2", "10.0.0.0/8"), ("h3", "10.1.0.0/16"),
                                         ("h4", "10.1.2.0/24"), ("10.1.2.200", "10.1.2.0/24")])
def test_route_choice_right(lpm, dst, prefix):
    table = lpm.nodes["r1"].routing_table()
    route = table.lookup(kp.parse_address("10.1.2.200") if dst[0].isdigit()
                         else lpm.nodes[dst].primary_ip())
    for answer in (prefix, f"  {prefix} ", str(route), route, IPv4Network(prefix)):
        assert routing.check_route_choice(lpm, "r1", dst, answer).correct, answer


def test_route_choice_default(seed):
    for answer in ("default", "DEFAULT", "0.0.0.0/0", "default via 10.0.10.11 dev eth0"):
        assert routing.check_route_choice(seed, "house-14", "house-24", answer).correct


@pytest.mark.parametrize("answer", ["10.0.0.0/8", "10.1.2.0/24", "default", "10.1.9.0/24",
                                    "10.1.0.0/24", *GARBAGE])
def test_route_choice_wrong_or_garbage(lpm, answer):
    fb = routing.check_route_choice(lpm, "r1", "h3", answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, "10.1.0.0", "/16", "172.16.3.2")


@pytest.mark.parametrize("answer", UNANSWERED)
def test_route_choice_unanswered(lpm, answer):
    fb = routing.check_route_choice(lpm, "r1", "h4", answer)
    assert fb.status == "unanswered"
    assert_hidden(fb, "10.1.2.0/24", "172.16.4.2")


# -- TTL at arrival -----------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [60, "60", " 60 ", 60.0])
def test_ttl_right(chain, answer):
    fb = routing.check_ttl_at_arrival(chain, "h1", "h2", answer)
    assert fb.correct, fb
    assert "r1, r2, r3, r4" in fb.message


def test_ttl_two_routers(seed):
    assert routing.check_ttl_at_arrival(seed, "house-14", "house-24", 62).correct
    assert routing.check_ttl_at_arrival(seed, "house-14", "house-15", 64).correct


@pytest.mark.parametrize("answer", [64, 61, 59, "sixty", -1, *GARBAGE])
def test_ttl_wrong_or_garbage(chain, answer):
    fb = routing.check_ttl_at_arrival(chain, "h1", "h2", answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, "60")


def test_ttl_hint_hides_the_answer_even_without_routers(seed):
    assert_hidden(routing.check_ttl_at_arrival(seed, "house-14", "house-15", 63), "64")


@pytest.mark.parametrize("answer", ["dropped", "never arrives", "TTL exceeded", 0])
def test_ttl_dropped_on_the_way(chain, answer):
    assert routing.check_ttl_at_arrival(chain, "h1", "h2", answer, ttl=3).correct
    assert routing.check_ttl_at_arrival(chain, "h1", "h2", 1, ttl=3).status == "incorrect"


@pytest.mark.parametrize("answer", UNANSWERED)
def test_ttl_unanswered(chain, answer):
    assert routing.check_ttl_at_arrival(chain, "h1", "h2", answer).status == "unanswered"


# -- routers crossed ----------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [["r1", "r3"], ("r1", "r3"), "r1, r3", "r1 -> r3", "R1 r3",
                                    "r1 → r3", [" r1", "R3 "]])
def test_routers_right(lpm, answer):
    assert routing.check_routers_crossed(lpm, "h1", "h3", answer).correct, answer


def test_routers_reply_leg(seed):
    back = ["gatekeeper-21", "gatekeeper-11"]
    assert routing.check_routers_crossed(seed, "house-14", "house-24", back,
                                         direction="reply").correct
    assert not routing.check_routers_crossed(seed, "house-14", "house-24", back).correct


def test_routers_none_on_one_subnet(seed):
    assert routing.check_routers_crossed(seed, "house-14", "house-15", []).correct
    fb = routing.check_routers_crossed(seed, "house-14", "house-15", ["gatekeeper-11"])
    assert fb.status == "incorrect"


@pytest.mark.parametrize("answer", [["r3", "r1"], ["r1"], ["r1", "r2"], ["r1", "sw3", "r3"],
                                    [], "r1 r3 r1", *GARBAGE])
def test_routers_wrong_or_garbage(lpm, answer):
    fb = routing.check_routers_crossed(lpm, "h1", "h3", answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, "r3")


@pytest.mark.parametrize("answer", UNANSWERED)
def test_routers_unanswered(lpm, answer):
    fb = routing.check_routers_crossed(lpm, "h1", "h4", answer)
    assert fb.status == "unanswered"
    assert_hidden(fb, "r4")


# -- MAC on a segment ---------------------------------------------------------------------------

def test_mac_between_gatekeepers(seed):
    door_201 = mac(seed, "gatekeeper-21", "eth1")
    for answer in (door_201, door_201.upper(), door_201.replace(":", "-"), f" {door_201} ",
                   seed.nodes["gatekeeper-21"].interfaces["eth1"].mac):
        fb = routing.check_mac_on_segment(seed, "house-14", "house-24", "gatekeeper-11", answer)
        assert fb.correct, answer
        assert "gatekeeper-21 eth1" in fb.message


def test_mac_first_and_last_segments(seed):
    assert routing.check_mac_on_segment(seed, "house-14", "house-24", "house-14",
                                        mac(seed, "gatekeeper-11", "eth0")).correct
    assert routing.check_mac_on_segment(seed, "house-14", "house-24", "gatekeeper-21",
                                        mac(seed, "house-24", "eth0")).correct


@pytest.mark.parametrize("which", [("house-24", "eth0"), ("gatekeeper-21", "eth0"),
                                   ("gatekeeper-11", "eth1"), ("gatekeeper-11", "eth0")])
def test_mac_wrong(seed, which):
    fb = routing.check_mac_on_segment(seed, "house-14", "house-24", "gatekeeper-11",
                                      mac(seed, *which))
    assert fb.status == "incorrect"
    assert_hidden(fb, mac(seed, "gatekeeper-21", "eth1"), "gatekeeper-21 eth1")


@pytest.mark.parametrize("answer", [*GARBAGE, "ff:ff:ff:ff:ff:ff"])
def test_mac_garbage(seed, answer):
    fb = routing.check_mac_on_segment(seed, "house-14", "house-24", "gatekeeper-11", answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, mac(seed, "gatekeeper-21", "eth1"))


@pytest.mark.parametrize("answer", UNANSWERED)
def test_mac_unanswered(seed, answer):
    fb = routing.check_mac_on_segment(seed, "house-14", "house-24", "gatekeeper-11", answer)
    assert fb.status == "unanswered"


def test_mac_names_the_senders_on_the_path(seed):
    with pytest.raises(kp.KpathError, match="house-14, gatekeeper-11, gatekeeper-21"):
        routing.check_mac_on_segment(seed, "house-14", "house-24", "house-12", "x")


# -- diagnosis ----------------------------------------------------------------------------------

CASES = [("pc1", "srv1", "delivered"), ("pc2", "srv1", "no route"), ("pc3", "srv1", "wrong mask"),
         ("pc4", "srv1", "interface down"), ("pc1", "srv2", "wrong gateway"),
         ("srv2", "pc1", "wrong gateway"), ("pc1", "10.1.3.7", "routing loop"),
         ("pc1", "pc4", "interface down"), ("pc1", "10.1.1.99", "arp unresolved"),
         ("pc3", "10.1.7.7", "wrong mask")]


@pytest.mark.parametrize("src, dst, kind", CASES)
def test_diagnosis_each_failure(office, src, dst, kind):
    assert routing.check_diagnosis(office, src, dst, kind).correct
    assert routing.check_diagnosis(office, src, dst, kind.upper().replace(" ", "_")).correct
    for other in routing.DIAGNOSES:
        if other != kind:
            assert routing.check_diagnosis(office, src, dst, other).status == "incorrect"


def test_diagnosis_follows_the_network_not_the_names(office):
    """Fix pc2 and the answer changes: the expected word comes from the trace."""
    office.nodes["pc2"].static_routes.append(kp.Route.parse("default via 10.1.1.1 dev eth0"))
    assert routing.check_diagnosis(office, "pc2", "srv1", "delivered").correct


@pytest.mark.parametrize("answer", ["ttl exceeded", "Time exceeded", "TTL"])
def test_diagnosis_ttl_exceeded_without_a_loop(chain, answer):
    # A short TTL on a loop-free path: the trace ends with TTL exceeded but no router repeats.
    assert routing.check_diagnosis(chain, "h1", "h2", answer, ttl=3).correct
    assert routing.check_diagnosis(chain, "h1", "h2", "routing loop", ttl=3).status == "incorrect"
    assert routing.check_diagnosis(chain, "h1", "h2", "delivered").correct


@pytest.mark.parametrize("src, dst, answer", [
    ("pc1", "10.1.3.7", "loop"), ("pc2", "srv1", "no route to host"),
    ("srv2", "pc1", "Wrong-Gateway"), ("pc1", "10.1.1.99", "ARP failed")])
def test_diagnosis_synonyms(office, src, dst, answer):
    assert routing.check_diagnosis(office, src, dst, answer).correct



@pytest.mark.parametrize("answer", [*GARBAGE, "broken", "dns"])
def test_diagnosis_garbage(office, answer):
    assert routing.check_diagnosis(office, "pc2", "srv1", answer).status == "incorrect"


@pytest.mark.parametrize("answer", UNANSWERED)
def test_diagnosis_unanswered(office, answer):
    assert routing.check_diagnosis(office, "pc2", "srv1", answer).status == "unanswered"


def test_diagnosis_hint_is_the_same_for_every_case(office):
    hints = {routing.check_diagnosis(office, src, dst, "???").hint for src, dst, _ in CASES}
    assert len(hints) == 1
