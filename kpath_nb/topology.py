"""The network model: hosts, switches, routers, their interfaces and the links between them.

Three verbs build any network, as in Mininet, plus one for routers::

    net = Topology("two-houses")
    net.add_switch("fountain", subnet="10.0.0.0/24")
    net.add_host("h1", ip="10.0.0.1/24")
    net.add_host("h2", ip="10.0.0.2/24")
    net.add_link("h1:eth0", "fountain:eth1")
    net.add_link("h2:eth0", "fountain:eth2")

Every call checks what it is given at once and raises
:class:`~kpath_nb.errors.TopologyError` naming the node and the field: a
duplicate IP or MAC address, overlapping subnets, an address outside the
subnet of the segment it is plugged into, a route whose gateway is not on any
connected subnet, an unknown interface in a link, a loop of switches.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from operator import attrgetter
from typing import Iterable, Mapping

from .addr import MacAddress, mac_from_name, parse_address, parse_interface, parse_network
from .errors import AddressError, TopologyError, UnknownEndpointError
from .tables import ArpTable, ForwardingTable, Route, RouteTable

__all__ = ["Interface", "Node", "Host", "Router", "Switch", "Link", "Cables", "Topology"]

_IFACE_STATE = attrgetter("name", "ip", "up")
_UP = attrgetter("up")


@dataclass(slots=True)
class Interface:
    """A door: a named network interface with its MAC and, on hosts and routers, an address.

    Parameters
    ----------
    name : str
        The Linux device name, e.g. ``eth0``.
    mac : MacAddress
        The serial number on the door.
    ip : IPv4Interface or None
        Address with mask (``10.0.10.14/24``); None on switch ports.
    up : bool
        Administrative state; a down interface neither sends nor receives.
    """

    name: str
    mac: MacAddress
    ip: IPv4Interface | None = None
    up: bool = True

    def __str__(self) -> str:
        addr = f" {self.ip}" if self.ip else ""
        state = "" if self.up else " DOWN"
        return f"{self.name} {self.mac}{addr}{state}"


@dataclass
class Node:
    """Anything with interfaces: a host, a router or a switch."""

    name: str
    interfaces: dict[str, Interface] = field(default_factory=dict)

    kind = "node"

    def interface(self, name: str) -> Interface:
        """The interface called ``name``; a clear error if there is none."""
        try:
            return self.interfaces[name]
        except KeyError:
            known = ", ".join(self.interfaces) or "none"
            raise TopologyError(f"has no interface {name!r}; its interfaces are {known}",
                                node=self.name) from None


@dataclass
class Host(Node):
    """A house: an IP endpoint that never forwards packets for others.

    Its routing table holds a connected route per interface address (made by
    the kernel, as in Linux) and the static routes it was given, typically
    ``default via <gateway>``.
    """

    static_routes: list[Route] = field(default_factory=list)
    arp: ArpTable = field(default_factory=ArpTable)

    kind = "host"
    forwards = False
    _table = None  # (the interfaces and static routes it was built from, the RouteTable)

    def addresses(self) -> list[IPv4Interface]:
        """Every address configured on this node."""
        return [i.ip for i in self.interfaces.values() if i.ip is not None]

    def owns(self, ip: IPv4Address) -> bool:
        """True when ``ip`` is one of this node's addresses (on any interface, as Linux sees it)."""
        return any(a.ip == ip for a in self.addresses())

    def connected_routes(self) -> list[Route]:
        """One ``proto kernel scope link`` route per address on an interface that is up.

        A /32 address makes no such route, as in Linux: it names one address, no subnet.
        """
        return [Route(i.ip.network, i.name, None, 0, "kernel", i.ip.ip)
                for i in self.interfaces.values()
                if i.ip is not None and i.up and i.ip.network.prefixlen < 32]

    def routing_table(self) -> RouteTable:
        """Connected routes plus static routes whose interface is up: what ``ip route`` shows.

        The table is built again only after the interfaces or the static routes changed;
        each call hands out its own copy.

        Examples
        --------
        >>> host = Host("h1", {"eth0": Interface("eth0", MacAddress.parse("02:00:00:00:00:01"),
        ...                                      parse_interface("10.0.0.1/24"))})
        >>> print(host.routing_table().show())
        10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1
        >>> host.interfaces["eth0"].up = False
        >>> len(host.routing_table())
        0
        """
        return self._table_with(self.static_routes).copy()

    def _table_with(self, static_routes: list[Route]) -> RouteTable:
        """The connected routes and ``static_routes`` whose interface is up, as a table that
        is kept until the interfaces or those routes change (callers copy it)."""
        interfaces = (tuple(self.interfaces), tuple(map(_IFACE_STATE, self.interfaces.values())))
        built = self._table
        # The static routes compare as lists, with no copy per call (a Kubernetes node has
        # a route per node).
        if built is None or built[0] != interfaces or built[1] != static_routes:
            up = {n for n, i in self.interfaces.items() if i.up}
            built = self._table = (interfaces, list(static_routes), RouteTable(
                self.connected_routes() + [r for r in static_routes if r.dev in up]))
        return built[2]

    def primary_ip(self) -> IPv4Address | None:
        """The address of the first interface that has one."""
        addresses = self.addresses()
        return addresses[0].ip if addresses else None


@dataclass
class Router(Host):
    """A gatekeeper: like a host, but it forwards packets between its interfaces
    (``net.ipv4.ip_forward = 1``), lowering the TTL by one each time."""

    kind = "router"
    forwards = True


@dataclass
class Switch(Node):
    """A fountain: forwards Ethernet frames by MAC address and learns where each MAC lives.

    Parameters
    ----------
    subnet : IPv4Network or None
        The neighbourhood's subnet, if declared; addresses plugged into this
        switch must fall inside it.
    label : str or None
        A name for the neighbourhood, such as ``blue``, used in plots.
    """

    subnet: IPv4Network | None = None
    label: str | None = None
    fdb: ForwardingTable = field(default_factory=ForwardingTable)

    kind = "switch"


@dataclass(frozen=True)
class Link:
    """A cable between two interfaces, written ``node:iface`` as in containerlab."""

    a: tuple[str, str]
    b: tuple[str, str]

    def other(self, end: tuple[str, str]) -> tuple[str, str]:
        """The far end of the cable seen from ``end``."""
        return self.b if end == self.a else self.a

    def __str__(self) -> str:
        return f"{self.a[0]}:{self.a[1]} <-> {self.b[0]}:{self.b[1]}"


@dataclass(frozen=True, eq=False)
class Cables:
    """The cables of one switch: its linked ports in port order, each with the door at the
    far end. What a flood reaches, indexed so that a switch with a thousand ports need not
    be walked port by port to find one door; :meth:`Topology.cables` builds it.

    The wiring is fixed once built (a new link gets a new ``Cables``); whether each door is
    up is read from the interfaces when asked (:meth:`dead`).

    Examples
    --------
    >>> net = Topology()
    >>> net.add_switch("sw1")
    >>> net.add_switch("sw2")
    >>> net.add_host("h1", ip="10.0.0.1/24")
    >>> net.add_link("h1:eth0", "sw1:eth1")
    >>> net.add_link("sw1:eth2", "sw2:eth1")
    >>> cables = net.cables("sw1")
    >>> cables.ports, cables.ends
    (('eth1', 'eth2'), (('h1', 'eth0'), ('sw2', 'eth1')))
    >>> cables.position["eth2"], cables.to_node["h1"], cables.to_switches
    (1, (0,), (1,))
    >>> net.set_interface_state("h1", "eth0", False)
    >>> cables.dead()
    {0}
    """

    switch: str
    ports: tuple[str, ...]
    """The linked ports, in the order the switch lists them."""
    ends: tuple[tuple[str, str], ...]
    """The ``(node, iface)`` at the far end of each port's cable."""
    doors: tuple[Interface, ...]
    """The interfaces at both ends of each cable: port ``i`` is ``doors[2 * i]``, its far
    end ``doors[2 * i + 1]``."""
    position: Mapping[str, int]
    """Where each port is in :attr:`ports`."""
    to_node: Mapping[str, tuple[int, ...]]
    """The positions of the cables that lead to each far node."""
    to_switches: tuple[int, ...]
    """The positions of the cables that lead to another switch."""

    def dead(self) -> set[int]:
        """The positions of the cables with a door down at either end (a frame sent out of
        them goes nowhere)."""
        if all(map(_UP, self.doors)):  # the usual case, without a step per door in Python
            return set()
        return {i // 2 for i, door in enumerate(self.doors) if not door.up}

    def ports_except(self, skip: set[int]) -> tuple[str, ...]:
        """:attr:`ports` without the ones at the positions in ``skip``, in port order."""
        if len(skip) == 1:
            (k,) = skip
            return self.ports[:k] + self.ports[k + 1:]
        return tuple(port for i, port in enumerate(self.ports) if i not in skip)


InterfaceSpec = str | Mapping[str, object] | None


class Topology:
    """A network of hosts, routers and switches joined by links.

    Parameters
    ----------
    name : str
        A short name, e.g. ``seed-neighborhoods``.
    description : str
        One or two sentences for the learner.

    Examples
    --------
    >>> net = Topology("lan")
    >>> net.add_switch("sw1", subnet="10.0.0.0/24")
    >>> net.add_host("h1", ip="10.0.0.1/24")
    >>> net.add_host("h2", ip="10.0.0.2/24")
    >>> net.add_link("h1:eth0", "sw1:eth1")
    >>> net.add_link("h2:eth0", "sw1:eth2")
    >>> sorted(net.hosts)
    ['h1', 'h2']
    >>> net.peer("h1", "eth0")
    ('sw1', 'eth1')
    >>> net.add_host("h3", ip="10.0.0.2/24")
    Traceback (most recent call last):
    ...
    kpath_nb.errors.TopologyError: node 'h3', field 'interfaces.eth0.ip': 10.0.0.2 is already the address of h2 eth0; every address must be unique
    """

    def __init__(self, name: str = "network", description: str = "") -> None:
        self.name = name
        self.description = description
        self.nodes: dict[str, Node] = {}
        self.links: list[Link] = []
        self._peers: dict[tuple[str, str], tuple[str, str]] = {}
        self._ips: dict[IPv4Address, tuple[str, str]] = {}
        self._macs: dict[MacAddress, tuple[str, str]] = {}
        self._cables: dict[str, Cables] = {}  # built on demand; a new link clears them

    # -- building -----------------------------------------------------------------

    def add_host(self, name: str, ip: str | None = None, *,
                 interfaces: Mapping[str, InterfaceSpec] | None = None,
                 gateway: str | None = None, routes: Iterable[str | Route] = ()) -> None:
        """Add a house.

        Parameters
        ----------
        name : str
            Unique node name.
        ip : str, optional
            Shortcut for one interface ``eth0`` with this address (``10.0.10.14/24``).
        interfaces : mapping, optional
            ``{"eth0": "10.0.10.14/24"}`` or ``{"eth0": {"ip": ..., "mac": ..., "state": "down"}}``.
        gateway : str, optional
            Shortcut for the route ``default via <gateway>``.
        routes : iterable of str
            Routes in ``ip route`` syntax.
        """
        self.add_endpoint(Host(name), ip=ip, interfaces=interfaces, gateway=gateway,
                          routes=routes)

    def add_router(self, name: str, interfaces: Mapping[str, InterfaceSpec], *,
                   routes: Iterable[str | Route] = (), gateway: str | None = None) -> None:
        """Add a gatekeeper: a node with several interfaces that forwards between them.

        Examples
        --------
        >>> net = Topology()
        >>> net.add_router("r1", {"eth0": "10.0.10.1/24", "eth1": "10.0.20.1/24"})
        >>> print(net.nodes["r1"].routing_table().show())
        10.0.10.0/24 dev eth0 proto kernel scope link src 10.0.10.1
        10.0.20.0/24 dev eth1 proto kernel scope link src 10.0.20.1
        """
        self.add_endpoint(Router(name), interfaces=interfaces, gateway=gateway, routes=routes)

    def add_endpoint(self, node: Host, *, ip: str | None = None,
                     interfaces: Mapping[str, InterfaceSpec] | None = None,
                     gateway: str | None = None, routes: Iterable[str | Route] = ()) -> None:
        """Add a node object of your own kind (a Kubernetes node, say) that sends and
        receives like a host; the same checks as :meth:`add_host` apply."""
        self._check_new_name(node.name)
        self._build_l3(node, ip, interfaces, gateway, routes)
        self._accept(node)

    def add_switch(self, name: str, ports: Iterable[str] = (), *, subnet: str | None = None,
                   label: str | None = None) -> None:
        """Add a fountain. Ports are created as links name them, or listed here.

        Examples
        --------
        >>> net = Topology()
        >>> net.add_switch("fountain-blue", subnet="10.0.10.0/24", label="blue")
        >>> net.nodes["fountain-blue"].subnet
        IPv4Network('10.0.10.0/24')
        """
        self._check_new_name(name)
        switch = Switch(name, label=label)
        if subnet is not None:
            switch.subnet = self._field(name, "subnet", parse_network, subnet)
            for other in self.switches.values():
                if other.subnet is not None and other.subnet.overlaps(switch.subnet):
                    raise TopologyError(
                        f"subnet {switch.subnet} overlaps {other.subnet} of {other.name}; "
                        f"each neighbourhood needs its own subnet", node=name, field="subnet")
        for port in ports:
            self._add_interface(switch, port, None)
        self._accept(switch)

    def add_link(self, a: str, b: str) -> None:
        """Connect two interfaces, each written ``node:iface``.

        A switch port is created when a link names it; a host or router
        interface must already exist.
        """
        ends = [self._parse_end(a), self._parse_end(b)]
        if ends[0] == ends[1]:
            raise TopologyError(f"link {a} <-> {b} connects an interface to itself",
                                node=ends[0][0], field="links")
        new_ports = []
        for node_name, iface in ends:
            node = self.nodes[node_name]
            if iface not in node.interfaces:
                if not isinstance(node, Switch):
                    node.interface(iface)  # raises, naming the known interfaces
                new_ports.append((node, iface))
            if (node_name, iface) in self._peers:
                other = self._peers[(node_name, iface)]
                raise TopologyError(
                    f"{node_name}:{iface} is already linked to {other[0]}:{other[1]}; "
                    f"an interface takes one cable", node=node_name, field="links")
        (na, ia), (nb, ib) = ends
        if isinstance(self.nodes[na], Switch) and isinstance(self.nodes[nb], Switch):
            if nb in self._switches_reachable(na):
                raise TopologyError(
                    f"link {a} <-> {b} would close a loop of switches; real switches need "
                    f"spanning tree to survive that, which this model leaves out",
                    node=na, field="links")
        self._check_link_subnets(ends)
        for switch, port in new_ports:
            self._add_interface(switch, port, None)
            self._register(switch.name, switch.interfaces[port])
        self.links.append(Link(ends[0], ends[1]))
        self._peers[ends[0]] = ends[1]
        self._peers[ends[1]] = ends[0]
        self._cables.clear()

    def add_interface(self, node: str, name: str, ip: str | None = None, *,
                      mac: str | None = None) -> Interface:
        """Give an existing host or router one more interface (a device software creates,
        such as ``cilium_host``); the usual address and MAC checks apply.

        Examples
        --------
        >>> net = Topology()
        >>> net.add_host("h1", ip="10.0.0.1/24")
        >>> net.add_interface("h1", "dummy0", "192.0.2.1/32").ip
        IPv4Interface('192.0.2.1/32')
        >>> net.owner("192.0.2.1")
        ('h1', 'dummy0')
        """
        target = self.node(node)
        spec = None if ip is None and mac is None else {"ip": ip, "mac": mac}
        if spec is not None:
            spec = {k: v for k, v in spec.items() if v is not None}
        self._add_interface(target, name, spec)
        self._register(node, target.interfaces[name])
        return target.interfaces[name]

    def remove_interface(self, node: str, name: str) -> None:
        """Delete an unplugged interface and free its address and MAC."""
        target = self.node(node)
        iface = target.interface(name)
        if (node, name) in self._peers:
            raise TopologyError(f"{name} is still linked; unplug it first", node=node)
        del target.interfaces[name]
        self._macs.pop(iface.mac, None)
        if iface.ip is not None:
            self._ips.pop(iface.ip.ip, None)

    def set_interface_state(self, node: str, iface: str, up: bool) -> None:
        """Bring an interface up or down, like ``ip link set dev IFACE up|down``.

        As in Linux, taking an interface down deletes the static routes through
        it; bringing it back restores only its connected route.
        """
        target = self.node(node)
        target.interface(iface).up = up
        if not up and isinstance(target, Host):
            target.static_routes = [r for r in target.static_routes if r.dev != iface]

    def copy(self) -> "Topology":
        """An independent copy: tracing with ``learn=True`` on it leaves this one as it was.

        Examples
        --------
        >>> net = Topology()
        >>> net.add_host("h1", ip="10.0.0.1/24")
        >>> twin = net.copy()
        >>> twin.set_interface_state("h1", "eth0", False)
        >>> net.nodes["h1"].interfaces["eth0"].up
        True
        """
        return copy.deepcopy(self)

    # -- reading ------------------------------------------------------------------

    @property
    def hosts(self) -> dict[str, Host]:
        """Nodes that are hosts (not routers)."""
        return {n: v for n, v in self.nodes.items() if type(v) is Host}

    @property
    def routers(self) -> dict[str, Router]:
        """Nodes that forward packets."""
        return {n: v for n, v in self.nodes.items() if isinstance(v, Router)}

    @property
    def switches(self) -> dict[str, Switch]:
        """Nodes that switch frames."""
        return {n: v for n, v in self.nodes.items() if isinstance(v, Switch)}

    @property
    def endpoints(self) -> dict[str, Host]:
        """Nodes with addresses that can send and receive: hosts and routers."""
        return {n: v for n, v in self.nodes.items() if isinstance(v, Host)}

    def node(self, name: str) -> Node:
        """The node called ``name``; the error lists the known names."""
        try:
            return self.nodes[name]
        except KeyError:
            raise UnknownEndpointError(
                f"unknown node {name!r}: known nodes are {', '.join(self.nodes)}") from None

    def peer(self, node: str, iface: str) -> tuple[str, str] | None:
        """The ``(node, iface)`` at the other end of the cable, or None if unplugged."""
        return self._peers.get((node, iface))

    def cables(self, switch: str) -> Cables:
        """The cables of ``switch``, with the far end of each, indexed (built once per
        wiring, so a flood over a thousand ports does not look each one up again).

        Examples
        --------
        >>> net = Topology()
        >>> net.add_switch("sw1")
        >>> net.add_host("h1", ip="10.0.0.1/24")
        >>> net.add_link("h1:eth0", "sw1:eth1")
        >>> net.cables("sw1").ends
        (('h1', 'eth0'),)
        """
        cables = self._cables.get(switch)
        if cables is None:
            cables = self._cables[switch] = self._build_cables(switch)
        return cables

    def mac_owner(self, mac: MacAddress) -> tuple[str, str] | None:
        """The ``(node, iface)`` whose door has MAC ``mac``, or None.

        Examples
        --------
        >>> net = Topology()
        >>> net.add_host("h1", interfaces={"eth0": {"ip": "10.0.0.1/24",
        ...                                         "mac": "02:00:00:00:00:01"}})
        >>> net.mac_owner(MacAddress.parse("02:00:00:00:00:01"))
        ('h1', 'eth0')
        """
        return self._macs.get(mac)

    def owner(self, ip: str | IPv4Address) -> tuple[str, str] | None:
        """The ``(node, iface)`` that holds address ``ip``, or None.

        Examples
        --------
        >>> net = Topology()
        >>> net.add_host("h1", ip="10.0.0.1/24")
        >>> net.owner("10.0.0.1")
        ('h1', 'eth0')
        """
        return self._ips.get(parse_address(ip))

    def resolve(self, endpoint: str) -> tuple[Host, IPv4Address]:
        """Turn an endpoint (a node name or one of its IPv4 addresses) into the node and address.

        Raises
        ------
        UnknownEndpointError
            When the name is not a host or router and the text is not one of their addresses.
        """
        text = str(endpoint).strip()
        node = self.nodes.get(text)
        if isinstance(node, Host):
            ip = node.primary_ip()
            if ip is None:
                raise UnknownEndpointError(f"{text!r} has no IPv4 address to send from or to")
            return node, ip
        try:
            ip = parse_address(text)
        except AddressError:
            ip = None
        if ip is not None and ip in self._ips:
            return self.nodes[self._ips[ip][0]], ip  # type: ignore[return-value]
        known = ", ".join(self.endpoints)
        if isinstance(node, Switch):
            raise UnknownEndpointError(
                f"{text!r} is a switch, which has no IP address to send from or to; "
                f"known hosts and routers are {known}")
        raise UnknownEndpointError(f"unknown endpoint {text!r}: known hosts and routers are {known}")

    def segment_of(self, node: str, iface: str) -> list[tuple[str, str]]:
        """Every host or router interface on the same Ethernet segment (through switches)."""
        seen_switches: set[str] = set()
        found: list[tuple[str, str]] = []
        stack = [(node, iface)]
        start = (node, iface)
        while stack:
            current = stack.pop()
            owner = self.nodes[current[0]]
            if isinstance(owner, Switch):
                if owner.name in seen_switches:
                    continue
                seen_switches.add(owner.name)
                for port in owner.interfaces:
                    far = self._peers.get((owner.name, port))
                    if far is not None:
                        stack.append(far)
            elif current != start:
                found.append(current)
            else:
                far = self._peers.get(current)
                if far is not None:
                    stack.append(far)
        return found

    def segment_switch(self, node: str, iface: str) -> Switch | None:
        """The switch an interface is plugged into, if any."""
        far = self._peers.get((node, iface))
        if far is not None and isinstance(self.nodes[far[0]], Switch):
            return self.nodes[far[0]]  # type: ignore[return-value]
        return None

    def summary(self) -> str:
        """A few lines describing the network."""
        lines = [f"{self.name}: {len(self.hosts)} hosts, {len(self.routers)} routers, "
                 f"{len(self.switches)} switches, {len(self.links)} links"]
        for node in self.nodes.values():
            if isinstance(node, Switch):
                where = f" subnet {node.subnet}" if node.subnet else ""
                lines.append(f"  {node.kind:6} {node.name}{where}")
            else:
                doors = ", ".join(f"{i.name} {i.ip}" for i in node.interfaces.values())
                lines.append(f"  {node.kind:6} {node.name}: {doors}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<Topology {self.name!r}: {len(self.hosts)} hosts, {len(self.routers)} routers, "
                f"{len(self.switches)} switches>")

    # -- checks -------------------------------------------------------------------

    def _check_new_name(self, name: str) -> None:
        if not isinstance(name, str):
            raise TopologyError(f"a node name is text like 'house-14', not "
                                f"{type(name).__name__} {name!r:.40}", node=repr(name)[:40])
        if not name or ":" in name or any(c.isspace() for c in name):
            raise TopologyError("a node name must be non-empty, without spaces or ':'",
                                node=name or "<empty>")
        if name in self.nodes:
            raise TopologyError("a node with this name already exists; names must be unique",
                                node=name)

    @staticmethod
    def _field(node: str, field_name: str, parse, value):
        try:
            return parse(value)
        except AddressError as exc:
            raise TopologyError(str(exc), node=node, field=field_name) from None

    def _build_l3(self, node: Host, ip: str | None,
                  interfaces: Mapping[str, InterfaceSpec] | None,
                  gateway: str | None, routes: Iterable[str | Route]) -> None:
        if ip is not None and interfaces:
            raise TopologyError("give either ip= (one eth0) or interfaces=, not both",
                                node=node.name)
        specs: Mapping[str, InterfaceSpec] = {"eth0": ip} if ip is not None else (interfaces or {})
        if not specs:
            raise TopologyError("needs at least one interface", node=node.name,
                                field="interfaces")
        for iface, spec in specs.items():
            self._add_interface(node, iface, spec)
        self._check_own_subnets(node)
        route_texts = list(routes) + ([f"default via {gateway}"] if gateway else [])
        for index, route in enumerate(route_texts):
            node.static_routes.append(self._checked_route(node, route, f"routes[{index}]"))

    def _add_interface(self, node: Node, name: str, spec: InterfaceSpec) -> None:
        where = f"interfaces.{name}"
        if name in node.interfaces:
            raise TopologyError(f"interface {name!r} is listed twice", node=node.name, field=where)
        if isinstance(spec, Mapping):
            unknown = set(spec) - {"ip", "mac", "state"}
            if unknown:
                raise TopologyError(
                    f"unknown key(s) {', '.join(sorted(unknown))}; an interface takes ip, mac "
                    f"and state", node=node.name, field=where)
            ip_text, mac_text, state = spec.get("ip"), spec.get("mac"), spec.get("state", "up")
        else:
            ip_text, mac_text, state = spec, None, "up"
        if state not in ("up", "down"):
            raise TopologyError(f"state must be 'up' or 'down', not {state!r}",
                                node=node.name, field=f"{where}.state")
        ip = None if ip_text is None else self._field(node.name, f"{where}.ip", parse_interface,
                                                      ip_text)
        if ip is not None and (ip.ip == ip.network.network_address and ip.network.prefixlen < 31
                               or ip.ip == ip.network.broadcast_address
                               and ip.network.prefixlen < 31):
            raise TopologyError(
                f"{ip} is the {'network' if ip.ip == ip.network.network_address else 'broadcast'}"
                f" address of {ip.network}; pick an address between "
                f"{ip.network.network_address + 1} and {ip.network.broadcast_address - 1}",
                node=node.name, field=f"{where}.ip")
        mac = (mac_from_name(node.name, name) if mac_text is None
               else self._field(node.name, f"{where}.mac", MacAddress.parse, mac_text))
        if mac.is_multicast:
            raise TopologyError(f"{mac} is a multicast MAC address; a door needs a unicast one",
                                node=node.name, field=f"{where}.mac")
        # A node being built is not registered yet; an accepted one is, interfaces and all.
        building = self.nodes.get(node.name) is not node
        own_ips = {i.ip.ip: (node.name, i.name)
                   for i in node.interfaces.values() if i.ip} if building else {}
        own_macs = {i.mac: (node.name, i.name)
                    for i in node.interfaces.values()} if building else {}
        if ip is not None and (ip.ip in self._ips or ip.ip in own_ips):
            owner = self._ips.get(ip.ip) or own_ips[ip.ip]
            raise TopologyError(
                f"{ip.ip} is already the address of {owner[0]} {owner[1]}; every address must "
                f"be unique", node=node.name, field=f"{where}.ip")
        if mac in self._macs or mac in own_macs:
            owner = self._macs.get(mac) or own_macs[mac]
            raise TopologyError(
                f"MAC {mac} is already on {owner[0]} {owner[1]}; every door has its own serial "
                f"number", node=node.name, field=f"{where}.mac")
        node.interfaces[name] = Interface(name, mac, ip, state == "up")

    def _accept(self, node: Node) -> None:
        """Add a fully checked node and reserve its addresses."""
        self.nodes[node.name] = node
        for iface in node.interfaces.values():
            self._register(node.name, iface)

    def _register(self, node: str, iface: Interface) -> None:
        if iface.ip is not None:
            self._ips[iface.ip.ip] = (node, iface.name)
        self._macs[iface.mac] = (node, iface.name)

    @staticmethod
    def _check_own_subnets(node: Host) -> None:
        seen: list[Interface] = []
        for iface in node.interfaces.values():
            if iface.ip is None:
                continue
            for other in seen:
                if other.ip.network.overlaps(iface.ip.network):
                    raise TopologyError(
                        f"{iface.name} {iface.ip} overlaps {other.name} {other.ip}; each "
                        f"interface needs its own subnet", node=node.name,
                        field=f"interfaces.{iface.name}.ip")
            seen.append(iface)

    def _checked_route(self, node: Host, route: str | Route, where: str) -> Route:
        if not isinstance(route, Route):
            try:
                route = Route.parse(route)
            except AddressError as exc:
                raise TopologyError(str(exc), node=node.name, field=where) from None
        connected = {i.name: i.ip.network for i in node.interfaces.values() if i.ip and i.up}
        if route.dev is not None and route.dev not in node.interfaces:
            raise TopologyError(
                f"route '{route}' names device {route.dev!r}; {node.name} has "
                f"{', '.join(node.interfaces)}", node=node.name, field=where)
        if route.dev is not None and not node.interfaces[route.dev].up:
            raise TopologyError(
                f"route '{route}' goes through {route.dev}, which is down; Linux refuses it "
                f"('Network is down'): bring the interface up or leave the route out",
                node=node.name, field=where)
        if route.via is not None:
            on_link = [name for name, net in connected.items() if route.via in net
                       and (route.dev is None or route.dev == name)]
            if not on_link:
                nets = ", ".join(str(n) for n in connected.values()) or "none"
                raise TopologyError(
                    f"gateway {route.via} in route '{route}' is not on any connected subnet "
                    f"of {node.name} ({nets}); Linux refuses such a route too",
                    node=node.name, field=where)
            if node.owns(route.via):
                raise TopologyError(f"gateway {route.via} is {node.name}'s own address",
                                    node=node.name, field=where)
            subnet = connected[on_link[0]]
            if subnet.prefixlen < 31 and route.via in (subnet.network_address,
                                                       subnet.broadcast_address):
                raise TopologyError(
                    f"gateway {route.via} is the network or broadcast address of {subnet}, "
                    f"not a router's address", node=node.name, field=where)
            route = route.with_dev(on_link[0])
        clash = next((r for r in node.connected_routes() + node.static_routes
                      if r.network == route.network and r.metric == route.metric), None)
        if clash is not None:
            raise TopologyError(
                f"route '{route}' has the same destination and metric as '{clash}'; Linux "
                f"refuses it ('File exists') — give it another metric or drop one",
                node=node.name, field=where)
        if route.src is not None and not node.owns(route.src):
            raise TopologyError(f"src {route.src} is not an address of {node.name}",
                                node=node.name, field=where)
        return route

    def _parse_end(self, text: str) -> tuple[str, str]:
        node, sep, iface = str(text).partition(":")
        if not sep or not node or not iface:
            raise TopologyError(f"link end {text!r} must be written node:interface, like "
                                f"house-12:eth0", field="links")
        if node not in self.nodes:
            raise TopologyError(f"link end {text!r} names unknown node {node!r}; known nodes "
                                f"are {', '.join(self.nodes)}", field="links")
        return node, iface

    def _build_cables(self, name: str) -> Cables:
        switch = self.node(name)
        if not isinstance(switch, Switch):
            raise TopologyError(f"{name} is a {switch.kind}, not a switch; only switches "
                                f"flood frames out of their ports", node=name)
        ports, ends, doors = [], [], []
        to_node: dict[str, list[int]] = {}
        for port, door in switch.interfaces.items():
            far = self._peers.get((name, port))
            if far is None:
                continue
            to_node.setdefault(far[0], []).append(len(ports))
            ports.append(port)
            ends.append(far)
            doors += (door, self.nodes[far[0]].interfaces[far[1]])
        return Cables(name, tuple(ports), tuple(ends), tuple(doors),
                      {port: i for i, port in enumerate(ports)},
                      {node: tuple(at) for node, at in to_node.items()},
                      tuple(i for i, far in enumerate(ends)
                            if isinstance(self.nodes[far[0]], Switch)))

    def _switches_reachable(self, start: str) -> set[str]:
        seen = {start}
        stack = [start]
        while stack:
            current = stack.pop()
            for port in self.nodes[current].interfaces:
                far = self._peers.get((current, port))
                if far and isinstance(self.nodes[far[0]], Switch) and far[0] not in seen:
                    seen.add(far[0])
                    stack.append(far[0])
        return seen

    def _check_link_subnets(self, ends: list[tuple[str, str]]) -> None:
        """Every address on a segment must be inside every subnet its switches declare."""
        switches: set[str] = set()
        addresses: list[tuple[str, str, IPv4Interface]] = []
        for node_name, iface in ends:
            node = self.nodes[node_name]
            if isinstance(node, Switch):
                switches |= self._switches_reachable(node_name)
            elif node.interfaces[iface].ip is not None:
                addresses.append((node_name, iface, node.interfaces[iface].ip))
        if not switches:
            return
        # Linking a host to a switch adds one address to a segment that already passed this
        # check (addresses and subnets never change once linked): only the new one needs it.
        # Joining two switches joins two segments, and everything on them is checked.
        two_switches = all(isinstance(self.nodes[name], Switch) for name, _ in ends)
        for sw_name in switches if two_switches else ():
            for port in self.nodes[sw_name].interfaces:
                far = self._peers.get((sw_name, port))
                if far and not isinstance(self.nodes[far[0]], Switch):
                    ip = self.nodes[far[0]].interfaces[far[1]].ip
                    if ip is not None:
                        addresses.append((far[0], far[1], ip))
        for sw_name in sorted(switches):
            subnet = self.nodes[sw_name].subnet
            for node_name, iface, ip in addresses:
                if subnet is not None and ip.ip not in subnet:
                    raise TopologyError(
                        f"{iface} {ip.ip} is outside subnet {subnet} of {sw_name}, which "
                        f"this link would put on its segment", node=node_name,
                        field=f"interfaces.{iface}.ip")
