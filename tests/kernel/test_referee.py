"""The Linux kernel referees the tracer: the same networks, built in namespaces, must agree.

For every shipped network without Kubernetes and for 50 random ones
(:func:`kpath_nb.generate.random_network`), a dozen endpoint pairs are pinged in the
kernel and traced by kpath, and these must match:

* the verdict: ``ping -c1`` succeeds exactly when the trace is delivered;
* the TTL of the echo reply as ping reports it and as the trace delivers it;
* the routers crossed, asked of each kernel in turn with ``ip route get`` (the next
  hop's MAC, as ARP learned it during the ping, says which node comes next);
* the ARP entries: every entry the trace learns is in the kernel's neighbour table
  with the same MAC and, when the packet was delivered, the kernel resolved nothing
  the trace does not know (after a drop the kernel also sends ICMP errors, which
  learn entries of their own and which the trace leaves out);
* a source without a route: ping exits 2 with "Network is unreachable".

Where the tracer is known to depart from Linux (:func:`tracer_bug`), the case is
marked as an expected failure, strictly, so that fixing the tracer shows at once.

Then a VXLAN device pair in two node namespaces carries a ping across a bridge,
and the outer headers tcpdump captures must be those of the trace's encap hop
through the seed cluster.
"""

from __future__ import annotations

import re
import shutil
import signal
import struct
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from pathlib import Path
from random import Random

import pytest

import kpath_nb as kp
from kpath_nb.generate import random_network
from kpath_nb.packet import DEFAULT_TTL
from netlab import Lab, ipv4_frames, run, unavailable

if unavailable() is not None:
    pytest.skip(unavailable(), allow_module_level=True)

TRADITIONAL = [name for name in kp.available_topologies()
               if not isinstance(kp.load_topology(name), kp.Cluster)]
RANDOM_SEEDS = range(50)
MAX_PAIRS = 12
PING_TIMEOUT = 5  # seconds for the whole ping command; -W1 bounds the wait for a reply


def network(key: str) -> kp.Topology:
    """A network by its test key: a shipped name or ``random-<seed>``."""
    if key.startswith("random-"):
        return random_network(int(key.removeprefix("random-")))
    return kp.load_topology(key)


def reproducer(key: str, src: str, dst: str) -> str:
    """Python that traces the case again."""
    if key.startswith("random-"):
        return (f"from kpath_nb.generate import random_network; "
                f"print(kp.trace(random_network({key.removeprefix('random-')}), {src!r}, "
                f"{dst!r}))")
    return f"print(kp.trace(kp.load_topology({key!r}), {src!r}, {dst!r}))"


def choose_pairs(key: str, net: kp.Topology) -> list[tuple[str, str]]:
    """Up to MAX_PAIRS ordered endpoint pairs, covering every kind of outcome first.

    Pairs are grouped by what the tracer predicts (verdict, drop cause, routers
    crossed); one pair is taken from each group in turn, in an order shuffled
    with the network's name as seed, so the choice never changes between runs.
    """
    groups: dict[tuple, list[tuple[str, str]]] = {}
    for src in net.endpoints:
        for dst in net.endpoints:
            if src != dst:
                tr = kp.trace(net, src, dst)
                kind = (tr.verdict, tr.cause or "", len(tr.routers_crossed()))
                groups.setdefault(kind, []).append((src, dst))
    rng = Random(key)
    queues = [rng.sample(pairs, len(pairs)) for _, pairs in sorted(groups.items())]
    chosen: list[tuple[str, str]] = []
    while len(chosen) < MAX_PAIRS and any(queues):
        for queue in queues:
            if queue and len(chosen) < MAX_PAIRS:
                chosen.append(queue.pop())
    return sorted(chosen)


def tracer_bug(net: kp.Topology, tr: kp.Trace) -> str | None:
    """How the tracer departs from Linux in this trace, if it does in a known way.

    Cases it names are expected to fail (strictly) until the tracer is fixed; once it
    is, the trace no longer shows the fault and the case is an ordinary one again.
    Only the request's leg counts: on the reply's leg the same fault changes nothing
    the referee compares (the trace is dropped either way, and the routers crossed
    are counted on the request's leg).
    """
    for hop in tr.request_hops:
        if hop.action != "route":
            continue
        source = hop.packet[kp.IPv4].src
        if net.nodes[hop.node].owns(source):
            return (f"tracer bug: {hop.node} forwards a packet that came back to it with its "
                    f"own address {source} as source; Linux drops such a packet on arrival "
                    f"as a martian source (accept_local=0), the tracer lets it go round "
                    f"until the TTL runs out")
    return None


def _cases() -> list:
    cases = []
    for key in TRADITIONAL + [f"random-{seed}" for seed in RANDOM_SEEDS]:
        net = network(key)
        for src, dst in choose_pairs(key, net):
            bug = tracer_bug(net, kp.trace(net, src, dst))
            marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
            cases.append(pytest.param(key, src, dst, id=f"{key}:{src}->{dst}", marks=marks))
    return cases


# -- what the kernel says ------------------------------------------------------------------

@dataclass
class Kernel:
    """What the namespaces did with one ping."""

    exit_code: int
    output: str
    reply_ttl: int | None
    routers: list[str]
    neighbours: dict[str, dict[str, str]] = field(default_factory=dict)


def ask_kernel(lab: Lab, src: str, dst_ip: IPv4Address) -> Kernel:
    """Ping once from ``src`` and read back the path and the neighbour tables."""
    lab.flush()
    ping = lab.exec(src, "ping", "-c1", "-W1", "-n", str(dst_ip), timeout=PING_TIMEOUT)
    output = ping.stdout + ping.stderr
    ttl = re.search(r"\bttl=(\d+)", output)
    neighbours = lab.neighbours()
    return Kernel(ping.returncode, output.strip(), int(ttl.group(1)) if ttl else None,
                  kernel_path(lab, src, dst_ip, neighbours), neighbours)


def kernel_path(lab: Lab, src: str, dst_ip: IPv4Address,
                neighbours: dict[str, dict[str, str]]) -> list[str]:
    """The routers that forwarded the echo request, asked of each kernel in turn.

    At each node ``ip route get`` names the next hop; the neighbour entry the ping
    left for it gives the MAC, and the MAC the node it belongs to. A router forwards
    while the TTL the packet arrives with is above 1, as ``ip_forward`` does.
    """
    first = lab.route_get(src, dst_ip)
    if first is None:
        return []
    src_ip = first["prefsrc"]
    node, route, crossed = src, first, []
    while route is not None and "type" not in route:  # plain unicast: the packet leaves
        mac = neighbours[node].get(route.get("gateway", str(dst_ip)))
        if mac is None:  # ARP for the next hop failed
            break
        node, iface = lab.macs[mac]
        route = lab.route_get(node, dst_ip, src_ip, iface)
        if route is not None and "type" not in route:
            if DEFAULT_TTL - len(crossed) <= 1:
                break
            crossed.append(node)
    return crossed


# -- the comparison -------------------------------------------------------------------------

def disagreements(tr: kp.Trace, learned: kp.Topology, kernel: Kernel, src: str) -> list[str]:
    """Every way the kernel and the trace differ, in words."""
    problems = []
    delivered = kernel.exit_code == 0
    if delivered != tr.delivered:
        problems.append(f"verdict: kernel ping {'succeeds' if delivered else 'fails'} "
                        f"(exit {kernel.exit_code}), trace says {tr.verdict} ({tr.reason})")
    if tr.delivered and delivered:
        arrival = [h for h in tr.reply_hops if h.action == "deliver"][-1].packet[kp.IPv4].ttl
        if kernel.reply_ttl != arrival:
            problems.append(f"reply TTL: kernel ttl={kernel.reply_ttl}, trace {arrival}")
    if kernel.routers != tr.routers_crossed():
        problems.append(f"routers crossed: kernel {kernel.routers}, "
                        f"trace {tr.routers_crossed()}")
    for name, node in learned.endpoints.items():
        model = {str(e.ip): str(e.mac).lower() for e in node.arp.entries.values()}
        seen = kernel.neighbours.get(name, {})
        missing = {ip: mac for ip, mac in model.items() if seen.get(ip) != mac}
        extra = {ip: mac for ip, mac in seen.items() if ip not in model}
        if missing:
            problems.append(f"ARP at {name}: trace learns {missing}, kernel has {seen}")
        if extra and tr.delivered:  # a drop sends ICMP errors, which the trace leaves out
            problems.append(f"ARP at {name}: kernel resolved {extra}, trace learns {model}")
    journey = [h for h in tr.hops if h.direction != "error"]  # the ICMP error's leg comes last
    if not tr.delivered and tr.cause == "no-route" and journey[-1].node == src:
        if kernel.exit_code != 2 or "Network is unreachable" not in kernel.output:
            problems.append(f"no route at the source: kernel ping exit {kernel.exit_code}, "
                            f"expected 2 with 'Network is unreachable'")
    return problems


@pytest.mark.parametrize("key, src, dst", _cases())
def test_kernel_agrees_with_trace(labs, counts: Counter, key: str, src: str, dst: str) -> None:
    lab = labs.get(key, lambda: network(key))
    net = lab.net
    tr = kp.trace(net, src, dst)
    learned = net.copy()
    kp.trace(learned, src, dst, learn=True)
    kernel = ask_kernel(lab, src, net.resolve(dst)[1])
    counts["pairs"] += 1
    problems = disagreements(tr, learned, kernel, src)
    assert not problems, (
        f"kernel and tracer disagree on {key} {src} -> {dst}:\n  " + "\n  ".join(problems)
        + f"\nping said: {kernel.output}\nreproduce: {reproducer(key, src, dst)}")


# -- VXLAN framing --------------------------------------------------------------------------

VXLAN_PORT = 8472


def _cross_node_pairs() -> list:
    cl = kp.load_topology("seed-cilium-buildings")
    return [pytest.param(a, b, id=f"{a}->{b}") for a in cl.pods for b in cl.pods
            if cl.pods[a].node != cl.pods[b].node]


def underlay_of(cl: kp.Cluster, nodes: tuple[str, str]) -> kp.Topology:
    """Two Kubernetes nodes of a cluster and the switch between them, as plain hosts."""
    net = kp.Topology("vxlan-underlay")
    switches = set()
    for name in nodes:
        switch, port = cl.underlay.peer(name, "eth0")
        if switch not in switches:
            subnet = cl.underlay.switches[switch].subnet
            net.add_switch(switch, subnet=str(subnet) if subnet else None)
            switches.add(switch)
        eth0 = cl.nodes[name].interfaces["eth0"]
        net.add_host(name, interfaces={"eth0": {"ip": str(eth0.ip), "mac": str(eth0.mac)}})
        net.add_link(f"{name}:eth0", f"{switch}:{port}")
    return net


def read_with_tshark(pcap: Path) -> list[dict]:
    """The VXLAN-carried ICMP packets of a capture, outer and inner headers, as tshark reads
    them."""
    out = run(["tshark", "-r", str(pcap), "-d", f"udp.port=={VXLAN_PORT},vxlan", "-Y",
               "vxlan && icmp", "-T", "fields", "-E", "separator=;", "-e", "vxlan.vni",
               "-e", "ip.src", "-e", "ip.dst", "-e", "udp.dstport", "-e", "ip.len",
               "-e", "ip.ttl"]).stdout
    packets = []
    for line in out.splitlines():
        vni, srcs, dsts, dport, lens, ttls = line.split(";")
        (osrc, isrc), (odst, idst) = srcs.split(","), dsts.split(",")
        (olen, ilen), outer_ttl = lens.split(","), int(ttls.split(",")[0])
        packets.append({"vni": int(vni), "outer": (osrc, odst), "inner": (isrc, idst),
                        "dport": int(dport), "overhead": int(olen) - int(ilen),
                        "outer_ttl": outer_ttl})
    return packets


def read_pcap(pcap: Path) -> list[dict]:
    """The same as :func:`read_with_tshark`, read straight from the pcap file (no tshark
    needed); nothing while tcpdump has not created the file yet."""
    packets = []
    for outer in ipv4_frames(pcap):
        ihl = (outer[0] & 0x0F) * 4
        if outer[9] != 17:
            continue
        dport = struct.unpack("!H", outer[ihl + 2:ihl + 4])[0]
        vxlan = outer[ihl + 8:ihl + 16]
        inner_eth = outer[ihl + 16:]
        inner = inner_eth[14:]
        if dport != VXLAN_PORT or inner_eth[12:14] != b"\x08\x00" or inner[9] != 1:
            continue
        packets.append({
            "vni": int.from_bytes(vxlan[4:7], "big"),
            "outer": (str(IPv4Address(outer[12:16])), str(IPv4Address(outer[16:20]))),
            "inner": (str(IPv4Address(inner[12:16])), str(IPv4Address(inner[16:20]))),
            "dport": dport,
            "overhead": struct.unpack("!H", outer[2:4])[0] - struct.unpack("!H", inner[2:4])[0],
            "outer_ttl": outer[8],
        })
    return packets


@pytest.mark.parametrize("src, dst", _cross_node_pairs())
def test_vxlan_outer_headers_match_trace(lab_prefix: str, counts: Counter, tmp_path: Path,
                                         src: str, dst: str) -> None:
    if shutil.which("tcpdump") is None:
        pytest.skip("tcpdump is not installed (Debian: apt-get install tcpdump)")
    cl = kp.load_topology("seed-cilium-buildings")
    tr = kp.trace(cl, src, dst)
    encap = next(h for h in tr.request_hops if h.action == "encap")
    pkt = encap.packet
    outer, udp, vxlan = pkt[kp.IPv4], pkt[kp.UDP], pkt[kp.VXLAN]
    inner = pkt.decapsulate(4)
    expected = {"vni": vxlan.vni, "outer": (str(outer.src), str(outer.dst)),
                "inner": (str(inner[kp.IPv4].src), str(inner[kp.IPv4].dst)),
                "dport": udp.dport, "overhead": pkt.size - inner.size, "outer_ttl": outer.ttl}
    pods = cl.pods[src], cl.pods[dst]
    assert vxlan.vni == pods[0].identity.number, "the VNI carries the source's identity"
    assert expected["overhead"] == 50, "outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14"

    lab = Lab(underlay_of(cl, (pods[0].node, pods[1].node)), lab_prefix).build()
    for pod, other in (pods, pods[::-1]):
        mine, theirs = cl.nodes[pod.node], cl.nodes[other.node]
        script = (f"ip link add vx0 type vxlan id {vxlan.vni} remote {theirs.ip} "
                  f"local {mine.ip} dstport {VXLAN_PORT} dev eth0 && "
                  f"sysctl -q -w net.ipv4.neigh.vx0.retrans_time_ms=100 && "
                  f"ip addr add {pod.ip}/32 dev vx0 && ip link set vx0 up && "
                  f"ip route add {other.ip}/32 dev vx0")
        lab.exec(mine.name, "sh", "-c", script, check=True)
    switch, port = lab.net.peer(pods[0].node, "eth0")
    pcap = tmp_path / "underlay.pcap"
    dump = subprocess.Popen(
        ["ip", "netns", "exec", lab.ns(switch), "timeout", "10", "tcpdump", "-i", port, "-n",
         "--immediate-mode", "-U", "-w", str(pcap), "udp", "port", str(VXLAN_PORT)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        banner = dump.stderr.readline()  # "listening on ...": the capture has started
        assert "listening on" in banner, f"tcpdump did not start: {banner}"
        ping = lab.exec(pods[0].node, "ping", "-c1", "-W1", "-n", str(pods[1].ip),
                        timeout=PING_TIMEOUT)
        assert ping.returncode == 0, f"ping over vx0 failed: {ping.stdout}{ping.stderr}"
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not any(  # tcpdump may still be reading
                p["outer"] == expected["outer"] for p in read_pcap(pcap)):
            time.sleep(0.02)
    finally:
        dump.send_signal(signal.SIGTERM)
        dump.wait(timeout=10)
        dump.stderr.close()
    counts["vxlan"] += 1
    packets = read_pcap(pcap)
    if shutil.which("tshark"):
        assert read_with_tshark(pcap) == packets, "tshark and the pcap reader disagree"
    requests = [p for p in packets if p["outer"] == expected["outer"]]
    assert requests, f"no VXLAN packet {expected['outer']} in the capture: {packets}"
    assert requests[0] == expected, (
        f"kernel VXLAN framing {requests[0]} differs from the trace's encap hop {expected}")
