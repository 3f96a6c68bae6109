"""Build a kpath :class:`~kpath_nb.topology.Topology` out of Linux network namespaces.

Every host and router gets a namespace of its own, every switch a namespace
holding a Linux bridge ``br0``, and every link a veth pair whose ends carry the
model's interface names and MAC addresses. Addresses, interface states and
static routes are the model's. Nothing is connected to the namespace the tests
run in: the veth pairs are created from a scratch namespace straight into the
node namespaces, and no namespace has a route out.

A few kernel settings make the comparison fair and fast, each one named where
it is set: IPv6 off (quiet captures), ARP giving up after 3 probes 100 ms apart
(with room to queue every packet that waits for it), no ICMP redirects (the model
has none, and a redirect would reroute the next test's ping), no ICMP rate limits,
neither per destination nor for the whole namespace (every error comes back,
however many tests ask, in whatever order), spanning tree and forwarding delay
off on the bridges.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import struct
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from pathlib import Path

import kpath_nb as kp

__all__ = ["Lab", "NetnsError", "RUN_PREFIX", "unavailable", "run", "namespaces_with_prefix",
           "delete_namespaces", "ipv4_frames"]

RUN_PREFIX = f"kp{os.getpid()}-"
"""Starts the name of every namespace this process creates, and of no other."""

COMMAND_TIMEOUT = 20
"""Seconds any one ``ip``/``bridge``/``sh`` command may take before the lab gives up."""

READY_TIMEOUT = 5.0
"""Seconds to wait for every link to come up and every bridge port to forward."""

ARP_RETRANS_MS = 100
ARP_PROBES = 3

ARP_QUEUE_BYTES = 16 << 20
"""Room for packets waiting for one ARP answer (``unres_qlen_bytes``, ~200 kB by default,
about 160 small packets): so large that traceroutes sending hundreds of probes at once
towards an address nobody holds each get their host unreachable, none pushed out unseen."""

ICMP_MSGS_PER_SEC = 100_000
"""The namespace's token bucket for all ICMP errors it sends (``icmp_msgs_per_sec`` and
``icmp_msgs_burst``, 1000 and 50 by default): so high that no error is ever held back."""

_RESOLVED = {"REACHABLE", "STALE", "DELAY", "PROBE", "PERMANENT"}
"""Neighbour states that carry a MAC address (FAILED and INCOMPLETE do not)."""


def ipv4_frames(pcap: Path) -> Iterator[bytes]:
    """The IPv4 packets (Ethernet header taken off) of a classic pcap file, in order;
    nothing while the capture has not created the file, and no frame still being written."""
    data = pcap.read_bytes() if pcap.exists() else b""
    order = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    offset = 24
    while offset + 16 <= len(data):
        caplen = struct.unpack(order + "I", data[offset + 8:offset + 12])[0]
        if offset + 16 + caplen > len(data):  # still being written
            return
        frame = data[offset + 16:offset + 16 + caplen]
        offset += 16 + caplen
        if frame[12:14] == b"\x08\x00":
            yield frame[14:]


class NetnsError(RuntimeError):
    """A command that builds or inspects the lab failed."""


def run(args: list[str], *, input: str | None = None, check: bool = True,
        timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess:
    """Run one command, capturing text output; raise :class:`NetnsError` when it fails."""
    result = subprocess.run(args, input=input, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        shown = " ".join(args) + (f" <<< {input.strip()[:2000]}" if input else "")
        raise NetnsError(f"{shown}\nexit {result.returncode}: {result.stderr.strip()}")
    return result


@functools.cache
def unavailable() -> str | None:
    """Why network namespaces cannot be used here (one line), or None when they can."""
    if os.geteuid() != 0:
        return "kernel referee skipped: creating network namespaces needs root"
    missing = [tool for tool in ("ip", "ping") if shutil.which(tool) is None]
    if missing:
        return (f"kernel referee skipped: {' and '.join(missing)} not installed "
                f"(Debian: apt-get install iproute2 iputils-ping)")
    probe = f"{RUN_PREFIX}probe"
    made = run(["ip", "netns", "add", probe], check=False)
    if made.returncode != 0:
        return f"kernel referee skipped: 'ip netns add' fails here: {made.stderr.strip()}"
    run(["ip", "netns", "del", probe], check=False)
    return None


def namespaces_with_prefix(prefix: str) -> list[str]:
    """Names of the network namespaces that start with ``prefix``."""
    listed = run(["ip", "-j", "netns", "list"], check=False)
    if listed.returncode != 0 or not listed.stdout.strip():
        return []
    return [entry["name"] for entry in json.loads(listed.stdout)
            if entry["name"].startswith(prefix)]


def delete_namespaces(names: list[str]) -> None:
    """Delete these namespaces (their interfaces go with them); missing ones are fine."""
    if names:
        run(["ip", "-force", "-batch", "-"], input="".join(f"netns del {n}\n" for n in names),
            check=False)


@dataclass
class Lab:
    """A topology running in namespaces named ``<prefix><node>``.

    Parameters
    ----------
    net : Topology
        What to build; it is read, never changed.
    prefix : str
        Starts every namespace name; unique to the test run and the topology.
    """

    net: kp.Topology
    prefix: str
    macs: dict[str, tuple[str, str]] = field(default_factory=dict)
    """MAC address (lower case) -> (node, interface), for reading neighbour tables."""

    @property
    def scratch(self) -> str:
        """The namespace the veth pairs are created from, so none can land in ours."""
        return f"{self.prefix}-scratch"

    def ns(self, node: str) -> str:
        """The namespace of a node."""
        return f"{self.prefix}{node}"

    def namespaces(self) -> list[str]:
        """Every namespace this lab creates."""
        return [self.scratch] + [self.ns(n) for n in self.net.nodes]

    # -- building -------------------------------------------------------------------

    def build(self) -> "Lab":
        """Create the namespaces, links, bridges, addresses and routes; wait until ready."""
        run(["ip", "-batch", "-"], input="".join(f"netns add {n}\n" for n in self.namespaces()))
        run(["ip", "-n", self.scratch, "-batch", "-"], input="".join(self._link_commands()))
        for name, node in self.net.nodes.items():
            if isinstance(node, kp.Switch):
                self._configure_switch(node)
            else:
                self._configure_endpoint(node)
        for node in self.net.nodes.values():
            for iface in node.interfaces.values():
                self.macs[str(iface.mac).lower()] = (node.name, iface.name)
        self._wait_until_ready()
        return self

    def teardown(self) -> None:
        """Delete every namespace of this lab."""
        delete_namespaces(namespaces_with_prefix(self.prefix))

    def _link_commands(self) -> list[str]:
        commands = []
        linked: set[tuple[str, str]] = set()
        for link in self.net.links:
            (na, ia), (nb, ib) = link.a, link.b
            mac_a = self.net.nodes[na].interfaces[ia].mac
            mac_b = self.net.nodes[nb].interfaces[ib].mac
            commands.append(f"link add {ia} address {mac_a} netns {self.ns(na)} type veth "
                            f"peer name {ib} address {mac_b} netns {self.ns(nb)}\n")
            linked |= {link.a, link.b}
        for node in self.net.nodes.values():
            for iface in node.interfaces.values():
                if (node.name, iface.name) not in linked:
                    # An unplugged door: a veth whose far end stays down in the scratch
                    # namespace, so it never gets a carrier, like a NIC with no cable.
                    far = f"u{len(commands)}"
                    commands.append(f"link add {iface.name} address {iface.mac} netns "
                                    f"{self.ns(node.name)} type veth peer name {far}\n")
        return commands

    def _configure_endpoint(self, node: kp.Host) -> None:
        sysctls = [
            "net.ipv6.conf.all.disable_ipv6=1",
            "net.ipv6.conf.default.disable_ipv6=1",
            f"net.ipv4.ip_forward={int(node.forwards)}",
            "net.ipv4.conf.all.send_redirects=0",
            "net.ipv4.conf.all.accept_redirects=0",
            "net.ipv4.icmp_ratelimit=0",
            f"net.ipv4.icmp_msgs_per_sec={ICMP_MSGS_PER_SEC}",
            f"net.ipv4.icmp_msgs_burst={ICMP_MSGS_PER_SEC}",
        ]
        for iface in node.interfaces:
            sysctls += [f"net.ipv4.neigh.{iface}.retrans_time_ms={ARP_RETRANS_MS}",
                        f"net.ipv4.neigh.{iface}.mcast_solicit={ARP_PROBES}",
                        f"net.ipv4.neigh.{iface}.unres_qlen_bytes={ARP_QUEUE_BYTES}",
                        f"net.ipv4.conf.{iface}.send_redirects=0",
                        f"net.ipv4.conf.{iface}.accept_redirects=0"]
        commands = ["link set lo up\n"]
        for iface in node.interfaces.values():
            if iface.ip is not None:
                brd = " brd +" if iface.ip.network.prefixlen < 31 else ""
                commands.append(f"addr add {iface.ip}{brd} dev {iface.name}\n")
            if iface.up:
                commands.append(f"link set {iface.name} up\n")
        up = {name for name, iface in node.interfaces.items() if iface.up}
        commands += [f"route add {route}\n" for route in node.static_routes if route.dev in up]
        script = f"sysctl -q -w {' '.join(sysctls)} && ip -batch -"
        run(["ip", "netns", "exec", self.ns(node.name), "sh", "-c", script],
            input="".join(commands))

    def _configure_switch(self, switch: kp.Switch) -> None:
        sysctls = ["net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]
        commands = ["link add br0 type bridge stp_state 0 forward_delay 0\n"]
        for port, iface in switch.interfaces.items():
            sysctls.append(f"net.ipv6.conf.{port}.disable_ipv6=1")
            commands.append(f"link set {port} master br0\n")
            if iface.up:
                commands.append(f"link set {port} up\n")
        commands.append("link set br0 up\n")
        script = f"sysctl -q -w {' '.join(sysctls)} && ip -batch -"
        run(["ip", "netns", "exec", self.ns(switch.name), "sh", "-c", script],
            input="".join(commands))

    def _wait_until_ready(self) -> None:
        """Poll until every interface that should be up is up and every bridge port forwards."""
        waiting: dict[str, set[str]] = {}
        for node in self.net.nodes.values():
            wanted = set()
            for name, iface in node.interfaces.items():
                far = self.net.peer(node.name, name)
                far_up = far is not None and self.net.nodes[far[0]].interfaces[far[1]].up
                if iface.up and far_up:
                    wanted.add(name)
            if wanted:
                waiting[node.name] = wanted
        deadline = time.monotonic() + READY_TIMEOUT
        while waiting:
            script = "".join(
                f"echo '{_MARK}{node}'; ip -n {self.ns(node)} -br link show up; "
                + (f"bridge -n {self.ns(node)} link show; "
                   if isinstance(self.net.nodes[node], kp.Switch) else "")
                for node in waiting)
            out = run(["sh", "-c", script]).stdout
            ready = _ready_ports(out)
            waiting = {n: wanted - ready.get(n, set()) for n, wanted in waiting.items()
                       if wanted - ready.get(n, set())}
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise NetnsError(f"links not ready after {READY_TIMEOUT} s: {waiting}")
            time.sleep(0.02)

    # -- using ----------------------------------------------------------------------

    def exec(self, node: str, *args: str, timeout: float = COMMAND_TIMEOUT,
             check: bool = False) -> subprocess.CompletedProcess:
        """Run a command inside a node's namespace."""
        return run(["ip", "netns", "exec", self.ns(node), *args], timeout=timeout, check=check)

    def flush(self) -> None:
        """Forget every ARP entry and every learned bridge MAC, as if the lab were new."""
        script = "".join(
            f"bridge -n {self.ns(n)} fdb flush dev br0; " if isinstance(node, kp.Switch)
            else f"ip -n {self.ns(n)} neigh flush all; "
            for n, node in self.net.nodes.items())
        run(["sh", "-c", script])

    def neighbours(self) -> dict[str, dict[str, str]]:
        """Each host's and router's resolved ARP entries: node -> {ip: mac}."""
        nodes = [n for n in self.net.nodes if not isinstance(self.net.nodes[n], kp.Switch)]
        script = "".join(f"echo '{_MARK}{n}'; ip -n {self.ns(n)} -j -4 neigh show; " for n in nodes)
        out = run(["sh", "-c", script]).stdout
        tables: dict[str, dict[str, str]] = {}
        for name, text in _blocks(out).items():
            tables[name] = {
                e["dst"]: e["lladdr"].lower() for e in json.loads(text or "[]")
                if "lladdr" in e and _RESOLVED & set(e.get("state", []))}
        return tables

    def route_get(self, node: str, dst: IPv4Address, src: IPv4Address | None = None,
                  iif: str | None = None) -> dict | None:
        """What the kernel of ``node`` decides for ``dst``: ``ip -j route get`` as a dict,
        or None when it answers with an error (no route, martian source ...)."""
        args = ["ip", "-n", self.ns(node), "-j", "route", "get", str(dst)]
        if src is not None:
            args += ["from", str(src)]
        if iif is not None:
            args += ["iif", iif]
        result = run(args, check=False)
        if result.returncode != 0:
            return None
        routes = json.loads(result.stdout)
        return routes[0] if routes else None


_MARK = "### node "
"""Starts the line that names the node whose output follows, in multi-node scripts."""


def _blocks(out: str) -> dict[str, str]:
    """Split a multi-node script's output at the marker lines: node -> its output."""
    blocks: dict[str, str] = {}
    for chunk in out.split(_MARK)[1:]:
        name, _, text = chunk.partition("\n")
        blocks[name] = text
    return blocks


def _ready_ports(out: str) -> dict[str, set[str]]:
    """Parse the readiness script's output: node -> interfaces that are ready."""
    ready: dict[str, set[str]] = {}
    for name, text in _blocks(out).items():
        up: set[str] = set()
        blocked: set[str] = set()
        for line in text.splitlines():
            words = line.split()
            if not words:
                continue
            if words[0][0].isdigit():  # `bridge link`: "5: eth1@if4: <...> ... state forwarding"
                port = words[1].split("@")[0].rstrip(":")
                if "state" in words and words[words.index("state") + 1] != "forwarding":
                    blocked.add(port)
            elif len(words) > 1 and words[1] in ("UP", "UNKNOWN"):
                up.add(words[0].split("@")[0])
        ready[name] = up - blocked
    return ready
