"""Kubernetes names and labels, checked the way the API server checks them.

A pod's name is a DNS subdomain (RFC 1123: lowercase letters, digits, ``-`` and
``.``, at most 253 characters), its namespace a DNS label (no ``.``, at most 63),
and each label a ``key: value`` pair of text: the key an optional DNS-subdomain
prefix and ``/`` before a name of at most 63 letters, digits, ``-``, ``_`` and
``.``; the value empty or such a name. ``kubectl`` refuses anything else, so the
model does too, before it hands out an address.

Examples
--------
>>> check_pod("web-1", "default", {"app": "web", "app.kubernetes.io/part-of": "shop"})
>>> check_pod("Web_1", "default", {})
Traceback (most recent call last):
...
kpath_nb.errors.TopologyError: field 'pods': pod name 'Web_1' is not a valid Kubernetes name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, like web-1
"""

from __future__ import annotations

import re
from typing import Any

from .errors import TopologyError

__all__ = ["check_pod", "check_labels"]

_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_LABEL_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_RULE = ("use lowercase letters, digits, '-' and '.', starting and ending with a letter or "
         "digit, like web-1")


def check_pod(name: Any, namespace: Any, labels: Any) -> None:
    """Raise :class:`~kpath_nb.errors.TopologyError` unless the API server would take a pod
    called ``name`` in ``namespace`` with ``labels``."""
    if not isinstance(name, str):
        raise TopologyError(f"a pod name is text like 'web-1', not {type(name).__name__} "
                            f"{name!r}", field="pods")
    if len(name) > 253 or not _SUBDOMAIN.fullmatch(name):
        raise TopologyError(f"pod name {name!r} is not a valid Kubernetes name: {_RULE}",
                            field="pods")
    if not isinstance(namespace, str) or len(namespace) > 63 \
            or not _DNS_LABEL.fullmatch(namespace):
        raise TopologyError(f"namespace {namespace!r} of pod {name!r} is not a valid "
                            f"Kubernetes namespace: use at most 63 lowercase letters, digits "
                            f"and '-', like default", field="namespace")
    check_labels(labels, f"pod {name!r}")


def check_labels(labels: Any, owner: str) -> None:
    """Raise :class:`~kpath_nb.errors.TopologyError` unless ``labels`` is None or a mapping of
    valid label keys to valid label values (all text)."""
    if labels is None:
        return
    if not hasattr(labels, "items"):
        raise TopologyError(f"labels of {owner} must be a mapping like {{'app': 'web'}}, not "
                            f"{type(labels).__name__}", field="labels")
    for key, value in labels.items():
        if not _valid_key(key):
            raise TopologyError(f"label key {key!r} of {owner} is not valid: a name of at most "
                                f"63 letters, digits, '-', '_' and '.' (starting and ending "
                                f"with a letter or digit), with an optional DNS prefix and '/', "
                                f"like app or app.kubernetes.io/name", field="labels")
        if not isinstance(value, str) or (value and not _valid_name(value)):
            raise TopologyError(f"label {key}={value!r} of {owner}: a label value is text of at "
                                f"most 63 letters, digits, '-', '_' and '.' (or empty); write "
                                f"numbers in quotes, like '2'", field="labels")


def _valid_name(text: str) -> bool:
    return len(text) <= 63 and _LABEL_NAME.fullmatch(text) is not None


def _valid_key(key: Any) -> bool:
    if not isinstance(key, str):
        return False
    prefix, slash, name = key.rpartition("/")
    if slash and (len(prefix) > 253 or not _SUBDOMAIN.fullmatch(prefix)):
        return False
    return _valid_name(name)
