"""Hypothesis strategies for the property tests: networks, clusters and malformed input.

Every network is built through the public builder (``add_switch``, ``add_host``,
``add_router``, ``add_link``) from a :class:`ChainPlan`, a small record of
drawn parameters, so a failing example shrinks to a readable plan and can be
rebuilt by hand.

The shape is a chain: segment 0, router r1, segment 1, r2, ... rN, segment N.
Segment ``s`` is ``10.0.s.0/24``; router ``ri`` holds ``10.0.(i-1).254`` on its
left door ``eth0`` and ``10.0.i.1`` on its right door ``eth1``. Hosts ``hS-K``
hold ``10.0.S.(10+K)``. A segment between two routers is either a switch or a
bare cable.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from hypothesis import strategies as st

import kpath_nb as kp

SUMMARY_LINES = pytest.StashKey[list]()
"""Lines to print at the end of the run (example counts), read by tests/conftest.py."""

PROTOCOLS = ("icmp", "udp", "tcp")
ROUTE_STYLES = ("specific", "aggregate", "default")
"""How a router reaches remote segments: one /24 each; a /16 towards one side with
more specific /24s towards the other; or a default route plus /24s for the other side."""


@dataclass(frozen=True)
class ChainPlan:
    """The drawn parameters of one chain network.

    Attributes
    ----------
    hosts : tuple of int
        Hosts on each segment (``len(hosts) - 1`` routers).
    cables : tuple of bool
        For each inner segment, True when it is a bare cable (no switch, no hosts).
    styles : tuple of str
        Each router's :data:`ROUTE_STYLES`.
    inner_gateway_right : tuple of bool
        For each inner segment, whether its hosts' default route points to the right.
    missing : tuple of (int, int)
        ``(router, segment)`` routes left out: a missing return route.
    loops : tuple of (int, int)
        ``(router, segment)`` routes pointed back the wrong way: a routing loop.
    """

    hosts: tuple[int, ...]
    cables: tuple[bool, ...] = ()
    styles: tuple[str, ...] = ()
    inner_gateway_right: tuple[bool, ...] = ()
    missing: tuple[tuple[int, int], ...] = ()
    loops: tuple[tuple[int, int], ...] = ()

    @property
    def routers(self) -> int:
        return len(self.hosts) - 1

    @property
    def symmetric(self) -> bool:
        """No fault was planted: every route is there and points the right way."""
        return not self.missing and not self.loops


@dataclass
class Chain:
    """A built chain network and the plan it came from."""

    plan: ChainPlan
    net: kp.Topology
    endpoints: list[str] = field(default_factory=list)


def subnet(segment: int) -> str:
    return f"10.0.{segment}.0/24"


def left_ip(router: int) -> str:
    """Router ``router``'s address on the segment to its left."""
    return f"10.0.{router - 1}.254"


def right_ip(router: int) -> str:
    """Router ``router``'s address on the segment to its right."""
    return f"10.0.{router}.1"


def router_routes(plan: ChainPlan, i: int) -> dict[str, str]:
    """Router ``ri``'s routes as {prefix: next hop}, faults applied."""
    n = plan.routers
    left = {f"10.0.{s}.0/24": right_ip(i - 1) for s in range(0, i - 1)}
    right = {f"10.0.{s}.0/24": left_ip(i + 1) for s in range(i + 1, n + 1)}
    style = plan.styles[i - 1]
    if style == "specific" or (not left and not right):
        routes = {**left, **right}
    else:
        # Summarise the side that has a neighbour, list the other side one /24 at a time.
        summary_hop = left_ip(i + 1) if right else right_ip(i - 1)
        routes = dict(left if right else right)
        routes["10.0.0.0/16" if style == "aggregate" else "default"] = summary_hop
    for router, segment in plan.missing:
        if router == i:
            routes.pop(f"10.0.{segment}.0/24", None)
    for router, segment in plan.loops:
        if router == i:  # send it to the neighbour on the wrong side
            wrong = right_ip(i - 1) if segment > i else left_ip(i + 1)
            routes[f"10.0.{segment}.0/24"] = wrong
    return routes


def build_chain(plan: ChainPlan) -> Chain:
    """Build the network a plan describes, through the public builder API."""
    net = kp.Topology("chain", "a generated chain of routers")
    n = plan.routers
    for s in range(n + 1):
        inner = 0 < s < n
        if not (inner and plan.cables[s - 1]):
            net.add_switch(f"sw{s}", subnet=subnet(s))
    for i in range(1, n + 1):
        routes = [f"{prefix} via {hop}" for prefix, hop in router_routes(plan, i).items()]
        net.add_router(f"r{i}", {"eth0": f"{left_ip(i)}/24", "eth1": f"{right_ip(i)}/24"},
                       routes=routes)
    for s in range(n + 1):
        for k in range(plan.hosts[s]):
            name = f"h{s}-{k}"
            routes: list[str] = []
            gateway = None
            if n:
                if s == 0:
                    gateway = left_ip(1)
                elif s == n:
                    gateway = right_ip(n)
                else:
                    to_right = plan.inner_gateway_right[s - 1]
                    gateway = left_ip(s + 1) if to_right else right_ip(s)
                    # The other side goes to the other router, so every path is symmetric.
                    other = right_ip(s) if to_right else left_ip(s + 1)
                    far = range(0, s) if to_right else range(s + 1, n + 1)
                    routes = [f"{subnet(t)} via {other}" for t in far]
            net.add_host(name, ip=f"10.0.{s}.{10 + k}/24", gateway=gateway, routes=routes)
            net.add_link(f"{name}:eth0", f"sw{s}:p{k}")
    for i in range(1, n + 1):
        for door, s in (("eth0", i - 1), ("eth1", i)):
            if f"sw{s}" in net.nodes:
                net.add_link(f"r{i}:{door}", f"sw{s}:{door}-r{i}")
        if i < n and plan.cables[i - 1]:
            net.add_link(f"r{i}:eth1", f"r{i + 1}:eth0")
    return Chain(plan, net, sorted(net.endpoints))


@st.composite
def chain_plans(draw, *, faults: bool = True) -> ChainPlan:
    """A :class:`ChainPlan` with 0 to 4 routers; with ``faults``, sometimes a missing
    route or a loop (at least two routers are needed for a loop)."""
    n = draw(st.integers(0, 4))
    hosts = []
    cables = tuple(draw(st.booleans()) for _ in range(max(n - 1, 0)))
    for s in range(n + 1):
        if 0 < s < n and cables[s - 1]:
            hosts.append(0)
        else:
            hosts.append(draw(st.integers(1 if s in (0, n) else 0, 3)))
    styles = tuple(draw(st.sampled_from(ROUTE_STYLES)) for _ in range(n))
    gateways = tuple(draw(st.booleans()) for _ in range(max(n - 1, 0)))
    missing: tuple[tuple[int, int], ...] = ()
    loops: tuple[tuple[int, int], ...] = ()
    if faults and n >= 2:
        fault = draw(st.sampled_from(("none", "missing", "loop")))
        router = draw(st.integers(1, n))
        remote = [s for s in range(n + 1) if s not in (router - 1, router)]
        if fault != "none" and remote:
            segment = draw(st.sampled_from(remote))
            if fault == "missing":
                missing = ((router, segment),)
            elif (segment > router and router > 1) or (segment < router - 1 and router < n):
                loops = ((router, segment),)
    return ChainPlan(tuple(hosts), cables, styles, gateways, missing, loops)


@st.composite
def chains(draw, *, faults: bool = True) -> Chain:
    """A built chain network."""
    return build_chain(draw(chain_plans(faults=faults)))


def _hosts_on(chain: Chain, segment: int) -> list[str]:
    return [f"h{segment}-{k}" for k in range(chain.plan.hosts[segment])]


@st.composite
def chain_pairs(draw, *, faults: bool = True) -> tuple[Chain, str, str, str]:
    """A chain network, a source, a destination (both endpoints by name) and a protocol.

    Half the pairs are any two endpoints; the other half run from one end of the chain
    to the other, or into the segment a planted fault concerns, so that most of them
    cross routers and meet the fault.
    """
    chain = draw(chains(faults=faults))
    plan = chain.plan
    if draw(st.booleans()):
        src = draw(st.sampled_from(chain.endpoints))
        dst = draw(st.sampled_from(chain.endpoints))
    else:
        far = [s for s, _ in plan.missing + plan.loops if plan.hosts[s]] or [plan.routers]
        target = draw(st.sampled_from(far))
        start = 0 if target > plan.routers // 2 else plan.routers
        src = draw(st.sampled_from(_hosts_on(chain, start)))
        dst = draw(st.sampled_from(_hosts_on(chain, target)))
        if draw(st.booleans()):
            src, dst = dst, src
    return chain, src, dst, draw(st.sampled_from(PROTOCOLS))


# -- clusters ------------------------------------------------------------------------


@dataclass(frozen=True)
class PodOp:
    """One change to a cluster: add a pod on a node, delete the k-th pod, or add a pod
    pinned to the address the last deleted pod gave back."""

    kind: str  # "add", "delete", "re-add"
    index: int
    app: str = "web"


def pod_ops(max_size: int = 12) -> st.SearchStrategy[list[PodOp]]:
    """A sequence of pod additions and deletions."""
    op = st.builds(PodOp, st.sampled_from(("add", "add", "delete", "re-add")),
                   st.integers(0, 50), st.sampled_from(("web", "api", "db")))
    return st.lists(op, max_size=max_size)


@st.composite
def clusters(draw, *, max_nodes: int = 4, max_pods: int = 4) -> kp.Cluster:
    """``kp.generate_cluster`` with drawn sizes and seed."""
    return kp.generate_cluster(nodes=draw(st.integers(1, max_nodes)),
                               pods_per_node=draw(st.integers(0, max_pods)),
                               seed=draw(st.integers(0, 1000)))


def small_cidr_cluster(nodes: int, mask_size: int, seed: int) -> kp.Cluster:
    """A cluster like ``generate_cluster``'s but with small pod CIDRs, so IPAM can run out."""
    underlay = kp.Topology("small-cidrs")
    underlay.add_switch("node-switch", subnet="172.16.0.0/16")
    for i in range(1, nodes + 1):
        underlay.add_endpoint(kp.K8sNode(f"node-{i}"), interfaces={"eth0": f"172.16.0.{i}/16"})
        underlay.add_link(f"node-{i}:eth0", f"node-switch:eth{i}")
    cl = kp.Cluster(underlay, kp.CiliumConfig(pool=("10.0.0.0/16",), mask_size=mask_size,
                                              seed=str(seed)))
    for i in range(1, nodes + 1):
        cl.join(f"node-{i}", refresh=False)
    cl.refresh_routes()
    return cl


@st.composite
def any_clusters(draw) -> kp.Cluster:
    """Either a generated cluster (/24 per node) or one with /28-/30 pod CIDRs."""
    if draw(st.booleans()):
        return draw(clusters())
    return small_cidr_cluster(draw(st.integers(1, 3)), draw(st.integers(28, 30)),
                              draw(st.integers(0, 1000)))


@st.composite
def cluster_pairs(draw) -> tuple[kp.Cluster, str, str, str]:
    """A generated cluster with at least one pod, a source (pod or node), a destination
    (pod, node, or a bare address inside a pod CIDR) and a protocol."""
    cl = draw(clusters())
    if not cl.pods:
        cl.add_pod("extra", "node-1", {"app": "web"})
    names = sorted(cl.pods) + sorted(cl.nodes)
    src = draw(st.sampled_from(names))
    sender = cl.endpoints[src]
    home = sender.node if isinstance(sender, kp.Pod) else sender.name
    across = [p for p in sorted(cl.pods) if cl.pods[p].node != home]
    if across and draw(st.booleans()):  # half the time, a pod on another node
        return cl, src, draw(st.sampled_from(across)), draw(st.sampled_from(PROTOCOLS))
    node = cl.nodes[draw(st.sampled_from(sorted(cl.nodes)))]
    stray_ip = node.pod_cidr.network_address + draw(st.integers(2, 253))
    # The health endpoint is left out of the model: tracing to it is an error by design.
    stray = str(node.router_ip if stray_ip == node.health_ip else stray_ip)
    targets = names + [stray, str(node.router_ip)]
    dst = draw(st.sampled_from(targets))
    return cl, src, dst, draw(st.sampled_from(PROTOCOLS))


# -- malformed input -----------------------------------------------------------------

ADDRESS_ALPHABET = "0123456789./:-abcdefABCDEFx vi\t٣"
"""Characters that make near-miss addresses (with an Arabic-Indic digit and whitespace)."""

address_like = st.one_of(
    st.text(alphabet=ADDRESS_ALPHABET, max_size=24),
    st.text(max_size=16),
    st.builds(lambda a, b, c, d, m: f"{a}.{b}.{c}.{d}/{m}",
              *[st.integers(-1, 300)] * 4, st.integers(-1, 40)),
    st.builds(lambda a, b, c, d: f"{a}.{b}.{c}.{d}", *[st.integers(0, 256)] * 4),
)
"""Text that often almost parses as an address, a network or a MAC."""

ROUTE_WORDS = ("default", "via", "dev", "metric", "proto", "scope", "src", "mtu", "eth0",
               "10.0.10.11", "10.0.20.0/24", "10.0.20.7/24", "0", "x", "999999", "link")
route_like = st.one_of(
    st.lists(st.one_of(st.sampled_from(ROUTE_WORDS), address_like), max_size=7).map(" ".join),
    st.text(max_size=20),
)
"""Text that often almost parses as an ``ip route`` line."""

KEYS = ("name", "description", "nodes", "links", "kind", "cilium", "pods", "interfaces",
        "routes", "gateway", "ports", "subnet", "label", "endpoints", "ip", "mac", "state",
        "pod_cidr", "router_ip", "routing_mode", "tunnel_protocol", "host_routing", "ipam",
        "device_mtu", "seed", "mode", "pool", "mask_size", "node", "labels", "namespace",
        "eth0", "eth1", "h1", "h2", "sw", "n1", "p1")
VALUES = ("host", "router", "switch", "node", "cluster", "network", "up", "down", "eth0",
          "10.0.0.1/24", "10.0.0.2/24", "10.0.0.0/24", "10.0.0.0/8", "172.16.0.1/16",
          "default via 10.0.0.254", "h1:eth0", "h2:eth0", "sw:p1", "n1:eth0", "sw:p2",
          "02:00:00:00:00:01", "01:00:5e:00:00:01", "tunnel", "vxlan", "bpf", "legacy",
          "cluster-pool", "kubernetes", "n1", "web")
NUMBERS = st.integers(-5, 70000)
"""Integers for numeric fields (an MTU, a mask size) and as stray values elsewhere."""

yaml_scalars = st.one_of(st.sampled_from(VALUES), NUMBERS, st.booleans(), st.none(),
                         st.text(max_size=8))

def _documents(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=4),
    )


yaml_values = st.recursive(yaml_scalars, _documents, max_leaves=14)


YAML_ALPHABET = "abcdefhiklnoprstuwy0123456789:{}[]-,.'\"#&*!|>?%@` \n\t/"
"""Characters YAML gives meaning to, and a few letters."""

SHIPPED = {path.stem: path.read_text(encoding="utf-8")
           for path in sorted((Path(__file__).resolve().parent.parent / "data" / "topologies")
                              .glob("*.yaml"))}
"""The shipped topology files, as text: the starting points of the mutations below."""


def _paths(value, prefix=()):
    """Every path to a value inside nested mappings and lists."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, prefix + (index,))


def _mutate(doc, path, action, new_value, new_key):
    """A copy of ``doc`` with the value at ``path`` replaced, deleted, or given a new key."""
    doc = copy.deepcopy(doc)
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "replace":
        parent[last] = new_value
    elif action == "delete":
        del parent[last]
    elif isinstance(parent[last], dict):
        parent[last][new_key] = new_value
    return doc


@st.composite
def topology_documents(draw) -> object:
    """A shipped topology file, read as a mapping, with one to three fields replaced by
    random values, deleted, or joined by new keys; or a random mapping of known keys."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.dictionaries(st.sampled_from(KEYS[:7]), yaml_values, max_size=5))
    doc = yaml.safe_load(SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))])
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(doc))[1:]))
        doc = _mutate(doc, path, draw(st.sampled_from(("replace", "replace", "delete", "add"))),
                      draw(yaml_values), draw(st.sampled_from(KEYS)))
    return doc


@st.composite
def mutated_yaml_texts(draw) -> str:
    """A shipped topology file with a few characters cut, inserted or replaced."""
    text = SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))]
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        stop = min(len(text), start + draw(st.integers(0, 12)))
        text = text[:start] + draw(st.text(alphabet=YAML_ALPHABET, max_size=6)) + text[stop:]
    return text


yaml_texts = st.one_of(
    st.text(alphabet=YAML_ALPHABET, max_size=60),
    st.text(max_size=30),
    mutated_yaml_texts(),
)
"""Text that is sometimes YAML, sometimes not."""
