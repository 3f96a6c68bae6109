"""Where each building, door and apartment of a cluster picture goes, and how big it is.

Buildings (nodes) stand in rows of at most three, the node network's switch under
them; in each, apartments (pods) take columns along the top with their lobby doors
under them, ``cilium_host`` takes the last column and the tunnel door and ``eth0``
sit in the middle. Large clusters stay readable: a few buildings are drawn (those a
packet's path crosses, when there is one), the rest summed up in one box
("+998 nodes"), and in each building as many apartments as fit with every label at
its full size (the path's first), the rest summed up in one column ("+98 pods").
Sizes are in layout units; a figure made for a picture shows at most
``_UNIT_INCH`` inches per unit, at least ``_MIN_UNIT_INCH`` for a row of buildings,
and is at most a notebook page wide.

Examples
--------
>>> import kpath_nb as kp
>>> layout = _layout(kp.load_topology("seed-cilium-buildings"))
>>> [b.pods for b in layout.buildings.values()]
[['apartment-12', 'apartment-14'], ['apartment-22']]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..cluster import Cluster
from ..trace import Trace
from .palette import OKABE_ITO

_UNIT_INCH = 0.6             # inches per layout unit in a figure made here, at most
_FONT_UNIT_INCH = 0.45       # at this scale or larger, labels have their full size
_MIN_WIDTH, _MAX_WIDTH = 8.0, 9.6    # inches: 960 pixels at 100 dpi, a notebook's width
_SLOT = 1.95                 # width of one apartment / lobby door column
_MORE_SLOT = 1.0             # the "+N pods" column
_PAD = 0.25                  # building wall to first column
_GAP = 2.6                   # between buildings: room for the glass tunnel's label
_ETH0_Y, _VXLAN_Y, _LOBBY = 0.0, 1.35, (0.6, 3.35)
_LXC_Y = 2.8
_APT = (4.3, 5.65)           # apartment bottom and top
_TOP = 7.05                  # building top
_ROW_PITCH = _TOP + 2.6      # from one row of buildings to the next
_SWITCH_DROP = 1.5           # from the lowest row's eth0 down to the node network's switch
_DOOR_H = 0.62               # height of a lobby door (room for two lines)
_MIN_UNIT_INCH = 0.44        # a lobby door's two lines fit it at this scale or larger
_MAX_BUILDINGS = 4           # more nodes than this: a sample of buildings and "+N nodes"
_SAMPLE = 2                  # buildings in that sample, when no trace says which
_GHOST_WIDTH, _GHOST_GAP = 1.6, 1.0     # the "+N nodes" box, and the gap before it

_BUILDING_COLOURS = ("sky blue", "bluish green", "orange", "reddish purple", "yellow", "blue")
_HATCHES = ("//", "\\\\", "..", "xx", "++", "oo")


# -- layout ----------------------------------------------------------------------------


@dataclass
class _Building:
    node: str
    x0: float
    y0: float
    width: float
    pods: list[str]               # shown, in slot order
    hidden: int                   # pods not shown ("+N pods")
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


def _layout(cl: Cluster, trace: Trace | None = None) -> _Layout:
    """Buildings in rows, the node network's switch under them.

    A cluster of more than ``_MAX_BUILDINGS`` nodes shows the nodes ``trace`` crosses
    (without a trace, the first ``_SAMPLE``) and one box for the others; so does a
    smaller one under a trace when its buildings would not fit in one row. Each building shows
    its pods ``trace`` crosses and the first others up to what fits, and one box for
    the rest. Rows and apartments per building are the most that keep every label its
    full size (:func:`_packing`).
    """
    names = list(cl.nodes)
    on_path = _crossed(cl, trace)
    if len(names) <= _MAX_BUILDINGS and (not on_path or _packing(
            [len(cl.pods_on(n)) for n in names], False)[0] >= len(names)):
        shown = names           # a small cluster; with a trace, if it fits one row
    elif on_path:
        shown = [n for n in names if n in on_path][:_MAX_BUILDINGS - 1]
    else:
        shown = names[:_SAMPLE]
    hidden_nodes = len(names) - len(shown)
    pods = {n: [p.name for p in cl.pods_on(n)] for n in shown}
    per_row, cap = _packing([len(pods[n]) for n in shown], bool(hidden_nodes))
    rank = {n: i for i, n in enumerate(names)} if hidden_nodes else None
    layout = _Layout()
    x, row = 0.0, 0
    for i, node in enumerate(shown):
        if i and i % per_row == 0:
            x, row = 0.0, row + 1
        visible = _visible(pods[node], on_path, cap)
        hidden = len(pods[node]) - len(visible)
        layout.buildings[node] = _Building(node, x, -row * _ROW_PITCH,
                                           _building_width(len(visible), hidden), visible,
                                           hidden, *_looks(node, rank[node] if rank else i))
        x += layout.buildings[node].width + _GAP
    if hidden_nodes:
        if len(shown) % per_row == 0:
            x, row = 0.0, row + 1
        else:
            x += _GHOST_GAP - _GAP
        layout.ghost = (x, -row * _ROW_PITCH, _GHOST_WIDTH, hidden_nodes)
    layout.rows = row + 1
    for b in layout.buildings.values():
        _place_devices(cl, layout, b)
    right = max([b.x0 + b.width for b in layout.buildings.values()] +
                ([layout.ghost[0] + layout.ghost[2]] if layout.ghost else []))
    bottom_row = -(layout.rows - 1) * _ROW_PITCH
    layout.switch = (right / 2, bottom_row - _SWITCH_DROP)
    if layout.rows > 1:
        for r in range(layout.rows):
            xs = [b.cx for b in layout.buildings.values() if b.y0 == -r * _ROW_PITCH]
            if layout.ghost and layout.ghost[1] == -r * _ROW_PITCH:
                xs.append(layout.ghost[0] + layout.ghost[2] / 2)
            layout.streets.append((-r * _ROW_PITCH - 0.9, -0.6, max(xs)))
    layout.extent = (-0.6, layout.switch[1] - 1.15, right + 0.6, _TOP + 0.25)
    return layout


def _crossed(cl: Cluster, trace: Trace | None) -> set[str]:
    """The nodes and pods a trace goes through (by name)."""
    if trace is None:
        return set()
    pods = {hop.node for hop in trace.hops if hop.node in cl.pods}
    nodes = {hop.node for hop in trace.hops if hop.node in cl.nodes}
    return pods | nodes | {cl.pods[p].node for p in pods}


def _visible(pods: list[str], on_path: set[str], cap: int) -> list[str]:
    """The pods a building shows, in order: all of them if at most ``cap``, else those on
    the path and the first others, ``cap - 1`` in all (the last column says "+N pods")."""
    if len(pods) <= cap:
        return pods
    keep = {p for p in pods if p in on_path}
    for p in pods:
        if len(keep) >= cap - 1:
            break
        keep.add(p)
    return [p for p in pods if p in keep]


def _building_width(visible: int, hidden: int) -> float:
    """A building's width: its apartment columns, ``cilium_host``'s and "+N pods"."""
    return 2 * _PAD + (max(visible, 1) + 1) * _SLOT + (_MORE_SLOT if hidden else 0)


def _packing(pods: list[int], ghost: bool) -> tuple[int, int]:
    """Buildings per row and apartments per building for buildings with ``pods`` pods
    (and the "+N nodes" box if ``ghost``): the most buildings a row, then the most
    apartments (at least three, or all there are), such that a notebook page shows
    every row at ``_MIN_UNIT_INCH`` inches per unit or more.

    >>> _packing([2, 1], ghost=False)      # the seed cluster: one row, every pod
    (3, 6)
    >>> _packing([100, 100], ghost=True)   # two nodes of many and "+N nodes": one row
    (3, 3)
    """
    room = _MAX_WIDTH / _MIN_UNIT_INCH - 1.2          # the extent's margins
    for per_row in (3, 2, 1):
        for cap in (6, 5, 4, 3):
            widths = [_building_width(n, 0) if n <= cap else _building_width(cap - 1, 1)
                      for n in pods]
            rows = [widths[i:i + per_row] for i in range(0, len(widths), per_row)]
            spans = [sum(r) + _GAP * (len(r) - 1) for r in rows]
            if ghost and len(widths) % per_row:
                spans[-1] += _GHOST_GAP + _GHOST_WIDTH
            elif ghost:
                spans.append(_GHOST_WIDTH)
            if all(span <= room for span in spans):
                return per_row, cap
    return 1, 3


def _looks(node: str, index: int) -> tuple[str, str]:
    """A building's colour and hatching: by its place in the cluster, or the colour its
    name says (``building-blue``)."""
    colour = OKABE_ITO[_BUILDING_COLOURS[index % len(_BUILDING_COLOURS)]]
    for word in ("blue", "green", "orange", "purple", "yellow"):
        if word in node:
            colour = OKABE_ITO[{"green": "bluish green", "purple": "reddish purple",
                                "blue": "sky blue"}.get(word, word)]
    return colour, _HATCHES[index % len(_HATCHES)]


def _place_devices(cl: Cluster, layout: _Layout, b: _Building) -> None:
    """Where a building's devices and shown apartments go: an apartment and its lxc door
    in one column, ``cilium_host`` (and the devices that share its door) in the last;
    ``(node, "+pods")`` is the column that stands for the pods not shown."""
    layout.pos[(b.node, "eth0")] = (b.cx, b.y0 + _ETH0_Y)
    layout.pos[(b.node, cl.config.tunnel_device)] = (b.cx, b.y0 + _VXLAN_Y)
    host_slot = b.slot_x(max(len(b.pods), 1)) + (_MORE_SLOT if b.hidden else 0)
    for device in ("cilium_host", "cilium_net", "lxc_health"):
        layout.pos[(b.node, device)] = (host_slot, b.y0 + _LXC_Y)
    for i, name in enumerate(b.pods):
        sx = b.slot_x(i)
        layout.pos[(b.node, cl.pods[name].lxc)] = (sx, b.y0 + _LXC_Y)
        layout.pos[(name, "")] = (sx, b.y0 + _APT[0])
    if b.hidden:
        layout.pos[(b.node, "+pods")] = (b.slot_x(len(b.pods)) - _SLOT / 2 + _MORE_SLOT / 2,
                                         b.y0 + _APT[0])


# -- the figure ------------------------------------------------------------------------


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


def _pt(size: float, fs: float) -> float:
    """A font size in points: ``size`` scaled by ``fs``, never under 8 points."""
    return max(8.0, size * fs)


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

