"""Answers as data: what a graded notebook hands back, and how the grader reads it.

The grader never takes a verdict from a student's kernel. Before it runs a
submission it puts a *collector* cell of its own after each answer cell
(:func:`~kpath_nb.coursework.submission.with_collectors`); the collector turns ``answer_N`` into plain data
with :func:`encode` and shows it under :data:`ANSWER_MIME`. The grader reads
back only its own collectors' outputs, turns them into values again with
:func:`decode`, and runs the checks itself. Only the kinds of value a check
reads are carried: text, numbers, truth values, ``...`` and None, lists,
tuples, sets and dicts of them, :mod:`ipaddress` addresses, interfaces and
networks, MAC addresses and routes. Anything else (an object whose ``==``
always says yes, say) is an unreadable answer, and so is anything too big.

Examples
--------
>>> from ipaddress import ip_network
>>> decode(encode(["eth1", (2, 3.5), {"a": None}, ip_network("10.0.0.0/24"), ...]))
['eth1', (2, 3.5), {'a': None}, IPv4Network('10.0.0.0/24'), Ellipsis]
>>> class Always:
...     def __eq__(self, other):
...         return True
>>> encode(Always())
Traceback (most recent call last):
...
kpath_nb.coursework.collect.UnreadableAnswer: an answer of type Always cannot be graded; \
write it as text, a number, True/False or a list of those
"""

from __future__ import annotations

import json
import math
import operator
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from ..addr import MacAddress
from ..tables import Route
from .variants import CourseError

__all__ = ["ANSWER_MIME", "MAX_ITEMS", "MAX_TEXT", "UnreadableAnswer", "encode", "decode",
           "emit"]

ANSWER_MIME = "application/vnd.kpath.answer+json"
"""The output type under which a collector cell shows one answer, as data."""

MAX_TEXT = 10_000
"""The longest text an answer may hold, in characters."""

MAX_ITEMS = 2_000
"""How many values in all (items of lists, sets and dicts, nested) one answer may hold."""

_MAX_DEPTH = 8
_MAX_DIGITS = 40
_ADDRESSES = {"ipv4address": IPv4Address, "ipv4interface": IPv4Interface,
              "ipv4network": IPv4Network, "mac": MacAddress.parse, "route": Route.parse}
_SEQUENCES = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}


class UnreadableAnswer(CourseError):
    """An answer that is not plain data, or too big: graded as an unreadable answer."""


def encode(value: object) -> list:
    """``value`` as JSON-able data tagged with its type; raises :class:`UnreadableAnswer`.

    Examples
    --------
    >>> encode((1, "a"))
    ['tuple', [['int', 1], ['str', 'a']]]
    """
    budget = [MAX_ITEMS]
    return _encode(value, budget, 0)


def _encode(value: object, budget: list[int], depth: int) -> list:
    budget[0] -= 1
    if budget[0] < 0 or depth > _MAX_DEPTH:
        raise UnreadableAnswer(f"the answer is too big: at most {MAX_ITEMS} values, nested at "
                               f"most {_MAX_DEPTH} deep")
    kind = type(value)
    if value is None or value is ...:
        return ["none" if value is None else "ellipsis", None]
    if kind is bool:
        return ["bool", value]
    if kind is str:
        if len(value) > MAX_TEXT:
            raise UnreadableAnswer(f"the answer's text is longer than {MAX_TEXT} characters")
        return ["str", value]
    if kind is float:
        return ["float", value if math.isfinite(value) else str(value)]
    if kind is int or (kind.__module__ == "numpy" and hasattr(value, "__index__")):
        number = operator.index(value)
        if len(str(abs(number))) > _MAX_DIGITS:
            raise UnreadableAnswer(f"the answer's number has more than {_MAX_DIGITS} digits")
        return ["int", number]
    if kind.__module__ == "numpy" and hasattr(value, "is_integer"):
        return _encode(float(value), budget, depth)
    for tag, sequence in _SEQUENCES.items():
        if kind is sequence:
            return [tag, [_encode(item, budget, depth + 1) for item in value]]
    if kind is dict:
        return ["dict", [[_encode(k, budget, depth + 1), _encode(v, budget, depth + 1)]
                         for k, v in value.items()]]
    for tag, known in (("ipv4address", IPv4Address), ("ipv4interface", IPv4Interface),
                       ("ipv4network", IPv4Network), ("mac", MacAddress), ("route", Route)):
        if kind is known:
            return [tag, str(value)]
    raise UnreadableAnswer(f"an answer of type {kind.__name__} cannot be graded; write it as "
                           f"text, a number, True/False or a list of those")


def decode(data: object) -> object:
    """The value :func:`encode` made ``data`` from; raises :class:`UnreadableAnswer` for
    anything :func:`encode` would not have made, or too big.

    Examples
    --------
    >>> decode(["set", [["str", "b"], ["str", "a"]]]) == {"a", "b"}
    True
    >>> decode(["int", "1e999"])
    Traceback (most recent call last):
    ...
    kpath_nb.coursework.collect.UnreadableAnswer: the answer's data is malformed (int)
    """
    return _decode(data, [MAX_ITEMS], 0)


def _decode(data: object, budget: list[int], depth: int) -> object:
    budget[0] -= 1
    if budget[0] < 0 or depth > _MAX_DEPTH:
        raise UnreadableAnswer(f"the answer is too big: at most {MAX_ITEMS} values")
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[0], str)):
        raise UnreadableAnswer("the answer's data is malformed")
    tag, payload = data
    simple = {"none": (type(None), None), "ellipsis": (type(None), ...), "bool": (bool, None)}
    if tag in simple and type(payload) is simple[tag][0]:
        return payload if tag == "bool" else simple[tag][1]
    if tag == "str" and type(payload) is str and len(payload) <= MAX_TEXT:
        return payload
    if tag == "int" and type(payload) is int and len(str(abs(payload))) <= _MAX_DIGITS:
        return payload
    if tag == "float" and (type(payload) is float or payload in ("nan", "inf", "-inf")):
        return float(payload)
    if tag in _SEQUENCES and type(payload) is list:
        try:
            return _SEQUENCES[tag](_decode(item, budget, depth + 1) for item in payload)
        except TypeError:  # an unhashable item in a set
            raise UnreadableAnswer(f"the answer's data is malformed ({tag})") from None
    if tag == "dict" and type(payload) is list:
        try:
            return {_decode(pair[0], budget, depth + 1): _decode(pair[1], budget, depth + 1)
                    for pair in payload if _is_pair(pair)}
        except TypeError:
            raise UnreadableAnswer("the answer's data is malformed (dict)") from None
    if tag in _ADDRESSES and type(payload) is str and len(payload) <= 200:
        try:
            return _ADDRESSES[tag](payload)
        except Exception:  # the text of an address that does not parse
            raise UnreadableAnswer(f"the answer's data is malformed ({tag})") from None
    raise UnreadableAnswer(f"the answer's data is malformed ({tag})")


def _is_pair(pair: object) -> bool:
    if not (isinstance(pair, list) and len(pair) == 2):
        raise UnreadableAnswer("the answer's data is malformed (dict)")
    return True


def emit(name: str, value: object) -> dict:
    """What a collector cell shows for ``answer_N`` (its value, or why it cannot be read).

    Examples
    --------
    >>> emit("answer_1", "10.0.0.0")
    {'application/vnd.kpath.answer+json': {'name': 'answer_1', 'value': ['str', '10.0.0.0']}}
    """
    try:
        data: dict[str, object] = {"name": name, "value": encode(value)}
        json.dumps(data)
    except UnreadableAnswer as err:
        data = {"name": name, "unreadable": str(err)}
    except Exception as err:  # an answer whose str() or hashing raises
        data = {"name": name, "unreadable": f"the answer cannot be read ({type(err).__name__})"}
    return {ANSWER_MIME: data}
