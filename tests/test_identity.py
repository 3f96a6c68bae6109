"""Security identities: one number per label set, reserved numbers below 256."""

from __future__ import annotations

import pytest

import kpath_nb as kp
from kpath_nb.identity import (MAX_ALLOCATED, MIN_ALLOCATED, RESERVED, Identity,
                               IdentityAllocator, reserved_name, security_labels)


def test_reserved_numbers_match_numericidentity_go():
    assert RESERVED["unknown"] == 0
    assert RESERVED["host"] == 1
    assert RESERVED["world"] == 2
    assert RESERVED["unmanaged"] == 3
    assert RESERVED["health"] == 4
    assert RESERVED["init"] == 5
    assert RESERVED["remote-node"] == 6
    assert RESERVED["kube-apiserver"] == 7
    assert RESERVED["ingress"] == 8
    assert (MIN_ALLOCATED, MAX_ALLOCATED) == (256, 65535)


def test_reserved_names_and_hubble_display():
    assert reserved_name(1) == "host" and reserved_name(6) == "remote-node"
    assert reserved_name(256) is None
    assert Identity(4, ("reserved:health",)).display == "health"
    assert Identity(300, ("k8s:app=web",)).display == "ID:300"
    ids = IdentityAllocator()
    assert ids.reserved("world") == Identity(2, ("reserved:world",))


def test_numbers_start_at_256_in_first_use_order():
    ids = IdentityAllocator()
    numbers = [ids.allocate({"app": a}).number for a in ("web", "db", "cache")]
    assert numbers == [256, 257, 258]


def test_same_labels_share_a_number_whatever_their_order():
    ids = IdentityAllocator()
    a = ids.allocate({"app": "web", "tier": "front"})
    b = ids.allocate({"tier": "front", "app": "web"})
    assert a is b and a.number == 256
    assert ids.allocate({"app": "db"}).number == 257
    assert ids.allocate({"app": "web", "tier": "front"}).number == 256


def test_namespace_is_part_of_the_identity():
    ids = IdentityAllocator()
    default = ids.allocate({"app": "web"}, namespace="default")
    other = ids.allocate({"app": "web"}, namespace="shop")
    assert default.number != other.number
    assert "k8s:io.kubernetes.pod.namespace=shop" in other.labels


def test_no_labels_still_has_the_namespace_label():
    assert security_labels(None) == ("k8s:io.kubernetes.pod.namespace=default",)
    ids = IdentityAllocator()
    assert ids.allocate(None).number == ids.allocate({}).number == 256


def test_identity_str_lists_its_labels():
    ident = IdentityAllocator().allocate({"app": "web"})
    assert str(ident) == "256 (k8s:app=web, k8s:io.kubernetes.pod.namespace=default)"


def test_running_out_of_numbers_is_an_error():
    ids = IdentityAllocator(next_number=MAX_ALLOCATED)
    assert ids.allocate({"app": "last"}).number == MAX_ALLOCATED
    with pytest.raises(kp.KpathError, match="65535"):
        ids.allocate({"app": "one-more"})


def test_seed_cluster_pods_share_identities_by_labels():
    cl = kp.load_topology("seed-cilium-buildings")
    pods = cl.pods
    assert pods["apartment-12"].identity.number == 256           # app=visitor
    assert pods["apartment-14"].identity.number == 257           # app=resident
    assert pods["apartment-22"].identity is pods["apartment-14"].identity


def test_a_new_label_set_in_a_cluster_gets_the_next_number():
    cl = kp.load_topology("seed-cilium-buildings")
    assert cl.add_pod("p", "building-green", {"app": "visitor"}).identity.number == 256
    assert cl.add_pod("q", "building-green", {"app": "new"}).identity.number == 258
    assert cl.add_pod("r", "building-blue", {"app": "visitor"},
                      namespace="other").identity.number == 259
