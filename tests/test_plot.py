"""The plots: right artists, with or without an Axes given, no global state touched."""

from __future__ import annotations

import re

import matplotlib
import pytest
from matplotlib.figure import Figure

import kpath_nb as kp
from kpath_nb.views import netlayout


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _hop_numbers(ax):
    """Hop numbers drawn as labels (arrows, node marks); the highlighted one separately."""
    drawn, current = set(), set()
    for t in ax.texts:
        gid = t.get_gid() or ""
        kind, _, numbers = gid.partition(":")
        if kind in ("hops", "current", "drop"):
            found = {int(n) for n in numbers.split(",")}
            drawn |= found
            if kind == "current":
                current |= found
    return drawn, current


@pytest.fixture
def seed():
    return kp.load_topology("seed-neighborhoods")


@pytest.fixture
def rc_snapshot():
    before = dict(matplotlib.rcParams)
    yield
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("name", ["seed-neighborhoods", "two-hosts", "longest-prefix",
                                  "router-chain", "broken-office"])
def test_topology_names_every_node_and_segment(name, rc_snapshot):
    net = kp.load_topology(name)
    ax = kp.draw_topology(net)
    text = "\n".join(_texts(ax))
    for node in net.nodes:
        assert node in text
    for switch in net.switches.values():
        assert str(switch.subnet) in text
    gids = {a.get_gid() for a in ax.get_children()}
    assert {f"segment:{s}" for s in net.switches} <= gids
    matplotlib.pyplot.close(ax.figure)


def test_topology_labels_seed_neighbourhoods_and_shapes(seed):
    ax = kp.draw_topology(seed)
    texts = _texts(ax)
    assert "blue neighbourhood 10.0.10.0/24" in texts
    assert "green neighbourhood 10.0.20.0/24" in texts
    assert "10.0.100.0/24" in texts           # the gatekeepers' point-to-point road
    assert any("10.0.100.101" in t for t in texts)
    # Blue on the left, green on the right, the gatekeepers in between.
    layout = netlayout._layout(seed)
    xs = {n: layout.pos[n][0] for n in seed.nodes}
    assert xs["fountain-blue"] < xs["gatekeeper-11"] < xs["gatekeeper-21"] < xs["fountain-green"]
    markers = {c.get_gid().split(":")[0]: c.get_paths()[0] for c in ax.collections}
    assert set(markers) == {"host", "switch", "router"}
    matplotlib.pyplot.close(ax.figure)


def test_layout_is_deterministic(seed):
    again = kp.load_topology("seed-neighborhoods")
    assert netlayout._layout(seed).pos == netlayout._layout(again).pos


def test_draw_into_given_axes_returns_it(seed):
    figure = Figure()
    ax = figure.add_subplot()
    assert kp.draw_topology(seed, ax=ax) is ax
    tr = kp.trace(seed, "house-14", "house-15")
    ax2 = Figure().add_subplot()
    assert kp.draw_trace(seed, tr, ax=ax2, upto=3) is ax2
    ax3 = Figure().add_subplot()
    assert kp.draw_bits("10.0.10.14/24", ax=ax3) is ax3
    ax4 = Figure().add_subplot()
    assert kp.draw_prefix_match(seed.nodes["gatekeeper-11"], "10.0.20.24", ax=ax4) is ax4


@pytest.mark.parametrize("upto", [0, 3, 8, 15, 21])
def test_trace_draws_hops_up_to_upto_and_highlights_it(seed, upto, rc_snapshot):
    tr = kp.trace(seed, "house-14", "house-24")
    ax = kp.draw_trace(seed, tr, upto=upto)
    drawn, current = _hop_numbers(ax)
    assert drawn == set(range(upto + 1))
    assert current == {upto}
    title = ax.get_title()
    assert title.startswith("house-14 → house-24: delivered")
    assert f"hop {upto} · {tr.hops[upto].node}" in title
    matplotlib.pyplot.close(ax.figure)


def test_whole_trace_has_no_highlight_and_reason_as_subtitle(seed):
    tr = kp.trace(seed, "house-14", "house-24")
    ax = kp.draw_trace(seed, tr)
    drawn, current = _hop_numbers(ax)
    assert drawn == set(range(len(tr.hops))) and not current
    assert "came back" in ax.get_title()
    styles = {p.get_linestyle() for p in ax.patches if type(p).__name__ == "FancyArrowPatch"}
    assert len(styles) >= 3     # request, reply and ARP legs differ without colour
    matplotlib.pyplot.close(ax.figure)


def test_drop_is_marked_with_an_x():
    net = kp.load_topology("broken-office")
    tr = kp.trace(net, "pc3", "srv1")
    ax = kp.draw_trace(net, tr)
    assert [c for c in ax.collections if c.get_gid() == "drop-marker"]
    assert any("drop" in t for t in _texts(ax))
    matplotlib.pyplot.close(ax.figure)


def test_routing_loop_groups_repeated_trips():
    net = kp.load_topology("broken-office")
    tr = kp.trace(net, "pc1", "10.1.3.7")
    ax = kp.draw_trace(net, tr, upto=40)
    drawn, current = _hop_numbers(ax)
    assert drawn == set(range(41)) and current == {40}
    assert any(re.search(r"×\d+", t) for t in _texts(ax))
    matplotlib.pyplot.close(ax.figure)


def test_upto_outside_the_trace_is_refused(seed):
    tr = kp.trace(seed, "house-14", "house-15")
    with pytest.raises(ValueError, match="numbered 0 to 9"):
        kp.draw_trace(seed, tr, ax=Figure().add_subplot(), upto=10)


def test_bits_rows_cells_and_prefix(rc_snapshot):
    ax = kp.draw_bits("10.0.10.14/24", "255.255.255.0", labels=["house 14", "mask"])
    texts = _texts(ax)
    assert len([t for t in ax.texts if t.get_gid() == "bit"]) == 64
    assert {"house 14", "mask", "10.0.10.14/24", "255.255.255.0"} <= set(texts)
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 2 * 8            # the host part of both rows
    assert [t.get_text() for t in ax.get_legend().get_texts()][0].startswith("network part")
    matplotlib.pyplot.close(ax.figure)


def test_bits_explicit_prefixlen_and_bad_values():
    ax = kp.draw_bits("10.0.10.14", prefixlen=16, ax=Figure().add_subplot())
    assert len([p for p in ax.patches if p.get_hatch()]) == 16
    with pytest.raises(TypeError, match="IPv4Address"):
        kp.draw_bits(42, ax=Figure().add_subplot())
    with pytest.raises(kp.AddressError):
        kp.draw_bits("10.0.10.300", ax=Figure().add_subplot())
    with pytest.raises(ValueError, match="one label per value"):
        kp.draw_bits("10.0.0.1", labels=["a", "b"], ax=Figure().add_subplot())


def test_prefix_match_chooses_the_longest():
    net = kp.load_topology("longest-prefix")
    ax = kp.draw_prefix_match(net.nodes["r1"], "10.1.2.10")
    texts = _texts(ax)
    assert "chosen: longest match /24" in texts
    assert "matches, but /16 is shorter" in texts and "matches, but /8 is shorter" in texts
    assert any(t.startswith("no: differs at bit") for t in texts)
    assert [p for p in ax.patches if p.get_gid() == "chosen-route"]
    matplotlib.pyplot.close(ax.figure)


def test_prefix_match_accepts_a_table_and_reports_no_route():
    table = kp.RouteTable([kp.Route.parse("10.0.10.0/24 dev eth0")])
    ax = kp.draw_prefix_match(table, "192.0.2.1", ax=Figure().add_subplot())
    assert "Network is unreachable" in ax.get_title()
    with pytest.raises(TypeError, match="RouteTable"):
        kp.draw_prefix_match("gatekeeper-11", "10.0.20.24")


def test_arrowheads_and_the_current_hop_are_solid(seed):
    tr = kp.trace(seed, "house-14", "house-24")
    ax = kp.draw_trace(seed, tr, upto=2)            # hop 2 is an ARP reply: dotted shaft
    heads = [p for p in ax.patches if p.get_gid() == "arrowhead"]
    assert heads and {p.get_linestyle() for p in heads} == {"-"}
    assert {p.get_linestyle() for p in ax.patches if p.get_gid() == "current-arrow"} == {"-"}
    matplotlib.pyplot.close(ax.figure)


def test_legend_lists_only_what_is_drawn(seed):
    ax = kp.draw_trace(seed, kp.trace(seed, "house-14", "house-24"))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "request" in labels and "ARP frame" in labels
    assert "this hop" not in labels and "dropped here" not in labels
    matplotlib.pyplot.close(ax.figure)
    net = kp.load_topology("broken-office")
    ax = kp.draw_trace(net, kp.trace(net, "pc3", "srv1"), upto=2)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "dropped here" in labels and "this hop" in labels and "reply" not in labels
    matplotlib.pyplot.close(ax.figure)


def test_trace_in_one_neighbourhood_zooms_to_it(seed):
    layout = netlayout._layout(seed)
    view = netlayout._trace_extent(seed, layout, kp.trace(seed, "house-14", "house-15"))
    assert view[2] < layout.pos["fountain-green"][0]           # the green half is left out
    whole = netlayout._trace_extent(seed, layout, kp.trace(seed, "house-14", "house-24"))
    assert whole == layout.extent


def test_hop_numbers_do_not_cover_each_other(seed):
    ax = kp.draw_trace(seed, kp.trace(seed, "house-14", "house-15"))
    ax.figure.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts if (t.get_gid() or "").startswith("hops")]
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    matplotlib.pyplot.close(ax.figure)


@pytest.mark.parametrize("name", ["seed-neighborhoods", "router-chain", "broken-office"])
def test_figures_fit_a_notebook_page_and_are_not_flat(name):
    ax = kp.draw_topology(kp.load_topology(name))
    width, height = ax.figure.get_size_inches()
    assert width <= netlayout._MAX_WIDTH + 1e-9 and width / height < 3.0
    sizes = [t.get_fontsize() for t in ax.texts if t.get_visible()]
    assert min(sizes) >= 8
    matplotlib.pyplot.close(ax.figure)


def test_bits_mark_the_first_difference():
    ax = kp.draw_bits("10.0.10.14", "10.0.10.15", "10.0.20.24", ax=Figure().add_subplot())
    assert [p for p in ax.patches if p.get_gid() == "first-difference"]
    assert "first bit that differs: bit 20" in _texts(ax)
    ax = kp.draw_bits("10.0.10.14/24", ax=Figure().add_subplot())
    assert not [p for p in ax.patches if p.get_gid() == "first-difference"]


def _side_router_networks():
    from kpath_nb.generate import random_network

    return [net for net in map(random_network, range(60)) if "rs" in net.nodes]


def test_side_router_stands_clear_of_the_chain():
    """A side router and its LAN get their own place: no node is drawn on a cable between
    two other nodes, where a reader could not tell which cable goes where."""
    nets = _side_router_networks()
    assert len(nets) > 10
    for net in nets:
        pos = netlayout._layout(net).pos
        for link in net.links:
            (ax_, ay), (bx, by) = pos[link.a[0]], pos[link.b[0]]
            dx, dy = bx - ax_, by - ay
            for name, (px, py) in pos.items():
                if name in (link.a[0], link.b[0]):
                    continue
                t = max(0.0, min(1.0, ((px - ax_) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
                gap = ((px - ax_ - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5
                assert gap > 0.8, f"{net.name}: {name} on the cable {link.a[0]}-{link.b[0]}"


@pytest.mark.parametrize("number", [5, 6, 7, 9, 11, 15, 40])
def test_side_router_labels_do_not_cover_each_other(number):
    from kpath_nb.generate import random_network

    ax = kp.draw_topology(random_network(number), ax=Figure(figsize=(9, 9)).add_subplot())
    ax.figure.canvas.draw()
    # Labels along slanted cables have slanted boxes: compare only the upright ones.
    texts = [t for t in ax.texts if t.get_visible() and t.get_rotation() % 90 == 0]
    boxes = [t.get_window_extent().shrunk(0.97, 0.9) for t in texts]
    assert not [(texts[i].get_text(), texts[j].get_text()) for i in range(len(boxes))
                for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
