"""The checks of notebook 02 accept right answers in every reasonable form, reject wrong ones,
never reveal the answer in a hint, and never raise on garbage."""

from __future__ import annotations

import json
from ipaddress import IPv4Address
from pathlib import Path

import pytest

import kpath_nb as kp
from kpath_nb.exercises import switching

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "02-mac-switches-and-arp.ipynb"
VIEWS = ("kp.draw_trace", "kp.show_hop", "kp.explore", "plt.")
GARBAGE = [42, 3.5, True, object(), {"a": 1}, [1, 2], "???", "eth", "zz:zz:zz:zz:zz:zz", b"bytes"]
UNANSWERED = [..., None, "", "   "]


@pytest.fixture
def net(seed):
    """The seed network, under the name notebook 02 gives it."""
    return seed


@pytest.fixture
def tr(net):
    return kp.trace(net, "house-14", "house-15")


def mac(net, node, iface="eth0"):
    return str(net.nodes[node].interfaces[iface].mac)


def assert_hidden(feedback, *secrets):
    """Neither the text nor the HTML of a non-correct feedback contains any secret."""
    assert not feedback.correct
    for text in (str(feedback), feedback._repr_html_()):
        for secret in secrets:
            assert str(secret).lower() not in text.lower(), (secret, text)


# -- 02.1 which address does the ARP request ask for? -----------------------------------------

@pytest.mark.parametrize("answer", ["10.0.10.15", " 10.0.10.15 ", "10.0.10.15/24",
                                    IPv4Address("10.0.10.15")])
def test_arp_target_right(tr, answer):
    assert switching.check_arp_target(tr, answer).status == "correct"


def test_arp_target_is_the_gateway_across_subnets(net):
    tr = kp.trace(net, "house-14", "house-24")
    assert switching.check_arp_target(tr, "10.0.10.11").correct
    fb = switching.check_arp_target(tr, "10.0.20.24")
    assert fb.status == "incorrect" and "in the end" in fb.hint
    assert_hidden(fb, "10.0.10.11")


@pytest.mark.parametrize("answer", ["10.0.10.14", "10.0.10.12", "house-15", *GARBAGE])
def test_arp_target_wrong_or_garbage(tr, answer):
    fb = switching.check_arp_target(tr, answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, "10.0.10.15")


@pytest.mark.parametrize("answer", UNANSWERED)
def test_arp_target_unanswered(tr, answer):
    assert switching.check_arp_target(tr, answer).status == "unanswered"


def test_arp_target_when_no_arp_is_sent(net):
    kp.trace(net, "house-14", "house-15", learn=True)
    second = kp.trace(net, "house-14", "house-15")
    assert switching.check_arp_target(second, "none").correct
    assert switching.check_arp_target(second, "10.0.10.15").status == "incorrect"


# -- 02.2 which ports does the switch flood? -------------------------------------------------

FLOODED = {"eth1", "eth2", "eth5"}
BEHIND = {"gatekeeper-11", "house-12", "house-15"}


@pytest.mark.parametrize("answer", [
    ["eth1", "eth2", "eth5"], ("eth5", "eth1", "eth2"), {"eth2", "eth5", "eth1"},
    "eth1, eth2, eth5", "ETH5 eth2;eth1", sorted(BEHIND), "house-12, house-15, gatekeeper-11",
    ["eth1", "house-12", "eth5"],
])
def test_flood_ports_right(net, tr, answer):
    assert switching.check_flood_ports(net, tr, answer).correct


def test_flood_ports_is_computed_from_the_trace(net, tr):
    assert set(next(h for h in tr.hops if h.action == "flood").flooded) == FLOODED


@pytest.mark.parametrize("answer", [
    ["eth1", "eth2"], ["eth1", "eth2", "eth4", "eth5"], ["eth4"], "eth1, eth2, eth3, eth5",
    *GARBAGE,
])
def test_flood_ports_wrong_or_garbage(net, tr, answer):
    fb = switching.check_flood_ports(net, tr, answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, *FLOODED, *BEHIND)


def test_flood_ports_names_the_mistake_of_flooding_back(net, tr):
    fb = switching.check_flood_ports(net, tr, ["eth1", "eth2", "eth4", "eth5"])
    assert "arrived on" in fb.hint


@pytest.mark.parametrize("answer", UNANSWERED)
def test_flood_ports_unanswered(net, tr, answer):
    assert switching.check_flood_ports(net, tr, answer).status == "unanswered"


def test_flood_ports_when_nothing_floods(net):
    kp.trace(net, "house-14", "house-15", learn=True)
    second = kp.trace(net, "house-14", "house-15")
    assert switching.check_flood_ports(net, second, []).correct
    assert switching.check_flood_ports(net, second, "none").correct
    assert not switching.check_flood_ports(net, second, ["eth1"]).correct


def test_flood_ports_of_a_named_switch(net):
    tr = kp.trace(net, "house-14", "house-24")
    assert switching.check_flood_ports(net, tr, ["eth2", "eth4"], switch="fountain-green").correct
    with pytest.raises(kp.KpathError, match="not a switch"):
        switching.check_flood_ports(net, tr, ["eth2"], switch="house-14")


# -- 02.3 what did each device learn? ----------------------------------------------------------

def forms(value):
    return [value, value.upper(), value.replace(":", "-"), [value], {value.upper()}]


@pytest.mark.parametrize("form", range(5))
def test_learned_right(net, tr, form):
    mac14, mac15 = mac(net, "house-14"), mac(net, "house-15")
    assert switching.check_learned(tr, "house-15", forms(mac14)[form]).correct
    assert switching.check_learned(tr, "house-14", forms(mac15)[form]).correct


@pytest.mark.parametrize("answer", [
    lambda a, b: [a, b], lambda a, b: {b.upper(), a}, lambda a, b: f"{b}, {a}",
])
def test_learned_by_the_switch(net, tr, answer):
    both = answer(mac(net, "house-14"), mac(net, "house-15"))
    assert switching.check_learned(tr, "fountain-blue", both).correct


@pytest.mark.parametrize("answer", [[], set(), "nothing", "none"])
def test_learned_nothing(tr, answer):
    assert switching.check_learned(tr, "house-12", answer).correct
    assert switching.check_learned(tr, "gatekeeper-11", answer).correct


def test_learned_wrong(net, tr):
    mac14, mac15 = mac(net, "house-14"), mac(net, "house-15")
    for node, answer in [("house-15", mac15), ("house-14", mac14), ("house-12", mac14),
                         ("house-15", []), ("house-15", "house-14"),
                         ("fountain-blue", mac14),
                         ("fountain-blue", [mac14, mac15, "ff:ff:ff:ff:ff:ff"])]:
        fb = switching.check_learned(tr, node, answer)
        assert fb.status == "incorrect", (node, answer)
        secrets = {"house-15": [mac14], "house-14": [mac15], "house-12": [],
                   "fountain-blue": [mac14, mac15]}[node]
        assert_hidden(fb, *secrets, *(s.replace(":", "") for s in secrets))


def test_learned_part_of_it(net, tr):
    fb = switching.check_learned(tr, "fountain-blue", mac(net, "house-14"))
    assert "Part of it" in fb.hint


@pytest.mark.parametrize("answer", GARBAGE)
def test_learned_garbage(net, tr, answer):
    fb = switching.check_learned(tr, "house-15", answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, mac(net, "house-14"))


@pytest.mark.parametrize("answer", UNANSWERED)
def test_learned_unanswered(tr, answer):
    assert switching.check_learned(tr, "house-15", answer).status == "unanswered"


# -- 02.4 is ARP needed? -------------------------------------------------------------------

@pytest.mark.parametrize("src, dst, after, needed", [
    ("house-14", "house-15", None, True),
    ("house-14", "house-15", ("house-14", "house-15"), False),
    ("house-15", "house-14", ("house-14", "house-15"), False),
    ("house-12", "house-14", ("house-14", "house-15"), True),
    ("house-14", "house-24", ("house-14", "house-15"), True),
])
def test_arp_needed(net, src, dst, after, needed):
    for right in (needed, "yes" if needed else "no", "YES." if needed else " No "):
        assert switching.check_arp_needed(net, src, dst, right, after=after).correct
    wrong = switching.check_arp_needed(net, src, dst, not needed, after=after)
    assert wrong.status == "incorrect"
    assert "yes" not in wrong.hint.lower().split() and "no" not in wrong.hint.lower().split()


def test_arp_needed_leaves_the_network_alone(net):
    switching.check_arp_needed(net, "house-14", "house-15", "no", after=("house-14", "house-15"))
    assert len(net.nodes["house-14"].arp) == 0 and len(net.nodes["fountain-blue"].fdb) == 0


def test_arp_needed_reads_the_network_as_it_is(net):
    kp.trace(net, "house-14", "house-15", learn=True)
    assert switching.check_arp_needed(net, "house-14", "house-15", False).correct


@pytest.mark.parametrize("answer", [*GARBAGE[:2], *GARBAGE[3:], "maybe"])
def test_arp_needed_garbage(net, answer):
    fb = switching.check_arp_needed(net, "house-14", "house-15", answer)
    assert fb.status == "incorrect" and "True or False" in fb.hint


@pytest.mark.parametrize("answer", UNANSWERED)
def test_arp_needed_unanswered(net, answer):
    assert switching.check_arp_needed(net, "house-14", "house-15", answer).status == "unanswered"


# -- 02.5 destination MAC of the first data frame ---------------------------------------------

def test_frame_dst_mac_right(net, tr):
    for form in forms(mac(net, "house-15"))[:3]:
        assert switching.check_frame_dst_mac(tr, form).correct
    assert switching.check_frame_dst_mac(tr, net.nodes["house-15"].interfaces["eth0"].mac).correct


def test_frame_dst_mac_is_the_gateway_across_subnets(net):
    tr = kp.trace(net, "house-14", "house-24")
    assert switching.check_frame_dst_mac(tr, mac(net, "gatekeeper-11")).correct
    fb = switching.check_frame_dst_mac(tr, mac(net, "house-24"))
    assert_hidden(fb, mac(net, "gatekeeper-11"))


@pytest.mark.parametrize("answer", ["ff:ff:ff:ff:ff:ff", "house-15", "10.0.10.15", *GARBAGE])
def test_frame_dst_mac_wrong_or_garbage(net, tr, answer):
    fb = switching.check_frame_dst_mac(tr, answer)
    assert fb.status == "incorrect"
    assert_hidden(fb, mac(net, "house-15"))


def test_frame_dst_mac_names_the_mistake(net, tr):
    assert "ARP request" in switching.check_frame_dst_mac(tr, "FF-FF-FF-FF-FF-FF").hint
    assert "sender's own" in switching.check_frame_dst_mac(tr, mac(net, "house-14")).hint


def test_frame_dst_mac_when_nothing_is_sent(net):
    dropped = kp.trace(net, "house-14", "10.0.10.19")
    fb = switching.check_frame_dst_mac(dropped, "ff:ff:ff:ff:ff:ff")
    assert fb.status == "incorrect" and "dropped" in fb.hint


@pytest.mark.parametrize("answer", UNANSWERED)
def test_frame_dst_mac_unanswered(tr, answer):
    assert switching.check_frame_dst_mac(tr, answer).status == "unanswered"


# -- the notebook's own solutions ------------------------------------------------------------

def test_notebook_solutions_pass_their_checks():
    """Run the notebook's code (views left out) and judge every solution with its check cell."""
    cells = [c for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    namespace: dict = {}
    verdicts = []
    for before, cell in zip([None, *cells], cells):
        source = "".join(cell["source"])
        if before is not None and "solution" in before["metadata"].get("tags", ()):
            verdicts.append(eval(source, namespace))  # a check cell is one expression
        elif not any(view in source for view in VIEWS):
            exec(source, namespace)
    assert len(verdicts) == 5
    assert all(isinstance(v, kp.exercises.Feedback) and v.correct for v in verdicts), verdicts
