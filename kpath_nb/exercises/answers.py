"""Reading what a learner wrote: addresses, numbers, lists and words, read generously.

A learner types an answer the way it comes to mind: ``" 10.0.10.0 "``, an
:mod:`ipaddress` object, ``"02-00-0A-00-0A-0E"``, ``"eth1, eth3"``,
``"Yes!"``. Each reader here turns one kind of answer into a value a check can
compare with what it worked out from the model, or into :data:`UNREADABLE`
when the answer is not of that kind at all. No reader raises on a learner's
answer. :func:`judge_read` then says whether the reading is right.

Examples
--------
>>> address(" 10.0.10.11/24 ")
IPv4Address('10.0.10.11')
>>> mac("02-00-0A-00-0A-0E")
MacAddress('02:00:0a:00:0a:0e')
>>> address("banana") is UNREADABLE
True
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from ..addr import MacAddress
from ..errors import KpathError
from . import Feedback, judge, unanswered

__all__ = ["UNREADABLE", "text", "squeeze", "whole_number", "address_and_prefix", "address",
           "mac", "says_nothing", "items", "yes_no", "word", "judge_read"]


class _Unreadable:
    """The type of :data:`UNREADABLE`: equal to nothing, so it is never judged right."""

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "UNREADABLE"


UNREADABLE = _Unreadable()
"""What a reader returns for an answer it cannot read; it equals nothing, not even itself."""

_NOTHING = {"none", "nothing", "no", "-", "[]", "{}", "()"}
_YES = {"yes", "y", "true", "same", "same subnet", "needed", "it does", "yes it does"}
_NO = {"no", "n", "false", "different", "different subnet", "not same", "not needed", "no need",
       "it does not", "no it does not"}


def text(answer: object) -> str:
    """The answer as stripped text; an object that cannot even be printed gives ``""``.

    Examples
    --------
    >>> text("  r1 ")
    'r1'
    >>> text(60)
    '60'
    """
    try:
        return str(answer).strip()
    except Exception:  # a learner's object with a broken __str__ must not stop the check
        return ""


def squeeze(answer: object) -> str:
    """The answer as text without any whitespace at all.

    Examples
    --------
    >>> squeeze(" 10. 0.10.0 ")
    '10.0.10.0'
    """
    return "".join(text(answer).split())


def whole_number(answer: object) -> int | _Unreadable:
    """A whole number from an int, a whole float or digits in text.

    Examples
    --------
    >>> whole_number(" 62 "), whole_number(62.0), whole_number("1_024")
    (62, 62, 1024)
    >>> whole_number(True), whole_number(6.5), whole_number("six")
    (UNREADABLE, UNREADABLE, UNREADABLE)
    """
    if isinstance(answer, bool):
        return UNREADABLE
    if isinstance(answer, float):
        return int(answer) if answer.is_integer() else UNREADABLE
    if isinstance(answer, str):
        digits = squeeze(answer).replace("_", "")
        return int(digits) if digits.isdecimal() else UNREADABLE
    try:
        return operator.index(answer)  # int, numpy integers
    except TypeError:
        return UNREADABLE


def address_and_prefix(answer: object) -> tuple[IPv4Address, int | None] | _Unreadable:
    """An IPv4 address and the prefix length written with it (None when there is none).

    Text (``"10.0.10.0"``, ``"10.0.10.0/24"``), an :mod:`ipaddress` address,
    interface or network, or the address as a 32-bit whole number.

    Examples
    --------
    >>> address_and_prefix("10.0.10.0 /24")
    (IPv4Address('10.0.10.0'), 24)
    >>> address_and_prefix(167774975)
    (IPv4Address('10.0.10.255'), None)
    >>> address_and_prefix("10.0.10.0/banana")
    UNREADABLE
    """
    if isinstance(answer, IPv4Interface):  # before IPv4Address: it is a subclass
        return answer.ip, answer.network.prefixlen
    if isinstance(answer, IPv4Address):
        return answer, None
    if isinstance(answer, IPv4Network):
        return answer.network_address, answer.prefixlen
    if isinstance(answer, str):
        written = squeeze(answer)
        try:
            if "/" in written:
                iface = IPv4Interface(written)
                return iface.ip, iface.network.prefixlen
            return IPv4Address(written), None
        except ValueError:
            return UNREADABLE
    number = whole_number(answer)
    if isinstance(number, int) and 0 <= number < 1 << 32:
        return IPv4Address(number), None
    return UNREADABLE


def address(answer: object) -> IPv4Address | _Unreadable:
    """An IPv4 address; whatever follows a ``/`` is left out.

    Examples
    --------
    >>> address("10.0.10.11/whatever")
    IPv4Address('10.0.10.11')
    >>> from ipaddress import ip_interface
    >>> address(ip_interface("10.0.10.11/24"))
    IPv4Address('10.0.10.11')
    """
    if isinstance(answer, str) or (not isinstance(answer, (IPv4Address, IPv4Network))
                                   and whole_number(answer) is UNREADABLE):
        answer = text(answer).split("/")[0]
    read = address_and_prefix(answer)
    return read if isinstance(read, _Unreadable) else read[0]


def mac(answer: object) -> MacAddress | _Unreadable:
    """A MAC address: six hex pairs in any case, with ``:`` or ``-``, or a MacAddress.

    Examples
    --------
    >>> mac(" 02:00:0A:00:0A:0E ")
    MacAddress('02:00:0a:00:0a:0e')
    >>> mac("02:00:0a") is UNREADABLE
    True
    """
    if isinstance(answer, MacAddress):
        return answer
    try:
        return MacAddress.parse(text(answer).lower())
    except KpathError:
        return UNREADABLE


def says_nothing(answer: object) -> bool:
    """True for text meaning "nothing at all": ``"none"``, ``"nothing"``, ``"-"``, ``"[]"``.

    Examples
    --------
    >>> says_nothing(" None "), says_nothing("eth1")
    (True, False)
    """
    return isinstance(answer, str) and answer.strip().lower() in _NOTHING


def items(answer: object, *, ordered: bool = False) -> list[str] | _Unreadable:
    """Several names (or MAC addresses), lower case, as a list; ``[]`` for "nothing".

    Parameters
    ----------
    answer : object
        A list or tuple of strings, one string separated by commas,
        semicolons, spaces or arrows (``"r1 -> r2"``), or a word from
        :func:`says_nothing`.
    ordered : bool
        When the order matters: a set, which has no order, is then unreadable.

    Examples
    --------
    >>> items("eth1, ETH3")
    ['eth1', 'eth3']
    >>> items("r1 -> r2 → r3")
    ['r1', 'r2', 'r3']
    >>> items("nothing")
    []
    >>> items({"r1", "r2"}, ordered=True)
    UNREADABLE
    """
    if isinstance(answer, str):
        if says_nothing(answer):
            return []
        return [part for part in re.split(r"(?:[,;>→\s]|->)+", answer.strip().lower()) if part]
    if isinstance(answer, MacAddress):
        return [str(answer)]
    kinds = (list, tuple) if ordered else (list, tuple, set, frozenset)
    if isinstance(answer, kinds) and all(isinstance(v, (str, MacAddress)) for v in answer):
        return [str(v).strip().lower() for v in answer]
    return UNREADABLE


def yes_no(answer: object) -> bool | _Unreadable:
    """True or False, from a bool or a word such as ``"yes"``, ``"No."`` or ``"same subnet"``.

    Examples
    --------
    >>> yes_no("Yes!"), yes_no(" not  needed "), yes_no(False)
    (True, False, False)
    >>> yes_no("maybe")
    UNREADABLE
    """
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, str):
        said = " ".join(answer.lower().split()).rstrip(".!").rstrip()
        if said in _YES:
            return True
        if said in _NO:
            return False
    return UNREADABLE


def word(answer: object, allowed: tuple[str, ...],
         synonyms: Mapping[str, str] | None = None) -> str | _Unreadable:
    """One of the ``allowed`` words, from text in any case with ``-`` or ``_`` for spaces.

    Parameters
    ----------
    answer : object
        The learner's text.
    allowed : tuple of str
        The words a check understands.
    synonyms : mapping of str to str, optional
        Other ways to say them: each maps to one of ``allowed``.

    Examples
    --------
    >>> word(" No-Route ", ("no route", "direct"))
    'no route'
    >>> word("loop", ("routing loop",), {"loop": "routing loop"})
    'routing loop'
    >>> word("banana", ("direct",))
    UNREADABLE
    """
    if not isinstance(answer, str):
        return UNREADABLE
    said = " ".join(answer.strip().lower().replace("_", " ").replace("-", " ").split())
    said = (synonyms or {}).get(said, said)
    return said if said in allowed else UNREADABLE


def judge_read(exercise: str, answer: object, read: object, expected: object, praise: str,
               hint: str, *, form: str | None = None) -> Feedback:
    """Judge ``read``, what a reader made of ``answer``, without revealing ``expected``.

    A blank ``answer`` is "not answered yet" whatever the reader made of it.

    Parameters
    ----------
    exercise : str
        The exercise's short name.
    answer : object
        What the learner wrote.
    read : object
        ``answer`` as a reader read it: :data:`UNREADABLE` when it could not.
    expected, praise, hint
        As for :func:`~kpath_nb.exercises.judge`.
    form : str, optional
        How to write an answer. When given, an unreadable answer is told
        "not quite: write the answer as ``form``." Without it, it is just
        "not quite." with the ``hint``.

    Examples
    --------
    >>> print(judge_read("demo", "six", whole_number("six"), 6, "Right.", "Count again.",
    ...                  form="a whole number"))
    ❌ demo: not quite: write the answer as a whole number. Count again.
    >>> judge_read("demo", " 6", whole_number(" 6"), 6, "Right.", "Count again.").status
    'correct'
    >>> judge_read("demo", ..., UNREADABLE, 6, "Right.", "Count again.").status
    'unanswered'
    """
    if unanswered(answer):
        return judge(exercise, answer, expected, praise, hint)
    if read is UNREADABLE and form is not None:
        return Feedback(exercise, "incorrect", f"not quite: write the answer as {form}.", hint)
    return judge(exercise, read, expected, praise, hint)
