"""A packet's journey through a cluster: numbered arrows from device to device.

The cluster is drawn lighter underneath (:mod:`.clusterplot`), showing the
buildings the packet goes through. Each hop's arrows run between the devices it
names, Hubble's observation points are written at their hops, the stretch inside
the glass tunnel is drawn along it with its VNI, and a drop is an X.

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
from collections.abc import Callable, Hashable

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from ..cluster import Cluster, K8sNode
from ..packet import ARP, VXLAN, IPv4
from ..trace import Hop, Trace
from .clusterlayout import (_DOOR_H, _TOP, _Layout, _axes, _inches_per_unit, _layout, _pt,
                            _trace_extent)
from .clusterplot import _GLASS, _draw, cluster_axes
from .palette import ARP_COLOUR, ERROR, ERROR_DASHES, HIGHLIGHT, REPLY, REQUEST
from .traceplot import _check_upto

__all__ = ["draw_cluster_trace", "backdrop", "view"]

_Point = tuple[float, float]


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
    _check_upto(tr, upto)
    ax = ax if ax is not None else cluster_axes(cl, trace=tr)
    backdrop(cl, tr, ax)(tr, upto)
    return ax


def view(cl: Cluster, tr: Trace) -> Hashable:
    """What :func:`draw_cluster_trace` shows of ``cl`` for ``tr``: the part of the picture,
    the buildings and the apartments in each. Two traces with the same view are drawn
    over the same picture of the cluster.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> across, next_door = (view(cl, kp.trace(cl, "apartment-12", dst))
    ...                      for dst in ("apartment-22", "apartment-14"))
    >>> across == view(cl, kp.trace(cl, "apartment-14", "apartment-22")), next_door == across
    (True, False)
    """
    layout = _layout(cl, tr)
    buildings = tuple((b.node, tuple(b.pods), b.hidden) for b in layout.buildings.values())
    return _trace_extent(cl, layout, tr), buildings, layout.ghost


def backdrop(cl: Cluster, tr: Trace, ax: Axes) -> Callable[[Trace, int | None], None]:
    """Draw the cluster lighter, cropped to where ``tr`` goes, and return ``draw(trace,
    upto)``, which draws a trace over it up to hop ``upto`` (as
    :func:`draw_cluster_trace` does).

    ``trace`` is ``tr`` or another trace with the same :func:`view`. The explorer
    draws a backdrop once and then only the traces and hops over it.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> from matplotlib.figure import Figure
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> tr = kp.trace(cl, "apartment-12", "apartment-22")
    >>> ax = cluster_axes(cl, Figure(), trace=tr)
    >>> draw = backdrop(cl, tr, ax)
    >>> draw(tr, 4)
    >>> ax.get_title().splitlines()[1].startswith("hop 4 · building-blue · encap")
    True
    """
    layout = _layout(cl, tr)
    extent = _trace_extent(cl, layout, tr)
    ax, fs = _axes(ax, extent)
    _draw(cl, ax, layout, fs, faded=True)
    if extent != layout.extent:  # cropped: the buildings left out must not spill past the edge
        for text in ax.texts:
            text.set_clip_on(True)
    return _Hops(cl, ax, layout, fs).draw


def _kind(hop: Hop) -> str:
    return "arp" if hop.packet.get(ARP) is not None else hop.direction


_STYLES = {"request": (REQUEST, "-", 0.18), "reply": (REPLY, (0, (5, 2.5)), 0.18),
           "error": (ERROR, ERROR_DASHES, -0.3), "arp": (ARP_COLOUR, ":", 0.42)}


class _Hops:
    """Draws traces over a cluster that :func:`~.clusterplot._draw` drew on ``ax`` with
    ``layout``, at font scale ``fs``."""

    def __init__(self, cl: Cluster, ax: Axes, layout: _Layout, fs: float) -> None:
        self.cl, self.ax, self.layout, self.fs = cl, ax, layout, fs
        self.doors = {p for (_, device), p in layout.pos.items()
                      if device.startswith(("lxc", "cilium_host", "cilium_net"))}
        self.eth0s = {layout.pos[(b, "eth0")] for b in layout.buildings}
        self.apartments = {layout.pos[(p, "")] for b in layout.buildings.values()
                           for p in b.pods}
        self.left, self.right = sorted(ax.get_xlim())

    def draw(self, tr: Trace, upto: int | None) -> None:
        """Draw hops 0..upto of ``tr``, hop ``upto`` highlighted, with title and legend."""
        _check_upto(tr, upto)
        ax, fs, layout = self.ax, self.fs, self.layout
        shown = tr.hops if upto is None else tr.hops[:upto + 1]
        points = [self._points(hop) for hop in tr.hops[:len(shown) + 1]]
        # A hop owns the moves inside it and the move from its end to where the next hop
        # starts.
        segments: list[tuple[Hop, _Point, _Point]] = []
        lone: dict[_Point, list[Hop]] = {}
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
            a, b, rad = self._along_edges(a, b, rad)
            rad = math.copysign(min(abs(rad), 0.7 / math.dist(a, b)), rad)   # bulge ≤ 0.7
            # add_artist, not add_patch: the limits are fixed, so nothing needs to
            # measure the arrow to widen them.
            ax.add_artist(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=11 * fs,
                                          connectionstyle=f"arc3,rad={rad}",
                                          color=HIGHLIGHT if current else colour,
                                          linewidth=(3.4 if current else 1.6) * fs,
                                          linestyle=style, zorder=8 if current else 6,
                                          shrinkA=4, shrinkB=4, gid=f"arrow:{hop.index}"))
            if hop.index in labelled:
                continue
            labelled.add(hop.index)
            (mx, my), (nx, ny) = _arc_point(a, b, rad, 0.3 if _kind(hop) == "arp" else 0.5)
            self._badge(mx + 0.12 * nx, my + 0.12 * ny, hop, current,
                        ha="left" if nx > 0.3 else "right" if nx < -0.3 else "center",
                        va="bottom" if ny > 0.3 else "top" if ny < -0.3 else "center")
        for (x, y), hops in lone.items():
            below = (x, y) in self.eth0s or (x, y) == layout.switch
            for k, hop in enumerate(hops):
                current = hop.index == upto
                if (x, y) in self.apartments:      # the apartment's middle is free
                    self._badge(x, y + 0.68 + 0.3 * k, hop, current)
                elif below:     # under the building's wall, clear of the lobby's arrows
                    self._badge(x - 0.5, y - 0.45 - 0.36 * k, hop, current, ha="right")
                elif x > (self.left + self.right) / 2:    # room on the left
                    self._badge(x - 0.55, y + 0.42 + 0.36 * k, hop, current, ha="right")
                else:
                    self._badge(x + 0.55, y + 0.42 + 0.36 * k, hop, current, ha="left")
                if hop.action == "drop":
                    ax.scatter([x], [y], s=520 * fs**2, marker="X", color=HIGHLIGHT,
                               edgecolor="black", linewidth=1.0, zorder=9, gid="drop-marker")
                    drawn.add("drop")
        for hop in shown:
            if hop.action != "encap":
                continue
            # The tunnel is drawn once the far end has taken the packet out of it; until
            # then the packet is on its way out through eth0 and across the node network.
            arrived = any(h.action == "decap" and h.direction == hop.direction
                          for h in shown if h.index > hop.index)
            if _tunnel_flight(self.cl, ax, layout, hop, hop.index == upto, fs, arrived):
                drawn.add("tunnel")
        if upto is not None:
            drawn.add("current")
        self._title_and_legend(tr, upto, drawn)

    def _points(self, hop: Hop) -> list[_Point]:
        """Where a hop happens: the devices it goes through, in order (one point for an
        event)."""
        cl, layout = self.cl, self.layout
        if hop.node in cl.pods:
            return [self._apartment(hop.node)]
        if hop.node not in cl.nodes:                      # the node network's switch
            return [layout.switch]
        if hop.node not in layout.buildings:              # one of the "+N nodes"
            return [self._ghost()]

        def at(device: str | None) -> _Point | None:
            if device is None:
                return None
            return layout.pos.get((hop.node, device), layout.pos[(hop.node, "eth0")])

        points = [p for p in (at(hop.in_iface), at(hop.out_iface)) if p is not None]
        if hop.action == "decap":
            points = [at("eth0"), at(hop.in_iface)]
        if hop.action != "arp" and hop.out_iface and hop.out_iface.startswith("lxc") and \
                hop.observation == "to-endpoint":
            pod = next((p for p in cl.pods_on(hop.node) if p.lxc == hop.out_iface), None)
            if pod is not None:
                points.append(self._apartment(pod.name))
        deduped: list[_Point] = []
        for p in points:
            if not deduped or deduped[-1] != p:
                deduped.append(p)
        return deduped or [layout.pos[(hop.node, "eth0")]]

    def _apartment(self, pod: str) -> _Point:
        """Where a pod is drawn: its apartment, else its building's "+N pods" column,
        else the "+N nodes" box."""
        node = self.cl.pods[pod].node
        spot = self.layout.pos.get((pod, ""), self.layout.pos.get((node, "+pods")))
        return spot if spot is not None else self._ghost()

    def _ghost(self) -> _Point:
        gx, gy, gw, _ = self.layout.ghost
        return gx + gw / 2, gy + _TOP / 2

    def _along_edges(self, a: _Point, b: _Point, rad: float) -> tuple[_Point, _Point, float]:
        """A move's ends moved from a lobby door's middle (where its name is written) to
        the door's edge that faces the other end; a move between two doors side by side
        runs under them, bulging downwards."""
        def edge(p: _Point, other: _Point) -> _Point:
            if p not in self.doors:
                return p
            up = other[1] > p[1] + 0.3
            return (p[0], p[1] + (_DOOR_H / 2 if up else -_DOOR_H / 2))

        a2, b2 = edge(a, b), edge(b, a)
        if a in self.doors and b in self.doors and abs(a[1] - b[1]) < 1e-6:
            rad = abs(rad) if b[0] > a[0] else -abs(rad)    # arc3 bulges to the right of a→b
        return a2, b2, rad

    def _badge(self, x: float, y: float, hop: Hop, current: bool, ha: str = "center",
               va: str = "center") -> None:
        """Number a hop at (x, y), with its observation point; a number that would run
        off the picture's side goes on the other side of (x, y)."""
        mark = {"drop": " ✗ drop", "deliver": " ✓"}.get(hop.action, "")
        text = f"{hop.index}{mark}" + (f" {hop.observation}" if hop.observation else "")
        size = _pt(9 if current else 8, self.fs)
        width = (len(text) * 0.62 * size / 72 + 0.1) / _inches_per_unit(self.ax)
        if ha == "right" and x - width < self.left:
            ha, x = "left", min(x + 1.0, self.right - width)
        elif ha == "left" and x + width > self.right:
            ha, x = "right", max(x - 1.0, self.left + width)
        box = dict(boxstyle="round,pad=0.15", facecolor=HIGHLIGHT if current else "white",
                   edgecolor="black", linewidth=1.2 if current else 0.6)
        kind = "drop" if hop.action == "drop" else "current" if current else "hops"
        self.ax.text(x, y, text, ha=ha, va=va, fontsize=size, fontweight="bold",
                     color="white" if current else "black", bbox=box,
                     zorder=10 if current else 9, gid=f"{kind}:{hop.index}")

    def _title_and_legend(self, tr: Trace, upto: int | None, drawn: set[str]) -> None:
        title = f"{tr.src} → {tr.dst}: {tr.verdict}"
        if upto is not None:
            hop = tr.hops[upto]
            where = f" ({hop.observation})" if hop.observation else ""
            where += " (ICMP error, going back)" if hop.direction == "error" else ""
            subtitle = f"hop {hop.index} · {hop.node} · {hop.action}{where}: {hop.note}"
        else:
            subtitle = tr.reason
        self.ax.set_title(f"{title}\n{_wrap(subtitle)}", fontsize=9.5)
        legend = [Line2D([], [], **entry) for kind, entry in _LEGEND.items() if kind in drawn]
        self.ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                       ncol=len(legend), fontsize=8, frameon=False, handlelength=3.0)


_LEGEND = {
    "request": dict(color=REQUEST, linewidth=2, label="request"),
    "reply": dict(color=REPLY, linewidth=2, linestyle=(0, (5, 2.5)), label="reply"),
    "error": dict(color=ERROR, linewidth=2, linestyle=ERROR_DASHES, label="ICMP error"),
    "arp": dict(color=ARP_COLOUR, linewidth=1.5, linestyle=":", label="ARP frame"),
    "current": dict(color=HIGHLIGHT, linewidth=3.4, label="this hop"),
    "tunnel": dict(color=_GLASS, linewidth=6, alpha=0.6, label="inside the tunnel (VXLAN)"),
    "drop": dict(linestyle="", marker="X", markersize=10, color=HIGHLIGHT,
                 markeredgecolor="black", label="dropped here"),
}


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
    shift = {"request": 0.1, "reply": -0.1}.get(hop.direction, -0.3)
    a, b = (a[0], a[1] + shift), (b[0], b[1] + shift)
    ax.add_artist(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=16 * fs,
                                  connectionstyle="arc3,rad=0", color=_GLASS,
                                  linewidth=(7 if current else 5) * fs, alpha=0.75,
                                  linestyle={"reply": "--", "error": ERROR_DASHES}.get(
                                      hop.direction, "-"),
                                  zorder=5, shrinkA=6, shrinkB=6, gid=f"tunnel:{hop.index}"))
    mx = (a[0] + b[0]) / 2
    dy = {"request": -0.4, "reply": -0.95}.get(hop.direction, -1.5)
    ax.text(mx, a[1] + dy, f"VNI {vni}", ha="center", va="top",
            fontsize=_pt(6.3, fs), fontweight="bold" if current else "normal", zorder=9,
            bbox=dict(boxstyle="round,pad=0.12", facecolor="white", edgecolor=_GLASS,
                      linewidth=0.8), gid=f"vni:{hop.index}")
    return True



def _wrap(text: str, width: int = 110) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text
