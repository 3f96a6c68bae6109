"""The Linux kernel as referee: fixtures that build kpath networks in network namespaces.

Everything here needs root and iproute2. Where namespaces cannot be made (no
root, no ``ip``, a container that forbids ``ip netns add``) the test module skips
itself with one reason (:func:`netlab.unavailable`) and these hooks do nothing.
Every namespace made by a run starts with :data:`netlab.RUN_PREFIX`; each lab
deletes its own when done, and the end of the session deletes any that are left,
even after failures.

Tests are run topology by topology (:func:`pytest_collection_modifyitems`), so that
the pings and the traceroutes of one network share one lab.
"""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator

import pytest

import kpath_nb as kp
from netlab import RUN_PREFIX, Lab, delete_namespaces, namespaces_with_prefix, unavailable

COUNTS = pytest.StashKey[Counter]()
_OWN_LABS = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[COUNTS] = Counter()


def _topology(item: pytest.Item) -> str | None:
    """The topology a test uses (its ``key`` parameter), if any."""
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("key") if callspec is not None else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group this directory's tests by topology, in the order each topology first appears;
    tests without a topology come after, in their own order."""
    here = Path(__file__).parent
    ours = [item for item in items if here in item.path.parents]
    first: dict[str | None, int] = {}
    for index, item in enumerate(ours):
        first.setdefault(_topology(item), index)
    first[None] = len(ours)
    ordered = iter(sorted(ours, key=lambda item: first[_topology(item)]))
    items[:] = [next(ordered) if here in item.path.parents else item for item in items]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Last line of defence: no namespace of this run outlives it."""
    if unavailable() is None:
        delete_namespaces(namespaces_with_prefix(RUN_PREFIX))


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    counts = config.stash.get(COUNTS, Counter())
    if counts:
        terminalreporter.write_line(
            f"kernel referee: {counts['topologies']} topologies, {counts['pairs']} endpoint "
            f"pairs compared, {counts['vxlan']} VXLAN checks")
    if counts["traceroutes"]:
        terminalreporter.write_line(
            f"kernel referee: traceroute: {counts['traceroutes']} traceroutes, "
            f"{counts['probes']} probes compared, {counts['icmp errors']} ICMP errors compared")


@pytest.fixture(scope="session")
def counts(pytestconfig: pytest.Config) -> Counter:
    """What the referee compared, for the summary line."""
    return pytestconfig.stash[COUNTS]


ROUTE_ERROR_COST = Path("/proc/sys/net/ipv4/route/error_cost")


@pytest.fixture(scope="session")
def route_errors_unlimited() -> Iterator[None]:
    """Every "no route" error is sent, for as long as the session runs.

    A router answers a packet it has no route for (net unreachable) from ``ip_error``,
    which keeps its own bucket per source address: ``net.ipv4.route.error_cost`` (1 s) per
    error, five at once. The bucket is shared with the ICMP rate limit, which
    ``icmp_ratelimit=0`` empties at every time exceeded, so after a traceroute through a
    loop the next "no route" error to the same sender would wait a second. These settings
    exist once for the whole machine, not per namespace: the old value comes back at the
    end of the session.
    """
    try:
        old = ROUTE_ERROR_COST.read_text().strip()
        ROUTE_ERROR_COST.write_text("0")
    except OSError as error:
        pytest.skip(f"cannot lift the route error rate limit ({ROUTE_ERROR_COST}): {error}")
    try:
        yield
    finally:
        ROUTE_ERROR_COST.write_text(old)


@pytest.fixture(scope="session", autouse=True)
def _sweep_namespaces() -> Iterator[None]:
    yield
    delete_namespaces(namespaces_with_prefix(RUN_PREFIX))


class Labs:
    """Keeps the lab of one topology alive while its endpoint pairs run, then the next.

    Tests of one topology come one after another, so each topology is built once.
    """

    def __init__(self, counts: Counter) -> None:
        self.counts = counts
        self.key: str | None = None
        self.lab: Lab | None = None
        self.made = 0

    def get(self, key: str, make: Callable[[], kp.Topology]) -> Lab:
        """The running lab for ``key``, building it (and tearing down the last) if needed."""
        if key != self.key:
            self.close()
            self.made += 1
            self.key, self.lab = key, Lab(make(), f"{RUN_PREFIX}{self.made}-")
            self.lab.build()
            self.counts["topologies"] += 1
        return self.lab

    def close(self) -> None:
        if self.lab is not None:
            self.key, lab, self.lab = None, self.lab, None
            lab.teardown()


@pytest.fixture(scope="session")
def labs(counts: Counter) -> Iterator[Labs]:
    """One topology at a time in namespaces; deleted at the end even when tests fail."""
    keeper = Labs(counts)
    try:
        yield keeper
    finally:
        keeper.close()


@pytest.fixture
def lab_prefix() -> Iterator[str]:
    """A fresh namespace prefix for a test that builds its own lab; swept afterwards."""
    prefix = f"{RUN_PREFIX}t{next(_OWN_LABS)}-"
    yield prefix
    delete_namespaces(namespaces_with_prefix(prefix))
