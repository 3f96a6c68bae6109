"""The IPAM explorer, driven without a browser: button.click() runs the handlers at once."""

from __future__ import annotations

import pytest

import kpath_nb as kp
from kpath_nb.views.ipamwidget import explore_ipam


@pytest.fixture
def explorer():
    return explore_ipam(kp.load_topology("seed-cilium-buildings"))


def test_starts_on_the_first_node(explorer):
    assert explorer.node.value == "building-blue"
    assert set(explorer.pod.options) == {"apartment-12", "apartment-14"}
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert "cilium-dbg status --verbose" in explorer.panel.value
    assert "10.0.10.0/24 via 10.0.10.11 dev cilium_host" in explorer.panel.value


def test_create_pod_allocates_and_shows_what_changed(explorer):
    png = explorer.image.value
    explorer.name.value = "apartment-16"
    explorer.create.click()
    pod = explorer.cluster.pods["apartment-16"]
    assert pod.ip in explorer.cluster.nodes["building-blue"].pod_cidr
    assert bytes(explorer.image.value) != bytes(png)
    assert "created" in explorer.message.value and str(pod.ip) in explorer.message.value
    assert "5/254 allocated" in explorer.panel.value
    added = [line for line in explorer.panel.value.split("<div") if "+ " in line]
    assert any(pod.lxc in line for line in added)
    assert any(f"({pod.qualified_name})" in line for line in added)
    assert "apartment-16" in explorer.pod.options


def test_delete_pod_frees_its_address(explorer):
    ip = explorer.cluster.pods["apartment-14"].ip
    explorer.pod.value = "apartment-14"
    explorer.delete.click()
    assert "apartment-14" not in explorer.cluster.pods
    assert ip not in dict(explorer.cluster.allocators["building-blue"].allocations())
    assert "deleted" in explorer.message.value
    assert "−" in explorer.panel.value and "line-through" in explorer.panel.value
    assert "3/254 allocated" in explorer.panel.value


def test_switching_node_shows_that_node(explorer):
    explorer.node.value = "building-green"
    assert explorer.pod.options == ("apartment-22",)
    assert "10.0.20.21 (router)" in explorer.panel.value


def test_duplicate_name_is_a_message(explorer):
    explorer.name.value = "apartment-12"
    explorer.create.click()
    assert "already exists" in explorer.message.value
    assert len(explorer.cluster.pods) == 3


SMALL = """
name: small
kind: cluster
cilium:
  ipam: {pool: [10.0.0.0/8], mask_size: 28}
nodes:
  sw: {kind: switch, subnet: 192.168.1.0/24}
  node-a: {kind: node, interfaces: {eth0: 192.168.1.10/24}}
links:
  - endpoints: ["node-a:eth0", "sw:eth1"]
"""


def test_exhaustion_is_a_message():
    ex = explore_ipam(kp.parse_topology(SMALL))
    for k in range(12):       # a /28 has 14 usable addresses; router and health hold two
        ex.name.value = f"p{k}"
        ex.create.click()
        assert "created" in ex.message.value
    ex.name.value = "one-too-many"
    ex.create.click()
    assert "IpamExhaustedError" in ex.message.value and "full" in ex.message.value
    assert "one-too-many" not in ex.cluster.pods


def test_panel_is_uncapped_changed_first_and_refusals_reset_marks(explorer):
    assert explorer.panel.layout.max_height is None    # no inner scrollbar hiding the +/− lines
    assert "line-height" in explorer.panel.value
    explorer.name.value = "apartment-16"
    explorer.create.click()
    assert explorer.panel.value.index("cilium-dbg status --verbose") < \
        explorer.panel.value.index("ip route")      # status changed: it comes first
    assert "+ " in explorer.panel.value
    explorer.name.value = "apartment-12"
    explorer.create.click()                         # refused: a duplicate name
    assert "border:1px solid" in explorer.message.value
    assert "line-through" not in explorer.panel.value
    assert not [line for line in explorer.panel.value.split("<div") if line.startswith(
        " style='background:#DDF4E4")]


# -- the cluster changed underneath: the explorer catches up when next shown or used -------

def test_a_pod_added_by_code_shows_when_the_explorer_is_displayed_again(explorer):
    cl = explorer.cluster
    pod = cl.add_pod("apartment-18", "building-blue", {"app": "resident"})
    explorer._repr_mimebundle_()  # what Jupyter calls to display it again
    assert "apartment-18" in explorer.pod.options
    assert "5/254 allocated" in explorer.panel.value
    added = [line for line in explorer.panel.value.split("<div") if "+ " in line]
    assert any(pod.lxc in line for line in added)
    assert "changed outside the explorer" in explorer.message.value


def test_a_pod_deleted_by_code_is_not_deleted_again(explorer):
    cl = explorer.cluster
    assert explorer.pod.value == "apartment-12"
    ip = cl.pods["apartment-12"].ip
    cl.delete_pod("apartment-12")
    explorer.delete.click()  # the learner still sees apartment-12 selected
    assert "already gone" in explorer.message.value
    assert "apartment-14" in cl.pods  # the other pod of the node is untouched
    assert explorer.pod.options == ("apartment-14",)
    assert str(ip) not in explorer.panel.value.split("allocated from")[1].split("</div></div>")[0]


def test_creating_after_an_outside_change_shows_both(explorer):
    cl = explorer.cluster
    cl.add_pod("pod-1", "building-blue")
    explorer.name.value = "pod-1"
    explorer.create.click()  # the name the explorer offered was taken meanwhile
    assert "already exists" in explorer.message.value
    assert "pod-1" in explorer.pod.options


def test_switching_node_after_an_outside_change_catches_up(explorer):
    explorer.cluster.add_pod("apartment-26", "building-green")
    explorer.node.value = "building-green"
    assert "apartment-26" in explorer.pod.options
    assert "changed outside the explorer" in explorer.message.value


def test_nothing_changed_nothing_redrawn(explorer):
    png = explorer.image.value
    assert explorer.sync() is False
    assert explorer.image.value is png
