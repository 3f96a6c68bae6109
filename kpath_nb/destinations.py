"""What a trace can be asked for: a network to trace in, and a destination that is one host.

A trace follows one packet to one receiver. Four kinds of IPv4 destination are not one
host, and Linux treats each in its own way; :func:`check_destination` says how, in a
:class:`~kpath_nb.errors.SpecialDestinationError`, instead of tracing them as if they were:

* ``0.0.0.0`` means "this host": Linux delivers the packet to the sender itself;
* ``255.255.255.255``, the limited broadcast, reaches every door of the sender's link;
* a subnet's last address, a directed broadcast, reaches every door of that subnet;
* ``224.0.0.0/4`` addresses are multicast groups.

Examples
--------
>>> import kpath_nb as kp
>>> net = kp.load_topology("seed-neighborhoods")
>>> check_destination(net, kp.parse_address("10.0.20.24"))
>>> check_destination(net, kp.parse_address("10.0.20.255"))
Traceback (most recent call last):
...
kpath_nb.errors.SpecialDestinationError: 10.0.20.255 is the broadcast address of 10.0.20.0/24 ...
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

from .cluster import Cluster
from .errors import NotANetworkError, SpecialDestinationError
from .topology import Topology

__all__ = ["check_network", "check_destination"]

THIS_HOST = IPv4Address("0.0.0.0")
LIMITED_BROADCAST = IPv4Address("255.255.255.255")
MULTICAST = IPv4Network("224.0.0.0/4")

_IGNORED = ("hosts do not answer a ping sent to many (net.ipv4.icmp_echo_ignore_broadcasts "
            "is 1) and TCP refuses to connect to one")
_ONE_HOST = "this model follows a packet to one host: pick a host's address"


def check_network(net: object, what: str = "trace") -> None:
    """Raise :class:`~kpath_nb.errors.NotANetworkError` unless ``net`` is a network or a cluster.

    Examples
    --------
    >>> check_network("seed-neighborhoods")
    Traceback (most recent call last):
    ...
    kpath_nb.errors.NotANetworkError: trace needs a network or a cluster, not the str 'seed-neighborhoods'; load it first: net = kp.load_topology('seed-neighborhoods')
    """
    if isinstance(net, (Topology, Cluster)):
        return
    hint = (f"; load it first: net = kp.load_topology({net!r})" if isinstance(net, str)
            else ", such as kp.load_topology('seed-neighborhoods')")
    raise NotANetworkError(f"{what} needs a network or a cluster, not the "
                           f"{type(net).__name__} {_short(net)}{hint}")


def check_destination(net: Topology | Cluster, dst: IPv4Address) -> None:
    """Raise :class:`~kpath_nb.errors.SpecialDestinationError` when ``dst`` is not one host:
    ``0.0.0.0``, a broadcast (limited, or directed to a subnet of ``net``) or multicast."""
    if dst == THIS_HOST:
        raise SpecialDestinationError(
            "0.0.0.0 means 'this host': Linux never sends a packet to it but delivers it to "
            "the sender itself over lo (ping 0.0.0.0 is answered from 127.0.0.1); trace to "
            "127.0.0.1 to see that, or to a host's address")
    if dst == LIMITED_BROADCAST:
        raise SpecialDestinationError(
            f"255.255.255.255 is the limited broadcast: Linux sends it once, to every door of "
            f"the sender's own link (ping wants -b for it), no router forwards it, and "
            f"{_IGNORED}; {_ONE_HOST}")
    if dst in MULTICAST:
        raise SpecialDestinationError(
            f"{dst} is a multicast group address (224.0.0.0/4): Linux sends it without ARP to "
            f"the group's MAC 01:00:5e:..., routers forward it only when a multicast routing "
            f"daemon asks them to, and {_IGNORED}; {_ONE_HOST}")
    # The last address of a subnet of /30 or larger ends in binary 11; an address some
    # node or pod holds is that one host's (looking that up is cheap; the subnets are not).
    if int(dst) & 3 == 3 and _holder(net, dst) is None:
        subnet = _broadcast_of(net.underlay if isinstance(net, Cluster) else net, dst)
        if subnet is not None:
            raise SpecialDestinationError(
                f"{dst} is the broadcast address of {subnet} (a directed broadcast): on that "
                f"subnet Linux sends it to every door at once (ping wants -b for it), a Linux "
                f"router does not forward it from elsewhere (bc_forwarding is 0), and "
                f"{_IGNORED}; {_ONE_HOST}")


def _holder(net: Topology | Cluster, dst: IPv4Address) -> object | None:
    """Who holds ``dst``: a node of the network, or a pod or node of the cluster; or None."""
    return net.owner_of(dst) if isinstance(net, Cluster) else net.owner(dst)


def _broadcast_of(net: Topology, dst: IPv4Address) -> IPv4Network | None:
    """The subnet of ``net`` whose broadcast address ``dst`` is, or None."""
    subnets = [a.network for node in net.endpoints.values() for a in node.addresses()]
    subnets += [s.subnet for s in net.switches.values() if s.subnet is not None]
    return next((s for s in subnets if s.prefixlen < 31 and s.broadcast_address == dst), None)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."
