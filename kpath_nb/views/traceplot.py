"""A packet's path drawn over the network: one numbered arrow per hop, along the cables.

The network is drawn faded (:mod:`.plot`), zoomed to the part the trace touches;
the hops go over it. Request hops are solid, reply hops dashed, an ICMP error's
hops dash-dot-dotted, ARP frames thin and dotted, the hop shown now thick in
vermillion: line style and width tell them apart as well as colour does.

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
from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Polygon
from matplotlib.path import Path

from ..cluster import Cluster
from ..packet import ARP
from ..topology import Topology
from ..trace import Hop, Trace
from .netlayout import (_PT_BADGE, _PT_CURRENT, _Box, _free_direction, _hop_edges, _layout,
                        _Layout, _text_box, _text_size, _trace_extent)
from .palette import ARP_COLOUR, ERROR, ERROR_DASHES, HIGHLIGHT, REPLY, REQUEST
from .plot import _draw_network, _shape_legend, network_axes

__all__ = ["draw_trace", "backdrop", "view"]

def _hop_kind(hop: Hop) -> str:
    return "arp" if hop.packet.get(ARP) is not None else "data"

_Point = tuple[float, float]
_Curve = tuple[_Point, _Point, _Point]      # a quadratic Bézier: start, control, end


def _arrow_style(direction: str, kind: str, current: bool) -> dict:
    """Line style, width and colour of an arrow's shaft, and its head's length and half
    width in points. Heads are solid whatever the shaft, so none looks like a drop mark."""
    if current:
        return dict(linestyle="-", linewidth=3.6, color=HIGHLIGHT, head=(11.0, 6.0))
    if kind == "arp":
        return dict(linestyle=":" if direction == "request" else "-.", linewidth=1.5,
                    color=ARP_COLOUR, head=(7.0, 3.5))
    if direction == "error":
        return dict(linestyle=ERROR_DASHES, linewidth=2.0, color=ERROR, head=(8.0, 4.0))
    return dict(linestyle="-" if direction == "request" else (0, (5, 2.5)), linewidth=2.0,
                color=REQUEST if direction == "request" else REPLY, head=(8.0, 4.0))


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


def _hop_numbers(numbers: list[int]) -> str:
    if len(numbers) <= 3:
        return ", ".join(map(str, numbers))
    return f"{numbers[0]}, {numbers[1]}…{numbers[-1]} ×{len(numbers)}"


def _chars_across(ax: Axes) -> int:
    """About how many 10-point characters fit across the figure of ``ax``."""
    return int(ax.figure.get_figwidth() * 72 / 5.6)


def _wrap(text: str, width: int = 100) -> str:
    return "\n".join(textwrap.wrap(text, width)) if text else ""


def draw_trace(net: Topology | Cluster, tr: Trace, ax: Axes | None = None,
               upto: int | None = None) -> Axes:
    """Draw a trace over the network: one numbered arrow per hop, along the cables.

    Request hops are solid, reply hops dashed, the hops of an ICMP error going back
    to the sender dash-dot-dotted in green, ARP frames thin and dotted;
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
        from .clustertrace import draw_cluster_trace

        return draw_cluster_trace(net, tr, ax=ax, upto=upto)
    _check_upto(tr, upto)
    ax = ax if ax is not None else network_axes(net, trace=tr)
    backdrop(net, tr, ax)(tr, upto)
    return ax


def view(net: Topology, tr: Trace) -> _Box:
    """The part of the network's picture :func:`draw_trace` shows for ``tr`` (x0, y0, x1,
    y1 in layout units): the neighbourhoods and routers it touches, or all of it.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("seed-neighborhoods")
    >>> across, next_door = (view(net, kp.trace(net, "house-14", dst))
    ...                      for dst in ("house-24", "house-15"))
    >>> across == view(net, kp.trace(net, "house-14", "house-22")), next_door == across
    (True, False)
    """
    return _trace_extent(net, _layout(net), tr)


def backdrop(net: Topology, tr: Trace, ax: Axes) -> Callable[[Trace, int | None], None]:
    """Draw the network faded, zoomed to where ``tr`` goes, and return ``draw(trace,
    upto)``, which draws a trace over it up to hop ``upto`` (as :func:`draw_trace` does).

    ``trace`` is ``tr`` or another trace with the same :func:`view`. The explorer
    draws a backdrop once and then only the traces and hops over it.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> from matplotlib.figure import Figure
    >>> net = kp.load_topology("seed-neighborhoods")
    >>> tr = kp.trace(net, "house-14", "house-24")
    >>> ax = network_axes(net, Figure(), trace=tr)
    >>> draw = backdrop(net, tr, ax)
    >>> draw(tr, 8)
    >>> ax.get_title().splitlines()[1].startswith("hop 8 · gatekeeper-11 · route")
    True
    """
    layout = _layout(net)
    extent = _trace_extent(net, layout, tr)
    fs, placed = _draw_network(net, ax, layout, faded=True, extent=extent)
    return _Hops(net, ax, layout, extent, fs, placed).draw


def _check_upto(tr: Trace, upto: int | None) -> None:
    if upto is not None and not 0 <= upto < len(tr.hops):
        raise ValueError(f"upto={upto} is outside the trace: its hops are numbered 0 to "
                         f"{len(tr.hops) - 1}")


class _Hops:
    """Draws traces over a network that :func:`~.plot._draw_network` drew on ``ax``,
    showing ``extent``; ``placed`` are the boxes its nodes and labels take."""

    def __init__(self, net: Topology, ax: Axes, layout: _Layout, extent: _Box, fs: float,
                 placed: list[_Box]) -> None:
        self.net, self.ax, self.layout, self.fs, self.placed = net, ax, layout, fs, placed
        box = ax.get_position()
        self.points_per_unit = 72 * min(
            box.width * ax.figure.get_figwidth() / (extent[2] - extent[0]),
            box.height * ax.figure.get_figheight() / (extent[3] - extent[1]))
        self.slots: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.drawn: set[str] = set()      # what the legend lists
        self.numbered: list[_Box] = []    # where hop numbers went: others keep off them most

    def draw(self, tr: Trace, upto: int | None) -> None:
        """Draw hops 0..upto of ``tr``, hop ``upto`` highlighted, with title and legend."""
        _check_upto(tr, upto)
        net = self.net
        shown = tr.hops if upto is None else tr.hops[:upto + 1]
        # One arc per (cable, direction, leg, kind), numbered by first appearance in the
        # whole trace, so arcs keep their place while the learner steps through the hops.
        self.slots = {}
        for hop in tr.hops:
            for edge in _hop_edges(net, hop):
                key = (hop.direction, _hop_kind(hop))
                if key not in self.slots.setdefault(edge, []):
                    self.slots[edge].append(key)
        groups: dict[tuple[tuple[str, str], tuple[str, str]], list[int]] = {}
        for hop in shown:
            if hop.index == upto:
                continue
            for edge in _hop_edges(net, hop):
                groups.setdefault((edge, (hop.direction, _hop_kind(hop))), []).append(hop.index)
        self.drawn, self.numbered = set(), []
        # Place numbers in hop order, so stepping on never moves the numbers already shown.
        events: list[tuple[int, object]] = [(numbers[0], group)
                                            for group, numbers in groups.items()]
        events += [(hop.index, hop) for hop in shown
                   if hop.index == upto or not _hop_edges(net, hop)]
        at_node: list[str] = []
        for _, event in sorted(events, key=lambda e: (e[0], isinstance(e[1], Hop))):
            if not isinstance(event, Hop):
                edge, key = event
                numbers = groups[event]
                self._badge(self._arrow(edge, key, False), _hop_numbers(numbers),
                            "hops:" + ",".join(map(str, numbers)), False,
                            _arrow_style(key[0], key[1], False)["color"])
                continue
            edges = _hop_edges(net, event)
            for edge in edges:
                self._badge(self._arrow(edge, (event.direction, _hop_kind(event)), True),
                            str(event.index), f"current:{event.index}", True, HIGHLIGHT)
            if not edges:
                self._at_node(event, event.index == upto, at_node)
        self._title_and_legend(tr, upto)

    def _arrow(self, edge: tuple[str, str], key: tuple[str, str], current: bool) -> _Curve:
        """Draw the arrow for hops of kind ``key`` along ``edge``; return its curve."""
        slot = self.slots[edge].index(key)
        curve = _curve(self.layout.pos[edge[0]], self.layout.pos[edge[1]], 0.2 + 0.28 * slot)
        style = _arrow_style(key[0], key[1], current)
        self.drawn.add("current" if current else f"{key[1]} {key[0]}")
        clear = 11 * self.fs / self.points_per_unit       # keep clear of the node markers
        head_length, head_half = (v / self.points_per_unit for v in style["head"])
        t0, t1 = _t_at(curve, clear), _t_at(curve, clear + 0.7 * head_length, from_end=True)
        shaft = [_blossom(curve, t0, t0), _blossom(curve, t0, t1), _blossom(curve, t1, t1)]
        zorder = 6 if current else 5
        # add_artist, not add_patch: the limits are fixed, so nothing needs to measure
        # the patch to widen them.
        self.ax.add_artist(FancyArrowPatch(
            path=Path(shaft, [Path.MOVETO, Path.CURVE3, Path.CURVE3]), arrowstyle="-",
            color=style["color"], zorder=zorder, linestyle=style["linestyle"],
            linewidth=style["linewidth"], capstyle="butt",
            gid="current-arrow" if current else None))
        t_tip = _t_at(curve, clear, from_end=True)
        t_base = _t_at(curve, clear + head_length, from_end=True)
        (tx, ty), (bx, by) = _blossom(curve, t_tip, t_tip), _blossom(curve, t_base, t_base)
        length = math.hypot(tx - bx, ty - by) or 1.0
        nx_, ny_ = -(ty - by) / length * head_half, (tx - bx) / length * head_half
        self.ax.add_artist(Polygon([(tx, ty), (bx + nx_, by + ny_), (bx - nx_, by - ny_)],
                                   closed=True, facecolor=style["color"],
                                   edgecolor=style["color"], linewidth=0.8, linestyle="-",
                                   joinstyle="miter", zorder=zorder, gid="arrowhead"))
        return curve

    def _badge(self, curve: _Curve, label: str, gid: str, current: bool, colour: str) -> None:
        """Number an arrow where its label covers the fewest labels and numbers already
        placed: at the middle of the curve if it is free, else nearer one end."""
        size = _PT_CURRENT if current else _PT_BADGE
        w, h = _text_size(label, size)
        w, h = (max(w, h) + 0.35,) * 2 if current else (w + 0.25, h + 0.12)
        best: tuple[float, _Point, _Box] | None = None
        for t in (0.5, 0.4, 0.6, 0.32, 0.68, 0.26, 0.74):
            x, y = _blossom(curve, t, t)
            spot = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            cost = (sum(_overlap(spot, other) for other in self.placed)
                    + 4 * sum(_overlap(spot, other) for other in self.numbered))
            if best is None or cost < best[0] - 1e-9:
                best = (cost, (x, y), spot)
            if cost == 0:
                break
        self.numbered.append(best[2])
        box = (dict(boxstyle="circle,pad=0.25", facecolor=HIGHLIGHT, edgecolor="black")
               if current else dict(boxstyle="round,pad=0.15", facecolor="white",
                                    edgecolor=colour, linewidth=0.9))
        self.ax.text(*best[1], label, ha="center", va="center", fontsize=size * self.fs,
                     fontweight="bold", color="white" if current else "black", bbox=box,
                     zorder=9 if current else 8, gid=gid, clip_on=True)

    def _at_node(self, hop: Hop, current: bool, at_node: list[str]) -> None:
        """Mark a hop that sends nothing along a cable (a delivery, a drop) beside its
        node, clear of its cables and of the marks already there."""
        net, fs = self.net, self.fs
        x, y = self.layout.pos[hop.node]
        dx, dy = _free_direction(net, self.layout, hop.node, at_node.count(hop.node) + (
            1 if hop.node in net.routers else 0))
        at_node.append(hop.node)
        if hop.action == "drop":
            self.drawn.add("drop")
            self.ax.scatter([x], [y], s=500 * fs**2, marker="X", color=HIGHLIGHT,
                            edgecolor="black", linewidth=1.0, zorder=9, gid="drop-marker")
        if current:
            self.drawn.add("current")
        text = f"{hop.index}" + {"drop": " ✗ drop", "deliver": " ✓"}.get(hop.action,
                                                                        f" {hop.action}")
        size = _PT_CURRENT if current else _PT_BADGE
        anchor = (x + 0.6 * dx, y + 0.6 * dy,
                  "center" if abs(dx) < 0.3 else "left" if dx > 0 else "right",
                  "center" if abs(dy) < 0.3 else "bottom" if dy > 0 else "top")
        self.numbered.append(_text_box(*anchor, text, size))
        kind = "drop" if hop.action == "drop" else "current" if current else "hops"
        self.ax.text(*anchor[:2], text, ha=anchor[2], va=anchor[3], fontsize=size * fs,
                     fontweight="bold", color="white" if current else "black", zorder=9,
                     bbox=dict(boxstyle="round,pad=0.2",
                               facecolor=HIGHLIGHT if current else "white",
                               edgecolor="black", linewidth=1.2 if current else 0.8),
                     gid=f"{kind}:{hop.index}")

    def _title_and_legend(self, tr: Trace, upto: int | None) -> None:
        ax = self.ax
        title = f"{tr.src} → {tr.dst}: {tr.verdict}"
        if upto is not None:
            hop = tr.hops[upto]
            leg = " (ICMP error, going back)" if hop.direction == "error" else ""
            subtitle = (f"hop {hop.index} · {hop.node} · {hop.action}{leg}: "
                        f"{hop.note or hop.action}")
        else:
            subtitle = tr.reason
        ax.set_title(f"{title}\n{_wrap(subtitle, _chars_across(ax))}", fontsize=10,
                     loc="center")
        legend = [Line2D([], [], **entry) for name, entry in _LEGEND.items()
                  if name in self.drawn]
        ax.legend(handles=[*legend, *_shape_legend()], loc="upper center",
                  bbox_to_anchor=(0.5, 0.0), ncol=max(2, min(4, int(_chars_across(ax) / 24))),
                  fontsize=8.5, frameon=False, handlelength=3.5)


_LEGEND = {
    "data request": dict(color=REQUEST, linewidth=2, label="request"),
    "data reply": dict(color=REPLY, linewidth=2, linestyle=(0, (5, 2.5)), label="reply"),
    "arp request": dict(color=ARP_COLOUR, linewidth=1.5, linestyle=":", label="ARP frame"),
    "arp reply": dict(color=ARP_COLOUR, linewidth=1.5, linestyle="-.",
                      label="ARP frame (reply leg)"),
    "data error": dict(color=ERROR, linewidth=2, linestyle=ERROR_DASHES,
                       label="ICMP error, back to the sender"),
    "arp error": dict(color=ARP_COLOUR, linewidth=1.5, linestyle="-.",
                      label="ARP frame (error leg)"),
    "current": dict(color=HIGHLIGHT, linewidth=3.6, label="this hop"),
    "drop": dict(linestyle="", marker="X", markersize=10, color=HIGHLIGHT,
                 markeredgecolor="black", label="dropped here"),
}
