"""Loading topology files: by name or path, and every mistake reported with file, node and field."""

from __future__ import annotations

import os
import re

import pytest

import kpath_nb as kp
from kpath_nb import KpathError, TopologyError

SMALL = """\
name: small
description: >
  Two hosts
  on one switch.
nodes:
  sw: {kind: switch, subnet: 10.0.0.0/24, label: blue}
  h1:
    kind: host
    interfaces: {eth0: 10.0.0.1/24}
    gateway: 10.0.0.254
  h2:
    kind: host
    interfaces:
      eth0: {ip: 10.0.0.2/24, mac: "02:00:00:00:00:02", state: down}
  r1:
    kind: router
    interfaces: {eth0: 10.0.0.254/24, eth1: 10.0.1.254/24}
    routes: [10.9.0.0/16 via 10.0.1.1]
links:
  - endpoints: ["h1:eth0", "sw:eth1"]
  - endpoints: ["h2:eth0", "sw:eth2"]
  - endpoints: ["r1:eth0", "sw:eth3"]
"""


def parse_error(text: str, source: str = "small.yaml") -> TopologyError:
    with pytest.raises(TopologyError) as info:
        kp.parse_topology(text, source=source)
    assert info.value.source == source
    assert str(info.value).startswith(source)
    return info.value


# -- loading ----------------------------------------------------------------------------

def test_parse_builds_every_part():
    net = kp.parse_topology(SMALL, source="small.yaml")
    assert net.name == "small"
    assert net.description == "Two hosts on one switch."
    assert sorted(net.hosts) == ["h1", "h2"] and list(net.routers) == ["r1"]
    assert net.nodes["sw"].label == "blue"
    assert str(net.nodes["h2"].interfaces["eth0"].mac) == "02:00:00:00:00:02"
    assert not net.nodes["h2"].interfaces["eth0"].up
    assert [str(r) for r in net.nodes["h1"].static_routes] == ["default via 10.0.0.254 dev eth0"]
    assert [str(r) for r in net.nodes["r1"].static_routes] == ["10.9.0.0/16 via 10.0.1.1 dev eth1"]
    assert net.peer("r1", "eth0") == ("sw", "eth3")


def test_name_defaults_to_the_file_stem():
    net = kp.parse_topology("nodes: {h1: {kind: host, interfaces: {eth0: 10.0.0.1/24}}}",
                            source="tiny.yaml")
    assert net.name == "tiny" and net.description == ""


def test_load_by_name():
    net = kp.load_topology("seed-neighborhoods")
    assert net.name == "seed-neighborhoods"
    assert sorted(net.hosts) == ["house-12", "house-14", "house-15", "house-22", "house-24"]
    assert sorted(net.routers) == ["gatekeeper-11", "gatekeeper-21"]
    assert sorted(net.switches) == ["fountain-blue", "fountain-green"]


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_load_by_path(tmp_path, suffix):
    path = tmp_path / f"mine{suffix}"
    path.write_text(SMALL, encoding="utf-8")
    assert kp.load_topology(path).name == "small"
    assert kp.load_topology(str(path)).name == "small"


def test_errors_from_a_file_name_the_file_but_not_its_directory(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(SMALL.replace("10.0.0.254/24, eth1", "10.0.0.300/24, eth1"), encoding="utf-8")
    with pytest.raises(TopologyError) as info:
        kp.load_topology(path)
    assert str(info.value).startswith("broken.yaml, node 'r1', field 'interfaces.eth0.ip': ")
    assert str(tmp_path) not in str(info.value)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(KpathError) as info:
        kp.load_topology("atlantis")
    message = str(info.value)
    assert "no topology called 'atlantis'" in message
    for name in kp.available_topologies():
        assert name in message
    assert "or give a path to a .yaml file" in message


def test_missing_file_is_a_kpath_error(tmp_path):
    with pytest.raises(KpathError, match="cannot read topology file"):
        kp.load_topology(tmp_path / "nowhere.yaml")


def test_available_topologies_lists_the_shipped_files():
    names = kp.available_topologies()
    assert names == sorted(names)
    assert {"seed-neighborhoods", "two-hosts", "longest-prefix", "router-chain",
            "broken-office"} <= set(names)


@pytest.mark.parametrize("name", kp.available_topologies())
def test_every_shipped_topology_loads_and_is_consistent(name):
    loaded = kp.load_topology(name)
    assert loaded.name == name
    assert loaded.description, "every shipped topology explains itself"
    net = loaded.underlay if isinstance(loaded, kp.Cluster) else loaded
    assert net.endpoints and net.links
    for link in net.links:                     # the cable table agrees with itself
        assert net.peer(*link.a) == link.b and net.peer(*link.b) == link.a
    for node in net.endpoints.values():        # every address is findable
        for iface in node.interfaces.values():
            if iface.ip is not None:
                assert net.owner(iface.ip.ip) == (node.name, iface.name)


# -- broken files -----------------------------------------------------------------------

def test_broken_yaml_reports_line_and_column():
    error = parse_error("nodes:\n  h1: {kind: host\n  h2: {kind: host}\n")
    assert re.search(r"not valid YAML at line \d+, column \d+: ", str(error))


def test_broken_yaml_line_is_the_real_line():
    error = parse_error("name: x\nnodes:\n  h1: [\n  bad: : :\n")
    assert "at line 4, column 8" in str(error)


@pytest.mark.parametrize("text, node, field, message", [
    ("nodes: {}\nlink: []", None, "top level", "unknown key(s) link; allowed are description, "
                                               "kind, links, name, nodes"),
    ("nodes: {h1: {kind: host, interfaces: {eth0: 10.0.0.1/24}, gw: 1}}", "h1", "keys",
     "unknown key(s) gw; allowed are gateway, interfaces, kind, routes"),
    ("nodes: {s: {kind: switch, interfaces: {}}}", "s", "keys",
     "unknown key(s) interfaces; allowed are kind, label, ports, subnet"),
    ("nodes: {h1: {kind: host, interfaces: {eth0: {ip: 10.0.0.1/24, speed: 1}}}}", "h1",
     "interfaces.eth0", "unknown key(s) speed"),
    ("nodes: {h1: {kind: host, interfaces: {eth0: 10.0.0.1/24}}}\n"
     "links: [{endpoints: [h1:eth0, s:eth1], color: red}]", None, "links[0]",
     "unknown key(s) color; allowed are endpoints"),
])
def test_unknown_keys_at_every_level(text, node, field, message):
    error = parse_error(text)
    assert (error.node, error.field) == (node, field)
    assert message in error.message


@pytest.mark.parametrize("kind", ["pc", "bridge", None])
def test_wrong_kind_lists_the_kinds(kind):
    body = "{interfaces: {}}" if kind is None else f"{{kind: {kind}}}"
    error = parse_error(f"nodes: {{h1: {body}}}")
    assert (error.node, error.field) == ("h1", "kind")
    assert f"kind must be one of host, router, switch, not {kind!r}" in error.message


@pytest.mark.parametrize("text, node, field, message", [
    ("- a", None, "the file", "must be a mapping"),
    ("", None, "the file", "must be a mapping"),
    ("nodes: [a, b]", None, "nodes", "nodes must be a mapping (key: value lines), not list"),
    ("name: x", None, "nodes", "nodes must be a mapping"),
    ("nodes: {h1: 5}", "h1", "its definition", "must be a mapping"),
    ("nodes: {h1: {kind: host, interfaces: [eth0]}}", "h1", "interfaces",
     "interfaces must be a mapping"),
    ("nodes: {h1: {kind: host, interfaces: {eth0: 10.0.0.1/24}, routes: default via 10.0.0.2}}",
     "h1", "routes", "routes must be a list (lines starting with '- ')"),
    ("nodes: {s: {kind: switch, ports: eth1}}", "s", "ports", "ports must be a list"),
    ("nodes: {h1: {kind: host, interfaces: {eth0: 10.0.0.1/24}}}\nlinks: {a: b}", None, "links",
     "links must be a list"),
    ("nodes: {h1: {kind: host, interfaces: {eth0: 10.0.0.1/24}}}\nlinks: [h1:eth0]", None,
     "links[0]", "links[0] must be a mapping"),
])
def test_values_of_the_wrong_shape(text, node, field, message):
    error = parse_error(text)
    assert (error.node, error.field) == (node, field)
    assert message in error.message


@pytest.mark.parametrize("ends", ["[h1:eth0]", "h1:eth0", "[h1:eth0, sw:eth1, sw:eth2]", "[]"])
def test_endpoints_must_be_a_pair(ends):
    error = parse_error("nodes:\n  sw: {kind: switch}\n"
                        "  h1: {kind: host, interfaces: {eth0: 10.0.0.1/24}}\n"
                        f"links: [{{endpoints: {ends}}}]")
    assert error.field == "links[0].endpoints"
    assert "endpoints must list exactly two 'node:interface' ends" in error.message


def test_builder_errors_are_located_in_the_file():
    error = parse_error("nodes: {h1: {kind: host, interfaces: {eth0: 10.0.0.1/24}, "
                        "routes: [default via 10.9.0.1]}}")
    assert (error.node, error.field) == ("h1", "routes[0]")
    assert "is not on any connected subnet of h1" in error.message


def test_link_to_unknown_node_in_a_file():
    error = parse_error("nodes: {h1: {kind: host, interfaces: {eth0: 10.0.0.1/24}}}\n"
                        "links: [{endpoints: [h1:eth0, sw:eth1]}]")
    assert "link end 'sw:eth1' names unknown node 'sw'; known nodes are h1" in error.message


def test_link_errors_in_a_file_name_the_link_index():
    error = parse_error("nodes: {h1: {kind: host, interfaces: {eth0: 10.0.0.1/24}}}\n"
                        "links:\n  - endpoints: [h1:eth0, h1:eth0]\n")
    assert error.field == "links[0]"


def test_a_node_defined_twice_in_a_file_is_an_error():
    parse_error("nodes:\n"
                "  h1: {kind: host, interfaces: {eth0: 10.0.0.1/24}}\n"
                "  h1: {kind: host, interfaces: {eth0: 10.0.0.2/24}}\n")


def test_shipped_files_have_no_duplicate_keys():
    """Guards the shipped data against the silent last-key-wins of YAML mappings."""
    import yaml

    class Strict(yaml.SafeLoader):
        pass

    def no_duplicates(loader, node, deep=False):
        keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
        duplicates = {k for k in keys if keys.count(k) > 1}
        assert not duplicates, f"duplicate keys {duplicates} at line {node.start_mark.line + 1}"
        return loader.construct_mapping(node, deep)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, no_duplicates)
    from kpath_nb.io import topology_dirs
    files = sorted(p for d in topology_dirs() for p in d.glob("*.yaml"))
    assert files
    for path in files:
        yaml.load(path.read_text(encoding="utf-8"), Loader=Strict)


# -- hostile files: bounded in memory and time, every failure a typed error --------------

ALIAS_BOMB = """\
name: bomb
a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]
a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
a6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
a7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]
a8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]
description: *a8
nodes: {}
"""


def test_an_alias_bomb_is_refused_before_it_expands():
    with pytest.raises(TopologyError, match=r"bomb.yaml: .*aliases \(\*name\) are not allowed"):
        kp.parse_topology(ALIAS_BOMB, source="bomb.yaml")


def test_description_and_name_must_be_text():
    with pytest.raises(TopologyError, match="description must be plain text, not a list"):
        kp.parse_topology("description: [a, b]\nnodes: {}")


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "{a: " * 5000 + "1" + "}" * 5000])
def test_deep_nesting_is_a_typed_error(text):
    with pytest.raises(TopologyError, match="nest more than 32 levels"):
        kp.parse_topology(text)


def test_a_file_that_is_not_utf8_names_the_file_and_the_byte(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: café\n".encode("latin-1"))
    with pytest.raises(TopologyError, match=r"latin.yaml: not UTF-8 text \(byte 0xe9 at offset 9\)"):
        kp.load_topology(path)


def test_a_huge_file_is_refused_unread(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"#" * (kp.io.MAX_FILE_BYTES + 1))
    with pytest.raises(TopologyError, match="huge.yaml: the file is larger than 1,000,000 bytes"):
        kp.load_topology(path)
    with pytest.raises(TopologyError, match="longer than 1,000,000 characters"):
        kp.parse_topology("#" * (kp.io.MAX_FILE_BYTES + 1))


def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(KpathError, match="not a regular file"):
        kp.load_topology(fifo)


@pytest.mark.parametrize("value", [None, 5, b"nodes: {}"])
def test_parse_topology_wants_text(value):
    with pytest.raises(TopologyError, match="parse_topology reads YAML text"):
        kp.parse_topology(value)


@pytest.mark.parametrize("value", [None, 5, ["seed-neighborhoods"], b"two-hosts"])
def test_load_topology_wants_a_name_or_a_path(value):
    with pytest.raises(KpathError, match="load_topology takes a topology name or a path"):
        kp.load_topology(value)
