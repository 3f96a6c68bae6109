"""The checks of notebook 07 accept right answers in every reasonable form, reject wrong ones,
never reveal the answer in a hint, and never raise on garbage."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface
from pathlib import Path

import pytest

import kpath_nb as kp
from kpath_nb.exercises import tunnel


class Unprintable:
    def __str__(self):
        raise RuntimeError("no text for you")


GARBAGE = [42.5, True, object(), {"a": 1}, [1, 2], "???", b"bytes", float("nan"), Unprintable(),
           "10.0.0.0/99", "building-purple", ["a", "b", "c"]]
UNANSWERED = [..., None, "", "   "]

BLUE, GREEN = "192.168.100.10", "192.168.100.20"


@pytest.fixture
def cl():
    return kp.load_topology("seed-cilium-buildings")


def assert_hidden(feedback, *secrets):
    """Neither the text nor the HTML of a non-correct feedback contains any secret."""
    assert not feedback.correct
    for text in (str(feedback), feedback._repr_html_()):
        for secret in secrets:
            assert str(secret).lower() not in text.lower(), (secret, text)


# -- tunnel endpoint ---------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [GREEN, f" {GREEN} ", f"{GREEN}/24", IPv4Address(GREEN),
                                    IPv4Interface(f"{GREEN}/24"), "building-green",
                                    "Building-Green"])
def test_tunnel_endpoint_right(cl, answer):
    fb = tunnel.check_tunnel_endpoint(cl, "apartment-12", "apartment-22", answer)
    assert fb.status == "correct", fb


def test_tunnel_endpoint_local_and_node(cl):
    for answer in ("0.0.0.0", "none", "local", "No tunnel"):
        assert tunnel.check_tunnel_endpoint(cl, "apartment-12", "apartment-14", answer).correct
    assert tunnel.check_tunnel_endpoint(cl, "building-blue", "apartment-22", GREEN).correct
    assert tunnel.check_tunnel_endpoint(cl, "apartment-22", "10.0.10.99", BLUE).correct


@pytest.mark.parametrize("answer", [BLUE, "10.0.20.21", "10.0.20.22", "building-blue", "none",
                                    *GARBAGE])
def test_tunnel_endpoint_wrong(cl, answer):
    fb = tunnel.check_tunnel_endpoint(cl, "apartment-12", "apartment-22", answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, GREEN, "building-green")


@pytest.mark.parametrize("answer", UNANSWERED)
def test_tunnel_endpoint_unanswered(cl, answer):
    fb = tunnel.check_tunnel_endpoint(cl, "apartment-12", "apartment-22", answer)
    assert fb.status == "unanswered"
    assert_hidden(fb, GREEN)


# -- outer addresses ---------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [[BLUE, GREEN], (BLUE, GREEN), f"{BLUE} > {GREEN}",
                                    f"{BLUE} -> {GREEN}", f"{BLUE}, {GREEN}",
                                    (IPv4Address(BLUE), IPv4Address(GREEN)),
                                    ["building-blue", "building-green"]])
def test_outer_addresses_right(cl, answer):
    assert tunnel.check_outer_addresses(cl, "apartment-12", "apartment-22", answer).correct


def test_outer_addresses_reply_and_local(cl):
    assert tunnel.check_outer_addresses(cl, "apartment-12", "apartment-22", [GREEN, BLUE],
                                        direction="reply").correct
    assert tunnel.check_outer_addresses(cl, "apartment-12", "apartment-14", "none").correct


@pytest.mark.parametrize("answer", [[GREEN, BLUE], ["10.0.10.12", "10.0.20.22"],
                                    ["10.0.10.11", "10.0.20.21"], [BLUE], "none", *GARBAGE,
                                    *UNANSWERED])
def test_outer_addresses_wrong(cl, answer):
    fb = tunnel.check_outer_addresses(cl, "apartment-12", "apartment-22", answer)
    assert fb.status in ("incorrect", "unanswered")
    assert_hidden(fb, BLUE, GREEN)


# -- VNI ---------------------------------------------------------------------------------------

def test_vni_forms_and_legs(cl):
    sender = cl.pods["apartment-12"].identity.number
    answerer = cl.pods["apartment-22"].identity.number
    assert sender != answerer
    for answer in (sender, str(sender), f"ID:{sender}", f"vni {sender}", f"VNI={sender}"):
        assert tunnel.check_vni(cl, "apartment-12", "apartment-22", answer).correct, answer
    assert tunnel.check_vni(cl, "apartment-12", "apartment-22", answerer,
                            direction="reply").correct
    assert tunnel.check_vni(cl, "building-blue", "apartment-22", 6).correct
    assert tunnel.check_vni(cl, "apartment-12", "apartment-14", "none").correct


@pytest.mark.parametrize("answer", [257, 1, 8472, "none", *GARBAGE, *UNANSWERED])
def test_vni_wrong(cl, answer):
    fb = tunnel.check_vni(cl, "apartment-12", "apartment-22", answer)
    assert fb.status in ("incorrect", "unanswered")
    assert_hidden(fb, cl.pods["apartment-12"].identity.number)


def test_vni_from_the_host_is_not_the_host_identity(cl):
    fb = tunnel.check_vni(cl, "building-blue", "apartment-22", 1)
    assert fb.status == "incorrect"
    assert_hidden(fb, "6")


# -- UDP port, overhead, MTU -------------------------------------------------------------------

@pytest.mark.parametrize("answer", [8472, "8472", "8472/udp", "UDP 8472", "udp/8472", 8472.0])
def test_udp_port_right(cl, answer):
    assert tunnel.check_udp_port(cl, answer).correct


@pytest.mark.parametrize("answer", [4789, 6081, 53, *GARBAGE, *UNANSWERED])
def test_udp_port_wrong(cl, answer):
    fb = tunnel.check_udp_port(cl, answer)
    assert fb.status in ("incorrect", "unanswered")
    assert_hidden(fb, 8472)


@pytest.mark.parametrize("answer", [1450, "1450", "mtu 1450", "1450 bytes"])
def test_inner_mtu_right(cl, answer):
    assert tunnel.check_inner_mtu(cl, answer).correct


def test_inner_mtu_follows_the_device_mtu():
    yaml = (Path(__file__).resolve().parents[1] / "data" / "topologies"
            / "seed-cilium-buildings.yaml").read_text()
    jumbo = kp.parse_topology(yaml.replace("host_routing: bpf",
                                           "host_routing: bpf\n  device_mtu: 9000"))
    assert tunnel.check_inner_mtu(jumbo, 8950).correct
    fb = tunnel.check_inner_mtu(jumbo, 1450)
    assert fb.status == "incorrect"
    assert_hidden(fb, 8950)


@pytest.mark.parametrize("answer", [1500, 1464, 1400, *GARBAGE, *UNANSWERED])
def test_inner_mtu_wrong(cl, answer):
    fb = tunnel.check_inner_mtu(cl, answer)
    assert fb.status in ("incorrect", "unanswered")
    assert_hidden(fb, 1450)
