"""Cilium's BPF maps as the agent would fill them, and what cilium-dbg prints of them."""

from __future__ import annotations

import re
from dataclasses import replace
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import pytest

import kpath_nb as kp
from kpath_nb.bpf import (MAPS, cilium_dbg, ct_entries, ipcache_entries, ipcache_lookup,
                          lxc_entries, lxc_lookup)

MAC = r"[0-9A-F]{2}(?::[0-9A-F]{2}){5}"
LXC_LINE = re.compile(rf"^(?P<key>\d+\.\d+\.\d+\.\d+:0)\s+id=(?P<id>\d+)\s+sec_id=(?P<sec>\d+)"
                      rf"\s+flags=0x0000 ifindex=(?P<ifindex>\d+)\s+mac=(?P<mac>{MAC}) "
                      rf"nodemac=(?P<nodemac>{MAC}) parent_ifindex=0$")
IPCACHE_VALUE = re.compile(r"^identity=\d+ encryptkey=0 tunnelendpoint=\d+\.\d+\.\d+\.\d+ "
                           r"flags=(hastunnel|<none>)$")


DATA = Path(__file__).resolve().parent.parent / "data" / "topologies"

@pytest.fixture
def cl() -> kp.Cluster:
    return kp.load_topology("seed-cilium-buildings")


def ip(text: str) -> IPv4Address:
    return IPv4Address(text)


def by_ip(entries):
    return {str(e.ip): e for e in entries}


def by_prefix(entries):
    return {str(e.prefix): e for e in entries}


# -- cilium_lxc ----------------------------------------------------------------------------

def test_lxc_holds_local_pods_health_and_host_ips(cl):
    entries = by_ip(lxc_entries(cl, "building-blue"))
    blue = cl.nodes["building-blue"]
    assert set(entries) == {"10.0.10.12", "10.0.10.14", str(blue.health_ip), "10.0.10.11",
                            "192.168.100.10"}
    assert "10.0.20.22" not in entries


def test_lxc_pod_entry_fields(cl):
    blue, pod = cl.nodes["building-blue"], cl.pods["apartment-12"]
    e = by_ip(lxc_entries(cl, "building-blue"))["10.0.10.12"]
    assert (e.endpoint_id, e.sec_id, e.ifindex) == (pod.endpoint_id, 256, blue.ifindex[pod.lxc])
    assert e.mac == pod.mac
    assert e.node_mac == blue.interfaces[pod.lxc].mac
    assert not e.host and e.owner == "default/apartment-12"


def test_lxc_health_and_host_entries(cl):
    blue = cl.nodes["building-blue"]
    entries = by_ip(lxc_entries(cl, "building-blue"))
    health = entries[str(blue.health_ip)]
    assert health.sec_id == 4 and health.endpoint_id == blue.health_endpoint_id
    assert health.ifindex == blue.ifindex["lxc_health"]
    assert health.node_mac == blue.interfaces["lxc_health"].mac
    for address in ("10.0.10.11", "192.168.100.10"):
        assert entries[address].host and entries[address].value == "(localhost)"


def test_lxc_lookup(cl):
    assert lxc_lookup(cl, "building-blue", ip("10.0.10.14")).sec_id == 257
    assert lxc_lookup(cl, "building-blue", ip("10.0.20.22")) is None
    assert lxc_lookup(cl, "building-green", ip("10.0.20.22")).endpoint_id == \
        cl.pods["apartment-22"].endpoint_id
    assert lxc_lookup(cl, "building-blue", ip("192.168.100.10")).host
    assert lxc_lookup(cl, "building-blue", ip("192.168.100.20")) is None


def test_bpf_endpoint_list_text(cl):
    lines = cl.cilium_dbg("building-blue", "bpf endpoint list").splitlines()
    assert re.match(r"^IP ADDRESS\s+LOCAL ENDPOINT INFO$", lines[0])
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {"10.0.10.11:0", "10.0.10.12:0", "10.0.10.14:0", "192.168.100.10:0",
                         f"{cl.nodes['building-blue'].health_ip}:0"}
    pod = cl.pods["apartment-12"]
    match = LXC_LINE.match(rows["10.0.10.12:0"])
    assert match, rows["10.0.10.12:0"]
    assert int(match["id"]) == pod.endpoint_id and match["sec"] == "256"
    assert match["mac"] == str(pod.mac).upper()
    assert match["nodemac"] == str(cl.nodes["building-blue"].interfaces[pod.lxc].mac).upper()
    assert re.match(r"^10\.0\.10\.11:0\s+\(localhost\)$", rows["10.0.10.11:0"])
    assert LXC_LINE.match(rows[f"{cl.nodes['building-blue'].health_ip}:0"])["sec"] == "4"
    # every value starts in the same column, as the CLI's tab writer lays it out
    assert len({line.index(line.split()[1]) for line in lines[1:]}) == 1


# -- the ipcache --------------------------------------------------------------------------

def test_ipcache_from_blues_view(cl):
    blue, green = cl.nodes["building-blue"], cl.nodes["building-green"]
    entries = by_prefix(ipcache_entries(cl, "building-blue"))
    expect = {
        "10.0.10.12/32": (256, "0.0.0.0", "<none>"),
        "10.0.10.14/32": (257, "0.0.0.0", "<none>"),
        "10.0.20.22/32": (257, "192.168.100.20", "hastunnel"),
        "10.0.20.0/24": (2, "192.168.100.20", "hastunnel"),
        "192.168.100.10/32": (1, "0.0.0.0", "<none>"),
        "10.0.10.11/32": (1, "0.0.0.0", "<none>"),
        "192.168.100.20/32": (6, "0.0.0.0", "<none>"),
        "10.0.20.21/32": (6, "192.168.100.20", "hastunnel"),
        f"{blue.health_ip}/32": (4, "0.0.0.0", "<none>"),
        f"{green.health_ip}/32": (4, "192.168.100.20", "hastunnel"),
        "0.0.0.0/0": (2, "0.0.0.0", "<none>"),
    }
    got = {k: (e.identity, str(e.tunnel_endpoint), e.flags) for k, e in entries.items()}
    assert got == expect


def test_ipcache_is_mirrored_on_green(cl):
    entries = by_prefix(ipcache_entries(cl, "building-green"))
    assert (entries["10.0.10.12/32"].identity, str(entries["10.0.10.12/32"].tunnel_endpoint),
            entries["10.0.10.12/32"].flags) == (256, "192.168.100.10", "hastunnel")
    assert entries["10.0.10.0/24"].identity == 2
    assert entries["10.0.20.22/32"].flags == "<none>"
    assert entries["192.168.100.20/32"].identity == 1
    assert entries["192.168.100.10/32"].identity == 6
    assert "10.0.20.0/24" not in entries      # a node's own pod CIDR is not tunnelled


def test_bpf_ipcache_list_text(cl):
    lines = cl.cilium_dbg("building-blue", "bpf ipcache list").splitlines()
    assert re.match(r"^IP PREFIX/ADDRESS\s+IDENTITY$", lines[0])
    assert len(lines) == 1 + len(ipcache_entries(cl, "building-blue"))
    for line in lines[1:]:
        key, value = line.split(maxsplit=1)
        IPv4Network(key)
        assert IPCACHE_VALUE.match(value), line
    assert any(re.match(r"^10\.0\.20\.0/24\s+identity=2 encryptkey=0 "
                        r"tunnelendpoint=192\.168\.100\.20 flags=hastunnel$", line)
               for line in lines)


@pytest.mark.parametrize("address, prefix, identity", [
    ("10.0.20.22", "10.0.20.22/32", 257),     # the pod /32 beats its node's pod CIDR
    ("10.0.20.99", "10.0.20.0/24", 2),        # no pod there: the pod CIDR, world, tunnelled
    ("10.0.20.21", "10.0.20.21/32", 6),       # the remote router IP
    ("192.168.100.20", "192.168.100.20/32", 6),
    ("192.168.100.10", "192.168.100.10/32", 1),
    ("10.0.10.14", "10.0.10.14/32", 257),
    ("8.8.8.8", "0.0.0.0/0", 2),              # everything else is world
    ("10.0.30.1", "0.0.0.0/0", 2),
])
def test_ipcache_lookup_is_longest_prefix_match(cl, address, prefix, identity):
    entry = ipcache_lookup(cl, "building-blue", ip(address))
    assert (str(entry.prefix), entry.identity) == (prefix, identity)


@pytest.mark.parametrize("name", ["seed-cilium-buildings", "cilium-three-nodes"])
def test_ipcache_lookup_agrees_with_the_listing(name):
    cluster = kp.load_topology(name)
    for node in cluster.nodes:
        entries = ipcache_entries(cluster, node)
        for entry in entries:
            for address in {entry.prefix.network_address, entry.prefix.broadcast_address}:
                covering = [e for e in entries if address in e.prefix]
                best = max(covering, key=lambda e: e.prefix.prefixlen)
                assert ipcache_lookup(cluster, node, address) == best, (node, address)


# -- conntrack ----------------------------------------------------------------------------

def test_no_conntrack_entries_before_any_traffic(cl):
    assert ct_entries(cl, "building-blue") == []
    assert cl.cilium_dbg("building-blue", "bpf ct list global") == "No entries found."
    assert cl.bpf_map("building-blue", "cilium_ct_any4_global").empty


def test_learn_false_leaves_no_conntrack_entries(cl):
    kp.trace(cl, "apartment-12", "apartment-22")
    kp.trace(cl, "apartment-12", "apartment-14", "tcp")
    for node in cl.nodes:
        assert ct_entries(cl, node) == []


def test_icmp_conntrack_after_learning(cl):
    kp.trace(cl, "apartment-12", "apartment-22", learn=True)
    blue = [e.key for e in ct_entries(cl, "building-blue")]
    green = [e.key for e in ct_entries(cl, "building-green")]
    assert "ICMP OUT 10.0.10.12:1 -> 10.0.20.22:0" in blue     # echo identifier: the source port
    assert "ICMP IN 10.0.10.12:1 -> 10.0.20.22:0" in green
    for entry in ct_entries(cl, "building-blue") + ct_entries(cl, "building-green"):
        assert entry.map_name == "cilium_ct_any4_global"
    frame = cl.bpf_map("building-blue", "cilium_ct_any4_global")
    assert "ICMP OUT 10.0.10.12:1 -> 10.0.20.22:0" in list(frame["tuple"])
    assert cl.bpf_map("building-blue", "cilium_ct4_global").empty
    text = cl.cilium_dbg("building-blue", "bpf ct list global")
    line = next(x for x in text.splitlines() if x.startswith("ICMP OUT 10.0.10.12:1"))
    assert re.search(r" expires=\d+ Packets=0 Bytes=0 .*RevNAT=0 SourceSecurityID=256 "
                     r"BackendID=0 NatPort=0$", line)          # accounting off; the sender's ID


def test_conntrack_counts_only_with_accounting():
    """Cilium counts packets and bytes per entry only with conntrack accounting on."""
    yaml = (DATA / "seed-cilium-buildings.yaml").read_text(encoding="utf-8")
    for accounting in (False, True):
        cl = kp.parse_topology(yaml)
        cl.config = replace(cl.config, conntrack_accounting=accounting)
        kp.trace(cl, "apartment-12", "apartment-22", learn=True)
        [entry] = ct_entries(cl, "building-blue")
        assert entry.packets == 2 and entry.bytes > 0            # request and reply
        assert ("Packets=2 " in str(entry)) is accounting
        assert ("Packets=0 Bytes=0 " in str(entry)) is not accounting


def test_out_entries_carry_the_senders_own_identity(cl):
    kp.trace(cl, "apartment-12", "apartment-22", learn=True)
    [out] = ct_entries(cl, "building-blue")
    assert (out.direction, out.source_security_id) == ("OUT", 256)


def test_tcp_flags_are_kept_by_direction(cl):
    """The SYN leaves apartment-12 (Tx on its OUT entry), the SYN-ACK comes back (Rx);
    on the far node the SYN arrives (Rx on the IN entry) and the SYN-ACK leaves (Tx)."""
    kp.trace(cl, "apartment-12", "apartment-22", "tcp", learn=True)
    [out] = ct_entries(cl, "building-blue")
    [inn] = ct_entries(cl, "building-green")
    assert (out.tx_flags, out.rx_flags) == (0x02, 0x12)
    assert (inn.rx_flags, inn.tx_flags) == (0x02, 0x12)
    assert "RxFlagsSeen=0x12" in str(out) and "TxFlagsSeen=0x02" in str(out)
    kp.trace(cl, "apartment-12", "apartment-14", "tcp", reply=False, learn=True)
    one_way = [e for e in ct_entries(cl, "building-blue") if e.dst == kp.parse_address(
        "10.0.10.14")]
    assert {(e.direction, e.tx_flags, e.rx_flags) for e in one_way} == {
        ("OUT", 0x02, 0), ("IN", 0, 0x02)}


def test_ingress_entry_records_the_source_identity(cl):
    kp.trace(cl, "apartment-12", "apartment-22", reply=False, learn=True)
    [entry] = ct_entries(cl, "building-green")
    assert entry.key == "ICMP IN 10.0.10.12:1 -> 10.0.20.22:0"
    assert entry.source_security_id == 256


def test_tcp_conntrack_after_learning(cl):
    kp.trace(cl, "apartment-12", "apartment-22", "tcp", learn=True)
    blue = {e.key: e for e in ct_entries(cl, "building-blue")}
    assert "TCP OUT 10.0.10.12:40000 -> 10.0.20.22:80" in blue
    assert blue["TCP OUT 10.0.10.12:40000 -> 10.0.20.22:80"].map_name == "cilium_ct4_global"
    frame = cl.bpf_map("building-blue", "cilium_ct4_global")
    assert list(frame.columns) == ["tuple", "expires", "packets", "bytes", "source_security_id"]
    assert "TCP OUT 10.0.10.12:40000 -> 10.0.20.22:80" in list(frame["tuple"])
    assert all(t.startswith("TCP ") for t in frame["tuple"])


def test_learning_the_same_flow_twice_updates_not_duplicates(cl):
    kp.trace(cl, "apartment-12", "apartment-22", reply=False, learn=True)
    kp.trace(cl, "apartment-12", "apartment-22", reply=False, learn=True)
    keys = [e.key for e in ct_entries(cl, "building-blue")]
    assert keys.count("ICMP OUT 10.0.10.12:1 -> 10.0.20.22:0") == 1
    entry = next(e for e in ct_entries(cl, "building-blue")
                 if e.key == "ICMP OUT 10.0.10.12:1 -> 10.0.20.22:0")
    assert entry.packets == 2


def test_a_cross_node_ping_leaves_one_entry_per_node(cl):
    kp.trace(cl, "apartment-12", "apartment-22", learn=True)
    assert [e.key for e in ct_entries(cl, "building-blue")] == [
        "ICMP OUT 10.0.10.12:1 -> 10.0.20.22:0"]
    assert [e.key for e in ct_entries(cl, "building-green")] == [
        "ICMP IN 10.0.10.12:1 -> 10.0.20.22:0"]


# -- map list, status, frames, errors -----------------------------------------------------

def test_map_list(cl):
    lines = cl.cilium_dbg("building-blue", "map list").splitlines()
    assert lines[0].split() == ["Name", "Num", "entries", "Num", "errors", "Cache", "enabled"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["cilium_lxc"] == ["5", "0", "true"]
    assert rows["cilium_ipcache_v2"] == ["11", "0", "true"]
    kp.trace(cl, "apartment-12", "apartment-22", "tcp", reply=False, learn=True)
    rows = {line.split()[0]: line.split()[1:]
            for line in cl.cilium_dbg("building-blue", "map list").splitlines()[1:]}
    assert rows["cilium_ct4_global"] == ["1", "0", "false"]


def test_status_lines(cl):
    assert cl.cilium_dbg("building-blue", "status") == (
        "IPAM:                    IPv4: 4/254 allocated from 10.0.10.0/24,\n"
        "Routing:                 Network: Tunnel [vxlan]   Host: BPF\n"
        "Masquerading:            BPF   [eth0]   10.0.0.0/8 [IPv4: Enabled, IPv6: Disabled]")
    verbose = cl.cilium_dbg("building-blue", "status --verbose").splitlines()
    assert verbose[0].startswith("IPAM:") and verbose[1] == "Allocated addresses:"
    assert verbose[-2].startswith("Routing:")                    # IPAM before Routing
    assert "  10.0.10.11 (router)" in verbose
    assert "  10.0.10.12 (default/apartment-12)" in verbose
    assert f"  {cl.nodes['building-blue'].health_ip} (health)" in verbose


def test_command_whitespace_is_forgiven(cl):
    assert cl.cilium_dbg("building-blue", "  bpf   endpoint list ") == \
        cl.cilium_dbg("building-blue", "bpf endpoint list")


def test_map_frame_columns(cl):
    lxc = cl.bpf_map("building-blue", "cilium_lxc")
    assert list(lxc.columns) == ["ip", "id", "sec_id", "ifindex", "mac", "nodemac", "owner"]
    assert len(lxc) == 5
    row = lxc.set_index("ip").loc["10.0.10.12"]
    assert (row["sec_id"], row["owner"]) == (256, "default/apartment-12")
    ipc = cl.bpf_map("building-blue", "cilium_ipcache_v2")
    assert list(ipc.columns) == ["prefix", "identity", "tunnelendpoint", "flags", "owner"]
    row = ipc.set_index("prefix").loc["10.0.20.0/24"]
    assert (row["identity"], row["tunnelendpoint"], row["flags"]) == (2, "192.168.100.20",
                                                                     "hastunnel")


def test_unknown_map_names_the_known_ones(cl):
    with pytest.raises(kp.KpathError) as err:
        cl.bpf_map("building-blue", "cilium_tunnel_map")
    for name in MAPS:
        assert name in str(err.value)
    with pytest.raises(kp.KpathError, match="cilium_ipcache_v2"):
        cl.bpf_map("building-blue", "cilium_ipcache")


def test_unknown_command_names_the_known_ones(cl):
    with pytest.raises(kp.KpathError) as err:
        cl.cilium_dbg("building-blue", "bpf tunnel list")
    for command in ("bpf endpoint list", "bpf ipcache list", "bpf ct list global", "map list",
                    "status"):
        assert command in str(err.value)


def test_unknown_node_names_the_nodes(cl):
    with pytest.raises(kp.UnknownEndpointError, match="building-blue, building-green"):
        cl.cilium_dbg("building-red", "bpf endpoint list")
    with pytest.raises(kp.UnknownEndpointError):
        cl.bpf_map("fountain-nodes", "cilium_lxc")


def test_maps_follow_pod_changes(cl):
    cl.delete_pod("apartment-22")
    pod = cl.add_pod("apartment-24", "building-green", {"app": "resident"})
    blue = by_prefix(ipcache_entries(cl, "building-blue"))
    assert "10.0.20.22/32" not in blue
    assert blue[f"{pod.ip}/32"].identity == 257
    green = by_ip(lxc_entries(cl, "building-green"))
    assert "10.0.20.22" not in green
    assert green[str(pod.ip)].endpoint_id == pod.endpoint_id


def test_cilium_ipcache_v2_arrived_in_v1_18():
    """The map is cilium_ipcache_v2 from v1.18 on; nothing in the series says v1.19."""
    import kpath_nb.bpf as bpf

    root = Path(__file__).resolve().parent.parent
    assert "Before v1.18 the map was ``cilium_ipcache``" in bpf.__doc__
    with pytest.raises(kp.KpathError, match="before v1.18"):
        kp.load_topology("seed-cilium-buildings").bpf_map("building-blue", "cilium_ipcache")
    texts = [*root.glob("kpath_nb/**/*.py"), *root.glob("notebooks/*.ipynb"),
             *root.glob("docs/*.md")]
    assert not [p.name for p in texts if "v1.19" in p.read_text(encoding="utf-8")]


def test_dumps_are_sorted_and_say_that_real_ones_are_not():
    cl = kp.load_topology("seed-cilium-buildings")
    keys = [line.split()[0] for line in
            cl.cilium_dbg("building-blue", "bpf endpoint list").splitlines()[1:]]
    assert keys == sorted(keys, key=lambda k: IPv4Address(k.split(":")[0]))
    assert "the real CLI prints them in the map's own" in " ".join(cilium_dbg.__doc__.split())
