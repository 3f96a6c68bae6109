"""Where each node of a network goes in its picture, and how much room its labels take.

The layout is fixed, so the same network always gives the same picture. Each
neighbourhood (an Ethernet segment: a switch and the hosts plugged only into it)
is laid out as one: its hosts on an arc around the switch, on the side away from
the rest of the network; segments and routers are placed by a layered layout of
the graph they form, folded into a second row when one would be too wide for a
notebook page. Where the branches leaving a node differ in length (a side router
with its own LAN hanging off a chain of routers), the longest carries the line on
and the shorter ones stand off it at right angles, on the free side of the node
they hang off, so that no branch is drawn across the line's cables. Sizes are in
layout units; a figure made for the picture shows ``_UNIT_INCH`` inches per unit,
which is what the label size estimates assume.

Examples
--------
>>> import kpath_nb as kp
>>> layout = _layout(kp.load_topology("seed-neighborhoods"))
>>> sorted(layout.segments)
['fountain-blue', 'fountain-green']
>>> layout.segments["fountain-blue"].title
'blue neighbourhood 10.0.10.0/24'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx

from ..topology import Switch, Topology
from ..trace import Hop, Trace
from .palette import OKABE_ITO

# A neighbourhood labelled with a colour word is drawn in that colour.
_COLOUR_WORDS = {
    "blue": "blue", "green": "bluish green", "orange": "orange", "yellow": "yellow",
    "red": "vermillion", "vermillion": "vermillion", "purple": "reddish purple",
    "pink": "reddish purple", "sky": "sky blue", "cyan": "sky blue",
}
_REGION_ORDER = ("sky blue", "orange", "bluish green", "reddish purple", "yellow", "blue")
_HATCHES = ("/", "\\", "..", "x", "+", "o", "-", "|")

_UNIT_INCH = 0.38        # inches per layout unit in a figure made here
_CHAR = 0.070 / _UNIT_INCH   # estimated width of one 8-point character, in layout units
_LINE = 0.136 / _UNIT_INCH   # estimated height of one 8-point line, in layout units
_MAX_WIDTH = 9.6         # inches: a figure made here fits a notebook's width at 100 dpi

# Font sizes (points) at font scale 1, which a figure made here keeps.
_PT_HOST, _PT_IFACE, _PT_ROUTER, _PT_REGION, _PT_BADGE, _PT_CURRENT = 9, 8.5, 9.5, 10, 8.5, 10
_LAYER_GAP = 3.6         # minimum distance between layers of the segment graph

_Box = tuple[float, float, float, float]     # x0, y0, x1, y1 in layout units


@dataclass
class _Segment:
    switch: str
    hosts: list[str]
    colour: str
    hatch: str
    title: str
    side: str                           # where the hosts sit: left, right, below, above, around
    box: _Box = (0.0, 0.0, 0.0, 0.0)
    name_above: bool = False            # the switch's name goes above its cable, not below


@dataclass
class _Layout:
    pos: dict[str, tuple[float, float]] = field(default_factory=dict)
    segments: dict[str, _Segment] = field(default_factory=dict)
    host_angle: dict[str, float] = field(default_factory=dict)   # radians, from its switch
    extent: _Box = (0.0, 0.0, 1.0, 1.0)


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
        branches = _side_branches(graph.subgraph(comp), root, order)
        line = graph.subgraph(n for n in comp if all(n not in b for _, b in branches.values()))
        layers = _layers(line, root, order)
        depth = {n: i for i, layer in enumerate(layers) for n in layer}

        sides: dict[str, str] = {}
        for sw in switches:
            if sw not in depth:
                continue
            before = any(depth[m] < depth[sw] for m in line[sw])
            after = any(depth[m] > depth[sw] for m in line[sw])
            sides[sw] = ("around" if not graph[sw] else "below" if before and after
                         else "left" if after else "right")
        arcs = {sw: _arc(len(satellites[sw]), sides[sw]) for sw in sides}

        def reach(n: str, side: str) -> float:
            """How far labels and hosts stick out of node ``n`` towards ``side``."""
            if n in arcs and sides[n] == side:
                width = max((_text_size(_host_text(net, h))[0] for h in satellites[n]),
                            default=0)
                return arcs[n][0] + 0.5 + width
            facing = []
            for iface in net.nodes[n].interfaces if n in net.routers else ():
                far = net.peer(n, iface)
                far_depth = depth.get(owner.get(far[0], far[0])) if far else None
                step = far_depth - depth[n] if far_depth is not None else 0
                if (step < 0) if side == "left" else (step > 0):
                    facing.append(_text_size(_iface_text(net, n, iface), _PT_IFACE)[0])
            return 0.5 + max(facing, default=0.0)

        def height(n: str) -> float:
            if n not in arcs or not satellites[n]:
                return 2.4
            radius, angles = arcs[n]
            ys = [radius * math.sin(a) for a in angles]
            return max(2.4, max(ys) - min(ys) + 2.0)

        pitch = max(height(n) for n in line)
        xs = [reach(n, "left") for n in layers[0]]
        layer_x = [max(xs) if xs else 0.0]
        for i in range(1, len(layers)):
            gap = max(reach(n, "right") for n in layers[i - 1]) + max(
                reach(n, "left") for n in layers[i]) + 0.4
            layer_x.append(layer_x[-1] + max(_LAYER_GAP, gap))
        # A fan folded into two rows would lay its rows over each other.
        fold = (_fold(layer_x, reach(layers[-1][0], "right"), pitch)
                if all(len(layer) == 1 for layer in layers) else None)
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
        for first, (stem, nodes) in sorted(branches.items(), key=lambda b: order[b[0]]):
            # Up off the first row of a folded line (the second runs below it), off the
            # top of a fan, or when the stem's own hosts hang below it; down otherwise.
            fan = next(layer for layer in layers if stem in layer)
            up = sides.get(stem) != "above" and (
                sides.get(stem) == "below" or (fold is not None and depth[stem] < fold)
                or (len(fan) > 1 and fan[0] == stem))
            # It then runs on the way the line runs there: the second row of a fold runs back.
            ahead = -1 if fold is not None and depth[stem] >= fold else 1
            steps = _place_branch(net, layout, graph.subgraph(nodes), (first, stem),
                                  (1 if up else -1, ahead), pitch, order, owner)
            for i, step in enumerate(steps):
                for sw in step:
                    if sw in net.switches:
                        # Hosts away from the line, or ahead at the end of the branch.
                        sides[sw] = ("above" if up else "below") if i == 0 or i + 1 < len(
                            steps) else "right" if ahead > 0 else "left"
                        arcs[sw] = _arc(len(satellites[sw]), sides[sw])
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
        seg.name_above = _door_labels_below(net, layout, seg)
        seg.box = _segment_box(net, layout, seg)
    layout.extent = _extent(net, layout)
    return layout


def _door_labels_below(net: Topology, layout: _Layout, seg: _Segment) -> bool:
    """Whether a router level with the switch of ``seg``, on the side the switch's name
    goes, writes its door label below the cable between them (because its other cables
    leave upwards) and far enough along to run into that name."""
    if seg.side not in ("left", "right"):
        return False
    x, y = layout.pos[seg.switch]
    name = 0.3 + _text_size(seg.switch)[0] + 0.2
    for iface in net.nodes[seg.switch].interfaces:
        far = net.peer(seg.switch, iface)
        if far is None or far[0] not in net.routers:
            continue
        (fx, fy), (router, door) = layout.pos[far[0]], far
        if abs(fy - y) > 1e-9 or (fx > x) != (seg.side == "left"):
            continue
        own = 0.0 if fx < x else math.pi
        angles = _link_angles(net, layout, router)
        others = [a for a in angles if abs(_angle_gap(a, own)) > 1e-6]
        # Door labels go on the side with more room between the cables; level, above.
        room = {up: min((abs(_angle_gap(up * math.pi / 2, a)) for a in others), default=math.pi)
                for up in (1, -1)}
        reach = _door_label_start(len(angles)) + _text_size(_iface_text(net, router, door),
                                                            _PT_IFACE)[0]
        if room[-1] > room[1] and abs(fx - x) - reach < name:
            return True
    return False


def _door_label_start(cables: int) -> float:
    """How far from a router its door labels start along a cable, given how many cables
    leave it: further when more of them share the room around it."""
    return 0.42 if cables <= 2 else 0.9


def _side_branches(graph: nx.Graph, root: str,
                   order: dict[str, int]) -> dict[str, tuple[str, list[str]]]:
    """The branches drawn off to the side of the line from ``root``, by their first node:
    the node each hangs off and its nodes, nearest first.

    Where the branches leaving a node (away from ``root``, each joined to the rest only
    through that node) differ in length, the longest carries the line on and the shorter
    ones go to the side; branches of one length fan out side by side as layers."""
    depth = nx.single_source_shortest_path_length(graph, root)
    bridges = {frozenset(edge) for edge in nx.bridges(graph)}
    branches: dict[str, tuple[str, list[str]]] = {}
    seen, todo = {root}, [root]
    while todo:
        node = todo.pop()
        children = sorted((c for c in graph[node] if depth[c] == depth[node] + 1),
                          key=order.__getitem__)
        if len(children) > 1 and all(frozenset((node, c)) in bridges for c in children):
            rest = graph.subgraph(n for n in graph if n != node)
            parts = {c: sorted(nx.node_connected_component(rest, c),
                               key=lambda n: (depth[n], order[n])) for c in children}
            length = {c: depth[parts[c][-1]] for c in children}
            if len(set(length.values())) > 1:
                longest = max(children, key=lambda c: (length[c], -order[c]))
                branches.update((c, (node, parts[c])) for c in children if c != longest)
                children = [longest]
        todo += [c for c in children if c not in seen]
        seen.update(children)
    return branches


def _layers(graph: nx.Graph, root: str, order: dict[str, int]) -> list[list[str]]:
    """The nodes of ``graph`` by their distance from ``root``, each layer ordered to keep
    its nodes level with the ones they hang off in the layer before."""
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
    return layers


def _place_branch(net: Topology, layout: _Layout, branch: nx.Graph, ends: tuple[str, str],
                  way: tuple[int, int], pitch: float, order: dict[str, int],
                  owner: dict[str, str]) -> list[list[str]]:
    """Place a side branch: its first node straight up (``way[0]`` 1) or down (-1) from the
    node it hangs off (``ends``: first node, that node), the rest on from there to the right
    (``way[1]`` 1) or left (-1), parallel to the line; each step far enough on for the door
    labels along its cables. Return the branch's nodes by step, nearest first."""

    def along(n: str, towards: set[str]) -> float:
        """How far the door labels of ``n`` run along its cables to ``towards``."""
        widths = [_text_size(_iface_text(net, n, iface), _PT_IFACE)[0]
                  for iface in net.nodes[n].interfaces if n in net.routers
                  and (far := net.peer(n, iface)) and owner.get(far[0], far[0]) in towards]
        return 0.5 + max(widths, default=0.0)

    first, stem = ends
    out, ahead = way
    x, y = layout.pos[stem]
    steps, prev = _layers(branch, first, order), [stem]
    for i, step in enumerate(steps):
        gap = max(_LAYER_GAP, max(along(n, set(step)) for n in prev) + max(
            along(n, set(prev)) for n in step) + 0.4)
        if i == 0:
            y += max(gap, pitch) * out
            for j, n in enumerate(step):
                layout.pos[n] = (x + (j - (len(step) - 1) / 2) * pitch, y)
        else:
            x += gap * ahead
            for j, n in enumerate(step):
                layout.pos[n] = (x, y + j * pitch * out)
        prev = step
    return steps


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
              size: float = 8) -> _Box:
    w, h = _text_size(text, size)
    x0 = {"left": x, "right": x - w, "center": x - w / 2}[ha]
    y0 = {"bottom": y, "top": y - h, "center": y - h / 2}[va]
    return x0, y0, x0 + w, y0 + h


def _switch_label_anchor(layout: _Layout, sw: str) -> tuple[float, float, str, str]:
    x, y = layout.pos[sw]
    side, above = layout.segments[sw].side, layout.segments[sw].name_above
    if side == "left":
        return (x + 0.3, y + 0.4, "left", "bottom") if above else (x + 0.3, y - 0.4, "left", "top")
    if side == "right":
        return (x - 0.3, y + 0.4, "right", "bottom") if above else (x - 0.3, y - 0.4, "right",
                                                                     "top")
    if side == "below":
        return x + 0.4, y + 0.4, "left", "bottom"
    if side == "above":
        return x + 0.4, y - 0.4, "left", "top"
    return x, y - 0.5, "center", "top"


def _segment_box(net: Topology, layout: _Layout, seg: _Segment) -> _Box:
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


def _extent(net: Topology, layout: _Layout) -> _Box:
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



def _hop_edges(net: Topology, hop: Hop) -> list[tuple[str, str]]:
    """The cables a hop sends its frame along, as (from node, to node)."""
    ports = [hop.out_iface] if hop.out_iface else list(hop.flooded)
    edges = []
    for port in ports:
        far = net.peer(hop.node, port)
        if far is not None:
            edges.append((hop.node, far[0]))
    return edges


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
