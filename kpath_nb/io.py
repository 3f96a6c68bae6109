"""Reading topology files: containerlab's shape, with addresses and routes inline.

A file names its nodes under ``nodes:`` and its cables under ``links:``::

    name: two-houses
    description: Two hosts on one switch.
    nodes:
      fountain: {kind: switch, subnet: 10.0.0.0/24}
      h1:
        kind: host
        interfaces: {eth0: 10.0.0.1/24}
      h2:
        kind: host
        interfaces: {eth0: 10.0.0.2/24}
        routes: [default via 10.0.0.254]
    links:
      - endpoints: ["h1:eth0", "fountain:eth1"]
      - endpoints: ["h2:eth0", "fountain:eth2"]

Every problem is reported as a :class:`~kpath_nb.errors.TopologyError`
naming the file, the node and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .cluster import CiliumConfig, Cluster, K8sNode
from .errors import KpathError, TopologyError
from .topology import Topology

__all__ = ["load_topology", "parse_topology", "available_topologies", "topology_dirs"]

_TOP_KEYS = {"name", "description", "nodes", "links"}
_CLUSTER_KEYS = _TOP_KEYS | {"kind", "cilium", "pods"}
_NODE_KEYS = {
    "host": {"kind", "interfaces", "routes", "gateway"},
    "router": {"kind", "interfaces", "routes", "gateway"},
    "switch": {"kind", "ports", "subnet", "label"},
    "node": {"kind", "interfaces", "routes", "gateway", "pod_cidr", "router_ip",
             "control_plane"},
}
_CILIUM_KEYS = {"routing_mode", "tunnel_protocol", "tunnel_port", "host_routing", "ipam",
                "device_mtu", "seed"}
_IPAM_KEYS = {"mode", "pool", "mask_size"}
_POD_KEYS = {"node", "labels", "namespace", "ip"}


def topology_dirs() -> list[Path]:
    """Where named topologies are looked up: shipped with the package, then the repository's
    ``data/topologies``."""
    here = Path(__file__).resolve().parent
    return [d for d in (here / "topologies", here.parent / "data" / "topologies") if d.is_dir()]


def available_topologies() -> list[str]:
    """Names of the topologies that ship with kpath.

    Examples
    --------
    >>> "seed-neighborhoods" in available_topologies()
    True
    """
    return sorted({p.stem for d in topology_dirs() for p in d.glob("*.yaml")})


def load_topology(name_or_path: str | Path) -> Topology | Cluster:
    """Load a topology by name (from ``data/topologies``) or from a YAML file path.

    A file with ``kind: cluster`` gives a :class:`~kpath_nb.cluster.Cluster`.

    Examples
    --------
    >>> net = load_topology("seed-neighborhoods")
    >>> sorted(net.hosts)
    ['house-12', 'house-14', 'house-15', 'house-22', 'house-24']
    >>> load_topology("atlantis")
    Traceback (most recent call last):
    ...
    kpath_nb.errors.KpathError: no topology called 'atlantis': known are ...
    """
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        found = [d / f"{path.name}.yaml" for d in topology_dirs() if (d / f"{path.name}.yaml").is_file()]
        if not found:
            raise KpathError(f"no topology called {str(name_or_path)!r}: known are "
                             f"{', '.join(available_topologies())}, or give a path to a .yaml file")
        path = found[0]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KpathError(f"cannot read topology file {str(path)!r}: {exc.strerror}") from None
    return parse_topology(text, source=path.name)


def parse_topology(text: str, source: str = "<text>") -> Topology | Cluster:
    """Build a topology from YAML text; ``source`` names it in error messages.

    Examples
    --------
    >>> parse_topology("nodes: {h1: {kind: host, interfaces: {eth0: 10.0.0.300/24}}}")
    Traceback (most recent call last):
    ...
    kpath_nb.errors.TopologyError: <text>, node 'h1', field 'interfaces.eth0.ip': '10.0.0.300/24' is not an IPv4 address with a mask; write it like 10.0.10.14/24
    """
    try:
        doc = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise TopologyError(f"not valid YAML{where}: {problem}", source=source) from None
    try:
        return _build(doc, source)
    except TopologyError as exc:
        raise exc.located(source) from None


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a key given twice is an error, not a silent overwrite."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (dict, list)):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain name, not a mapping or a list",
                    key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _mapping(value: Any, what: str, node: str | None = None) -> dict:
    if not isinstance(value, dict):
        raise TopologyError(f"{what} must be a mapping (key: value lines), "
                            f"not {type(value).__name__}", node=node, field=what)
    return value


def _unknown(keys: set, allowed: set, node: str | None, what: str) -> None:
    extra = keys - allowed
    if extra:
        raise TopologyError(f"unknown key(s) {', '.join(sorted(map(str, extra)))}; "
                            f"allowed are {', '.join(sorted(allowed))}", node=node, field=what)


def _build(doc: Any, source: str) -> Topology | Cluster:
    doc = _mapping(doc, "the file")
    if doc.get("kind", "network") == "cluster":
        return _build_cluster(doc, source)
    if doc.get("kind", "network") != "network":
        raise TopologyError(f"kind must be network or cluster, not {doc.get('kind')!r}",
                            field="kind")
    _unknown(set(doc), _TOP_KEYS | {"kind"}, None, "top level")
    return _build_network(doc, source, cluster=False)


def _build_network(doc: dict, source: str, *, cluster: bool) -> Topology:
    nodes = _mapping(doc.get("nodes"), "nodes")
    net = Topology(str(doc.get("name") or Path(source).stem),
                   str(doc.get("description") or "").strip())
    for name, spec in nodes.items():
        spec = _mapping(spec, "its definition", str(name))
        kind = spec.get("kind")
        kinds = [k for k in _NODE_KEYS if cluster or k != "node"]
        if kind not in kinds:
            raise TopologyError(f"kind must be one of {', '.join(kinds)}, not {kind!r}",
                                node=str(name), field="kind")
        _unknown(set(spec), _NODE_KEYS[kind], str(name), "keys")
        if kind == "switch":
            net.add_switch(str(name), _names(_list(spec.get("ports"), name, "ports"), name),
                           subnet=spec.get("subnet"), label=spec.get("label"))
            continue
        interfaces = _mapping(spec.get("interfaces"), "interfaces", str(name))
        interfaces = dict(zip(_names(interfaces, name), interfaces.values()))
        routes = _list(spec.get("routes"), name, "routes")
        if kind == "node":
            control_plane = spec.get("control_plane", False)
            if not isinstance(control_plane, bool):
                raise TopologyError(f"control_plane must be true or false, not "
                                    f"{control_plane!r}", node=str(name), field="control_plane")
            net.add_endpoint(K8sNode(str(name), control_plane=control_plane),
                             interfaces=interfaces, routes=routes, gateway=spec.get("gateway"))
            continue
        adder = net.add_host if kind == "host" else net.add_router
        adder(str(name), interfaces=interfaces, routes=routes, gateway=spec.get("gateway"))
    for index, link in enumerate(_list(doc.get("links"), None, "links")):
        link = _mapping(link, f"links[{index}]")
        _unknown(set(link), {"endpoints"}, None, f"links[{index}]")
        ends = link.get("endpoints")
        if not isinstance(ends, list) or len(ends) != 2:
            raise TopologyError("endpoints must list exactly two 'node:interface' ends",
                                field=f"links[{index}].endpoints")
        try:
            net.add_link(str(ends[0]), str(ends[1]))
        except TopologyError as exc:
            raise TopologyError(exc.message, node=exc.node, field=f"links[{index}]") from None
    return net


def _build_cluster(doc: dict, source: str) -> Cluster:
    """A cluster file: the underlay (``nodes`` with ``kind: node`` and ``links``), Cilium's
    settings (``cilium``) and the pods (``pods``)."""
    _unknown(set(doc), _CLUSTER_KEYS, None, "top level")
    underlay = _build_network(doc, source, cluster=True)
    cilium = _mapping(doc.get("cilium") or {}, "cilium")
    _unknown(set(cilium), _CILIUM_KEYS, None, "cilium")
    ipam = _mapping(cilium.get("ipam") or {}, "cilium.ipam")
    _unknown(set(ipam), _IPAM_KEYS, None, "cilium.ipam")
    settings = {k: cilium[k] for k in ("routing_mode", "tunnel_protocol", "tunnel_port",
                                       "host_routing", "device_mtu") if k in cilium}
    if "seed" in cilium:
        settings["seed"] = str(cilium["seed"])
    if "mode" in ipam:
        settings["ipam_mode"] = ipam["mode"]
    if "pool" in ipam:
        settings["pool"] = tuple(str(p) for p in _list(ipam["pool"], None, "cilium.ipam.pool"))
    if "mask_size" in ipam:
        settings["mask_size"] = ipam["mask_size"]
    try:
        cluster = Cluster(underlay, CiliumConfig(**settings))
    except TopologyError:
        raise
    except KpathError as exc:
        raise TopologyError(str(exc), field="cilium.ipam") from None
    for name, spec in doc["nodes"].items():
        if spec.get("kind") == "node":
            cluster.join(str(name), pod_cidr=spec.get("pod_cidr"),
                         router_ip=spec.get("router_ip"), refresh=False)
    cluster.refresh_routes()
    for name, spec in _mapping(doc.get("pods") or {}, "pods").items():
        spec = _mapping(spec, "its definition", str(name))
        _unknown(set(spec), _POD_KEYS, str(name), "keys")
        labels = _mapping(spec.get("labels") or {}, "labels", str(name))
        try:
            cluster.add_pod(str(name), str(spec.get("node")), labels,
                            namespace=str(spec.get("namespace", "default")), ip=spec.get("ip"))
        except KpathError as exc:
            raise TopologyError(str(exc), node=str(name), field="pods") from None
    return cluster


def _names(values: Any, node: Any) -> list[str]:
    """Interface and port names as text (YAML reads ``1:`` as a number)."""
    names = []
    for value in values:
        if isinstance(value, (dict, list)) or value is None:
            raise TopologyError(f"an interface name must be plain text like eth0, not {value!r}",
                                node=str(node), field="interfaces")
        names.append(str(value))
    return names


def _list(value: Any, node: Any, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TopologyError(f"{what} must be a list (lines starting with '- ')",
                            node=None if node is None else str(node), field=what)
    return value
