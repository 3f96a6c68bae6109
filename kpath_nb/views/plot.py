"""Pictures of a network (matplotlib): neighbourhoods, houses, fountains and gatekeepers.

Every function takes ``ax=None``, draws into that Axes (or into a new figure
when none is given) and returns the Axes. Nothing here calls ``plt.show()`` or
changes matplotlib's settings, and the layout is fixed (:mod:`.netlayout`): the
same network always gives the same picture.

The pictures follow the story. Each neighbourhood (an Ethernet segment: a
switch and the doors plugged into it) is a shaded, hatched region labelled
with its subnet; houses (hosts) are squares, fountains (switches) circles and
gatekeepers (routers) diamonds. Colours come from the Okabe-Ito palette, which
colour-blind readers can tell apart, and colour is never the only cue: regions
also differ by hatching. A packet's path is drawn over this picture by
:func:`kpath_nb.views.traceplot.draw_trace`.

Examples
--------
>>> import kpath_nb as kp
>>> ax = kp.draw_topology(kp.load_topology("seed-neighborhoods"))
>>> ax.get_title()
'seed-neighborhoods: 5 hosts, 2 switches, 2 routers'
"""

from __future__ import annotations

import math

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text

from ..cluster import Cluster
from ..topology import Switch, Topology
from ..trace import Trace
from .netlayout import (_MAX_WIDTH, _PT_HOST, _PT_IFACE, _PT_REGION, _PT_ROUTER, _UNIT_INCH,
                        _Box, _Layout, _angle_gap, _door_label_start, _host_label_anchor,
                        _host_text, _iface_text, _layout, _link_angles, _router_label_anchor,
                        _switch_label_anchor, _text_box, _text_size, _trace_extent)
from .palette import CABLE

__all__ = ["draw_topology", "network_axes"]

_LABEL_BOX = dict(boxstyle="round,pad=0.12", facecolor="white", edgecolor="none", alpha=0.85)
_LABEL_Z = 7    # labels above the arrows of a trace (5, 6), below its hop numbers (8, 9)
_TOP_IN, _BOTTOM_IN = 0.8, 0.55   # room for a three-line title and a two-row legend


def network_axes(net: Topology, figure: Figure | None = None, *,
                 trace: Trace | None = None) -> Axes:
    """A new Axes sized for drawing ``net``, on ``figure`` or on a new pyplot figure.

    Pass a :class:`matplotlib.figure.Figure` to stay clear of pyplot (as the
    explorer widget does); its size is set to fit the network, at most a
    notebook page wide. With ``trace``, sized for the part of the network the
    trace touches, which is what :func:`~kpath_nb.views.traceplot.draw_trace` shows.

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
        ax.plot([xa, xb], [ya, yb], color=CABLE, linewidth=1.3, linestyle=":" if down else "-",
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
                start = _door_label_start(len(angles))
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
    corners = [(start[0] + ux * (a + s) + nx_ * (0.1 + o),
                start[1] + uy * (a + s) + ny_ * (0.1 + o)) for s in (0.0, w) for o in (0.0, h)]
    return (min(c[0] for c in corners), min(c[1] for c in corners),
            max(c[0] for c in corners), max(c[1] for c in corners))


def _shape_legend() -> list:
    return [Line2D([], [], linestyle="", marker=m, markersize=9, markerfacecolor="white",
                   markeredgecolor="black", label=text)
            for m, text in (("s", "host (house)"), ("o", "switch (fountain)"),
                            ("D", "router (gatekeeper)"))]


def _facts(net: Topology) -> tuple:
    """All that a picture of ``net`` shows of it: two networks with equal facts are drawn
    alike. The explorer keeps the pictures it drew by their facts, so whatever the
    drawing here comes to show must be in them."""
    nodes = tuple((name, type(node).__name__, getattr(node, "label", None),
                   getattr(node, "subnet", None),
                   tuple((i.name, i.ip, i.up) for i in node.interfaces.values()))
                  for name, node in net.nodes.items())
    return net.name, nodes, tuple((link.a, link.b) for link in net.links)


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

