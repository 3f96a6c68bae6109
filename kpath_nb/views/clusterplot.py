"""Pictures of a Kubernetes cluster running Cilium: buildings, a packet's path, headers, IPAM.

The drawings follow the story. Each node is a building: its apartments (pods)
along the top, each joined by a private corridor (the veth pair) to its door
``lxc…`` in the lobby, where Cilium's eBPF programs work; the lobby also holds
``cilium_host`` (the router IP, door 11 of the story) and ``cilium_vxlan`` (the
tunnel door, a triangle). ``eth0`` sits on the building's bottom edge, cabled
to the node network below. Between the tunnel doors runs the glass tunnel:
VXLAN over UDP 8472.

Every function takes ``ax=None``, draws into that Axes (or a new figure) and
returns the Axes. Nothing here calls ``plt.show()`` or changes matplotlib's
settings; layouts are fixed, so the same cluster always gives the same picture.
Colours come from the Okabe-Ito palette and are never the only cue: shapes,
hatching, line styles and labels carry the same information.

Examples
--------
>>> import kpath_nb as kp
>>> cl = kp.load_topology("seed-cilium-buildings")
>>> ax = draw_cluster_trace(cl, kp.trace(cl, "apartment-12", "apartment-22"), upto=4)
>>> ax.get_title().splitlines()[0]
'apartment-12 → apartment-22: delivered'
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch, Rectangle

from ..cluster import Cluster, K8sNode, Pod
from ..packet import ARP, VXLAN, IPv4, Packet
from .plot import OKABE_ITO
from .render import _label, _layers, _removed
from ..trace import Hop, Trace

__all__ = ["draw_cluster", "draw_cluster_trace", "draw_headers", "draw_ipam", "cluster_axes"]

_UNIT_INCH = 0.6             # inches per layout unit in a figure made here, at most
_FONT_UNIT_INCH = 0.45       # at this scale or larger, labels have their full size
_MIN_WIDTH, _MAX_WIDTH = 8.0, 9.6    # inches: 960 pixels at 100 dpi, a notebook's width
_SLOT = 1.95                 # width of one apartment / lobby door column
_MORE_SLOT = 1.0             # the "+N more" column
_PAD = 0.25                  # building wall to first column
_GAP = 2.6                   # between buildings: room for the glass tunnel's label
_ETH0_Y, _VXLAN_Y, _LOBBY = 0.0, 1.35, (0.6, 3.35)
_LXC_Y = 2.8
_APT = (4.3, 5.65)           # apartment bottom and top
_TOP = 7.05                  # building top
_ROW_PITCH = _TOP + 2.6      # from one row of buildings to the next
_SWITCH_DROP = 1.5           # from the lowest row's eth0 down to the node network's switch
_DOOR_H = 0.62               # height of a lobby door (room for two lines)
_MAX_BUILDINGS = 6
_PER_ROW = 3
_POD_CAP = {1: 6, 2: 5, 3: 3}   # apartments shown per building, by buildings in a row

_REQUEST, _REPLY = OKABE_ITO["blue"], OKABE_ITO["orange"]
_ARP_COLOUR, _HIGHLIGHT = OKABE_ITO["reddish purple"], OKABE_ITO["vermillion"]
_BUILDING_COLOURS = ("sky blue", "bluish green", "orange", "reddish purple", "yellow", "blue")
_HATCHES = ("//", "\\\\", "..", "xx", "++", "oo")
_GLASS = OKABE_ITO["sky blue"]
_LOBBY_FILL = "#EDEDED"
_CABLE = "#7a7a7a"


# -- layout ----------------------------------------------------------------------------


@dataclass
class _Building:
    node: str
    x0: float
    y0: float
    width: float
    pods: list[str]               # shown, in slot order
    hidden: int                   # pods not shown ("+N more")
    colour: str
    hatch: str

    @property
    def cx(self) -> float:
        return self.x0 + self.width / 2

    def slot_x(self, i: int) -> float:
        return self.x0 + _PAD + (i + 0.5) * _SLOT


@dataclass
class _Layout:
    buildings: dict[str, _Building] = field(default_factory=dict)
    ghost: tuple[float, float, float, int] | None = None    # x0, y0, width, hidden nodes
    pos: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    switch: tuple[float, float] = (0.0, 0.0)
    streets: list[tuple[float, float, float]] = field(default_factory=list)  # y, x0, x1
    rows: int = 1
    extent: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)


def _pods_by_node(cl: Cluster) -> dict[str, list[str]]:
    by_node: dict[str, list[str]] = {n: [] for n in cl.nodes}
    for name, pod in cl.pods.items():
        by_node[pod.node].append(name)
    return by_node


def _layout(cl: Cluster) -> _Layout:
    """Buildings in rows of at most three, the node network's switch under them."""
    names = list(cl.nodes)
    shown = names if len(names) <= _MAX_BUILDINGS else names[:_MAX_BUILDINGS - 1]
    hidden_nodes = len(names) - len(shown)
    per_row = min(_PER_ROW, len(shown) + (1 if hidden_nodes else 0)) or 1
    cap = _POD_CAP[per_row]
    by_node = _pods_by_node(cl)
    layout = _Layout()
    x, row, in_row = 0.0, 0, 0
    for i, node in enumerate(shown):
        pods = by_node[node]
        visible = pods if len(pods) <= cap else pods[:cap - 1]
        hidden = len(pods) - len(visible)
        width = 2 * _PAD + (max(len(visible), 1) + 1) * _SLOT + (_MORE_SLOT if hidden else 0)
        colour = OKABE_ITO[_BUILDING_COLOURS[i % len(_BUILDING_COLOURS)]]
        for word in ("blue", "green", "orange", "purple", "yellow"):
            if word in node:
                colour = OKABE_ITO[{"green": "bluish green", "purple": "reddish purple",
                                    "blue": "sky blue"}.get(word, word)]
        b = _Building(node, x, -row * _ROW_PITCH, width, visible, hidden, colour,
                      _HATCHES[i % len(_HATCHES)])
        layout.buildings[node] = b
        x += width + _GAP
        in_row += 1
        if in_row == per_row and i + 1 < len(shown) + (1 if hidden_nodes else 0):
            x, row, in_row = 0.0, row + 1, 0
    if hidden_nodes:
        layout.ghost = (x, -row * _ROW_PITCH, 2 * _SLOT + 2 * _PAD, hidden_nodes)
    layout.rows = row + 1
    for b in layout.buildings.values():
        layout.pos[(b.node, "eth0")] = (b.cx, b.y0 + _ETH0_Y)
        layout.pos[(b.node, cl.config.tunnel_device)] = (b.cx, b.y0 + _VXLAN_Y)
        host_slot = (b.slot_x(max(len(b.pods), 1)) + (_MORE_SLOT if b.hidden else 0))
        for device in ("cilium_host", "cilium_net", "lxc_health"):
            layout.pos[(b.node, device)] = (host_slot, b.y0 + _LXC_Y)
        more = (b.slot_x(len(b.pods)) - _SLOT / 2 + _MORE_SLOT / 2, b.y0 + _APT[0])
        for name in by_node[b.node]:
            pod = cl.pods[name]
            if name in b.pods:
                sx = b.slot_x(b.pods.index(name))
                layout.pos[(b.node, pod.lxc)] = (sx, b.y0 + _LXC_Y)
                layout.pos[(name, "")] = (sx, b.y0 + _APT[0])
            else:
                layout.pos[(b.node, pod.lxc)] = (more[0], b.y0 + _LXC_Y)
                layout.pos[(name, "")] = more
    right = max([b.x0 + b.width for b in layout.buildings.values()] +
                ([layout.ghost[0] + layout.ghost[2]] if layout.ghost else []))
    bottom_row = -(layout.rows - 1) * _ROW_PITCH
    layout.switch = (right / 2, bottom_row - _SWITCH_DROP)
    if layout.ghost:
        gx, gy, gw, _ = layout.ghost
        for n in names[len(shown):]:
            layout.pos[(n, "eth0")] = (gx + gw / 2, gy)
            layout.pos[(n, "")] = (gx + gw / 2, gy + _TOP / 2)
    if layout.rows > 1:
        for r in range(layout.rows):
            xs = [b.cx for b in layout.buildings.values() if b.y0 == -r * _ROW_PITCH]
            if layout.ghost and layout.ghost[1] == -r * _ROW_PITCH:
                xs.append(layout.ghost[0] + layout.ghost[2] / 2)
            layout.streets.append((-r * _ROW_PITCH - 0.9, -0.6, max(xs)))
    layout.extent = (-0.6, layout.switch[1] - 1.15, right + 0.6, _TOP + 0.25)
    return layout


# -- axes and text -----------------------------------------------------------------------


def _axes(ax: Axes | None, extent: tuple[float, float, float, float], top: float = 0.75,
          bottom: float = 0.45, figure: Figure | None = None) -> tuple[Axes, float]:
    """``ax`` or a new figure sized for ``extent``; the font scale that fits it."""
    x0, y0, x1, y1 = extent
    unit = _nominal_unit(extent)
    if (x1 - x0) * unit < _MIN_WIDTH:       # room for the title and the legend
        grow = (_MIN_WIDTH / unit - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    if ax is None:
        size = ((x1 - x0) * unit, (y1 - y0) * unit + top + bottom)
        if figure is None:
            import matplotlib.pyplot as plt

            figure = plt.figure(figsize=size)
        else:
            figure.set_size_inches(*size)
        ax = figure.add_axes((0.0, bottom / size[1], 1.0, 1 - (top + bottom) / size[1]))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax, min(1.0, max(0.4, _inches_per_unit(ax) / _FONT_UNIT_INCH))


def _nominal_unit(extent: tuple[float, float, float, float]) -> float:
    """Inches per layout unit in a figure made here for ``extent``."""
    return min(_UNIT_INCH, _MAX_WIDTH / (extent[2] - extent[0]))


def _inches_per_unit(ax: Axes) -> float:
    box = ax.get_position()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return min(box.width * ax.figure.get_figwidth() / (x1 - x0),
               box.height * ax.figure.get_figheight() / (y1 - y0))


def _fit(text: str, chars: int, lines: int = 2) -> str:
    r"""``text`` broken after its dashes into lines of at most ``chars`` characters, at most
    ``lines`` of them. A longer text keeps its last part whole on the last line (what tells
    two pods of one Deployment apart) and is cut with "…" before it.

    >>> _fit("apartment-12", 10)
    'apartment-\n12'
    >>> _fit("web-6d4cf56db6-4kq9z", 11)
    'web-…\n4kq9z'
    """
    def wrap(part: str) -> list[str]:
        tokens = [t + "-" for t in part.split("-")]
        tokens[-1] = tokens[-1][:-1]
        out = [""]
        for token in tokens:
            while len(token) > chars:
                if out[-1]:
                    out.append("")
                out[-1], token = token[:chars], token[chars:]
                out.append("")
            if len(out[-1]) + len(token) > chars:
                out.append("")
            out[-1] += token
        return [line for line in out if line]

    out = wrap(text)
    if len(out) <= lines:
        return "\n".join(out)
    head, _, last = text.rpartition("-")
    if not head or len(last) > chars or lines < 2:
        out = out[:lines]
        out[-1] = out[-1][:chars - 1] + "…"
        return "\n".join(out)
    first = wrap(head)[:lines - 1]
    first[-1] = first[-1][:chars - 1] + "…"
    return "\n".join([*first, last])


def _pt(size: float, fs: float) -> float:
    """A font size in points: ``size`` scaled by ``fs``, never under 8 points."""
    return max(8.0, size * fs)


def _wrap(text: str, width: int = 110) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def cluster_axes(cl: Cluster, figure: Figure | None = None, *,
                 trace: Trace | None = None) -> Axes:
    """A new Axes sized for drawing ``cl`` and a trace on it, on ``figure`` or a new
    pyplot figure; pass a :class:`matplotlib.figure.Figure` to stay clear of pyplot.

    With ``trace``, the Axes shows only the part of the cluster that trace
    crosses (as :func:`draw_cluster_trace` does): one building for a trace that
    stays on one node.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> ax = cluster_axes(cl, Figure())
    >>> bool(8 <= ax.figure.get_figwidth() <= 9.6)
    True
    >>> same_node = kp.trace(cl, "apartment-12", "apartment-14")
    >>> cropped = cluster_axes(cl, Figure(), trace=same_node)
    >>> bool(cropped.figure.get_figheight() < ax.figure.get_figheight())
    True
    """
    layout = _layout(cl)
    extent = layout.extent if trace is None else _trace_extent(cl, layout, trace)
    return _axes(None, extent, top=1.0, bottom=0.55, figure=figure)[0]


def _trace_extent(cl: Cluster, layout: _Layout, tr: Trace) -> tuple[float, float, float, float]:
    """The part of the drawing a trace crosses: its buildings, and the node network only
    when the packet goes out on it."""
    nodes = {hop.node if hop.node in cl.nodes else cl.pods[hop.node].node
             for hop in tr.hops if hop.node in cl.nodes or hop.node in cl.pods}
    underlay = any(hop.node not in cl.nodes and hop.node not in cl.pods for hop in tr.hops) \
        or any(hop.out_iface == "eth0" and hop.node in cl.nodes for hop in tr.hops)
    if underlay or not nodes or not nodes <= set(layout.buildings):
        return layout.extent
    shown = [layout.buildings[n] for n in nodes]
    if len({b.y0 for b in shown}) > 1:
        return layout.extent
    y0 = shown[0].y0
    return (min(b.x0 for b in shown) - 0.6, y0 - 0.7,
            max(b.x0 + b.width for b in shown) + 0.6, y0 + _TOP + 0.25)


# -- the cluster -------------------------------------------------------------------------


def draw_cluster(cl: Cluster, ax: Axes | None = None) -> Axes:
    """Draw the cluster as the story's buildings, lobbies, corridors and glass tunnel.

    Each node is a building labelled with its name, node IP (``eth0``) and pod
    CIDR. Its pods are apartments along the top (name, IP, security identity),
    each joined by a corridor, its veth pair, to its ``lxc…`` door in the lobby
    ("Cilium (eBPF)"). The lobby also holds ``cilium_host`` with the router IP
    and the tunnel door ``cilium_vxlan`` (a triangle); ``eth0`` sits on the
    bottom edge, cabled to the node network's switch. A translucent band joins
    the tunnel doors: VXLAN over UDP 8472. Large clusters stay readable: at most
    six buildings (the rest as "+N nodes") and a few apartments each ("+N more").

    Parameters
    ----------
    cl : Cluster
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import kpath_nb as kp
    >>> ax = draw_cluster(kp.load_topology("seed-cilium-buildings"))
    >>> texts = [t.get_text() for t in ax.texts]
    >>> "apartment-12" in texts[0] + "".join(texts), "VXLAN, UDP 8472" in texts
    (True, True)
    """
    layout = _layout(cl)
    ax, fs = _axes(ax, layout.extent)
    _draw(cl, ax, layout, fs, faded=False)
    ax.set_title(f"{cl.name}: {len(cl.nodes)} nodes, {len(cl.pods)} pods, Cilium "
                 f"{cl.config.routing_mode} mode", fontsize=10)
    ax.legend(handles=_cluster_legend(cl), loc="upper center", bbox_to_anchor=(0.5, 0.0),
              ncol=4, fontsize=8, frameon=False)
    return ax


def _cluster_legend(cl: Cluster) -> list:
    return [Patch(facecolor="white", edgecolor="black", label="pod (apartment)"),
            Patch(facecolor=_LOBBY_FILL, edgecolor="#555555", hatch="..",
                  label="lobby: Cilium's eBPF programs"),
            Line2D([], [], linestyle="", marker="v", markersize=8, markerfacecolor="white",
                   markeredgecolor="black", label=f"{cl.config.tunnel_device} (tunnel door)"),
            Patch(facecolor=_GLASS, alpha=0.35, edgecolor=_GLASS,
                  label=f"glass tunnel: {cl.config.tunnel_protocol.upper()}, UDP "
                        f"{cl.config.tunnel_port}")]


def _draw(cl: Cluster, ax: Axes, layout: _Layout, fs: float, faded: bool) -> None:
    ink = "#777777" if faded else "#111111"
    alpha = 0.45 if faded else 1.0
    tunnel = cl.config.tunnel_device
    # The node network: cables (or streets, with several rows) to the switch.
    sx, sy = layout.switch
    cable = dict(color=_CABLE, linewidth=1.4, alpha=alpha, zorder=1, solid_capstyle="round")
    eth0s = [layout.pos[(b.node, "eth0")] for b in layout.buildings.values()]
    if layout.ghost:
        gx, gy, gw, _ = layout.ghost
        eth0s.append((gx + gw / 2, gy))
    if layout.streets:
        for y, x0, x1 in layout.streets:
            ax.plot([x0, x1], [y, y], **cable)
        for x, y in eth0s:
            ax.plot([x, x], [y, y - 0.9], **cable)
        ax.plot([-0.6, -0.6, sx], [layout.streets[0][0], sy, sy], **cable)
    else:
        for x, y in eth0s:
            ax.plot([x, sx], [y, sy], **cable)
    switch = cl.underlay.switches[next(iter(cl.underlay.switches))] if cl.underlay.switches \
        else None
    ax.scatter([sx], [sy], s=420 * fs**2, marker="o", facecolor=OKABE_ITO["yellow"],
               edgecolor="black", linewidth=1.2, zorder=3, alpha=alpha,
               gid=f"switch:{switch.name if switch else 'node network'}")
    if switch is not None:
        label = switch.name + (f"\n{switch.subnet}" if switch.subnet else "") + (
            f" · {switch.label}" if switch.label else " · node network")
        ax.text(sx, sy - 0.4, label, ha="center", va="top", fontsize=_pt(8, fs), color=ink,
                zorder=4, bbox=dict(boxstyle="round,pad=0.1", facecolor="white",
                                    edgecolor="none", alpha=0.85))
    # The glass tunnel between the tunnel doors.
    doors = [layout.pos[(b.node, tunnel)] for b in layout.buildings.values()]
    if layout.ghost:
        gx, gy, gw, _ = layout.ghost
        doors.append((gx + gw / 2, gy + _VXLAN_Y))
    for r in range(layout.rows):
        row = sorted(d for d in doors if abs(d[1] - (-r * _ROW_PITCH + _VXLAN_Y)) < 1e-6)
        if len(row) > 1 or (layout.rows > 1 and row):
            x1 = max(d[0] for d in doors) if layout.rows > 1 else row[-1][0]
            ax.add_patch(Rectangle((row[0][0], row[0][1] - 0.28), x1 - row[0][0], 0.56,
                                   facecolor=_GLASS, alpha=0.22 if faded else 0.35,
                                   edgecolor=_GLASS, linewidth=1.0, zorder=1.5,
                                   gid="glass-tunnel"))
    if layout.rows > 1:
        x1 = max(d[0] for d in doors)
        ys = [d[1] for d in doors]
        ax.add_patch(Rectangle((x1 - 0.28, min(ys)), 0.56, max(ys) - min(ys),
                               facecolor=_GLASS, alpha=0.35, edgecolor=_GLASS, zorder=1.5))
    if len(doors) > 1:
        first = min(layout.buildings.values(), key=lambda b: (-b.y0, b.x0))
        gap_x = first.x0 + first.width + _GAP / 2
        ax.text(gap_x, first.y0 + _VXLAN_Y + 0.4,
                f"{cl.config.tunnel_protocol.upper()}, UDP {cl.config.tunnel_port}",
                ha="center", va="bottom", fontsize=_pt(6.5, fs), color=ink, zorder=6,
                fontstyle="italic", gid="tunnel-label",
                bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none",
                          alpha=0.85))
    for b in layout.buildings.values():
        _draw_building(cl, ax, layout, b, fs, faded)
    if layout.ghost:
        gx, gy, gw, hidden = layout.ghost
        ax.add_patch(FancyBboxPatch((gx, gy), gw, _TOP, boxstyle="round,pad=0,rounding_size=0.3",
                                    facecolor="none", edgecolor="#555555", linestyle="--",
                                    linewidth=1.2, alpha=alpha, zorder=2, gid="more-nodes"))
        ax.text(gx + gw / 2, gy + _TOP / 2 + 0.6, f"+{hidden} nodes", ha="center", va="center",
                fontsize=_pt(9, fs), fontweight="bold", color=ink, zorder=4)
        ax.text(gx + gw / 2, gy + _TOP / 2 - 0.2, "built the same\nway", ha="center",
                va="top", fontsize=_pt(7, fs), color=ink, zorder=4)
        ax.scatter([gx + gw / 2], [gy + _VXLAN_Y], s=110 * fs**2, marker="v", facecolor="white",
                   edgecolor="#555555", zorder=4)


def _draw_building(cl: Cluster, ax: Axes, layout: _Layout, b: _Building, fs: float,
                   faded: bool) -> None:
    node: K8sNode = cl.nodes[b.node]
    ink = "#777777" if faded else "#111111"
    alpha = 0.45 if faded else 1.0
    x0, y0 = b.x0, b.y0
    shape = dict(xy=(x0, y0), width=b.width, height=_TOP,
                 boxstyle="round,pad=0,rounding_size=0.25")
    ax.add_patch(FancyBboxPatch(**shape, facecolor=b.colour, alpha=0.10 if faded else 0.18,
                                edgecolor="none", zorder=0.5))
    ax.add_patch(FancyBboxPatch(**shape, facecolor="none", edgecolor=b.colour, hatch=b.hatch,
                                linewidth=0, alpha=0.25 if faded else 0.4, zorder=0.6))
    ax.add_patch(FancyBboxPatch(**shape, facecolor="none", edgecolor="black", linewidth=1.6,
                                alpha=alpha, zorder=2, gid=f"building:{b.node}"))
    backing = dict(boxstyle="round,pad=0.12", facecolor="white", edgecolor="none",
                   alpha=0.85)
    ax.text(x0 + 0.2, y0 + _TOP - 0.15, b.node, ha="left", va="top", fontsize=_pt(9, fs),
            fontweight="bold", color=ink, zorder=4, bbox=backing)
    ax.text(x0 + 0.2, y0 + _TOP - 0.68, f"eth0 {node.ip}\npod CIDR {node.pod_cidr}",
            ha="left", va="top", fontsize=_pt(7, fs), color=ink, zorder=4, linespacing=1.1,
            family="monospace", bbox=backing)
    # The lobby.
    lx0, lx1 = x0 + 0.1, x0 + b.width - 0.1
    ax.add_patch(Rectangle((lx0, y0 + _LOBBY[0]), lx1 - lx0, _LOBBY[1] - _LOBBY[0],
                           facecolor=_LOBBY_FILL, edgecolor="#AAAAAA", hatch="..",
                           linewidth=0.6, alpha=0.5 if faded else 0.85, zorder=0.8,
                           gid=f"lobby:{b.node}"))
    ax.text(lx0 + 0.1, y0 + _LOBBY[0] + 0.1, "Cilium (eBPF)", ha="left", va="bottom",
            fontsize=_pt(6.5, fs), fontstyle="italic", color=ink, zorder=4,
            bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8))
    # Apartments, corridors and their lxc doors; names wrapped to the apartment's width.
    # Text is fitted for the figure this module would make, so any Axes gets the same text.
    unit = _nominal_unit(layout.extent)
    chars = max(6, int((_SLOT - 0.35) * unit / (8 / 72 * 0.66)))
    door_chars = int((_SLOT - 0.22) * unit / (8 / 72 * 0.602))
    for i, name in enumerate(b.pods):
        pod: Pod = cl.pods[name]
        sx = b.slot_x(i)
        w = _SLOT - 0.22
        ax.add_patch(FancyBboxPatch((sx - w / 2, y0 + _APT[0]), w, _APT[1] - _APT[0],
                                    boxstyle="round,pad=0,rounding_size=0.12",
                                    facecolor="white", edgecolor="black", linewidth=1.1,
                                    alpha=alpha, zorder=2, gid=f"pod:{name}"))
        ax.text(sx, y0 + _APT[1] - 0.1, _fit(name, chars), ha="center", va="top",
                fontsize=_pt(6, fs), fontweight="bold", color=ink, zorder=4, linespacing=1.0)
        ax.text(sx, y0 + _APT[0] + 0.08, f"{pod.ip}\nidentity {pod.identity.number}",
                ha="center", va="bottom", fontsize=_pt(6.3, fs), color=ink, zorder=4,
                linespacing=1.05)
        # The private corridor: the veth pair from the pod's eth0 to its lxc door.
        ax.plot([sx, sx], [y0 + _APT[0], y0 + _LXC_Y + 0.22], color="black", linewidth=3.2,
                alpha=0.35 if faded else 0.8, zorder=1.8, solid_capstyle="butt")
        ax.plot([sx, sx], [y0 + _APT[0], y0 + _LXC_Y + 0.22], color="white", linewidth=1.2,
                alpha=alpha, zorder=1.9, solid_capstyle="butt", gid=f"veth:{name}")
        _door(ax, sx, y0 + _LXC_Y, _split(pod.lxc, door_chars), fs, ink, alpha,
              gid=f"device:{b.node}:{pod.lxc}")
    if not b.pods:
        ax.text(b.slot_x(0), y0 + (_APT[0] + _APT[1]) / 2, "no pods", ha="center",
                va="center", fontsize=_pt(7, fs), fontstyle="italic", color=ink)
    if b.hidden:
        mx = b.slot_x(len(b.pods)) - _SLOT / 2 + _MORE_SLOT / 2
        ax.add_patch(FancyBboxPatch((mx - _MORE_SLOT / 2 + 0.08, y0 + _APT[0]),
                                    _MORE_SLOT - 0.16, _APT[1] - _APT[0],
                                    boxstyle="round,pad=0,rounding_size=0.12",
                                    facecolor="white", edgecolor="#555555", linestyle="--",
                                    linewidth=1.0, alpha=alpha, zorder=2,
                                    gid=f"more-pods:{b.node}"))
        ax.text(mx, y0 + (_APT[0] + _APT[1]) / 2, f"+{b.hidden}\nmore", ha="center",
                va="center", fontsize=_pt(7, fs), fontweight="bold", color=ink, zorder=4)
    hx, hy = layout.pos[(b.node, "cilium_host")]
    _door(ax, hx, hy, f"cilium_host\n{node.router_ip}", fs, ink, alpha,
          gid=f"device:{b.node}:cilium_host")
    vx, vy = layout.pos[(b.node, cl.config.tunnel_device)]
    ax.scatter([vx], [vy], s=150 * fs**2, marker="v", facecolor="white", edgecolor="black",
               linewidth=1.3, zorder=5, alpha=alpha,
               gid=f"device:{b.node}:{cl.config.tunnel_device}")
    ax.text(vx + 0.3, vy + 0.34, cl.config.tunnel_device, ha="left", va="bottom",
            fontsize=_pt(6.5, fs), color=ink, zorder=5, family="monospace",
            bbox=dict(boxstyle="round,pad=0.08", facecolor="white", edgecolor="none",
                      alpha=0.85))
    ex, ey = layout.pos[(b.node, "eth0")]
    ax.add_patch(Rectangle((ex - 0.3, ey - 0.16), 0.6, 0.32, facecolor="white",
                           edgecolor="black", linewidth=1.3, alpha=alpha, zorder=5,
                           gid=f"device:{b.node}:eth0"))
    ax.text(ex + 0.4, ey - 0.1, "eth0", ha="left", va="top", fontsize=_pt(6.5, fs), color=ink,
            zorder=5, family="monospace")


def _split(name: str, chars: int) -> str:
    """A device name on one line, or on two halves when it is longer than ``chars``."""
    if len(name) <= chars:
        return name
    half = (len(name) + 1) // 2
    return f"{name[:half]}\n{name[half:]}"


def _door(ax: Axes, x: float, y: float, text: str, fs: float, ink: str, alpha: float,
          gid: str, height: float = _DOOR_H) -> None:
    w = _SLOT - 0.2
    ax.add_patch(FancyBboxPatch((x - w / 2, y - height / 2), w, height,
                                boxstyle="round,pad=0,rounding_size=0.08", facecolor="white",
                                edgecolor="black", linewidth=1.0, alpha=alpha, zorder=3,
                                gid=gid))
    ax.text(x, y, text, ha="center", va="center", fontsize=_pt(6.1, fs), family="monospace",
            color=ink, zorder=4, linespacing=1.05)


# -- a packet's path ---------------------------------------------------------------------


def _hop_points(cl: Cluster, layout: _Layout, hop: Hop) -> list[tuple[float, float]]:
    """Where a hop happens: the devices it goes through, in order (one point for an event)."""
    if hop.node in cl.pods:
        return [layout.pos[(hop.node, "")]]
    if hop.node not in cl.nodes:                      # the node network's switch
        return [layout.switch]

    def at(device: str | None) -> tuple[float, float] | None:
        if device is None:
            return None
        return layout.pos.get((hop.node, device), layout.pos.get((hop.node, "eth0")))

    points = [p for p in (at(hop.in_iface), at(hop.out_iface)) if p is not None]
    if hop.action == "decap":
        points = [at("eth0"), at(hop.in_iface)]
    if hop.action not in ("arp",) and hop.out_iface and hop.out_iface.startswith("lxc") and \
            hop.observation == "to-endpoint":
        pod = next((p for p in cl.pods.values() if p.lxc == hop.out_iface), None)
        if pod is not None:
            points.append(layout.pos[(pod.name, "")])
    deduped: list[tuple[float, float]] = []
    for p in points:
        if not deduped or deduped[-1] != p:
            deduped.append(p)
    return deduped or [layout.pos[(hop.node, "eth0")]]


def _kind(hop: Hop) -> str:
    return "arp" if hop.packet.get(ARP) is not None else hop.direction


_STYLES = {"request": (_REQUEST, "-", 0.18), "reply": (_REPLY, (0, (5, 2.5)), 0.18),
           "arp": (_ARP_COLOUR, ":", 0.42)}


def draw_cluster_trace(cl: Cluster, tr: Trace, ax: Axes | None = None,
                       upto: int | None = None) -> Axes:
    """Draw a packet's journey through the cluster: numbered arrows from device to device.

    The cluster is drawn lighter underneath. Each hop's arrows run between the
    devices it names (``hop.in_iface`` → ``hop.out_iface`` on ``hop.node``; a pod
    hop at its apartment), numbered; requests are solid, replies dashed, ARP
    frames dotted. Hubble's observation points are written at their hops, the
    stretch inside the glass tunnel is drawn along it with the VNI, and a drop
    is an X.

    Parameters
    ----------
    cl : Cluster
    tr : Trace
        A trace made on ``cl`` with :func:`kpath_nb.trace`.
    ax : matplotlib Axes, optional
    upto : int, optional
        Draw hops ``0..upto`` only and highlight hop ``upto``; its note is
        written under the title. Default: the whole trace, its reason as subtitle.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> tr = kp.trace(cl, "apartment-12", "apartment-22")
    >>> ax = draw_cluster_trace(cl, tr)
    >>> any(t.get_text().startswith("VNI 256") for t in ax.texts)
    True
    """
    if upto is not None and not 0 <= upto < len(tr.hops):
        raise ValueError(f"upto={upto}: this trace has hops 0 to {len(tr.hops) - 1}")
    layout = _layout(cl)
    ax, fs = _axes(ax, _trace_extent(cl, layout, tr), top=1.0, bottom=0.55)
    _draw(cl, ax, layout, fs, faded=True)
    shown = tr.hops if upto is None else tr.hops[:upto + 1]
    points = [_hop_points(cl, layout, hop) for hop in tr.hops]
    # A hop owns the moves inside it and the move from its end to where the next hop starts.
    segments: list[tuple[Hop, tuple[float, float], tuple[float, float]]] = []
    lone: dict[tuple[float, float], list[Hop]] = {}
    for i, hop in enumerate(shown):
        path = list(points[i])
        if i > 0 and tr.hops[i - 1].direction == hop.direction and \
                tr.hops[i - 1].action not in ("deliver", "drop"):
            prev_end = points[i - 1][-1]
            if prev_end in path:
                path = path[path.index(prev_end):]
        nxt = tr.hops[i + 1] if i + 1 < len(tr.hops) else None
        if nxt is not None and nxt.direction == hop.direction and \
                hop.action not in ("deliver", "drop"):
            start = points[i + 1][0]
            if start != path[-1] and start not in path:
                path.append(start)
        moves = [(a, b) for a, b in zip(path, path[1:]) if a != b]
        if not moves:
            lone.setdefault(path[0], []).append(hop)
        segments += [(hop, a, b) for a, b in moves]
    labelled: set[int] = set()
    drawn = {_kind(hop) for hop in shown}
    for hop, a, b in segments:
        current = hop.index == upto
        colour, style, rad = _STYLES[_kind(hop)]
        a, b, rad = _along_edges(layout, a, b, rad)
        rad = math.copysign(min(abs(rad), 0.7 / math.dist(a, b)), rad)   # bulge ≤ 0.7
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=11 * fs,
                                     connectionstyle=f"arc3,rad={rad}",
                                     color=_HIGHLIGHT if current else colour,
                                     linewidth=(3.4 if current else 1.6) * fs,
                                     linestyle=style, zorder=8 if current else 6,
                                     shrinkA=4, shrinkB=4, gid=f"arrow:{hop.index}"))
        if hop.index in labelled:
            continue
        labelled.add(hop.index)
        (mx, my), (nx, ny) = _arc_point(a, b, rad, 0.3 if _kind(hop) == "arp" else 0.5)
        _badge(ax, mx + 0.12 * nx, my + 0.12 * ny, hop, current, fs,
               ha="left" if nx > 0.3 else "right" if nx < -0.3 else "center",
               va="bottom" if ny > 0.3 else "top" if ny < -0.3 else "center")
    eth0s = {layout.pos[(n, "eth0")] for n in cl.nodes}
    apartments = {layout.pos[(p, "")] for p in cl.pods}
    for (x, y), hops in lone.items():
        below = (x, y) in eth0s or (x, y) == layout.switch
        for k, hop in enumerate(hops):
            if (x, y) in apartments:      # the apartment's middle is free
                _badge(ax, x, y + 0.68 + 0.3 * k, hop, hop.index == upto, fs)
            elif below:     # under the building's wall, clear of the lobby's arrows
                _badge(ax, x - 0.5, y - 0.45 - 0.36 * k, hop, hop.index == upto, fs, ha="right")
            elif x > (layout.extent[0] + layout.extent[2]) / 2:    # room on the left
                _badge(ax, x - 0.55, y + 0.42 + 0.36 * k, hop, hop.index == upto, fs,
                       ha="right")
            else:
                _badge(ax, x + 0.55, y + 0.42 + 0.36 * k, hop, hop.index == upto, fs, ha="left")
            if hop.action == "drop":
                ax.scatter([x], [y], s=520 * fs**2, marker="X", color=_HIGHLIGHT,
                           edgecolor="black", linewidth=1.0, zorder=9, gid="drop-marker")
                drawn.add("drop")
    for hop in shown:
        if hop.action != "encap":
            continue
        # The tunnel is drawn once the far end has taken the packet out of it; until then
        # the packet is on its way out through eth0 and across the node network.
        arrived = any(h.action == "decap" and h.direction == hop.direction
                      for h in shown if h.index > hop.index)
        if _tunnel_flight(cl, ax, layout, hop, hop.index == upto, fs, arrived):
            drawn.add("tunnel")
    title = f"{tr.src} → {tr.dst}: {tr.verdict}"
    if upto is not None:
        hop = tr.hops[upto]
        where = f" ({hop.observation})" if hop.observation else ""
        subtitle = f"hop {hop.index} · {hop.node} · {hop.action}{where}: {hop.note}"
    else:
        subtitle = tr.reason
    ax.set_title(f"{title}\n{_wrap(subtitle)}", fontsize=9.5)
    if upto is not None:
        drawn.add("current")
    keys = {"request": Line2D([], [], color=_REQUEST, linewidth=2, label="request"),
            "reply": Line2D([], [], color=_REPLY, linewidth=2, linestyle=(0, (5, 2.5)),
                            label="reply"),
            "arp": Line2D([], [], color=_ARP_COLOUR, linewidth=1.5, linestyle=":",
                          label="ARP frame"),
            "current": Line2D([], [], color=_HIGHLIGHT, linewidth=3.4, label="this hop"),
            "tunnel": Line2D([], [], color=_GLASS, linewidth=6, alpha=0.6,
                             label="inside the tunnel (VXLAN)"),
            "drop": Line2D([], [], linestyle="", marker="X", markersize=10, color=_HIGHLIGHT,
                           markeredgecolor="black", label="dropped here")}
    legend = [handle for kind, handle in keys.items() if kind in drawn]
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 0.0),
              ncol=len(legend), fontsize=8, frameon=False, handlelength=3.0)
    return ax


def _along_edges(layout: _Layout, a: tuple[float, float], b: tuple[float, float], rad: float
                 ) -> tuple[tuple[float, float], tuple[float, float], float]:
    """A move's ends moved from a lobby door's middle (where its name is written) to the
    door's edge that faces the other end; a move between two doors side by side runs
    under them, bulging downwards."""
    doors = {p for (_, device), p in layout.pos.items()
             if device.startswith(("lxc", "cilium_host", "cilium_net"))}

    def edge(p: tuple[float, float], other: tuple[float, float]) -> tuple[float, float]:
        if p not in doors:
            return p
        up = other[1] > p[1] + 0.3
        return (p[0], p[1] + (_DOOR_H / 2 if up else -_DOOR_H / 2))

    a2, b2 = edge(a, b), edge(b, a)
    if a in doors and b in doors and abs(a[1] - b[1]) < 1e-6:
        rad = abs(rad) if b[0] > a[0] else -abs(rad)    # arc3 bulges to the right of a→b
    return a2, b2, rad


def _arc_point(a: tuple[float, float], b: tuple[float, float], rad: float, t: float
               ) -> tuple[tuple[float, float], tuple[float, float]]:
    """The point at ``t`` (0 to 1) on matplotlib's ``arc3`` curve from ``a`` to ``b``, and
    the unit vector pointing to the side the curve bulges towards."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    cx, cy = (a[0] + b[0]) / 2 + rad * dy, (a[1] + b[1]) / 2 - rad * dx
    u = 1 - t
    x = u * u * a[0] + 2 * u * t * cx + t * t * b[0]
    y = u * u * a[1] + 2 * u * t * cy + t * t * b[1]
    length = math.hypot(dx, dy) or 1.0
    return (x, y), (dy / length, -dx / length)


def _badge(ax: Axes, x: float, y: float, hop: Hop, current: bool, fs: float,
           ha: str = "center", va: str = "center") -> None:
    mark = {"drop": " ✗ drop", "deliver": " ✓"}.get(hop.action, "")
    text = f"{hop.index}{mark}" + (f" {hop.observation}" if hop.observation else "")
    box = dict(boxstyle="round,pad=0.15", facecolor=_HIGHLIGHT if current else "white",
               edgecolor="black", linewidth=1.2 if current else 0.6)
    kind = "drop" if hop.action == "drop" else "current" if current else "hops"
    ax.text(x, y, text, ha=ha, va=va, fontsize=_pt(9 if current else 8, fs),
            fontweight="bold", color="white" if current else "black", bbox=box,
            zorder=10 if current else 9, gid=f"{kind}:{hop.index}")


def _tunnel_flight(cl: Cluster, ax: Axes, layout: _Layout, hop: Hop, current: bool,
                   fs: float, arrived: bool) -> bool:
    """The encapsulated stretch, drawn along the glass tunnel and labelled with its VNI once
    the packet has ``arrived`` at the far tunnel door; before that only the VNI is written
    at the door that wrapped it. True when the tunnel stretch was drawn."""
    outer, vni = hop.packet[IPv4], hop.packet[VXLAN].vni
    far = cl.owner_of(outer.dst)
    tunnel = cl.config.tunnel_device
    a = layout.pos.get((hop.node, tunnel))
    b = layout.pos.get((far.name, tunnel)) if isinstance(far, K8sNode) else None
    if a is None:
        return False
    if b is None or not arrived:
        ax.text(a[0] - 0.35, a[1] - 0.3, f"VNI {vni}", ha="right", va="top",
                fontsize=_pt(6.3, fs), fontweight="bold" if current else "normal", zorder=9,
                bbox=dict(boxstyle="round,pad=0.12", facecolor="white", edgecolor=_GLASS,
                          linewidth=0.8), gid=f"vni:{hop.index}")
        return False
    shift = 0.1 if hop.direction == "request" else -0.1
    a, b = (a[0], a[1] + shift), (b[0], b[1] + shift)
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=16 * fs,
                                 connectionstyle="arc3,rad=0", color=_GLASS,
                                 linewidth=(7 if current else 5) * fs, alpha=0.75,
                                 linestyle="--" if hop.direction == "reply" else "-",
                                 zorder=5, shrinkA=6, shrinkB=6, gid=f"tunnel:{hop.index}"))
    mx = (a[0] + b[0]) / 2
    dy = -0.4 if hop.direction == "request" else -0.95
    ax.text(mx, a[1] + dy, f"VNI {vni}", ha="center", va="top",
            fontsize=_pt(6.3, fs), fontweight="bold" if current else "normal", zorder=9,
            bbox=dict(boxstyle="round,pad=0.12", facecolor="white", edgecolor=_GLASS,
                      linewidth=0.8), gid=f"vni:{hop.index}")
    return True


# -- headers -----------------------------------------------------------------------------

_KEY_FIELDS = {
    "Ethernet": ("src", "dst", "ethertype"),
    "ARP": ("op", "sender_ip", "sender_mac", "target_ip"),
    "IPv4": ("src", "dst", "ttl", "protocol"),
    "UDP": ("sport", "dport"),
    "TCP": ("sport", "dport", "flags"),
    "VXLAN": ("vni", "flags"),
    "ICMP": ("type", "code", "identifier", "sequence"),
    "Payload": ("size",),
}
_HEADER_COLOURS = {"Ethernet": "sky blue", "ARP": "reddish purple", "IPv4": "bluish green",
                   "UDP": "yellow", "TCP": "yellow", "ICMP": "orange", "VXLAN": "blue",
                   "Payload": "black"}
_CHAR_IN = 0.6 * 8 / 72        # one monospace character at 8 points, in inches


def draw_headers(packet: Packet, ax: Axes | None = None, previous: Packet | None = None) -> Axes:
    """Draw a packet as nested boxes, the outermost header outside, with its key fields.

    An encapsulated packet shows outer Ethernet / IPv4 / UDP / VXLAN around the
    inner Ethernet / IPv4 / ICMP. With ``previous`` (the packet one hop earlier),
    fields that changed are bold, shaded and marked with their old value, and
    headers it did not have are marked "new".

    Parameters
    ----------
    packet : Packet
    ax : matplotlib Axes, optional
    previous : Packet, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> tr = kp.trace(cl, "apartment-12", "apartment-22")
    >>> ax = draw_headers(tr.hops[4].packet, previous=tr.hops[3].packet)
    >>> [t.get_text() for t in ax.texts if t.get_text().startswith("VXLAN")]
    ['VXLAN (new)']
    """
    layers = _layers(packet)
    before = {(n, r): f for n, f, r in _layers(previous)} if previous is not None else {}
    removed = _removed(packet, previous)
    names = [n for n, _, _ in layers]
    inset, title_h, line_h = 0.18, 0.2, 0.19      # inches
    rows = []
    width = 7.6
    for depth, (name, fields, rank) in enumerate(layers):
        inner_w = width - 2 * inset * depth - 0.2
        chunks = _field_chunks(name, fields, before.get((name, rank)), previous is not None)
        lines, used = [[]], 0.0
        for chunk in chunks:
            w = (len(chunk[0]) + 3) * _CHAR_IN
            if used and used + w > inner_w:
                lines.append([])
                used = 0.0
            lines[-1].append(chunk)
            used += w
        rows.append(lines)
    heights = [title_h + line_h * len(lines) + 0.04 for lines in rows]
    tops = [-sum(heights[:i]) - 0.04 * i for i in range(len(layers))]
    bottoms = [0.0] * len(layers)
    bottoms[-1] = tops[-1] - heights[-1]
    for i in range(len(layers) - 2, -1, -1):
        bottoms[i] = bottoms[i + 1] - 0.07
    total_h = -bottoms[0] + 0.02
    if ax is None:
        import matplotlib.pyplot as plt

        figure = plt.figure(figsize=(width + 0.2, total_h + 0.75))
        ax = figure.add_axes((0.1 / (width + 0.2), 0.25 / (total_h + 0.75),
                              width / (width + 0.2), total_h / (total_h + 0.75)))
    ax.set_xlim(0.0, width)
    ax.set_ylim(-total_h, 0.0)
    ax.set_axis_off()
    box = ax.get_position()
    fs = min(1.3, max(0.4, min(box.width * ax.figure.get_figwidth() / width,
                               box.height * ax.figure.get_figheight() / total_h)))
    for depth, ((name, fields, rank), lines) in enumerate(zip(layers, rows)):
        x0 = inset * depth
        top, bottom = tops[depth], bottoms[depth]
        colour = OKABE_ITO[_HEADER_COLOURS.get(name, "black")]
        ax.add_patch(FancyBboxPatch((x0 + 0.02, bottom), width - 2 * x0 - 0.04, top - bottom - 0.02,
                                    boxstyle="round,pad=0,rounding_size=0.06",
                                    facecolor=colour, alpha=0.12, edgecolor="none",
                                    zorder=depth))
        ax.add_patch(FancyBboxPatch((x0 + 0.02, bottom), width - 2 * x0 - 0.04, top - bottom - 0.02,
                                    boxstyle="round,pad=0,rounding_size=0.06",
                                    facecolor="none", edgecolor="black",
                                    linewidth=1.4 if depth == 0 else 1.0,
                                    linestyle="-" if depth % 2 == 0 else (0, (4, 1.5)),
                                    zorder=depth + 0.5, gid=f"header:{depth}:{name}"))
        new = previous is not None and (name, rank) not in before
        ax.text(x0 + 0.12, top - 0.04, _label(name, rank, names) + (" (new)" if new else ""),
                ha="left", va="top", fontsize=_pt(8, fs), fontweight="bold", zorder=40)
        for k, line in enumerate(lines):
            cx = x0 + 0.14
            ly = top - title_h - 0.04 - k * line_h
            for text, changed in line:
                ax.text(cx, ly, text, ha="left", va="top", fontsize=_pt(8, fs),
                        family="monospace", fontweight="bold" if changed else "normal",
                        zorder=41, gid="changed" if changed else None,
                        bbox=dict(boxstyle="round,pad=0.08", facecolor=OKABE_ITO["yellow"],
                                  edgecolor="black", linewidth=0.6) if changed else None)
                cx += (len(text) + 3) * _CHAR_IN
    title = " / ".join(names) + f"  ({packet.size} bytes)"
    if removed:
        title += "\nremoved at this hop: " + ", ".join(removed)
    ax.set_title(title, fontsize=8.5, loc="left")
    if any(changed for lines in rows for line in lines for _, changed in line):
        ax.legend(handles=[Patch(facecolor=OKABE_ITO["yellow"], edgecolor="black",
                                 label="changed since the previous hop (was …)")],
                  loc="upper left", bbox_to_anchor=(0.0, 0.0), fontsize=8, frameon=False)
    return ax


def _field_chunks(name: str, fields: dict[str, object], old: dict[str, object] | None,
                  compare: bool) -> list[tuple[str, bool]]:
    keys = [k for k in _KEY_FIELDS.get(name, tuple(fields)) if k in fields]
    chunks = []
    for key in keys:
        value = fields[key]
        if name == "ICMP" and key == "type":
            value = {8: "8 (echo request)", 0: "0 (echo reply)"}.get(value, value)
        if name == "ARP" and key == "op":
            value = {1: "1 (request)", 2: "2 (reply)"}.get(value, value)
        changed = compare and old is not None and key in old and old[key] != fields[key]
        text = f"{key} {value}" + (f" (was {old[key]})" if changed else "")
        chunks.append((text, changed))
    return chunks


# -- IPAM --------------------------------------------------------------------------------

_IPAM_KINDS = {
    # kind: (face colour, hatch, letter, legend)
    "reserved": ("#BDBDBD", "xxx", "", "network / broadcast: never handed out"),
    "router": (OKABE_ITO["vermillion"], "", "R", "router IP (cilium_host)"),
    "health": (OKABE_ITO["bluish green"], "", "H", "health endpoint"),
    "pod": (OKABE_ITO["sky blue"], "///", "P", "pod"),
    "free": ("white", "", "", "free"),
}


_IPAM_LIST = 6      # allocations listed under a node's grid
_OFFSET_W = 0.75    # room left of a grid for its row offsets (".240")


def _cut(text: str, chars: int) -> str:
    """``text``, cut with "…" to at most ``chars`` characters."""
    return text if len(text) <= chars else text[:max(chars - 1, 1)] + "…"


def _owner_kind(owner: str | None) -> str:
    if owner is None:
        return "free"
    return owner if owner in ("router", "health") else "pod"


def draw_ipam(cl: Cluster, ax: Axes | None = None, *,
              highlight: Iterable[IPv4Address] = ()) -> Axes:
    """Draw IPAM: the pool, the node CIDRs carved out of it, and every node's addresses.

    At the top the pool (e.g. ``10.0.0.0/8``) with each node's CIDR as a
    labelled sliver, then a zoomed row of the first blocks; under them one grid
    per node of its CIDR's addresses (16 a row): network and broadcast greyed,
    the router IP (R), the health endpoint (H) and pods (P) marked by colour,
    hatching and letter, free addresses plain. Each grid row is labelled with
    the offset of its first address in the CIDR (.0, .16, .32, …).

    Parameters
    ----------
    cl : Cluster
    ax : matplotlib Axes, optional
    highlight : iterable of IPv4Address, optional
        Addresses to outline in their grid, e.g. the one just handed out or freed.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import kpath_nb as kp
    >>> ax = draw_ipam(kp.load_topology("seed-cilium-buildings"))
    >>> sorted(t.get_gid() for t in ax.texts if (t.get_gid() or "").startswith("letter:router"))
    ['letter:router:10.0.10.11', 'letter:router:10.0.20.21']
    """
    g = _ipam_geometry(cl)
    ax, fs = _axes(ax, _ipam_extent(cl), top=0.55, bottom=0.75)
    names, shown, mask, per_row = g["names"], g["shown"], cl.config.mask_size, g["per_row"]
    width, height, cols, cell = g["width"], g["height"], g["cols"], g["cell"]
    top_h, block_w, block_h = g["top_h"], g["block_w"], g["block_h"]
    _draw_pool(cl, ax, width, fs)
    for i, node in enumerate(shown):
        x0 = (i % per_row) * block_w
        y0 = -top_h - (i // per_row) * block_h
        _draw_node_grid(cl, ax, node, x0 + _OFFSET_W, y0, cols, cell, fs, set(highlight))
    if len(names) > len(shown):
        ax.text(0, -height + 0.3, f"+{len(names) - len(shown)} nodes not shown",
                ha="left", va="center", fontsize=_pt(8, fs), fontstyle="italic")
    pools = ", ".join(map(str, cl.cidrs.pools))
    ax.set_title(f"IPAM ({cl.config.ipam_mode}): pool {pools}, a /{mask} for each node, "
                 f"addresses from it for the router, health endpoint and pods", fontsize=9.5)
    ax.legend(handles=[Patch(facecolor=c, hatch=h, edgecolor="black",
                             label=f"{letter + ': ' if letter else ''}{text}")
                       for c, h, letter, text in _IPAM_KINDS.values()],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=8,
              frameon=False)
    return ax


def _ipam_geometry(cl: Cluster) -> dict:
    """Sizes of the IPAM picture, in layout units: grids of 16 cells a row, three a row."""
    names = list(cl.nodes)
    shown = names[:6]
    per_row = min(3, max(len(shown), 1))
    size = 2 ** (32 - cl.config.mask_size)
    cols = min(16, size)
    cell = 0.34
    block_w = cols * cell + 0.9 + _OFFSET_W
    width = max(per_row * block_w, 11.0)
    block_h = math.ceil(size / cols) * cell + 1.3 + _IPAM_LIST * 0.3
    top_h = 4.1
    height = top_h + (math.ceil(len(shown) / per_row) or 1) * block_h + (
        0.4 if len(names) > len(shown) else 0)
    return dict(names=names, shown=shown, per_row=per_row, cols=cols, cell=cell,
                block_w=block_w, block_h=block_h, width=width, height=height, top_h=top_h)


def _ipam_extent(cl: Cluster) -> tuple[float, float, float, float]:
    g = _ipam_geometry(cl)
    return (-0.2, -g["height"], g["width"] + 0.2, 0.2)


def _draw_pool(cl: Cluster, ax: Axes, width: float, fs: float) -> None:
    pool = cl.cidrs.pools[0]
    mask = cl.config.mask_size
    bar_y, bar_h = -0.9, 0.45
    ax.add_patch(Rectangle((0, bar_y), width, bar_h, facecolor="#F4F4F4", edgecolor="black",
                           linewidth=1.0, gid="pool"))
    ax.text(0, bar_y + bar_h + 0.08, f"pool {pool}: {pool.num_addresses:,} addresses, room "
                                     f"for {cl.cidrs.capacity():,} node CIDRs of /{mask}",
            ha="left", va="bottom", fontsize=_pt(8, fs), fontweight="bold")
    assigned = sorted(((cidr, node) for node, cidr in cl.cidrs.assigned.items()),
                      key=lambda t: t[0])
    share = width / pool.num_addresses
    for cidr, node in assigned:
        if not cidr.subnet_of(pool):
            continue
        x = (int(cidr.network_address) - int(pool.network_address)) * share
        ax.add_patch(Rectangle((x, bar_y), max(cidr.num_addresses * share, 0.05), bar_h,
                               facecolor="black", edgecolor="black", linewidth=0.6,
                               gid=f"sliver:{node}"))
    if assigned:
        ax.text(width, bar_y - 0.08, f"{len(assigned)} node CIDRs taken (black slivers at "
                                     f"the left, shown larger than scale)",
                ha="right", va="top", fontsize=_pt(7, fs), fontstyle="italic")
    # The zoomed row: the first 256 blocks of the pool (or fewer), each a cell.
    zoom_prefix = max(pool.prefixlen, mask - 8)
    first = assigned[0][0] if assigned else next(pool.subnets(new_prefix=mask))
    span = first.supernet(new_prefix=zoom_prefix)
    blocks = list(span.subnets(new_prefix=mask))
    zy, zh = -2.55, 0.5
    cw = width / len(blocks)
    owners = {cidr: node for cidr, node in assigned}
    ax.add_patch(Rectangle((0, zy), width, zh, facecolor="white", edgecolor="black",
                           linewidth=0.8))
    # Lines from the pool's sliver to the zoomed row.
    zx0 = (int(span.network_address) - int(pool.network_address)) * share
    ax.plot([zx0, 0], [bar_y, zy + zh], color="#888888", linewidth=0.7, linestyle="--")
    ax.plot([zx0 + max(span.num_addresses * share, 0.05), width], [bar_y, zy + zh],
            color="#888888", linewidth=0.7, linestyle="--")
    ax.text(width / 2, zy + zh + 0.08, f"zoom: {span} in /{mask} blocks", ha="center",
            va="bottom", fontsize=_pt(7, fs), fontstyle="italic",
            bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none"))
    labelled = 0
    for k, block in enumerate(blocks):
        node = owners.get(block)
        if node is None:
            continue
        ax.add_patch(Rectangle((k * cw, zy), max(cw, 0.06), zh, facecolor=OKABE_ITO["blue"],
                               hatch="///", edgecolor="black", linewidth=0.5,
                               gid=f"block:{node}"))
        if labelled < 6:
            ax.annotate(f"{node}\n{block}", (k * cw + cw / 2, zy), xytext=(
                0.2 + labelled * width / 6.2, zy - 0.25), ha="left", va="top",
                fontsize=_pt(6.8, fs), arrowprops=dict(arrowstyle="-", color="#555555",
                                                   linewidth=0.6))
            labelled += 1


def _draw_node_grid(cl: Cluster, ax: Axes, node: str, x0: float, y0: float, cols: int,
                    cell: float, fs: float, highlight: set[IPv4Address]) -> None:
    k8s = cl.nodes[node]
    cidr: IPv4Network = k8s.pod_cidr
    allocator = cl.allocators[node]
    owners = dict(allocator.allocations())
    ax.text(x0 - _OFFSET_W, y0, f"{node}: {cidr}", ha="left", va="bottom", fontsize=_pt(8.5, fs),
            fontweight="bold")
    ax.text(x0 - _OFFSET_W, y0 - 0.02, allocator.status(), ha="left", va="top", fontsize=_pt(7, fs),
            family="monospace")
    gy = y0 - 0.45
    for i, ip in enumerate(cidr):
        r, c = divmod(i, cols)
        if ip in (cidr.network_address, cidr.broadcast_address):
            kind = "reserved"
        else:
            kind = _owner_kind(owners.get(ip))
        face, hatch, letter, _ = _IPAM_KINDS[kind]
        x, y = x0 + c * cell, gy - (r + 1) * cell
        if c == 0:
            ax.text(x - 0.08, y + cell / 2, f".{i}", ha="right", va="center",
                    fontsize=_pt(6, fs), color="#555555", gid=f"offset:{node}:{i}")
        if ip in highlight:
            ax.add_patch(Rectangle((x - 0.04, y - 0.04), cell + 0.08, cell + 0.08,
                                   facecolor="none", edgecolor="black", linewidth=2.2,
                                   zorder=5, gid=f"highlight:{ip}"))
        ax.add_patch(Rectangle((x, y), cell, cell, facecolor=face, hatch=hatch,
                               edgecolor="#333333" if kind != "free" else "#BBBBBB",
                               linewidth=0.4, gid=f"addr:{kind}"))
        if letter:
            ax.text(x + cell / 2, y + cell / 2, letter, ha="center", va="center",
                    fontsize=_pt(6, fs), fontweight="bold", color="white" if kind == "router"
                    else "black", gid=f"letter:{kind}:{ip}")
    room = int((cols * cell + _OFFSET_W + 0.4) * _inches_per_unit(ax) / (_pt(6.3, fs) / 72 * 0.602))
    entries = [_cut(f"{ip} {owner}", room) for ip, owner in allocator.allocations()]
    if len(entries) > _IPAM_LIST:
        entries = entries[:_IPAM_LIST - 1] + [f"+{len(entries) - _IPAM_LIST + 1} more"]
    rows = math.ceil(cidr.num_addresses / cols)
    ax.text(x0 - _OFFSET_W, gy - rows * cell - 0.12, "\n".join(entries), ha="left", va="top",
            fontsize=_pt(6.3, fs), family="monospace", linespacing=1.15)
