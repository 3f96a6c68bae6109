"""kpath_nb: follow one packet, from a home LAN to a Kubernetes cluster with Cilium.

The model (addresses, topology, tables, packets, the tracer) is plain Python;
plots and widgets load matplotlib and ipywidgets only when first used.

Examples
--------
>>> import kpath_nb as kp
>>> net = kp.load_topology("seed-neighborhoods")
>>> tr = kp.trace(net, "house-14", "house-24")
>>> tr.verdict, tr.routers_crossed()
('delivered', ['gatekeeper-11', 'gatekeeper-21'])
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .addr import (BROADCAST_MAC, MacAddress, broadcast_address, mac_from_name,
                   network_address, parse_address, parse_interface, parse_network, same_subnet,
                   to_binary)
from .cluster import CiliumConfig, Cluster, K8sNode, Pod
from .errors import AddressError, KpathError, TopologyError, UnknownEndpointError
from .generate import generate_cluster
from .ipam import IpamError, IpamExhaustedError
from .io import available_topologies, load_topology, parse_topology
from .packet import ARP, ICMP, TCP, UDP, VXLAN, Ethernet, IPv4, Packet, Payload
from .tables import ArpTable, ForwardingTable, Route, RouteTable
from .topology import Host, Interface, Link, Router, Switch, Topology
from .trace import Hop, IcmpError, Learned, Lookup, Trace
from .tracer import trace
from .traceroute import Probe, Traceroute, traceroute

__version__ = "0.1.0"

# Views are loaded on first use, so importing the model never imports matplotlib or ipywidgets.
_LAZY = {
    "draw_topology": "views.plot",
    "draw_trace": "views.traceplot",
    "draw_bits": "views.bits",
    "draw_prefix_match": "views.bits",
    "explore": "views.widgets",
    "Explorer": "views.widgets",
    "show_hop": "views.render",
    "draw_cluster": "views.clusterplot",
    "draw_cluster_trace": "views.clustertrace",
    "draw_headers": "views.headers",
    "draw_ipam": "views.ipamplot",
    "explore_ipam": "views.ipamwidget",
    "IpamExplorer": "views.ipamwidget",
}

_MODULES = {"plot": "views.plot", "traceplot": "views.traceplot", "bits": "views.bits",
            "clusterplot": "views.clusterplot", "clustertrace": "views.clustertrace",
            "headers": "views.headers", "ipamplot": "views.ipamplot", "render": "views.render",
            "widgets": "views.widgets", "ipamwidget": "views.ipamwidget", "views": "views",
            "exercises": "exercises", "coursework": "coursework", "wire": "wire"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    if name in _MODULES:
        return import_module(f".{_MODULES[name]}", __name__)
    raise AttributeError(f"module 'kpath_nb' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ARP", "AddressError", "CiliumConfig", "Cluster", "IpamError", "IpamExhaustedError",
    "K8sNode", "Pod", "generate_cluster", "ArpTable", "BROADCAST_MAC", "Ethernet", "ForwardingTable", "Hop",
    "Host", "ICMP", "IPv4", "Interface", "KpathError", "Learned", "Link", "Lookup", "MacAddress",
    "Packet", "Payload", "Route", "RouteTable", "Router", "Switch", "TCP", "Topology",
    "TopologyError", "Trace", "Traceroute", "Probe", "IcmpError", "UDP", "VXLAN", "UnknownEndpointError", "available_topologies",
    "broadcast_address", "load_topology", "mac_from_name", "network_address", "parse_address",
    "parse_interface", "parse_network", "parse_topology", "same_subnet", "to_binary", "trace",
    "traceroute",
    *_LAZY,
]
