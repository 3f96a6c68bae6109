"""Large clusters behave like small ones: unique addresses, the right tunnel, lookups that
keep their matched row, and routing tables that follow every change. No timing here: the
speed is measured by ``make bench``."""

from __future__ import annotations

import random
from ipaddress import IPv4Address, IPv4Network

import pytest

import kpath_nb as kp
from kpath_nb.datapath import DROP_STALE
from kpath_nb.ipam import PodCidrAllocator
from kpath_nb.tracer import SNAPSHOT_LIMIT


@pytest.fixture(scope="module")
def big() -> kp.Cluster:
    """200 nodes x 20 pods: every node's routing table holds more than 200 routes."""
    return kp.generate_cluster(nodes=200, pods_per_node=20, seed=0)


def hops_with(tr: kp.Trace, table: str) -> list[tuple[kp.Hop, kp.Lookup]]:
    return [(hop, lk) for hop in tr.hops for lk in hop.lookups if lk.table == table]


def test_a_large_cluster_builds_with_unique_addresses(big):
    assert len(big.nodes) == 200 and len(big.pods) == 4000
    ips = [pod.ip for pod in big.pods.values()]
    assert len(set(ips)) == len(ips)
    cidrs = [node.pod_cidr for node in big.nodes.values()]
    assert len(set(cidrs)) == len(cidrs)
    for pod in big.pods.values():
        node = big.nodes[pod.node]
        assert pod.ip in node.pod_cidr and pod.ip not in (node.router_ip, node.health_ip)
    assert sum(len(big.pods_on(name)) for name in big.nodes) == len(big.pods)
    assert {pod.name for pod in big.pods_on("node-7")} == {f"pod-7-{k}" for k in range(1, 21)}


def test_every_node_routes_every_pod_cidr(big):
    table = big.nodes["node-3"].routing_table()
    cilium = [r for r in table.routes if r.dev == "cilium_host"]
    assert len(cilium) == 201  # a route per pod CIDR, and one to the router IP
    assert {r.network for r in cilium if r.via} == {n.pod_cidr for n in big.nodes.values()}
    remote = [r for r in cilium if r.via and r.network != big.nodes["node-3"].pod_cidr]
    assert {r.mtu for r in remote} == {big.config.tunnel_mtu}


def test_a_cross_node_trace_is_delivered_through_the_right_tunnel(big):
    tr = kp.trace(big, "pod-1-1", "pod-150-7")
    assert tr.delivered, tr.reason
    far = big.nodes["node-150"]
    encaps = [hop for hop in tr.request_hops if hop.action == "encap"]
    assert len(encaps) == 1
    outer = encaps[0].packet[kp.IPv4]
    assert (outer.src, outer.dst) == (big.nodes["node-1"].ip, far.ip)
    _, cache = hops_with(tr, "cilium_ipcache_v2")[0]
    assert f"tunnelendpoint={far.ip}" in cache.result
    assert tr.request_hops[-1].node == "pod-150-7"


def test_a_lookup_in_a_big_routing_table_keeps_the_matched_row(big):
    node = big.nodes["node-1"]
    table = node.routing_table()
    assert len(table) > SNAPSHOT_LIMIT
    tr = kp.trace(big, "node-1", "pod-150-7")
    assert tr.delivered, tr.reason
    first = tr.hops[0].lookups[0]
    assert first.table == "route" and first.hit
    assert 0 < len(first.rows) < len(table)
    chosen = table.lookup(big.pods["pod-150-7"].ip)
    assert first.result == str(chosen)
    assert first.rows[first.matched][0] == str(big.nodes["node-150"].pod_cidr)
    assert first.rows[first.matched][2] == "cilium_host"
    # the outer packet's route: the node network, found among the same 200-odd routes
    outer = [lk for _, lk in hops_with(tr, "route") if lk.key == str(big.nodes["node-150"].ip)]
    assert outer and all(lk.rows[lk.matched][0] == "172.16.0.0/16" for lk in outer)


def test_small_tables_are_still_shown_whole():
    cl = kp.generate_cluster(nodes=3, pods_per_node=2, seed=0)
    tr = kp.trace(cl, "node-1", "pod-3-1")
    route = tr.hops[0].lookups[0]
    assert len(route.rows) == len(cl.nodes["node-1"].routing_table())
    assert route.rows[route.matched][0] == str(cl.nodes["node-3"].pod_cidr)


def test_a_lookup_in_a_big_endpoint_map_keeps_the_matched_entry():
    cl = kp.generate_cluster(nodes=2, pods_per_node=60, seed=1)
    tr = kp.trace(cl, "pod-1-1", "pod-2-33")
    assert tr.delivered, tr.reason
    pod = cl.pods["pod-2-33"]
    hits = [lk for _, lk in hops_with(tr, "cilium_lxc") if lk.hit and lk.key == str(pod.ip)]
    assert hits
    for lk in hits:
        assert len(lk.rows) < 63 and lk.rows[lk.matched][0] == f"{pod.ip}:0"
    for _, lk in hops_with(tr, "cilium_ipcache_v2"):
        assert lk.rows[lk.matched][0] == f"{lk.key}/32" or lk.rows[lk.matched][0].endswith("/24")


def test_indexed_longest_prefix_match_agrees_with_a_scan(big):
    table = big.nodes["node-9"].routing_table()
    table.add(kp.Route.parse("10.0.0.0/8 via 172.16.0.200 dev eth0 metric 7"))
    table.add(kp.Route.parse("10.0.0.0/8 via 172.16.0.201 dev eth0 metric 3"))
    table.add(kp.Route.parse("default via 172.16.0.254 dev eth0"))
    rng = random.Random(5)
    for _ in range(300):
        ip = IPv4Address(rng.choice([0x0A000000, 0xAC100000, 0xC0000200])
                         + rng.randrange(1 << 16))
        scan = sorted((r for r in table.routes if ip in r.network),
                      key=lambda r: (-r.network.prefixlen, r.metric))
        assert table.candidates(ip) == scan
        assert table.lookup(ip) == (scan[0] if scan else None)


def test_a_copied_table_changes_alone(big):
    node = big.nodes["node-4"]
    mine = node.routing_table()
    mine.add(kp.Route.parse("192.0.2.0/24 via 172.16.0.9 dev eth0"))
    assert str(mine.lookup("192.0.2.1").via) == "172.16.0.9"
    assert node.routing_table().lookup("192.0.2.1") is None
    mine.routes.clear()
    assert mine.lookup("172.16.0.9") is None
    assert node.routing_table().lookup("172.16.0.9") is not None


def test_taking_eth0_down_is_seen_by_the_next_trace():
    cl = kp.generate_cluster(nodes=3, pods_per_node=2, seed=2)
    assert kp.trace(cl, "pod-1-1", "pod-3-2").delivered
    cl.underlay.set_interface_state("node-1", "eth0", False)
    tr = kp.trace(cl, "pod-1-1", "pod-3-2")
    assert not tr.delivered
    assert not any(str(r.network) == "172.16.0.0/16"
                   for r in cl.nodes["node-1"].routing_table().routes)
    cl.underlay.set_interface_state("node-1", "eth0", True)
    assert kp.trace(cl, "pod-1-1", "pod-3-2").delivered


def test_changing_an_interface_or_the_routes_directly_is_seen_too():
    cl = kp.generate_cluster(nodes=2, pods_per_node=1, seed=3)
    node = cl.nodes["node-1"]
    assert node.routing_table().lookup("192.0.2.1") is None
    node.static_routes.append(kp.Route.parse("192.0.2.0/24 via 172.16.0.2 dev eth0"))
    assert str(node.routing_table().lookup("192.0.2.1").via) == "172.16.0.2"
    node.interfaces["eth0"].up = False
    assert node.routing_table().lookup("192.0.2.1") is None


def test_adding_and_deleting_pods_is_seen_by_the_next_trace():
    cl = kp.generate_cluster(nodes=120, pods_per_node=1, seed=4)
    assert kp.trace(cl, "pod-1-1", "pod-100-1").delivered
    pod = cl.add_pod("late", "node-100", {"app": "late"})
    tr = kp.trace(cl, "pod-1-1", "late")
    assert tr.delivered and tr.request_hops[-1].node == "late"
    address = str(pod.ip)
    cl.delete_pod("late")
    assert "late" not in {p.name for p in cl.pods_on("node-100")}
    gone = kp.trace(cl, "pod-1-1", address)
    assert not gone.delivered and DROP_STALE in gone.reason


def test_a_node_that_joins_later_is_routed_to():
    underlay = kp.Topology("late-join")
    underlay.add_switch("sw", subnet="172.16.0.0/16")
    for i in (1, 2, 3):
        underlay.add_endpoint(kp.K8sNode(f"node-{i}"), interfaces={"eth0": f"172.16.0.{i}/16"})
        underlay.add_link(f"node-{i}:eth0", f"sw:eth{i}")
    cl = kp.Cluster(underlay)
    cl.join("node-1")
    cl.join("node-2")
    cl.add_pod("a", "node-1")
    before = cl.nodes["node-1"].routing_table()
    cl.join("node-3")
    cl.add_pod("c", "node-3")
    after = cl.nodes["node-1"].routing_table()
    assert len(after) == len(before) + 1
    assert after.lookup(cl.pods["c"].ip).network == cl.nodes["node-3"].pod_cidr
    tr = kp.trace(cl, "a", "c")
    assert tr.delivered, tr.reason


def test_a_copy_of_a_cluster_keeps_its_routes_apart():
    cl = kp.generate_cluster(nodes=3, pods_per_node=1, seed=6)
    twin = cl.copy()
    twin.underlay.set_interface_state("node-1", "eth0", False)
    assert kp.trace(cl, "pod-1-1", "pod-2-1").delivered
    assert not kp.trace(twin, "pod-1-1", "pod-2-1").delivered
    assert len(cl.nodes["node-1"].routing_table()) == len(twin.nodes["node-1"].routing_table()) + 1


def test_a_released_pod_cidr_is_the_next_one_handed_out():
    cidrs = PodCidrAllocator(["10.0.0.0/29", "10.1.0.0/29"], 30)
    assert [str(cidrs.assign(n)) for n in "abc"] == ["10.0.0.0/30", "10.0.0.4/30",
                                                     "10.1.0.0/30"]
    cidrs.release("b")
    assert cidrs.assign("d") == IPv4Network("10.0.0.4/30")
    cidrs.assign("e", "10.1.0.4/30")
    with pytest.raises(kp.IpamExhaustedError):
        cidrs.assign("f")
    cidrs.release("a")
    assert cidrs.assign("g") == IPv4Network("10.0.0.0/30")


def _written_out(cl: kp.Cluster) -> kp.Cluster:
    """A copy of ``cl`` whose nodes hold every agent route written out, as ``ip route``
    would list them: the tables a lookup used to be made from."""
    twin = cl.copy()
    for node in twin.nodes.values():
        node.static_routes = list(node.static_routes)
    return twin


def _addresses(cl: kp.Cluster, rng: random.Random) -> list[IPv4Address]:
    picks = [IPv4Address(rng.choice([0x0A000000, 0xAC100000, 0xC0000200]) + rng.randrange(1 << 16))
             for _ in range(60)]
    picks += [pod.ip for pod in rng.sample(list(cl.pods.values()), 20)]
    for node in rng.sample(list(cl.nodes.values()), 10):
        picks += [node.ip, node.router_ip, node.health_ip, node.pod_cidr.network_address,
                  node.pod_cidr.broadcast_address]
    return picks


@pytest.fixture(scope="module")
def overlapping() -> kp.Cluster:
    """150 nodes, and on node-2 underlay routes that cover pod CIDRs too: the same prefix
    with a lower and a higher metric, and a wider one."""
    cl = kp.generate_cluster(nodes=150, pods_per_node=2, seed=8)
    node = cl.nodes["node-2"]
    node.underlay_routes += [kp.Route.parse(text) for text in (
        f"{cl.nodes['node-5'].pod_cidr} via 172.16.0.9 dev eth0",
        f"{cl.nodes['node-7'].pod_cidr} via 172.16.0.9 dev eth0 metric 5",
        "10.0.0.0/8 via 172.16.0.10 dev eth0",
        f"{cl.nodes['node-9'].router_ip}/32 via 172.16.0.11 dev eth0")]
    cl.refresh_routes()
    return cl


def test_a_node_table_answers_from_the_index_as_the_written_out_table_does(overlapping):
    from kpath_nb.tables import IndexedRouteTable
    from kpath_nb.tracer import _route_lookup

    written = _written_out(overlapping)
    rng = random.Random(11)
    covered = [overlapping.nodes[n].pod_cidr.network_address + 7 for n in ("node-5", "node-7")]
    covered.append(overlapping.nodes["node-9"].router_ip)
    for name in ("node-1", "node-2", "node-9", "node-150"):
        indexed = overlapping.nodes[name].routing_table()
        full = written.nodes[name].routing_table()
        assert isinstance(indexed, IndexedRouteTable) and type(full) is kp.RouteTable
        assert len(indexed) == len(full) > SNAPSHOT_LIMIT
        for ip in covered + _addresses(overlapping, rng):
            assert indexed.candidates(ip) == full.candidates(ip), (name, ip)
            route = indexed.lookup(ip)
            assert route == full.lookup(ip)
            assert _route_lookup(indexed, ip, route) == _route_lookup(full, ip, route)
        assert indexed.show() == full.show()  # writes out this copy only
        assert isinstance(overlapping.nodes[name].routing_table(), IndexedRouteTable)
    assert str(overlapping.nodes["node-2"].routing_table().lookup(
        overlapping.nodes["node-5"].pod_cidr.network_address).via) == "172.16.0.9"


def test_traces_through_the_index_are_the_traces_of_the_written_out_tables(overlapping):
    written = _written_out(overlapping)
    rng = random.Random(12)
    pods, nodes = list(overlapping.pods), list(overlapping.nodes)
    pairs = [("node-2", "pod-5-1"), ("node-2", "pod-7-2"), ("pod-9-1", "node-2"),
             ("node-2", str(overlapping.nodes["node-9"].router_ip))]
    pairs += [(rng.choice(pods), rng.choice(pods + nodes)) for _ in range(20)]
    pairs += [(rng.choice(nodes), rng.choice(pods + nodes)) for _ in range(20)]
    for src, dst in pairs:
        assert repr(kp.trace(overlapping, src, dst)) == repr(kp.trace(written, src, dst))


def test_the_index_follows_cilium_host_eth0_and_route_changes():
    cl = kp.generate_cluster(nodes=80, pods_per_node=1, seed=9)
    node = cl.nodes["node-1"]
    rng = random.Random(13)
    addresses = _addresses(cl, rng)

    def agrees() -> None:
        written = _written_out(cl).nodes["node-1"].routing_table()
        table = node.routing_table()
        assert len(table) == len(written)
        assert [table.lookup(ip) for ip in addresses] == [written.lookup(ip) for ip in addresses]

    node.interfaces["cilium_host"].up = False
    agrees()
    assert all(r.dev != "cilium_host" for r in node.routing_table().routes)
    node.interfaces["cilium_host"].up = True
    agrees()
    assert node.routing_table().lookup(cl.pods["pod-40-1"].ip).dev == "cilium_host"
    cl.delete_pod("pod-40-1")
    cl.add_pod("again", "node-40")
    agrees()
    cl.underlay.set_interface_state("node-1", "eth0", False)  # writes the routes out
    agrees()
    cl.underlay.set_interface_state("node-1", "eth0", True)
    cl.refresh_routes()  # the agent writes its routes again: back to the index
    agrees()
    assert len(node.routing_table()) == 80 + 1 + 1  # pod CIDRs, router IP, node network


def test_a_node_that_joins_a_copy_is_routed_to_in_the_copy_only():
    underlay = kp.Topology("late-join")
    underlay.add_switch("sw", subnet="172.16.0.0/16")
    for i in range(1, 71):
        underlay.add_endpoint(kp.K8sNode(f"node-{i}"), interfaces={"eth0": f"172.16.0.{i}/16"})
        underlay.add_link(f"node-{i}:eth0", f"sw:eth{i}")
    cl = kp.Cluster(underlay)
    for i in range(1, 70):
        cl.join(f"node-{i}", refresh=False)
    cl.refresh_routes()
    assert cl.nodes["node-1"].routing_table().lookup("10.0.1.1") is not None
    twin = cl.copy()
    twin.join("node-70")
    late = twin.nodes["node-70"].pod_cidr
    assert twin.nodes["node-1"].routing_table().lookup(late.network_address).network == late
    assert cl.nodes["node-1"].routing_table().lookup(late.network_address) is None
    assert len(twin.nodes["node-1"].routing_table()) == len(
        cl.nodes["node-1"].routing_table()) + 1
