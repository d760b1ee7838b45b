"""Grams as stable 32-bit keys, and compressed inverted indexes (CSR arrays) over them.

Every index of the engine maps a key to the documents that hold it — phrasings,
entries, answers, article paragraphs — as two numpy arrays: a row pointer and
the postings.  A question then looks its keys up by bisection and sums over the
postings of the keys found (:func:`runs`, ``np.bincount``), for every document at
once.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray


def gram_key(gram: str) -> int:
    """A stable 32-bit id of a gram (the same in every process)."""
    return zlib.crc32(gram.encode("utf-8", "surrogatepass"))


def pointer(sorted_ids: NDArray[np.int32], size: int) -> NDArray[np.int64]:
    """CSR row pointer: postings of gram g are ``[pointer[g], pointer[g + 1])``."""
    return np.concatenate([[0], np.cumsum(np.bincount(sorted_ids, minlength=size))]).astype(np.int64)


def lookup(vocabulary: NDArray[np.uint32], keys: NDArray[np.uint32]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Ids of ``keys`` in a sorted ``vocabulary``, and which of them it holds."""
    if not len(vocabulary):
        return np.zeros(len(keys), np.int64), np.zeros(len(keys), bool)
    ids = np.minimum(np.searchsorted(vocabulary, keys), len(vocabulary) - 1)
    return ids.astype(np.int64), vocabulary[ids] == keys


def runs(pointer: NDArray[np.int64], ids: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Where the postings of the keys ``ids`` lie, one run after the other, and the length of each run.

    ``np.repeat(values, lengths)`` then gives each posting the value of its key.
    """
    starts = pointer[ids]
    lengths = pointer[ids + 1] - starts
    shifts = starts - (np.cumsum(lengths) - lengths)
    return np.arange(int(lengths.sum())) + np.repeat(shifts, lengths), lengths


class Postings:
    """Which of several documents hold each key: an inverted index over sets of keys, built once."""

    def __init__(self, documents: Iterable[Iterable[int]]) -> None:
        keys: list[int] = []
        holders: list[int] = []
        for document, found in enumerate(documents):
            for key in found:
                keys.append(key)
                holders.append(document)
        every = np.asarray(keys, np.uint32)
        by_key = np.argsort(every, kind="stable")
        self.vocabulary, first = np.unique(every[by_key], return_index=True)
        self.pointer = np.append(first, len(keys)).astype(np.int64)
        self.postings = np.asarray(holders, np.int32)[by_key]

    def sums(
        self, keys: NDArray[np.uint32], weights: NDArray[np.float64], documents: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        """For each of ``documents`` (ascending), the summed ``weights`` of those ``keys`` it holds."""
        ids, known = lookup(self.vocabulary, keys)
        positions, lengths = runs(self.pointer, ids[known])
        holders = self.postings[positions]
        slot = np.minimum(np.searchsorted(documents, holders), max(len(documents) - 1, 0))
        wanted = documents[slot] == holders if len(documents) else np.zeros(len(holders), bool)
        found = np.bincount(slot[wanted], weights=np.repeat(weights[known], lengths)[wanted], minlength=len(documents))
        return found.astype(np.float64, copy=False)
