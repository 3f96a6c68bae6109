"""Checks for the exercises of notebook 04, Kubernetes nodes and pods.

Every check works the right answer out from the cluster it is given (the pod's
routing table, the node's devices and routes, the identities), so no answer key
is written down anywhere, and returns a :class:`~kpath_nb.exercises.Feedback`.
Answers are accepted in the forms a learner would write them: an address as
text or as an :mod:`ipaddress` object, a device name as ``ip link`` prints it
(``lxc1f2a85eec85b@if2``), a MAC with ``:`` or ``-``, yes or no as a word or a
bool. Nothing a learner types makes a check raise; an answer a check cannot read
is simply not right.

Examples
--------
>>> import kpath_nb as kp
>>> from kpath_nb.exercises import pods
>>> cl = kp.load_topology("seed-cilium-buildings")
>>> bool(pods.check_pod_gateway(cl, "apartment-12", "10.0.10.11"))
True
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address

from ..addr import parse_address, parse_network
from ..cluster import Cluster
from ..errors import KpathError
from ..tables import Route
from . import Feedback
from .answers import UNREADABLE, address, judge_read, mac, text, whole_number, word, yes_no

__all__ = ["check_pod_gateway", "check_gateway_mac", "check_lxc_device", "check_node_route_mtu",
           "check_shared_identity"]


def check_pod_gateway(cl: Cluster, pod: str, answer: object) -> Feedback:
    """Check the address ``pod`` sends every packet to first: its default gateway.

    Parameters
    ----------
    cl : Cluster
    pod : str
        A pod name.
    answer : object
        An address (``"10.0.10.11"``, ``"10.0.10.11/32"``, an
        :class:`~ipaddress.IPv4Address`).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_pod_gateway(cl, "apartment-22", "10.0.20.21").status
    'correct'
    >>> check_pod_gateway(cl, "apartment-22", "192.168.100.20").status
    'incorrect'
    >>> check_pod_gateway(cl, "apartment-22", ...).status
    'unanswered'
    """
    the_pod = cl.pod(pod)
    default = next(r for r in the_pod.routing_table().routes if r.is_default)
    expected = default.via
    node = cl.nodes[the_pod.node]
    device = next((i.name for i in node.interfaces.values()
                   if i.ip is not None and i.ip.ip == expected), "no device")
    praise = (f"{pod}'s only way out is '{default}'. {expected} is {node.name}'s router IP, "
              f"on its {device} device: the lobby door, inside the building's own pod CIDR "
              f"{node.pod_cidr}, not the building's address on the node network.")
    hint = (f"Print {pod}'s routing table (cl.pods[...].routing_table().show()) and read the "
            f"address after 'via' in its default route. Is that the building's eth0 address, "
            f"or an address from the apartments' own range?")
    return judge_read(f"{pod}'s gateway", answer, address(answer), expected, praise, hint,
                      form="an IPv4 address in quotes, like \"192.0.2.1\"")


def check_gateway_mac(cl: Cluster, pod: str, answer: object) -> Feedback:
    """Check the MAC that answers ``pod``'s ARP question for its gateway.

    Nobody holds the gateway address on the pod's link: the eBPF ARP responder
    on the host side of the pod's veth pair answers with that device's own MAC.

    Parameters
    ----------
    cl : Cluster
    pod : str
        A pod name.
    answer : object
        A MAC address as text (``:`` or ``-`` between pairs, any case) or a
        :class:`~kpath_nb.addr.MacAddress`.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> pod = cl.pods["apartment-12"]
    >>> lxc_mac = cl.nodes[pod.node].interfaces[pod.lxc].mac
    >>> check_gateway_mac(cl, "apartment-12", str(lxc_mac).upper()).status
    'correct'
    >>> host_mac = cl.nodes[pod.node].interfaces["cilium_host"].mac
    >>> check_gateway_mac(cl, "apartment-12", host_mac).status
    'incorrect'
    """
    the_pod = cl.pod(pod)
    node = cl.nodes[the_pod.node]
    expected = node.interfaces[the_pod.lxc].mac
    praise = (f"The answer comes from {the_pod.lxc}, the host end of {pod}'s veth pair: its "
              f"eBPF program answers every ARP question from the pod (except for the pod's own "
              f"address) with the device's own MAC, {expected}. No real device with "
              f"{node.router_ip} is on that link.")
    hint = (f"Trace a packet from {pod} and read the ARP reply in the second hop: who sends "
            f"it, and from which of {node.name}'s devices? Then look that device's MAC up in "
            f"the node's interfaces. cilium_host holds the address, but it is not on the "
            f"pod's link.")
    return judge_read(f"MAC of {pod}'s gateway", answer, mac(answer), expected, praise, hint,
                      form="six hex pairs in quotes, like \"02:00:00:00:00:01\"")


_DEVICE = re.compile(r"^(?:\d+:\s*)?([a-z0-9_]+)(?:@\S*)?:?$")


def _device_name(answer: object) -> str | object:
    """A device name as ``ip link`` prints it, without ``12:`` in front or ``@if2`` after."""
    if not isinstance(answer, str):
        return UNREADABLE
    found = _DEVICE.match(text(answer).lower())
    return found.group(1) if found else UNREADABLE


def check_lxc_device(cl: Cluster, pod: str, answer: object) -> Feedback:
    """Check the name of the host-side end of ``pod``'s veth pair.

    Parameters
    ----------
    cl : Cluster
    pod : str
        A pod name.
    answer : str
        The device name (``"lxc1f2a85eec85b"``), also as ``ip link`` prints it
        (``"7: lxc1f2a85eec85b@if2:"``); case does not matter.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> lxc = cl.pods["apartment-14"].lxc
    >>> check_lxc_device(cl, "apartment-14", lxc).status
    'correct'
    >>> check_lxc_device(cl, "apartment-14", f"{lxc}@if2").status
    'correct'
    >>> check_lxc_device(cl, "apartment-14", "eth0").status
    'incorrect'
    """
    the_pod = cl.pod(pod)
    node = cl.nodes[the_pod.node]
    expected = the_pod.lxc
    praise = (f"{expected} (ifindex {node.ifindex[expected]} on {node.name}) is the host end "
              f"of the corridor; its other end is eth0 inside {pod}. Cilium names it 'lxc' "
              f"plus 12 hex digits.")
    others = sum(name.startswith("lxc") and name != "lxc_health" for name in node.interfaces)
    hint = (f"{node.name} has {others} pod devices whose names start with 'lxc'. Which one "
            f"belongs to {pod}? The pod object knows, and so does the ARP reply in a trace "
            f"from {pod} (the hop's in and out devices); the number after '@if' in the pod's "
            f"'eth0@if..' is the device's ifindex on the node (node.ifindex).")
    return judge_read(f"host end of {pod}'s veth pair", answer, _device_name(answer), expected,
                      praise, hint, form="a device name in quotes, like \"lxc0123456789ab\"")


_NO_MTU = {"none": "none", "no mtu": "none", "nothing": "none", "no": "none", "-": "none",
           "device mtu": "none", "the device mtu": "none", "default": "none",
           "no mtu attribute": "none", "not set": "none", "unset": "none"}


def _route_to(cl: Cluster, node: str, destination: str) -> tuple[Route, IPv4Address]:
    """The route ``node`` picks for ``destination`` (a CIDR, an address or a pod or node name)."""
    here = cl.nodes[node]
    if destination in cl.endpoints:
        ip = cl.endpoints[destination].ip
    elif "/" in str(destination):
        ip = parse_network(destination).network_address
    else:
        ip = parse_address(destination)
    route = here.routing_table().lookup(ip)
    if route is None:
        raise KpathError(f"{node} has no route to {destination}; pick a pod CIDR of the cluster: "
                         f"{', '.join(str(n.pod_cidr) for n in cl.nodes.values())}")
    return route, ip


def check_node_route_mtu(cl: Cluster, node: str, destination_cidr: str, answer: object
                         ) -> Feedback:
    """Check the MTU that ``node``'s route to ``destination_cidr`` gives packets.

    A route with an ``mtu`` attribute limits packets to that size; a route
    without one leaves them at the MTU of the device (1500 here).

    Parameters
    ----------
    cl : Cluster
    node : str
        A node name.
    destination_cidr : str
        A pod CIDR (``"10.0.20.0/24"``), an address in it, or a pod's name.
    answer : object
        A whole number (``1450``, ``"1450"``, ``"mtu 1450"``), or ``"none"`` for a
        route without an ``mtu`` attribute (the device's MTU then counts, so that
        number is right too).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_node_route_mtu(cl, "building-blue", "10.0.20.0/24", "mtu 1450").status
    'correct'
    >>> check_node_route_mtu(cl, "building-blue", "10.0.10.0/24", "none").status
    'correct'
    >>> check_node_route_mtu(cl, "building-blue", "10.0.10.0/24", 1450).status
    'incorrect'
    """
    route, _ = _route_to(cl, node, destination_cidr)
    device_mtu = cl.config.device_mtu
    expected = route.mtu if route.mtu is not None else device_mtu
    said = text(answer).lower()
    said = said[3:].strip() if said.startswith("mtu") else said
    if isinstance(answer, str):
        no_mtu = said in _NO_MTU or word(said, ("none",), _NO_MTU) == "none"
        read = device_mtu if no_mtu else whole_number(said)
    else:
        read = whole_number(answer)
    if route.mtu is not None:
        praise = (f"'{route}' carries mtu {route.mtu}: packets to {route.network} will cross "
                  f"the VXLAN tunnel, whose {device_mtu - route.mtu} bytes of outer headers "
                  f"must still fit into the node network's {device_mtu}.")
    else:
        praise = (f"'{route}' has no mtu attribute: {route.network} is {node}'s own pod CIDR, "
                  f"its packets never enter the tunnel, so the device MTU ({device_mtu}) "
                  f"counts.")
    hint = (f"Find the line for this destination in {node}.routing_table().show(). Does it "
            f"end in 'mtu ...'? A packet that must be wrapped in outer headers to reach "
            f"another building needs room for them.")
    return judge_read(f"MTU of {node}'s route to {destination_cidr}", answer, read, expected,
                      praise, hint, form="a whole number, or \"none\" when the route has no mtu")


def check_shared_identity(cl: Cluster, pod_a: str, pod_b: str, answer: object) -> Feedback:
    """Check whether ``pod_a`` and ``pod_b`` have the same security identity.

    Parameters
    ----------
    cl : Cluster
    pod_a, pod_b : str
        Pod names.
    answer : object
        Yes or no: ``"yes"``, ``"no"``, ``True``, ``False``, ``"same"``,
        ``"different"``.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> import kpath_nb as kp
    >>> cl = kp.load_topology("seed-cilium-buildings")
    >>> check_shared_identity(cl, "apartment-14", "apartment-22", "yes").status
    'correct'
    >>> check_shared_identity(cl, "apartment-12", "apartment-14", True).status
    'incorrect'

    The namespace counts as much as the labels:

    >>> _ = cl.add_pod("apartment-24", "building-green", cl.pods["apartment-22"].labels,
    ...                namespace="staging")
    >>> check_shared_identity(cl, "apartment-22", "apartment-24", "no").status
    'correct'
    """
    a, b = cl.pod(pod_a), cl.pod(pod_b)
    expected = a.identity.number == b.identity.number
    if expected:
        praise = (f"Both carry exactly the same security labels, so they share identity "
                  f"{a.identity.number}, whichever building and address they have.")
    elif a.labels == b.labels:
        praise = (f"Their labels are the same, but their namespaces differ ({a.namespace} and "
                  f"{b.namespace}), and the namespace is one of the security labels "
                  f"(k8s:io.kubernetes.pod.namespace): identities {a.identity.number} and "
                  f"{b.identity.number}.")
    else:
        praise = (f"Their security labels differ, so their identities differ "
                  f"({a.identity.number} and {b.identity.number}), even "
                  + ("on the same node." if a.node == b.node else "though both are pods."))
    hint = ("An identity comes from a pod's labels (and its namespace), not from its address "
            "or its building. Compare the two pods' .labels and .namespace; or read "
            ".identity.number of each.")
    return judge_read(f"{pod_a} and {pod_b} share an identity", answer, yes_no(answer), expected,
                      praise, hint, form="\"yes\" or \"no\"")
