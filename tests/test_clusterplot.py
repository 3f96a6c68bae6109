"""The cluster pictures: buildings, a packet's path through Cilium, headers and IPAM."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

import kpath_nb as kp
from kpath_nb.views import clusterlayout as cp
from kpath_nb.views import clusterplot


def _text(ax) -> str:
    return "\n".join(t.get_text() for t in ax.texts)


def _gids(ax) -> set[str]:
    return {a.get_gid() for a in ax.get_children() if a.get_gid()} | {
        t.get_gid() for t in ax.texts if t.get_gid()}


def _hops(ax) -> tuple[set[int], set[int]]:
    drawn, current = set(), set()
    for t in ax.texts:
        kind, _, number = (t.get_gid() or "").partition(":")
        if kind in ("hops", "current", "drop"):
            drawn.add(int(number))
            if kind == "current":
                current.add(int(number))
    return drawn, current


@pytest.fixture
def seed():
    return kp.load_topology("seed-cilium-buildings")


@pytest.fixture(autouse=True)
def rc_unchanged():
    before = dict(matplotlib.rcParams)
    yield
    assert dict(matplotlib.rcParams) == before
    plt.close("all")


def test_seed_buildings_name_every_device(seed):
    ax = kp.draw_cluster(seed)
    text = _text(ax)
    for name, pod in seed.pods.items():
        assert name in text and str(pod.ip) in text and pod.lxc in text
        assert f"identity {pod.identity.number}" in text
    for node in seed.nodes.values():
        assert node.name in text and str(node.ip) in text and str(node.pod_cidr) in text
        assert str(node.router_ip) in text
    for word in ("cilium_host", "cilium_vxlan", "eth0", "Cilium (eBPF)", "VXLAN, UDP 8472",
                 "fountain-nodes", "192.168.100.0/24"):
        assert word in text
    gids = _gids(ax)
    assert {"pod:apartment-12", "veth:apartment-12", "glass-tunnel",
            "device:building-blue:cilium_vxlan"} <= gids


def _buildings(ax) -> set[str]:
    return {g.partition(":")[2] for g in _gids(ax) if g.startswith("building:")}


def _pods(ax) -> set[str]:
    return {g.partition(":")[2] for g in _gids(ax) if g.startswith("pod:")}


def _aggregates(ax) -> list[str]:
    """The "+N nodes" and "+N pods" labels, as one line each."""
    return [t.get_text().replace("\n", " ") for t in ax.texts
            if t.get_text().startswith("+")]


def test_a_small_cluster_is_drawn_whole():
    three = kp.load_topology("cilium-three-nodes")
    ax = kp.draw_cluster(three)
    assert _buildings(ax) == set(three.nodes) and _pods(ax) == set(three.pods)
    assert _aggregates(ax) == []


def test_a_large_cluster_is_a_sample_and_what_it_leaves_out_is_counted():
    big = kp.generate_cluster(nodes=10, pods_per_node=10, seed=1)
    ax = kp.draw_cluster(big)
    assert _buildings(ax) == {"node-1", "node-2"}
    assert _aggregates(ax) == ["+8 pods", "+8 pods", "+8 nodes"]
    assert len(_pods(ax)) == 4
    assert ax.figure.get_figwidth() <= 9.6 + 1e-9


@pytest.fixture(scope="module")
def thousand():
    return kp.generate_cluster(nodes=1000, pods_per_node=4, seed=1)


def test_a_trace_across_a_thousand_nodes_draws_its_path_and_counts_the_rest(thousand):
    tr = kp.trace(thousand, "pod-1-1", "pod-1000-3")
    ax = kp.draw_cluster_trace(thousand, tr, upto=len(tr.hops) - 1)
    assert _buildings(ax) == {"node-1", "node-1000"}         # bounded: the path's nodes
    assert {"pod-1-1", "pod-1000-3"} <= _pods(ax) and len(_pods(ax)) == 4
    assert _aggregates(ax) == ["+2 pods", "+2 pods", "+998 nodes"]
    drawn, current = _hops(ax)
    assert drawn == set(range(len(tr.hops))) and current == {len(tr.hops) - 1}
    assert "VNI" in _text(ax) and f"tunnel:{_encap(tr)}" in _gids(ax)


def test_a_large_cluster_keeps_its_labels_full_size(thousand):
    tr = kp.trace(thousand, "pod-500-2", "pod-7-4")
    for ax in (kp.draw_cluster(thousand), kp.draw_cluster_trace(thousand, tr)):
        assert cp._inches_per_unit(ax) >= cp._MIN_UNIT_INCH - 1e-9
        assert min(_font_sizes(ax)) >= 8 and ax.figure.get_figwidth() <= 9.6 + 1e-9
    assert _buildings(ax) == {"node-7", "node-500"}


def test_a_trace_in_one_building_of_a_large_cluster():
    cl = kp.generate_cluster(nodes=20, pods_per_node=30, seed=2)
    tr = kp.trace(cl, "pod-9-30", "pod-9-1")
    ax = kp.draw_cluster_trace(cl, tr)
    assert _buildings(ax) == {"node-9"} and {"pod-9-1", "pod-9-30"} <= _pods(ax)
    assert "+19 nodes" in _aggregates(ax)


def test_a_small_cluster_too_wide_for_one_row_shows_a_trace_on_one_row():
    cl = kp.generate_cluster(nodes=3, pods_per_node=100, seed=1)
    assert _buildings(kp.draw_cluster(cl)) == set(cl.nodes)
    ax = kp.draw_cluster_trace(cl, kp.trace(cl, "pod-1-1", "pod-3-50"))
    assert _buildings(ax) == {"node-1", "node-3"}
    assert _aggregates(ax)[-1] == "+1 node"


def _encap(tr) -> int:
    return next(h.index for h in tr.hops if h.action == "encap")


def test_drawing_is_deterministic_and_uses_the_given_axes(seed):
    ax = Figure().add_subplot()
    assert kp.draw_cluster(seed, ax=ax) is ax
    again = kp.draw_cluster(kp.load_topology("seed-cilium-buildings"))
    assert [t.get_text() for t in ax.texts] == [t.get_text() for t in again.texts]
    assert [t.get_position() for t in ax.texts] == [t.get_position() for t in again.texts]


@pytest.mark.parametrize("upto", [0, 3, 4, 12, 19, None])
def test_cross_node_trace_numbers_hops_up_to_upto(seed, upto):
    tr = kp.trace(seed, "apartment-12", "apartment-22")
    ax = kp.draw_cluster_trace(seed, tr, upto=upto)
    drawn, current = _hops(ax)
    last = len(tr.hops) - 1 if upto is None else upto
    assert drawn == set(range(last + 1))
    assert current == (set() if upto is None else {upto})
    assert ax.get_title().startswith("apartment-12 → apartment-22: delivered")
    text = _text(ax)
    if last >= 3:
        assert "from-endpoint" in text
    if last >= 4:
        assert "to-overlay" in text and "VNI 256" in text
    if last >= 12:
        assert "from-overlay" in text
    if upto is not None:
        assert f"hop {upto} · {tr.hops[upto].node}" in ax.get_title()


def test_request_and_reply_differ_without_colour(seed):
    tr = kp.trace(seed, "apartment-12", "apartment-22")
    ax = kp.draw_cluster_trace(seed, tr)
    styles = {p.get_linestyle() for p in ax.patches
              if (p.get_gid() or "").startswith("arrow:")}
    assert len(styles) >= 3          # request solid, reply dashed, ARP dotted
    assert "VNI 257" in _text(ax)    # the reply's tunnel carries apartment-22's identity


def test_same_node_trace_stays_in_the_building(seed):
    tr = kp.trace(seed, "apartment-12", "apartment-14")
    ax = kp.draw_cluster_trace(seed, tr, upto=4)
    assert "to-endpoint" in _text(ax) and "VNI" not in _text(ax)


def test_stale_ip_drop_is_an_x(seed):
    seed.delete_pod("apartment-22")
    tr = kp.trace(seed, "apartment-12", "10.0.20.22")
    ax = kp.draw_cluster_trace(seed, tr)
    assert "drop-marker" in _gids(ax)
    assert ax.get_title().startswith("apartment-12 → 10.0.20.22: dropped")


def test_upto_out_of_range_names_the_range(seed):
    tr = kp.trace(seed, "apartment-12", "apartment-14")
    with pytest.raises(ValueError, match="hops are numbered 0 to 11"):
        kp.draw_cluster_trace(seed, tr, upto=99)


def test_headers_of_an_encapsulated_packet(seed):
    tr = kp.trace(seed, "apartment-12", "apartment-22")
    sent = next(h for h in tr.hops if h.action == "send" and h.node == "building-blue")
    ax = kp.draw_headers(sent.packet)
    text = _text(ax)
    assert "Ethernet (outer)" in text and "Ethernet (inner)" in text
    assert "vni 256" in text and "dport 8472" in text
    for address in ("192.168.100.10", "192.168.100.20", "10.0.10.12", "10.0.20.22"):
        assert address in text


def test_headers_mark_what_changed(seed):
    tr = kp.trace(seed, "apartment-12", "apartment-22")
    encap = next(h for h in tr.hops if h.action == "encap")
    ax = kp.draw_headers(encap.packet, previous=tr.hops[encap.index - 1].packet)
    assert "VXLAN (new)" in _text(ax)
    delivered = next(h for h in tr.hops if h.observation == "to-endpoint")
    ax = kp.draw_headers(delivered.packet, previous=tr.hops[delivered.index - 1].packet)
    changed = [t.get_text() for t in ax.texts if t.get_gid() == "changed"]
    assert "ttl 63 (was 64)" in changed


def test_plain_packet_headers():
    net = kp.load_topology("two-hosts")
    ax = kp.draw_headers(kp.trace(net, "h1", "h2").hops[-1].packet)
    assert "IPv4" in _text(ax) and "VXLAN" not in _text(ax)


def test_ipam_marks_router_health_and_pods(seed):
    ax = kp.draw_ipam(seed)
    gids = [p.get_gid() for p in ax.patches]
    assert gids.count("addr:router") == 2 and gids.count("addr:health") == 2
    assert gids.count("addr:pod") == 3 and gids.count("addr:reserved") == 4
    assert gids.count("addr:free") == 2 * 256 - 4 - 7
    text = _text(ax)
    assert "10.0.10.11 router" in text and "10.0.20.22 default/apartment-22" in text
    assert "IPv4: 4/254 allocated from 10.0.10.0/24" in text
    assert {"sliver:building-blue", "block:building-green"} <= set(gids)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("router IP" in lab for lab in labels)


def test_cluster_axes_on_a_figure_for_widgets(seed):
    figure = Figure()
    ax = clusterplot.cluster_axes(seed, figure)
    tr = kp.trace(seed, "apartment-12", "apartment-22")
    assert kp.draw_cluster_trace(seed, tr, ax=ax, upto=4) is ax
    assert ax.figure is figure


def _font_sizes(ax):
    sizes = [t.get_fontsize() for t in ax.texts]
    if ax.get_legend() is not None:
        sizes += [t.get_fontsize() for t in ax.get_legend().get_texts()]
    return sizes


@pytest.mark.parametrize("name", ["seed-cilium-buildings", "cilium-three-nodes"])
def test_cluster_text_is_at_least_8_points_and_fits_a_notebook(name):
    cl = kp.load_topology(name)
    tr = kp.trace(cl, list(cl.pods)[0], list(cl.pods)[-1])
    for ax in (kp.draw_cluster(cl), kp.draw_cluster_trace(cl, tr, upto=3), kp.draw_ipam(cl)):
        assert min(_font_sizes(ax)) >= 8
        assert ax.figure.get_figwidth() <= 9.6 + 1e-9


def test_pods_of_one_deployment_stay_distinguishable():
    three = kp.load_topology("cilium-three-nodes")
    text = _text(kp.draw_cluster(three))
    for name in three.pods:
        assert name.rsplit("-", 1)[-1] in text


def test_trace_legend_lists_only_what_was_drawn(seed):
    same = kp.trace(seed, "apartment-12", "apartment-14")
    labels = [t.get_text() for t in kp.draw_cluster_trace(seed, same, upto=1)
              .get_legend().get_texts()]
    assert "ARP frame" in labels and "this hop" in labels
    assert not {"reply", "dropped here", "inside the tunnel (VXLAN)"} & set(labels)


def test_tunnel_is_drawn_once_the_far_end_unwraps(seed):
    tr = kp.trace(seed, "apartment-12", "apartment-22")
    encap = next(h for h in tr.hops if h.action == "encap")
    decap = next(h for h in tr.hops if h.action == "decap")
    assert f"tunnel:{encap.index}" not in _gids(kp.draw_cluster_trace(seed, tr, upto=encap.index))
    assert f"tunnel:{encap.index}" in _gids(kp.draw_cluster_trace(seed, tr, upto=decap.index))


def test_headers_legend_only_when_something_changed(seed):
    tr = kp.trace(seed, "apartment-12", "apartment-22")
    decap = next(h for h in tr.hops if h.action == "decap")
    ax = kp.draw_headers(decap.packet, previous=tr.hops[decap.index - 1].packet)
    assert ax.get_legend() is None
    assert "removed at this hop: IPv4 (outer), UDP, VXLAN" in ax.get_title(loc="left")


def test_ipam_rows_have_offsets_and_highlight(seed):
    ip = seed.pods["apartment-22"].ip
    gids = _gids(kp.draw_ipam(seed, highlight=[ip]))
    assert {"offset:building-blue:0", "offset:building-blue:16", "offset:building-blue:240",
            f"highlight:{ip}"} <= gids


def test_a_trace_inside_one_building_does_not_spill_past_the_picture():
    """Cropped to the building a trace stays in, the other buildings' labels are cut at the
    edge instead of widening the saved picture."""
    cl = kp.load_topology("seed-cilium-buildings")
    ax = kp.draw_cluster_trace(cl, kp.trace(cl, "apartment-12", "apartment-14"))
    x0, x1 = sorted(ax.get_xlim())
    outside = [t for t in ax.texts if not x0 <= t.get_position()[0] <= x1]
    assert outside and all(t.get_clip_on() for t in outside)
    fig = ax.figure
    tight = fig.get_tightbbox(fig.canvas.get_renderer())
    assert tight.width <= fig.get_figwidth() + 0.01
