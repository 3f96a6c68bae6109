"""Checks for the exercises of notebook 06, eBPF maps on one node.

Every check works the right answer out from the cluster it is given (a fresh
trace, the pod's endpoint, the BPF maps), so no answer key is written down
anywhere, and returns a :class:`~kpath_nb.exercises.Feedback`. Answers are
read generously: a map by its real name, its older name or a plain phrase
(``"the endpoint map"``), a number as an int or as text (``"ID:257"``,
``"id=1960"``), a list of observation points as a list or as
``"from-endpoint -> to-endpoint"``. Nothing a learner types makes a check
raise; an answer it cannot read is simply not right.

Examples
--------
>>> import kpath_nb as kp
>>> from kpath_nb.exercises import maps
>>> cl = kp.load_topology("seed-cilium-buildings")
>>> bool(maps.check_map_consulted(cl, "apartment-12", "apartment-14", "cilium_lxc"))
True
"""

from __future__ import annotations

import copy
import re
from typing import Mapping

from ..cluster import Cluster
from ..trace import Hop, Trace
from ..tracer import trace
from . import Feedback
from .answers import UNREADABLE, items, judge_read, text, whole_number, word

__all__ = [
    "OBSERVATION_POINTS",
    "check_map_consulted",
    "check_ct_map",
    "check_endpoint_id",
    "check_identity",
    "check_new_identity",
    "check_observation_points",
]

OBSERVATION_POINTS = ("from-endpoint", "to-endpoint", "to-overlay", "from-overlay",
                      "from-host", "to-network", "to-stack")
"""The Hubble observation points a trace through the cluster can show (``to-host`` is left
out: Cilium reports it only with the host firewall, which the model does not have)."""

_MAPS = ("cilium_lxc", "cilium_ipcache_v2", "cilium_ct4_global", "cilium_ct_any4_global")

_MAP_SYNONYMS = {
    "cilium lxc": "cilium_lxc", "lxc": "cilium_lxc", "lxc map": "cilium_lxc",
    "cilium lxc map": "cilium_lxc", "endpoint map": "cilium_lxc",
    "endpoints map": "cilium_lxc", "the endpoint map": "cilium_lxc",
    "endpoint list": "cilium_lxc", "bpf endpoint list": "cilium_lxc",
    "cilium ipcache v2": "cilium_ipcache_v2", "cilium ipcache": "cilium_ipcache_v2",
    "ipcache": "cilium_ipcache_v2", "ip cache": "cilium_ipcache_v2",
    "ipcache map": "cilium_ipcache_v2", "the ipcache": "cilium_ipcache_v2",
    "bpf ipcache list": "cilium_ipcache_v2",
    "cilium ct4 global": "cilium_ct4_global", "ct4 global": "cilium_ct4_global",
    "cilium ct 4 global": "cilium_ct4_global",
    "cilium ct any4 global": "cilium_ct_any4_global", "ct any4 global": "cilium_ct_any4_global",
    "cilium ct any 4 global": "cilium_ct_any4_global",
}


def _map_name(answer: object) -> object:
    """A BPF map named by its real name, its pre-v1.18 name or a plain phrase."""
    return word(answer, _MAPS, {**{m.replace("_", " "): m for m in _MAPS}, **_MAP_SYNONYMS})


def _first(tr: Trace, observation: str) -> Hop | None:
    return next((h for h in tr.request_hops if h.observation == observation), None)


def _number(answer: object) -> object:
    """A whole number, also written the way the CLI or Hubble print it: ``ID:257``,
    ``id=1960``, ``sec_id=257``, ``identity=257``."""
    if isinstance(answer, str):
        said = re.sub(r"^(?:sec_id|identity|endpoint|id|ep)\s*[:=]?\s*", "",
                      text(answer).lower().strip("()"))
        return whole_number(said)
    return whole_number(answer)


# -- the checks ---------------------------------------------------------------


def check_map_consulted(cl: Cluster, src: str, dst: str, answer: object) -> Feedback:
    """Check which BPF map tells ``src``'s ``cil_from_container`` where the packet goes.

    When the destination lives on the same node, the hit in ``cilium_lxc``
    (the local endpoints) sends it straight to that pod; when it lives on
    another node, ``cilium_lxc`` misses and the ipcache's tunnel endpoint
    decides (``cilium_ipcache_v2``).

    Parameters
    ----------
    cl : Cluster
    src : str
        A pod.
    dst : str
        A pod or an address.
    answer : object
        A map name: ``"cilium_lxc"``, ``"cilium_ipcache_v2"`` (``"cilium_ipcache"``,
        its name before v1.18, counts too), or a phrase like ``"the endpoint map"``.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_map_consulted(cl, "apartment-12", "apartment-14", "endpoint map").status
    'correct'
    >>> check_map_consulted(cl, "apartment-12", "apartment-22", "cilium_lxc").status
    'incorrect'
    >>> check_map_consulted(cl, "apartment-12", "apartment-22", "cilium_ipcache").status
    'correct'
    """
    hop = _first(trace(cl, src, dst, reply=False), "from-endpoint")
    lxc = next((lk for lk in (hop.lookups if hop else ()) if lk.table == "cilium_lxc"), None)
    local = lxc is not None and lxc.hit
    expected = "cilium_lxc" if local else "cilium_ipcache_v2"
    praise = ("cilium_lxc has an entry for the destination: it is an endpoint on this node, "
              "so the packet is handed straight to that pod's own program." if local else
              "cilium_lxc has no entry for it, and the ipcache names the node it lives on "
              "(its tunnel endpoint), so the packet heads for the tunnel.")
    hint = ("Look at the lookups of the from-endpoint hop: which one answers 'this address "
            "is (or is not) an endpoint here', and which one names another node? Answer "
            "with a map's name, as cilium-dbg map list prints it.")
    return judge_read(f"map that decides {src} → {dst}", answer, _map_name(answer), expected,
                      praise, hint, form="a BPF map's name in quotes, like \"cilium_xyz\"")


def check_ct_map(cl: Cluster, src: str, dst: str, proto: str, answer: object, *,
                 dport: int | None = None) -> Feedback:
    """Check which conntrack map holds the flow ``src`` → ``dst`` over ``proto``.

    Cilium keeps TCP in ``cilium_ct4_global`` and everything else (UDP, ICMP)
    in ``cilium_ct_any4_global``.

    Parameters
    ----------
    cl : Cluster
    src, dst : str
        Endpoints, as :func:`~kpath_nb.trace` takes them.
    proto : {"icmp", "udp", "tcp"}
    answer : object
        A map name: ``"cilium_ct4_global"`` or ``"cilium_ct_any4_global"``.
    dport : int, optional
        The destination port of a UDP or TCP flow (the tracer's default when not given).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_ct_map(cl, "apartment-12", "apartment-14", "udp", "cilium_ct_any4_global").status
    'correct'
    >>> check_ct_map(cl, "apartment-12", "apartment-14", "tcp", "cilium_ct_any4_global").status
    'incorrect'
    """
    hop = _first(trace(cl, src, dst, proto, dport=dport, reply=False), "from-endpoint")
    expected = next((lk.table for lk in (hop.lookups if hop else ())
                     if lk.table.startswith("cilium_ct")), None)
    praise = (f"The {proto.upper()} flow is tracked in {expected}: TCP has a map of its own, "
              f"every other protocol shares the 'any' map.")
    hint = ("Trace the flow with this protocol and read the first lookup of the from-endpoint "
            "hop. Cilium keeps one protocol apart from all the others.")
    return judge_read(f"conntrack map for {proto.upper()} {src} → {dst}", answer,
                      _map_name(answer), expected, praise, hint,
                      form="a BPF map's name in quotes, like \"cilium_ct_xyz\"")


def check_endpoint_id(cl: Cluster, pod: str, answer: object) -> Feedback:
    """Check ``pod``'s Cilium endpoint ID (``id=`` in ``cilium-dbg bpf endpoint list``).

    Parameters
    ----------
    cl : Cluster
    pod : str
    answer : object
        A whole number (``1960``, ``"1960"``, ``"id=1960"``).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> right = cl.pods["apartment-14"].endpoint_id
    >>> check_endpoint_id(cl, "apartment-14", f"id={right}").status
    'correct'
    >>> check_endpoint_id(cl, "apartment-14", cl.pods["apartment-14"].identity.number).status
    'incorrect'
    """
    expected = cl.pod(pod).endpoint_id
    praise = (f"Endpoint {expected}: its policy program sits at that index of "
              f"cilium_call_policy, and its policy map is cilium_policy_v2_{expected:05d}.")
    hint = (f"The endpoint ID is the id= field of {pod}'s row in cilium-dbg bpf endpoint list "
            f"on its node (not sec_id=, which is the security identity). It also ends the name "
            f"of its policy map.")
    return judge_read(f"endpoint ID of {pod}", answer, _number(answer), expected, praise, hint,
                      form="a whole number")


def check_identity(cl: Cluster, pod: str, answer: object) -> Feedback:
    """Check ``pod``'s security identity number.

    Parameters
    ----------
    cl : Cluster
    pod : str
    answer : object
        A whole number (``257``, ``"257"``, ``"ID:257"``, ``"sec_id=257"``).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_identity(cl, "apartment-22", "ID:257").status
    'correct'
    >>> check_identity(cl, "apartment-22", 256).status
    'incorrect'
    """
    target = cl.pod(pod)
    expected = target.identity.number
    sharing = sorted(p.name for p in cl.pods.values()
                     if p.identity.number == expected and p.name != target.name)
    praise = (f"Identity {expected}, from its labels"
              + (f"; {', '.join(sharing)} {'has' if len(sharing) == 1 else 'have'} the same "
                 f"labels and so the same number." if sharing else "."))
    hint = ("The identity comes from the pod's labels, not from its address or its node. Find "
            "it as sec_id= in cilium_lxc, identity= in the ipcache, or (ID:...) in Hubble.")
    return judge_read(f"security identity of {pod}", answer, _number(answer), expected, praise,
                      hint, form="a whole number")


def check_new_identity(cl: Cluster, labels: Mapping[str, str], answer: object, *,
                       namespace: str = "default") -> Feedback:
    """Check the security identity a new pod with ``labels`` in ``namespace`` would get in ``cl``.

    The cluster is left as it is: the check asks a copy of its identity allocator.

    Parameters
    ----------
    cl : Cluster
    labels : mapping of str to str
        The new pod's labels, such as ``{"app": "visitor"}``.
    answer : object
        A whole number (``257``, ``"257"``, ``"ID:257"``).
    namespace : str
        The new pod's namespace: part of the label set as well.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_new_identity(cl, {"app": "visitor"}, 256).status
    'correct'
    >>> check_new_identity(cl, {"app": "visitor"}, 256, namespace="staging").status
    'incorrect'
    >>> "apartment-16" in cl.pods
    False
    """
    expected = copy.deepcopy(cl.identities).allocate(labels, namespace).number
    sharing = sorted(p.name for p in cl.pods.values() if p.identity.number == expected)
    said = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
    praise = (f"Identity {expected}: {', '.join(sharing)} already "
              f"{'carries' if len(sharing) == 1 else 'carry'} exactly these labels in "
              f"namespace {namespace}, so the new pod shares the number." if sharing else
              f"Identity {expected}: no pod carries exactly {said} in namespace {namespace} "
              f"yet, so this label set is new and gets the next number.")
    hint = ("The identity belongs to the whole set of labels, namespace included. Exactly the "
            "same set as a pod that is already running means the same number; any difference "
            "(another namespace, one label more) makes a new set, and new sets are numbered "
            "in order, from 256 up.")
    return judge_read(f"security identity of a new pod ({said})", answer, _number(answer),
                      expected, praise, hint, form="a whole number")


def check_observation_points(cl: Cluster, src: str, dst: str, answer: object, *,
                             proto: str = "icmp") -> Feedback:
    """Check the Hubble observation points of the request ``src`` → ``dst``, in order.

    All of them, as ``hubble observe`` prints them with monitor aggregation ``none``; with
    the default (``medium``) a real cluster shows only the ``to-*`` points.

    Parameters
    ----------
    cl : Cluster
    src, dst : str
        Endpoints, as :func:`~kpath_nb.trace` takes them.
    answer : object
        The points in order: a list (``["from-endpoint", ...]``) or text such as
        ``"from-endpoint -> to-endpoint"``; ``_`` works for ``-``.
    proto : {"icmp", "udp", "tcp"}

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_observation_points(cl, "apartment-12", "apartment-14",
    ...                          "from-endpoint, to-endpoint").status
    'correct'
    >>> check_observation_points(cl, "apartment-12", "apartment-14",
    ...                          ["to-endpoint", "from-endpoint"]).status
    'incorrect'
    """
    tr = trace(cl, src, dst, proto, reply=False)
    expected = [h.observation for h in tr.request_hops if h.observation]
    read = items(answer, ordered=True)
    if read is not UNREADABLE:
        read = [point.replace("_", "-") for point in read]
    praise = f"The request is seen at {' → '.join(expected)}."
    hint = ("Each eBPF program that handles the packet reports it at an observation point; "
            "Hubble prints that point in each line. Trace the request (or read "
            "tr.hubble(monitor_aggregation=\"none\"): the default, medium, leaves out the "
            "from-* points) and list the points in the order the packet meets them.")
    return judge_read(f"observation points {src} → {dst}", answer, read, expected, praise,
                      hint, form="a list of observation points in order, like "
                                 "[\"point-a\", \"point-b\"]")
