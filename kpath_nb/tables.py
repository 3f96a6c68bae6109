"""The tables each device consults: ARP table, switch forwarding table, routing table.

These are the "maps" of the story. A house's ARP table turns a house number
into a door's serial number; a fountain's forwarding table (FDB) says which
road leads to a serial number; a gatekeeper's routing table says which door
leads towards a neighbourhood, chosen by longest-prefix match.

Every table can show itself the way Linux prints it (``ip neigh``,
``bridge fdb``, ``ip route``) and hand out its rows for display.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address, IPv4Network
from typing import Protocol

from .addr import MacAddress, parse_address, parse_network
from .errors import AddressError

__all__ = [
    "ArpEntry",
    "ArpTable",
    "FdbEntry",
    "ForwardingTable",
    "Route",
    "RouteTable",
    "RouteIndex",
    "IndexedRouteTable",
    "PrefixCheck",
    "RouteSyntaxError",
]


@dataclass(frozen=True)
class ArpEntry:
    """One neighbour: an IPv4 address, the MAC behind it and the device it was learned on."""

    ip: IPv4Address
    mac: MacAddress
    dev: str
    state: str = "REACHABLE"
    """``REACHABLE`` when confirmed by a reply; ``STALE`` when only heard in someone's request."""

    def __str__(self) -> str:
        return f"{self.ip} dev {self.dev} lladdr {self.mac} {self.state}"


@dataclass
class ArpTable:
    """The neighbour table of one host or router (``ip neigh``).

    Examples
    --------
    >>> from kpath_nb.addr import parse_address, MacAddress
    >>> arp = ArpTable()
    >>> arp.get(parse_address("10.0.10.15")) is None
    True
    >>> arp.learn(parse_address("10.0.10.15"), MacAddress.parse("02:00:00:00:00:0f"), "eth0")
    >>> print(arp.show())
    10.0.10.15 dev eth0 lladdr 02:00:00:00:00:0f REACHABLE
    """

    entries: dict[IPv4Address, ArpEntry] = field(default_factory=dict)

    columns = ("address", "lladdr", "dev", "state")

    def get(self, ip: IPv4Address) -> ArpEntry | None:
        """The entry for ``ip``, or None on a miss."""
        return self.entries.get(ip)

    def learn(self, ip: IPv4Address, mac: MacAddress, dev: str,
              state: str = "REACHABLE") -> None:
        """Record (or refresh) that ``ip`` is at ``mac`` behind ``dev``.

        Linux marks an entry ``REACHABLE`` when an ARP reply confirms it and
        ``STALE`` when it only noted the sender of a request; both can be used
        to send at once.
        """
        self.entries[ip] = ArpEntry(ip, mac, dev, state)

    def copy(self) -> "ArpTable":
        """An independent copy, for tracing without changing the network."""
        return ArpTable(dict(self.entries))

    def rows(self) -> list[tuple[str, ...]]:
        """The entries as rows of text, sorted by address."""
        return [(str(e.ip), str(e.mac), e.dev, e.state)
                for e in sorted(self.entries.values(), key=lambda e: e.ip)]

    def show(self) -> str:
        """The table as ``ip neigh`` prints it."""
        return "\n".join(str(e) for e in sorted(self.entries.values(), key=lambda e: e.ip))

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class FdbEntry:
    """One learned station: a MAC address and the switch port it was last seen on."""

    mac: MacAddress
    port: str


@dataclass
class ForwardingTable:
    """A switch's forwarding database: learns source MACs, floods unknown destinations.

    Examples
    --------
    >>> from kpath_nb.addr import MacAddress
    >>> fdb = ForwardingTable()
    >>> mac = MacAddress.parse("02:00:00:00:00:0e")
    >>> fdb.port_for(mac) is None
    True
    >>> fdb.learn(mac, "eth2")
    >>> fdb.port_for(mac)
    'eth2'
    """

    entries: dict[MacAddress, FdbEntry] = field(default_factory=dict)

    columns = ("mac", "port")

    def port_for(self, mac: MacAddress) -> str | None:
        """The port ``mac`` was learned on, or None (the frame will be flooded)."""
        entry = self.entries.get(mac)
        return entry.port if entry else None

    def learn(self, mac: MacAddress, port: str) -> None:
        """Remember that frames from ``mac`` arrived on ``port``."""
        self.entries[mac] = FdbEntry(mac, port)

    def copy(self) -> "ForwardingTable":
        """An independent copy, for tracing without changing the network."""
        return ForwardingTable(dict(self.entries))

    def rows(self) -> list[tuple[str, ...]]:
        """The entries as rows of text, sorted by port then MAC."""
        return [(str(e.mac), e.port) for e in sorted(self.entries.values(),
                                                    key=lambda e: (e.port, e.mac))]

    def show(self) -> str:
        """The table as ``bridge fdb show`` prints learned entries."""
        return "\n".join(f"{mac} dev {port}" for mac, port in self.rows())

    def __len__(self) -> int:
        return len(self.entries)


class RouteSyntaxError(AddressError):
    """A route that is not valid ``ip route`` syntax."""


@dataclass(frozen=True)
class Route:
    """One routing-table entry, written and printed in ``ip route`` syntax.

    Parameters
    ----------
    network : IPv4Network
        The destination prefix; ``0.0.0.0/0`` is printed as ``default``.
    dev : str or None
        The interface to send on. Resolved from ``via`` when not given.
    via : IPv4Address or None
        The next-hop router; None for a destination on the link itself.
    metric : int
        Breaks ties between routes of the same prefix length; lower wins.
    proto : str
        ``kernel`` for connected routes made from an interface address,
        ``boot`` (not printed, as in Linux) for routes added by hand.
    src : IPv4Address or None
        Preferred source address (connected routes carry the interface's).
    scope : str or None
        As written; printed ``scope link`` by default for routes without ``via``.
    mtu : int or None
        The largest packet this route carries (Cilium sets 1450 on tunnel routes).

    Examples
    --------
    >>> r = Route.parse("10.0.20.0/24 via 10.0.100.201 dev eth1")
    >>> r.network, r.via, r.dev
    (IPv4Network('10.0.20.0/24'), IPv4Address('10.0.100.201'), 'eth1')
    >>> print(Route.parse("default via 10.0.10.11"))
    default via 10.0.10.11
    """

    network: IPv4Network
    dev: str | None = None
    via: IPv4Address | None = None
    metric: int = 0
    proto: str = "boot"
    src: IPv4Address | None = None
    scope: str | None = None
    mtu: int | None = None

    _KEYS = ("via", "dev", "metric", "proto", "scope", "src", "mtu")

    @classmethod
    def parse(cls, text: str) -> "Route":
        """Read one route in ``ip route`` syntax.

        Accepted: ``default`` or a prefix (a bare address means /32), then any of
        ``via ADDR``, ``dev NAME``, ``metric N``, ``proto NAME``, ``scope NAME``,
        ``src ADDR``. A route needs ``via`` or ``dev``.
        """
        tokens = str(text).split()
        if not tokens:
            raise RouteSyntaxError("empty route; write it like 'default via 10.0.10.11'")
        dest, rest = tokens[0], tokens[1:]
        if dest == "default":
            network = IPv4Network("0.0.0.0/0")
        else:
            try:
                network = parse_network(dest if "/" in dest else f"{dest}/32")
            except AddressError as exc:
                raise RouteSyntaxError(f"route {text!r}: {exc}") from None
        if len(rest) % 2:
            raise RouteSyntaxError(
                f"route {text!r}: {rest[-1]!r} needs a value; "
                f"write keyword-value pairs like 'via 10.0.10.11' or 'dev eth0'")
        values: dict[str, str] = {}
        for key, value in zip(rest[::2], rest[1::2]):
            if key not in cls._KEYS:
                raise RouteSyntaxError(
                    f"route {text!r}: unknown keyword {key!r}; "
                    f"known are {', '.join(cls._KEYS)}")
            if key in values:
                raise RouteSyntaxError(f"route {text!r}: {key!r} given twice")
            values[key] = value
        if "via" not in values and "dev" not in values:
            raise RouteSyntaxError(
                f"route {text!r} says neither where to send ('via' a router) "
                f"nor on which interface ('dev')")
        try:
            via = parse_address(values["via"]) if "via" in values else None
            src = parse_address(values["src"]) if "src" in values else None
        except AddressError as exc:
            raise RouteSyntaxError(f"route {text!r}: {exc}") from None
        for key in ("metric", "mtu"):
            if not re.fullmatch(r"\d+", values.get(key, "0")):
                raise RouteSyntaxError(f"route {text!r}: {key} must be a whole number")
        mtu = int(values["mtu"]) if "mtu" in values else None
        return cls(network, values.get("dev"), via, int(values.get("metric", "0")),
                   values.get("proto", "boot"), src, values.get("scope"), mtu)

    @property
    def is_default(self) -> bool:
        """True for ``default`` (0.0.0.0/0), the route of last resort."""
        return self.network.prefixlen == 0

    @property
    def is_connected(self) -> bool:
        """True for routes the kernel made from an interface address."""
        return self.proto == "kernel"

    def with_dev(self, dev: str) -> "Route":
        """The same route with its interface filled in."""
        return replace(self, dev=dev)

    def __str__(self) -> str:
        parts = ["default" if self.is_default else str(
            self.network.network_address if self.network.prefixlen == 32 else self.network)]
        if self.via is not None:
            parts += ["via", str(self.via)]
        if self.dev is not None:
            parts += ["dev", self.dev]
        if self.proto != "boot":
            parts += ["proto", self.proto]
        if self.scope is not None or self.via is None:
            parts += ["scope", self.scope or "link"]
        if self.src is not None:
            parts += ["src", str(self.src)]
        if self.metric:
            parts += ["metric", str(self.metric)]
        if self.mtu is not None:
            parts += ["mtu", str(self.mtu)]
        return " ".join(parts)


@dataclass(frozen=True)
class PrefixCheck:
    """How one route's prefix compares with a destination, bit by bit."""

    route: Route
    destination: IPv4Address
    common_bits: int
    """Leading bits the destination shares with the route's network address."""

    @property
    def matches(self) -> bool:
        """True when every prefix bit agrees, so the route covers the destination."""
        return self.common_bits >= self.route.network.prefixlen

    @property
    def first_mismatch(self) -> int | None:
        """Index (0-31) of the first prefix bit that differs, or None if it matches."""
        return None if self.matches else self.common_bits


@dataclass
class _Derived:
    """What a :class:`RouteTable` works out from its routes, kept while they stay the same.

    ``levels`` is longest-prefix match without a scan: for each prefix length present
    (longest first), its netmask and the routes by network address, lowest metric first.
    """

    routes: list[Route] | None = None
    """A copy of the routes the rest was worked out from (None: not yet)."""
    levels: list[tuple[int, dict[int, list[Route]]]] | None = None
    ordered: list[Route] | None = None
    """The routes in ``ip route`` order."""
    rows: list[tuple[str, ...]] | None = None
    """Those routes as rows of text."""


@dataclass
class RouteTable:
    """A routing table with longest-prefix match (``ip route``).

    Examples
    --------
    >>> table = RouteTable([
    ...     Route.parse("10.0.10.0/24 dev eth0 proto kernel src 10.0.10.11"),
    ...     Route.parse("10.0.0.0/8 via 10.0.10.1 dev eth0"),
    ...     Route.parse("10.0.20.0/24 via 10.0.100.201 dev eth1"),
    ...     Route.parse("default via 10.0.10.254 dev eth0"),
    ... ])
    >>> print(table.lookup("10.0.20.24"))
    10.0.20.0/24 via 10.0.100.201 dev eth1
    >>> print(table.lookup("10.9.9.9"))
    10.0.0.0/8 via 10.0.10.1 dev eth0
    >>> print(table.lookup("192.0.2.1"))
    default via 10.0.10.254 dev eth0
    """

    routes: list[Route] = field(default_factory=list)

    columns = ("destination", "via", "dev", "metric", "proto")

    _derived = None  # a _Derived, built on first use; copies share it

    def add(self, route: Route) -> None:
        """Append a route."""
        self.routes.append(route)

    def candidates(self, destination: str | IPv4Address) -> list[Route]:
        """Every route whose prefix covers ``destination``, best first.

        Examples
        --------
        >>> table = RouteTable([Route.parse("default via 10.0.0.1 dev eth0"),
        ...                     Route.parse("10.0.0.0/8 via 10.0.0.2 dev eth0 metric 5"),
        ...                     Route.parse("10.0.0.0/8 via 10.0.0.3 dev eth0")])
        >>> [str(r) for r in table.candidates("10.1.2.3")]
        ['10.0.0.0/8 via 10.0.0.3 dev eth0', '10.0.0.0/8 via 10.0.0.2 dev eth0 metric 5', 'default via 10.0.0.1 dev eth0']
        """
        ip = int(parse_address(destination))
        return [route for mask, networks in self._levels()
                for route in networks.get(ip & mask, ())]

    def lookup(self, destination: str | IPv4Address) -> Route | None:
        """The route longest-prefix match picks for ``destination``, or None."""
        found = self.candidates(destination)
        return found[0] if found else None

    def explain(self, destination: str | IPv4Address) -> list[PrefixCheck]:
        """Compare ``destination`` with every route, bit by bit, in table order.

        Examples
        --------
        >>> table = RouteTable([Route.parse("10.0.10.0/24 dev eth0"),
        ...                     Route.parse("default via 10.0.10.11")])
        >>> [(str(c.route.network), c.common_bits, c.matches)
        ...  for c in table.explain("10.0.20.24")]
        [('0.0.0.0/0', 4, True), ('10.0.10.0/24', 19, False)]
        """
        ip = parse_address(destination)
        checks = []
        for route in self.sorted_routes():
            differing = int(ip) ^ int(route.network.network_address)
            common = 32 - differing.bit_length()
            checks.append(PrefixCheck(route, ip, common))
        return checks

    def sorted_routes(self) -> list[Route]:
        """The routes in the order ``ip route`` prints them: default first, then by prefix."""
        derived = self._current()
        if derived.ordered is None:
            derived.ordered = sorted(derived.routes, key=lambda r: (
                not r.is_default, int(r.network.network_address), r.network.prefixlen, r.metric))
        return list(derived.ordered)

    def rows(self) -> list[tuple[str, ...]]:
        """The routes as rows of text, in ``ip route`` order."""
        derived = self._current()
        if derived.rows is None:
            derived.rows = [("default" if r.is_default else str(r.network), str(r.via or ""),
                             r.dev or "", str(r.metric), r.proto) for r in self.sorted_routes()]
        return list(derived.rows)

    def show(self) -> str:
        """The table as ``ip route`` prints it."""
        return "\n".join(str(r) for r in self.sorted_routes())

    def copy(self) -> "RouteTable":
        """An independent copy."""
        twin = RouteTable(list(self.routes))
        if self._derived is None:
            self._derived = _Derived()  # whichever of the two needs it first fills it in
        twin._derived = self._derived
        return twin

    def _current(self) -> _Derived:
        """What is derived from the routes as they are now (a table that changed its routes
        gets its own, and the copies it shared with keep theirs)."""
        derived = self._derived
        if derived is None or derived.routes != self.routes:  # compared without a copy
            if derived is None or derived.routes is not None:
                derived = self._derived = _Derived()
            derived.routes = list(self.routes)
        return derived

    def _levels(self) -> list[tuple[int, dict[int, list[Route]]]]:
        derived = self._current()
        if derived.levels is None:
            by_length: dict[int, dict[int, list[Route]]] = {}
            # sorted() is stable: routes with the same metric keep their table order
            for route in sorted(derived.routes, key=lambda r: r.metric):
                network = route.network
                by_length.setdefault(network.prefixlen, {}).setdefault(
                    int(network.network_address), []).append(route)
            derived.levels = [((0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF, by_length[length])
                              for length in sorted(by_length, reverse=True)]
        return derived.levels

    def __len__(self) -> int:
        return len(self.routes)


class RouteIndex(Protocol):
    """Routes a table holds without writing them out: a count, the routes that cover an
    address, and all of them in table order when someone asks."""

    def __len__(self) -> int: ...

    def covering(self, ip: int) -> list[Route]:
        """The routes whose prefix covers ``ip`` (an address as a number), in table order."""

    def routes(self) -> list[Route]:
        """Every route, in table order, written out."""


class IndexedRouteTable(RouteTable):
    """A routing table whose last routes stay in an index until someone reads them all.

    Longest-prefix match asks the index for the few routes that cover the destination,
    so a table of a thousand routes answers without holding them; reading ``routes``
    (printing the table, adding a route) writes them out once, and from then on it is
    an ordinary :class:`RouteTable`. Either way it finds and lists the same routes, in the
    same order, as a table built from all of them.

    Parameters
    ----------
    head : RouteTable
        The routes that come first (its derived index is kept and shared).
    tail : RouteIndex
        The routes that come after them.

    Examples
    --------
    >>> class Blocks:  # 10.<i>.0.0/16 via 10.0.0.1 for i = 1 ... 200
    ...     def __len__(self):
    ...         return 200
    ...     def covering(self, ip):
    ...         i = ip >> 16 & 0xFF
    ...         return [self.route(i)] if ip >> 24 == 10 and 1 <= i <= 200 else []
    ...     def routes(self):
    ...         return [self.route(i) for i in range(1, 201)]
    ...     def route(self, i):
    ...         return Route.parse(f"10.{i}.0.0/16 via 10.0.0.1 dev eth0")
    >>> head = RouteTable([Route.parse("10.0.0.0/8 dev eth0 proto kernel src 10.0.0.2")])
    >>> table = IndexedRouteTable(head, Blocks())
    >>> len(table), str(table.lookup("10.7.1.1")), str(table.lookup("10.250.1.1"))
    (201, '10.7.0.0/16 via 10.0.0.1 dev eth0', '10.0.0.0/8 dev eth0 proto kernel scope link src 10.0.0.2')
    >>> table.candidates("10.7.1.1") == RouteTable(table.routes).candidates("10.7.1.1")
    True
    """

    def __init__(self, head: RouteTable, tail: RouteIndex) -> None:
        self._head = head
        self._tail = tail
        self._routes: list[Route] | None = None

    @property
    def routes(self) -> list[Route]:  # type: ignore[override]
        """Every route, written out on first read."""
        if self._routes is None:
            self._routes = self._head.routes + self._tail.routes()
        return self._routes

    @routes.setter
    def routes(self, routes: list[Route]) -> None:
        self._routes = routes

    def candidates(self, destination: str | IPv4Address) -> list[Route]:
        """Every route whose prefix covers ``destination``, best first (as
        :meth:`RouteTable.candidates`)."""
        if self._routes is not None:
            return super().candidates(destination)
        ip = parse_address(destination)
        # The head's routes come before the index's in the table, and sorted() is stable:
        # best first is longest prefix, then lowest metric, then table order.
        return sorted(self._head.candidates(ip) + self._tail.covering(int(ip)),
                      key=lambda r: (-r.network.prefixlen, r.metric))

    def __len__(self) -> int:
        if self._routes is not None:
            return len(self._routes)
        return len(self._head) + len(self._tail)
