"""HTML views of packets, table lookups and hops, for notebooks and widgets.

Plain string building with :func:`html.escape`: no matplotlib, no ipywidgets,
and inline styles only, so nothing leaks into the rest of the notebook page.
Colour is never the only cue: a changed field is also bold and marked
"changed", the matching table row also carries a ▶.

Examples
--------
>>> import kpath_nb as kp
>>> net = kp.load_topology("seed-neighborhoods")
>>> tr = kp.trace(net, "house-14", "house-24")
>>> "▶" in hop_html(tr.hops[8])
True
"""

from __future__ import annotations

from html import escape

from ..packet import ARP, ICMP, TCP, UDP, Ethernet, IPv4, Packet, Payload
from ..trace import Hop, Lookup, Trace

__all__ = ["packet_html", "lookup_html", "hop_html", "trace_html", "show_hop", "HopView",
           "same_packet", "page"]

_BOX = ("display:inline-block;vertical-align:top;margin:2px 4px 2px 0;padding:3px 6px;"
        "border:1px solid #888;border-radius:4px;font-family:monospace;font-size:12px")
_TABLE = "border-collapse:collapse;font-family:monospace;font-size:12px;margin:2px 0"
_CELL = "padding:1px 6px;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap"
_MATCHED = "background:#FFF3B0;font-weight:bold"
_WRAP = "white-space:normal;min-width:24em"
_CHANGED = "background:#FFF3B0;font-weight:bold"


def _text(value: object) -> str:
    return escape(str(value))


def page(html: str) -> str:
    """``html`` in a box with normal line spacing (widget areas space lines for controls).

    Examples
    --------
    >>> page("<b>hi</b>")
    "<div style='line-height:1.3'><b>hi</b></div>"
    """
    return f"<div style='line-height:1.3'>{html}</div>"


def _identity(packet: Packet) -> tuple | None:
    """What makes a packet the same packet along its way: its ARP question or answer, or
    its innermost IPv4 addresses and transport header."""
    inner = list(packet)[::-1]
    arp = next((h for h in inner if isinstance(h, ARP)), None)
    if arp is not None:
        return "arp", arp.op, arp.sender_ip, arp.target_ip
    ip = next((h for h in inner if isinstance(h, IPv4)), None)
    transport = next((h for h in inner if isinstance(h, (ICMP, UDP, TCP))), None)
    return None if ip is None else ("ip", ip.src, ip.dst, transport)


def same_packet(packet: Packet, other: Packet) -> bool:
    """True when ``other`` is ``packet`` at another point of its way (a router may have
    changed its TTL and MACs), not a different packet such as the reply or an ARP frame.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> tr = kp.trace(kp.load_topology("seed-neighborhoods"), "house-14", "house-24")
    >>> same_packet(tr.hops[8].packet, tr.hops[5].packet)
    True
    >>> same_packet(tr.hops[2].packet, tr.hops[1].packet)     # ARP reply, ARP request
    False
    """
    return _identity(packet) is not None and _identity(packet) == _identity(other)


def _layers(packet: Packet) -> list[tuple[str, dict[str, object], int]]:
    """Each header's name, fields and rank among the headers of that name counted from the
    innermost, so the packet inside a tunnel matches the same packet before it went in."""
    layers = packet.layers()
    return [(name, fields, sum(1 for later, _ in layers[i + 1:] if later == name))
            for i, (name, fields) in enumerate(layers)]


def _label(name: str, rank: int, names: list[str]) -> str:
    """A header's name, with "(outer)" or "(inner)" when the packet has two of them."""
    if names.count(name) < 2:
        return name
    return f"{name} (outer)" if rank > 0 else f"{name} (inner)"


def _removed(packet: Packet, previous: Packet | None) -> list[str]:
    """The headers of ``previous`` that ``packet`` no longer has (taken off at a decap)."""
    if previous is None:
        return []
    have = {(name, rank) for name, _, rank in _layers(packet)}
    layers = _layers(previous)
    names = [name for name, _, _ in layers]
    return [_label(name, rank, names) for name, _, rank in layers if (name, rank) not in have]


def packet_html(packet: Packet, previous: Packet | None = None) -> str:
    """The packet as one box per header, outermost first, each with its fields.

    Headers are compared from the innermost outwards, so a tunnel's headers are
    not mistaken for rewritten ones: when a header type appears twice the boxes
    say "(outer)" and "(inner)".

    Parameters
    ----------
    packet : Packet
    previous : Packet, optional
        The packet one hop earlier: fields whose value changed are emphasised
        and marked "changed", headers it did not have are marked "new", and
        headers it had that are gone (taken off at a decap) are named. Ignored
        when it is a different packet (see :func:`same_packet`).

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("seed-neighborhoods")
    >>> tr = kp.trace(net, "house-14", "house-24")
    >>> html = packet_html(tr.hops[8].packet, previous=tr.hops[5].packet)
    >>> "ttl" in html and "changed" in html
    True
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> tr = kp.trace(cl, "apartment-12", "apartment-22")
    >>> html = packet_html(tr.hops[4].packet, previous=tr.hops[3].packet)   # encap
    >>> "IPv4 (outer)</b> <small>(new)" in html, "changed" in html
    (True, False)
    """
    if previous is not None and not same_packet(packet, previous):
        previous = None
    before = {(name, rank): fields for name, fields, rank in _layers(previous)} \
        if previous is not None else {}
    layers = _layers(packet)
    names = [name for name, _, _ in layers]
    boxes = []
    removed = _removed(packet, previous)
    if removed:
        boxes.append(f"<div style='margin:2px 0'><b>removed at this hop:</b> "
                     f"{_text(', '.join(removed))}</div>")
    for name, fields, rank in layers:
        old = before.get((name, rank))
        badge = (" <small>(new)</small>" if previous is not None and old is None else "")
        rows = []
        for key, value in fields.items():
            changed = old is not None and key in old and old[key] != value
            style = f"{_CELL};{_CHANGED}" if changed else _CELL
            mark = (f" <small title='was {_text(old[key])}'>changed, was "
                    f"{_text(old[key])}</small>" if changed else "")
            rows.append(f"<tr><td style='{_CELL};color:#555'>{_text(key)}</td>"
                        f"<td style='{style}'>{_text(value)}{mark}</td></tr>")
        boxes.append(f"<div style='{_BOX}'><b>{_text(_label(name, rank, names))}</b>{badge}"
                     f"<table style='{_TABLE}'>{''.join(rows)}</table></div>")
    return f"<div>{''.join(boxes)}</div>"


def _pairs(value: object) -> dict[str, str] | None:
    """``"identity=257 flags=hastunnel"`` as ``{"identity": "257", "flags": "hastunnel"}``;
    None when the text is not a list of ``key=value`` words."""
    words = str(value).split()
    if not words or not all("=" in w for w in words):
        return None
    return dict(w.split("=", 1) for w in words)


def _split_columns(columns: tuple, rows: tuple) -> list[list[str] | None]:
    """For each column, the keys it is split into when its cells are ``key=value`` lists
    (as in ``cilium-dbg bpf ipcache list``), or None to keep it whole. Cells that are
    not such lists, like ``(localhost)``, span the split column."""
    out: list[list[str] | None] = []
    for j, _ in enumerate(columns):
        cells = [row[j] for row in rows if j < len(row)]
        parsed = [_pairs(c) for c in cells]
        ok = any(parsed) and all(p is not None or "=" not in str(c)
                                 for p, c in zip(parsed, cells))
        out.append(list(dict.fromkeys(k for p in parsed if p for k in p)) if ok else None)
    return out


def lookup_html(lookup: Lookup) -> str:
    """One table lookup: the table as it was at that moment, the matching row marked ▶.

    Examples
    --------
    >>> from kpath_nb.trace import Lookup
    >>> html = lookup_html(Lookup("arp", "10.0.10.11", "miss", False, ("address",), (), None))
    >>> "miss" in html
    True
    """
    if lookup.hit:
        outcome = f"<code>{_text(lookup.result)}</code>"
    else:
        detail = lookup.result.removeprefix("miss").lstrip(": ")
        outcome = "<b>miss</b>" + (f": {_text(detail)}" if detail else "")
    title = f"<b>{_text(lookup.table)}</b> lookup of <code>{_text(lookup.key)}</code> → {outcome}"
    if not lookup.rows:
        empty = (not lookup.hit and lookup.columns)  # a snapshot was kept and it was empty
        note = "<br><small>the table is empty, so the lookup misses</small>" if empty else ""
        return f"<div style='margin:4px 0'>{title}{note}</div>"
    split = _split_columns(lookup.columns, lookup.rows)
    double = any(split)
    top, keys = [], []
    for column, sub in zip(lookup.columns, split):
        if sub is None:
            span = " rowspan='2'" if double else ""
            top.append(f"<th style='{_CELL}'{span}>{_text(column)}</th>")
        else:
            top.append(f"<th style='{_CELL};text-align:center' colspan='{len(sub)}'>"
                       f"{_text(column)}</th>")
            keys += [f"<th style='{_CELL};font-weight:normal;color:#555'>{_text(k)}</th>"
                     for k in sub]
    corner = f"<th style='{_CELL}'" + (" rowspan='2'" if double else "") + "></th>"
    head = f"<tr>{corner}{''.join(top)}</tr>" + (f"<tr>{''.join(keys)}</tr>" if double else "")
    body = []
    for i, row in enumerate(lookup.rows):
        hit = i == lookup.matched
        style = f"{_CELL};{_MATCHED}" if hit else _CELL
        cells = []
        for value, sub in zip(row, split):
            pairs = _pairs(value) if sub is not None else None
            if sub is None:
                cells.append(f"<td style='{style}'>{_text(value)}</td>")
            elif pairs is None:
                cells.append(f"<td style='{style}' colspan='{len(sub)}'>{_text(value)}</td>")
            else:
                cells += [f"<td style='{style}'>{_text(pairs.get(k, ''))}</td>" for k in sub]
        body.append(f"<tr><td style='{style}'>{'▶' if hit else ''}</td>{''.join(cells)}</tr>")
    note = "" if lookup.hit else "<br><small>no row matches: miss</small>"
    return (f"<div style='margin:4px 0'>{title}<div style='overflow-x:auto'>"
            f"<table style='{_TABLE}'>{head}{''.join(body)}</table></div>{note}</div>")


def _ports(hop: Hop) -> tuple[str, str]:
    """The interfaces a hop's frame came in on and left by (all of them, for a flood)."""
    return hop.in_iface or "—", hop.out_iface or (", ".join(hop.flooded) or "—")


def hop_html(hop: Hop, previous: Hop | None = None) -> str:
    """Everything about one hop: where, what it did and why, what it learned, the packet
    (changes since ``previous`` emphasised) and the tables it consulted.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("two-hosts")
    >>> html = hop_html(kp.trace(net, "h1", "h2").hops[0])
    >>> html.startswith("<div") and "hop 0 · h1 · arp" in html
    True
    """
    learned = "".join(f"<li>{_text(entry)}</li>" for entry in hop.learned)
    parts = [
        f"<div style='font-weight:bold;font-size:14px'>hop {hop.index} · {_text(hop.node)} · "
        f"{_text(hop.action)} <small style='font-weight:normal'>({_text(hop.direction)}, "
        "in {} → out {})</small></div>".format(*map(_text, _ports(hop))),
        f"<div style='margin:2px 0 6px 0'>{_text(hop.note)}</div>" if hop.note else "",
        f"<div><b>learned</b><ul style='margin:0'>{learned}</ul></div>" if learned else "",
        packet_html(hop.packet, previous.packet if previous is not None else None),
        "".join(lookup_html(lk) for lk in hop.lookups),
    ]
    return f"<div>{''.join(parts)}</div>"


def _short(packet: Packet) -> str:
    """The packet in one line without its Ethernet header, which the packet view shows."""
    return " | ".join(h.summary() for h in packet if not isinstance(h, (Ethernet, Payload)))


def trace_html(tr: Trace, current: int | None = None, *, notes: bool = False,
               window: int | None = None) -> str:
    """The trace's hop table; row ``current`` marked ▶ and emphasised.

    With ``notes=True`` the table starts with the verdict and gives every hop's
    one-sentence reason: this is how a trace shows itself in a notebook.

    With ``window``, only that many hops around ``current`` (up to three before
    it) are listed, a "…" row standing for the others, and the packet column is
    short (no Ethernet header): this keeps the current row in sight in the explorer.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("two-hosts")
    >>> trace_html(kp.trace(net, "h1", "h2"), current=2).count("▶")
    1
    >>> "delivered" in trace_html(kp.trace(net, "h1", "h2"), notes=True)
    True
    >>> trace_html(kp.trace(net, "h1", "h2"), current=1, window=3).count("…")
    1
    >>> "↩ the error leg: ICMP time exceeded" in trace_html(
    ...     kp.trace(kp.load_topology("router-chain"), "h1", "h2", ttl=2))
    True
    """
    columns = ("", "hop", "leg", "node", "action", "in → out", "packet") + (
        ("why",) if notes else ())
    head = "".join(f"<th style='{_CELL}'>{c}</th>" for c in columns)
    hops = list(tr.hops)
    if window is not None:
        before = min(3, (window - 1) // 2)
        first = max(0, min((current or 0) - before, len(hops) - window))
        hops = hops[first:first + window]
    gap = f"<tr><td style='{_CELL};color:#777' colspan='{len(columns)}'>… {{}}</td></tr>"
    rows = []
    if hops and hops[0].index > 0:
        rows.append(gap.format(f"hops 0–{hops[0].index - 1} above"))
    for hop in hops:
        if hop.direction == "error" and tr.error_hops and hop is tr.error_hops[0]:
            rows.append(f"<tr><td style='{_CELL};font-style:italic' colspan='{len(columns)}'>"
                        f"↩ the error leg: {_text(tr.icmp_error)}</td></tr>")
        style = f"{_CELL};{_MATCHED}" if hop.index == current else _CELL
        packet = hop.packet.summary() if window is None else _short(hop.packet)
        cells = ("▶" if hop.index == current else "", hop.index, hop.direction, hop.node,
                 hop.action, " → ".join(_ports(hop)), packet) + ((hop.note,) if notes else ())
        wraps = [style] * (len(cells) - 1) + [f"{style};{_WRAP}" if notes else style]
        if window is not None:
            wraps[6] = f"{style};white-space:normal"
        rows.append("<tr>" + "".join(f"<td style='{st}'>{_text(c)}</td>"
                                     for st, c in zip(wraps, cells)) + "</tr>")
    if hops and hops[-1].index < len(tr.hops) - 1:
        rows.append(gap.format(f"hops {hops[-1].index + 1}–{len(tr.hops) - 1} below"))
    table = f"<table style='{_TABLE}'><tr>{head}</tr>{''.join(rows)}</table>"
    if not notes:
        return table
    return (f"<p><b>{_text(tr.src)} → {_text(tr.dst)} ({_text(tr.proto)}): "
            f"{_text(tr.verdict)}</b>, {_text(tr.reason)}</p>{table}")


class HopView:
    """A hop that shows itself as HTML in Jupyter and as one line of text elsewhere."""

    def __init__(self, hop: Hop, previous: Hop | None = None) -> None:
        self.hop = hop
        self.previous = previous

    def _repr_html_(self) -> str:
        return hop_html(self.hop, self.previous)

    def __repr__(self) -> str:
        return str(self.hop)


def show_hop(hop: Hop, previous: Hop | None = None) -> HopView:
    """Display one hop in a notebook: headers of its packet and the tables it consulted.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> net = kp.load_topology("seed-neighborhoods")
    >>> view = show_hop(kp.trace(net, "house-14", "house-24").hops[8])
    >>> view
     8 gatekeeper-11 eth0>eth1 route: Ethernet ... | IPv4 10.0.10.14 > 10.0.20.24 ttl 63 | ICMP ...
    >>> "<table" in view._repr_html_()
    True
    """
    return HopView(hop, previous)
