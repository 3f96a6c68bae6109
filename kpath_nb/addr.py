"""Addresses: IPv4 through the standard :mod:`ipaddress` module, and MAC addresses.

A house number is an IPv4 address; the neighbourhood it belongs to is found by
applying the subnet mask. A door's serial number is a MAC address. The helpers
here are the ones a learner reaches for: network and broadcast address, "are
these two in the same subnet?", and binary views of addresses and masks.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from .errors import AddressError

__all__ = [
    "MacAddress",
    "BROADCAST_MAC",
    "parse_address",
    "parse_interface",
    "parse_network",
    "mac_from_name",
    "network_address",
    "broadcast_address",
    "same_subnet",
    "to_binary",
]


_MAC_TEXT = re.compile(r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}")


@dataclass(frozen=True, order=True)
class MacAddress:
    """A 48-bit MAC address, the serial number on a door.

    Parameters
    ----------
    value : int
        The address as an integer, 0 to 2**48 - 1.

    Examples
    --------
    >>> mac = MacAddress.parse("02:00:0A:00:0A:0E")
    >>> mac
    MacAddress('02:00:0a:00:0a:0e')
    >>> str(mac), mac.is_broadcast, mac.is_locally_administered
    ('02:00:0a:00:0a:0e', False, True)
    >>> BROADCAST_MAC.is_broadcast
    True
    """

    value: int

    def __post_init__(self) -> None:
        if not 0 <= self.value < 1 << 48:
            raise AddressError(f"MAC address value {self.value} does not fit in 48 bits")

    @classmethod
    def parse(cls, text: str | "MacAddress") -> "MacAddress":
        """Read ``aa:bb:cc:dd:ee:ff`` (or with ``-``) into a :class:`MacAddress`."""
        if isinstance(text, MacAddress):
            return text
        if not _MAC_TEXT.fullmatch(str(text)):
            raise AddressError(
                f"{text!r} is not a MAC address; write six hex pairs like 02:00:0a:00:0a:0e")
        return cls(int(str(text).replace("-", "").replace(":", ""), 16))

    @property
    def is_broadcast(self) -> bool:
        """True for ``ff:ff:ff:ff:ff:ff``, the address every door on a segment accepts."""
        return self.value == (1 << 48) - 1

    @property
    def is_multicast(self) -> bool:
        """True when the group bit (lowest bit of the first octet) is set."""
        return bool((self.value >> 40) & 1)

    @property
    def is_locally_administered(self) -> bool:
        """True when the address was set by software rather than burnt in by a vendor."""
        return bool((self.value >> 41) & 1)

    def packed(self) -> bytes:
        """The six bytes as they appear on the wire."""
        return self.value.to_bytes(6, "big")

    def __str__(self) -> str:
        return ":".join(f"{b:02x}" for b in self.packed())

    def __repr__(self) -> str:
        return f"MacAddress('{self}')"


BROADCAST_MAC = MacAddress((1 << 48) - 1)


def mac_from_name(node: str, iface: str) -> MacAddress:
    """Derive a stable, locally administered MAC address from a node and interface name.

    Examples
    --------
    >>> mac_from_name("house-14", "eth0") == mac_from_name("house-14", "eth0")
    True
    >>> mac_from_name("house-14", "eth0").is_locally_administered
    True
    """
    digest = hashlib.sha256(f"{node}/{iface}".encode()).digest()
    first = (digest[0] & 0b11111100) | 0b00000010  # unicast, locally administered
    return MacAddress(int.from_bytes(bytes([first]) + digest[1:6], "big"))


def parse_address(text: str | int | IPv4Address) -> IPv4Address:
    """Read a plain IPv4 address such as ``10.0.10.14`` (or its 32-bit integer value).

    Examples
    --------
    >>> parse_address("10.0.10.14")
    IPv4Address('10.0.10.14')
    >>> parse_address(167774734)
    IPv4Address('10.0.10.14')
    """
    if isinstance(text, IPv4Address):
        return text
    try:
        if isinstance(text, int) and not isinstance(text, bool):
            return IPv4Address(text)
        return IPv4Address(str(text).strip())
    except ValueError:
        raise AddressError(f"{text!r} is not an IPv4 address; write it like 10.0.10.14") from None


def parse_interface(text: str | IPv4Interface) -> IPv4Interface:
    """Read an address with its mask, ``10.0.10.14/24``, as :class:`ipaddress.IPv4Interface`.

    Examples
    --------
    >>> iface = parse_interface("10.0.10.14/24")
    >>> iface.ip, iface.network
    (IPv4Address('10.0.10.14'), IPv4Network('10.0.10.0/24'))
    """
    if isinstance(text, IPv4Interface):
        return text
    value = str(text).strip()
    if "/" not in value:
        raise AddressError(
            f"{text!r} has no subnet mask; write the address with its prefix length, "
            f"like {value}/24")
    try:
        return IPv4Interface(value)
    except ValueError:
        raise AddressError(
            f"{text!r} is not an IPv4 address with a mask; write it like 10.0.10.14/24") from None


def parse_network(text: str | IPv4Network) -> IPv4Network:
    """Read a network such as ``10.0.20.0/24``; host bits must be zero.

    Examples
    --------
    >>> parse_network("10.0.20.0/24")
    IPv4Network('10.0.20.0/24')
    >>> parse_network("10.0.20.7/24")
    Traceback (most recent call last):
    ...
    kpath_nb.errors.AddressError: '10.0.20.7/24' has host bits set; the network is 10.0.20.0/24
    """
    if isinstance(text, IPv4Network):
        return text
    value = str(text).strip()
    if "/" not in value:
        try:
            IPv4Address(value)
        except ValueError:
            raise AddressError(
                f"{text!r} is not an IPv4 network; write it like 10.0.20.0/24") from None
        raise AddressError(
            f"{text!r} has no mask; write the network with its prefix length, like {value}/24")
    try:
        return IPv4Network(value)
    except ValueError:
        try:
            loose = IPv4Network(value, strict=False)
        except ValueError:
            raise AddressError(
                f"{text!r} is not an IPv4 network; write it like 10.0.20.0/24") from None
        raise AddressError(
            f"{text!r} has host bits set; the network is {loose}") from None


def network_address(address: str | IPv4Interface) -> IPv4Address:
    """The first address of the subnet: the address with every host bit cleared.

    Examples
    --------
    >>> network_address("10.0.10.14/24")
    IPv4Address('10.0.10.0')
    """
    return parse_interface(address).network.network_address


def broadcast_address(address: str | IPv4Interface) -> IPv4Address:
    """The last address of the subnet: the address with every host bit set.

    Examples
    --------
    >>> broadcast_address("10.0.10.14/24")
    IPv4Address('10.0.10.255')
    """
    return parse_interface(address).network.broadcast_address


def same_subnet(a: str | IPv4Interface, b: str | IPv4Address | IPv4Interface) -> bool:
    """Does ``b`` fall in the subnet of ``a`` (address with mask)?

    This is the question a host asks before sending: if the answer is yes, it
    sends straight to ``b`` on its own segment; if no, it sends to a router.

    Examples
    --------
    >>> same_subnet("10.0.10.14/24", "10.0.10.15")
    True
    >>> same_subnet("10.0.10.14/24", "10.0.20.24")
    False
    """
    target = b.ip if isinstance(b, IPv4Interface) else parse_address(
        str(b).split("/")[0])
    return target in parse_interface(a).network


def to_binary(value: str | IPv4Address | IPv4Interface | IPv4Network, *, dots: bool = True) -> str:
    """The 32 bits of an address (for a network, of its network address), octet by octet.

    Examples
    --------
    >>> to_binary("10.0.10.14")
    '00001010.00000000.00001010.00001110'
    >>> to_binary(parse_network("10.0.10.0/24").netmask)
    '11111111.11111111.11111111.00000000'
    """
    if isinstance(value, IPv4Interface):
        value = value.ip
    elif isinstance(value, IPv4Network):
        value = value.network_address
    elif not isinstance(value, IPv4Address):
        value = parse_address(str(value).split("/")[0])
    bits = f"{int(value):032b}"
    if not dots:
        return bits
    return ".".join(bits[i:i + 8] for i in range(0, 32, 8))

