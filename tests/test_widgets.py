"""The explorer, driven without a browser: setting .value runs the observers at once."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kpath_nb as kp


@pytest.fixture
def explorer():
    return kp.explore(kp.load_topology("seed-neighborhoods"), "house-14", "house-24")


def test_starts_with_a_trace_and_an_image(explorer):
    assert explorer.trace.verdict == "delivered"
    assert explorer.hop.max == explorer.play.max == len(explorer.trace.hops) - 1
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert "delivered" in explorer.status.value
    assert "▶" in explorer.hop_table.value


def test_changing_dst_retraces_and_redraws(explorer):
    before_trace, before_png = explorer.trace, explorer.image.value
    explorer.hop.value = 5
    explorer.dst.value = "house-15"
    assert explorer.trace is not before_trace and explorer.trace.dst == "house-15"
    assert explorer.hop.value == 0 and explorer.hop.max == len(explorer.trace.hops) - 1
    assert explorer.image.value != before_png


def test_moving_the_slider_redraws_without_retracing(explorer):
    tr, png, packet = explorer.trace, explorer.image.value, explorer.packet_view.value
    explorer.hop.value = 8
    assert explorer.trace is tr
    assert explorer.image.value != png
    assert explorer.packet_view.value != packet and "gatekeeper-11" in explorer.packet_view.value
    assert "▶" in explorer.table_view.value          # the route that matched


def test_proto_change(explorer):
    explorer.proto.value = "tcp"
    assert explorer.trace.proto == "tcp"
    explorer.hop.value = explorer.hop.max
    assert "TCP" in explorer.packet_view.value


def test_same_source_and_destination_shows_text(explorer):
    explorer.dst.value = "house-14"
    assert explorer.trace is None
    assert "both the source and the destination" in explorer.status.value
    assert bytes(explorer.image.value).startswith(b"\x89PNG")     # the plain network instead


def test_a_drop_shows_its_reason():
    ex = kp.explore(kp.load_topology("broken-office"), "pc2", "srv1")
    assert ex.trace.verdict == "dropped"
    assert "no route to host" in ex.status.value


def test_an_address_nobody_holds_can_be_explored():
    ex = kp.explore(kp.load_topology("broken-office"), "pc1", "10.1.3.7")
    assert "10.1.3.7" in ex.dst.options and ex.trace.verdict == "dropped"


def test_importing_kpath_nb_loads_no_view_library():
    code = ("import sys, kpath_nb as kp; kp.load_topology('seed-neighborhoods'); "
            "bad = [m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_hop_table_shows_the_current_hop_late_in_the_trace(explorer):
    explorer.hop.value = 15
    table = explorer.hop_table.value
    assert "house-24" in table.split("▶")[1].split("</tr>")[0]
    assert "hops 0–11 above" in table
    for view in (explorer.packet_view, explorer.table_view, explorer.hop_table):
        assert "line-height:1.3" in view.value


def test_router_changes_are_shown_not_a_different_packet(explorer):
    explorer.hop.value = 2                # an ARP reply after the flooded request
    assert "changed" not in explorer.packet_view.value
    explorer.hop.value = 8                # the gatekeeper routes the packet house-14 sent
    assert "changed, was 64" in explorer.packet_view.value


def test_cluster_lookups_get_the_full_width_and_the_whole_matched_row():
    ex = kp.explore(kp.load_topology("seed-cilium-buildings"), "apartment-12", "apartment-22")
    ex.hop.value = 3                      # from-endpoint: the ipcache says which tunnel endpoint
    assert ex.table_view in ex.children and ex.packet_view in ex.children
    matched = ex.table_view.value.split("▶")[1].split("</tr>")[0]
    for value in ("10.0.20.22/32", "257", "192.168.100.20", "hastunnel"):
        assert value in matched
    ex.hop.value = 4                      # encap: new outer headers, not a rewritten IPv4
    assert "changed, was 10.0.10.12" not in ex.packet_view.value
    assert "(new)" in ex.packet_view.value


def test_a_same_node_trace_shows_one_building():
    cl = kp.load_topology("seed-cilium-buildings")
    across = kp.explore(cl, "apartment-12", "apartment-22")
    same = kp.explore(cl, "apartment-12", "apartment-14")
    assert len(bytes(same.image.value)) > 0
    assert int(same.image.layout.width[:-2]) <= 960
    from PIL import Image
    import io
    h_same = Image.open(io.BytesIO(bytes(same.image.value))).size[1]
    h_across = Image.open(io.BytesIO(bytes(across.image.value))).size[1]
    assert h_same < h_across


def _png(ex, hop):
    ex.hop.value = hop
    return bytes(ex.image.value)


@pytest.mark.parametrize("name, src, dst, other", [
    ("seed-neighborhoods", "house-14", "house-24", "house-15"),
    ("seed-cilium-buildings", "apartment-12", "apartment-22", "apartment-14")])
def test_coming_back_to_a_choice_draws_what_a_new_explorer_draws(name, src, dst, other):
    ex = kp.explore(kp.load_topology(name), src, dst)
    first = _png(ex, 9)
    ex.dst.value = other                  # another view of the network, then back
    ex.dst.value = dst
    again = _png(ex, 9)
    assert again == first == _png(kp.explore(kp.load_topology(name), src, dst), 9)


def test_a_change_to_the_network_is_drawn_at_the_next_choice():
    net = kp.load_topology("seed-neighborhoods")
    ex = kp.explore(net, "house-14", "house-24")
    before = _png(ex, 0)
    net.set_interface_state("house-12", "eth0", False)    # not on the way: same trace
    ex.dst.value = "house-22"
    ex.dst.value = "house-24"
    assert _png(ex, 0) != before
    assert _png(ex, 0) == _png(kp.explore(net, "house-14", "house-24"), 0)


def test_a_new_pod_is_drawn_at_the_next_choice():
    cl = kp.load_topology("seed-cilium-buildings")
    ex = kp.explore(cl, "apartment-12", "apartment-22")
    before = _png(ex, 3)
    cl.add_pod("apartment-16", "building-blue")
    ex.dst.value = "apartment-14"
    ex.dst.value = "apartment-22"
    assert _png(ex, 3) != before
    assert _png(ex, 3) == _png(kp.explore(cl, "apartment-12", "apartment-22"), 3)
