"""IPAM drawn: the pod CIDR pool, the block each node got from it, and each node's addresses.

Examples
--------
>>> import kpath_nb as kp
>>> ax = draw_ipam(kp.load_topology("seed-cilium-buildings"))
>>> ax.get_title().startswith("IPAM (cluster-pool): pool 10.0.0.0/8, a /24 for each node")
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from ..cluster import Cluster
from .clusterlayout import _axes, _inches_per_unit, _pt
from .palette import OKABE_ITO

__all__ = ["draw_ipam", "ipam_axes"]

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
    ax, fs = _axes(ax if ax is not None else ipam_axes(cl), _ipam_extent(cl))
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


def ipam_axes(cl: Cluster, figure: Figure | None = None) -> Axes:
    """A new Axes sized for :func:`draw_ipam` of ``cl``, on ``figure`` or a new pyplot
    figure; pass a :class:`matplotlib.figure.Figure` to stay clear of pyplot.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> ax = ipam_axes(kp.load_topology("seed-cilium-buildings"), Figure())
    >>> bool(ax.figure.get_figwidth() <= 9.6)
    True
    """
    return _axes(None, _ipam_extent(cl), top=0.55, bottom=0.75, figure=figure)[0]


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
