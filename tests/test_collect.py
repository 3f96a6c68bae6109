"""Answers as data: every chapter's right and wrong answers keep their verdict through the
grader's encoding, and what is not plain data is an unreadable answer."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import nbformat
import pytest

from kpath_nb.coursework import CHAPTERS, exercise_keys, question
from kpath_nb.coursework.collect import (ANSWER_MIME, MAX_ITEMS, MAX_TEXT, UnreadableAnswer,
                                         decode, emit, encode)
from kpath_nb.coursework.edition import student_notebook
from kpath_nb.coursework.grading import answer_keys

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
IDS = [f"s24{n:05d}" for n in range(8)]
SALT = "fall-2026"


def _tables() -> tuple[dict, dict]:
    solve, mistake = {}, {}
    for chapter in CHAPTERS.values():
        module = importlib.import_module(f"test_coursework_{chapter}")
        solve.update(module.SOLVE)
        mistake.update(module.MISTAKE)
    return solve, mistake


SOLVE, MISTAKE = _tables()


def _carried(value: object) -> object:
    return decode(json.loads(json.dumps(encode(value))))


@pytest.mark.parametrize("key", exercise_keys())
def test_every_verdict_is_the_same_after_the_answer_travels_as_data(key: str) -> None:
    for sid in IDS:
        q = question(key, sid, salt=SALT)
        for table in (SOLVE, MISTAKE):
            answer = table[key](q)
            direct, carried = q.check(answer), q.check(_carried(answer))
            assert (carried.status, carried.message) == (direct.status, direct.message), key


def test_answers_keep_their_type() -> None:
    from ipaddress import ip_address, ip_interface
    from kpath_nb.addr import MacAddress
    from kpath_nb.tables import Route
    values = [None, ..., True, 3, 2.5, "eth0", [1, "a"], (1, 2), {"x", "y"}, frozenset({1}),
              {"what": "mtu", "where": ("n1", 2)}, ip_address("10.0.0.1"),
              ip_interface("10.0.0.1/24"), MacAddress.parse("02:00:0a:00:00:01"),
              Route.parse("10.0.20.0/24 via 10.0.100.201 dev eth1")]
    for value in values:
        back = _carried(value)
        assert back == value and type(back) is type(value), value


class _AlwaysRight:
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


class _Text(str):
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


@pytest.mark.parametrize("value", [_AlwaysRight(), _Text("x"), [_AlwaysRight()], "x" * (MAX_TEXT + 1),
                                   list(range(MAX_ITEMS + 1)), 10 ** 50, print])
def test_what_is_not_plain_data_is_unreadable(value) -> None:
    with pytest.raises(UnreadableAnswer):
        encode(value)
    assert "unreadable" in emit("answer_1", value)[ANSWER_MIME]


def _nested(depth: int) -> list:
    data: list = ["list", []]
    for _ in range(depth):
        data = ["list", [data]]
    return data


@pytest.mark.parametrize("data", [None, [], ["str"], ["str", 5], ["int", True], ["bool", 1],
                                  ["eval", "1"], ["set", [["list", []]]], ["dict", [[1]]],
                                  ["ipv4address", "banana"], ["list", "abc"], _nested(20)])
def test_malformed_data_is_unreadable(data) -> None:
    with pytest.raises(UnreadableAnswer):
        decode(data)


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")),
                         ids=lambda p: p.name[:2])
def test_answer_n_answers_exercise_nn_n_in_every_notebook(path: Path) -> None:
    number = path.name[:2]
    edition = student_notebook(nbformat.read(path, as_version=4))
    keys = answer_keys(edition, number)
    assert keys == {f"answer_{k.split('.')[1]}": k for k in exercise_keys(number)}
