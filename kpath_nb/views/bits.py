"""Addresses bit by bit: which bits are the network part, and longest-prefix match (matplotlib).

An address is a row of 32 cells in four octets, the network part shaded blue and
the host part hatched sand, split by a thick bar at the prefix length. Every
function takes ``ax=None`` and returns the Axes; nothing here changes matplotlib's
settings.

Examples
--------
>>> ax = draw_bits("10.0.10.14/24", "10.0.20.24/24")
>>> [t.get_text() for t in ax.texts if t.get_text().startswith("first bit")]
['first bit that differs: bit 20']
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from matplotlib.axes import Axes
from matplotlib.patches import Patch, Rectangle

from ..addr import parse_address, parse_interface, parse_network
from ..errors import AddressError
from ..tables import RouteTable
from ..topology import Host
from .netlayout import _MAX_WIDTH
from .palette import HIGHLIGHT, OKABE_ITO
from .plot import _font_scale, _new_axes

__all__ = ["draw_bits", "draw_prefix_match"]

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
                               facecolor="none", edgecolor=HIGHLIGHT, linewidth=2.6, zorder=5,
                               gid="first-difference"))
        ax.annotate(f"first bit that differs: bit {differ + 1}",
                    xy=(_bit_x(differ) + 0.5, low - 0.15), xytext=(_bit_x(differ) + 0.5, low - 1.0),
                    ha="center", va="center", fontsize=10 * fs, color=HIGHLIGHT,
                    fontweight="bold", arrowprops=dict(arrowstyle="-|>", color=HIGHLIGHT),
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
