"""Node sets as Python ints (bit ``i`` = node slot ``i``): AND/OR over 100k nodes cost microseconds.

``slots(mask)`` lists the set bits through numpy, which is what makes enumerating a policy's nodes cheap.
``Masks`` holds one such set per rule and records single-node changes as pending flips, so changing one node
does not copy a 100k-bit int per rule it (un)matches.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def slots(mask: int) -> npt.NDArray[np.intp]:
    """Indices of the set bits of ``mask``, ascending."""
    if mask <= 0:
        return np.empty(0, dtype=np.intp)
    raw = mask.to_bytes((mask.bit_length() + 7) // 8, "little")
    unpacked = np.unpackbits(np.frombuffer(raw, dtype=np.uint8), bitorder="little")
    return np.flatnonzero(unpacked.view(np.bool_))  # nonzero over bools is several times faster than uint8


def has(mask: int, slot: int) -> bool:
    return (mask >> slot) & 1 == 1


class SlotSet:
    """A set of slots with its bitmask built lazily: cheap to change one slot, cheap to AND/OR whole."""

    __slots__ = ("_mask", "slots")

    def __init__(self) -> None:
        self.slots: set[int] = set()
        self._mask: int | None = None

    def add(self, slot: int) -> None:
        self.slots.add(slot)
        self._mask = None

    def discard(self, slot: int) -> None:
        self.slots.discard(slot)
        self._mask = None

    def __len__(self) -> int:
        return len(self.slots)

    def mask(self) -> int:
        if self._mask is None:
            self._mask = from_slots(self.slots)
        return self._mask


def from_slots(slots: set[int]) -> int:
    """The bitmask of ``slots``; numpy for big sets, shifts for small ones."""
    if len(slots) < 64:
        mask = 0
        for s in slots:
            mask |= 1 << s
        return mask
    arr = np.zeros(max(slots) + 1, dtype=np.bool_)
    arr[np.fromiter(slots, dtype=np.intp, count=len(slots))] = True
    return int.from_bytes(np.packbits(arr, bitorder="little").tobytes(), "little")


class Masks:
    """Rule id -> node mask. ``flip`` records one node's bit; flips are folded into the int on the next read
    (a couple of big-int operations however many flips), so a node change costs a dict write per rule."""

    __slots__ = ("_base", "_flips")

    def __init__(self) -> None:
        self._base: dict[int, int] = {}
        self._flips: dict[int, dict[int, bool]] = {}

    def __getitem__(self, rule: int) -> int:
        mask = self._base[rule]
        flips = self._flips.pop(rule, None)
        if flips:
            on = {s for s, v in flips.items() if v}
            off = flips.keys() - on
            if on:
                mask |= from_slots(on)
            if off:
                mask &= ~from_slots(off)
            self._base[rule] = mask
        return mask

    def __setitem__(self, rule: int, mask: int) -> None:
        self._base[rule] = mask
        self._flips.pop(rule, None)

    def pop(self, rule: int) -> int:
        mask = self[rule]
        del self._base[rule]
        return mask

    def flip(self, rule: int, slot: int, on: bool) -> None:
        self._flips.setdefault(rule, {})[slot] = on
