"""Tables: routes in `ip route` syntax, longest-prefix match, ARP and forwarding tables."""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network

import pytest

from kpath_nb import AddressError, ArpTable, ForwardingTable, MacAddress, Route, RouteTable
from kpath_nb.tables import RouteSyntaxError


# -- Route.parse: accepted forms --------------------------------------------------------

@pytest.mark.parametrize("text, network, via, dev, metric, proto, src", [
    ("default via 10.0.10.11", "0.0.0.0/0", "10.0.10.11", None, 0, "boot", None),
    ("0.0.0.0/0 via 10.0.10.11", "0.0.0.0/0", "10.0.10.11", None, 0, "boot", None),
    ("default via 10.0.10.11 dev eth0", "0.0.0.0/0", "10.0.10.11", "eth0", 0, "boot", None),
    ("10.0.20.0/24 via 10.0.100.201 dev eth1", "10.0.20.0/24", "10.0.100.201", "eth1", 0,
     "boot", None),
    ("10.0.20.0/24 dev eth1", "10.0.20.0/24", None, "eth1", 0, "boot", None),
    ("10.0.20.7 dev eth1", "10.0.20.7/32", None, "eth1", 0, "boot", None),
    ("10.0.0.0/8 via 10.0.10.1 metric 100", "10.0.0.0/8", "10.0.10.1", None, 100, "boot", None),
    ("10.0.10.0/24 dev eth0 proto kernel scope link src 10.0.10.14", "10.0.10.0/24", None,
     "eth0", 0, "kernel", "10.0.10.14"),
    ("  default   via   10.0.10.11  ", "0.0.0.0/0", "10.0.10.11", None, 0, "boot", None),
])
def test_route_parse_accepted_forms(text, network, via, dev, metric, proto, src):
    route = Route.parse(text)
    assert route.network == IPv4Network(network)
    assert route.via == (IPv4Address(via) if via else None)
    assert route.dev == dev
    assert route.metric == metric
    assert route.proto == proto
    assert route.src == (IPv4Address(src) if src else None)


def test_route_flags():
    assert Route.parse("default via 10.0.10.11").is_default
    assert not Route.parse("10.0.0.0/8 via 10.0.10.1").is_default
    assert Route.parse("10.0.10.0/24 dev eth0 proto kernel").is_connected
    assert not Route.parse("10.0.10.0/24 dev eth0").is_connected
    assert Route.parse("default via 10.0.10.11").with_dev("eth0").dev == "eth0"


# -- Route.parse: rejected forms --------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("", "empty route; write it like 'default via 10.0.10.11'"),
    ("   ", "empty route"),
    ("default gw 10.0.10.11", "unknown keyword 'gw'; known are via, dev, metric, proto, scope, src"),
    ("default via", "'via' needs a value; write keyword-value pairs like 'via 10.0.10.11'"),
    ("default via 10.0.10.11 dev", "'dev' needs a value"),
    ("10.0.20.0/24", "says neither where to send ('via' a router) nor on which interface ('dev')"),
    ("default metric 5", "says neither where to send"),
    ("default via 10.0.10.300", "'10.0.10.300' is not an IPv4 address"),
    ("10.0.10.0/24 dev eth0 src nowhere", "'nowhere' is not an IPv4 address"),
    ("10.0.20.7/24 dev eth0", "'10.0.20.7/24' has host bits set; the network is 10.0.20.0/24"),
    ("10.0.20.0/33 dev eth0", "is not an IPv4 network"),
    ("everywhere via 10.0.10.11", "is not an IPv4 network"),
    ("default via 10.0.10.11 metric high", "metric must be a whole number"),
    ("default via 10.0.10.11 metric -1", "metric must be a whole number"),
    ("default via 10.0.10.11 via 10.0.10.12", "'via' given twice"),
    ("10.0.20.0/24 dev eth0 dev eth1", "'dev' given twice"),
])
def test_route_parse_rejects_with_a_clear_message(text, message):
    with pytest.raises(RouteSyntaxError, match=re.escape(message)) as info:
        Route.parse(text)
    if text.strip():
        assert repr(text) in str(info.value)   # the message quotes the route it refuses


def test_route_syntax_errors_are_address_errors():
    assert issubclass(RouteSyntaxError, AddressError)


# -- Route printing: the shapes of `ip route` -------------------------------------------

@pytest.mark.parametrize("text", [
    "10.0.10.0/24 dev eth0 proto kernel scope link src 10.0.10.14",
    "default via 10.0.10.11 dev eth0",
    "10.0.20.0/24 via 10.0.100.201 dev eth1",
    "10.9.0.0/16 dev eth1 scope link",
    "default via 10.0.10.1 dev eth0 proto dhcp src 10.0.10.14 metric 100",
    "10.0.0.0/8 via 10.0.10.1 dev eth0 metric 20",
])
def test_route_prints_like_ip_route(text):
    assert str(Route.parse(text)) == text


def test_connected_route_built_by_hand_prints_like_the_kernel():
    route = Route(IPv4Network("10.0.10.0/24"), "eth0", None, 0, "kernel",
                  IPv4Address("10.0.10.14"))
    assert str(route) == "10.0.10.0/24 dev eth0 proto kernel scope link src 10.0.10.14"


def test_route_without_dev_prints_without_dev():
    assert str(Route.parse("default via 10.0.10.11")) == "default via 10.0.10.11"


# -- RouteTable -------------------------------------------------------------------------

@pytest.fixture
def table() -> RouteTable:
    return RouteTable([
        Route.parse("10.0.10.0/24 dev eth0 proto kernel src 10.0.10.11"),
        Route.parse("10.0.0.0/8 via 10.0.10.1 dev eth0"),
        Route.parse("10.0.20.0/24 via 10.0.100.201 dev eth1"),
        Route.parse("default via 10.0.10.254 dev eth0"),
        Route.parse("10.0.20.24 via 10.0.10.2 dev eth0"),
    ])


@pytest.mark.parametrize("dst, expected", [
    ("10.0.10.15", "10.0.10.0/24"),
    ("10.0.20.24", "10.0.20.24/32"),   # a /32 beats the /24 that also covers it
    ("10.0.20.25", "10.0.20.0/24"),
    ("10.9.9.9", "10.0.0.0/8"),
    ("192.0.2.1", "0.0.0.0/0"),
    ("10.255.255.255", "10.0.0.0/8"),
    ("11.0.0.0", "0.0.0.0/0"),
])
def test_longest_prefix_match(table, dst, expected):
    assert table.lookup(dst).network == IPv4Network(expected)


def test_lookup_accepts_an_address_object(table):
    assert table.lookup(IPv4Address("10.0.10.15")).dev == "eth0"


def test_candidates_lists_every_covering_route_best_first(table):
    assert [str(r.network) for r in table.candidates("10.0.20.24")] == [
        "10.0.20.24/32", "10.0.20.0/24", "10.0.0.0/8", "0.0.0.0/0"]


def test_metric_breaks_a_tie_between_equal_prefixes_whatever_the_order():
    slow = Route.parse("10.0.20.0/24 via 10.0.10.2 metric 200")
    fast = Route.parse("10.0.20.0/24 via 10.0.10.3 metric 100")
    assert RouteTable([slow, fast]).lookup("10.0.20.5") == fast
    assert RouteTable([fast, slow]).lookup("10.0.20.5") == fast


def test_a_longer_prefix_wins_over_a_lower_metric():
    wide = Route.parse("10.0.0.0/8 via 10.0.10.2 metric 0")
    narrow = Route.parse("10.0.20.0/24 via 10.0.10.3 metric 900")
    assert RouteTable([wide, narrow]).lookup("10.0.20.5") == narrow


def test_no_route_gives_none():
    table = RouteTable([Route.parse("10.0.10.0/24 dev eth0")])
    assert table.lookup("10.0.20.24") is None
    assert table.candidates("10.0.20.24") == []
    assert RouteTable().lookup("10.0.10.1") is None


def test_lookup_rejects_a_malformed_destination(table):
    with pytest.raises(AddressError):
        table.lookup("10.0.20")


def test_explain_counts_common_bits(table):
    checks = {str(c.route.network): c for c in table.explain("10.0.20.24")}
    assert checks["0.0.0.0/0"].common_bits == 4        # 10 = 00001010: first 1 at bit 4
    assert checks["0.0.0.0/0"].matches
    assert checks["10.0.0.0/8"].common_bits == 19      # 10.0.0 vs 10.0.20: bit 19 differs
    assert checks["10.0.0.0/8"].matches
    assert checks["10.0.10.0/24"].common_bits == 19    # 10 = 01010, 20 = 10100
    assert not checks["10.0.10.0/24"].matches
    assert checks["10.0.10.0/24"].first_mismatch == 19
    assert checks["10.0.20.0/24"].common_bits == 27    # .24 has bits set past 27
    assert checks["10.0.20.0/24"].matches
    assert checks["10.0.20.0/24"].first_mismatch is None
    assert checks["10.0.20.24/32"].common_bits == 32
    assert checks["10.0.20.24/32"].matches


def test_explain_agrees_with_lookup(table):
    for dst in ("10.0.10.15", "10.0.20.24", "10.0.20.25", "10.9.9.9", "192.0.2.1"):
        matching = [c.route for c in table.explain(dst) if c.matches]
        assert sorted(matching, key=lambda r: -r.network.prefixlen)[0] == table.lookup(dst)
        assert set(matching) == set(table.candidates(dst))


def test_explain_checks_every_route_in_ip_route_order(table):
    assert [c.route for c in table.explain("10.0.20.24")] == table.sorted_routes()


def test_sorted_routes_and_show_follow_ip_route_order(table):
    assert table.show().splitlines() == [
        "default via 10.0.10.254 dev eth0",
        "10.0.0.0/8 via 10.0.10.1 dev eth0",
        "10.0.10.0/24 dev eth0 proto kernel scope link src 10.0.10.11",
        "10.0.20.0/24 via 10.0.100.201 dev eth1",
        "10.0.20.24 via 10.0.10.2 dev eth0",
    ]


def test_rows_have_one_cell_per_column(table):
    rows = table.rows()
    assert all(len(row) == len(RouteTable.columns) for row in rows)
    assert rows[0] == ("default", "10.0.10.254", "eth0", "0", "boot")
    assert rows[2] == ("10.0.10.0/24", "", "eth0", "0", "kernel")


def test_route_table_copy_is_independent(table):
    copy = table.copy()
    copy.add(Route.parse("172.16.0.0/12 via 10.0.10.9"))
    assert len(copy) == len(table) + 1
    assert table.lookup("172.16.0.1").is_default


def test_what_a_table_works_out_follows_its_routes_and_its_copies_keep_theirs(table):
    before = table.rows()
    copy = table.copy()
    assert copy.rows() == before and copy.sorted_routes() == table.sorted_routes()
    copy.add(Route.parse("172.16.0.0/12 via 10.0.10.9"))
    assert copy.rows()[-1] == ("172.16.0.0/12", "10.0.10.9", "", "0", "boot")
    assert table.rows() == before and table.lookup("172.16.0.1").is_default
    assert str(copy.lookup("172.16.0.1").network) == "172.16.0.0/12"
    table.rows().clear()                     # the caller's own list
    table.sorted_routes().clear()
    assert table.rows() == before and len(table.sorted_routes()) == len(before)
    table.routes.clear()                     # changed in place: seen at once
    assert table.rows() == [] and table.sorted_routes() == [] and table.lookup("10.0.10.1") is None
    assert len(copy.rows()) == len(before) + 1


# -- ArpTable ---------------------------------------------------------------------------

MAC_A = MacAddress.parse("02:00:00:00:00:0a")
MAC_B = MacAddress.parse("02:00:00:00:00:0b")


def test_arp_table_learns_refreshes_and_shows():
    arp = ArpTable()
    assert arp.get(IPv4Address("10.0.10.15")) is None and len(arp) == 0
    arp.learn(IPv4Address("10.0.10.15"), MAC_A, "eth0")
    arp.learn(IPv4Address("10.0.10.2"), MAC_B, "eth0")
    assert arp.get(IPv4Address("10.0.10.15")).mac == MAC_A
    arp.learn(IPv4Address("10.0.10.15"), MAC_B, "eth1")        # refresh replaces
    assert len(arp) == 2
    assert arp.get(IPv4Address("10.0.10.15")).dev == "eth1"
    # Sorted by address as numbers (10.0.10.2 before 10.0.10.15), as `ip neigh` reads.
    assert arp.rows() == [("10.0.10.2", "02:00:00:00:00:0b", "eth0", "REACHABLE"),
                          ("10.0.10.15", "02:00:00:00:00:0b", "eth1", "REACHABLE")]
    assert arp.show().splitlines() == [
        "10.0.10.2 dev eth0 lladdr 02:00:00:00:00:0b REACHABLE",
        "10.0.10.15 dev eth1 lladdr 02:00:00:00:00:0b REACHABLE",
    ]
    assert ArpTable.columns == ("address", "lladdr", "dev", "state")


def test_arp_table_copy_is_independent():
    arp = ArpTable()
    arp.learn(IPv4Address("10.0.10.15"), MAC_A, "eth0")
    copy = arp.copy()
    copy.learn(IPv4Address("10.0.10.16"), MAC_B, "eth0")
    copy.learn(IPv4Address("10.0.10.15"), MAC_B, "eth0")
    assert len(arp) == 1
    assert arp.get(IPv4Address("10.0.10.15")).mac == MAC_A
    assert ArpTable().show() == ""


# -- ForwardingTable --------------------------------------------------------------------

def test_forwarding_table_learns_moves_and_shows():
    fdb = ForwardingTable()
    assert fdb.port_for(MAC_A) is None
    fdb.learn(MAC_B, "eth2")
    fdb.learn(MAC_A, "eth4")
    assert fdb.port_for(MAC_A) == "eth4"
    fdb.learn(MAC_A, "eth1")                                     # the station moved
    assert fdb.port_for(MAC_A) == "eth1" and len(fdb) == 2
    assert fdb.rows() == [("02:00:00:00:00:0a", "eth1"), ("02:00:00:00:00:0b", "eth2")]
    assert fdb.show().splitlines() == ["02:00:00:00:00:0a dev eth1",
                                       "02:00:00:00:00:0b dev eth2"]
    assert ForwardingTable.columns == ("mac", "port")


def test_forwarding_table_copy_is_independent():
    fdb = ForwardingTable()
    fdb.learn(MAC_A, "eth1")
    copy = fdb.copy()
    copy.learn(MAC_A, "eth9")
    copy.learn(MAC_B, "eth2")
    assert fdb.port_for(MAC_A) == "eth1" and fdb.port_for(MAC_B) is None


def test_route_keeps_the_scope_it_was_given():
    assert str(Route.parse("10.0.10.0/24 dev eth0 scope host")) == (
        "10.0.10.0/24 dev eth0 scope host")


# -- IndexedRouteTable: routes kept in an index until read -------------------------------

class _Slash24s:
    """``10.<i>.<j>.0/24 via 10.0.0.1 dev eth0`` for a few blocks, with a /16 and a
    ``metric 5`` route among them: a RouteIndex with equal prefixes and tied metrics."""

    def __init__(self) -> None:
        self.all = [Route.parse(f"10.{i}.{j}.0/24 via 10.0.0.1 dev eth0")
                    for i in (1, 2) for j in range(60)]
        self.all += [Route.parse("10.1.0.0/16 via 10.0.0.3 dev eth0"),
                     Route.parse("10.2.5.0/24 via 10.0.0.4 dev eth0 metric 5"),
                     Route.parse("10.2.7.0/24 via 10.0.0.5 dev eth0")]

    def __len__(self) -> int:
        return len(self.all)

    def covering(self, ip: int) -> list[Route]:
        return [r for r in self.all if IPv4Address(ip) in r.network]

    def routes(self) -> list[Route]:
        return list(self.all)


def _head() -> RouteTable:
    return RouteTable([Route.parse(text) for text in (
        "10.0.0.0/8 dev eth0 proto kernel src 10.0.0.2",
        "10.2.5.0/24 via 10.0.0.6 dev eth0",            # same prefix as an indexed one
        "10.2.7.0/24 via 10.0.0.7 dev eth0 metric 3",   # same prefix, a higher metric
        "default via 10.0.0.254 dev eth0")])


def test_an_indexed_table_finds_what_the_written_out_table_finds():
    from kpath_nb.tables import IndexedRouteTable

    indexed = IndexedRouteTable(_head(), _Slash24s())
    written = RouteTable(_head().routes + _Slash24s().routes())
    assert len(indexed) == len(written) == 127
    for ip in ["10.1.3.9", "10.2.5.1", "10.2.7.200", "10.1.200.1", "10.9.9.9", "192.0.2.1",
               "10.2.59.255", "10.0.0.2"]:
        assert indexed.candidates(ip) == written.candidates(ip), ip
        assert indexed.lookup(ip) == written.lookup(ip)
    assert [str(r) for r in indexed.candidates("10.2.7.1")] == [
        "10.2.7.0/24 via 10.0.0.1 dev eth0", "10.2.7.0/24 via 10.0.0.5 dev eth0",
        "10.2.7.0/24 via 10.0.0.7 dev eth0 metric 3",
        "10.0.0.0/8 dev eth0 proto kernel scope link src 10.0.0.2",
        "default via 10.0.0.254 dev eth0"]
    assert indexed.candidates("10.2.5.1")[0].via == IPv4Address("10.0.0.6")  # head first


def test_an_indexed_table_written_out_is_an_ordinary_table():
    from kpath_nb.tables import IndexedRouteTable

    indexed = IndexedRouteTable(_head(), _Slash24s())
    written = RouteTable(_head().routes + _Slash24s().routes())
    assert indexed.show() == written.show() and indexed.rows() == written.rows()
    assert indexed.routes == written.routes
    indexed.add(Route.parse("10.1.3.0/24 via 10.0.0.9 dev eth0 metric 1"))
    assert len(indexed) == 128 and str(indexed.lookup("10.1.3.1").via) == "10.0.0.1"
    indexed.routes.clear()
    assert indexed.lookup("10.1.3.1") is None and len(indexed) == 0
