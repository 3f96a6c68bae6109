"""The checks of notebook 01 accept right answers in any reasonable form, reject wrong ones,
report blanks, never give the answer away in a hint, and never raise on a learner's answer."""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

import pytest

import kpath_nb as kp
from kpath_nb.exercises import Feedback, subnets

GARBAGE = ["banana", "", "   ", "10.0.10", "10.0.10.300", "1.2.3.4.5", -1, 2**32, 3.5, 1j,
           [], ["10.0.10.0"], {"a": 1}, object(), b"10.0.10.0", True, False, float("nan")]
BLANKS = [..., None, "", "  "]


@pytest.fixture(scope="module")
def net():
    return kp.load_topology("seed-neighborhoods")


def _mentions(text: str, value: object) -> bool:
    """True when ``value`` appears in ``text`` as a whole token (not inside a longer number)."""
    return re.search(rf"(?<![\w.]){re.escape(str(value))}(?![\w]|\.\d)", text) is not None


# -- netmask ----------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [
    "255.255.255.192", " 255.255.255.192 ", "255. 255. 255. 192", IPv4Address("255.255.255.192"),
    0xFFFFFFC0, "11111111.11111111.11111111.11000000", "11111111111111111111111111000000",
])
def test_mask_right_answers(answer):
    fb = subnets.check_mask(26, answer)
    assert fb.status == "correct" and fb and "11000000" in fb.message


@pytest.mark.parametrize("answer", ["255.255.255.0", "255.255.255.128", "0.0.0.63",
                                    IPv4Address("255.255.255.224")])
def test_mask_wrong_answers(answer):
    assert subnets.check_mask(26, answer).status == "incorrect"


@pytest.mark.parametrize("answer", [26, "26", "/26", " /26"])
def test_mask_prefix_length_instead_of_mask(answer):
    fb = subnets.check_mask(26, answer)
    assert fb.status == "incorrect" and "prefix length" in fb.hint


@pytest.mark.parametrize("prefixlen", [0, 8, 16, 23, 24, 26, 30, 32])
def test_mask_every_prefix_length(prefixlen):
    expected = IPv4Network(f"0.0.0.0/{prefixlen}").netmask
    assert subnets.check_mask(prefixlen, str(expected))
    assert not _mentions(subnets.check_mask(prefixlen, "1.2.3.4").hint, expected)


# -- network and broadcast address ------------------------------------------------------------

@pytest.mark.parametrize("answer", [
    "192.168.1.192", " 192.168.1.192\n", "192.168.1.192/26", IPv4Address("192.168.1.192"),
    IPv4Network("192.168.1.192/26"), IPv4Interface("192.168.1.192/26"),
    int(IPv4Address("192.168.1.192")),
])
def test_network_address_right_answers(answer):
    assert subnets.check_network_address("192.168.1.200/26", answer).status == "correct"


@pytest.mark.parametrize("answer", ["192.168.1.0", "192.168.1.255", "192.168.1.200",
                                    "192.168.1.128", IPv4Address("192.168.0.0")])
def test_network_address_wrong_answers(answer):
    assert subnets.check_network_address("192.168.1.200/26", answer).status == "incorrect"


def test_network_address_with_another_prefix_is_wrong_and_says_why():
    fb = subnets.check_network_address("192.168.1.200/26", "192.168.1.192/24")
    assert fb.status == "incorrect" and "/26" in fb.hint and not _mentions(fb.hint, "192.168.1.192")


@pytest.mark.parametrize("answer", ["10.0.10.15", "10.0.10.15 ", IPv4Address("10.0.10.15"),
                                    int(IPv4Address("10.0.10.15")), "10.0.10.15/28"])
def test_broadcast_address_right_answers(answer):
    fb = subnets.check_broadcast_address("10.0.10.14/28", answer)
    assert fb.status == "correct" and "10.0.10.0/28" in fb.message


@pytest.mark.parametrize("answer", ["10.0.10.255", "10.0.10.0", "10.0.10.14", "10.0.10.16"])
def test_broadcast_address_wrong_answers(answer):
    assert subnets.check_broadcast_address("10.0.10.14/28", answer).status == "incorrect"


@pytest.mark.parametrize("question", ["10.0.10.14/24", "10.0.10.14/28", "192.168.1.200/26",
                                      "172.16.5.77/12", "10.1.2.3/8", "10.0.100.101/30"])
def test_address_hints_never_give_the_answer(question):
    wrong = "1.2.3.4"
    network = subnets.check_network_address(question, wrong)
    broadcast = subnets.check_broadcast_address(question, wrong)
    assert not _mentions(str(network), kp.network_address(question))
    assert not _mentions(str(broadcast), kp.broadcast_address(question))


# -- host count -------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [30, "30", " 30 ", 30.0])
def test_host_count_right_answers(answer):
    assert subnets.check_host_count(27, answer).status == "correct"


@pytest.mark.parametrize("prefixlen, expected", [(24, 254), (26, 62), (30, 2), (31, 2), (32, 1),
                                                 (8, 2**24 - 2)])
def test_host_count_agrees_with_ipaddress(prefixlen, expected):
    assert subnets.check_host_count(prefixlen, expected)
    assert subnets.check_host_count(prefixlen, expected + 2).status == "incorrect"


def test_host_count_counts_what_ipaddress_hosts_yields():
    for prefixlen in range(20, 33):
        count = len(list(IPv4Network(f"10.0.0.0/{prefixlen}").hosts()))
        assert subnets.check_host_count(prefixlen, count), prefixlen


@pytest.mark.parametrize("answer", [32, 256, "2**5", 30.5, True])
def test_host_count_wrong_answers(answer):
    assert subnets.check_host_count(27, answer).status == "incorrect"


@pytest.mark.parametrize("prefixlen", range(0, 33))
def test_host_count_hint_never_gives_the_answer(prefixlen):
    expected = len(list(IPv4Network(f"10.0.0.0/{prefixlen}").hosts())) if prefixlen > 20 \
        else 2 ** (32 - prefixlen) - 2
    assert not _mentions(str(subnets.check_host_count(prefixlen, -7)), expected)


# -- same subnet ------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [False, "no", "No", " NO ", "false", "different"])
def test_same_subnet_right_when_different(answer):
    assert subnets.check_same_subnet("10.0.10.14/28", "10.0.10.20", answer).status == "correct"


@pytest.mark.parametrize("answer", [True, "yes", "same", "True"])
def test_same_subnet_right_when_same(answer):
    assert subnets.check_same_subnet("10.0.10.14/28", "10.0.10.3", answer).status == "correct"


def test_same_subnet_wrong_answers():
    assert subnets.check_same_subnet("10.0.10.14/28", "10.0.10.20", True).status == "incorrect"
    assert subnets.check_same_subnet("10.0.10.14/24", "10.0.10.20", "no").status == "incorrect"


def test_same_subnet_hint_is_the_same_whatever_the_answer():
    inside = subnets.check_same_subnet("10.0.10.14/28", "10.0.10.3", "no")
    outside = subnets.check_same_subnet("10.0.10.14/28", "10.0.10.20", "yes")
    assert inside.hint == outside.hint


# -- next hop ---------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["direct", " Directly ", "10.0.10.15", "house-15",
                                    IPv4Address("10.0.10.15")])
def test_next_hop_direct_right_answers(net, answer):
    assert subnets.check_next_hop(net, "house-14", "house-15", answer).status == "correct"


@pytest.mark.parametrize("answer", ["10.0.10.11", "gatekeeper-11", IPv4Address("10.0.10.11"),
                                    " 10.0.10.11 "])
def test_next_hop_gateway_right_answers(net, answer):
    assert subnets.check_next_hop(net, "house-12", "house-22", answer).status == "correct"


@pytest.mark.parametrize("answer", ["direct", "10.0.20.22", "house-22", "10.0.20.21",
                                    "gatekeeper-21", "10.0.100.101", "fountain-blue"])
def test_next_hop_wrong_answers(net, answer):
    assert subnets.check_next_hop(net, "house-12", "house-22", answer).status == "incorrect"


def test_next_hop_router_name_means_its_address_on_the_way(net):
    # gatekeeper-11 is also 10.0.100.101; naming it counts when it is the gateway.
    assert subnets.check_next_hop(net, "10.0.10.14", "10.0.20.24", "gatekeeper-11")


def test_next_hop_with_no_route():
    lonely = kp.Topology("lonely")
    lonely.add_host("a", ip="10.0.0.1/24")
    lonely.add_host("b", ip="10.9.0.1/24")
    assert subnets.check_next_hop(lonely, "a", "b", "no route")
    assert subnets.check_next_hop(lonely, "a", "b", "direct").status == "incorrect"


def test_next_hop_hint_never_gives_the_answer(net):
    gateway = subnets.check_next_hop(net, "house-12", "house-22", "10.0.20.21")
    direct = subnets.check_next_hop(net, "house-14", "house-15", "10.0.10.11")
    assert gateway.hint == direct.hint
    assert not _mentions(str(gateway), "10.0.10.11") and "gatekeeper-11" not in str(gateway)


# -- every check: blanks, garbage, display ----------------------------------------------------

def _every_check(net):
    return {
        "mask": lambda a: subnets.check_mask(26, a),
        "network": lambda a: subnets.check_network_address("192.168.1.200/26", a),
        "broadcast": lambda a: subnets.check_broadcast_address("10.0.10.14/28", a),
        "hosts": lambda a: subnets.check_host_count(27, a),
        "same": lambda a: subnets.check_same_subnet("10.0.10.14/28", "10.0.10.20", a),
        "next hop": lambda a: subnets.check_next_hop(net, "house-12", "house-22", a),
    }


@pytest.mark.parametrize("blank", BLANKS, ids=repr)
def test_blank_answers_are_not_answered_yet(net, blank):
    for name, check in _every_check(net).items():
        fb = check(blank)
        assert fb.status == "unanswered" and fb.hint, name
        assert "not answered yet" in str(fb)


@pytest.mark.parametrize("garbage", GARBAGE, ids=repr)
def test_garbage_is_wrong_with_a_hint_and_never_raises(net, garbage):
    for name, check in _every_check(net).items():
        if name == "same" and isinstance(garbage, bool):
            continue  # a real answer to a yes/no question
        fb = check(garbage)
        assert isinstance(fb, Feedback), name
        if fb.status == "unanswered":
            assert garbage in ("", "   "), name
            continue
        assert fb.status == "incorrect" and fb.hint, (name, garbage)


def test_banana_gets_a_hint_about_the_form(net):
    hints = {name: check("banana").hint for name, check in _every_check(net).items()}
    assert "four whole numbers" in hints["mask"]
    assert "four whole numbers" in hints["network"] and "four whole numbers" in hints["broadcast"]
    assert "whole number" in hints["hosts"]
    assert "True or False" in hints["same"]
    assert "direct" in hints["next hop"]


def test_feedback_renders_as_html_with_the_mark(net):
    for check in _every_check(net).values():
        html = check("banana")._repr_html_()
        assert "❌" in html and "Hint" in html


def test_questions_with_bad_input_raise_clearly():
    with pytest.raises(kp.AddressError, match="no subnet mask"):
        subnets.check_network_address("10.0.10.14", "10.0.10.0")
    with pytest.raises(ValueError):
        subnets.check_mask(33, "255.255.255.255")
