"""The errors a learner can meet, each naming what is wrong and what would be right.

Every error raised on purpose by :mod:`kpath_nb` derives from :class:`KpathError`,
so a notebook can catch them all at once. Drops are not errors: a packet that
cannot be delivered ends its :class:`~kpath_nb.trace.Trace` with a plain reason.
"""

from __future__ import annotations

__all__ = [
    "KpathError",
    "AddressError",
    "TopologyError",
    "UnknownEndpointError",
    "SpecialDestinationError",
    "NotANetworkError",
]


class KpathError(Exception):
    """Base class of every error that kpath raises on purpose."""


class AddressError(KpathError, ValueError):
    """A malformed IPv4 address, network or MAC address.

    Examples
    --------
    >>> from kpath_nb.addr import parse_interface
    >>> parse_interface("10.0.10.300/24")
    Traceback (most recent call last):
    ...
    kpath_nb.errors.AddressError: '10.0.10.300/24' is not an IPv4 address with a mask; write it like 10.0.10.14/24
    """


class TopologyError(KpathError, ValueError):
    """A topology that cannot be built: names the file, the node and the field.

    Parameters
    ----------
    message : str
        What is wrong and what would be right.
    source : str, optional
        The topology file (or topology name) the problem was found in.
    node : str, optional
        The node the problem belongs to.
    field : str, optional
        The field inside the node, such as ``interfaces.eth0.ip`` or ``routes[1]``.
    """

    def __init__(self, message: str, *, source: str | None = None,
                 node: str | None = None, field: str | None = None) -> None:
        self.message = message
        self.source = source
        self.node = node
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.node:
            where.append(f"node {self.node!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def located(self, source: str) -> "TopologyError":
        """Return the same error with the file it came from filled in."""
        return TopologyError(self.message, source=source, node=self.node, field=self.field)


class UnknownEndpointError(KpathError, LookupError):
    """A source or destination that names no node and no address in the network."""

    def __str__(self) -> str:  # LookupError would quote the message like a key
        return str(self.args[0])


class SpecialDestinationError(KpathError, ValueError):
    """A destination that is not one host: ``0.0.0.0``, a broadcast or a multicast group.

    The message says what Linux does with such a packet.
    """


class NotANetworkError(KpathError, TypeError):
    """Something else (a name, say) where a network or a cluster goes."""
