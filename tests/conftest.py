"""Shared fixtures: fresh copies of the shipped topologies, one per test.

Every fixture loads the file again, so a test that learns (``learn=True``)
or brings an interface down cannot leak state into another test.
"""

from __future__ import annotations

import pytest

import kpath_nb as kp


@pytest.fixture
def seed() -> kp.Topology:
    """The article's two neighbourhoods joined by two gatekeepers."""
    return kp.load_topology("seed-neighborhoods")


@pytest.fixture
def office() -> kp.Topology:
    """The troubleshooting office with five things wrong."""
    return kp.load_topology("broken-office")


@pytest.fixture
def chain() -> kp.Topology:
    """Two hosts four routers apart."""
    return kp.load_topology("router-chain")


@pytest.fixture
def lpm() -> kp.Topology:
    """One router with three overlapping routes."""
    return kp.load_topology("longest-prefix")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print what the property tests counted (written after output capture has ended),
    and, in one line each, why a whole suite (browser, kernel referee) was skipped."""
    from strategies import SUMMARY_LINES

    for line in config.stash.get(SUMMARY_LINES, []):
        terminalreporter.write_line(line)
    reasons = {str(report.longrepr[-1]) for report in terminalreporter.stats.get("skipped", [])
               if isinstance(report.longrepr, tuple)}
    for reason in sorted(r for r in reasons if " skipped" in r and ("browser" in r
                                                                     or "kernel" in r)):
        terminalreporter.write_line(reason.removeprefix("Skipped: "))
