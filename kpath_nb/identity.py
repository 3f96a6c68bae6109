"""Cilium security identities: a number for every distinct set of security labels.

Cilium separates security from addressing: a pod's identity comes from its
labels, not its IP, and every pod with exactly the same labels shares one
number. Numbers from 256 up are handed out as new label sets appear; the
numbers below are reserved (``pkg/identity/numericidentity.go``).

Examples
--------
>>> ids = IdentityAllocator()
>>> web = ids.allocate({"app": "web"}, namespace="default")
>>> web.number, ids.allocate({"app": "web"}, namespace="default").number
(256, 256)
>>> ids.allocate({"app": "db"}, namespace="default").number
257
>>> RESERVED["remote-node"]
6
>>> print(web.labels[0])
k8s:app=web
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from .errors import KpathError

__all__ = ["RESERVED", "MIN_ALLOCATED", "MAX_ALLOCATED", "Identity", "IdentityAllocator",
           "reserved_name", "security_labels"]

RESERVED = {
    "unknown": 0,
    "host": 1,
    "world": 2,
    "unmanaged": 3,
    "health": 4,
    "init": 5,
    "remote-node": 6,
    "kube-apiserver": 7,
    "ingress": 8,
}
"""Reserved identities by name (label ``reserved:<name>``)."""

MIN_ALLOCATED = 256
"""The first number handed out for a label set (``MinimalNumericIdentity``)."""

MAX_ALLOCATED = 65535
"""The last one for cluster ID 0."""

_NAMES = {number: name for name, number in RESERVED.items()}


def reserved_name(number: int) -> str | None:
    """The reserved name of ``number`` (``1`` → ``"host"``), or None for allocated identities.

    Examples
    --------
    >>> reserved_name(2), reserved_name(300)
    ('world', None)
    """
    return _NAMES.get(number)


@dataclass(frozen=True)
class Identity:
    """A security identity: its number and the labels that define it."""

    number: int
    labels: tuple[str, ...]

    @property
    def display(self) -> str:
        """As Hubble prints it: ``ID:12345``, or the reserved name (``host``, ``world``)."""
        return reserved_name(self.number) or f"ID:{self.number}"

    def __str__(self) -> str:
        return f"{self.number} ({', '.join(self.labels)})"


@dataclass
class IdentityAllocator:
    """Hands out one number per distinct label set, from 256 upward, in order of first use.

    In a real cluster the agent asks the cluster (CiliumIdentity objects) for the
    number; here the order of first use makes the numbers reproducible.
    """

    by_labels: dict[tuple[str, ...], Identity] = field(default_factory=dict)
    next_number: int = MIN_ALLOCATED

    def allocate(self, labels: Mapping[str, str] | None, namespace: str = "default") -> Identity:
        """The identity for a pod's labels in ``namespace``, creating it on first use."""
        key = security_labels(labels, namespace)
        if key not in self.by_labels:
            if self.next_number > MAX_ALLOCATED:
                raise KpathError(f"no identity numbers left (the last is {MAX_ALLOCATED})")
            self.by_labels[key] = Identity(self.next_number, key)
            self.next_number += 1
        return self.by_labels[key]

    def reserved(self, name: str) -> Identity:
        """A reserved identity by name, e.g. ``reserved("health")``."""
        return Identity(RESERVED[name], (f"reserved:{name}",))


def security_labels(labels: Mapping[str, str] | None, namespace: str = "default") -> tuple[str, ...]:
    """The label set Cilium derives an identity from: the pod's labels and its namespace.

    Examples
    --------
    >>> security_labels({"app": "web"})
    ('k8s:app=web', 'k8s:io.kubernetes.pod.namespace=default')
    """
    pairs = {f"k8s:{k}={v}" for k, v in (labels or {}).items()}
    pairs.add(f"k8s:io.kubernetes.pod.namespace={namespace}")
    return tuple(sorted(pairs))
