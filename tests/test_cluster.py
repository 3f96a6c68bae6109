"""The cluster model: nodes, pods, devices and routes as the Cilium agent would set them up."""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import pytest

import kpath_nb as kp
from kpath_nb import IpamError, IpamExhaustedError, TopologyError, UnknownEndpointError
from kpath_nb.bpf import ipcache_lookup

DATA = Path(__file__).resolve().parent.parent / "data" / "topologies"
SEED_YAML = (DATA / "seed-cilium-buildings.yaml").read_text(encoding="utf-8")
LXC_NAME = re.compile(r"^lxc[0-9a-f]{12}$")


@pytest.fixture
def cl() -> kp.Cluster:
    """The two buildings of the story, loaded fresh for every test."""
    return kp.load_topology("seed-cilium-buildings")


@pytest.fixture
def three() -> kp.Cluster:
    """A kind-shaped cluster with every Cilium default."""
    return kp.load_topology("cilium-three-nodes")


def ip(text: str) -> IPv4Address:
    return IPv4Address(text)


def small_cluster(mask_size: int = 28) -> kp.Cluster:
    """Two nodes, no pods, node pod CIDRs of ``mask_size`` bits."""
    text = f"""
kind: cluster
name: small
cilium:
  ipam: {{pool: [10.0.0.0/8], mask_size: {mask_size}}}
nodes:
  sw: {{kind: switch, subnet: 172.18.0.0/16}}
  n1: {{kind: node, interfaces: {{eth0: 172.18.0.2/16}}}}
  n2: {{kind: node, interfaces: {{eth0: 172.18.0.3/16}}}}
links:
  - endpoints: ["n1:eth0", "sw:eth1"]
  - endpoints: ["n2:eth0", "sw:eth2"]
"""
    return kp.parse_topology(text, source="small.yaml")


# -- the seed cluster ---------------------------------------------------------------------

def test_seed_cluster_has_two_buildings_and_three_apartments(cl):
    assert isinstance(cl, kp.Cluster)
    assert sorted(cl.nodes) == ["building-blue", "building-green"]
    assert sorted(cl.pods) == ["apartment-12", "apartment-14", "apartment-22"]
    assert isinstance(cl.underlay, kp.Topology)
    assert "fountain-nodes" in cl.underlay.switches


def test_seed_cluster_pinned_values(cl):
    blue, green = cl.nodes["building-blue"], cl.nodes["building-green"]
    assert (blue.ip, blue.pod_cidr, blue.router_ip) == (
        ip("192.168.100.10"), IPv4Network("10.0.10.0/24"), ip("10.0.10.11"))
    assert (green.ip, green.pod_cidr, green.router_ip) == (
        ip("192.168.100.20"), IPv4Network("10.0.20.0/24"), ip("10.0.20.21"))
    pods = cl.pods
    assert (pods["apartment-12"].ip, pods["apartment-12"].node) == (ip("10.0.10.12"),
                                                                      "building-blue")
    assert (pods["apartment-14"].ip, pods["apartment-14"].node) == (ip("10.0.10.14"),
                                                                      "building-blue")
    assert (pods["apartment-22"].ip, pods["apartment-22"].node) == (ip("10.0.20.22"),
                                                                      "building-green")
    assert pods["apartment-12"].labels == {"app": "visitor"}
    assert pods["apartment-12"].qualified_name == "default/apartment-12"


def test_seed_cluster_config_is_ciliums_default_tunnel_mode(cl):
    cfg = cl.config
    assert (cfg.routing_mode, cfg.tunnel_protocol, cfg.host_routing) == ("tunnel", "vxlan", "bpf")
    assert (cfg.tunnel_port, cfg.tunnel_mtu, cfg.tunnel_device) == (8472, 1450, "cilium_vxlan")
    assert (cfg.ipam_mode, cfg.pool, cfg.mask_size) == ("cluster-pool", ("10.0.0.0/8",), 24)


def test_health_ip_is_inside_the_pod_cidr_and_distinct(cl):
    for node in cl.nodes.values():
        assert node.health_ip in node.pod_cidr
        assert node.health_ip not in (node.router_ip, node.pod_cidr.network_address,
                                      node.pod_cidr.broadcast_address)
        owners = dict(cl.allocators[node.name].allocations())
        assert owners[node.router_ip] == "router" and owners[node.health_ip] == "health"


@pytest.mark.parametrize("node", ["building-blue", "building-green"])
def test_node_devices(cl, node):
    host = cl.nodes[node]
    names = list(host.interfaces)
    assert names[:5] == ["eth0", "cilium_host", "cilium_net", "cilium_vxlan", "lxc_health"]
    assert str(host.interfaces["cilium_host"].ip) == f"{host.router_ip}/32"
    for device in ("cilium_net", "cilium_vxlan", "lxc_health"):
        assert host.interfaces[device].ip is None
    pods = [p for p in cl.pods.values() if p.node == node]
    lxcs = [n for n in names if n.startswith("lxc") and n != "lxc_health"]
    assert sorted(lxcs) == sorted(p.lxc for p in pods)
    for name in lxcs:
        assert LXC_NAME.match(name), name
        assert host.interfaces[name].ip is None
    assert host.ifindex["eth0"] == 2 and host.ifindex["cilium_host"] == 4
    indices = [host.ifindex[n] for n in lxcs]
    assert len(set(indices)) == len(indices) and min(indices) > host.ifindex["lxc_health"]


def test_every_lxc_and_pod_mac_is_unique(cl):
    macs = [p.mac for p in cl.pods.values()]
    macs += [n.interfaces[p.lxc].mac for p in cl.pods.values() for n in [cl.node_of(p.name)]]
    assert len(set(macs)) == len(macs)


def test_blue_node_routes_as_cilium_installs_them(cl):
    assert cl.nodes["building-blue"].routing_table().show() == "\n".join([
        "10.0.10.0/24 via 10.0.10.11 dev cilium_host proto kernel src 10.0.10.11",
        "10.0.10.11 dev cilium_host proto kernel scope link",
        "10.0.20.0/24 via 10.0.10.11 dev cilium_host proto kernel src 10.0.10.11 mtu 1450",
        "192.168.100.0/24 dev eth0 proto kernel scope link src 192.168.100.10",
    ])


def test_green_node_routes_as_cilium_installs_them(cl):
    assert cl.nodes["building-green"].routing_table().show() == "\n".join([
        "10.0.10.0/24 via 10.0.20.21 dev cilium_host proto kernel src 10.0.20.21 mtu 1450",
        "10.0.20.0/24 via 10.0.20.21 dev cilium_host proto kernel src 10.0.20.21",
        "10.0.20.21 dev cilium_host proto kernel scope link",
        "192.168.100.0/24 dev eth0 proto kernel scope link src 192.168.100.20",
    ])


@pytest.mark.parametrize("pod, router", [("apartment-12", "10.0.10.11"),
                                         ("apartment-14", "10.0.10.11"),
                                         ("apartment-22", "10.0.20.21")])
def test_pod_routes(cl, pod, router):
    p = cl.pods[pod]
    assert p.routing_table().show() == (f"default via {router} dev eth0 mtu 1450\n"
                                        f"{router} dev eth0 scope link")
    assert str(p.interfaces["eth0"].ip) == f"{p.ip}/32"
    assert list(p.interfaces) == ["eth0"]


def test_summary_names_nodes_and_pods(cl):
    text = cl.summary()
    assert text.startswith("seed-cilium-buildings: 2 nodes, 3 pods; Cilium tunnel mode "
                           "(vxlan, UDP 8472), bpf host routing")
    assert "pod default/apartment-22: 10.0.20.22 identity 257" in text
    assert repr(cl) == "<Cluster 'seed-cilium-buildings': 2 nodes, 3 pods>"


def test_resolve_names_and_addresses(cl):
    assert cl.resolve("apartment-22") == (cl.pods["apartment-22"], ip("10.0.20.22"))
    assert cl.resolve("building-blue") == (cl.nodes["building-blue"], ip("192.168.100.10"))
    assert cl.resolve("10.0.10.14") == (cl.pods["apartment-14"], ip("10.0.10.14"))
    assert cl.resolve("10.0.10.11")[0] is cl.nodes["building-blue"]
    assert cl.resolve("10.0.20.99") == (None, ip("10.0.20.99"))
    with pytest.raises(UnknownEndpointError, match="apartment-12"):
        cl.resolve("apartment-99")


def test_node_by_cidr(cl):
    assert cl.node_by_cidr(ip("10.0.20.200")) is cl.nodes["building-green"]
    assert cl.node_by_cidr(ip("10.0.30.1")) is None


# -- the three-node cluster with default IPAM ---------------------------------------------

def test_three_nodes_each_get_their_own_24_from_the_default_pool(three):
    cidrs = {n.pod_cidr for n in three.nodes.values()}
    assert len(cidrs) == 3
    for node in three.nodes.values():
        assert node.pod_cidr.prefixlen == 24
        assert node.pod_cidr.subnet_of(IPv4Network("10.0.0.0/8"))
        assert three.cidrs.assigned[node.name] == node.pod_cidr
        assert node.router_ip in node.pod_cidr and node.health_ip in node.pod_cidr
    assert cidrs == {IPv4Network(f"10.0.{i}.0/24") for i in range(3)}


def test_three_nodes_pod_ips_are_inside_their_node_cidr(three):
    for pod in three.pods.values():
        node = three.nodes[pod.node]
        assert pod.ip in node.pod_cidr
        assert pod.ip not in (node.router_ip, node.health_ip)
    assert three.pods["coredns-674b8bbfcf-7xk2p"].namespace == "kube-system"


def test_three_nodes_same_labels_share_an_identity(three):
    web = [p for p in three.pods.values() if p.labels == {"app": "web"}]
    assert len(web) == 2 and web[0].identity is web[1].identity


def test_three_nodes_status_counts(three):
    assert three.allocators["kind-worker"].status() == "IPv4: 4/254 allocated from 10.0.1.0/24"
    assert three.allocators["kind-worker2"].status() == "IPv4: 3/254 allocated from 10.0.2.0/24"


def test_three_nodes_every_node_routes_every_pod_cidr(three):
    for node in three.nodes.values():
        text = node.routing_table().show()
        for other in three.nodes.values():
            line = (f"{other.pod_cidr} via {node.router_ip} dev cilium_host proto kernel "
                    f"src {node.router_ip}")
            line += "" if other is node else " mtu 1450"
            assert line in text.splitlines(), (node.name, line)


# -- adding and deleting pods -------------------------------------------------------------

def test_add_pod_gets_an_address_an_lxc_and_an_endpoint(cl):
    pod = cl.add_pod("apartment-16", "building-blue", {"app": "visitor"})
    blue = cl.nodes["building-blue"]
    assert pod.ip in blue.pod_cidr
    assert LXC_NAME.match(pod.lxc) and pod.lxc in blue.interfaces
    assert pod.identity.number == 256
    assert 1 <= pod.endpoint_id <= 4095
    assert pod.routing_table().show().startswith("default via 10.0.10.11 dev eth0 mtu 1450")
    assert cl.allocators["building-blue"].status() == "IPv4: 5/254 allocated from 10.0.10.0/24"


def test_add_pod_with_a_pinned_ip(cl):
    pod = cl.add_pod("apartment-15", "building-blue", ip="10.0.10.15")
    assert pod.ip == ip("10.0.10.15")
    assert cl.resolve("10.0.10.15")[0] is pod


def test_delete_pod_releases_everything(cl):
    blue = cl.nodes["building-blue"]
    old = cl.pods["apartment-14"]
    cl.delete_pod("apartment-14")
    assert "apartment-14" not in cl.pods
    assert old.lxc not in blue.interfaces and old.lxc not in blue.ifindex
    assert ip("10.0.10.14") not in dict(cl.allocators["building-blue"].allocations())
    assert cl.resolve("10.0.10.14") == (None, ip("10.0.10.14"))
    assert cl.allocators["building-blue"].status() == "IPv4: 3/254 allocated from 10.0.10.0/24"


def test_a_recreated_pod_is_a_new_endpoint(cl):
    old = cl.pods["apartment-14"]
    cl.delete_pod("apartment-14")
    new = cl.add_pod("apartment-14", "building-blue", {"app": "resident"})
    assert new.ip != old.ip
    assert new.lxc != old.lxc
    assert new.endpoint_id != old.endpoint_id
    assert new.mac != old.mac
    assert new.identity is old.identity        # same labels, same identity


def test_the_released_pinned_ip_can_be_pinned_again(cl):
    cl.delete_pod("apartment-14")
    assert cl.add_pod("again", "building-blue", ip="10.0.10.14").ip == ip("10.0.10.14")


def test_a_new_lxc_never_reuses_an_ifindex(cl):
    blue = cl.nodes["building-blue"]
    old = blue.ifindex[cl.pods["apartment-14"].lxc]
    cl.delete_pod("apartment-14")
    pod = cl.add_pod("apartment-15", "building-blue")
    assert blue.ifindex[pod.lxc] > old


def test_add_pod_on_an_unknown_node(cl):
    with pytest.raises(UnknownEndpointError, match=r"unknown node 'building-red' for pod 'x'.*"
                                                   r"building-blue, building-green"):
        cl.add_pod("x", "building-red")
    assert "x" not in cl.pods


def test_add_pod_with_a_name_already_taken(cl):
    with pytest.raises(TopologyError, match="already exists"):
        cl.add_pod("apartment-12", "building-green")
    assert cl.pods["apartment-12"].node == "building-blue"


def test_duplicate_pod_error_calls_it_a_pod(cl):
    with pytest.raises(TopologyError) as err:
        cl.add_pod("apartment-12", "building-green")
    assert "node 'apartment-12'" not in str(err.value)
    assert "pod" in str(err.value)


def test_add_pod_with_a_pinned_ip_already_taken(cl):
    with pytest.raises(IpamError, match=r"10\.0\.10\.12 .* already allocated to "
                                        r"default/apartment-12"):
        cl.add_pod("x", "building-blue", ip="10.0.10.12")
    assert "x" not in cl.pods


@pytest.mark.parametrize("pinned", ["10.0.20.30", "10.0.10.0", "10.0.10.255"])
def test_add_pod_with_a_pinned_ip_outside_the_node_cidr(cl, pinned):
    with pytest.raises(IpamError, match=rf"{pinned} .* not a usable address of 10\.0\.10\.0/24"):
        cl.add_pod("x", "building-blue", ip=pinned)


def test_router_ip_cannot_be_given_to_a_pod(cl):
    with pytest.raises(IpamError, match="router"):
        cl.add_pod("x", "building-blue", ip="10.0.10.11")


def test_delete_unknown_pod(cl):
    with pytest.raises(UnknownEndpointError, match="unknown pod 'nope'"):
        cl.delete_pod("nope")


def test_node_cidr_exhaustion_through_add_pod():
    small = small_cluster(mask_size=28)
    n1 = small.nodes["n1"]
    assert n1.pod_cidr.prefixlen == 28
    assert small.allocators["n1"].status() == f"IPv4: 2/14 allocated from {n1.pod_cidr}"
    for k in range(12):
        small.add_pod(f"p{k}", "n1")
    with pytest.raises(IpamExhaustedError, match=rf"{n1.pod_cidr} is full: all 14 addresses"):
        small.add_pod("p12", "n1")
    assert "p12" not in small.pods
    small.delete_pod("p0")
    assert small.add_pod("p12", "n1").ip in n1.pod_cidr


def test_small_cluster_nodes_get_consecutive_28s():
    small = small_cluster(mask_size=28)
    assert [str(n.pod_cidr) for n in small.nodes.values()] == ["10.0.0.0/28", "10.0.0.16/28"]


def test_pool_exhausted_by_nodes_is_a_topology_error_naming_the_node():
    text = SEED_YAML.replace("pool: [10.0.0.0/8]", "pool: [10.0.10.0/24]").replace(
        "    pod_cidr: 10.0.20.0/24\n    router_ip: 10.0.20.21\n", "")
    text = text.split("\npods:")[0]
    with pytest.raises(TopologyError) as err:
        kp.parse_topology(text, source="tiny.yaml")
    assert "tiny.yaml" in str(err.value) and "building-green" in str(err.value)
    assert "no free /24" in str(err.value)


def test_a_pool_overlapping_the_node_network_is_an_error():
    text = SEED_YAML.replace("pool: [10.0.0.0/8]", "pool: [192.168.0.0/16]")
    with pytest.raises(TopologyError) as err:
        kp.parse_topology(text, source="overlap.yaml")
    message = str(err.value)
    assert "overlap.yaml" in message and "cilium.ipam.pool" in message
    assert "192.168.0.0/16" in message and "192.168.100.0/24" in message


def test_the_default_pool_overlapping_a_10_node_network_is_an_error():
    underlay = kp.Topology("t")
    underlay.add_switch("sw", subnet="10.1.0.0/16")
    underlay.add_endpoint(kp.K8sNode("n"), interfaces={"eth0": "10.1.0.2/16"})
    underlay.add_link("n:eth0", "sw:eth1")
    with pytest.raises(TopologyError, match="10.0.0.0/8 overlaps the node network 10.1.0.0/16"):
        kp.Cluster(underlay)


# -- the cluster file ----------------------------------------------------------------------

@pytest.mark.parametrize("old, new, words", [
    ("  seed: buildings", "  seed: buildings\n  kube_proxy: true",
     ["field 'cilium'", "kube_proxy", "allowed are"]),
    ("    mask_size: 24", "    mask_size: 24\n    size: 3",
     ["field 'cilium.ipam'", "size", "mask_size"]),
    ("    ip: 10.0.20.22", "    ip: 10.0.20.22\n    image: nginx",
     ["node 'apartment-22'", "image", "allowed are ip, labels, namespace, node"]),
    ("tunnel_protocol: vxlan", "tunnel_protocol: geneve",
     ["field 'cilium.tunnel_protocol'", "'geneve' is not modelled", "vxlan"]),
    ("routing_mode: tunnel", "routing_mode: native",
     ["field 'cilium.routing_mode'", "'native' is not modelled", "tunnel"]),
    ("host_routing: bpf", "host_routing: kernel",
     ["field 'cilium.host_routing'", "bpf or legacy"]),
    ("    node: building-green", "    node: building-red",
     ["node 'apartment-22'", "building-red", "building-blue, building-green"]),
    ("ip: 10.0.20.22", "ip: 10.0.10.99",
     ["node 'apartment-22'", "10.0.10.99", "10.0.20.0/24"]),
    ("pod_cidr: 10.0.20.0/24", "pod_cidr: 10.0.10.0/24",
     ["node 'building-green'", "already building-blue's"]),
    ("mask_size: 24", "mask_size: 28",
     ["node 'building-blue'", "must be a /28"]),
])
def test_cluster_file_errors_name_file_node_and_field(old, new, words):
    assert old in SEED_YAML
    with pytest.raises(TopologyError) as err:
        kp.parse_topology(SEED_YAML.replace(old, new, 1), source="buildings.yaml")
    message = str(err.value)
    assert message.startswith("buildings.yaml")
    for word in words:
        assert word in message, (word, message)


def test_a_bad_router_ip_is_reported_under_router_ip():
    text = SEED_YAML.replace("router_ip: 10.0.20.21", "router_ip: 10.0.10.21")
    with pytest.raises(TopologyError) as err:
        kp.parse_topology(text, source="buildings.yaml")
    assert "field 'router_ip'" in str(err.value)


def test_a_cluster_with_host_routing_legacy_from_yaml():
    cl = kp.parse_topology(SEED_YAML.replace("host_routing: bpf", "host_routing: legacy"))
    assert cl.config.host_routing == "legacy"


def test_cilium_config_rejects_bad_values():
    with pytest.raises(TopologyError, match="cilium.ipam_mode"):
        kp.CiliumConfig(ipam_mode="eni")
    with pytest.raises(TopologyError, match="between 1280 and 9000"):
        kp.CiliumConfig(device_mtu=200)
    assert kp.CiliumConfig(device_mtu=9000).tunnel_mtu == 8950


# -- generated clusters --------------------------------------------------------------------

def test_generate_cluster_sizes():
    g = kp.generate_cluster(nodes=4, pods_per_node=3, seed=0)
    assert sorted(g.nodes) == ["node-1", "node-2", "node-3", "node-4"]
    assert len(g.pods) == 12
    assert sorted(str(n.pod_cidr) for n in g.nodes.values()) == [
        f"10.0.{i}.0/24" for i in range(4)]
    for pod in g.pods.values():
        assert pod.ip in g.nodes[pod.node].pod_cidr
    assert [str(g.nodes[f"node-{i}"].ip) for i in (1, 2, 3, 4)] == [
        "172.16.0.1", "172.16.0.2", "172.16.0.3", "172.16.0.4"]


def test_generate_cluster_is_deterministic_per_seed():
    def addresses(seed):
        g = kp.generate_cluster(nodes=3, pods_per_node=4, seed=seed)
        return {name: (p.ip, p.lxc, p.endpoint_id) for name, p in g.pods.items()}

    assert addresses(0) == addresses(0)
    assert addresses(0) != addresses(1)


def test_generate_cluster_repeats_identities_across_pods():
    g = kp.generate_cluster(nodes=2, pods_per_node=10, seed=0)
    numbers = {p.identity.number for p in g.pods.values()}
    assert numbers == set(range(256, 261))


def test_generate_cluster_limits():
    with pytest.raises(kp.KpathError, match="pods_per_node"):
        kp.generate_cluster(nodes=1, pods_per_node=253)
    with pytest.raises(kp.KpathError, match="nodes must be"):
        kp.generate_cluster(nodes=0)
    full = kp.generate_cluster(nodes=1, pods_per_node=252, seed=0)
    assert full.allocators["node-1"].status() == "IPv4: 254/254 allocated from 10.0.0.0/24"
    with pytest.raises(IpamExhaustedError):
        full.add_pod("one-more", "node-1")


def test_a_cluster_can_set_its_own_tunnel_port():
    cl = kp.parse_topology(SEED_YAML.replace("tunnel_protocol: vxlan",
                                             "tunnel_protocol: vxlan\n  tunnel_port: 8473"))
    assert cl.config.tunnel_port == 8473
    tr = kp.trace(cl, "apartment-12", "apartment-22", reply=False)
    on_wire = next(h for h in tr.hops if h.action == "switch" and h.packet.get(kp.VXLAN))
    assert on_wire.packet[kp.UDP].dport == 8473
    from kpath_nb.wire import from_bytes, to_bytes
    assert from_bytes(to_bytes(on_wire.packet), vxlan_ports=(8473,)) == on_wire.packet
    assert from_bytes(to_bytes(on_wire.packet)).get(kp.VXLAN) is None  # not a VXLAN port


def test_the_tunnel_port_defaults_to_the_protocols_and_must_be_a_port():
    assert kp.CiliumConfig().tunnel_port == 8472
    for bad in (0, 70000, "8472", True):
        with pytest.raises(kp.TopologyError, match="must be a UDP port"):
            kp.CiliumConfig(tunnel_port=bad)


# -- defaults and facts of a real install -------------------------------------------------

def test_the_default_is_legacy_host_routing():
    """Default Helm values give ``Host Routing: Legacy`` with iptables masquerading; BPF
    host routing is the tuned mode, which the seed cluster says it is configured for."""
    assert kp.CiliumConfig().host_routing == "legacy"
    three = kp.load_topology("cilium-three-nodes")
    assert three.config.host_routing == "legacy"
    status = three.cilium_dbg("kind-worker", "status")
    assert "Host: Legacy" in status and "Masquerading:            IPTables" in status
    seed = kp.load_topology("seed-cilium-buildings")
    assert seed.config.host_routing == "bpf"
    assert "BPF masquerading" in seed.description and "Legacy" in seed.description
    assert "Masquerading:            BPF" in seed.cilium_dbg("building-blue", "status")
    assert kp.generate_cluster(nodes=2, pods_per_node=1, seed=1).config.host_routing == "legacy"


def test_workers_see_the_control_plane_as_kube_apiserver():
    three = kp.load_topology("cilium-three-nodes")
    plane = three.nodes["kind-control-plane"]
    for worker in ("kind-worker", "kind-worker2"):
        assert ipcache_lookup(three, worker, plane.ip).identity == 7
        other = "kind-worker2" if worker == "kind-worker" else "kind-worker"
        assert ipcache_lookup(three, worker, three.nodes[other].ip).identity == 6
        assert ipcache_lookup(three, worker, plane.router_ip).identity == 6
    assert ipcache_lookup(three, "kind-control-plane", plane.ip).identity == 1
    line = kp.trace(three, "client", "kind-control-plane").hubble()[0]
    assert "default/client (ID:" in line and "172.18.0.2 (kube-apiserver)" in line


def test_control_plane_must_be_true_or_false():
    text = (DATA / "cilium-three-nodes.yaml").read_text(encoding="utf-8")
    with pytest.raises(kp.TopologyError, match="control_plane"):
        kp.parse_topology(text.replace("control_plane: true", "control_plane: maybe"))


def test_a_pods_eth0_takes_the_ifindex_next_to_its_lxc(cl):
    """The veth pair is made on the node, the pod's end first: ``eth0@if<n+1>`` in the pod,
    ``lxc…@if<n>`` on the node."""
    for pod in cl.pods.values():
        lxc = cl.node_of(pod.name).ifindex[pod.lxc]
        assert pod.ifindex == lxc - 1
        assert pod.ifindex not in cl.node_of(pod.name).ifindex.values()  # it moved away
