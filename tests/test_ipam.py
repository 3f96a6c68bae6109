"""IPAM: pod CIDRs carved out of the cluster pool, and addresses handed out inside one."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

import pytest

from kpath_nb import AddressError, IpamError, IpamExhaustedError, KpathError
from kpath_nb.ipam import (CLUSTER_POOL_DEFAULT, MASK_SIZE_DEFAULT, NodeAllocator,
                           PodCidrAllocator)


def net(text: str) -> IPv4Network:
    return IPv4Network(text)


# -- PodCidrAllocator ---------------------------------------------------------------------

def test_defaults_are_ciliums_helm_defaults():
    assert CLUSTER_POOL_DEFAULT == ("10.0.0.0/8",)
    assert MASK_SIZE_DEFAULT == 24


def test_nodes_get_sequential_24s_from_the_default_pool():
    cidrs = PodCidrAllocator(CLUSTER_POOL_DEFAULT, MASK_SIZE_DEFAULT)
    got = [cidrs.assign(f"node-{i}") for i in range(4)]
    assert got == [net(f"10.0.{i}.0/24") for i in range(4)]
    assert cidrs.assigned == {f"node-{i}": net(f"10.0.{i}.0/24") for i in range(4)}
    assert cidrs.owner(net("10.0.2.0/24")) == "node-2"
    assert cidrs.owner(net("10.0.9.0/24")) is None
    assert cidrs.capacity() == 2 ** 16


def test_assigning_the_same_node_twice_returns_its_cidr():
    cidrs = PodCidrAllocator(["10.0.0.0/8"], 24)
    first = cidrs.assign("a")
    assert cidrs.assign("a") == first
    assert cidrs.assign("b") == net("10.0.1.0/24")


def test_a_pinned_cidr_is_honoured_and_skipped_by_later_nodes():
    cidrs = PodCidrAllocator(["10.0.0.0/8"], 24)
    assert cidrs.assign("blue", "10.0.0.0/24") == net("10.0.0.0/24")
    assert cidrs.assign("green", net("10.0.20.0/24")) == net("10.0.20.0/24")
    assert cidrs.assign("other") == net("10.0.1.0/24")


@pytest.mark.parametrize("pinned, words", [
    ("11.0.0.0/24", ["11.0.0.0/24", "/24 inside the pool", "10.0.0.0/8"]),
    ("10.0.5.0/25", ["10.0.5.0/25", "/24 inside the pool"]),
    ("10.0.0.0/16", ["10.0.0.0/16", "/24 inside the pool"]),
])
def test_a_pinned_cidr_outside_the_pool_or_of_the_wrong_size_is_refused(pinned, words):
    cidrs = PodCidrAllocator(["10.0.0.0/8"], 24)
    with pytest.raises(IpamError) as err:
        cidrs.assign("z", pinned)
    for word in words:
        assert word in str(err.value)
    assert "z" not in cidrs.assigned


def test_a_pinned_cidr_already_taken_names_its_owner():
    cidrs = PodCidrAllocator(["10.0.0.0/8"], 24)
    cidrs.assign("blue", "10.0.10.0/24")
    with pytest.raises(IpamError, match=r"10\.0\.10\.0/24 for green is already blue's"):
        cidrs.assign("green", "10.0.10.0/24")


def test_a_pinned_cidr_with_host_bits_is_an_address_error():
    cidrs = PodCidrAllocator(["10.0.0.0/8"], 24)
    with pytest.raises(AddressError, match="host bits"):
        cidrs.assign("z", "10.0.5.7/24")


def test_overlapping_pools_are_refused():
    with pytest.raises(IpamError, match=r"10\.0\.0\.0/8 and 10\.1\.0\.0/16 overlap"):
        PodCidrAllocator(["10.0.0.0/8", "10.1.0.0/16"], 24)


@pytest.mark.parametrize("pool, mask", [("10.0.0.0/24", 16), ("10.0.0.0/24", 31),
                                        ("10.0.0.0/8", 32)])
def test_a_mask_that_does_not_fit_the_pool_is_refused(pool, mask):
    with pytest.raises(IpamError) as err:
        PodCidrAllocator([pool], mask)
    assert f"/{mask}" in str(err.value) and pool in str(err.value)
    assert "between" in str(err.value)


def test_an_empty_pool_is_refused():
    with pytest.raises(IpamError, match="empty"):
        PodCidrAllocator([], 24)


def test_a_small_pool_is_exhausted_with_a_clear_message():
    cidrs = PodCidrAllocator(["10.10.0.0/23"], 24)
    assert cidrs.capacity() == 2
    assert cidrs.assign("a") == net("10.10.0.0/24")
    assert cidrs.assign("b") == net("10.10.1.0/24")
    with pytest.raises(IpamExhaustedError) as err:
        cidrs.assign("c")
    text = str(err.value)
    assert "no free /24" in text and "10.10.0.0/23" in text and "node c" in text
    assert "add a CIDR to the pool" in text
    assert isinstance(err.value, IpamError) and isinstance(err.value, KpathError)
    assert "c" not in cidrs.assigned


def test_a_released_cidr_is_handed_out_again():
    cidrs = PodCidrAllocator(["10.10.0.0/23"], 24)
    cidrs.assign("a")
    cidrs.assign("b")
    cidrs.release("a")
    assert cidrs.owner(net("10.10.0.0/24")) is None
    assert cidrs.assign("c") == net("10.10.0.0/24")


def test_a_second_pool_is_used_when_the_first_is_full():
    cidrs = PodCidrAllocator(["10.10.0.0/24", "10.20.0.0/24"], 25)
    got = [cidrs.assign(n) for n in "abcd"]
    assert got == [net("10.10.0.0/25"), net("10.10.0.128/25"),
                   net("10.20.0.0/25"), net("10.20.0.128/25")]
    with pytest.raises(IpamExhaustedError):
        cidrs.assign("e")


# -- NodeAllocator ------------------------------------------------------------------------

def test_never_hands_out_the_network_or_broadcast_address():
    alloc = NodeAllocator(net("10.0.0.0/28"), seed="s")
    ips = {alloc.allocate(f"p{i}") for i in range(14)}
    assert len(ips) == 14
    assert ips == {IPv4Address("10.0.0.0") + i for i in range(1, 15)}
    assert alloc.size == 14


def test_a_full_28_is_exhausted_with_a_clear_message():
    alloc = NodeAllocator(net("10.0.0.0/28"), seed="s")
    for i in range(14):
        alloc.allocate(f"p{i}")
    with pytest.raises(IpamExhaustedError) as err:
        alloc.allocate("one-too-many")
    text = str(err.value)
    assert "10.0.0.0/28 is full" in text and "14" in text and "one-too-many" in text
    assert alloc.status() == "IPv4: 14/14 allocated from 10.0.0.0/28"


def test_random_scan_is_reproducible_for_a_seed_and_differs_for_another():
    def first_five(seed):
        alloc = NodeAllocator(net("10.0.0.0/24"), seed=seed)
        return [alloc.allocate(f"p{i}") for i in range(5)]

    assert first_five("s") == first_five("s")
    assert first_five("s") != first_five("t")


def test_random_scan_does_not_hand_out_addresses_in_order():
    alloc = NodeAllocator(net("10.0.0.0/24"), seed="s")
    ips = [alloc.allocate(f"p{i}") for i in range(5)]
    assert ips != [IPv4Address("10.0.0.1") + i for i in range(5)]


def test_release_then_reallocate():
    alloc = NodeAllocator(net("10.0.0.0/30"), seed="s")  # two usable addresses
    a, b = alloc.allocate("a"), alloc.allocate("b")
    assert {a, b} == {IPv4Address("10.0.0.1"), IPv4Address("10.0.0.2")}
    alloc.release(a)
    assert alloc.status() == "IPv4: 1/2 allocated from 10.0.0.0/30"
    assert alloc.allocate("c") == a
    assert dict(alloc.allocations())[a] == "c"


def test_pinned_address_is_honoured():
    alloc = NodeAllocator(net("10.0.10.0/24"), seed="s")
    assert alloc.allocate("router", "10.0.10.11") == IPv4Address("10.0.10.11")
    assert alloc.allocations() == [(IPv4Address("10.0.10.11"), "router")]


@pytest.mark.parametrize("pinned", ["10.0.0.0", "10.0.0.15", "10.0.1.1"])
def test_pinned_address_must_be_usable_in_the_cidr(pinned):
    alloc = NodeAllocator(net("10.0.0.0/28"), seed="s")
    with pytest.raises(IpamError, match=rf"{pinned} for x is not a usable address of "
                                        r"10\.0\.0\.0/28"):
        alloc.allocate("x", pinned)
    assert alloc.allocations() == []


def test_pinned_address_already_taken_names_the_owner():
    alloc = NodeAllocator(net("10.0.0.0/28"), seed="s")
    alloc.allocate("default/a", "10.0.0.5")
    with pytest.raises(IpamError, match=r"10\.0\.0\.5 for default/b is already allocated to "
                                        r"default/a"):
        alloc.allocate("default/b", "10.0.0.5")


def test_status_and_allocations_read_like_cilium_dbg_status():
    alloc = NodeAllocator(net("10.18.64.0/24"), seed="s")
    assert alloc.status() == "IPv4: 0/254 allocated from 10.18.64.0/24"
    alloc.allocate("router", "10.18.64.178")
    alloc.allocate("health", "10.18.64.4")
    alloc.allocate("kube-system/coredns", "10.18.64.11")
    assert alloc.status() == "IPv4: 3/254 allocated from 10.18.64.0/24"
    assert alloc.allocations() == [(IPv4Address("10.18.64.4"), "health"),
                                   (IPv4Address("10.18.64.11"), "kube-system/coredns"),
                                   (IPv4Address("10.18.64.178"), "router")]
