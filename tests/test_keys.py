"""The inverted indexes under the engine: runs of postings and per-document sums."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core.matching.keys import Postings, lookup, pointer, runs


def test_runs_lay_the_postings_of_several_keys_end_to_end() -> None:
    # key 0 -> postings [0, 1], key 1 -> [], key 2 -> [2, 3, 4]
    index = pointer(np.asarray([0, 0, 2, 2, 2], np.int32), 3)
    positions, lengths = runs(index, np.asarray([2, 1, 0, 2]))
    assert positions.tolist() == [2, 3, 4, 0, 1, 2, 3, 4]
    assert lengths.tolist() == [3, 0, 2, 3]


def test_runs_of_no_keys_are_empty() -> None:
    positions, lengths = runs(pointer(np.asarray([0], np.int32), 1), np.zeros(0, np.int64))
    assert positions.tolist() == lengths.tolist() == []


def test_lookup_finds_known_keys_and_flags_the_others() -> None:
    ids, known = lookup(np.asarray([3, 7, 9], np.uint32), np.asarray([7, 1, 9, 10], np.uint32))
    assert known.tolist() == [True, False, True, False]
    assert ids[known].tolist() == [1, 2]
    _, none = lookup(np.zeros(0, np.uint32), np.asarray([1], np.uint32))
    assert none.tolist() == [False]


@pytest.mark.parametrize(
    ("documents", "keys", "weights", "expected"),
    [
        ([{1, 2}, {2, 3}, set()], [2], [0.5], [0.5, 0.5, 0.0]),
        ([{1, 2}, {2, 3}, set()], [1, 3, 4], [1.0, 2.0, 4.0], [1.0, 2.0, 0.0]),
        ([{1, 2}, {2, 3}, set()], [2, 2], [1.0, 1.0], [2.0, 2.0, 0.0]),  # a key counts as often as it is given
        ([set(), set()], [1], [1.0], [0.0, 0.0]),
        ([{5}], [], [], [0.0]),
    ],
)
def test_postings_sum_the_weights_of_the_keys_each_document_holds(
    documents: list[set[int]], keys: list[int], weights: list[float], expected: list[float]
) -> None:
    index = Postings(documents)
    every = np.arange(len(documents))
    assert index.sums(np.asarray(keys, np.uint32), np.asarray(weights, np.float64), every).tolist() == expected
    last = every[-1:]
    assert index.sums(np.asarray(keys, np.uint32), np.asarray(weights, np.float64), last).tolist() == expected[-1:]
    assert index.sums(np.asarray(keys, np.uint32), np.asarray(weights, np.float64), every[:0]).tolist() == []
