"""Run Linux ``traceroute`` inside a lab and read what came back: its lines and the ICMP errors.

:func:`run_traceroute` starts a capture (:data:`SNIFF`) on the sender's interfaces, runs
``traceroute -n`` (UDP probes) or ``traceroute -n -I`` (ICMP echo probes) from the sender's
namespace, and returns the printed lines as one :class:`KernelProbe` per probe together with
every ICMP error the sender received for one of its probes (:class:`KernelError`), matched to
the probe by the header the error quotes.

How traceroute numbers its probes (version 2.1): probe ``n`` (from 0, in the order of TTL then
query) of a UDP traceroute goes to port ``33434 + n``; of an ICMP traceroute it is the echo
request with sequence number ``n + 1``. The quoted header of an error therefore names the probe
it answers, whatever order the errors arrive in.
"""

from __future__ import annotations

import re
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from pathlib import Path

from netlab import Lab, ipv4_frames

__all__ = ["KernelProbe", "KernelError", "KernelTraceroute", "run_traceroute",
           "parse_traceroute", "read_icmp_errors", "traceroute_options", "UDP_BASE_PORT"]

SNIFF = Path(__file__).with_name("sniff.py")
"""The capture on the sender's interfaces (a packet socket; see its docstring for why not
tcpdump)."""

UDP_BASE_PORT = 33434
"""The destination port of a UDP traceroute's first probe."""

WAIT = 1.5
"""Seconds traceroute waits for each probe's answer (``-w``). The slowest answer that can
come is host unreachable after a failed ARP resolution: the lab gives ARP up after 3 probes
100 ms apart (``netlab.ARP_PROBES``, ``ARP_RETRANS_MS``), so about 0.3 s; 1.5 s leaves room on
a busy machine. A single value (no ``,here,near``) makes traceroute wait the whole time for
every probe instead of guessing a shorter wait from the round trip of other answers, so a
slow answer is never printed as ``*`` because a fast one came first."""


QUERIES = 3
"""Probes per TTL (``-q``), traceroute's and ``kp.traceroute``'s default."""

TRACEROUTE_TIMEOUT = 60
"""Seconds one traceroute may take before the lab gives up (30 lines of stars take ~6 s)."""


def traceroute_options(method: str, max_ttl: int) -> list[str]:
    """The command line (after ``traceroute``) for a method, ``"udp"`` or ``"icmp"``."""
    # -N: every probe goes out at once, so a run waits WAIT once, however many lines are
    # stars. Safe because nothing in the lab depends on order: no ICMP rate limits (per
    # destination, per namespace, and the route error bucket, see conftest.py), so each
    # probe gets its answer whatever the others do, and an ARP queue long enough for all
    # the probes that wait on one resolution (netlab.ARP_QUEUE_BYTES).
    options = ["-n", "-q", str(QUERIES), "-N", str(max_ttl * QUERIES), "-w", str(WAIT),
               "-m", str(max_ttl)]
    return options + (["-I"] if method == "icmp" else [])


@dataclass(frozen=True)
class KernelProbe:
    """One probe as traceroute printed it: its TTL line, its place in the line (from 1), who
    answered (None for ``*``) and the marker after the time (``""``, ``"!N"``, ``"!H"`` ...)."""

    ttl: int
    probe: int
    address: str | None
    marker: str


@dataclass(frozen=True)
class KernelError:
    """An ICMP error the sender received about one of its probes."""

    ttl: int
    probe: int
    type: int
    code: int
    sender: str
    quoted_ttl: int
    """The TTL in the quoted header: the probe's TTL as it arrived where it failed."""


@dataclass
class KernelTraceroute:
    """What one traceroute printed and what the capture on the sender saw."""

    command: str
    exit_code: int
    output: str
    probes: list[KernelProbe]
    errors: dict[tuple[int, int], KernelError] = field(default_factory=dict)
    frames: int = 0
    """ICMP errors the capture received on the sender's interfaces, about any packet."""


_LINE = re.compile(r"^\s*(\d+)\s+(.*)$")
_ADDRESS = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


def parse_traceroute(output: str) -> list[KernelProbe]:
    """The probes of ``traceroute -n`` output, line by line.

    >>> text = ("traceroute to 10.9.9.9 (10.9.9.9), 30 hops max, 60 byte packets\\n"
    ...         " 1  10.1.2.1  0.3 ms  0.01 ms  0.01 ms\\n"
    ...         " 2  * 10.0.12.1  0.2 ms !N *\\n")
    >>> [(p.ttl, p.probe, p.address, p.marker) for p in parse_traceroute(text)][3:]
    [(2, 1, None, ''), (2, 2, '10.0.12.1', '!N'), (2, 3, None, '')]
    """
    probes: list[KernelProbe] = []
    for line in output.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        ttl, address = int(match.group(1)), None
        answers: list[list] = []
        for token in match.group(2).split():
            if token == "*":
                answers.append([None, ""])
            elif _ADDRESS.match(token):
                address = token
            elif token.startswith("!"):
                answers[-1][1] = token
            elif token != "ms":
                float(token)  # a round-trip time: anything else is a format we do not know
                answers.append([address, ""])
        probes += [KernelProbe(ttl, i, a, m) for i, (a, m) in enumerate(answers, start=1)]
    return probes


def read_icmp_errors(pcap: Path, sender: str, dst: str, method: str,
                     queries: int = QUERIES) -> dict[tuple[int, int], KernelError]:
    """The ICMP errors (type 3 or 11) in an Ethernet capture that quote one of this
    traceroute's probes, keyed by (TTL, probe in the line); the first one per probe."""
    errors: dict[tuple[int, int], KernelError] = {}
    for ip in ipv4_frames(pcap):
        ihl = (ip[0] & 0x0F) * 4
        icmp = ip[ihl:]
        if ip[9] != 1 or len(icmp) < 8 or icmp[0] not in (3, 11):
            continue
        quoted = icmp[8:]
        qihl = (quoted[0] & 0x0F) * 4
        inner = quoted[qihl:]
        if (str(IPv4Address(quoted[12:16])), str(IPv4Address(quoted[16:20]))) != (sender, dst):
            continue
        if method == "udp" and quoted[9] == 17:
            number = struct.unpack("!H", inner[2:4])[0] - UDP_BASE_PORT
        elif method == "icmp" and quoted[9] == 1 and inner[0] == 8:
            number = struct.unpack("!H", inner[6:8])[0] - 1
        else:
            continue
        key = (number // queries + 1, number % queries + 1)
        errors.setdefault(key, KernelError(*key, icmp[0], icmp[1], str(IPv4Address(ip[12:16])),
                                           quoted[8]))
    return errors


def run_traceroute(lab: Lab, src: str, dst: IPv4Address, method: str, max_ttl: int,
                   pcap: Path) -> KernelTraceroute:
    """Traceroute from ``src`` to ``dst``, capturing what ``src``'s interfaces receive.

    Without a route traceroute only says ``connect: Network is unreachable``, and nothing
    goes on the wire.
    """
    options = traceroute_options(method, max_ttl)
    command = f"traceroute {' '.join(options)} {dst}"
    route = lab.route_get(src, dst)
    sender = route.get("prefsrc", "") if route else ""
    capture = subprocess.Popen(
        ["ip", "netns", "exec", lab.ns(src), "timeout", str(TRACEROUTE_TIMEOUT + 10),
         sys.executable, str(SNIFF), str(pcap)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        banner = capture.stdout.readline()  # "listening": the capture has started
        if "listening" not in banner:
            raise RuntimeError(f"the capture did not start in {src}: {banner}")
        result = lab.exec(src, "traceroute", *options, str(dst), timeout=TRACEROUTE_TIMEOUT)
        probes = parse_traceroute(result.stdout)
        echo_reply = str(dst) if method == "icmp" else None  # an answer, not an error
        wanted = {(p.ttl, p.probe) for p in probes if p.address not in (None, sender, echo_reply)}
        deadline = time.monotonic() + 2
        while not wanted <= set(read_icmp_errors(pcap, sender, str(dst), method)) \
                and time.monotonic() < deadline:  # the capture may still be writing
            time.sleep(0.02)
    finally:
        capture.send_signal(signal.SIGTERM)
        capture.wait(timeout=10)
        capture.stdout.close()
    return KernelTraceroute(command, result.returncode, (result.stdout + result.stderr).strip(),
                            probes, read_icmp_errors(pcap, sender, str(dst), method),
                            count_frames(pcap))


def count_frames(pcap: Path) -> int:
    """How many frames a capture file holds."""
    data = pcap.read_bytes() if pcap.exists() else b""
    count, offset = 0, 24
    while offset + 16 <= len(data):
        offset += 16 + struct.unpack("<I", data[offset + 8:offset + 12])[0]
        count += offset <= len(data)
    return count
