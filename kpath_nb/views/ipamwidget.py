"""The IPAM explorer: create and delete pods, and watch addresses, routes and BPF maps change.

Built on ipywidgets and :func:`kpath_nb.views.ipamplot.draw_ipam`. The picture is
a PNG drawn on a :class:`matplotlib.figure.Figure` (never pyplot), and every
handler runs at once when a value is set or ``button.click()`` is called, so
the widget works, and is tested, without a browser.

The explorer **changes the cluster it is given**: a pod created here is a pod
of that cluster (traces made on it afterwards see it). Load a fresh copy with
:func:`kpath_nb.load_topology` to start again. It also follows changes made to the
cluster elsewhere (``cl.add_pod`` or ``cl.delete_pod`` in another cell): the next
time it is displayed or used it compares :attr:`~kpath_nb.cluster.Cluster.changes`
with the count it last drew, and shows the cluster as it is, the lines that changed
marked.

Examples
--------
>>> import kpath_nb as kp
>>> ex = explore_ipam(kp.load_topology("seed-cilium-buildings"))
>>> ex.name.value = "apartment-16"
>>> ex.create.click()
>>> "apartment-16" in ex.panel.value, "created" in ex.message.value
(True, True)
"""

from __future__ import annotations

import difflib
import io
from html import escape

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import render
from ..cluster import Cluster
from .ipamplot import draw_ipam, ipam_axes
from ..errors import KpathError
from ..generate import APPS

__all__ = ["explore_ipam", "IpamExplorer"]

_DPI = 90
_ADDED = "background:#DDF4E4;font-weight:bold"
_REMOVED = "color:#777;text-decoration:line-through"
_PRE = "font-family:monospace;font-size:12px;margin:0;white-space:pre;overflow-x:auto"
_WARNING = ("border:1px solid #B45309;background:#FEF3C7;border-radius:4px;padding:4px 8px;"
            "margin:4px 0")


class IpamExplorer(widgets.VBox):
    """Pick a node, create or delete pods on it, and see what IPAM and Cilium did.

    Attributes
    ----------
    node : ipywidgets.Dropdown
        The node whose state the panel shows and where new pods go.
    name : ipywidgets.Text
        The new pod's name.
    app : ipywidgets.Dropdown
        The new pod's ``app`` label (pods with the same label share an identity).
    create : ipywidgets.Button
    pod : ipywidgets.Dropdown
        A pod of the chosen node, to delete.
    delete : ipywidgets.Button
    image : ipywidgets.Image
        PNG of :func:`kpath_nb.views.ipamplot.draw_ipam` for the whole cluster.
    message : ipywidgets.HTML
        What the last action did, or why it could not be done.
    panel : ipywidgets.HTML
        The node's ``cilium-dbg status --verbose``, ``ip route``, its veth host ends and
        the ``cilium_lxc`` and ``cilium_ipcache_v2`` dumps; lines the last action added
        are bold and marked "+", lines it removed are struck through and marked "−";
        the sections the last action changed come first.
    cluster : Cluster
        The cluster, changed in place by the buttons.
    """

    def __init__(self, cl: Cluster, node: str | None = None) -> None:
        nodes = list(cl.nodes)
        if not nodes:
            raise KpathError(f"{cl.name} has no nodes to put pods on")
        if node is not None and node not in nodes:
            raise KpathError(f"unknown node {node!r}: nodes are {', '.join(nodes)}")
        self.cluster = cl
        self._before = self._drawn = self._snapshot()
        self._seen = cl.changes        # the cluster's change count when last drawn
        self._changed: list = []       # addresses the last action handed out or freed
        self.node = widgets.Dropdown(options=nodes, value=node or nodes[0], description="node")
        self.name = widgets.Text(value=self._free_name(), description="new pod",
                                 placeholder="pod name")
        self.app = widgets.Dropdown(options=_apps(cl), description="app")
        self.create = widgets.Button(description="create pod", icon="plus")
        self.pod = widgets.Dropdown(description="pod")
        self.delete = widgets.Button(description="delete pod", icon="trash")
        self.message = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.panel = widgets.HTML()
        super().__init__(children=[
            widgets.HBox([self.node]),
            widgets.HBox([self.name, self.app, self.create]),
            widgets.HBox([self.pod, self.delete]),
            self.message,
            self.image,
            self.panel,
        ])
        self.node.observe(self._node_changed, names="value")
        self.create.on_click(self._create)
        self.delete.on_click(self._delete)
        self._refresh(redraw=True)

    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        """Displayed again (the explorer as a cell's last line): catch up with the cluster."""
        self.sync()
        return super()._repr_mimebundle_(**kwargs)

    def sync(self) -> bool:
        """Show the cluster as it is now if it changed since the explorer last drew it (a pod
        created or deleted by code elsewhere). Every button and the node dropdown call this
        first, and so does displaying the explorer again.

        Returns
        -------
        bool
            Whether the cluster had changed.

        Examples
        --------
        >>> import kpath_nb as kp
        >>> ex = explore_ipam(kp.load_topology("seed-cilium-buildings"))
        >>> _ = ex.cluster.add_pod("apartment-18", "building-blue")
        >>> ex.sync(), "apartment-18" in ex.pod.options, ex.sync()
        (True, True, False)
        """
        if self.cluster.changes == self._seen:
            return False
        self._before, self._changed = self._drawn, []
        self._seen = self.cluster.changes
        nodes = list(self.cluster.nodes)
        if list(self.node.options) != nodes:  # a node joined: keep the one shown
            shown = self.node.value
            self.node.options = nodes
            self.node.value = shown
        self._say("↻ the cluster changed outside the explorer (pods created or deleted by "
                  "code): this is how it is now; the marks show what changed")
        self._refresh(redraw=True)
        return True

    # -- actions ---------------------------------------------------------------------

    def _create(self, button: object = None) -> None:
        self.sync()
        name = self.name.value.strip()
        if not name:
            self._refuse("give the new pod a name, e.g. web-1")
            return
        if name in self.cluster.pods:
            self._refuse(f"a pod named {name!r} already exists (on "
                         f"{self.cluster.pods[name].node}); pick another name")
            return
        before = self._snapshot()
        try:
            pod = self.cluster.add_pod(name, self.node.value, {"app": self.app.value})
        except KpathError as exc:     # IpamExhaustedError among them
            self._refuse(f"{type(exc).__name__}: {exc}")
            return
        self._before, self._changed = before, [pod.ip]
        self._say(f"✅ created {pod.qualified_name} on {pod.node}: IPAM gave it {pod.ip}; "
                  f"identity {pod.identity.number}; its veth pair ends in {pod.lxc}")
        self.name.value = self._free_name()
        self._refresh(redraw=True)

    def _delete(self, button: object = None) -> None:
        name = self.pod.value  # the pod the learner saw, even if the cluster moved on
        self.sync()
        if name is None:
            self._refuse(f"{self.node.value} runs no pods to delete")
            return
        if name not in self.cluster.pods:
            self._refuse(f"{name} is already gone: it was deleted outside the explorer")
            return
        pod = self.cluster.pods[name]
        before = self._snapshot()
        self.cluster.delete_pod(name)
        self._before, self._changed = before, [pod.ip]
        self._say(f"🗑 deleted {pod.qualified_name}: {pod.ip} is free again and {pod.lxc} "
                  f"is gone (a packet still sent to {pod.ip} is dropped as stale)")
        self._refresh(redraw=True)

    def _node_changed(self, change: object = None) -> None:
        if not self.sync():
            self._refresh(redraw=False)

    # -- views -----------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message.value = render.page(escape(text))

    def _refuse(self, text: str) -> None:
        """Say why nothing was done, in a warning box; the marks of an earlier action go,
        since they no longer describe the last thing that happened."""
        self.message.value = render.page(f"<div style='{_WARNING}'>⚠ {escape(text)}</div>")
        redraw = bool(self._changed)
        self._before, self._changed = self._snapshot(), []
        self._refresh(redraw=redraw)

    def _refresh(self, redraw: bool) -> None:
        node = self.node.value
        pods = [pod.name for pod in self.cluster.pods_on(node)]
        chosen = self.pod.value
        self.pod.options = pods
        self.pod.value = chosen if chosen in pods else pods[0] if pods else None
        if redraw:
            self.image.value = self._png()
        self._drawn, self._seen = self._snapshot(), self.cluster.changes
        now = self._drawn[node]
        was = self._before.get(node, now)
        changed = [title for title, text in now.items() if was.get(title, "") != text]
        order = changed + [title for title in now if title not in changed]
        self.panel.value = render.page("".join(
            _section(title, was.get(title, ""), now[title]) for title in order))

    def _png(self) -> bytes:
        figure = Figure()
        FigureCanvasAgg(figure)
        draw_ipam(self.cluster, ax=ipam_axes(self.cluster, figure), highlight=self._changed)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=_DPI, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

    def _snapshot(self) -> dict[str, dict[str, str]]:
        """Every node's panel text, by section, to compare before and after an action."""
        cl = self.cluster
        out = {}
        for name, node in cl.nodes.items():
            veths = [f"{node.ifindex[pod.lxc]}: {pod.lxc} ↔ {pod.qualified_name} eth0"
                     for pod in cl.pods.values() if pod.node == name]
            out[name] = {
                "cilium-dbg status --verbose": cl.cilium_dbg(name, "status --verbose"),
                "ip route": node.routing_table().show(),
                "veth pairs (host end ↔ pod)": "\n".join(veths) or "(no pods)",
                "cilium_lxc (cilium-dbg bpf endpoint list)":
                    cl.cilium_dbg(name, "bpf endpoint list"),
                "cilium_ipcache_v2 (cilium-dbg bpf ipcache list)":
                    cl.cilium_dbg(name, "bpf ipcache list"),
            }
        return out

    def _free_name(self) -> str:
        k = 1
        while f"pod-{k}" in self.cluster.pods:
            k += 1
        return f"pod-{k}"


def _apps(cl: Cluster) -> list[str]:
    seen = [pod.labels["app"] for pod in cl.pods.values() if "app" in pod.labels]
    return list(dict.fromkeys([*seen, *APPS]))


def _section(title: str, before: str, after: str) -> str:
    """``after`` as preformatted lines, each line ``before`` lacked marked added (+, bold)
    and each line it had and ``after`` lacks marked removed (−, struck through)."""
    rows = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        tag, text = line[:2], escape(line[2:])
        if tag == "+ ":
            rows.append(f"<div style='{_ADDED}'>+ {text}</div>")
        elif tag == "- ":
            rows.append(f"<div style='{_REMOVED}'>− {text}</div>")
        elif tag == "  ":
            rows.append(f"<div>  {text}</div>")
    return (f"<div style='margin:6px 0'><b>{escape(title)}</b>"
            f"<div style='{_PRE}'>{''.join(rows)}</div></div>")


def explore_ipam(cl: Cluster, node: str | None = None) -> IpamExplorer:
    """Open the IPAM explorer on ``cl``: create and delete pods, watch IPAM and Cilium.

    The explorer changes ``cl`` itself: pods created or deleted here are created
    or deleted in the cluster. Errors (a name already taken, a node whose pod
    CIDR is full) are shown as messages, never raised.

    Parameters
    ----------
    cl : Cluster
    node : str, optional
        The node shown first; default the first node.

    Returns
    -------
    IpamExplorer
        An ipywidgets VBox; display it by making it the last expression of a cell.

    Examples
    --------
    >>> import kpath_nb as kp
    >>> ex = explore_ipam(kp.load_topology("seed-cilium-buildings"), "building-green")
    >>> ex.pod.value
    'apartment-22'
    >>> ex.delete.click()
    >>> "10.0.20.22" in ex.message.value, "apartment-22" in ex.cluster.pods
    (True, False)
    """
    return IpamExplorer(cl, node)
