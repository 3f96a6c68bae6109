"""Generated networks: a network said to work delivers between every pair of its hosts."""

from __future__ import annotations

import pytest

import kpath_nb as kp
from kpath_nb.generate import random_network

FAULTY = ("has no route back", "a routing loop", "has no default route")
WORKING = [seed for seed in range(300)
           if not any(fault in random_network(seed).description for fault in FAULTY)]


def test_most_networks_work() -> None:
    assert 60 <= len(WORKING) <= 200


@pytest.mark.parametrize("seed", WORKING)
def test_a_network_without_a_fault_delivers_between_all_hosts(seed: int) -> None:
    net = random_network(seed)
    hosts = sorted(net.hosts)
    failed = [(a, b, tr.cause) for a in hosts for b in hosts if a != b
              for tr in [kp.trace(net, a, b)] if tr.verdict != "delivered"]
    assert failed == [], net.description


def test_the_side_lan_is_reached_from_the_far_end() -> None:
    # Seed 11 has the side router rs behind r1 and four routers whose defaults point at each
    # other for anything not named: the side LAN needs its own route on every one of them.
    net = random_network(11)
    assert "rs" in net.routers
    assert kp.trace(net, "h2", "h4").verdict == "delivered"


def test_a_generated_cluster_leaves_the_young_generations_empty():
    """generate_cluster builds with the cyclic collector paused and collects once at the end,
    so the first traces do not pay for scanning the whole cluster."""
    import gc

    cl = kp.generate_cluster(nodes=20, pods_per_node=20, seed=1)
    assert len(cl.pods) == 400
    if gc.isenabled():
        assert len(gc.get_objects(0)) + len(gc.get_objects(1)) < 2000
