"""Pictures of a Kubernetes cluster running Cilium: nodes as buildings, pods as apartments.

The drawings follow the story. Each node is a building: its apartments (pods)
along the top, each joined by a private corridor (the veth pair) to its door
``lxc…`` in the lobby, where Cilium's eBPF programs work; the lobby also holds
``cilium_host`` (the router IP, door 11 of the story) and ``cilium_vxlan`` (the
tunnel door, a triangle). ``eth0`` sits on the building's bottom edge, cabled
to the node network below. Between the tunnel doors runs the glass tunnel:
VXLAN over UDP 8472. Where everything goes is :mod:`.clusterlayout`'s job; a
packet's path over this picture is :mod:`.clustertrace`'s.

Every function takes ``ax=None``, draws into that Axes (or a new figure) and
returns the Axes. Nothing here calls ``plt.show()`` or changes matplotlib's
settings; layouts are fixed, so the same cluster always gives the same picture.
Colours come from the Okabe-Ito palette and are never the only cue: shapes,
hatching, line styles and labels carry the same information.

Examples
--------
>>> import kpath_nb as kp
>>> ax = draw_cluster(kp.load_topology("seed-cilium-buildings"))
>>> ax.get_title()
'seed-cilium-buildings: 2 nodes, 3 pods, Cilium tunnel mode'
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch, Rectangle

from ..cluster import Cluster, K8sNode, Pod
from ..trace import Trace
from .clusterlayout import (_APT, _DOOR_H, _GAP, _LOBBY, _LXC_Y, _MORE_SLOT, _ROW_PITCH, _SLOT,
                            _TOP, _VXLAN_Y, _axes, _Building, _layout, _Layout, _nominal_unit, _pt,
                            _trace_extent)
from .palette import CABLE, OKABE_ITO
from .plot import _facts as _network_facts

__all__ = ["draw_cluster", "cluster_axes"]

_GLASS = OKABE_ITO["sky blue"]
_LOBBY_FILL = "#EDEDED"


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
    layout = _layout(cl, trace)
    extent = layout.extent if trace is None else _trace_extent(cl, layout, trace)
    return _axes(None, extent, top=1.0, bottom=0.55, figure=figure)[0]


# -- the cluster -------------------------------------------------------------------------


def draw_cluster(cl: Cluster, ax: Axes | None = None) -> Axes:
    """Draw the cluster as the story's buildings, lobbies, corridors and glass tunnel.

    Each node is a building labelled with its name, node IP (``eth0``) and pod
    CIDR. Its pods are apartments along the top (name, IP, security identity),
    each joined by a corridor, its veth pair, to its ``lxc…`` door in the lobby
    ("Cilium (eBPF)"). The lobby also holds ``cilium_host`` with the router IP
    and the tunnel door ``cilium_vxlan`` (a triangle); ``eth0`` sits on the
    bottom edge, cabled to the node network's switch. A translucent band joins
    the tunnel doors: VXLAN over UDP 8472. Large clusters stay readable: of more than
    four nodes, the first two are drawn and a box stands for the rest ("+N nodes");
    each building has as many apartments as fit with every label at its full size,
    and a column for the rest ("+N pods").

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


def _facts(cl: Cluster) -> tuple:
    """All that a picture of ``cl`` shows of it: two clusters with equal facts are drawn
    alike (see :func:`~.plot._facts`)."""
    pods = tuple((p.name, p.node, p.ip, p.identity.number if p.identity else None, p.lxc)
                 for p in cl.pods.values())
    nodes = tuple((n.name, n.pod_cidr, n.router_ip) for n in cl.nodes.values())
    return cl.name, _network_facts(cl.underlay), pods, nodes, cl.config


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
    cable = dict(color=CABLE, linewidth=1.4, alpha=alpha, zorder=1, solid_capstyle="round")
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
        ax.text(gx + gw / 2, gy + _TOP / 2 + 0.6, _count(hidden, "node"), ha="center",
                va="center", fontsize=_pt(9, fs), fontweight="bold", color=ink, zorder=4,
                gid="more-nodes-label")
        ax.text(gx + gw / 2, gy + _TOP / 2 - 0.2, "built\nthe same\nway", ha="center",
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
        mx = layout.pos[(b.node, "+pods")][0]
        ax.add_patch(FancyBboxPatch((mx - _MORE_SLOT / 2 + 0.08, y0 + _APT[0]),
                                    _MORE_SLOT - 0.16, _APT[1] - _APT[0],
                                    boxstyle="round,pad=0,rounding_size=0.12",
                                    facecolor="white", edgecolor="#555555", linestyle="--",
                                    linewidth=1.0, alpha=alpha, zorder=2,
                                    gid=f"more-pods:{b.node}"))
        ax.text(mx, y0 + (_APT[0] + _APT[1]) / 2, _count(b.hidden, "pod"), ha="center",
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


def _count(n: int, thing: str) -> str:
    """What a box that stands for ``n`` things not drawn says: "+998" over "nodes"."""
    return f"+{n}\n{thing}{'' if n == 1 else 's'}"


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

