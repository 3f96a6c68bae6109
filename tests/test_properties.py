"""Properties that hold for every network, every cluster and every input, checked with Hypothesis.

Each property runs a fixed number of derandomized examples, so a CI run is the
same run every time; the number of examples each one ran is printed at the end
of the session ("property reply-retraces-request: 200 examples in 1.2 s").
"""

from __future__ import annotations

import time
from ipaddress import IPv4Address

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpath_nb as kp
from kpath_nb.packet import DEFAULT_TTL
from kpath_nb.trace import ACTIONS, CAUSES
from kpath_nb.tracer import MAX_HOPS

from strategies import (PROTOCOLS, SUMMARY_LINES, PodOp, address_like, any_clusters, chain_pairs, chains,
                        cluster_pairs, pod_ops, route_like, topology_documents, yaml_texts)

PROFILE = dict(deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow])

COUNTS: dict[str, int] = {}
"""Examples run per property."""
_RUNS: dict[str, list] = {}
"""Test name -> [property, seconds]."""
_current: list[str] = [""]


def count(prop: str) -> None:
    """Note one example of ``prop`` (called first thing in every property)."""
    COUNTS[prop] = COUNTS.get(prop, 0) + 1
    _RUNS.setdefault(_current[0], [prop, 0.0])


@pytest.fixture(autouse=True)
def _time_property(request):
    _current[0] = request.node.name
    start = time.perf_counter()
    yield
    if request.node.name in _RUNS:
        _RUNS[request.node.name][1] = time.perf_counter() - start


@pytest.fixture(scope="session", autouse=True)
def _report_counts(request):
    yield
    lines = request.config.stash.setdefault(SUMMARY_LINES, [])
    lines += [f"property {prop}: {COUNTS[prop]} examples in {seconds:.1f} s"
              for prop, seconds in _RUNS.values()]


def innermost_ip(packet: kp.Packet) -> kp.IPv4 | None:
    """The innermost IPv4 header: for a tunnelled packet, the pod-to-pod one."""
    found = [h for h in packet if isinstance(h, kp.IPv4)]
    return found[-1] if found else None


def error_carrier(packet: kp.Packet) -> kp.IPv4:
    """The IPv4 header that carries an ICMP error: the last one before the error header."""
    at = next(i for i, h in enumerate(packet.headers)
              if isinstance(h, kp.ICMP) and h.type in (3, 11))
    return [h for h in packet.headers[:at] if isinstance(h, kp.IPv4)][-1]


def check_addresses_kept(tr: kp.Trace) -> None:
    """Without NAT, every hop carries the first packet's addresses (swapped on the reply)."""
    request = [innermost_ip(h.packet) for h in tr.request_hops]
    request = [ip for ip in request if ip is not None]
    if not request:
        return
    src, dst = request[0].src, request[0].dst
    for hop in tr.hops:
        ip = innermost_ip(hop.packet)
        if ip is None:
            continue
        if hop.direction == "error":
            # The quoted packet keeps the dropped packet's addresses; the error is sent to
            # the dropped packet's source, from the address the error record names.
            assert (ip.src, ip.dst) in ((src, dst), (dst, src))
            carrier = error_carrier(hop.packet)
            assert carrier.dst == ip.src and str(carrier.src) == tr.icmp_error.address
            continue
        expected = (src, dst) if hop.direction == "request" else (dst, src)
        assert (ip.src, ip.dst) == expected, f"hop {hop.index} ({hop.node}) changed addresses"


def check_bounded(tr: kp.Trace) -> None:
    assert len(tr.hops) <= MAX_HOPS
    assert [h.index for h in tr.hops] == list(range(len(tr.hops)))
    assert all(h.action in ACTIONS for h in tr.hops)
    if tr.verdict == "dropped":
        assert tr.cause in CAUSES, tr.cause
        legs = [h for h in tr.hops if h.direction != "error"]
        assert legs[-1].action == "drop"
        if tr.error_hops:   # the error leg follows the drop, and ends too
            assert tr.icmp_error is not None and tr.hops[-1] is tr.error_hops[-1]
            assert tr.error_hops[-1].action == ("deliver" if tr.icmp_error.reached else "drop")
    else:
        assert tr.verdict == "delivered" and tr.cause is None
        assert tr.hops[-1].action == "deliver"


# -- traditional networks ---------------------------------------------------------


@settings(max_examples=200, **PROFILE)
@given(chain_pairs(faults=False))
def test_reply_retraces_request(case):
    count("reply-retraces-request")
    chain, src, dst, proto = case
    tr = kp.trace(chain.net, src, dst, proto)
    assert tr.verdict == "delivered", f"{chain.plan}: {tr.reason}"
    assert tr.routers_crossed("reply") == tr.routers_crossed("request")[::-1]


@settings(max_examples=200, **PROFILE)
@given(chain_pairs(), st.integers(1, 255))
def test_ttl_at_arrival(case, ttl):
    count("ttl-at-arrival")
    chain, src, dst, proto = case
    tr = kp.trace(chain.net, src, dst, proto, ttl=ttl)
    errors = [h for h in tr.error_hops if h.action == "deliver"]
    if errors:   # the ICMP error starts with TTL 64 and loses one per router on its way
        assert errors[0].packet[kp.IPv4].ttl == DEFAULT_TTL - len(tr.routers_crossed("error"))
    for leg, start in (("request", ttl), ("reply", DEFAULT_TTL)):
        arrived = [h for h in tr.hops if h.direction == leg and h.action == "deliver"]
        if arrived:
            crossed = len(tr.routers_crossed(leg))
            assert arrived[0].packet[kp.IPv4].ttl == start - crossed
        for hop in tr.hops:  # on the way, the TTL never falls below 1
            ip = innermost_ip(hop.packet)
            if hop.direction == leg and ip is not None:
                assert 1 <= ip.ttl <= start


@settings(max_examples=200, **PROFILE)
@given(chain_pairs())
def test_addresses_kept_in_networks(case):
    count("inner-ips-unchanged-network")
    chain, src, dst, proto = case
    check_addresses_kept(kp.trace(chain.net, src, dst, proto))


@settings(max_examples=200, **PROFILE)
@given(chain_pairs(), st.integers(1, 255))
def test_network_traces_are_bounded(case, ttl):
    count("traces-bounded-network")
    chain, src, dst, proto = case
    check_bounded(kp.trace(chain.net, src, dst, proto, ttl=ttl))


# -- clusters ---------------------------------------------------------------------


@settings(max_examples=150, **PROFILE)
@given(cluster_pairs())
def test_addresses_kept_in_clusters(case):
    count("inner-ips-unchanged-cluster")
    cl, src, dst, proto = case
    check_addresses_kept(kp.trace(cl, src, dst, proto))


@settings(max_examples=150, **PROFILE)
@given(cluster_pairs())
def test_cluster_traces_are_bounded(case):
    count("traces-bounded-cluster")
    cl, src, dst, proto = case
    tr = kp.trace(cl, src, dst, proto)
    check_bounded(tr)
    owner, ip = cl.resolve(dst)
    if owner is None and cl.node_by_cidr(ip) is not None:
        assert tr.cause == "stale-or-unroutable-ip"
        assert "Stale or unroutable IP DROPPED" in tr.hubble()[-1]


# -- packets ----------------------------------------------------------------------

macs = st.integers(0, (1 << 48) - 1).map(kp.MacAddress).filter(lambda m: not m.is_multicast)
ips = st.integers(0, (1 << 32) - 1).map(IPv4Address)
headers = st.one_of(
    st.builds(kp.Ethernet, macs, macs),
    st.builds(kp.IPv4, ips, ips, st.integers(1, 255), st.sampled_from((1, 6, 17))),
    st.builds(kp.UDP, st.integers(1, 65535), st.integers(1, 65535)),
    st.builds(kp.TCP, st.integers(1, 65535), st.integers(1, 65535)),
    st.builds(kp.ICMP, st.sampled_from((0, 8))),
    st.builds(kp.VXLAN, st.integers(0, (1 << 24) - 1)),
    st.builds(kp.Payload, st.integers(0, 1500)),
)


@settings(max_examples=300, **PROFILE)
@given(st.lists(headers, min_size=1, max_size=5), st.lists(headers, max_size=4))
def test_encapsulate_then_decapsulate(inner, outer):
    count("encap-decap-inverse")
    packet = kp.Packet(tuple(inner))
    wrapped = packet.encapsulate(*outer)
    assert wrapped.decapsulate(len(outer)) == packet
    assert wrapped.size == packet.size + sum(kp.Packet((h,)).size for h in outer)


@settings(max_examples=100, **PROFILE)
@given(cluster_pairs())
def test_tunnel_delivers_the_frame_it_wrapped(case):
    count("tunnel-decap-equals-frame")
    cl, src, dst, proto = case
    tr = kp.trace(cl, src, dst, proto)
    for hop in tr.hops:
        if hop.action != "encap":
            continue
        before = tr.hops[hop.index - 1]
        assert before.action == "redirect" and before.out_iface == cl.config.tunnel_device
        assert hop.packet.decapsulate(3) == before.packet
        assert hop.packet.layer_names().startswith("IPv4 / UDP / VXLAN / Ethernet / IPv4")
        decap = next(h for h in tr.hops[hop.index:] if h.action == "decap")
        assert decap.packet == before.packet


# -- IPAM -------------------------------------------------------------------------


def check_ipam(cl: kp.Cluster) -> None:
    nodes = list(cl.nodes.values())
    cidrs = [n.pod_cidr for n in nodes]
    for i, a in enumerate(cidrs):
        for b in cidrs[i + 1:]:
            assert not a.overlaps(b), f"{a} overlaps {b}"
    held = [p.ip for p in cl.pods.values()] + [n.router_ip for n in nodes] + \
        [n.health_ip for n in nodes]
    assert len(held) == len(set(held)), "an address was handed out twice"
    for node in nodes:
        mine = {p.ip for p in cl.pods.values() if p.node == node.name}
        mine |= {node.router_ip, node.health_ip}
        for ip in mine:
            assert ip in node.pod_cidr
            assert ip not in (node.pod_cidr.network_address, node.pod_cidr.broadcast_address)
        assert set(cl.allocators[node.name].owners) == mine


def apply_ops(cl: kp.Cluster, ops: list[PodOp]) -> None:
    freed = None
    for step, op in enumerate(ops):
        nodes = sorted(cl.nodes)
        if op.kind == "add":
            node = nodes[op.index % len(nodes)]
            allocator = cl.allocators[node]
            try:
                cl.add_pod(f"p{step}", node, {"app": op.app})
            except kp.IpamExhaustedError:
                assert len(allocator.owners) == allocator.size
        elif op.kind == "delete" and cl.pods:
            pod = cl.pods[sorted(cl.pods)[op.index % len(cl.pods)]]
            cl.delete_pod(pod.name)
            assert pod.ip not in cl.allocators[pod.node].owners
            assert cl.owner_of(pod.ip) is None
            freed = (pod.node, pod.ip)
        elif op.kind == "re-add" and freed is not None \
                and freed[1] not in cl.allocators[freed[0]].owners:
            again = cl.add_pod(f"p{step}", freed[0], {"app": op.app}, ip=str(freed[1]))
            assert again.ip == freed[1]  # a deleted pod's address is free again
            freed = None
        check_ipam(cl)


@settings(max_examples=200, **PROFILE)
@given(any_clusters(), pod_ops())
def test_ipam_never_hands_out_an_address_twice(cl, ops):
    count("ipam-unique-addresses")
    check_ipam(cl)
    apply_ops(cl, ops)


# -- malformed input --------------------------------------------------------------


def only_documented_errors(call, *args, **kwargs):
    """Run ``call``; a KpathError is fine, any other exception fails the property."""
    try:
        return call(*args, **kwargs)
    except kp.KpathError:
        return None


@settings(max_examples=300, **PROFILE)
@given(address_like)
def test_address_parsers_raise_only_address_errors(text):
    count("malformed-addresses")
    for parse in (kp.parse_address, kp.parse_interface, kp.parse_network, kp.MacAddress.parse,
                  kp.Route.parse, kp.to_binary, kp.network_address, kp.broadcast_address):
        try:
            parse(text)
        except kp.AddressError:
            pass


@settings(max_examples=200, **PROFILE)
@given(st.one_of(st.integers(), route_like))
def test_route_and_number_parsers_raise_only_address_errors(value):
    count("malformed-routes")
    try:
        if isinstance(value, int):
            kp.parse_address(value)
            kp.MacAddress(value)
        else:
            kp.Route.parse(value)
    except kp.AddressError:
        pass


@settings(max_examples=300, **PROFILE)
@given(yaml_texts)
def test_yaml_text_gives_only_topology_errors(text):
    count("malformed-yaml-text")
    only_documented_errors(kp.parse_topology, text)


@settings(max_examples=300, **PROFILE)
@given(topology_documents())
def test_yaml_mappings_give_only_topology_errors(doc):
    count("malformed-yaml-mappings")
    text = yaml.safe_dump(doc)
    only_documented_errors(kp.parse_topology, text)


ODD_FILES = {
    "device_mtu not a number": "kind: cluster\nnodes: {}\ncilium: {device_mtu: abc}",
    "mask_size not a number": "kind: cluster\nnodes: {}\ncilium: {ipam: {mask_size: x}}",
    "switch port is a mapping": "nodes: {sw: {kind: switch, ports: [{a: 1}]}}",
    "YAML key is a mapping": "? {a: 1}\n: 2",
    "interface name is a list": "nodes: {h1: {kind: host, interfaces: {[1]: 10.0.0.1/24}}}",
    "interface name is a number": "nodes: {h1: {kind: host, interfaces: {1: 10.0.0.1/24}, "
                                  "routes: ['10.1.0.0/16 dev eth0']}}",
}
"""Malformed files that once crashed parse_topology with TypeError: now TopologyErrors."""


@pytest.mark.parametrize("text", ODD_FILES.values(), ids=ODD_FILES.keys())
def test_odd_files_give_topology_errors(text):
    with pytest.raises(kp.TopologyError):
        kp.parse_topology(text)


def test_node_traces_to_its_own_router_ip():
    cl = kp.load_topology("seed-cilium-buildings")
    tr = kp.trace(cl, "building-blue", "10.0.10.11")
    assert tr.verdict == "delivered"


endpoint_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(("r1", "h0-0", "h1-0", "sw0", "node-1", "pod-1-1", "10.0.0.10",
                     "10.0.0.255", "255.255.255.255", "127.0.0.1", "0.0.0.0", "10.0.0.1",
                     "10.0.0.0", " 10.0.0.10 ", "010.0.0.10", "10.0.0.10/24", "")),
    st.integers(0, (1 << 32) - 1).map(lambda n: str(IPv4Address(n))),
)


@settings(max_examples=200, **PROFILE)
@given(st.one_of(chains().map(lambda c: c.net), any_clusters()), endpoint_text, endpoint_text,
       st.one_of(st.sampled_from(PROTOCOLS), st.text(max_size=5)), st.integers(-2, 300))
def test_endpoints_give_only_documented_errors(net, src, dst, proto, ttl):
    count("malformed-endpoints")
    tr = only_documented_errors(kp.trace, net, src, dst, proto, ttl=ttl)
    if tr is not None:
        check_bounded(tr)
        check_addresses_kept(tr)
