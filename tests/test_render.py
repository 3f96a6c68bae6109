"""HTML views: matched rows marked, changes emphasised, text escaped."""

from __future__ import annotations

import kpath_nb as kp
from kpath_nb.views import render
from kpath_nb.trace import Lookup


def _seed_trace():
    net = kp.load_topology("seed-neighborhoods")
    return kp.trace(net, "house-14", "house-24")


def test_lookup_marks_the_matched_row():
    lookup = _seed_trace().hops[8].lookups[0]
    html = render.lookup_html(lookup)
    assert html.count("▶") == 1
    marked = html.split("▶")[0].rsplit("<tr>", 1)[1] + html.split("▶")[1].split("</tr>")[0]
    assert "font-weight:bold" in marked
    assert lookup.rows[lookup.matched][0] in html.split("▶")[1].split("</tr>")[0]


def test_lookup_miss_is_said_in_words():
    lookup = _seed_trace().hops[0].lookups[1]       # house-14 has no ARP entry yet
    assert not lookup.hit
    html = render.lookup_html(lookup)
    assert "miss" in html and "▶" not in html


def test_text_is_escaped():
    lookup = Lookup("arp", "<script>", "miss", False, ("address",), (("<b>x</b>",),), None)
    html = render.lookup_html(lookup)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_packet_boxes_outer_to_inner_and_changes():
    tr = _seed_trace()
    html = render.packet_html(tr.hops[8].packet, previous=tr.hops[5].packet)
    assert html.index("Ethernet") < html.index("IPv4") < html.index("ICMP")
    assert "changed, was 64" in html                # the TTL went down at the gatekeeper
    assert "changed" not in render.packet_html(tr.hops[8].packet)


def test_hop_html_has_header_note_and_lookups():
    tr = _seed_trace()
    html = render.hop_html(tr.hops[8], previous=tr.hops[7])
    assert "hop 8 · gatekeeper-11 · route" in html
    assert "in eth0 → out eth1" in html
    assert tr.hops[8].note.split(":")[0] in html
    assert "▶" in html


def test_trace_table_marks_current_row():
    tr = _seed_trace()
    html = render.trace_html(tr, current=13)
    assert html.count("▶") == 1 and html.count("<tr>") == len(tr.hops) + 1


def test_show_hop_displays_in_jupyter():
    tr = _seed_trace()
    view = kp.show_hop(tr.hops[8])
    assert "<table" in view._repr_html_()
    assert repr(view) == str(tr.hops[8])


def test_windowed_trace_table_keeps_the_current_row():
    tr = _seed_trace()
    html = render.trace_html(tr, current=15, window=8)
    current = html.split("▶")[1].split("</tr>")[0]
    assert "house-24" in current and "deliver" in current
    assert html.count("…") == 2 and "hops 0–11 above" in html
    assert "Ethernet" not in html                    # the packet view shows that header


def test_changes_only_against_the_same_packet():
    tr = _seed_trace()
    # hop 2 is gatekeeper-11's ARP reply, hop 1 the flooded request: different packets
    assert "changed" not in render.packet_html(tr.hops[2].packet, previous=tr.hops[1].packet)
    assert not render.same_packet(tr.hops[2].packet, tr.hops[1].packet)
    assert "changed, was 64" in render.packet_html(tr.hops[8].packet, previous=tr.hops[5].packet)


def _cluster_trace():
    cl = kp.load_topology("seed-cilium-buildings")
    return kp.trace(cl, "apartment-12", "apartment-22")


def test_encapsulation_is_new_outer_headers_not_rewriting():
    tr = _cluster_trace()
    encap = next(h for h in tr.hops if h.action == "encap")
    html = render.packet_html(encap.packet, previous=tr.hops[encap.index - 1].packet)
    assert "changed, was 10.0.10.12" not in html and "changed" not in html
    assert "IPv4 (outer)</b> <small>(new)" in html and "IPv4 (inner)</b><table" in html
    decap = next(h for h in tr.hops if h.action == "decap")
    html = render.packet_html(decap.packet, previous=tr.hops[decap.index - 1].packet)
    assert "removed at this hop:</b> IPv4 (outer), UDP, VXLAN" in html


def test_key_value_map_values_are_split_into_columns():
    tr = _cluster_trace()
    ipcache = next(lk for lk in tr.hops[3].lookups if lk.table == "cilium_ipcache_v2")
    html = render.lookup_html(ipcache)
    for key in ("identity", "tunnelendpoint", "flags"):
        assert f">{key}</th>" in html
    matched = html.split("▶")[1].split("</tr>")[0]
    for word in ipcache.rows[ipcache.matched][1].split():
        assert f">{word.split('=', 1)[1]}</td>" in matched
