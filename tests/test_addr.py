"""Addresses: MAC parsing and printing, IPv4 parsing with helpful errors, subnet arithmetic."""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

import pytest

import kpath_nb as kp
from kpath_nb import AddressError, KpathError, MacAddress


# -- MAC addresses ----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["02:00:0a:00:0a:0e", "02:00:0A:00:0A:0E", "02-00-0a-00-0a-0e"])
def test_mac_parse_accepts_colons_dashes_and_either_case(text):
    mac = MacAddress.parse(text)
    assert mac.value == 0x02000A000A0E
    assert str(mac) == "02:00:0a:00:0a:0e"
    assert repr(mac) == "MacAddress('02:00:0a:00:0a:0e')"


def test_mac_parse_returns_a_mac_unchanged():
    mac = MacAddress.parse("02:00:00:00:00:01")
    assert MacAddress.parse(mac) is mac


def test_mac_str_pads_every_octet_to_two_digits():
    assert str(MacAddress(1)) == "00:00:00:00:00:01"
    assert MacAddress(1).packed() == b"\x00\x00\x00\x00\x00\x01"


@pytest.mark.parametrize("text", [
    "02:00:0a:00:0a",           # five pairs
    "02:00:0a:00:0a:0e:01",     # seven pairs
    "2:0:a:0:a:e",              # single digits
    "02:00:0a:00:0a:zz",        # not hex
    "0200.0a00.0a0e",           # Cisco dots
    "",
])
def test_mac_parse_rejects_malformed_text_and_shows_the_right_form(text):
    with pytest.raises(AddressError, match=re.escape("write six hex pairs like 02:00:0a:00:0a:0e")):
        MacAddress.parse(text)


@pytest.mark.parametrize("text", ["0x:00:00:00:00:01", "+1:00:0a:00:0a:0e", " 2:00:0a:00:0a:0e",
                                  "0_:00:00:00:00:01"])
def test_mac_parse_rejects_non_hex_characters_that_int_would_accept(text):
    with pytest.raises(AddressError):
        MacAddress.parse(text)


@pytest.mark.parametrize("value", [-1, 1 << 48])
def test_mac_value_must_fit_48_bits(value):
    with pytest.raises(AddressError, match="does not fit in 48 bits"):
        MacAddress(value)


def test_mac_flags():
    assert kp.BROADCAST_MAC.is_broadcast and kp.BROADCAST_MAC.is_multicast
    assert str(kp.BROADCAST_MAC) == "ff:ff:ff:ff:ff:ff"
    unicast_la = MacAddress.parse("02:00:00:00:00:01")
    assert not unicast_la.is_broadcast and not unicast_la.is_multicast
    assert unicast_la.is_locally_administered
    vendor = MacAddress.parse("00:1b:21:00:00:01")
    assert not vendor.is_locally_administered and not vendor.is_multicast
    multicast = MacAddress.parse("01:00:5e:00:00:01")
    assert multicast.is_multicast and not multicast.is_broadcast


def test_macs_order_and_hash_by_value():
    a, b = MacAddress.parse("02:00:00:00:00:01"), MacAddress.parse("02:00:00:00:00:02")
    assert a < b
    assert {a, MacAddress.parse("02-00-00-00-00-01")} == {a}


def test_mac_from_name_is_stable_unicast_and_locally_administered():
    mac = kp.mac_from_name("house-14", "eth0")
    assert mac == kp.mac_from_name("house-14", "eth0")
    # Pinned: notebooks and the seed story show these serial numbers.
    assert str(mac) == "7e:d4:79:4e:6e:11"
    assert mac != kp.mac_from_name("house-14", "eth1")
    assert mac != kp.mac_from_name("house-15", "eth0")


@pytest.mark.parametrize("node", [f"n{i}" for i in range(64)])
def test_mac_from_name_never_gives_a_group_or_vendor_address(node):
    mac = kp.mac_from_name(node, "eth0")
    assert not mac.is_multicast
    assert mac.is_locally_administered


# -- IPv4 parsing -----------------------------------------------------------------------

def test_parse_address():
    assert kp.parse_address("10.0.10.14") == IPv4Address("10.0.10.14")
    assert kp.parse_address(" 10.0.10.14 ") == IPv4Address("10.0.10.14")
    ip = IPv4Address("10.0.10.14")
    assert kp.parse_address(ip) is ip


@pytest.mark.parametrize("text", ["10.0.10.300", "10.0.10", "house-14", "10.0.10.14/24", ""])
def test_parse_address_errors_name_the_text_and_show_an_example(text):
    with pytest.raises(AddressError) as info:
        kp.parse_address(text)
    assert repr(text) in str(info.value)
    assert "write it like 10.0.10.14" in str(info.value)


def test_address_errors_are_kpath_errors_and_value_errors():
    with pytest.raises(KpathError):
        kp.parse_address("nope")
    with pytest.raises(ValueError):
        kp.parse_address("nope")


def test_parse_interface():
    iface = kp.parse_interface("10.0.10.14/24")
    assert iface == IPv4Interface("10.0.10.14/24")
    assert iface.network == IPv4Network("10.0.10.0/24")
    assert kp.parse_interface("10.0.10.14/255.255.255.0") == iface
    assert kp.parse_interface(iface) is iface


def test_parse_interface_missing_mask_suggests_the_prefix_length():
    with pytest.raises(AddressError, match=re.escape(
            "'10.0.10.14' has no subnet mask; write the address with its prefix length, "
            "like 10.0.10.14/24")):
        kp.parse_interface("10.0.10.14")


@pytest.mark.parametrize("text", ["10.0.10.300/24", "10.0.10.14/33", "10.0.10.14/abc", "x/24"])
def test_parse_interface_malformed(text):
    with pytest.raises(AddressError, match=re.escape(
            f"{text!r} is not an IPv4 address with a mask; write it like 10.0.10.14/24")):
        kp.parse_interface(text)


def test_parse_network():
    assert kp.parse_network("10.0.20.0/24") == IPv4Network("10.0.20.0/24")
    assert kp.parse_network("0.0.0.0/0").prefixlen == 0
    net = IPv4Network("10.0.20.0/24")
    assert kp.parse_network(net) is net


def test_parse_network_host_bits_set_names_the_real_network():
    with pytest.raises(AddressError, match=re.escape(
            "'10.0.20.7/24' has host bits set; the network is 10.0.20.0/24")):
        kp.parse_network("10.0.20.7/24")


@pytest.mark.parametrize("text", ["10.0.20.0/40", "10.0.300.0/24", "blue"])
def test_parse_network_malformed(text):
    with pytest.raises(AddressError, match=re.escape(
            f"{text!r} is not an IPv4 network; write it like 10.0.20.0/24")):
        kp.parse_network(text)


def test_parse_network_missing_mask_is_an_error():
    with pytest.raises(AddressError, match="mask"):
        kp.parse_network("10.0.20.0")


# -- subnet arithmetic ------------------------------------------------------------------

@pytest.mark.parametrize("addr, network, broadcast", [
    ("10.0.10.14/24", "10.0.10.0", "10.0.10.255"),
    ("10.0.10.14/16", "10.0.0.0", "10.0.255.255"),
    ("10.1.1.30/16", "10.1.0.0", "10.1.255.255"),
    ("192.168.12.1/30", "192.168.12.0", "192.168.12.3"),
    ("10.0.10.14/32", "10.0.10.14", "10.0.10.14"),
])
def test_network_and_broadcast_address(addr, network, broadcast):
    assert kp.network_address(addr) == IPv4Address(network)
    assert kp.broadcast_address(addr) == IPv4Address(broadcast)


def test_network_address_needs_a_mask():
    with pytest.raises(AddressError, match="has no subnet mask"):
        kp.network_address("10.0.10.14")
    with pytest.raises(AddressError, match="has no subnet mask"):
        kp.broadcast_address("10.0.10.14")


@pytest.mark.parametrize("a, b, expected", [
    ("10.0.10.14/24", "10.0.10.15", True),
    ("10.0.10.14/24", "10.0.20.24", False),
    ("10.0.10.14/16", "10.0.20.24", True),          # a wider mask takes in green too
    ("10.0.10.14/24", "10.0.10.255", True),
    ("10.0.10.14/24", "10.0.11.0", False),
    ("10.0.10.14/24", "10.0.10.15/30", True),        # b's mask is not b's business
    ("10.0.10.14/24", IPv4Interface("10.0.20.24/24"), False),
    ("192.168.12.1/30", "192.168.12.2", True),
    ("192.168.12.1/30", "192.168.12.4", False),
])
def test_same_subnet_uses_the_mask_of_the_first_address(a, b, expected):
    assert kp.same_subnet(a, b) is expected


def test_same_subnet_is_not_symmetric_when_masks_differ():
    # pc3's wrong /16 mask: it thinks srv1 is a neighbour; srv1 does not think so.
    assert kp.same_subnet("10.1.1.30/16", "10.1.2.10")
    assert not kp.same_subnet("10.1.2.10/24", "10.1.1.30")


def test_same_subnet_needs_the_mask_of_the_first_address():
    with pytest.raises(AddressError, match="has no subnet mask"):
        kp.same_subnet("10.0.10.14", "10.0.10.15")


def test_to_binary():
    assert kp.to_binary("10.0.10.14") == "00001010.00000000.00001010.00001110"
    assert kp.to_binary("10.0.10.14", dots=False) == "00001010000000000000101000001110"
    assert kp.to_binary(IPv4Interface("10.0.10.14/24")) == kp.to_binary("10.0.10.14")
    assert kp.to_binary("10.0.10.14/24") == kp.to_binary("10.0.10.14")
    assert kp.to_binary(kp.parse_network("10.0.10.0/24").netmask) == (
        "11111111.11111111.11111111.00000000")
    assert kp.to_binary("255.255.255.255", dots=False) == "1" * 32


def test_to_binary_rejects_garbage():
    with pytest.raises(AddressError):
        kp.to_binary("10.0.10")
