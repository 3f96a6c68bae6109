"""A packet as nested boxes, the outermost header outside, each with its key fields (matplotlib).

An encapsulated packet shows outer Ethernet / IPv4 / UDP / VXLAN around the inner
Ethernet / IPv4 / ICMP, so encapsulation reads as what it is: more headers around
the same packet.

Examples
--------
>>> import kpath_nb as kp
>>> net = kp.load_topology("two-hosts")
>>> ax = draw_headers(kp.trace(net, "h1", "h2").hops[-1].packet)
>>> ax.get_title(loc="left")
'IPv4 / ICMP / Payload  (84 bytes)'
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import FancyBboxPatch, Patch

from ..packet import Packet
from .clusterlayout import _pt
from .palette import OKABE_ITO
from .render import _label, _layers, _removed

__all__ = ["draw_headers"]

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

