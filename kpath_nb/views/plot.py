"""Pictures of the network, of a packet's path and of addresses bit by bit (matplotlib).

Every function takes ``ax=None``, draws into that Axes (or into a new figure
when none is given) and returns the Axes. Nothing here calls ``plt.show()`` or
changes matplotlib's settings, and the layout is fixed: the same network always
gives the same picture.

The pictures follow the story. Each neighbourhood (an Ethernet segment: a
switch and the doors plugged into it) is a shaded, hatched region labelled
with its subnet; houses (hosts) are squares, fountains (switches) circles and
gatekeepers (routers) diamonds. Colours come from the Okabe-Ito palette, which
colour-blind readers can tell apart, and colour is never the only cue: regions
also differ by hatching, the legs of a trace by line style.

Examples
--------
>>> import kpath_nb as kp
>>> net = kp.load_topology("seed-neighborhoods")
>>> ax = kp.draw_trace(net, kp.trace(net, "house-14", "house-24"), upto=8)
>>> ax.get_title().splitlines()[0]
'house-14 → house-24: delivered'
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import (
    FancyArrowPatch,
    FancyBboxPatch,
    Patch,
    Polygon,
    Rectangle,
)
from matplotlib.path import Path
from matplotlib.text import Text

from ..addr import parse_address, parse_interface, parse_network
from ..errors import AddressError
from ..packet import ARP
from ..tables import RouteTable
from ..cluster import Cluster
from ..topology import Host, Switch, Topology
from ..trace import Hop, Trace

__all__ = ["draw_topology", "draw_trace", "draw_bits", "draw_prefix_match", "network_axes",
           "OKABE_ITO"]

OKABE_ITO = {
    "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7", "black": "#000000",
}
"""The Okabe-Ito palette: eight colours that stay distinct for colour-blind readers."""

# A neighbourhood labelled with a colour word is drawn in that colour.
_COLOUR_WORDS = {
    "blue": "blue", "green": "bluish green", "orange": "orange", "yellow": "yellow",
    "red": "vermillion", "vermillion": "vermillion", "purple": "reddish purple",
    "pink": "reddish purple", "sky": "sky blue", "cyan": "sky blue",
}
_REGION_ORDER = ("sky blue", "orange", "bluish green", "reddish purple", "yellow", "blue")
_HATCHES = ("/", "\\", "..", "x", "+", "o", "-", "|")

_REQUEST, _REPLY = OKABE_ITO["blue"], OKABE_ITO["orange"]
_ARP_COLOUR, _HIGHLIGHT = OKABE_ITO["reddish purple"], OKABE_ITO["vermillion"]
_CABLE = "#7a7a7a"
_LABEL_BOX = dict(boxstyle="round,pad=0.12", facecolor="white", edgecolor="none", alpha=0.85)

_UNIT_INCH = 0.38        # inches per layout unit in a figure made here
_CHAR = 0.070 / _UNIT_INCH   # estimated width of one 8-point character, in layout units
_LINE = 0.136 / _UNIT_INCH   # estimated height of one 8-point line, in layout units
_MAX_WIDTH = 9.6         # inches: a figure made here fits a notebook's width at 100 dpi

# Font sizes (points) at font scale 1, which a figure made here keeps.
_PT_HOST, _PT_IFACE, _PT_ROUTER, _PT_REGION, _PT_BADGE, _PT_CURRENT = 9, 8.5, 9.5, 10, 8.5, 10
_LAYER_GAP = 3.6         # minimum distance between layers of the segment graph


# -- layout ----------------------------------------------------------------------


@dataclass
class _Segment:
    switch: str
    hosts: list[str]
    colour: str
    hatch: str
    title: str
    side: str                           # where the hosts sit: left, right, below, above, around
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


@dataclass
class _Layout:
    pos: dict[str, tuple[float, float]] = field(default_factory=dict)
    segments: dict[str, _Segment] = field(default_factory=dict)
    host_angle: dict[str, float] = field(default_factory=dict)   # radians, from its switch
    extent: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)


def _text_size(text: str, size: float = _PT_HOST) -> tuple[float, float]:
    lines = text.splitlines() or [""]
    scale = size / 8
    return max(len(line) for line in lines) * _CHAR * scale, len(lines) * _LINE * scale


def _host_text(net: Topology, name: str) -> str:
    node = net.nodes[name]
    ifaces = [i for i in node.interfaces.values() if i.ip is not None]
    parts = [name]
    for iface in ifaces:
        state = "" if iface.up else " (down)"
        prefix = f"{iface.name} " if len(ifaces) > 1 else ""
        parts.append(f"{prefix}{iface.ip}{state}")
    return "\n".join(parts)


def _segment_title(switch: Switch) -> str:
    subnet = str(switch.subnet) if switch.subnet is not None else ""
    if switch.label and switch.label.lower() in _COLOUR_WORDS:
        return f"{switch.label} neighbourhood {subnet}".strip()
    if switch.label:
        return f"{switch.label} {subnet}".strip()
    return subnet or switch.name


def _layout(net: Topology) -> _Layout:
    """Place every node: segments and routers by a layered layout of the segment graph,
    each switch's hosts on an arc around it, on the side away from the rest of the network."""
    order = {name: i for i, name in enumerate(net.nodes)}
    satellites: dict[str, list[str]] = {name: [] for name in net.switches}
    owner: dict[str, str] = {}
    for name in net.hosts:
        peers = [net.peer(name, iface) for iface in net.nodes[name].interfaces]
        peers = [p for p in peers if p is not None]
        switches = {p[0] for p in peers if isinstance(net.nodes[p[0]], Switch)}
        if len(switches) == 1 and len(peers) == len([p for p in peers if p[0] in switches]):
            (switch,) = switches
            satellites[switch].append(name)
            owner[name] = switch
    graph = nx.Graph()
    graph.add_nodes_from(n for n in net.nodes if n not in owner)
    for link in net.links:
        a, b = owner.get(link.a[0], link.a[0]), owner.get(link.b[0], link.b[0])
        if a != b:
            graph.add_edge(a, b)

    layout = _Layout()
    used_colours = {_COLOUR_WORDS[s.label.lower()] for s in net.switches.values()
                    if s.label and s.label.lower() in _COLOUR_WORDS}
    free_colours = [c for c in _REGION_ORDER if c not in used_colours] or list(_REGION_ORDER)
    y_offset = 0.0
    components = sorted(nx.connected_components(graph), key=lambda c: min(order[n] for n in c))
    for comp in components:
        switches = [n for n in comp if n in net.switches]
        root = min(switches or comp, key=order.__getitem__)
        layers: list[list[str]] = []
        for layer in nx.bfs_layers(graph, root):
            if layers:
                prev = {n: i for i, n in enumerate(layers[-1])}

                def barycentre(n: str) -> tuple[float, int]:
                    parents = [prev[m] for m in graph[n] if m in prev]
                    return (sum(parents) / len(parents) if parents else 0.0, order[n])
                layer = sorted(layer, key=barycentre)
            else:
                layer = sorted(layer, key=order.__getitem__)
            layers.append(layer)
        depth = {n: i for i, layer in enumerate(layers) for n in layer}

        sides: dict[str, str] = {}
        for sw in switches:
            before = any(depth[m] < depth[sw] for m in graph[sw])
            after = any(depth[m] > depth[sw] for m in graph[sw])
            sides[sw] = ("around" if not graph[sw] else "below" if before and after
                         else "left" if after else "right")
        arcs = {sw: _arc(len(satellites[sw]), sides[sw]) for sw in switches}

        def reach(n: str, side: str) -> float:
            """How far labels and hosts stick out of node ``n`` towards ``side``."""
            if n in arcs and sides[n] == side:
                width = max((_text_size(_host_text(net, h))[0] for h in satellites[n]),
                            default=0)
                return arcs[n][0] + 0.5 + width
            facing = []
            for iface in net.nodes[n].interfaces if n in net.routers else ():
                far = net.peer(n, iface)
                step = depth[owner.get(far[0], far[0])] - depth[n] if far else 0
                if (step < 0) if side == "left" else (step > 0):
                    facing.append(_text_size(_iface_text(net, n, iface), _PT_IFACE)[0])
            return 0.5 + max(facing, default=0.0)

        def height(n: str) -> float:
            if n not in arcs or not satellites[n]:
                return 2.4
            radius, angles = arcs[n]
            ys = [radius * math.sin(a) for a in angles]
            return max(2.4, max(ys) - min(ys) + 2.0)

        pitch = max(height(n) for n in comp)
        xs = [reach(n, "left") for n in layers[0]]
        layer_x = [max(xs) if xs else 0.0]
        for i in range(1, len(layers)):
            gap = max(reach(n, "right") for n in layers[i - 1]) + max(
                reach(n, "left") for n in layers[i]) + 0.4
            layer_x.append(layer_x[-1] + max(_LAYER_GAP, gap))
        fold = _fold(layer_x, reach(layers[-1][0], "right"), pitch)
        for i, layer in enumerate(layers):
            x, y = layer_x[i], y_offset
            if fold is not None and i >= fold:
                # The second row runs back right to left under the first one.
                x = layer_x[fold - 1] - (layer_x[i] - layer_x[fold])
                y = y_offset - max(layer_x[fold] - layer_x[fold - 1], pitch)
            for j, n in enumerate(layer):
                layout.pos[n] = (x, y - (j - (len(layer) - 1) / 2) * pitch)
                if n in sides and fold is not None:
                    sides[n] = ({"left": "right", "right": "left"}.get(sides[n], sides[n])
                                if depth[n] >= fold else
                                "above" if sides[n] == "below" else sides[n])
                    arcs[n] = _arc(len(satellites[n]), sides[n])
        for sw in sorted(switches, key=order.__getitem__):
            sx, sy = layout.pos[sw]
            radius, angles = arcs[sw]
            for host, angle in zip(satellites[sw], angles):
                layout.pos[host] = (sx + radius * math.cos(angle), sy + radius * math.sin(angle))
                layout.host_angle[host] = angle
            switch = net.switches[sw]
            word = (switch.label or "").lower()
            colour = OKABE_ITO[_COLOUR_WORDS[word]] if word in _COLOUR_WORDS else OKABE_ITO[
                free_colours[len(layout.segments) % len(free_colours)]]
            layout.segments[sw] = _Segment(sw, satellites[sw], colour,
                                           _HATCHES[len(layout.segments) % len(_HATCHES)],
                                           _segment_title(switch), sides[sw])
        ys = [layout.pos[n][1] for n in comp] + [layout.pos[h][1] for s in switches
                                                  for h in satellites[s]]
        y_offset = min(ys) - pitch - 1.5
    for seg in layout.segments.values():
        seg.box = _segment_box(net, layout, seg)
    layout.extent = _extent(net, layout)
    return layout


def _fold(layer_x: list[float], tail: float, pitch: float) -> int | None:
    """The first layer of a second row when one row of layers would be too wide for a
    notebook page and too flat to read, or None. ``tail`` is how far the last layer's
    labels reach beyond it; ``pitch``, the height of one row."""
    width = layer_x[-1] + tail
    if len(layer_x) < 4 or width * _UNIT_INCH <= _MAX_WIDTH or width < 2.5 * pitch * 2:
        return None
    # The first row keeps the longer half, so the second fits under it.
    return next(k for k in range(2, len(layer_x))
                if layer_x[-1] - layer_x[k] <= layer_x[k - 1])


def _arc(count: int, side: str) -> tuple[float, list[float]]:
    """Radius and angles (radians) for ``count`` hosts around a switch, first host first."""
    if count == 0:
        return 2.0, []
    if side == "around":
        step = 360 / count
        angles = [180 + i * step for i in range(count)]
    else:
        centre = {"left": 180, "right": 0, "below": 270, "above": 90}[side]
        span = min(160.0, 55.0 * (count - 1))
        step = span / (count - 1) if count > 1 else 0.0
        sign = -1 if side == "right" else 1
        angles = [centre + sign * (-span / 2 + i * step) for i in range(count)]
    radius = 2.3 if count == 1 else max(2.6, 1.8 / (2 * math.sin(math.radians(step) / 2)))
    return radius, [math.radians(a) for a in angles]


def _host_label_anchor(layout: _Layout, host: str) -> tuple[float, float, str, str]:
    x, y = layout.pos[host]
    angle = layout.host_angle.get(host, -math.pi / 2)
    dx, dy = math.cos(angle), math.sin(angle)
    ha = "left" if dx > 0.35 else "right" if dx < -0.35 else "center"
    va = "bottom" if dy > 0.35 else "top" if dy < -0.35 else "center"
    return x + 0.45 * dx, y + 0.45 * dy, ha, va


def _text_box(x: float, y: float, ha: str, va: str, text: str,
              size: float = 8) -> tuple[float, float, float, float]:
    w, h = _text_size(text, size)
    x0 = {"left": x, "right": x - w, "center": x - w / 2}[ha]
    y0 = {"bottom": y, "top": y - h, "center": y - h / 2}[va]
    return x0, y0, x0 + w, y0 + h


def _switch_label_anchor(layout: _Layout, sw: str) -> tuple[float, float, str, str]:
    x, y = layout.pos[sw]
    side = layout.segments[sw].side
    if side == "left":
        return x + 0.3, y - 0.4, "left", "top"
    if side == "right":
        return x - 0.3, y - 0.4, "right", "top"
    if side == "below":
        return x + 0.4, y + 0.4, "left", "bottom"
    if side == "above":
        return x + 0.4, y - 0.4, "left", "top"
    return x, y - 0.5, "center", "top"


def _segment_box(net: Topology, layout: _Layout, seg: _Segment) -> tuple[float, float, float,
                                                                          float]:
    boxes = [_text_box(*_switch_label_anchor(layout, seg.switch), seg.switch)]
    for host in seg.hosts:
        boxes.append(_text_box(*_host_label_anchor(layout, host), _host_text(net, host)))
    points = [layout.pos[n] for n in [seg.switch, *seg.hosts]]
    x0 = min([p[0] - 0.4 for p in points] + [b[0] for b in boxes]) - 0.25
    x1 = max([p[0] + 0.4 for p in points] + [b[2] for b in boxes]) + 0.25
    y0 = min([p[1] - 0.4 for p in points] + [b[1] for b in boxes]) - 0.25
    y1 = max([p[1] + 0.4 for p in points] + [b[3] for b in boxes]) + 0.25
    title_w, title_h = _text_size(seg.title, _PT_REGION)
    if x1 - x0 < title_w + 0.4:
        grow = (title_w + 0.4 - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    return x0, y0, x1, y1 + title_h + 0.15


def _extent(net: Topology, layout: _Layout) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for seg in layout.segments.values():
        xs += [seg.box[0], seg.box[2]]
        ys += [seg.box[1], seg.box[3]]
    for name in net.nodes:
        if name in layout.pos:
            x, y = layout.pos[name]
            xs += [x - 0.9, x + 0.9]
            ys += [y - 0.9, y + 0.9]
        if name in net.routers:
            x0, y0, x1, y1 = _text_box(*_router_label_anchor(net, layout, name), name,
                                       _PT_ROUTER)
            xs += [x0, x1]
            ys += [y0, y1]
    return min(xs) - 0.3, min(ys) - 0.3, max(xs) + 0.3, max(ys) + 0.3


_TOP_IN, _BOTTOM_IN = 0.8, 0.55   # room for a three-line title and a two-row legend


def network_axes(net: Topology, figure: Figure | None = None, *,
                 trace: Trace | None = None) -> Axes:
    """A new Axes sized for drawing ``net``, on ``figure`` or on a new pyplot figure.

    Pass a :class:`matplotlib.figure.Figure` to stay clear of pyplot (as the
    explorer widget does); its size is set to fit the network, at most a
    notebook page wide. With ``trace``, sized for the part of the network the
    trace touches, which is what :func:`draw_trace` shows.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> from matplotlib.figure import Figure
    >>> ax = network_axes(kp.load_topology("seed-neighborhoods"), Figure())
    >>> width, height = ax.figure.get_size_inches()
    >>> bool(width > height)
    True
    """
    layout = _layout(net)
    x0, y0, x1, y1 = layout.extent if trace is None else _trace_extent(net, layout, trace)
    width, height = (x1 - x0) * _UNIT_INCH, (y1 - y0) * _UNIT_INCH
    # A small network (or the corner a trace shows) is drawn larger, up to a page wide.
    scale = min(1.5, _MAX_WIDTH / width, 8.0 / height)
    return _new_axes(None, (max(width * scale, 6.5), height * scale + _TOP_IN + _BOTTOM_IN),
                     figure)


def _new_axes(ax: Axes | None, figsize: tuple[float, float], figure: Figure | None = None,
              top: float = _TOP_IN, bottom: float = _BOTTOM_IN) -> Axes:
    """``ax`` itself, or an Axes filling a new figure but for room above and below."""
    if ax is not None:
        return ax
    if figure is None:
        import matplotlib.pyplot as plt

        figure = plt.figure(figsize=figsize)
    else:
        figure.set_size_inches(*figsize)
    width, height = figsize
    return figure.add_axes((0.01, bottom / height, 0.98, 1 - (top + bottom) / height))


def _font_scale(ax: Axes, extent: tuple[float, float, float, float], unit_inch: float) -> float:
    """How much to scale fonts so labels keep their size relative to the drawing."""
    box = ax.get_position()
    width = box.width * ax.figure.get_figwidth()
    height = box.height * ax.figure.get_figheight()
    x0, y0, x1, y1 = extent
    per_unit = min(width / (x1 - x0), height / (y1 - y0))
    return min(1.25, max(0.55, per_unit / unit_inch))


# -- drawing the network ---------------------------------------------------------


_Box = tuple[float, float, float, float]     # x0, y0, x1, y1 in layout units
_LABEL_Z = 7    # labels above the arrows of a trace (5, 6), below its hop numbers (8, 9)


def _draw_network(net: Topology, ax: Axes, layout: _Layout, faded: bool,
                  extent: _Box | None = None) -> tuple[float, list[_Box]]:
    """Draw the network showing ``extent`` (default: all of it); return the font scale used
    and the boxes taken by nodes and labels, for what is drawn on top to avoid."""
    extent = extent or layout.extent
    fs = _font_scale(ax, extent, _UNIT_INCH)
    taken_boxes: list[_Box] = []
    labels: list[tuple[Text, _Box]] = []

    def label(box: _Box) -> None:
        """Note the box the text just drawn takes."""
        taken_boxes.append(box)
        labels.append((ax.texts[-1], box))
    ink = "#666666" if faded else "#111111"
    fill_alpha = 0.10 if faded else 0.18
    for seg in layout.segments.values():
        x0, y0, x1, y1 = seg.box
        shape = dict(xy=(x0, y0), width=x1 - x0, height=y1 - y0,
                     boxstyle="round,pad=0,rounding_size=0.5", zorder=0)
        ax.add_patch(FancyBboxPatch(**shape, facecolor=seg.colour, alpha=fill_alpha,
                                    edgecolor="none"))
        ax.add_patch(FancyBboxPatch(**shape, facecolor="none", edgecolor=seg.colour,
                                    hatch=seg.hatch, linewidth=0, alpha=0.3 if faded else 0.5))
        ax.add_patch(FancyBboxPatch(**shape, facecolor="none", edgecolor=seg.colour,
                                    linewidth=1.6, alpha=0.6 if faded else 1.0,
                                    gid=f"segment:{seg.switch}"))
        ax.text(x0 + 0.3, y1 - 0.12, seg.title, ha="left", va="top", fontsize=_PT_REGION * fs,
                fontweight="bold", color=ink, zorder=_LABEL_Z, bbox=_LABEL_BOX)
        label(_text_box(x0 + 0.3, y1 - 0.12, "left", "top", seg.title, _PT_REGION))
    for link in net.links:
        (na, ia), (nb, ib) = link.a, link.b
        (xa, ya), (xb, yb) = layout.pos[na], layout.pos[nb]
        down = not (net.nodes[na].interfaces[ia].up and net.nodes[nb].interfaces[ib].up)
        ax.plot([xa, xb], [ya, yb], color=_CABLE, linewidth=1.3, linestyle=":" if down else "-",
                alpha=0.6 if faded else 1.0, zorder=1, solid_capstyle="round")
        length = math.dist((xa, ya), (xb, yb))
        taken: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        for node, iface, far in ((na, ia, nb), (nb, ib, na)):
            if node in net.routers:
                angles = _link_angles(net, layout, node)
                own = math.atan2(layout.pos[far][1] - layout.pos[node][1],
                                 layout.pos[far][0] - layout.pos[node][0])
                others = [a for a in angles if abs(_angle_gap(a, own)) > 1e-6]
                side = max((1, -1), key=lambda sgn: (min(
                    (abs(_angle_gap(own + sgn * math.pi / 2, a)) for a in others),
                    default=math.pi), _reads_above(own, sgn)))
                text = _iface_text(net, node, iface)
                start = 0.42 if len(angles) <= 2 else 0.9
                end = start + _text_size(text, _PT_IFACE)[0]
                taken[_reads_above(own, side)].append(
                    (start, end) if node == na else (length - end, length - start))
                label(_edge_text(ax, layout.pos[node], layout.pos[far], start, side,
                                              text, ink, fs))
        if not any(isinstance(net.nodes[n], Switch) for n in (na, nb)):
            ipa, ipb = net.nodes[na].interfaces[ia].ip, net.nodes[nb].interfaces[ib].ip
            if ipa is not None and ipb is not None and ipa.network == ipb.network:
                # The subnet goes in the widest stretch of cable the door labels leave free.
                own = math.atan2(yb - ya, xb - xa)
                gaps = []
                for is_above, spans in taken.items():
                    edges = [0.4] + [x for span in sorted(spans) for x in span] + [length - 0.4]
                    for lo, hi in zip(edges[::2], edges[1::2]):
                        gaps.append((hi - lo, not is_above, (lo + hi) / 2, is_above))
                _, _, middle, is_above = max(gaps)
                label(_edge_text(
                    ax, (xa, ya), (xb, yb), middle, 1 if _reads_above(own, 1) == is_above
                    else -1, str(ipa.network), ink, fs, style="italic", centred=True))
    alpha = 0.7 if faded else 1.0
    for name, node in net.nodes.items():
        x, y = layout.pos[name]
        taken_boxes.append((x - 0.3, y - 0.3, x + 0.3, y + 0.3))
        if isinstance(node, Switch):
            seg = layout.segments[name]
            ax.scatter([x], [y], s=380 * fs**2, marker="o", facecolor=seg.colour, edgecolor="black",
                       linewidth=1.2, zorder=3, alpha=alpha, gid=f"switch:{name}")
            anchor = _switch_label_anchor(layout, name)
            ax.text(*anchor[:2], name, ha=anchor[2], va=anchor[3], fontsize=_PT_HOST * fs,
                    color=ink, zorder=_LABEL_Z, bbox=_LABEL_BOX)
            label(_text_box(*anchor, name))
        elif name in net.routers:
            ax.scatter([x], [y], s=300 * fs**2, marker="D", facecolor="white", edgecolor="black",
                       linewidth=1.6, zorder=3, alpha=alpha, gid=f"router:{name}")
            anchor = _router_label_anchor(net, layout, name)
            ax.text(*anchor[:2], name, ha=anchor[2], va=anchor[3], fontsize=_PT_ROUTER * fs,
                    fontweight="bold", color=ink, zorder=_LABEL_Z, bbox=_LABEL_BOX)
            label(_text_box(*anchor, name, _PT_ROUTER))
        else:
            owner = next((s for s in layout.segments.values() if name in s.hosts), None)
            ax.scatter([x], [y], s=260 * fs**2, marker="s", linewidth=1.2, zorder=3, alpha=alpha,
                       facecolor=owner.colour if owner else "white", edgecolor="black",
                       gid=f"host:{name}")
            anchor = _host_label_anchor(layout, name)
            text = _host_text(net, name)
            ax.text(*anchor[:2], text, ha=anchor[2], va=anchor[3], fontsize=_PT_HOST * fs,
                    color=ink, zorder=_LABEL_Z, linespacing=1.15, bbox=_LABEL_BOX)
            label(_text_box(*anchor, text))
    x0, y0, x1, y1 = extent
    for text, (bx0, by0, bx1, by1) in labels:
        # Outside a zoomed view, a label would be cut in the middle of a word: leave it out.
        text.set_visible(bx0 >= x0 - 0.1 and by0 >= y0 - 0.1 and bx1 <= x1 + 0.1
                         and by1 <= y1 + 0.1)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fs, taken_boxes


def _iface_text(net: Topology, node: str, iface: str) -> str:
    interface = net.nodes[node].interfaces[iface]
    state = "" if interface.up else " down"
    return f"{iface}{state}\n{interface.ip.ip}" if interface.ip else f"{iface}{state}"


def _router_label_anchor(net: Topology, layout: _Layout, name: str) -> tuple[float, float,
                                                                              str, str]:
    """Where a router's name goes: beside it, clear of its cables, and above or below the
    door labels that run along its cables."""
    x, y = layout.pos[name]
    cx, cy = _free_direction(net, layout, name, 0)
    out = 0.5 + (_text_size("eth0\n10.0.0.1", _PT_IFACE)[1] if abs(cy) >= 0.3 else 0.0)
    return (x + out * cx, y + out * cy,
            "center" if abs(cx) < 0.3 else "left" if cx > 0 else "right",
            "center" if abs(cy) < 0.3 else "bottom" if cy > 0 else "top")


def _link_angles(net: Topology, layout: _Layout, node: str) -> list[float]:
    """Directions (radians) of the cables leaving ``node``."""
    x, y = layout.pos[node]
    far = [net.peer(node, iface) for iface in net.nodes[node].interfaces]
    return [math.atan2(layout.pos[f[0]][1] - y, layout.pos[f[0]][0] - x) for f in far if f]


def _free_direction(net: Topology, layout: _Layout, node: str, rank: int) -> tuple[float, float]:
    """The ``rank``-th direction (unit vector) around ``node`` clear of its cables and labels:
    rank 0 holds a router's name; marks for what happens at a node take the next ones."""
    taken = _link_angles(net, layout, node)
    if node in layout.host_angle:
        taken.append(layout.host_angle[node])
    elif node in layout.segments:
        lx, ly, _, _ = _switch_label_anchor(layout, node)
        taken.append(math.atan2(ly - layout.pos[node][1], lx - layout.pos[node][0]))
    free = [c for c in (90, 270, 45, 135, 315, 225, 0, 180)
            if all(abs(_angle_gap(math.radians(c), a)) >= math.radians(50) for a in taken)]
    pick = math.radians(free[rank % len(free)] if free else 90 + 40 * rank)
    return math.cos(pick), math.sin(pick)


def _angle_gap(a: float, b: float) -> float:
    return (a - b + math.pi) % (2 * math.pi) - math.pi


def _reads_above(angle: float, side: int) -> bool:
    """True when the ``side`` normal of a line at ``angle`` points up on the page."""
    normal = angle + side * math.pi / 2
    return math.sin(normal) > 1e-9 or (abs(math.sin(normal)) <= 1e-9 and math.cos(normal) < 0)


def _edge_text(ax: Axes, start: tuple[float, float], end: tuple[float, float],
               along: float, side: int, text: str, colour: str, fs: float,
               style: str = "normal", centred: bool = False) -> _Box:
    """Write ``text`` beside the cable start→end, starting (or centred, if ``centred``)
    ``along`` units from ``start``, on the ``side`` normal (+1: left of the direction of
    travel), rotated with the cable so it reads left to right."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    nx_, ny_ = -uy * side, ux * side
    x, y = start[0] + ux * along + nx_ * 0.1, start[1] + uy * along + ny_ * 0.1
    flip = ux < -1e-9 or (abs(ux) < 1e-9 and uy < 0)
    angle = math.degrees(math.atan2(uy, ux)) + (180 if flip else 0)
    up_x, up_y = -math.sin(math.radians(angle)), math.cos(math.radians(angle))
    ha = "center" if centred else ("right" if flip else "left")
    ax.text(x, y, text, ha=ha, va="bottom" if nx_ * up_x + ny_ * up_y > 0 else "top",
            rotation=angle, rotation_mode="anchor", fontsize=_PT_IFACE * fs, color=colour,
            style=style, zorder=_LABEL_Z, linespacing=1.1,
            bbox=dict(_LABEL_BOX, boxstyle="round,pad=0.1"))
    # The box the text takes: along the cable from where it starts, out on its side.
    w, h = _text_size(text, _PT_IFACE)
    a = along - (w / 2 if centred else 0.0)
    corners = [(start[0] + ux * (a + s) + nx_ * (0.1 + o), start[1] + uy * (a + s) + ny_ * (0.1 + o))
               for s in (0.0, w) for o in (0.0, h)]
    return (min(c[0] for c in corners), min(c[1] for c in corners),
            max(c[0] for c in corners), max(c[1] for c in corners))


def _shape_legend() -> list:
    return [Line2D([], [], linestyle="", marker=m, markersize=9, markerfacecolor="white",
                   markeredgecolor="black", label=text)
            for m, text in (("s", "host (house)"), ("o", "switch (fountain)"),
                            ("D", "router (gatekeeper)"))]


def draw_topology(net: Topology | Cluster, ax: Axes | None = None) -> Axes:
    """Draw the network, each neighbourhood as a shaded, hatched region with its subnet.

    Parameters
    ----------
    net : Topology
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized for the network when omitted.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import kpath_nb as kp
    >>> ax = draw_topology(kp.load_topology("seed-neighborhoods"))
    >>> "blue neighbourhood 10.0.10.0/24" in [t.get_text() for t in ax.texts]
    True
    """
    if isinstance(net, Cluster):
        from .clusterplot import draw_cluster

        return draw_cluster(net, ax=ax)
    ax = ax if ax is not None else network_axes(net)
    _draw_network(net, ax, _layout(net), faded=False)
    counts = ", ".join(f"{n} {what}{'' if n == 1 else plural}" for n, what, plural in (
        (len(net.hosts), "host", "s"), (len(net.switches), "switch", "es"),
        (len(net.routers), "router", "s")))
    ax.set_title(f"{net.name}: {counts}", fontsize=10)
    ax.legend(handles=_shape_legend(), loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3,
              fontsize=8, frameon=False)
    return ax


# -- drawing a trace ---------------------------------------------------------------


def _hop_kind(hop: Hop) -> str:
    return "arp" if hop.packet.get(ARP) is not None else "data"


def _hop_edges(net: Topology, hop: Hop) -> list[tuple[str, str]]:
    """The cables a hop sends its frame along, as (from node, to node)."""
    ports = [hop.out_iface] if hop.out_iface else list(hop.flooded)
    edges = []
    for port in ports:
        far = net.peer(hop.node, port)
        if far is not None:
            edges.append((hop.node, far[0]))
    return edges


_Point = tuple[float, float]
_Curve = tuple[_Point, _Point, _Point]      # a quadratic Bézier: start, control, end


def _arrow_style(direction: str, kind: str, current: bool) -> dict:
    """Line style, width and colour of an arrow's shaft, and its head's length and half
    width in points. Heads are solid whatever the shaft, so none looks like a drop mark."""
    if current:
        return dict(linestyle="-", linewidth=3.6, color=_HIGHLIGHT, head=(11.0, 6.0))
    if kind == "arp":
        return dict(linestyle=":" if direction == "request" else "-.", linewidth=1.5,
                    color=_ARP_COLOUR, head=(7.0, 3.5))
    return dict(linestyle="-" if direction == "request" else (0, (5, 2.5)), linewidth=2.0,
                color=_REQUEST if direction == "request" else _REPLY, head=(8.0, 4.0))


def _curve(start: _Point, end: _Point, bulge: float) -> _Curve:
    """The curve from ``start`` to ``end`` whose middle lies ``bulge`` units to the right of
    the straight line."""
    (x1, y1), (x2, y2) = start, end
    length = math.dist(start, end) or 1.0
    k = 2 * bulge / length
    return start, ((x1 + x2) / 2 + k * (y2 - y1), (y1 + y2) / 2 - k * (x2 - x1)), end


def _blossom(curve: _Curve, a: float, b: float) -> _Point:
    """The polar form of the curve: ``_blossom(c, t, t)`` is the point at ``t`` and the
    piece from ``a`` to ``b`` has control point ``_blossom(c, a, b)``."""
    (x0, y0), (x1, y1), (x2, y2) = curve
    w0, w1, w2 = (1 - a) * (1 - b), (1 - a) * b + a * (1 - b), a * b
    return w0 * x0 + w1 * x1 + w2 * x2, w0 * y0 + w1 * y1 + w2 * y2


def _t_at(curve: _Curve, distance: float, from_end: bool = False) -> float:
    """The curve parameter ``distance`` units (along the curve) from its start or end."""
    steps = 64
    points = [_blossom(curve, i / steps, i / steps) for i in range(steps + 1)]
    if from_end:
        points.reverse()
    walked = 0.0
    for i in range(steps):
        piece = math.dist(points[i], points[i + 1])
        if walked + piece >= distance:
            t = (i + (distance - walked) / (piece or 1.0)) / steps
            return 1 - t if from_end else t
        walked += piece
    return 0.0 if from_end else 1.0


def _overlap(a: _Box, b: _Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1],
                                                                                        b[1]))


def _trace_extent(net: Topology, layout: _Layout, tr: Trace) -> _Box:
    """The part of the picture a trace needs: the neighbourhoods and routers it touches, or
    the whole network when that is most of it."""
    touched = {hop.node for hop in tr.hops} | {far for hop in tr.hops
                                               for _, far in _hop_edges(net, hop)}
    boxes = []
    for seg in layout.segments.values():
        if touched & {seg.switch, *seg.hosts}:
            boxes.append(seg.box)
    for name in sorted(touched):
        x, y = layout.pos[name]
        boxes.append((x - 0.9, y - 0.9, x + 0.9, y + 0.9))
        if name in net.routers:
            boxes.append(_text_box(*_router_label_anchor(net, layout, name), name, _PT_ROUTER))
            for iface in net.nodes[name].interfaces:
                far = net.peer(name, iface)
                if far is None:
                    continue
                (fx, fy), reach = layout.pos[far[0]], 0.6 + _text_size(
                    _iface_text(net, name, iface), _PT_IFACE)[0]
                length = math.dist((x, y), (fx, fy)) or 1.0
                ex, ey = x + (fx - x) / length * reach, y + (fy - y) / length * reach
                boxes.append((min(x, ex) - 0.6, min(y, ey) - 0.6, max(x, ex) + 0.6,
                              max(y, ey) + 0.6))
    x0, y0, x1, y1 = layout.extent
    zoom = (max(x0, min(b[0] for b in boxes) - 0.3), max(y0, min(b[1] for b in boxes) - 0.3),
            min(x1, max(b[2] for b in boxes) + 0.3), min(y1, max(b[3] for b in boxes) + 0.3))
    if (zoom[2] - zoom[0]) * (zoom[3] - zoom[1]) > 0.7 * (x1 - x0) * (y1 - y0):
        return layout.extent
    return zoom


def _hop_numbers(numbers: list[int]) -> str:
    if len(numbers) <= 3:
        return ", ".join(map(str, numbers))
    return f"{numbers[0]}, {numbers[1]}…{numbers[-1]} ×{len(numbers)}"


def _chars_across(ax: Axes) -> int:
    """About how many 10-point characters fit across the figure of ``ax``."""
    return int(ax.figure.get_figwidth() * 72 / 5.6)


def _wrap(text: str, width: int = 100) -> str:
    return "\n".join(textwrap.wrap(text, width)) if text else ""


def draw_trace(net: Topology | Cluster, tr: Trace, ax: Axes | None = None, upto: int | None = None) -> Axes:
    """Draw a trace over the network: one numbered arrow per hop, along the cables.

    Request hops are solid, reply hops dashed, ARP frames thin and dotted;
    hop ``upto`` is drawn thick in vermillion with its number in a circle, and a
    dropped packet gets an X at the node that dropped it. Arrows curve, so hops
    back and forth on one cable do not overlap; repeated trips along one cable
    (a routing loop) share one arrow listing their hop numbers.

    Parameters
    ----------
    net : Topology
        The network the trace was made on.
    tr : Trace
    ax : matplotlib Axes, optional
    upto : int, optional
        Draw hops 0..upto and highlight hop ``upto``, whose note becomes the
        subtitle. Default: every hop, none highlighted, the trace's reason as subtitle.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("broken-office")
    >>> ax = draw_trace(net, kp.trace(net, "pc3", "srv1"))
    >>> [t.get_gid() for t in ax.texts if t.get_gid() and t.get_gid().startswith("drop")]
    ['drop:2']
    """
    if isinstance(net, Cluster):
        from .clusterplot import draw_cluster_trace

        return draw_cluster_trace(net, tr, ax=ax, upto=upto)
    if upto is not None and not 0 <= upto < len(tr.hops):
        raise ValueError(f"upto={upto} is outside the trace: its hops are numbered 0 to "
                         f"{len(tr.hops) - 1}")
    ax = ax if ax is not None else network_axes(net, trace=tr)
    layout = _layout(net)
    view = _trace_extent(net, layout, tr)
    fs, placed = _draw_network(net, ax, layout, faded=True, extent=view)
    box = ax.get_position()
    points_per_unit = 72 * min(box.width * ax.figure.get_figwidth() / (view[2] - view[0]),
                               box.height * ax.figure.get_figheight() / (view[3] - view[1]))
    shown = tr.hops if upto is None else tr.hops[:upto + 1]

    # One arc per (cable, direction, leg, kind), numbered by first appearance in the whole
    # trace, so arcs keep their place while the learner steps through the hops.
    slots: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for hop in tr.hops:
        for edge in _hop_edges(net, hop):
            key = (hop.direction, _hop_kind(hop))
            if key not in slots.setdefault(edge, []):
                slots[edge].append(key)
    groups: dict[tuple[tuple[str, str], tuple[str, str]], list[int]] = {}
    for hop in shown:
        if hop.index == upto:
            continue
        for edge in _hop_edges(net, hop):
            groups.setdefault((edge, (hop.direction, _hop_kind(hop))), []).append(hop.index)
    drawn: set[str] = set()      # what the legend lists
    numbered: list[_Box] = []    # where hop numbers went: others keep off them most of all

    def arrow(edge: tuple[str, str], key: tuple[str, str], current: bool) -> _Curve:
        """Draw the arrow for hops of kind ``key`` along ``edge``; return its curve."""
        slot = slots[edge].index(key)
        curve = _curve(layout.pos[edge[0]], layout.pos[edge[1]], 0.2 + 0.28 * slot)
        style = _arrow_style(key[0], key[1], current)
        drawn.add("current" if current else f"{key[1]} {key[0]}")
        clear = 11 * fs / points_per_unit       # keep clear of the node markers
        head_length, head_half = (v / points_per_unit for v in style["head"])
        t0, t1 = _t_at(curve, clear), _t_at(curve, clear + 0.7 * head_length, from_end=True)
        shaft = [_blossom(curve, t0, t0), _blossom(curve, t0, t1), _blossom(curve, t1, t1)]
        zorder = 6 if current else 5
        ax.add_patch(FancyArrowPatch(path=Path(shaft, [Path.MOVETO, Path.CURVE3, Path.CURVE3]),
                                     arrowstyle="-", color=style["color"], zorder=zorder,
                                     linestyle=style["linestyle"], linewidth=style["linewidth"],
                                     capstyle="butt", gid="current-arrow" if current else None))
        t_tip = _t_at(curve, clear, from_end=True)
        t_base = _t_at(curve, clear + head_length, from_end=True)
        (tx, ty), (bx, by) = _blossom(curve, t_tip, t_tip), _blossom(curve, t_base, t_base)
        length = math.hypot(tx - bx, ty - by) or 1.0
        nx_, ny_ = -(ty - by) / length * head_half, (tx - bx) / length * head_half
        ax.add_patch(Polygon([(tx, ty), (bx + nx_, by + ny_), (bx - nx_, by - ny_)],
                             closed=True, facecolor=style["color"], edgecolor=style["color"],
                             linewidth=0.8, linestyle="-", joinstyle="miter", zorder=zorder,
                             gid="arrowhead"))
        return curve

    def badge(curve: _Curve, label: str, gid: str, current: bool, colour: str) -> None:
        """Number an arrow where its label covers the fewest labels and numbers already
        placed: at the middle of the curve if it is free, else nearer one end."""
        size = _PT_CURRENT if current else _PT_BADGE
        w, h = _text_size(label, size)
        w, h = (max(w, h) + 0.35,) * 2 if current else (w + 0.25, h + 0.12)
        best: tuple[float, _Point, _Box] | None = None
        for t in (0.5, 0.4, 0.6, 0.32, 0.68, 0.26, 0.74):
            x, y = _blossom(curve, t, t)
            spot = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            cost = (sum(_overlap(spot, other) for other in placed)
                    + 4 * sum(_overlap(spot, other) for other in numbered))
            if best is None or cost < best[0] - 1e-9:
                best = (cost, (x, y), spot)
            if cost == 0:
                break
        numbered.append(best[2])
        box = (dict(boxstyle="circle,pad=0.25", facecolor=_HIGHLIGHT, edgecolor="black")
               if current else dict(boxstyle="round,pad=0.15", facecolor="white",
                                    edgecolor=colour, linewidth=0.9))
        ax.text(*best[1], label, ha="center", va="center", fontsize=size * fs,
                fontweight="bold", color="white" if current else "black", bbox=box,
                zorder=9 if current else 8, gid=gid, clip_on=True)

    # Place numbers in hop order, so stepping on never moves the numbers already shown.
    events: list[tuple[int, object]] = [(numbers[0], group) for group, numbers in groups.items()]
    events += [(hop.index, hop) for hop in shown if hop.index == upto or not _hop_edges(net, hop)]
    at_node: list[str] = []
    for _, event in sorted(events, key=lambda e: (e[0], isinstance(e[1], Hop))):
        if not isinstance(event, Hop):
            edge, key = event
            numbers = groups[event]
            curve = arrow(edge, key, False)
            badge(curve, _hop_numbers(numbers), "hops:" + ",".join(map(str, numbers)), False,
                  _arrow_style(key[0], key[1], False)["color"])
            continue
        hop, current = event, event.index == upto
        edges = _hop_edges(net, hop)
        for edge in edges:
            badge(arrow(edge, (hop.direction, _hop_kind(hop)), True), str(hop.index),
                  f"current:{hop.index}", True, _HIGHLIGHT)
        if edges:
            continue
        x, y = layout.pos[hop.node]
        dx, dy = _free_direction(net, layout, hop.node, at_node.count(hop.node) + (
            1 if hop.node in net.routers else 0))
        at_node.append(hop.node)
        if hop.action == "drop":
            drawn.add("drop")
            ax.scatter([x], [y], s=500 * fs**2, marker="X", color=_HIGHLIGHT, edgecolor="black",
                       linewidth=1.0, zorder=9, gid="drop-marker")
        if current:
            drawn.add("current")
        text = f"{hop.index}" + {"drop": " ✗ drop", "deliver": " ✓"}.get(hop.action,
                                                                        f" {hop.action}")
        size = _PT_CURRENT if current else _PT_BADGE
        anchor = (x + 0.6 * dx, y + 0.6 * dy,
                  "center" if abs(dx) < 0.3 else "left" if dx > 0 else "right",
                  "center" if abs(dy) < 0.3 else "bottom" if dy > 0 else "top")
        numbered.append(_text_box(*anchor, text, size))
        ax.text(*anchor[:2], text, ha=anchor[2], va=anchor[3], fontsize=size * fs,
                fontweight="bold", color="white" if current else "black", zorder=9,
                bbox=dict(boxstyle="round,pad=0.2", facecolor=_HIGHLIGHT if current else "white",
                          edgecolor="black", linewidth=1.2 if current else 0.8),
                gid=f"{'drop' if hop.action == 'drop' else 'current' if current else 'hops'}:"
                    f"{hop.index}")

    title = f"{tr.src} → {tr.dst}: {tr.verdict}"
    if upto is not None:
        hop = tr.hops[upto]
        subtitle = f"hop {hop.index} · {hop.node} · {hop.action}: {hop.note or hop.action}"
    else:
        subtitle = tr.reason
    ax.set_title(f"{title}\n{_wrap(subtitle, _chars_across(ax))}", fontsize=10, loc="center")
    entries = {
        "data request": dict(color=_REQUEST, linewidth=2, label="request"),
        "data reply": dict(color=_REPLY, linewidth=2, linestyle=(0, (5, 2.5)), label="reply"),
        "arp request": dict(color=_ARP_COLOUR, linewidth=1.5, linestyle=":",
                            label="ARP frame"),
        "arp reply": dict(color=_ARP_COLOUR, linewidth=1.5, linestyle="-.",
                          label="ARP frame (reply leg)"),
        "current": dict(color=_HIGHLIGHT, linewidth=3.6, label="this hop"),
        "drop": dict(linestyle="", marker="X", markersize=10, color=_HIGHLIGHT,
                     markeredgecolor="black", label="dropped here"),
    }
    legend = [Line2D([], [], **entry) for name, entry in entries.items() if name in drawn]
    ax.legend(handles=[*legend, *_shape_legend()], loc="upper center",
              bbox_to_anchor=(0.5, 0.0), ncol=max(2, min(4, int(_chars_across(ax) / 24))),
              fontsize=8.5, frameon=False, handlelength=3.5)
    return ax


# -- addresses bit by bit ---------------------------------------------------------

_NETWORK_FILL, _HOST_FILL = OKABE_ITO["sky blue"], "#FBE3B0"
_MISMATCH = "#EFA36F"   # Okabe-Ito vermillion, lightened so black digits stay readable
_OCTET_GAP = 0.45


def _bit_x(i: int) -> float:
    return i + _OCTET_GAP * (i // 8)


_GRID_RIGHT = _bit_x(31) + 1


def _as_bits(value: object) -> tuple[int, int | None, str, str]:
    """The 32-bit integer, own prefix length, default label and dotted text of ``value``."""
    if isinstance(value, IPv4Network):
        return int(value.network_address), value.prefixlen, "network", str(value)
    if isinstance(value, IPv4Interface):
        return int(value.ip), value.network.prefixlen, "address", str(value)
    if isinstance(value, IPv4Address):
        return _address_bits(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot draw the bits of {value!r}: give an address string such as "
                        f"'10.0.10.14', '10.0.10.14/24' or '255.255.255.0', or an "
                        f"IPv4Address, IPv4Interface or IPv4Network")
    if "/" in value:
        iface = parse_interface(value)
        if iface.ip == iface.network.network_address and iface.network.prefixlen < 32:
            return _as_bits(parse_network(value))
        return _as_bits(iface)
    return _address_bits(parse_address(value))


def _address_bits(ip: IPv4Address) -> tuple[int, int | None, str, str]:
    n = int(ip)
    ones = f"{n:032b}".rstrip("0")
    if n >> 24 == 255 and "0" not in ones:
        return n, len(ones), "netmask", str(ip)
    return n, None, "address", str(ip)


def _grid_axes(ax: Axes | None, extent: tuple[float, float, float, float],
               width: float) -> tuple[Axes, float]:
    """An Axes showing ``extent`` at equal aspect (a new figure ``width`` inches wide when
    ``ax`` is None) and the font scale that fits it."""
    x0, y0, x1, y1 = extent
    unit = width * 0.98 / (x1 - x0)
    ax = _new_axes(ax, (width, (y1 - y0) * unit + 1.05), top=0.55, bottom=0.5)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax, _font_scale(ax, extent, unit)


_STRIP = 0.24    # height of the patterned strip along the bottom of a cell


def _bit_cells(ax: Axes, y: float, bits: str, styles: list[dict], fs: float,
               text_colours: list[str] | None = None) -> None:
    """One row of cells with their digits. A style's ``hatch`` patterns only a strip along
    the bottom of the cell, so the digit stays clear."""
    for i, bit in enumerate(bits):
        style = dict(styles[i])
        hatch = style.pop("hatch", None)
        ax.add_patch(Rectangle((_bit_x(i), y), 1, 1, **style))
        if hatch:
            ax.add_patch(Rectangle((_bit_x(i), y), 1, _STRIP, hatch=hatch, facecolor="none",
                                   edgecolor=style.get("edgecolor"), linewidth=0,
                                   zorder=style.get("zorder", 1)))
        ax.text(_bit_x(i) + 0.5, y + 0.5 + _STRIP / 4, bit, ha="center", va="center",
                fontsize=9.5 * fs, family="monospace", fontweight="bold", zorder=3, gid="bit",
                color="black" if text_colours is None else text_colours[i])


def _bit_ruler(ax: Axes, y: float, fs: float) -> None:
    for i in (0, 7, 8, 15, 16, 23, 24, 31):
        ax.text(_bit_x(i) + 0.5, y, str(i + 1), ha="center", va="bottom", fontsize=8.5 * fs,
                color="#444444")


def draw_bits(*values: object, ax: Axes | None = None, prefixlen: int | None = None,
              labels: list[str] | None = None) -> Axes:
    """Draw addresses, networks or masks as rows of 32 bits, the network part shaded.

    Parameters
    ----------
    *values : str, IPv4Address, IPv4Interface or IPv4Network
        One row each: ``"10.0.10.14"``, ``"10.0.10.14/24"``, ``"10.0.10.0/24"``,
        ``"255.255.255.0"``.
    ax : matplotlib Axes, optional
    prefixlen : int, optional
        How many leading bits are the network part, for every row. Default: each
        row's own prefix (an address with a mask, a network, a netmask), and for
        rows without one the first prefix among the values; no shading if none.
    labels : list of str, optional
        Text at the left of each row; default: what the value is (address, network, netmask).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = draw_bits("10.0.10.14/24", "255.255.255.0", "10.0.20.24")
    >>> [t.get_text() for t in ax.texts if t.get_text().startswith("10.")]
    ['10.0.10.14/24', '10.0.20.24']
    """
    if not values:
        raise ValueError("draw_bits needs at least one value, e.g. draw_bits('10.0.10.14/24')")
    if prefixlen is not None and not 0 <= prefixlen <= 32:
        raise ValueError(f"prefixlen={prefixlen}: a prefix length is between 0 and 32")
    rows = [_as_bits(v) for v in values]
    if labels is not None and len(labels) != len(rows):
        raise ValueError(f"{len(labels)} labels for {len(rows)} values; give one label per value")
    fallback = next((r[1] for r in rows if r[1] is not None), None)
    pitch = 1.45
    bit_rows = [f"{number:032b}" for number, *_ in rows]
    differ = next((i for i in range(32) if len({b[i] for b in bit_rows}) > 1), None)
    bottom = -(len(rows) - 1) * pitch - (1.5 if differ is not None else 0.3)
    ax, fs = _grid_axes(ax, (-7.5, bottom, _GRID_RIGHT + 7.5, 2.0), _MAX_WIDTH)
    shaded = False
    for row, (number, own, kind, text) in enumerate(rows):
        y = -row * pitch
        n = prefixlen if prefixlen is not None else own if own is not None else fallback
        styles = []
        for i in range(32):
            if n is None:
                styles.append(dict(facecolor="white", edgecolor="#444444", linewidth=0.8))
            elif i < n:
                styles.append(dict(facecolor=_NETWORK_FILL, edgecolor="#333333", linewidth=0.8))
            else:
                styles.append(dict(facecolor=_HOST_FILL, edgecolor="#B07800", hatch="//",
                                   linewidth=0.6))
        shaded = shaded or n is not None
        _bit_cells(ax, y, f"{number:032b}", styles, fs)
        ax.text(-0.5, y + 0.5, labels[row] if labels else kind, ha="right", va="center",
                fontsize=10 * fs)
        ax.text(_GRID_RIGHT + 0.5, y + 0.5, text, ha="left", va="center", fontsize=10 * fs,
                family="monospace")
        if n is not None and 0 < n < 32:
            ax.plot([_bit_x(n) - (_OCTET_GAP / 2 if n % 8 == 0 else 0)] * 2, [y - 0.12, y + 1.12],
                    color="black", linewidth=2.4, zorder=4)
    _bit_ruler(ax, 1.05, fs)
    if differ is not None:
        low = -(len(rows) - 1) * pitch
        ax.add_patch(Rectangle((_bit_x(differ) - 0.12, low - 0.12), 1.24, -low + 1.24,
                               facecolor="none", edgecolor=_HIGHLIGHT, linewidth=2.6, zorder=5,
                               gid="first-difference"))
        ax.annotate(f"first bit that differs: bit {differ + 1}",
                    xy=(_bit_x(differ) + 0.5, low - 0.15), xytext=(_bit_x(differ) + 0.5, low - 1.0),
                    ha="center", va="center", fontsize=10 * fs, color=_HIGHLIGHT,
                    fontweight="bold", arrowprops=dict(arrowstyle="-|>", color=_HIGHLIGHT),
                    bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"))
    if shaded:
        ax.legend(handles=[Patch(facecolor=_NETWORK_FILL, edgecolor="#333333",
                                 label="network part (neighbourhood)"),
                           Patch(facecolor=_HOST_FILL, edgecolor="#B07800", hatch="//",
                                 label="host part (house)")],
                  loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=9,
                  frameon=False)
    return ax


def draw_prefix_match(node_or_table: Host | RouteTable, destination: str | IPv4Address,
                      ax: Axes | None = None) -> Axes:
    """Show longest-prefix match bit by bit: the destination against every route.

    Each route's prefix bits are marked as agreeing or disagreeing with the
    destination (the first disagreeing bit framed in black); bits past the
    prefix length are greyed out, because the route ignores them. Of the routes
    that agree on every prefix bit, the one with the longest prefix is chosen.

    Parameters
    ----------
    node_or_table : Host, Router or RouteTable
        Whose routing table to use.
    destination : str or IPv4Address
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("longest-prefix")
    >>> ax = draw_prefix_match(net.nodes["r1"], "10.1.2.10")
    >>> [t.get_text() for t in ax.texts if t.get_text().startswith("chosen")]
    ['chosen: longest match /24']
    """
    if isinstance(node_or_table, RouteTable):
        table, owner = node_or_table, None
    elif isinstance(node_or_table, Host):
        table, owner = node_or_table.routing_table(), node_or_table.name
    else:
        raise TypeError(f"draw_prefix_match needs a host, a router or a RouteTable, not "
                        f"{type(node_or_table).__name__}; e.g. net.nodes['gatekeeper-11']")
    try:
        ip = parse_address(destination)
    except AddressError as exc:
        raise AddressError(f"destination: {exc}") from None
    checks = table.explain(ip)
    chosen = table.lookup(ip)
    dest_bits = f"{int(ip):032b}"
    pitch = 1.45
    ax, fs = _grid_axes(ax, (-11.0, -len(checks) * pitch - 0.6, _GRID_RIGHT + 12.0, 2.0),
                        _MAX_WIDTH)
    _bit_cells(ax, 0, dest_bits, [dict(facecolor="white", edgecolor="#333333", linewidth=0.9)]
               * 32, fs)
    ax.text(-0.5, 0.5, f"destination {ip}", ha="right", va="center", fontsize=9 * fs,
            fontweight="bold")
    _bit_ruler(ax, 1.05, fs)
    for row, check in enumerate(checks, start=1):
        y = -row * pitch - 0.3
        route, n = check.route, check.route.network.prefixlen
        route_bits = f"{int(route.network.network_address):032b}"
        styles, colours = [], []
        for i in range(32):
            if i >= n:
                styles.append(dict(facecolor="#EEEEEE", edgecolor="#BBBBBB", linewidth=0.6))
                colours.append("#A0A0A0")
            elif route_bits[i] == dest_bits[i]:
                styles.append(dict(facecolor="#BFE6D9", edgecolor="#333333", linewidth=0.8))
                colours.append("black")
            else:
                first = i == check.first_mismatch
                styles.append(dict(facecolor=_MISMATCH, hatch="x", edgecolor="black",
                                   linewidth=2.8 if first else 0.8, zorder=2 if first else 1))
                colours.append("black")
        is_chosen = chosen is not None and route == chosen
        if is_chosen:
            ax.add_patch(Rectangle((-10.9, y - 0.18), _GRID_RIGHT + 10.9 + 11.9, 1.36,
                                   facecolor=OKABE_ITO["yellow"], alpha=0.45, edgecolor="black",
                                   linewidth=1.2, zorder=0, gid="chosen-route"))
        _bit_cells(ax, y, route_bits, styles, fs, text_colours=colours)
        if 0 < n < 32:
            ax.plot([_bit_x(n) - (_OCTET_GAP / 2 if n % 8 == 0 else 0)] * 2,
                    [y - 0.12, y + 1.12], color="black", linewidth=2.4, zorder=4)
        name = "default" if route.is_default else str(route.network)
        via = f"via {route.via}" if route.via else f"dev {route.dev}"
        ax.text(-0.5, y + 0.5, f"{name} {via}", ha="right", va="center", fontsize=8.5 * fs,
                fontweight="bold" if is_chosen else "normal")
        if is_chosen:
            verdict = f"chosen: longest match /{n}"
        elif check.matches:
            verdict = f"matches, but /{n} is shorter"
        else:
            verdict = f"no: differs at bit {check.first_mismatch + 1}"
        ax.text(_GRID_RIGHT + 0.5, y + 0.5, verdict, ha="left", va="center", fontsize=8.5 * fs,
                fontweight="bold" if is_chosen else "normal")
    where = f" at {owner}" if owner else ""
    outcome = (f"{ip} goes {chosen.network if not chosen.is_default else 'default'}"
               f" {'via ' + str(chosen.via) if chosen.via else 'dev ' + str(chosen.dev)}"
               if chosen else f"no route covers {ip}: 'Network is unreachable'")
    ax.set_title(f"Longest-prefix match{where}: {outcome}", fontsize=10)
    ax.legend(handles=[Patch(facecolor="#BFE6D9", edgecolor="#333333",
                             label="prefix bit agrees with the destination"),
                       Patch(facecolor=_MISMATCH, hatch="x", edgecolor="black",
                             label="prefix bit differs (first one framed)"),
                       Patch(facecolor="#EEEEEE", edgecolor="#BBBBBB",
                             label="beyond the prefix: ignored")],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=8, frameon=False)
    return ax
