"""The explorer: pick a source and a destination, then step through the packet's hops.

Built on ipywidgets, :mod:`.traceplot`, :mod:`.clustertrace` and :mod:`.render`. The
picture is a PNG drawn on a :class:`matplotlib.figure.Figure` (never pyplot), so
it looks the same in JupyterLab, Notebook 7, VS Code and Binder, and a test can
drive the widget without a browser: setting ``.value`` on a control runs its
observers at once. The network is drawn once for each view of it the explorer
shows (:class:`~.frames.Frames`); a step of the slider draws only the trace.

Examples
--------
>>> import kpath_nb as kp
>>> net = kp.load_topology("seed-neighborhoods")
>>> ex = explore(net, "house-14", "house-24")
>>> ex.trace.verdict, ex.hop.max
('delivered', 21)
>>> ex.hop.value = 8
>>> "gatekeeper-11" in ex.packet_view.value
True
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets
from matplotlib.figure import Figure

from . import clusterplot, clustertrace, plot, render, traceplot
from .frames import Frames
from ..cluster import Cluster
from ..errors import KpathError
from ..topology import Topology
from ..trace import Trace
from ..tracer import PROTOCOLS, trace

__all__ = ["explore", "Explorer"]

_DPI = 100          # the picture is shown at this size: one figure inch, 100 pixels
_WINDOW = 8         # hop table rows shown around the current hop
_PICTURES = 4       # pictures kept, for choices the learner comes back to


class Explorer(widgets.VBox):
    """Source, destination and protocol pickers, a hop slider with a play button, the
    network picture with the path so far, the hop's packet and tables, and the hop table.

    Attributes
    ----------
    src, dst, proto : ipywidgets.Dropdown
    hop : ipywidgets.IntSlider
        The hop shown; linked in the browser with ``play``.
    play : ipywidgets.Play
    image : ipywidgets.Image
        PNG of :func:`~.traceplot.draw_trace` (or :func:`~.clustertrace.draw_cluster_trace`)
        up to the current hop.
    packet_view, table_view, hop_table : ipywidgets.HTML
        The packet's headers (what changed since the same packet's previous hop
        emphasised), the tables the hop consulted (matching row marked ▶), and the
        hop table around the current hop (its row marked ▶).
    status : ipywidgets.HTML
        The verdict and reason, or what is wrong with the choice.
    trace : Trace or None
        The current trace; None when the choice could not be traced.
    """

    def __init__(self, net: Topology | Cluster, src: str | None = None, dst: str | None = None,
                 proto: str = "icmp") -> None:
        names = list(net.endpoints)
        if not names:
            raise KpathError(f"{net.name} has no hosts or routers to send packets between")
        if proto not in PROTOCOLS:
            raise ValueError(f"proto={proto!r}: choose one of {', '.join(PROTOCOLS)}")
        src = names[0] if src is None else str(src)
        targets = list(net.pods) if isinstance(net, Cluster) else list(net.hosts)
        dst = (targets or names)[-1] if dst is None else str(dst)
        self.net = net
        self.trace: Trace | None = None
        self._busy = False
        self._pictures: list[tuple] = []      # (view and network facts, Frames, draw)
        # An endpoint given as an address (e.g. one nobody holds) joins the choices.
        self.src = widgets.Dropdown(options=_with(names, src), value=src, description="from")
        self.dst = widgets.Dropdown(options=_with(names, dst), value=dst, description="to")
        self.proto = widgets.Dropdown(options=list(PROTOCOLS), value=proto,
                                      description="protocol")
        self.play = widgets.Play(min=0, max=0, step=1, interval=1200, description="play")
        self.hop = widgets.IntSlider(min=0, max=0, description="hop",
                                     continuous_update=False)
        widgets.jslink((self.play, "value"), (self.hop, "value"))
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(
            max_width="100%", height="auto", object_fit="contain", flex="0 0 auto"))
        self.packet_view = widgets.HTML()
        self.table_view = widgets.HTML()
        self.hop_table = widgets.HTML()
        wrap = dict(flex_flow="row wrap", align_items="flex-start")
        super().__init__(children=[
            widgets.HBox([self.src, self.dst, self.proto], layout=widgets.Layout(**wrap)),
            widgets.HBox([self.play, self.hop]),
            self.status,
            # One under the other, each the notebook's full width: a BPF map's rows are
            # wide, and the matched row must be readable whole.
            self.image,
            self.packet_view,
            self.table_view,
            self.hop_table,
        ])
        for control in (self.src, self.dst, self.proto):
            control.observe(self._retrace, names="value")
        self.hop.observe(self._show_hop, names="value")
        self._retrace()

    def _retrace(self, change: object = None) -> None:
        """Trace the chosen pair again and start from hop 0."""
        self.trace, problem = None, None
        if self.src.value == self.dst.value:
            problem = (f"{self.src.value} is both the source and the destination: pick two "
                       f"different endpoints")
        else:
            try:
                self.trace = trace(self.net, self.src.value, self.dst.value, self.proto.value)
            except KpathError as exc:
                problem = str(exc)
        self._new_picture()
        last = len(self.trace.hops) - 1 if self.trace is not None else 0
        self._busy = True
        try:
            self.hop.value = 0
            self.hop.max = self.play.max = last
            self.play.value = 0
        finally:
            self._busy = False
        if self.trace is None:
            self.status.value = render.page(f"<b>⚠ cannot trace:</b> {escape(problem or '')}")
            self.packet_view.value = self.table_view.value = self.hop_table.value = ""
            self.image.value = self._png(None)
            return
        mark = "✅" if self.trace.delivered else "❌"
        self.status.value = render.page(f"{mark} <b>{escape(self.trace.verdict)}</b>: "
                                        f"{escape(self.trace.reason)}")
        self._show_hop()

    def _show_hop(self, change: object = None) -> None:
        """Redraw for the current hop; the trace itself is not recomputed."""
        if self._busy or self.trace is None:
            return
        i = self.hop.value
        hop = self.trace.hops[i]
        # Changes are shown against the same packet where it was last seen (before an ARP
        # exchange, say), so a router's work shows: TTL lowered, new MACs.
        previous = next((h.packet for h in reversed(self.trace.hops[:i])
                         if render.same_packet(hop.packet, h.packet)), None)
        self.image.value = self._png(i)
        self.packet_view.value = render.page(
            f"<div style='font-weight:bold'>hop {i} · {escape(hop.node)} · "
            f"{escape(hop.action)}</div><div>{escape(hop.note)}</div>"
            + render.packet_html(hop.packet, previous))
        self.table_view.value = render.page(
            "".join(render.lookup_html(lk) for lk in hop.lookups)
            or "<small>no table consulted at this hop</small>")
        self.hop_table.value = render.page(
            render.trace_html(self.trace, current=i, window=_WINDOW))

    def _new_picture(self) -> None:
        """The picture for the current trace (or for the network alone, when there is
        none): one drawn before if it shows the same view of the same network, else a new
        figure with the network drawn. Each hop then draws only the trace over it."""
        cluster = isinstance(self.net, Cluster)
        trace_view = clustertrace if cluster else traceplot
        key = (trace_view.view(self.net, self.trace) if self.trace is not None else None,
               (clusterplot if cluster else plot)._facts(self.net))
        kept = next((p for p in self._pictures if p[0] == key), None)
        if kept is None:
            figure = Figure(dpi=_DPI)
            axes = clusterplot.cluster_axes if cluster else plot.network_axes
            ax = axes(self.net, figure, trace=self.trace)
            if self.trace is None:
                plot.draw_topology(self.net, ax=ax)
                draw = _nothing
            else:
                draw = trace_view.backdrop(self.net, self.trace, ax)
            kept = (key, Frames(ax), draw)
        else:
            self._pictures.remove(kept)
        self._pictures = [kept, *self._pictures[:_PICTURES - 1]]
        _, self._frames, self._draw_hops = kept
        # Shown at the size it was drawn, so labels keep their point sizes.
        self.image.layout.width = f"{round(self._frames.ax.figure.get_figwidth() * _DPI)}px"

    def _png(self, upto: int | None) -> bytes:
        return self._frames.png(lambda: self._draw_hops(self.trace, upto))


def _nothing(tr: Trace | None, upto: int | None) -> None:
    """What a picture without a trace draws for a hop."""


def _with(names: list[str], extra: str) -> list[str]:
    return names if extra in names else [*names, extra]


def explore(net: Topology | Cluster, src: str | None = None, dst: str | None = None,
            proto: str = "icmp") -> Explorer:
    """Open the explorer on ``net``: choose endpoints, then step through the hops.

    Parameters
    ----------
    net : Topology or Cluster
        A network, or a Kubernetes cluster (its pods and nodes are the endpoints).
    src, dst : str, optional
        Endpoints by name (or address); default the first endpoint and the last host
        (the last pod, for a cluster).
    proto : {"icmp", "udp", "tcp"}

    Returns
    -------
    Explorer
        An ipywidgets VBox; display it by making it the last expression of a cell.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> ex = explore(kp.load_topology("broken-office"), "pc3", "srv1")
    >>> ex.trace.verdict
    'dropped'
    >>> ex.dst.value = "pc3"
    >>> ex.trace is None, "both the source and the destination" in ex.status.value
    (True, True)
    """
    return Explorer(net, src, dst, proto)
