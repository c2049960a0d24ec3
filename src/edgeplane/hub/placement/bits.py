"""Node sets as Python ints (bit ``i`` = node slot ``i``): AND/OR over 100k nodes cost microseconds.

``slots(mask)`` lists the set bits through numpy, which is what makes enumerating a policy's nodes cheap.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def slots(mask: int) -> npt.NDArray[np.intp]:
    """Indices of the set bits of ``mask``, ascending."""
    if mask <= 0:
        return np.empty(0, dtype=np.intp)
    raw = mask.to_bytes((mask.bit_length() + 7) // 8, "little")
    return np.flatnonzero(np.unpackbits(np.frombuffer(raw, dtype=np.uint8), bitorder="little"))


def has(mask: int, slot: int) -> bool:
    return (mask >> slot) & 1 == 1


def set_bit(mask: int, slot: int, on: bool) -> int:
    bit = 1 << slot
    return mask | bit if on else mask & ~bit


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
