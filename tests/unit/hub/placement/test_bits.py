"""Node masks: one-node flips read back exactly as if applied to the int."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from edgeplane.hub.placement import bits


@given(st.integers(0, 2**300), st.lists(st.tuples(st.integers(0, 299), st.booleans()), max_size=80))
def test_flips_fold_into_the_mask(start: int, flips: list[tuple[int, bool]]) -> None:
    masks = bits.Masks()
    masks[1] = start
    want = start
    for slot, on in flips:
        masks.flip(1, slot, on)
        want = want | (1 << slot) if on else want & ~(1 << slot)
    assert masks[1] == want
    assert bits.slots(want).tolist() == [i for i in range(301) if want >> i & 1]
    assert masks.pop(1) == want


def test_setting_a_mask_drops_pending_flips() -> None:
    masks = bits.Masks()
    masks[7] = 0b1010
    masks.flip(7, 0, True)
    masks[7] = 0b1
    assert masks[7] == 0b1
