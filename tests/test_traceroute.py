"""kp.traceroute: the lines Linux traceroute -n (and -I) prints, as measured in namespaces."""

from __future__ import annotations

import pytest

import kpath_nb as kp
from kpath_nb.packet import ICMP, UDP, IPv4


@pytest.fixture(scope="module")
def seed():
    return kp.load_topology("seed-neighborhoods")


@pytest.fixture(scope="module")
def office():
    return kp.load_topology("broken-office")


@pytest.fixture(scope="module")
def chain():
    return kp.load_topology("router-chain")


def body(run):
    """The output lines after the header."""
    return run.lines()[1:]


@pytest.mark.parametrize("method", ["udp", "icmp"])
def test_each_router_answers_from_its_interface_towards_the_sender(chain, method):
    run = kp.traceroute(chain, "h1", "h2", method=method)
    assert run.lines() == [
        "traceroute to h2 (10.0.5.10), 30 hops max, 60 byte packets",
        " 1  10.0.1.1", " 2  192.168.12.2", " 3  192.168.23.2", " 4  192.168.34.2",
        " 5  10.0.5.10"]
    assert run.reached
    last = run.probes[-1]
    assert last.answer == ("port unreachable" if method == "udp" else "echo reply")
    assert [p.answer for p in run.probes[:-3]] == ["time exceeded"] * 12


def test_probes_are_numbered_as_traceroute_numbers_them(seed):
    run = kp.traceroute(seed, "house-14", "house-24")
    ports = [p.trace.request_hops[-1].packet[UDP].dport for p in run.probes]
    assert ports == list(range(33434, 33434 + 9))
    first = next(h for h in run.probes[0].trace.hops if h.action == "send").packet
    assert first.size - 14 == 60 and first[IPv4].ttl == 1
    icmp = kp.traceroute(seed, "house-14", "house-24", method="icmp")
    seqs = [next(h for h in p.trace.hops if h.action == "send").packet[ICMP].sequence
            for p in icmp.probes]
    assert seqs == list(range(1, 10))


def test_route_before_ttl_gives_net_unreachable_on_line_one(office):
    run = kp.traceroute(office, "pc1", "8.8.8.8")
    assert body(run) == [" 1  10.1.1.1 !N !N !N"]
    assert {p.answer for p in run.probes} == {"net unreachable"}


def test_missing_route_stops_at_the_bang_n_line(office):
    assert body(kp.traceroute(office, "srv1", "10.9.9.9")) == [" 1  10.1.2.1",
                                                              " 2  10.0.12.1 !N !N !N"]


def test_loop_repeats_addresses_until_max_ttl(office):
    run = kp.traceroute(office, "pc1", "10.1.3.5", max_ttl=8)
    assert body(run) == [f"{ttl:2d}  {'10.1.1.1' if ttl % 2 else '10.0.12.2'}"
                         for ttl in range(1, 9)]
    assert not run.reached and len(run.probes) == 24
    other = kp.traceroute(office, "srv1", "10.1.3.9", max_ttl=4)
    assert body(other) == [" 1  10.1.2.1", " 2  10.0.12.1", " 3  10.1.2.1", " 4  10.0.12.1"]


def test_host_unreachable_repeats_the_last_router(office, chain):
    assert body(kp.traceroute(office, "pc1", "10.1.2.77")) == [
        " 1  10.1.1.1", " 2  10.0.12.2", " 3  10.0.12.2 !H !H !H"]
    assert body(kp.traceroute(chain, "h2", "10.0.1.99"))[-1] == " 5  192.168.12.1 !H !H !H"


def test_local_arp_failure_shows_the_senders_own_address(office):
    run = kp.traceroute(office, "srv2", "10.1.1.10")
    assert body(run) == [" 1  10.1.2.20 !H !H !H"]
    assert run.probes[0].node == "srv2" and run.probes[0].answer == "host unreachable"


@pytest.mark.parametrize("src", ["pc2", "pc4"])
def test_no_route_at_the_sender_prints_connect_error(office, src):
    run = kp.traceroute(office, src, "srv1")
    assert run.probes == () and body(run) == ["connect: Network is unreachable"]


def test_lost_answers_show_as_stars(office):
    run = kp.traceroute(office, "srv1", "pc3", max_ttl=4)
    assert body(run) == [" 1  10.1.2.1", " 2  10.0.12.1", " 3  * * *", " 4  * * *"]
    assert run.probes[-1].address is None and run.probes[-1].answer == "no answer"


def test_frame_has_one_row_per_probe(seed):
    run = kp.traceroute(seed, "house-14", "house-24", queries=2)
    frame = run.to_frame()
    assert list(frame.columns) == ["ttl", "probe", "address", "node", "answer", "marker"]
    assert list(frame.ttl) == [1, 1, 2, 2, 3, 3] and list(frame.probe) == [1, 2] * 3
    assert list(frame.node) == ["gatekeeper-11"] * 2 + ["gatekeeper-21"] * 2 + ["house-24"] * 2


def test_mixed_line_prints_each_new_address_and_stars():
    from kpath_nb.traceroute import Probe, Traceroute
    tr = kp.trace(kp.load_topology("two-hosts"), "h1", "h2")
    probes = (Probe(1, 1, None, None, "no answer", "", tr),
              Probe(1, 2, "10.1.1.1", "r1", "net unreachable", "!N", tr),
              Probe(1, 3, None, None, "no answer", "", tr))
    run = Traceroute("a", "b", "10.9.9.9", "udp", 30, 3, probes)
    assert body(run) == [" 1  * 10.1.1.1 !N *"]


def test_cluster_pod_to_pod_first_probe_is_dropped_by_cilium_without_icmp():
    cl = kp.load_topology("seed-cilium-buildings")
    for method in ("udp", "icmp"):
        run = kp.traceroute(cl, "apartment-12", "apartment-22", method=method)
        assert body(run) == [" 1  * * *", " 2  10.0.20.22"]
        first = run.probes[0].trace
        assert first.cause == "ttl-exceeded" and first.icmp_error is None
        assert "TTL exceeded DROPPED" in first.hubble()[-1]


def test_cluster_node_behind_the_docker_host():
    cl = kp.load_topology("cilium-three-nodes")
    assert body(kp.traceroute(cl, "kind-worker", "8.8.8.8")) == [" 1  172.18.0.1 !N !N !N"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(method="tcp"), "unknown traceroute method 'tcp'"),
    (dict(max_ttl=0), "max_ttl must be a whole number from 1 to 255, not 0"),
    (dict(max_ttl=256), "max_ttl must be a whole number from 1 to 255, not 256"),
    (dict(max_ttl=True), "max_ttl must be"),
    (dict(queries=0), "queries must be a whole number from 1 to 10, not 0"),
])
def test_bad_input_is_a_typed_error(seed, kwargs, message):
    with pytest.raises(kp.KpathError, match=message):
        kp.traceroute(seed, "house-14", "house-24", **kwargs)


def test_unknown_endpoint(seed):
    with pytest.raises(kp.UnknownEndpointError):
        kp.traceroute(seed, "house-99", "house-24")
    with pytest.raises(kp.UnknownEndpointError):
        kp.traceroute(seed, "house-14", "house-99")
