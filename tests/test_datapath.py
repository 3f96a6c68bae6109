"""Following a packet through Cilium's datapath: lxc, cilium_host, cilium_vxlan and back."""

from __future__ import annotations

import re
from ipaddress import IPv4Address
from pathlib import Path

import pytest

import kpath_nb as kp
from kpath_nb import ARP, UDP, Ethernet, IPv4
from kpath_nb.packet import VXLAN

DATA = Path(__file__).resolve().parent.parent / "data" / "topologies"
SEED_YAML = (DATA / "seed-cilium-buildings.yaml").read_text(encoding="utf-8")
STAMP = r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{3}"


@pytest.fixture
def cl() -> kp.Cluster:
    return kp.load_topology("seed-cilium-buildings")


@pytest.fixture
def legacy() -> kp.Cluster:
    return kp.parse_topology(SEED_YAML.replace("host_routing: bpf", "host_routing: legacy"),
                             source="legacy.yaml")


def observations(hops):
    return [h.observation for h in hops if h.observation]


def first(hops, **want):
    return next(h for h in hops if all(getattr(h, k) == v for k, v in want.items()))


def lookup(hop, table):
    return next(l for l in hop.lookups if l.table == table)


def lxc_mac(cl, pod):
    return cl.node_of(pod).interfaces[cl.pods[pod].lxc].mac


# -- same node ----------------------------------------------------------------------------

def test_same_node_stays_in_the_building(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-14")
    assert tr.verdict == "delivered" and tr.cause is None
    assert {h.node for h in tr.hops} == {"apartment-12", "apartment-14", "building-blue"}
    assert not any(h.action in ("encap", "decap", "switch", "flood") for h in tr.hops)
    assert not any(h.packet.get(VXLAN) for h in tr.hops)
    assert observations(tr.request_hops) == ["from-endpoint", "to-endpoint"]
    assert observations(tr.reply_hops) == ["from-endpoint", "to-endpoint"]


def test_same_node_lookups(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-14", reply=False)
    hop = first(tr.hops, observation="from-endpoint")
    assert (hop.node, hop.action, hop.in_iface, hop.out_iface) == (
        "building-blue", "redirect", cl.pods["apartment-12"].lxc, cl.pods["apartment-14"].lxc)
    assert [l.table for l in hop.lookups] == ["cilium_ct_any4_global", "cilium_ipcache_v2",
                                             "cilium_lxc"]
    lxc = lookup(hop, "cilium_lxc")
    assert lxc.hit and lxc.key == "10.0.10.14" and "sec_id=257" in lxc.result
    assert lxc.rows[lxc.matched][0] == "10.0.10.14:0"
    cache = lookup(hop, "cilium_ipcache_v2")
    assert cache.result.startswith("10.0.10.14/32 identity=257")
    assert cache.rows[cache.matched][0] == "10.0.10.14/32"
    to = first(tr.hops, observation="to-endpoint")
    policy = lookup(to, f"cilium_policy_v2_{cl.pods['apartment-14'].endpoint_id:05d}")
    assert policy.hit and "256" in policy.key


def test_same_node_delivery_rewrites_macs_and_lowers_ttl(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-14", reply=False)
    sent = first(tr.hops, node="apartment-12", action="send")
    assert sent.packet[Ethernet].dst == lxc_mac(cl, "apartment-12")
    assert sent.packet[IPv4].ttl == 64
    to = first(tr.hops, observation="to-endpoint")
    eth = to.packet[Ethernet]
    assert (eth.src, eth.dst) == (lxc_mac(cl, "apartment-14"), cl.pods["apartment-14"].mac)
    end = tr.hops[-1]
    assert (end.node, end.action, end.in_iface) == ("apartment-14", "deliver", "eth0")
    assert end.packet[IPv4].ttl == 63
    assert (str(end.packet[IPv4].src), str(end.packet[IPv4].dst)) == ("10.0.10.12", "10.0.10.14")
    assert "TTL 63" in end.note


def test_arp_for_the_router_ip_is_answered_by_the_lxc(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-14", reply=False)
    ask, answer = tr.hops[0], tr.hops[1]
    assert (ask.node, ask.action, ask.out_iface) == ("apartment-12", "arp", "eth0")
    assert ask.packet[ARP].op == ARP.REQUEST and str(ask.packet[ARP].target_ip) == "10.0.10.11"
    assert ask.packet[Ethernet].dst == kp.BROADCAST_MAC
    lxc = cl.pods["apartment-12"].lxc
    assert (answer.node, answer.action, answer.in_iface, answer.out_iface) == (
        "building-blue", "arp", lxc, lxc)
    reply = answer.packet[ARP]
    assert reply.op == ARP.REPLY and str(reply.sender_ip) == "10.0.10.11"
    assert reply.sender_mac == lxc_mac(cl, "apartment-12")
    assert answer.packet[Ethernet].dst == cl.pods["apartment-12"].mac
    assert "ARP responder" in answer.note
    [learned] = [x for x in tr.learned if x.node == "apartment-12"]
    assert (learned.table, learned.key) == ("arp", "10.0.10.11")
    assert str(lxc_mac(cl, "apartment-12")) in learned.value


def test_learning_keeps_the_pods_arp_entry(cl):
    pod = cl.pods["apartment-12"]
    assert pod.arp.get(IPv4Address("10.0.10.11")) is None
    kp.trace(cl, "apartment-12", "apartment-14", learn=True)
    assert pod.arp.get(IPv4Address("10.0.10.11")).mac == lxc_mac(cl, "apartment-12")
    again = kp.trace(cl, "apartment-12", "apartment-14", reply=False)
    assert again.hops[0].action == "send"                 # no ARP the second time


def test_learn_false_leaves_the_cluster_as_it_was(cl):
    def state():
        return ({n: tuple(h.arp.rows()) for n, h in cl.endpoints.items()},
                {n: tuple(s.fdb.rows()) for n, s in cl.underlay.switches.items()},
                {n: list(v) for n, v in cl.conntrack.items()})

    before = state()
    for dst in ("apartment-14", "apartment-22", "building-green"):
        kp.trace(cl, "apartment-12", dst)
    kp.trace(cl, "building-blue", "apartment-22", "tcp")
    assert state() == before


# -- across the tunnel --------------------------------------------------------------------

def test_cross_node_ipcache_names_the_tunnel_endpoint(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-22", reply=False)
    hop = first(tr.hops, observation="from-endpoint")
    assert hop.out_iface == "cilium_vxlan"
    cache = lookup(hop, "cilium_ipcache_v2")
    assert "tunnelendpoint=192.168.100.20 flags=hastunnel" in cache.result
    assert not lookup(hop, "cilium_lxc").hit


def test_encapsulation_headers(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-22", reply=False)
    encap = first(tr.hops, action="encap")
    assert (encap.node, encap.observation, encap.in_iface) == ("building-blue", "to-overlay",
                                                               "cilium_vxlan")
    outer = encap.packet[IPv4]
    assert (str(outer.src), str(outer.dst), outer.protocol) == ("192.168.100.10",
                                                                "192.168.100.20", 17)
    assert encap.packet[UDP].dport == 8472
    assert 32768 <= encap.packet[UDP].sport <= 60999
    assert encap.packet[VXLAN].vni == cl.pods["apartment-12"].identity.number == 256
    inner = [h for h in encap.packet.headers if isinstance(h, IPv4)][-1]
    assert (str(inner.src), str(inner.dst)) == ("10.0.10.12", "10.0.20.22")


def test_vxlan_costs_50_bytes(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-22", reply=False)
    before = first(tr.hops, observation="from-endpoint").packet          # inner frame
    encap = first(tr.hops, action="encap").packet                       # outer IPv4 onwards
    wire = first(tr.hops, node="building-blue", action="send", out_iface="eth0").packet
    assert wire.size - before.size == 50
    assert encap.size - before.decapsulate(1).size == 50                # IP packet vs IP packet
    assert wire.decapsulate(4) == before


def test_encap_note_gives_the_50_byte_overhead(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-22", reply=False)
    assert "50 bytes" in first(tr.hops, action="encap").note


def test_the_outer_packet_crosses_the_node_switch(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-22", reply=False)
    switched = [h for h in tr.hops if h.node == "fountain-nodes" and h.action == "switch"
                and h.packet.get(VXLAN)]
    assert [(h.in_iface, h.out_iface) for h in switched] == [("eth1", "eth2")]
    arrived = first(tr.hops, node="building-green", action="deliver")
    assert arrived.packet.get(VXLAN) is not None


def test_decapsulation_on_the_far_node(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-22", reply=False)
    decap = first(tr.hops, action="decap")
    assert (decap.node, decap.observation, decap.in_iface) == ("building-green", "from-overlay",
                                                               "cilium_vxlan")
    assert decap.packet.get(VXLAN) is None and decap.packet.get(UDP) is None
    ip = decap.packet[IPv4]
    assert (str(ip.src), str(ip.dst), ip.ttl) == ("10.0.10.12", "10.0.20.22", 64)
    tunnel = lookup(decap, "tunnel key")
    assert tunnel.result == "identity 256"
    assert lookup(decap, "cilium_lxc").hit
    end = tr.hops[-1]
    assert (end.node, end.action) == ("apartment-22", "deliver")
    assert end.packet[IPv4].ttl == 63
    assert end.packet.get(VXLAN) is None


def test_cross_node_observation_sequence_and_mirrored_reply(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-22")
    assert tr.verdict == "delivered"
    assert observations(tr.request_hops) == ["from-endpoint", "to-overlay", "from-overlay",
                                             "to-endpoint"]
    assert observations(tr.reply_hops) == observations(tr.request_hops)
    reply_encap = first(tr.reply_hops, action="encap")
    assert reply_encap.node == "building-green"
    assert reply_encap.packet[VXLAN].vni == cl.pods["apartment-22"].identity.number == 257
    assert (str(reply_encap.packet[IPv4].src), str(reply_encap.packet[IPv4].dst)) == (
        "192.168.100.20", "192.168.100.10")
    assert first(tr.reply_hops, action="decap").node == "building-blue"
    assert tr.hops[-1].node == "apartment-12"


# -- the node itself ----------------------------------------------------------------------

def test_node_to_remote_pod_goes_through_cilium_host(cl):
    tr = kp.trace(cl, "building-blue", "apartment-22", reply=False)
    send = tr.hops[0]
    assert (send.node, send.action, send.out_iface) == ("building-blue", "send", "cilium_host")
    route = lookup(send, "route")
    assert route.result == (
        "10.0.20.0/24 via 10.0.10.11 dev cilium_host proto kernel src 10.0.10.11 mtu 1450")
    assert str(send.packet[IPv4].src) == "10.0.10.11"            # the route's src
    host = tr.hops[1]
    assert (host.observation, host.out_iface) == ("from-host", "cilium_vxlan")
    encap = first(tr.hops, action="encap")
    assert encap.packet[VXLAN].vni == 6                          # host travels as remote-node
    assert tr.hops[-1].node == "apartment-22"
    assert lookup(first(tr.hops, observation="to-endpoint"),
                  f"cilium_policy_v2_{cl.pods['apartment-22'].endpoint_id:05d}").key.startswith(
        "identity 6")


def test_node_to_local_pod(cl):
    tr = kp.trace(cl, "building-blue", "apartment-12")
    assert observations(tr.request_hops) == ["from-host", "to-endpoint"]
    assert observations(tr.reply_hops) == ["from-endpoint", "to-stack"]
    assert not any(h.packet.get(VXLAN) for h in tr.hops)


def test_the_node_is_reached_through_the_stack_not_to_host(cl):
    """Pod to its node, and overlay traffic for a node: Hubble's ``to-stack`` (``to-host``
    only appears with the host firewall)."""
    for dst in ("building-blue", "10.0.10.11", "10.0.20.21", "building-green"):
        tr = kp.trace(cl, "apartment-12", dst)
        assert "to-host" not in observations(tr.hops), dst
    assert not any("to-host" in line
                   for line in kp.trace(cl, "building-blue", "apartment-22").hubble("none"))


def test_pod_to_own_node(cl):
    tr = kp.trace(cl, "apartment-12", "building-blue", reply=False)
    hop = first(tr.hops, observation="from-endpoint")
    lxc = cl.pods["apartment-12"].lxc
    assert (hop.in_iface, hop.out_iface) == (lxc, None)        # pass_to_stack: no redirect
    assert lookup(hop, "cilium_lxc").result.endswith("(localhost)")
    end = tr.hops[-1]
    assert (end.node, end.action, end.in_iface, end.observation) == (
        "building-blue", "deliver", lxc, "to-stack")


@pytest.mark.parametrize("dst, ttl", [("building-blue", 63), ("10.0.10.11", 63),
                                      ("building-green", 63), ("10.0.20.21", 63)])
def test_a_pod_reaching_a_node_loses_one_ttl(cl, dst, ttl):
    """ipv4_l3 lowers the TTL on the way to the stack (own node, or the far node after the
    tunnel) and before BPF host routing's FIB redirect (a remote node's eth0)."""
    tr = kp.trace(cl, "apartment-12", dst, reply=False)
    assert tr.hops[-1].packet[IPv4].ttl == ttl


def test_legacy_pod_to_remote_node_loses_two_ttl(legacy):
    """ipv4_l3 before pass_to_stack, then the kernel's forwarding: two."""
    tr = kp.trace(legacy, "apartment-12", "building-green", reply=False)
    assert tr.hops[-1].packet[IPv4].ttl == 62


@pytest.mark.parametrize("dst", ["building-blue", "10.0.20.21"])
def test_a_packet_for_a_node_with_ttl_1_is_dropped(cl, dst):
    tr = kp.trace(cl, "apartment-12", dst, ttl=1)
    assert (tr.verdict, tr.cause) == ("dropped", "ttl-exceeded")
    assert kp.trace(cl, "apartment-12", dst, ttl=2).delivered


def test_pod_to_remote_node_is_not_encapsulated(cl):
    tr = kp.trace(cl, "apartment-12", "building-green")
    assert tr.verdict == "delivered"
    req = tr.request_hops
    assert not any(h.packet.get(VXLAN) for h in req)
    assert lookup(first(req, observation="from-endpoint"), "cilium_ipcache_v2").result \
        .startswith("192.168.100.20/32 identity=6")
    out = first(req, observation="to-network")
    assert (out.node, out.out_iface, out.action) == ("building-blue", "eth0", "send")
    assert str(out.packet[IPv4].src) == "10.0.10.12"             # not masqueraded here
    assert observations(tr.reply_hops) == ["from-host", "to-overlay", "from-overlay",
                                           "to-endpoint"]
    assert first(tr.reply_hops, observation="from-host").node == "building-green"
    assert first(tr.reply_hops, action="encap").packet[VXLAN].vni == 6


def test_pod_to_remote_router_ip_is_tunnelled(cl):
    tr = kp.trace(cl, "apartment-12", "10.0.20.21", reply=False)
    assert observations(tr.hops) == ["from-endpoint", "to-overlay", "from-overlay", "to-stack"]
    assert tr.hops[-1].node == "building-green"


# -- legacy host routing ------------------------------------------------------------------

def test_legacy_host_routing_hands_packets_to_the_stack(legacy):
    tr = kp.trace(legacy, "apartment-12", "building-green", reply=False)
    assert observations(tr.hops) == ["from-endpoint", "to-stack"]
    bpf = kp.trace(kp.load_topology("seed-cilium-buildings"), "apartment-12", "building-green",
                   reply=False)
    assert observations(bpf.hops) == ["from-endpoint", "to-network"]


def test_legacy_host_routing_local_delivery_note(legacy, cl):
    note = first(kp.trace(legacy, "apartment-12", "apartment-14", reply=False).hops,
                 observation="to-endpoint").note
    assert "legacy host routing" in note and "backlog" in note
    note = first(kp.trace(cl, "apartment-12", "apartment-14", reply=False).hops,
                 observation="to-endpoint").note
    assert "bpf_redirect_peer" in note


def test_legacy_pod_to_own_node_is_to_stack(legacy):
    tr = kp.trace(legacy, "apartment-12", "building-blue", reply=False)
    assert observations(tr.hops) == ["from-endpoint", "to-stack"]
    assert "Host: Legacy" in legacy.cilium_dbg("building-blue", "status")


# -- stale addresses ----------------------------------------------------------------------

def test_a_deleted_remote_pods_ip_is_dropped_after_the_tunnel(cl):
    cl.delete_pod("apartment-22")
    tr = kp.trace(cl, "apartment-12", "10.0.20.22")
    assert tr.verdict == "dropped"
    assert tr.cause == "stale-or-unroutable-ip"
    assert tr.reason.startswith("Stale or unroutable IP")
    assert "10.0.20.22" in tr.reason and "10.0.20.0/24" in tr.reason
    assert observations(tr.hops[:-1]) == ["from-endpoint", "to-overlay", "from-overlay",
                                          "to-stack"]
    drop = tr.hops[-1]
    assert (drop.node, drop.action, drop.in_iface, drop.observation) == (
        "building-green", "drop", "cilium_host", "from-host")
    cache = lookup(first(tr.hops, observation="from-endpoint"), "cilium_ipcache_v2")
    assert cache.result.startswith("10.0.20.0/24 identity=2")
    assert not tr.reply_hops


@pytest.mark.parametrize("routing, point", [("bpf", "to-network"), ("legacy", "to-stack")])
def test_a_deleted_local_pods_ip_is_dropped_in_cilium_hosts_program(routing, point):
    """Not where it leaves the pod: the node's stack routes it out through cilium_host,
    whose from-host program finds no endpoint and drops it."""
    cl = kp.parse_topology(SEED_YAML.replace("host_routing: bpf", f"host_routing: {routing}"))
    cl.delete_pod("apartment-14")
    tr = kp.trace(cl, "apartment-12", "10.0.10.14")
    assert (tr.verdict, tr.cause) == ("dropped", "stale-or-unroutable-ip")
    assert tr.reason.startswith("Stale or unroutable IP")
    assert observations(tr.hops[:-1]) == ["from-endpoint", point]
    drop = tr.hops[-1]
    assert (drop.node, drop.action, drop.in_iface, drop.observation) == (
        "building-blue", "drop", "cilium_host", "from-host")
    assert not any(h.packet.get(VXLAN) for h in tr.hops)


def test_an_unknown_source_is_refused(cl):
    with pytest.raises(kp.UnknownEndpointError, match="apartment-12"):
        kp.trace(cl, "10.0.20.99", "apartment-12")
    with pytest.raises(kp.UnknownEndpointError):
        kp.trace(cl, "apartment-99", "apartment-12")


# -- conntrack in the trace ---------------------------------------------------------------

def test_conntrack_lookups_name_the_right_map(cl):
    icmp = first(kp.trace(cl, "apartment-12", "apartment-22").hops, observation="from-endpoint")
    assert lookup(icmp, "cilium_ct_any4_global").key == "ICMP OUT 10.0.10.12:1 -> 10.0.20.22:0"
    tcp = first(kp.trace(cl, "apartment-12", "apartment-22", "tcp").hops,
                observation="from-endpoint")
    assert lookup(tcp, "cilium_ct4_global").key == "TCP OUT 10.0.10.12:40000 -> 10.0.20.22:80"
    assert not lookup(tcp, "cilium_ct4_global").hit


def test_same_node_tcp_reply_is_a_tracked_connection(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-14", "tcp")
    reply = first(tr.reply_hops, observation="from-endpoint")
    assert lookup(reply, "cilium_ct4_global").hit


@pytest.mark.parametrize("dst, proto", [("apartment-22", "tcp"), ("apartment-22", "icmp"),
                                        ("apartment-14", "icmp")])
def test_a_reply_hits_the_connection_the_request_created(cl, dst, proto):
    tr = kp.trace(cl, "apartment-12", dst, proto)
    reply = first(tr.reply_hops, observation="from-endpoint")
    ct = next(l for l in reply.lookups if l.table.startswith("cilium_ct"))
    assert ct.hit and "reply" in ct.result


# -- Hubble -------------------------------------------------------------------------------

def test_hubble_line_format(cl):
    lines = kp.trace(cl, "apartment-12", "apartment-22").hubble("none")
    assert len(lines) == 8
    pattern = re.compile(rf"^{STAMP}: default/apartment-(12|22) \(ID:25[67]\) (->|<-|<>) "
                         r"default/apartment-(22|12) \(ID:25[76]\) (from-endpoint|to-overlay|"
                         r"from-overlay|to-endpoint) FORWARDED \(ICMPv4 Echo(Request|Reply)\)$")
    for line in lines:
        assert pattern.match(line), line
    assert lines[1].endswith("default/apartment-12 (ID:256) -> default/apartment-22 (ID:257) "
                             "to-overlay FORWARDED (ICMPv4 EchoRequest)")
    assert [line.split(") ")[1].split()[0] for line in lines] == [
        "<>", "->", "<>", "->", "<>", "<-", "<>", "<-"]


def test_hubble_from_points_have_no_direction(cl):
    """A from-* point traces with an unknown reason: Hubble prints ``<>`` and the packet's
    own source first."""
    for dst in ("apartment-14", "apartment-22", "building-blue"):
        for line in kp.trace(cl, "apartment-12", dst).hubble("none"):
            if " from-" in line:
                assert " <> " in line, line
    reply = [line for line in kp.trace(cl, "apartment-12", "apartment-14").hubble("none")
             if "from-endpoint" in line and "EchoReply" in line]
    assert "default/apartment-14 (ID:257) <> default/apartment-12 (ID:256)" in reply[0]


def test_hubble_by_default_shows_what_medium_aggregation_emits(cl):
    """The default monitor aggregation (medium) emits no from-* trace and none from
    cilium_host's to-host program; drops always."""
    tr = kp.trace(cl, "apartment-12", "apartment-22")
    assert tr.hubble() == tr.hubble("medium")
    assert all(" to-" in line for line in tr.hubble())
    assert [line for line in tr.hubble("none") if " from-" not in line] == tr.hubble()
    assert len(tr.hubble()) == 4 and len(tr.hubble("none")) == 8
    back = kp.trace(cl, "building-blue", "apartment-22")
    assert not any("to-stack" in line for line in back.hubble())
    assert any("to-stack" in line for line in back.hubble("low"))
    cl.delete_pod("apartment-22")
    assert "DROPPED" in kp.trace(cl, "apartment-12", "10.0.20.22").hubble()[-1]
    with pytest.raises(kp.KpathError, match="medium"):
        tr.hubble("loud")


def test_hubble_timestamps_increase(cl):
    lines = kp.trace(cl, "apartment-12", "apartment-22").hubble()
    stamps = [line.split(": ", 1)[0] for line in lines]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_hubble_tcp_shows_ports_and_flags(cl):
    lines = kp.trace(cl, "apartment-12", "apartment-22", "tcp").hubble()
    assert "default/apartment-12:40000 (ID:256) -> default/apartment-22:80 (ID:257) " \
           "to-overlay FORWARDED (TCP Flags: SYN)" in lines[0]
    assert lines[-1].endswith("default/apartment-12:40000 (ID:256) <- default/apartment-22:80 "
                              "(ID:257) to-endpoint FORWARDED (TCP Flags: SYN, ACK)")


def test_hubble_udp(cl):
    lines = kp.trace(cl, "apartment-12", "apartment-22", "udp", dport=5353).hubble("none")
    assert lines[0].endswith("default/apartment-12:40000 (ID:256) <> default/apartment-22:5353 "
                             "(ID:257) from-endpoint FORWARDED (UDP)")


def test_hubble_names_reserved_identities(cl):
    lines = kp.trace(cl, "building-blue", "apartment-22", reply=False).hubble("none")
    assert lines[0].endswith("10.0.10.11 (host) <> default/apartment-22 (ID:257) from-host "
                             "FORWARDED (ICMPv4 EchoRequest)")
    assert "10.0.10.11 (remote-node) -> default/apartment-22 (ID:257) to-endpoint" in lines[-1]


def test_hubble_drop_line(cl):
    cl.delete_pod("apartment-22")
    lines = kp.trace(cl, "apartment-12", "10.0.20.22").hubble()
    assert re.match(rf"^{STAMP}: default/apartment-12 \(ID:256\) <> 10\.0\.20\.22 \(world\) "
                    r"Stale or unroutable IP DROPPED \(ICMPv4 EchoRequest\)$", lines[-1])
    assert sum("DROPPED" in line for line in lines) == 1


def test_hubble_on_a_network_without_cilium_is_an_error():
    tr = kp.trace(kp.load_topology("seed-neighborhoods"), "house-14", "house-24")
    with pytest.raises(kp.KpathError, match="Cilium"):
        tr.hubble()


def test_hubble_skips_underlay_hops(cl):
    tr = kp.trace(cl, "apartment-12", "apartment-22", reply=False)
    assert len(tr.hubble("none")) == len(observations(tr.hops)) == 4


@pytest.mark.parametrize("dst", ["apartment-14", "apartment-22"])
def test_a_packet_that_arrives_with_ttl_1_is_dropped_on_delivery(dst):
    """Cilium lowers the TTL as it delivers into a pod and drops what would reach 0
    (drop reason 196), on the same node and across the tunnel alike."""
    cl = kp.load_topology("seed-cilium-buildings")
    tr = kp.trace(cl, "apartment-12", dst, ttl=1)
    assert (tr.verdict, tr.cause) == ("dropped", "ttl-exceeded")
    assert tr.hops[-1].observation == "to-endpoint"
    assert tr.hubble()[-1].endswith("TTL exceeded DROPPED (ICMPv4 EchoRequest)")
    assert kp.trace(cl, "apartment-12", dst, ttl=2).delivered
