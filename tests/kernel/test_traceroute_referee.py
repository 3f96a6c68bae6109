"""The Linux kernel referees ``kp.traceroute`` and the ICMP errors the tracer sends back.

For every shipped network without Kubernetes and the same 50 random ones as the ping
referee (``test_referee.py``), a few sources trace towards chosen destinations: other hosts
and routers, an address nobody holds in each LAN (host unreachable after ARP gives up) and
an address that exists nowhere (net unreachable, or a loop). Each runs twice in the kernel,
``traceroute -n`` (UDP probes to closed ports) and ``traceroute -n -I`` (echo requests),
with a capture on the sender's interfaces, and twice in kpath, and these must match:

* every line, probe by probe: the address that answered (``*`` where nothing came back) and
  the marker (``!N``, ``!H``, none); times are not compared;
* every ICMP error the tracer's error leg says reaches the sender: its type, code and
  source address, as the capture saw it come back (matched to its probe by the quoted header);
  and no error where the tracer says none comes back.

The destinations are chosen like the ping referee's pairs: grouped by what the tracer
predicts, one from each group in turn, in an order fixed by the network's name.
"""

from __future__ import annotations

import itertools
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from ipaddress import IPv4Address
from pathlib import Path
from random import Random

import pytest

import kpath_nb as kp
from kernel_traceroute import KernelTraceroute, run_traceroute
from netlab import Lab, unavailable
from test_referee import RANDOM_SEEDS, TRADITIONAL, network

if unavailable() is not None:
    pytest.skip(unavailable(), allow_module_level=True)
if shutil.which("traceroute") is None:
    pytest.skip("traceroute is not installed (Debian: apt-get install traceroute)",
                allow_module_level=True)

MAX_DESTINATIONS = {"shipped": 12, "random": 8}
"""Traced (source, destination) pairs per network, each with both methods."""

METHODS = ("udp", "icmp")

NOWHERE = "203.0.113.9"
"""An address no network here holds or routes to (TEST-NET-3, kept for documentation)."""

PARALLEL = 24
"""Traceroutes of one network run at once (all of them): each has its own capture and picks
its own errors out by the quoted header, and no answer depends on another probe (see
``kernel_traceroute.traceroute_options``)."""


def max_ttl(net: kp.Topology) -> int:
    """Enough lines to cross every router and reach the far end, and to see a loop go round."""
    return len(net.routers) + 2


def unused_addresses(net: kp.Topology) -> list[str]:
    """An address nobody holds in each LAN and in each network a static route leads to
    (the highest one free): host unreachable after ARP, a loop, or a route that ends."""
    networks = {switch.subnet for switch in net.switches.values() if switch.subnet is not None}
    networks |= {route.network for node in net.endpoints.values()
                 for route in node.static_routes if 0 < route.network.prefixlen < 31}
    found = []
    for subnet in sorted(networks):
        ip = subnet.broadcast_address - 1
        while ip > subnet.network_address and net.owner(ip) is not None:
            ip -= 1
        if ip > subnet.network_address:
            found.append(str(ip))
    return found


def choose_destinations(key: str, net: kp.Topology) -> list[tuple[str, str]]:
    """Up to MAX_DESTINATIONS (source, destination) pairs, every kind of outcome first:
    hosts and routers taken in turn with unused addresses, long paths before short ones."""
    targets = list(net.endpoints) + unused_addresses(net) + [NOWHERE]
    groups: dict[tuple, list[tuple[str, str]]] = {}
    for src in net.endpoints:
        for dst in targets:
            if dst == src:
                continue
            tr = kp.trace(net, src, dst)
            kind = (dst not in net.endpoints, -len(tr.routers_crossed()), tr.verdict,
                    tr.cause or "")
            groups.setdefault(kind, []).append((src, dst))
    rng = Random(f"traceroute {key}")
    kinds = sorted(groups)
    nodes, addresses = [k for k in kinds if not k[0]], [k for k in kinds if k[0]]
    alternating = [k for pair in itertools.zip_longest(nodes, addresses) for k in pair if k]
    queues = [rng.sample(groups[k], len(groups[k])) for k in alternating]
    most = MAX_DESTINATIONS["random" if key.startswith("random-") else "shipped"]
    chosen: list[tuple[str, str]] = []
    while len(chosen) < most and any(queues):
        for queue in queues:
            if queue and len(chosen) < most:
                chosen.append(queue.pop())
    return sorted(chosen)


def _cases() -> list:
    cases = []
    for key in TRADITIONAL + [f"random-{seed}" for seed in RANDOM_SEEDS]:
        for src, dst in choose_destinations(key, network(key)):
            cases.append(pytest.param(key, src, dst, id=f"{key}:{src}->{dst}"))
    return cases


def destination_ip(net: kp.Topology, dst: str) -> IPv4Address:
    return net.resolve(dst)[1] if dst in net.endpoints else IPv4Address(dst)


class KernelRuns:
    """The kernel's traceroutes of one network, all run (in parallel) when the first is asked."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.key: str | None = None
        self.results: dict[tuple[str, str, str], KernelTraceroute] = {}

    def get(self, lab: Lab, key: str, src: str, dst: str, method: str) -> KernelTraceroute:
        if key != self.key:
            self.key = key
            self.results = self._run_all(lab, key)
        return self.results[src, dst, method]

    def _run_all(self, lab: Lab, key: str) -> dict[tuple[str, str, str], KernelTraceroute]:
        net = lab.net
        jobs = [(src, dst, method) for src, dst in choose_destinations(key, net)
                for method in METHODS]
        lab.flush()
        with ThreadPoolExecutor(PARALLEL) as pool:
            done = pool.map(lambda job: run_traceroute(
                lab, job[0], destination_ip(net, job[1]), job[2], max_ttl(net),
                self.tmp / f"{key}-{'-'.join(job)}.pcap"), jobs)
            return dict(zip(jobs, done))


@pytest.fixture(scope="session")
def kernel_runs(tmp_path_factory: pytest.TempPathFactory) -> KernelRuns:
    return KernelRuns(tmp_path_factory.mktemp("traceroute"))


# -- what kpath says --------------------------------------------------------------------------

def tracer_probes(result: kp.Traceroute) -> list[tuple[int, int, str | None, str]]:
    """kpath's probes as (TTL, probe, address or None, marker)."""
    return [(p.ttl, p.probe, p.address, p.marker) for p in result.probes]


def tracer_errors(result: kp.Traceroute, sender: str) -> dict[tuple[int, int], kp.IcmpError]:
    """The ICMP error each probe's trace sends to ``sender`` (the address the probes left
    from), keyed by (TTL, probe). An error about the destination's answer goes to the
    destination, where the capture on the sender cannot see it; it is left out."""
    return {(p.ttl, p.probe): p.trace.icmp_error for p in result.probes
            if p.trace.icmp_error is not None and p.trace.icmp_error.to == sender}


# -- the comparison ---------------------------------------------------------------------------

def disagreements(result: kp.Traceroute, kernel: KernelTraceroute,
                  sender: str) -> tuple[list[str], int]:
    """Every way the kernel and kpath differ, in words, and how many errors were compared.
    ``sender`` is the address the kernel sent the probes from."""
    problems = []
    ours = tracer_probes(result)
    theirs = [(p.ttl, p.probe, p.address, p.marker) for p in kernel.probes]
    if ours != theirs:
        problems.append("lines differ:\n    kernel " + "\n           ".join(map(str, theirs))
                        + "\n    kpath  " + "\n           ".join(map(str, ours)))
    unreachable = "connect: Network is unreachable"
    if (unreachable in kernel.output) != (result.error == unreachable):
        problems.append(f"no route at the sender: kernel exit {kernel.exit_code}, "
                        f"kpath error {result.error!r}")
    predicted = tracer_errors(result, sender)
    compared = 0
    for probe in sorted({(ttl, number) for ttl, number, _, _ in theirs}):
        error = predicted.get(probe)
        seen = kernel.errors.get(probe)
        if error is not None and error.local:
            error = None  # the sender's own ARP failed: reported to traceroute, not sent
        expected = (error.type, error.code, error.address) if error and error.reached else None
        got = (seen.type, seen.code, seen.sender) if seen is not None else None
        if expected is None and got is None:
            continue
        compared += 1
        if expected != got:
            problems.append(f"ICMP error for TTL {probe[0]} probe {probe[1]}: the capture on the "
                            f"sender saw {got} (type, code, source), the tracer says {error}")
    return problems, compared


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("key, src, dst", _cases())
def test_traceroute_agrees_with_kernel(labs, kernel_runs: KernelRuns, route_errors_unlimited,
                                       counts: Counter, key: str, src: str, dst: str,
                                       method: str) -> None:
    lab = labs.get(key, lambda: network(key))
    net = lab.net
    kernel = kernel_runs.get(lab, key, src, dst, method)
    result = kp.traceroute(net, src, dst, method=method, max_ttl=max_ttl(net))
    route = lab.route_get(src, destination_ip(net, dst))
    problems, compared = disagreements(result, kernel, route.get("prefsrc", "") if route else "")
    counts["traceroutes"] += 1
    counts["probes"] += len(kernel.probes)
    counts["icmp errors"] += compared
    assert not problems, (
        f"kernel and kp.traceroute disagree on {key} {src} -> {dst} ({method}):\n  "
        + "\n  ".join(problems) + f"\n$ {kernel.command}\n{kernel.output}\n"
        f"({kernel.frames} ICMP errors captured on the sender, about any packet)\nkpath:\n{result}")
