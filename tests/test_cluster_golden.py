"""Golden traces through the seed cluster: every hop and every Hubble line, pinned.

Each table reads ``direction node action in out observation`` per hop; ``lxc:<pod>``
stands for that pod's host-side veth (its name is derived, not chosen) and ``-`` for
nothing. The sequences were checked by hand against Cilium's datapath: the ARP
responder on the lxc, from-endpoint then to-endpoint on one node, to-overlay and
from-overlay around the VXLAN hop across the node switch, from-host for the node's
own packets, to-network for a pod talking to another node's address, to-stack for a
packet handed to a node's own stack. The Hubble tables are the full list (monitor
aggregation ``none``): ``<>`` at every from-* point, where the direction is unknown.
"""

from __future__ import annotations

import pytest

import kpath_nb as kp

SAME_NODE_HOPS = """
request apartment-12 arp - eth0 -
request building-blue arp lxc:apartment-12 lxc:apartment-12 -
request apartment-12 send - eth0 -
request building-blue redirect lxc:apartment-12 lxc:apartment-14 from-endpoint
request building-blue redirect lxc:apartment-12 lxc:apartment-14 to-endpoint
request apartment-14 deliver eth0 - -
reply apartment-14 arp - eth0 -
reply building-blue arp lxc:apartment-14 lxc:apartment-14 -
reply apartment-14 send - eth0 -
reply building-blue redirect lxc:apartment-14 lxc:apartment-12 from-endpoint
reply building-blue redirect lxc:apartment-14 lxc:apartment-12 to-endpoint
reply apartment-12 deliver eth0 - -
"""

SAME_NODE_HUBBLE = """
Jan  5 09:30:00.003: default/apartment-12 (ID:256) <> default/apartment-14 (ID:257) from-endpoint FORWARDED (ICMPv4 EchoRequest)
Jan  5 09:30:00.004: default/apartment-12 (ID:256) -> default/apartment-14 (ID:257) to-endpoint FORWARDED (ICMPv4 EchoRequest)
Jan  5 09:30:00.009: default/apartment-14 (ID:257) <> default/apartment-12 (ID:256) from-endpoint FORWARDED (ICMPv4 EchoReply)
Jan  5 09:30:00.010: default/apartment-12 (ID:256) <- default/apartment-14 (ID:257) to-endpoint FORWARDED (ICMPv4 EchoReply)
"""

CROSS_NODE_HOPS = """
request apartment-12 arp - eth0 -
request building-blue arp lxc:apartment-12 lxc:apartment-12 -
request apartment-12 send - eth0 -
request building-blue redirect lxc:apartment-12 cilium_vxlan from-endpoint
request building-blue encap cilium_vxlan eth0 to-overlay
request building-blue arp - eth0 -
request fountain-nodes flood eth1 - -
request building-green arp eth0 eth0 -
request fountain-nodes switch eth2 eth1 -
request building-blue send - eth0 -
request fountain-nodes switch eth1 eth2 -
request building-green deliver eth0 - -
request building-green decap cilium_vxlan - from-overlay
request building-green redirect cilium_vxlan lxc:apartment-22 to-endpoint
request apartment-22 deliver eth0 - -
reply apartment-22 arp - eth0 -
reply building-green arp lxc:apartment-22 lxc:apartment-22 -
reply apartment-22 send - eth0 -
reply building-green redirect lxc:apartment-22 cilium_vxlan from-endpoint
reply building-green encap cilium_vxlan eth0 to-overlay
reply building-green send - eth0 -
reply fountain-nodes switch eth2 eth1 -
reply building-blue deliver eth0 - -
reply building-blue decap cilium_vxlan - from-overlay
reply building-blue redirect cilium_vxlan lxc:apartment-12 to-endpoint
reply apartment-12 deliver eth0 - -
"""

CROSS_NODE_HUBBLE = """
Jan  5 09:30:00.003: default/apartment-12 (ID:256) <> default/apartment-22 (ID:257) from-endpoint FORWARDED (ICMPv4 EchoRequest)
Jan  5 09:30:00.004: default/apartment-12 (ID:256) -> default/apartment-22 (ID:257) to-overlay FORWARDED (ICMPv4 EchoRequest)
Jan  5 09:30:00.012: default/apartment-12 (ID:256) <> default/apartment-22 (ID:257) from-overlay FORWARDED (ICMPv4 EchoRequest)
Jan  5 09:30:00.013: default/apartment-12 (ID:256) -> default/apartment-22 (ID:257) to-endpoint FORWARDED (ICMPv4 EchoRequest)
Jan  5 09:30:00.018: default/apartment-22 (ID:257) <> default/apartment-12 (ID:256) from-endpoint FORWARDED (ICMPv4 EchoReply)
Jan  5 09:30:00.019: default/apartment-12 (ID:256) <- default/apartment-22 (ID:257) to-overlay FORWARDED (ICMPv4 EchoReply)
Jan  5 09:30:00.023: default/apartment-22 (ID:257) <> default/apartment-12 (ID:256) from-overlay FORWARDED (ICMPv4 EchoReply)
Jan  5 09:30:00.024: default/apartment-12 (ID:256) <- default/apartment-22 (ID:257) to-endpoint FORWARDED (ICMPv4 EchoReply)
"""

NODE_TO_POD_HOPS = """
request building-blue send - cilium_host -
request building-blue redirect cilium_host cilium_vxlan from-host
request building-blue encap cilium_vxlan eth0 to-overlay
request building-blue arp - eth0 -
request fountain-nodes flood eth1 - -
request building-green arp eth0 eth0 -
request fountain-nodes switch eth2 eth1 -
request building-blue send - eth0 -
request fountain-nodes switch eth1 eth2 -
request building-green deliver eth0 - -
request building-green decap cilium_vxlan - from-overlay
request building-green redirect cilium_vxlan lxc:apartment-22 to-endpoint
request apartment-22 deliver eth0 - -
reply apartment-22 arp - eth0 -
reply building-green arp lxc:apartment-22 lxc:apartment-22 -
reply apartment-22 send - eth0 -
reply building-green redirect lxc:apartment-22 cilium_vxlan from-endpoint
reply building-green encap cilium_vxlan eth0 to-overlay
reply building-green send - eth0 -
reply fountain-nodes switch eth2 eth1 -
reply building-blue deliver eth0 - -
reply building-blue decap cilium_vxlan - from-overlay
reply building-blue redirect cilium_vxlan cilium_host -
reply building-blue deliver cilium_host - to-stack
"""

NODE_TO_POD_HUBBLE = """
Jan  5 09:30:00.001: 10.0.10.11 (host) <> default/apartment-22 (ID:257) from-host FORWARDED (ICMPv4 EchoRequest)
Jan  5 09:30:00.002: 10.0.10.11 (host) <> default/apartment-22 (ID:257) to-overlay FORWARDED (ICMPv4 EchoRequest)
Jan  5 09:30:00.010: 10.0.10.11 (remote-node) <> default/apartment-22 (ID:257) from-overlay FORWARDED (ICMPv4 EchoRequest)
Jan  5 09:30:00.011: 10.0.10.11 (remote-node) -> default/apartment-22 (ID:257) to-endpoint FORWARDED (ICMPv4 EchoRequest)
Jan  5 09:30:00.016: default/apartment-22 (ID:257) <> 10.0.10.11 (remote-node) from-endpoint FORWARDED (ICMPv4 EchoReply)
Jan  5 09:30:00.017: 10.0.10.11 (remote-node) <- default/apartment-22 (ID:257) to-overlay FORWARDED (ICMPv4 EchoReply)
Jan  5 09:30:00.021: default/apartment-22 (ID:257) <> 10.0.10.11 (host) from-overlay FORWARDED (ICMPv4 EchoReply)
Jan  5 09:30:00.023: default/apartment-22 (ID:257) <> 10.0.10.11 (host) to-stack FORWARDED (ICMPv4 EchoReply)
"""

POD_TO_REMOTE_NODE_HOPS = """
request apartment-12 arp - eth0 -
request building-blue arp lxc:apartment-12 lxc:apartment-12 -
request apartment-12 send - eth0 -
request building-blue redirect lxc:apartment-12 eth0 from-endpoint
request building-blue arp - eth0 -
request fountain-nodes flood eth1 - -
request building-green arp eth0 eth0 -
request fountain-nodes switch eth2 eth1 -
request building-blue send - eth0 to-network
request fountain-nodes switch eth1 eth2 -
request building-green deliver eth0 - -
reply building-green send - cilium_host -
reply building-green redirect cilium_host cilium_vxlan from-host
reply building-green encap cilium_vxlan eth0 to-overlay
reply building-green send - eth0 -
reply fountain-nodes switch eth2 eth1 -
reply building-blue deliver eth0 - -
reply building-blue decap cilium_vxlan - from-overlay
reply building-blue redirect cilium_vxlan lxc:apartment-12 to-endpoint
reply apartment-12 deliver eth0 - -
"""

POD_TO_REMOTE_NODE_HUBBLE = """
Jan  5 09:30:00.003: default/apartment-12 (ID:256) <> 192.168.100.20 (remote-node) from-endpoint FORWARDED (ICMPv4 EchoRequest)
Jan  5 09:30:00.008: default/apartment-12 (ID:256) -> 192.168.100.20 (remote-node) to-network FORWARDED (ICMPv4 EchoRequest)
Jan  5 09:30:00.012: 192.168.100.20 (host) <> default/apartment-12 (ID:256) from-host FORWARDED (ICMPv4 EchoReply)
Jan  5 09:30:00.013: 192.168.100.20 (host) <> default/apartment-12 (ID:256) to-overlay FORWARDED (ICMPv4 EchoReply)
Jan  5 09:30:00.017: 192.168.100.20 (remote-node) <> default/apartment-12 (ID:256) from-overlay FORWARDED (ICMPv4 EchoReply)
Jan  5 09:30:00.018: default/apartment-12 (ID:256) <- 192.168.100.20 (remote-node) to-endpoint FORWARDED (ICMPv4 EchoReply)
"""
BLUE_IPCACHE = """
IP PREFIX/ADDRESS   IDENTITY
0.0.0.0/0           identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>
10.0.10.11/32       identity=1 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>
10.0.10.12/32       identity=256 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>
10.0.10.14/32       identity=257 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>
10.0.10.223/32      identity=4 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>
10.0.20.0/24        identity=2 encryptkey=0 tunnelendpoint=192.168.100.20 flags=hastunnel
10.0.20.21/32       identity=6 encryptkey=0 tunnelendpoint=192.168.100.20 flags=hastunnel
10.0.20.22/32       identity=257 encryptkey=0 tunnelendpoint=192.168.100.20 flags=hastunnel
10.0.20.129/32      identity=4 encryptkey=0 tunnelendpoint=192.168.100.20 flags=hastunnel
192.168.100.10/32   identity=1 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>
192.168.100.20/32   identity=6 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>
"""

CASES = {
    "same-node": ("apartment-12", "apartment-14", SAME_NODE_HOPS, SAME_NODE_HUBBLE),
    "cross-node": ("apartment-12", "apartment-22", CROSS_NODE_HOPS, CROSS_NODE_HUBBLE),
    "node-to-pod": ("building-blue", "apartment-22", NODE_TO_POD_HOPS, NODE_TO_POD_HUBBLE),
    "pod-to-remote-node": ("apartment-12", "building-green", POD_TO_REMOTE_NODE_HOPS,
                           POD_TO_REMOTE_NODE_HUBBLE),
}


def lines(text: str) -> list[str]:
    return text.strip("\n").splitlines()


def hop_table(cl: kp.Cluster, tr: kp.Trace) -> list[str]:
    lxc = {pod.lxc: f"lxc:{name}" for name, pod in cl.pods.items()}

    def iface(name):
        return lxc.get(name, name) or "-"

    return [f"{h.direction} {h.node} {h.action} {iface(h.in_iface)} {iface(h.out_iface)} "
            f"{h.observation or '-'}" for h in tr.hops]


@pytest.fixture
def cl() -> kp.Cluster:
    return kp.load_topology("seed-cilium-buildings")


@pytest.mark.parametrize("case", list(CASES))
def test_golden_hops(cl, case):
    src, dst, hops, _ = CASES[case]
    tr = kp.trace(cl, src, dst)
    assert tr.verdict == "delivered"
    assert hop_table(cl, tr) == lines(hops)


@pytest.mark.parametrize("case", list(CASES))
def test_golden_hubble(cl, case):
    src, dst, _, hubble = CASES[case]
    tr = kp.trace(cl, src, dst)
    assert tr.hubble("none") == lines(hubble)
    # The default monitor aggregation (medium) keeps no from-* line.
    assert tr.hubble() == [line for line in lines(hubble) if " from-" not in line
                           and not (case == "node-to-pod" and " to-stack " in line)]


@pytest.mark.parametrize("case", list(CASES))
def test_golden_traces_are_repeatable(cl, case):
    src, dst, _, _ = CASES[case]
    first, again = kp.trace(cl, src, dst), kp.trace(cl, src, dst)
    assert first.hops == again.hops and first.hubble() == again.hubble()


def test_golden_blue_ipcache(cl):
    assert cl.cilium_dbg("building-blue", "bpf ipcache list") == BLUE_IPCACHE.strip("\n")


def test_golden_blue_endpoint_list_shape(cl):
    text = cl.cilium_dbg("building-blue", "bpf endpoint list").splitlines()
    assert [line.split()[0] for line in text] == [
        "IP", "10.0.10.11:0", "10.0.10.12:0", "10.0.10.14:0", "10.0.10.223:0",
        "192.168.100.10:0"]
    assert [line.split()[2] if "sec_id" in line else None for line in text[1:]] == [
        None, "sec_id=256", "sec_id=257", "sec_id=4", None]
