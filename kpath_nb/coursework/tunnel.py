"""Notebook 07's exercises, one variant per student: tunnel endpoints, outer headers and MTUs.

Every variant has a cluster of buildings of its own: two to four nodes
(``building-<colour>``) at random addresses of a node network
``192.168.<x>.0/24``, each with two or three apartments
(``apartment-<floor><door>``) whose labels, and so identities, are drawn at
random, pod CIDRs from a random ``10.<y>.0.0/16`` pool and, for the MTU
question, a random device MTU. Only VXLAN is modelled, so the tunnel's UDP
port is always Cilium's default: that exercise varies the flow and the leg it
asks about instead. The judging is left to :mod:`kpath_nb.exercises.tunnel`,
which works the answer out from the cluster.

Examples
--------
>>> from kpath_nb.coursework import question
>>> q = question("07.6", "s2412345", salt="fall-2026")
>>> q.cluster.config.device_mtu == q.device_mtu
True
>>> q.check(q.device_mtu - 50).status
'correct'
"""

from __future__ import annotations

from functools import partial
from ipaddress import IPv4Network
from random import Random

from ..cluster import CiliumConfig, Cluster
from ..exercises import tunnel
from ..generate import cluster_on_switch
from ..tracer import trace
from .maps import flow, pod_pair
from .questions import Variant, exercise

__all__: list[str] = []

_COLOURS = ("blue", "green", "orange", "purple", "red", "yellow")
_APPS = ("visitor", "resident", "guest", "caretaker")


def _buildings(rng: Random, *, nodes: tuple[int, int] = (3, 4),
               device_mtu: int = 1500, tunnel_port: int | None = None) -> Cluster:
    """A random cluster of buildings on one node network, two or three apartments each."""
    colours = rng.sample(_COLOURS, rng.randint(*nodes))
    subnet = IPv4Network(f"192.168.{rng.randrange(256)}.0/24")
    hosts = sorted(rng.sample(range(2, 255), len(colours)))
    names = [f"building-{colour}" for colour in colours]
    config = CiliumConfig(pool=(f"10.{rng.randrange(256)}.0.0/16",), device_mtu=device_mtu,
                          tunnel_port=tunnel_port, seed=str(rng.randrange(10 ** 6)))
    cl = cluster_on_switch(
        "buildings", "fountain-nodes", str(subnet),
        {name: f"{subnet.network_address + host}/24" for name, host in zip(names, hosts)},
        config, description=f"{len(names)} buildings on the node network {subnet}",
        label="node network")
    for floor, name in enumerate(names, start=1):
        for door in sorted(rng.sample(range(2, 10), rng.randint(2, 3))):
            cl.add_pod(f"apartment-{floor}{door}", name, {"app": rng.choice(_APPS)})
    return cl


@exercise("07.1", "tunnel endpoint")
def _tunnel_endpoint(rng: Random) -> Variant:
    cl = _buildings(rng)
    source = rng.choice(sorted(cl.pods))
    node = cl.nodes[cl.pods[source].node]
    far = cl.nodes[rng.choice(sorted(set(cl.nodes) - {node.name}))]
    case = rng.choices(("pod across", "unused address", "router IP", "node IP", "pod here"),
                       weights=(4, 2, 1, 1, 2))[0]
    if case == "pod across":
        address = rng.choice(cl.pods_on(far.name)).ip
    elif case == "unused address":
        taken = {far.router_ip, far.health_ip, *(p.ip for p in cl.pods_on(far.name))}
        address = rng.choice([a for a in far.pod_cidr.hosts() if a not in taken])
    elif case == "router IP":
        address = far.router_ip
    elif case == "node IP":
        address = far.ip
    else:
        address = rng.choice([p.ip for p in cl.pods_on(node.name) if p.name != source])
    return Variant(
        f"In this cluster (`cluster`), `{source}` on `{node.name}` sends a packet to "
        f"`{address}`. Which tunnel endpoint does `{node.name}`'s ipcache "
        f"(`cilium_ipcache_v2`) give for that address? Answer with an address in quotes, or "
        f"`\"none\"` if the packet needs no tunnel.",
        {"cluster": cl, "source": source, "node": node.name, "address": str(address)},
        partial(tunnel.check_tunnel_endpoint, cl, source, str(address)))


@exercise("07.2", "outer addresses")
def _outer_addresses(rng: Random) -> Variant:
    cl = _buildings(rng)
    source, destination = pod_pair(rng, cl, same_node=rng.random() < 0.15)
    direction = "request" if rng.random() < 0.6 else "reply"
    leg = ("request" if direction == "request" else
           f"reply (`{destination}` answering `{source}`)")
    return Variant(
        f"In this cluster (`cluster`), `{source}` pings `{destination}`. What are the outer "
        f"IPv4 source and destination of the tunnelled {leg}? Answer with a list of two "
        f"addresses, source first, or `\"none\"` if it is not tunnelled.",
        {"cluster": cl, "source": source, "destination": destination, "direction": direction},
        partial(tunnel.check_outer_addresses, cl, source, destination, direction=direction))


@exercise("07.3", "VNI")
def _vni(rng: Random) -> Variant:
    cl = _buildings(rng)
    case = rng.choice(("pod", "pod's answer", "node", "node's answer", "cilium_host's answer"))
    pod, other = pod_pair(rng, cl, same_node=False)
    direction = "reply" if case.endswith("answer") else "request"
    if case.startswith("pod"):
        source, destination = pod, other
        story = f"`{pod}` pings `{other}`, on another node"
    elif case.startswith("node"):
        source, destination = cl.pods[other].node, pod
        story = (f"the node `{source}` itself pings `{pod}`, a pod on `{cl.pods[pod].node}` "
                 f"(think of a health check)")
    else:
        source, far = pod, cl.pods[other].node
        destination = str(cl.nodes[far].router_ip)
        story = f"`{pod}` pings `{destination}`, the router IP on `cilium_host` of `{far}`"
    leg = "request" if direction == "request" else "reply that comes back"
    return Variant(
        f"In this cluster (`cluster`): {story}. What VNI does the VXLAN header of the {leg} "
        f"carry? Answer with a whole number.",
        {"cluster": cl, "source": source, "destination": destination, "direction": direction},
        partial(tunnel.check_vni, cl, source, destination, direction=direction))


@exercise("07.4", "UDP port")
def _udp_port(rng: Random) -> Variant:
    # Most clusters keep Cilium's default; some were installed with their own tunnelPort.
    cl = _buildings(rng, tunnel_port=rng.choice((None, None, None, 4789, 8473, 9472)))
    source, destination = pod_pair(rng, cl, same_node=False)
    proto = rng.choice(("udp", "udp", "tcp", "icmp"))
    dport, sends = flow(rng, proto)
    direction = rng.choice(("request", "reply"))
    there, home = cl.pods[destination].node, cl.pods[source].node
    ask = (f"On which UDP destination port does `{there}` receive the tunnelled packet?"
           if direction == "request" else
           f"`{destination}` answers. On which UDP destination port does `{home}` receive "
           f"the tunnelled answer?")
    return Variant(
        f"In this cluster (`cluster`, its Cilium settings in `cluster.config`), `{source}` "
        f"{sends} `{destination}` on `{there}`. {ask} Answer with a whole number.",
        {"cluster": cl, "source": source, "destination": destination, "proto": proto,
         "dport": dport, "direction": direction,
         "node": there if direction == "request" else home},
        partial(tunnel.check_udp_port, cl))


@exercise("07.5", "overhead")
def _overhead(rng: Random) -> Variant:
    cl = _buildings(rng)
    source, destination = pod_pair(rng, cl, same_node=False)
    proto = rng.choice(("icmp", "udp", "tcp"))
    dport, sends = flow(rng, proto)
    layer = rng.choice(("frame", "packet"))
    sent = next(h.packet for h in trace(cl, source, destination, proto, dport=dport,
                                        reply=False).request_hops
                if h.observation == "from-endpoint")
    size = sent.size if layer == "frame" else sent.decapsulate(1).size
    home = cl.pods[source].node
    ask = (f"The frame `{source}` sends is {size} bytes long. How many bytes long is the "
           f"frame `{home}` puts on the node network for it?" if layer == "frame" else
           f"The IPv4 packet `{source}` sends is {size} bytes long. How many bytes long is the "
           f"outer IPv4 packet that crosses the node network for it (the packet its MTU "
           f"counts)?")
    return Variant(
        f"In this cluster (`cluster`), `{source}` {sends} `{destination}`, on another node. "
        f"{ask} Answer with a whole number.",
        {"cluster": cl, "source": source, "destination": destination, "proto": proto,
         "dport": dport, "layer": layer, "size": size},
        partial(tunnel.check_wire_size, cl, source, destination, proto, dport=dport,
                layer=layer))


@exercise("07.6", "MTU inside the tunnel")
def _inner_mtu(rng: Random) -> Variant:
    mtu = (rng.choice((1460, 1500, 9000)) if rng.random() < 0.4
           else rng.randrange(1400, 9001, 20))
    cl = _buildings(rng, nodes=(2, 3), device_mtu=mtu)
    if rng.random() < 0.5:
        host = rng.choice(sorted(cl.pods))
        route = "default"
        which = f"`{host}`'s default route"
    else:
        host, far = rng.sample(sorted(cl.nodes), 2)
        route = str(cl.nodes[far].pod_cidr)
        which = f"`{host}`'s route to `{far}`'s pod CIDR `{route}`"
    return Variant(
        f"This cluster (`cluster`) runs on a node network whose MTU is {mtu} bytes: its nodes' "
        f"`eth0` MTU, `cluster.config.device_mtu`. Which MTU does Cilium put on {which}? "
        f"Answer with a whole number.",
        {"cluster": cl, "device_mtu": mtu, "host": host, "route": route},
        partial(tunnel.check_inner_mtu, cl))
