"""A Kubernetes cluster with Cilium: buildings (nodes), apartments (pods) and the lobby.

The nodes stand on an ordinary network, the **underlay**: a
:class:`~kpath_nb.topology.Topology` whose Kubernetes nodes are
:class:`K8sNode` objects (hosts with ``ip_forward = 1``). Everything Cilium adds
is *derived* from the cluster's state the way the agent would make it:

* on every node, the devices ``cilium_host`` (holding the node's router IP as a
  /32), its veth peer ``cilium_net``, the tunnel device ``cilium_vxlan``, the
  health endpoint's ``lxc_health`` and one ``lxc`` + 12 hex device per pod;
* the routes: every pod CIDR ``via <router IP> dev cilium_host proto kernel src <router
  IP>`` (with ``mtu 1450`` for the remote ones) and ``<router IP> dev cilium_host proto
  kernel scope link``;
* in each pod: ``eth0`` with the pod IP as a /32, ``default via <router IP> dev eth0
  mtu 1450`` and ``<router IP> dev eth0 scope link``;
* addresses from :mod:`~kpath_nb.ipam`, identities from :mod:`~kpath_nb.identity`,
  BPF map contents from :mod:`~kpath_nb.bpf`.

Examples
--------
>>> import kpath_nb as kp
>>> cl = kp.load_topology("seed-cilium-buildings")
>>> cl.nodes["building-blue"].router_ip, cl.pods["apartment-12"].ip
(IPv4Address('10.0.10.11'), IPv4Address('10.0.10.12'))
>>> print(cl.pods["apartment-12"].routing_table().show())
default via 10.0.10.11 dev eth0 mtu 1450
10.0.10.11 dev eth0 scope link
"""

from __future__ import annotations

import copy
import hashlib
import random
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import TYPE_CHECKING, Mapping

from .addr import mac_from_name, parse_address
from .errors import KpathError, TopologyError, UnknownEndpointError
from .identity import Identity, IdentityAllocator
from .ipam import CLUSTER_POOL_DEFAULT, MASK_SIZE_DEFAULT, NodeAllocator, PodCidrAllocator
from .tables import Route
from .topology import Host, Interface, Topology

if TYPE_CHECKING:  # pragma: no cover
    import pandas

    from .bpf import CtEntry

__all__ = ["CiliumConfig", "K8sNode", "Pod", "Cluster", "VXLAN_OVERHEAD"]

VXLAN_OVERHEAD = 50
"""Outer Ethernet 14 + outer IPv4 20 + UDP 8 + VXLAN 8 bytes."""

ROUTING_MODES = ("tunnel",)
TUNNEL_PROTOCOLS = {"vxlan": 8472}
HOST_ROUTING = ("bpf", "legacy")
DEFAULT_ROUTE = IPv4Network("0.0.0.0/0")
IPAM_MODES = ("cluster-pool", "kubernetes")


@dataclass(frozen=True)
class CiliumConfig:
    """The Cilium settings that shape the datapath.

    Parameters
    ----------
    routing_mode : {"tunnel"}
        Helm ``routingMode``; native routing is left out of this model.
    tunnel_protocol : {"vxlan"}
        Helm ``tunnelProtocol``; VXLAN on UDP 8472 is Cilium's default.
    tunnel_port : int, optional
        Helm ``tunnelPort`` (the agent's ``tunnel-port``): the tunnel's UDP destination
        port. Left out, it is the protocol's default, 8472 for VXLAN (Linux's port from
        before IANA assigned 4789).
    host_routing : {"legacy", "bpf"}
        ``legacy`` (the default: what ``cilium-dbg status`` shows as ``Host: Legacy`` after
        an install with default Helm values) hands packets leaving a pod for the node or
        the outside to the kernel's stack, where iptables masquerades them. ``bpf`` (BPF
        host routing, the tuned mode) redirects between devices in eBPF; Cilium only turns
        it on with BPF masquerading (``bpf.masquerade=true``) and, in current versions,
        kube-proxy replacement, on kernels >= 5.10.
    conntrack_accounting : bool
        Count packets and bytes per connection-tracking entry (off by default, when
        ``cilium-dbg bpf ct list`` prints ``Packets=0 Bytes=0``).
    ipam_mode : {"cluster-pool", "kubernetes"}
        Who hands out node pod CIDRs: Cilium's operator (default) or Kubernetes.
    pool : tuple of str
        ``clusterPoolIPv4PodCIDRList`` (cluster-pool) or kube-controller-manager's
        ``--cluster-cidr`` (kubernetes).
    mask_size : int
        Prefix length of each node's pod CIDR.
    device_mtu : int
        MTU of the nodes' ``eth0``; tunnel routes get 50 bytes less.
    seed : str
        Makes the agent's random address choices reproducible.
    """

    routing_mode: str = "tunnel"
    tunnel_protocol: str = "vxlan"
    tunnel_port: int | None = None  # set to the protocol's default when left out
    host_routing: str = "legacy"
    ipam_mode: str = "cluster-pool"
    pool: tuple[str, ...] = CLUSTER_POOL_DEFAULT
    mask_size: int = MASK_SIZE_DEFAULT
    device_mtu: int = 1500
    seed: str = "0"
    conntrack_accounting: bool = False

    def __post_init__(self) -> None:
        for name, value, allowed in (("routing_mode", self.routing_mode, ROUTING_MODES),
                                     ("tunnel_protocol", self.tunnel_protocol,
                                      tuple(TUNNEL_PROTOCOLS)),
                                     ("host_routing", self.host_routing, HOST_ROUTING),
                                     ("ipam_mode", self.ipam_mode, IPAM_MODES)):
            if value not in allowed:
                raise TopologyError(f"{value!r} is not modelled; choose {' or '.join(allowed)}",
                                    field=f"cilium.{name}")
        if self.tunnel_port is None:
            object.__setattr__(self, "tunnel_port", TUNNEL_PROTOCOLS[self.tunnel_protocol])
        if (not isinstance(self.tunnel_port, int) or isinstance(self.tunnel_port, bool)
                or not 1 <= self.tunnel_port <= 65535):
            raise TopologyError(f"tunnel port {self.tunnel_port!r} must be a UDP port, a whole "
                                f"number from 1 to 65535 (Cilium's default for VXLAN is 8472)",
                                field="cilium.tunnel_port")
        if not isinstance(self.device_mtu, int) or not 1280 <= self.device_mtu <= 9000:
            raise TopologyError(f"device MTU {self.device_mtu!r} must be a whole number "
                                f"between 1280 and 9000",
                                field="cilium.device_mtu")

    @property
    def tunnel_mtu(self) -> int:
        """The MTU Cilium puts on routes through the tunnel: the device MTU less 50 bytes."""
        return self.device_mtu - VXLAN_OVERHEAD

    @property
    def tunnel_device(self) -> str:
        """``cilium_vxlan``."""
        return f"cilium_{self.tunnel_protocol}"


@dataclass
class K8sNode(Host):
    """A building: a Kubernetes node on the node network, running the Cilium agent.

    Attributes
    ----------
    pod_cidr : IPv4Network
        The block its pods' addresses come from (CiliumNode ``spec.ipam.podCIDRs``).
    router_ip : IPv4Address
        The address on ``cilium_host``: the pods' gateway (the article's door 11).
    health_ip : IPv4Address
        The cilium-health endpoint's address (identity 4).
    ifindex : dict of str to int
        Interface numbers as ``ip link`` shows them.
    control_plane : bool
        It runs the kube-apiserver, so the other nodes' ipcache gives its address the
        identity ``kube-apiserver`` (7) instead of ``remote-node`` (6).
    """

    pod_cidr: IPv4Network | None = None
    control_plane: bool = False
    router_ip: IPv4Address | None = None
    health_ip: IPv4Address | None = None
    health_endpoint_id: int = 0
    ifindex: dict[str, int] = field(default_factory=dict)
    next_ifindex: int = 0
    underlay_routes: list[Route] = field(default_factory=list)

    kind = "node"
    forwards = True
    _agent_routes = None  # (own routes, the joined nodes, tunnel MTU) until first read

    @property
    def ip(self) -> IPv4Address:
        """The node's address on the node network (``eth0``), its "building number"."""
        return self.interfaces["eth0"].ip.ip

    @property
    def static_routes(self) -> list[Route]:
        """Its routes besides the connected ones: the node network's, then the agent's.

        The agent's routes (one per pod CIDR in the cluster, one to the router IP) are
        written out when first read: a thousand nodes would otherwise hold a million
        routes before anyone looks at one.
        """
        if self._agent_routes is not None:
            own, joined, mtu = self._agent_routes
            self._agent_routes = None
            self._static_routes = own + [
                Route(other.pod_cidr, "cilium_host", self.router_ip, proto="kernel",
                      src=self.router_ip, mtu=None if other is self else mtu)
                for other in joined]
            self._static_routes.append(Route(IPv4Network((int(self.router_ip), 32)),
                                             "cilium_host", proto="kernel", scope="link"))
        return self._static_routes

    @static_routes.setter
    def static_routes(self, routes: list[Route]) -> None:
        self._agent_routes = None
        self._static_routes = routes

    def _install_agent_routes(self, joined: list["K8sNode"], tunnel_mtu: int) -> None:
        """What the agent writes: ``underlay_routes``, then a route per joined node's pod
        CIDR (``mtu`` ``tunnel_mtu`` for the remote ones), then the router IP's."""
        self._agent_routes = (list(self.underlay_routes), joined, tunnel_mtu)


@dataclass
class Pod(Host):
    """An apartment: a pod with one container, in its own network namespace.

    Attributes
    ----------
    node : str
        The node it runs on.
    namespace : str
        Its Kubernetes namespace.
    labels : dict
        Its labels; the security identity comes from them.
    identity : Identity
        Its security identity (numbers from 256 up).
    endpoint_id : int
        Cilium's endpoint ID (``id=`` in ``cilium_lxc``).
    lxc : str
        The host-side end of its veth pair, ``lxc`` + 12 hex digits.
    ifindex : int
        The number of its ``eth0`` (``ip link`` in the pod: ``eth0@if<lxc's number>``):
        the pair's pod end is made first, so it is its ``lxc``'s number less one.
    """

    node: str = ""
    namespace: str = "default"
    labels: dict[str, str] = field(default_factory=dict)
    identity: Identity | None = None
    endpoint_id: int = 0
    lxc: str = ""
    ifindex: int = 0

    kind = "pod"
    forwards = False

    @property
    def ip(self) -> IPv4Address:
        """The pod's address (a /32 on its ``eth0``)."""
        return self.interfaces["eth0"].ip.ip

    @property
    def mac(self):
        """The MAC of the pod's ``eth0``."""
        return self.interfaces["eth0"].mac

    @property
    def qualified_name(self) -> str:
        """``namespace/name``, as Hubble prints it."""
        return f"{self.namespace}/{self.name}"


FIRST_POD_IFINDEX = 8  # lo 1, eth0 2, cilium_net 3, cilium_host 4, cilium_vxlan 5, lxc_health 7
# A veth pair is made on the node, the pod's end first, so that end takes the lower of two
# numbers and keeps it when it moves into the pod's namespace: eth0@if8 and lxc…@if7.


class Cluster:
    """A Kubernetes cluster running Cilium, on top of an underlay network.

    Parameters
    ----------
    underlay : Topology
        The node network; its :class:`K8sNode` objects become the cluster's nodes.
    config : CiliumConfig
        Routing mode, tunnel, host routing, IPAM settings.
    name, description : str

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.generate_cluster(nodes=2, pods_per_node=1, seed=3)
    >>> sorted(cl.nodes), len(cl.pods)
    (['node-1', 'node-2'], 2)
    >>> pod = cl.add_pod("web", "node-1", labels={"app": "web"})
    >>> pod.ip in cl.nodes["node-1"].pod_cidr
    True
    >>> cl.delete_pod("web")
    """

    def __init__(self, underlay: Topology, config: CiliumConfig | None = None, *,
                 name: str | None = None, description: str = "") -> None:
        self.name = name or underlay.name
        self.description = description or underlay.description
        self.underlay = underlay
        self.config = config or CiliumConfig()
        self.pods: dict[str, Pod] = {}
        self.identities = IdentityAllocator()
        self.cidrs = PodCidrAllocator(self.config.pool, self.config.mask_size)
        self.allocators: dict[str, NodeAllocator] = {}
        self.conntrack: dict[str, list[CtEntry]] = {}
        self._generation = 0
        self._rng: dict[str, random.Random] = {}
        self._endpoint_ids: dict[str, set[int]] = {}
        self._pod_by_ip: dict[IPv4Address, Pod] = {}
        self._pods_on: dict[str, dict[str, Pod]] = {}
        self._nodes = {n: v for n, v in underlay.nodes.items() if isinstance(v, K8sNode)}
        self.clock = 10_000
        """Seconds since the nodes booted, as conntrack's ``expires`` counts them; each
        trace with ``learn=True`` moves it on by one."""
        for subnet in self._underlay_subnets():
            for pool in self.cidrs.pools:
                if subnet.overlaps(pool):
                    raise TopologyError(
                        f"the pod CIDR pool {pool} overlaps the node network {subnet}: nodes "
                        f"would lose their way to each other; set another pool",
                        field="cilium.ipam.pool")

    # -- reading ------------------------------------------------------------------

    @property
    def nodes(self) -> dict[str, K8sNode]:
        """The Kubernetes nodes, by name."""
        return self._nodes

    @property
    def endpoints(self) -> dict[str, Host]:
        """Everything a packet can start from or go to: pods, then nodes."""
        return {**self.pods, **self.nodes}

    def pods_on(self, node: str) -> list[Pod]:
        """The pods running on ``node``, oldest first (an index, not a search of every pod).

        Examples
        --------
        >>> import kpath_nb as kp
        >>> cl = kp.load_topology("seed-cilium-buildings")
        >>> [pod.name for pod in cl.pods_on("building-blue")]
        ['apartment-12', 'apartment-14']
        """
        return list(self._pods_on.get(node, {}).values())

    def node_of(self, pod: str) -> K8sNode:
        """The node a pod runs on."""
        return self.nodes[self.pod(pod).node]

    def pod(self, name: str) -> Pod:
        """A pod by name; the error lists the pods there are."""
        try:
            return self.pods[name]
        except KeyError:
            raise UnknownEndpointError(
                f"unknown pod {name!r}: pods are {', '.join(self.pods) or 'none'}") from None

    def pod_at(self, ip: IPv4Address) -> Pod | None:
        """The pod whose address is ``ip``, or None (an indexed lookup)."""
        return self._pod_by_ip.get(ip)

    def owner_of(self, ip: IPv4Address) -> Host | None:
        """The pod or node that holds address ``ip`` (a node holds its eth0 and router IP)."""
        pod = self.pod_at(ip)
        if pod is not None:
            return pod
        holder = self.underlay.owner(ip)
        return None if holder is None else self.underlay.nodes[holder[0]]  # type: ignore

    def node_by_cidr(self, ip: IPv4Address) -> K8sNode | None:
        """The node whose pod CIDR holds ``ip``, or None."""
        cidr = IPv4Network((int(ip), self.config.mask_size), strict=False)
        owner = self.cidrs.owner(cidr)
        return self.nodes.get(owner) if owner is not None else None


    def resolve(self, endpoint: str) -> tuple[Host | None, IPv4Address]:
        """A pod or node name, or an address, as (owner or None, address).

        An address that nobody holds (a deleted pod's, say) resolves to (None, address),
        so it can be traced as a destination.
        """
        text = str(endpoint).strip()
        if text in self.pods:
            return self.pods[text], self.pods[text].ip
        if text in self.nodes:
            return self.nodes[text], self.nodes[text].ip
        try:
            ip = parse_address(text)
        except KpathError:
            raise UnknownEndpointError(
                f"unknown endpoint {text!r}: pods are {', '.join(self.pods) or 'none'}; nodes "
                f"are {', '.join(self.nodes)}") from None
        return self.owner_of(ip), ip

    def summary(self) -> str:
        """A few lines describing the cluster."""
        cfg = self.config
        lines = [f"{self.name}: {len(self.nodes)} nodes, {len(self.pods)} pods; Cilium "
                 f"{cfg.routing_mode} mode ({cfg.tunnel_protocol}, UDP {cfg.tunnel_port}), "
                 f"{cfg.host_routing} host routing, IPAM {cfg.ipam_mode} "
                 f"{', '.join(cfg.pool)} /{cfg.mask_size}"]
        for node in self.nodes.values():
            lines.append(f"  node {node.name}: {node.ip}, pod CIDR {node.pod_cidr}, "
                         f"router {node.router_ip} (cilium_host), health {node.health_ip}")
            for pod in self.pods_on(node.name):
                lines.append(f"    pod {pod.qualified_name}: {pod.ip} identity "
                             f"{pod.identity.number} via {pod.lxc}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Cluster {self.name!r}: {len(self.nodes)} nodes, {len(self.pods)} pods>"

    def copy(self) -> "Cluster":
        """An independent copy, to try changes on without touching this cluster."""
        return copy.deepcopy(self)

    # -- changing -----------------------------------------------------------------

    def join(self, node: str, *, pod_cidr: str | None = None, router_ip: str | None = None,
             refresh: bool = True) -> K8sNode:
        """Start Cilium on an underlay node: give it a pod CIDR, a router IP and a health IP.

        Parameters
        ----------
        node : str
            A :class:`K8sNode` already in the underlay.
        pod_cidr, router_ip : str, optional
            Pin the values (as a story needs); by default IPAM chooses.
        refresh : bool
            Rewrite every node's routes now. Joining many nodes at once, pass False
            and call :meth:`refresh_routes` once at the end.
        """
        target = self.underlay.nodes.get(node)
        if not isinstance(target, K8sNode):
            raise UnknownEndpointError(f"{node!r} is not a Kubernetes node of the underlay")
        self._nodes.setdefault(node, target)
        if target.pod_cidr is not None:
            raise TopologyError("has already joined the cluster", node=node)
        try:
            cidr = self.cidrs.assign(node, pod_cidr)
        except KpathError as exc:
            raise TopologyError(str(exc), node=node, field="pod_cidr") from None
        allocator = NodeAllocator(cidr, seed=f"{self.config.seed}/{node}")
        try:
            target.router_ip = allocator.allocate("router", router_ip)
        except KpathError as exc:
            self.cidrs.release(node)
            raise TopologyError(str(exc), node=node, field="router_ip") from None
        target.pod_cidr = cidr
        self.allocators[node] = allocator
        self._rng[node] = random.Random(f"{self.config.seed}/{node}/endpoints")
        target.health_ip = allocator.allocate("health")
        self._endpoint_ids[node] = set()
        target.health_endpoint_id = self._endpoint_id(node)
        target.underlay_routes = list(target.static_routes)
        target.ifindex.update({"lo": 1, "eth0": 2, "cilium_net": 3, "cilium_host": 4,
                               self.config.tunnel_device: 5, "lxc_health": 7})
        target.next_ifindex = FIRST_POD_IFINDEX  # Linux never reuses a number at once
        self.underlay.add_interface(node, "cilium_host", f"{target.router_ip}/32")
        for device in ("cilium_net", self.config.tunnel_device, "lxc_health"):
            self.underlay.add_interface(node, device)
        if refresh:
            self.refresh_routes()
        return target

    def add_pod(self, name: str, node: str, labels: Mapping[str, str] | None = None, *,
                namespace: str = "default", ip: str | None = None) -> Pod:
        """Create a pod on ``node``: IPAM gives it an address, Cilium an identity and a veth pair.

        Parameters
        ----------
        name : str
            Unique pod name.
        node : str
            The node to run on.
        labels : mapping, optional
            Pod labels, e.g. ``{"app": "web"}``; they decide the security identity.
        namespace : str
        ip : str, optional
            Pin the address (it must be free and inside the node's pod CIDR).

        Raises
        ------
        IpamExhaustedError
            When the node's pod CIDR has no free address left.
        """
        if name in self.pods:
            raise TopologyError(f"pod {name!r} already exists on {self.pods[name].node}; pod "
                                f"names must be unique", field="pods")
        if node not in self.nodes or self.nodes[node].pod_cidr is None:
            raise UnknownEndpointError(
                f"unknown node {node!r} for pod {name!r}: nodes are {', '.join(self.nodes)}")
        host = self.nodes[node]
        address = self.allocators[node].allocate(f"{namespace}/{name}", ip)
        self._generation += 1
        container = hashlib.sha256(f"{namespace}/{name}/{self._generation}".encode()).hexdigest()
        lxc = f"lxc{container[:12]}"
        pod = Pod(name, node=node, namespace=namespace, labels=dict(labels or {}),
                  identity=self.identities.allocate(labels, namespace),
                  endpoint_id=self._endpoint_id(node), lxc=lxc)
        pod.interfaces["eth0"] = Interface("eth0", mac_from_name(container, "eth0"),
                                           IPv4Interface((int(address), 32)))
        pod.static_routes = [
            Route(DEFAULT_ROUTE, "eth0", host.router_ip, mtu=self.config.tunnel_mtu),
            Route(IPv4Network((int(host.router_ip), 32)), "eth0", scope="link"),
        ]
        self.underlay.add_interface(node, lxc, mac=str(mac_from_name(container, lxc)))
        pod.ifindex = host.next_ifindex  # the pair's pod end, then its lxc end
        host.ifindex[lxc] = host.next_ifindex + 1
        host.next_ifindex += 2
        self.pods[name] = pod
        self._pod_by_ip[address] = pod
        self._pods_on.setdefault(node, {})[name] = pod
        return pod

    def delete_pod(self, name: str) -> None:
        """Delete a pod: its address goes back to IPAM, its veth pair and endpoint go away.

        A pod created again later (even with the same name) gets a new address,
        a new endpoint and a new ``lxc`` device.
        """
        pod = self.pod(name)
        host = self.nodes[pod.node]
        self.allocators[pod.node].release(pod.ip)
        self._endpoint_ids[pod.node].discard(pod.endpoint_id)
        self.underlay.remove_interface(pod.node, pod.lxc)
        del host.ifindex[pod.lxc]
        del self.pods[name]
        del self._pod_by_ip[pod.ip]
        del self._pods_on[pod.node][name]

    def bpf_map(self, node: str, name: str) -> "pandas.DataFrame":
        """A BPF map on ``node`` as a DataFrame (``cilium_lxc``, ``cilium_ipcache_v2``,
        ``cilium_ct4_global``, ``cilium_ct_any4_global``)."""
        from .bpf import map_frame

        return map_frame(self, node, name)

    def cilium_dbg(self, node: str, command: str) -> str:
        """What ``cilium-dbg <command>`` prints on ``node``: ``bpf endpoint list``,
        ``bpf ipcache list``, ``bpf ct list global``, ``map list`` or ``status``."""
        from .bpf import cilium_dbg

        return cilium_dbg(self, node, command)

    # -- internals ----------------------------------------------------------------

    def _underlay_subnets(self) -> list[IPv4Network]:
        return [a.network for n in self.underlay.endpoints.values() for a in n.addresses()]

    def _endpoint_id(self, node: str) -> int:
        used = self._endpoint_ids[node]
        if len(used) >= 4095:
            raise KpathError(f"{node} has no endpoint IDs left (1 to 4095 are all in use)")
        while True:
            candidate = self._rng[node].randrange(1, 4096)
            if candidate not in used:
                used.add(candidate)
                return candidate

    def refresh_routes(self) -> None:
        """The routes the agent installs on every node, in ``ip route`` order."""
        joined = [n for n in self.nodes.values() if n.pod_cidr is not None]
        for node in joined:
            node._install_agent_routes(joined, self.config.tunnel_mtu)
